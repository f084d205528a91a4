package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// eventKinds are the life events a person's page records, in the order of
// its buttons; each has a form (templates/event.html) and a registry call.
var eventKinds = []string{"edit", "marriage", "marriage_end", "child", "death", "disability", "certificate", "certificate_cancel",
	"complication", "retirement", "hukou"}

// eventPage shows the form for one life event of a person.
func (h *Handler) eventPage(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("event")
	if !slices.Contains(eventKinds, kind) {
		return h.notFound(w, r)
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "event."+kind)
	f, err := h.app.EventForm(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	rec := f.Person
	switch kind {
	case "child":
		v.Form.Set("kind", registry.Birth)
	case "certificate":
		v.Form.Set("kind", registry.CertOneChild)
	case "hukou":
		v.Form.Set("type", rec.HukouType)
		v.Form.Set("region", rec.Region)
	case "edit":
		for f, val := range map[string]string{"name": rec.Name, "pension": rec.Pension, "ethnic": rec.Ethnic, "address": rec.Address,
			"phone": rec.Phone, "version": strconv.Itoa(rec.Version)} {
			v.Form.Set(f, val)
		}
	case "marriage_end":
		v.Form.Set("reason", "divorce")
	case "complication":
		v.Form.Set("grade", "")
	case "retirement":
		v.Form.Set("employer", "enterprise")
	}
	v.Data = eventData(kind, f)
	return h.render(w, http.StatusOK, "event.html", v)
}

// eventData is what the form of an event shows; the forms that end a
// marriage or cancel a certificate list the person's open ones.
func eventData(kind string, f *app.EventForm) map[string]any {
	rec := f.Person
	data := map[string]any{"Kind": kind, "Rec": rec, "Key": rec.County + "/" + rec.Ref(),
		"Categories": registry.DisabilityCategories, "Root": rec.County}
	switch kind {
	case "marriage_end":
		data["Marriages"] = f.Marriages
	case "certificate_cancel":
		data["Certificates"] = f.Certificates
	}
	return data
}

// eventFields are the form fields of each event, all of which are echoed
// back when the form has errors.
var eventFields = map[string][]string{
	"marriage":           {"spouse", "from", "cert_no"},
	"child":              {"child", "kind", "from", "in_policy", "reg_no"},
	"death":              {"death", "source"},
	"disability":         {"grade", "category", "from", "to", "cert_no"},
	"certificate":        {"kind", "number", "issued"},
	"hukou":              {"type", "from", "reason", "region"},
	"edit":               {"name", "pension", "ethnic", "address", "phone", "version"},
	"marriage_end":       {"marriage", "to", "reason"},
	"certificate_cancel": {"certificate", "cancelled", "reason"},
	"complication":       {"grade", "from", "to", "document"},
	"retirement":         {"date", "employer"},
}

// eventErrorFields renames the fields of registry errors to the form's
// (the registry names them after its own structures).
var eventErrorFields = map[string]map[string]string{
	"marriage":     {"b": "spouse", "marriage.b": "spouse", "marriage.from": "from", "marriage.a": "", "marriage": ""},
	"child":        {"child": "child", "tie.child": "child", "tie.parent": "", "tie.kind": "kind", "tie.from": "from"},
	"marriage_end": {"marriage.to": "to", "marriage.end": "reason", "marriage.from": "to", "marriage.a": "", "marriage.b": ""},
}

// eventSubmit records a life event through the use case for it.
func (h *Handler) eventSubmit(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("event")
	if !slices.Contains(eventKinds, kind) {
		return h.notFound(w, r)
	}
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "person", ID: r.PathValue("id")}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "event."+kind)
	for _, f := range eventFields[kind] {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	err = h.recordEvent(r, kind, k, v)
	if err == nil {
		redirectDone(w, r, "/persons/"+k.County+"/"+strconv.FormatInt(k.ID, 10), "event_saved")
		return nil
	}
	if app.IsRefusal(err) || !formError(v, renameFields(err, eventErrorFields[kind])) {
		return err
	}
	// The form again, with the errors next to its fields.
	f, ferr := h.app.EventForm(r.Context(), web.Actor(r), k)
	if ferr != nil {
		return ferr
	}
	v.Data = eventData(kind, f)
	return h.render(w, http.StatusUnprocessableEntity, "event.html", v)
}

