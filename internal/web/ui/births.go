package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The staff pages of birth registration (生育登记, docs/births.md): the
// list, the registration of a birth for a parent, the registration with
// its parity explained clause by clause, the birth record that closes it,
// its cancellation, the slip as a PDF, and the historical birth approvals
// kept on a person. The public verification of a slip is verify.go's.

// birthsPage lists the registrations in scope: /births?county=&region=&status=&year=.
func (h *Handler) birthsPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryRead, app.Target{Entity: "birth_registration"}); err != nil {
		return err
	}
	v := h.newView(w, r, "births.title")
	qs := r.URL.Query()
	for _, f := range []string{"region", "status", "year"} {
		v.Form.Set(f, qs.Get(f))
	}
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := birth.Query{Region: qs.Get("region"), Status: qs.Get("status")}
	if q.Year, err = web.QueryInt(qs, "year", 2000, 2100); err != nil {
		return err
	}
	page, off := pageOf(r)
	q.Limit, q.Offset = pageSize, off
	rs, total, err := h.app.BirthRegistrations(r.Context(), web.Actor(r), county, q)
	if err != nil {
		return err
	}
	p := newPager(r, total, page)
	v.Data = map[string]any{"Rows": rs, "Pager": &p, "Statuses": birth.Statuses, "County": county}
	return h.render(w, http.StatusOK, "births.html", v)
}

// birthNewPage is the form to register a birth for a parent:
// /births/new?county=&person= (the parent from their page).
func (h *Handler) birthNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "birth_registration"}); err != nil {
		return err
	}
	v := h.newView(w, r, "birth_new.title")
	qs := r.URL.Query()
	v.Form.Set("expecting", "1")
	if c, id := qs.Get("county"), qs.Get("person"); c != "" && id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return apperr.Invalidf("person", "人员编号无效", "invalid person id")
		}
		if err := h.prefillParents(r, v, registry.Key{County: c, ID: n}); err != nil {
			return err
		}
	}
	return h.render(w, http.StatusOK, "birth_new.html", v)
}

// prefillParents fills the form with person k and their spouse of the
// registry as the parents, k applying.
func (h *Handler) prefillParents(r *http.Request, v *view, k registry.Key) error {
	f, err := h.app.Family(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	v.Form.Set("county", k.County)
	me := strconv.FormatInt(k.ID, 10)
	names := map[string]string{}
	for _, p := range f.Persons {
		names[p.Ref] = p.Name
	}
	p := f.Person(me)
	if p == nil {
		return apperr.NotFoundf("未找到该人员", "no such person")
	}
	spouse := ""
	for _, m := range f.Marriages {
		if !m.To.IsZero() {
			continue
		}
		if m.A == me {
			spouse = m.B
		} else if m.B == me {
			spouse = m.A
		}
	}
	if p.Sex == registry.Female {
		v.Form.Set("mother_id", me)
		v.Form.Set("father_id", spouse)
		v.Form.Set("applicant", "mother")
	} else {
		v.Form.Set("father_id", me)
		v.Form.Set("mother_id", spouse)
		v.Form.Set("applicant", "father")
	}
	v.Data = map[string]any{"Names": names}
	return nil
}

// birthNewSubmit registers the birth of the form.
func (h *Handler) birthNewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "birth_registration"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "birth_new.title")
	for _, f := range []string{"county", "mother_id", "father_id", "applicant", "expected", "expecting", "phone", "note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	in, errs := registrationForm(r, v)
	var reg *birth.Registration
	var err error
	if len(errs) > 0 {
		err = errs
	} else {
		reg, err = h.app.RegisterBirth(r.Context(), web.Actor(r), in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "birth_new.html", v)
	}
	redirectDone(w, r, birthHref(reg), "birth_registered")
	return nil
}

