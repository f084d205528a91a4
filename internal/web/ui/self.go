package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The citizen's self service (群众): their own record and cases, and the
// application they submit for themselves, which the village specialist
// then accepts (受理) or returns. The domain checks the permissions; the
// use-case layer audits a refusal.

// selfPage is the citizen's page /self: their cases and status, and the
// application form. It is laid out for a phone first.
func (h *Handler) selfPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "self.title")
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	if err := h.selfPageData(r, v, true); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "self.html", v)
}

// selfPageData fills the page; prefill (a new form) fills the declared
// facts from what the registry holds.
func (h *Handler) selfPageData(r *http.Request, v *view, prefill bool) error {
	sv, err := h.app.Self(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	if prefill {
		k := sv.Known
		for field, val := range map[string]string{"hukou_type": k.HukouType, "marriage": k.Marriage, "births": k.Births, "adoptions": k.Adoptions} {
			if val != "" {
				v.Form.Set(field, val)
			}
		}
		if sv.FromRegistry["surviving_children"] {
			v.Form.Set("children", strconv.Itoa(k.SurvivingChildren))
		}
	}
	progs := sv.Programs
	names := map[string]string{}
	for _, p := range progs {
		names[p] = policy.ProgramName(p)
	}
	for _, c := range sv.Cases {
		names[c.Program] = policy.ProgramName(c.Program)
	}
	from := map[string]bool{}
	for f, ok := range sv.FromRegistry {
		if f == "surviving_children" {
			f = "children"
		}
		from[f] = ok
	}
	v.Data = map[string]any{"Self": sv, "Programs": progs, "Names": names, "FromRegistry": from}
	return nil
}

// selfSubmit takes the form of /self (workflow.ApplyAsCitizen).
func (h *Handler) selfSubmit(w http.ResponseWriter, r *http.Request) error {
	// The form is sent with a photo of a document (multipart) or, from an
	// older page, without one.
	var name string
	var photo []byte
	var perr error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		var fields url.Values
		if name, photo, fields, perr = web.ReadDocument(w, r, portal.MaxDocument); fields == nil {
			fields = url.Values{}
		}
		r.PostForm, r.Form = fields, fields
	} else if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "self.title")
	for _, f := range []string{"program", "year", "hukou_type", "marriage", "births", "adoptions", "children", "attachments", "phone", "note", "pledge"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	var errs apperr.List
	// A photo chosen is checked before the application is taken: a
	// wrong file is named on the form and nothing is submitted.
	if perr == nil && len(photo) > 0 {
		_, perr = portal.Sniff("file", photo)
	}
	if perr != nil {
		e, ok := apperr.As(perr)
		if !ok {
			return perr
		}
		errs = append(errs, e)
	}
	year, e := formInt(r, "year", 2004, 2100)
	if e != nil {
		errs = append(errs, e)
	}
	children, e := formInt(r, "children", 0, 20)
	if e != nil {
		errs = append(errs, e)
	}
	in := workflow.CitizenApplication{Program: v.F("program"), Year: year,
		Application: workflow.Application{
			Declared: workflow.Declared{HukouType: v.F("hukou_type"), Marriage: v.F("marriage"), Births: v.F("births"),
				Adoptions: v.F("adoptions"), SurvivingChildren: children},
			Attachments: lines(r.PostFormValue("attachments")), Pledge: v.F("pledge") == "1", Phone: v.F("phone"), Note: v.F("note")}}
	var err error
	var c *workflow.Case
	if len(errs) > 0 {
		err = errs
	} else {
		c, err = h.app.SelfApply(r.Context(), web.Actor(r), in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.selfPageData(r, v, false); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "self.html", v)
	}
	// The photo is stored with the case; the tracking page follows the
	// application and takes more photos of its documents.
	if len(photo) > 0 {
		if _, err := h.app.AttachDocument(r.Context(), web.Actor(r), portal.EntityCase, c.County, c.ID, name, photo); err != nil {
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid {
				return err
			}
			http.Redirect(w, r, fmt.Sprintf("/self/track?done=self_submitted&upload_error=type#case-%d", c.ID), http.StatusSeeOther)
			return nil
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/self/track?done=self_submitted#case-%d", c.ID), http.StatusSeeOther)
	return nil
}