// recordEvent reads the form of one event kind and makes the use-case
// call that records it. Errors in the form are returned together, before
// any call.
func (h *Handler) recordEvent(r *http.Request, kind string, k registry.Key, v *view) error {
	ctx, a := r.Context(), web.Actor(r)
	var errs apperr.List
	day := func(field string, required bool) date.Date {
		d, e := formDate(r, field, required)
		if e != nil {
			errs = append(errs, e)
		}
		return d
	}
	// relative names the person of an ID number field; the use case finds
	// them within the actor's scope.
	relative := func(field string) app.Relative {
		if v.F(field) == "" {
			errs = append(errs, invalid(field, "请填写身份证号", "the ID number is required"))
		}
		return app.Relative{IDNumber: v.F(field), Field: field}
	}
	switch kind {
	case "death":
		d := day("death", true)
		if len(errs) > 0 {
			return errs
		}
		_, err := h.app.RecordDeath(ctx, a, k, d, v.F("source"))
		return err
	case "marriage":
		from := day("from", true)
		spouse := relative("spouse")
		if len(errs) > 0 {
			return errs
		}
		_, err := h.app.AddMarriage(ctx, a, k, spouse, registry.Marriage{From: from}, v.F("cert_no"))
		return err
	case "child":
		from := day("from", false)
		child := relative("child")
		if len(errs) > 0 {
			return errs
		}
		t := registry.ParentChild{Kind: v.F("kind"), From: from}
		switch v.F("in_policy") {
		case "yes":
			t.InPolicy = new(true)
		case "no":
			t.InPolicy = new(false)
		}
		_, err := h.app.AddChild(ctx, a, k, child, t, v.F("reg_no"))
		return err
	case "disability":
		grade, e := formInt(r, "grade", 1, 4)
		if e != nil {
			errs = append(errs, e)
		}
		from, to := day("from", true), day("to", false)
		if len(errs) > 0 {
			return errs
		}
		_, err := h.app.AddDisability(ctx, a, k, registry.Disability{Grade: grade, Category: v.F("category"), From: from, To: to}, v.F("cert_no"))
		return err
	case "certificate":
		issued := day("issued", true)
		if len(errs) > 0 {
			return errs
		}
		_, err := h.app.AddCertificate(ctx, a, k, registry.Certificate{Kind: v.F("kind"), Number: v.F("number"), Issued: issued})
		return err
	case "hukou":
		from := day("from", true)
		if len(errs) > 0 {
			return errs
		}
		_, err := h.app.ChangeHukou(ctx, a, k, registry.HukouChange{Type: v.F("type"), From: from, Reason: v.F("reason"), Region: v.F("region")})
		return err
	case "edit":
		version, e := formInt(r, "version", 1, 1<<30)
		if e != nil {
			return e
		}
		p := registry.Patch{Version: version}
		for f, dst := range map[string]**string{"name": &p.Name, "pension": &p.Pension, "ethnic": &p.Ethnic, "address": &p.Address, "phone": &p.Phone} {
			val := v.F(f)
			*dst = &val
		}
		_, err := h.app.UpdatePerson(ctx, a, k, p)
		return err
	case "marriage_end":
		to := day("to", true)
		id, err := strconv.ParseInt(v.F("marriage"), 10, 64)
		if err != nil {
			errs = append(errs, invalid("marriage", "请选择要终止的婚姻", "choose the marriage that ended"))
		}
		if v.F("reason") != "divorce" && v.F("reason") != "death" {
			errs = append(errs, invalid("reason", "请选择终止原因", "choose how the marriage ended"))
		}
		if len(errs) > 0 {
			return errs
		}
		return h.app.EndMarriageOf(ctx, a, k, id, to, v.F("reason"))
	case "certificate_cancel":
		on := day("cancelled", true)
		id, err := strconv.ParseInt(v.F("certificate"), 10, 64)
		if err != nil {
			errs = append(errs, invalid("certificate", "请选择要注销的证件", "choose the certificate to cancel"))
		}
		if len(errs) > 0 {
			return errs
		}
		return h.app.CancelCertificate(ctx, a, k, id, on, v.F("reason"))
	case "complication":
		grade, e := formInt(r, "grade", 1, 3)
		if e != nil {
			errs = append(errs, e)
		}
		from, to := day("from", true), day("to", false)
		if len(errs) > 0 {
			return errs
		}
		_, err := h.app.AddComplication(ctx, a, k, registry.Complication{Grade: grade, From: from, To: to}, v.F("document"))
		return err
	case "retirement":
		d := day("date", true)
		if len(errs) > 0 {
			return errs
		}
		_, err := h.app.AddRetirement(ctx, a, k, registry.Retirement{Date: d, Employer: v.F("employer")})
		return err
	}
	return apperr.NotFoundf("未知事件", "unknown event")
}

// renameFields maps the fields of a domain error to a form's fields; a
// field mapped to "" is shown in the summary only.
func renameFields(err error, names map[string]string) error {
	if names == nil {
		return err
	}
	rename := func(e *apperr.Error) *apperr.Error {
		if n, ok := names[e.Field]; ok {
			c := *e
			c.Field = n
			return &c
		}
		return e
	}
	if list, ok := err.(apperr.List); ok {
		out := make(apperr.List, len(list))
		for i, e := range list {
			out[i] = rename(e)
		}
		return out
	}
	if e, ok := apperr.As(err); ok && e.Kind != apperr.Internal {
		return rename(e)
	}
	return err
}