// registrationForm reads a registration from the form v holds.
func registrationForm(r *http.Request, v *view) (birth.NewRegistration, apperr.List) {
	var errs apperr.List
	in := birth.NewRegistration{County: v.F("county"), Phone: v.F("phone"), Note: v.F("note")}
	id := func(f string) int64 {
		s := v.F(f)
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, invalid(f, "应为人口库中的人员编号", "must be a person id of the registry"))
		}
		return n
	}
	in.Mother, in.Father = id("mother_id"), id("father_id")
	if v.F("applicant") == "father" {
		in.Applicant = in.Father
	} else {
		in.Applicant = in.Mother
	}
	d, e := formDate(r, "expected", true)
	if e != nil {
		errs = append(errs, e)
	}
	in.Expected = d
	if n, e := formInt(r, "expecting", 1, birth.MaxExpecting); e != nil {
		errs = append(errs, e)
	} else {
		in.Expecting = n
	}
	return in, errs
}

// birthHref is the page of a registration.
func birthHref(reg *birth.Registration) string {
	return "/births/" + reg.County + "/" + strconv.FormatInt(reg.ID, 10)
}

// birthKeyOf reads the {county}/{id} of a registration's page.
func (h *Handler) birthKeyOf(r *http.Request) (birth.Key, error) {
	county, id, err := web.CountyKey(r, h.tree)
	return birth.Key{County: county, ID: id}, err
}

// birthPage shows a registration: the parents, the parity decision
// clause by clause, the birth, and the forms to close and cancel it.
func (h *Handler) birthPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "birth.title")
	k, err := h.birthKeyOf(r)
	if err != nil {
		return err
	}
	return h.renderBirth(w, r, v, k, http.StatusOK)
}

func (h *Handler) renderBirth(w http.ResponseWriter, r *http.Request, v *view, k birth.Key, status int) error {
	s, err := h.app.BirthSlip(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	if v.F("born") == "" {
		v.Form.Set("born", s.Registration.Expected.String())
	}
	for i := range max(s.Registration.Expecting, 1) {
		if v.F("sex"+strconv.Itoa(i)) == "" {
			v.Form.Set("sex"+strconv.Itoa(i), "")
		}
	}
	idx := make([]int, max(s.Registration.Expecting, 1))
	for i := range idx {
		idx[i] = i
	}
	docs, err := h.app.Documents(r.Context(), web.Actor(r), portal.EntityRegistration, k.County, k.ID)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Slip": s, "Reg": s.Registration, "Children": idx, "CancelReasons": birth.CancelReasons,
		"Citizen": web.Actor(r).Role == auth.RoleCitizen, "Docs": docs}
	return h.render(w, status, "birth.html", v)
}

// birthCloseSubmit records the hospital birth record typed in from the
// form, which closes the registration.
func (h *Handler) birthCloseSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "birth_registration"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	k, err := h.birthKeyOf(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "birth.title")
	for key := range r.PostForm {
		v.Form.Set(key, strings.TrimSpace(r.PostFormValue(key)))
	}
	var errs apperr.List
	version, e := formInt(r, "version", 1, 1<<30)
	if e != nil {
		errs = append(errs, e)
	}
	born, e := formDate(r, "born", true)
	if e != nil {
		errs = append(errs, e)
	}
	rec := birth.BirthRecord{Born: born, Hospital: v.F("hospital"), CertNo: v.F("cert_no"), HospitalBirth: v.F("hospital_birth") == "1", Source: birth.SourceTyped}
	n, e := formInt(r, "count", 1, birth.MaxExpecting)
	if e != nil {
		errs = append(errs, e)
	}
	for i := range n {
		s := strconv.Itoa(i)
		rec.Children = append(rec.Children, birth.NewChild{Name: v.F("name" + s), Sex: v.F("sex" + s), IDNumber: v.F("id" + s)})
	}
	if len(errs) == 0 {
		_, err = h.app.CloseBirth(r.Context(), web.Actor(r), k, version, rec)
	} else {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderBirth(w, r, v, k, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/births/"+k.County+"/"+strconv.FormatInt(k.ID, 10), "birth_closed")
	return nil
}

// birthCancelSubmit cancels a registration with a reason.
func (h *Handler) birthCancelSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	k, err := h.birthKeyOf(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "birth.title")
	for _, f := range []string{"reason", "cancel_note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	version, e := formInt(r, "version", 1, 1<<30)
	if e != nil {
		err = e
	} else {
		_, err = h.app.CancelBirth(r.Context(), web.Actor(r), k, version, v.F("reason"), v.F("cancel_note"))
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderBirth(w, r, v, k, http.StatusUnprocessableEntity)
	}
	back := "/births/"
	if web.Actor(r).Role == auth.RoleCitizen {
		back = "/self/births/"
	}
	redirectDone(w, r, back+k.County+"/"+strconv.FormatInt(k.ID, 10), "birth_cancelled")
	return nil
}

// birthSlipPDF sends the registration slip as a PDF.
func (h *Handler) birthSlipPDF(w http.ResponseWriter, r *http.Request) error {
	k, err := h.birthKeyOf(r)
	if err != nil {
		return err
	}
	s, err := h.app.BirthSlip(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	return web.ServeBirthSlip(w, r, h.cfg, s)
}

// birthApprovalsPage lists the historical birth approvals of a person,
// with the form to record one.
func (h *Handler) birthApprovalsPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "birth_approvals.title")
	return h.renderApprovals(w, r, v, http.StatusOK)
}

func (h *Handler) renderApprovals(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	k := registry.Key{County: county, ID: id}
	pf, err := h.app.Person(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	as, err := h.app.BirthApprovals(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Person": pf.Person, "Approvals": as, "Kinds": birth.ApprovalKinds}
	return h.render(w, status, "birth_approvals.html", v)
}

// birthApprovalSubmit records a historical birth approval on a person.
func (h *Handler) birthApprovalSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryWrite, app.Target{Entity: "birth_approval"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "birth_approvals.title")
	for _, f := range []string{"kind", "parity", "number", "issued", "issuer", "spouse_id", "note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	var errs apperr.List
	in := birth.Approval{Kind: v.F("kind"), Number: v.F("number"), Issuer: v.F("issuer"), Note: v.F("note")}
	if n, e := formInt(r, "parity", 1, 20); e != nil {
		errs = append(errs, e)
	} else {
		in.Parity = n
	}
	if d, e := formDate(r, "issued", true); e != nil {
		errs = append(errs, e)
	} else {
		in.Issued = d
	}
	if s := v.F("spouse_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, invalid("spouse_id", "应为人口库中的人员编号", "must be a person id of the registry"))
		}
		in.Spouse = n
	}
	if len(errs) == 0 {
		_, err = h.app.RecordBirthApproval(r.Context(), web.Actor(r), registry.Key{County: county, ID: id}, in)
	} else {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderApprovals(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/persons/"+county+"/"+strconv.FormatInt(id, 10)+"/birth-approvals", "approval_recorded")
	return nil
}

// verifyPage is the public verification of a slip, opened by its QR
// code: the number, the parity, the day and the parents' names masked.
// No one signs in for it.
func (h *Handler) verifyPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "verify.title")
	qs := r.URL.Query()
	v.Form.Set("serial", strings.TrimSpace(qs.Get("serial")))
	v.Form.Set("code", strings.TrimSpace(qs.Get("code")))
	data := map[string]any{}
	if v.F("serial") != "" || v.F("code") != "" {
		res, err := h.app.VerifyBirthSlip(r.Context(), v.F("serial"), v.F("code"))
		switch {
		case err == nil:
			data["Result"] = res
		case apperr.KindOf(err) == apperr.NotFound || apperr.KindOf(err) == apperr.Invalid:
			data["Invalid"] = true
		default:
			return err
		}
	}
	v.Data = data
	return h.render(w, http.StatusOK, "verify.html", v)
}
