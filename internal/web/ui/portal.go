package ui

import (
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The citizen portal (群众端, docs/ui.md): pages under /self laid out for a
// phone first, in large type, for a parent who may be elderly: my family
// as the registry has it and a report of an error in it; "may I
// qualify?" for every program in plain words; birth registration and the
// childcare subsidy applied for online; every application followed with
// its steps and dates, with photos of documents added from the phone; my
// payments by year and my letters as PDF. The reward programs' own form
// is /self (self.go).

// portalView starts a portal page: it needs the citizen's own record.
// An upload that was refused comes back with ?upload_error=, which names
// one of the page's own messages.
func (h *Handler) portalView(w http.ResponseWriter, r *http.Request, title string) (*view, error) {
	if err := web.Require(h.app, r, auth.PermSelfService, app.Target{Entity: "person"}); err != nil {
		return nil, err
	}
	v := h.newView(w, r, title)
	if code := r.URL.Query().Get("upload_error"); code != "" {
		if msg, ok := v.T["upload_error."+code]; ok {
			v.Problems = append(v.Problems, msg)
		}
	}
	return v, nil
}

// selfFamilyPage shows the citizen's family as the registry has it, with
// the form to report an error.
func (h *Handler) selfFamilyPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.portalView(w, r, "self_family.title")
	if err != nil {
		return err
	}
	return h.renderSelfFamily(w, r, v, http.StatusOK)
}

func (h *Handler) renderSelfFamily(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	f, err := h.app.SelfFamily(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	rels := f.Relatives()
	v.Data = map[string]any{"Me": f.Me, "Relatives": rels, "Reports": f.Reports}
	return h.render(w, status, "self_family.html", v)
}

// selfFamilySubmit takes a report of an error in the family's record.
func (h *Handler) selfFamilySubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v, err := h.portalView(w, r, "self_family.title")
	if err != nil {
		return err
	}
	v.Form.Set("text", strings.TrimSpace(r.PostFormValue("text")))
	v.Form.Set("phone", strings.TrimSpace(r.PostFormValue("phone")))
	if _, err := h.app.ReportFamilyError(r.Context(), web.Actor(r), v.F("text"), v.F("phone")); err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderSelfFamily(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/self/family", "family_reported")
	return nil
}

// selfQualifyPage answers "may I qualify?" for every program.
func (h *Handler) selfQualifyPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.portalView(w, r, "self_qualify.title")
	if err != nil {
		return err
	}
	q, err := h.app.SelfQualify(r.Context(), web.Actor(r), v.Lang)
	if err != nil {
		return err
	}
	v.Data = q
	return h.render(w, http.StatusOK, "self_qualify.html", v)
}

// selfBirthPage is the online birth registration: the citizen and their
// spouse as the parents.
func (h *Handler) selfBirthPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.portalView(w, r, "self_birth.title")
	if err != nil {
		return err
	}
	v.Form.Set("expecting", "1")
	return h.renderSelfBirth(w, r, v, http.StatusOK)
}

func (h *Handler) renderSelfBirth(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	f, err := h.app.SelfFamily(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	spouse := f.Spouse()
	v.Data = map[string]any{"Me": f.Me, "Spouse": spouse}
	return h.render(w, status, "self_birth.html", v)
}

// selfBirthSubmit registers the citizen's birth online.
func (h *Handler) selfBirthSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v, err := h.portalView(w, r, "self_birth.title")
	if err != nil {
		return err
	}
	for _, f := range []string{"spouse", "expected", "expecting", "phone", "note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	a := web.Actor(r)
	f, err := h.app.SelfFamily(r.Context(), a)
	if err != nil {
		return err
	}
	in := birth.NewRegistration{County: a.PersonCounty, Applicant: a.PersonID, Phone: v.F("phone"), Note: v.F("note")}
	var spouse int64
	if s := v.F("spouse"); s != "" {
		spouse, _ = strconv.ParseInt(s, 10, 64)
	}
	if f.Me.Sex == registry.Female {
		in.Mother, in.Father = a.PersonID, spouse
	} else {
		in.Father, in.Mother = a.PersonID, spouse
	}
	var errs apperr.List
	if d, e := formDate(r, "expected", true); e != nil {
		errs = append(errs, e)
	} else {
		in.Expected = d
	}
	if n, e := formInt(r, "expecting", 1, birth.MaxExpecting); e != nil {
		errs = append(errs, e)
	} else {
		in.Expecting = n
	}
	var reg *birth.Registration
	if len(errs) == 0 {
		reg, err = h.app.RegisterBirth(r.Context(), a, in)
	} else {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderSelfBirth(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, fmt.Sprintf("/self/births/%s/%d", reg.County, reg.ID), "birth_registered")
	return nil
}

// selfBirthView shows the citizen's registration: the parity explained,
// the slip to download, the photos of documents.
func (h *Handler) selfBirthView(w http.ResponseWriter, r *http.Request) error {
	v, err := h.portalView(w, r, "self_birth_view.title")
	if err != nil {
		return err
	}
	k, err := h.birthKeyOf(r)
	if err != nil {
		return err
	}
	s, err := h.app.BirthSlip(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	docs, err := h.app.Documents(r.Context(), web.Actor(r), portal.EntityRegistration, k.County, k.ID)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Slip": s, "Reg": s.Registration, "Docs": docs, "Entity": portal.EntityRegistration, "CancelReasons": birth.CancelReasons}
	return h.render(w, http.StatusOK, "self_birth_view.html", v)
}

// selfSubsidyPage lists the citizen's children under three with what the
// rules decide of this year's subsidy, and the form to apply.
func (h *Handler) selfSubsidyPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.portalView(w, r, "self_subsidy.title")
	if err != nil {
		return err
	}
	return h.renderSelfSubsidy(w, r, v, http.StatusOK)
}

func (h *Handler) renderSelfSubsidy(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	q, err := h.app.SelfQualify(r.Context(), web.Actor(r), v.Lang)
	if err != nil {
		return err
	}
	v.Data = q
	return h.render(w, status, "self_subsidy.html", v)
}

// selfSubsidySubmit applies for the subsidy of a child.
func (h *Handler) selfSubsidySubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v, err := h.portalView(w, r, "self_subsidy.title")
	if err != nil {
		return err
	}
	for _, f := range []string{"child", "year", "phone"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	a := web.Actor(r)
	f, err := h.app.SelfFamily(r.Context(), a)
	if err != nil {
		return err
	}
	relation := birth.RelationFather
	if f.Me.Sex == registry.Female {
		relation = birth.RelationMother
	}
	child, _ := strconv.ParseInt(v.F("child"), 10, 64)
	in := birth.NewClaim{County: a.PersonCounty, Child: child, Applicant: a.PersonID, Relation: relation, Phone: v.F("phone")}
	if y, e := formInt(r, "year", 2025, 2100); e != nil {
		err = e
	} else {
		in.Year = y
		var c *birth.Claim
		if c, err = h.app.ApplySubsidy(r.Context(), a, in); err == nil {
			redirectDone(w, r, fmt.Sprintf("/self/track#claim-%d", c.ID), "claim_applied")
			return nil
		}
	}
	if !formError(v, err) {
		return err
	}
	return h.renderSelfSubsidy(w, r, v, http.StatusUnprocessableEntity)
}

// trackItem is one application of the citizen with its steps.
type trackItem struct {
	Anchor, Title, Status string
	Steps                 []trackStep
	Entity, County        string
	ID                    int64
	Docs                  []portal.Document
	Link                  string
}

type trackStep struct {
	Label string
	Date  date.Date
	Done  bool
}

// selfTrackPage follows every application of the citizen: the reward
// programs' cases, birth registrations and subsidy claims, each with its
// steps and their dates, and the photos of documents stored with it.
func (h *Handler) selfTrackPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.portalView(w, r, "self_track.title")
	if err != nil {
		return err
	}
	a := web.Actor(r)
	ctx := r.Context()
	t := v.T
	var items []trackItem
	sv, err := h.app.Self(ctx, a)
	if err != nil {
		return err
	}
	steps, err := h.app.SelfCaseSteps(ctx, a)
	if err != nil {
		return err
	}
	for _, c := range sv.Cases {
		it := trackItem{Anchor: fmt.Sprintf("case-%d", c.ID), Title: fmt.Sprintf("%s · %d", programName(c.Program, v.Lang), c.Year),
			Status: c.StatusZH, Entity: portal.EntityCase, County: c.County, ID: c.ID}
		if v.Lang == "en" {
			it.Status = c.StatusEN
		}
		it.Steps = []trackStep{{Label: t["track_submitted"], Date: c.Submitted, Done: true}}
		// Each signed step, by the office that signed it.
		for _, s := range steps[c.ID] {
			name := s.Step.Chinese()
			if v.Lang == "en" {
				name = s.Step.English()
			}
			office := "（" + t["role."+string(s.Role)] + "）"
			if v.Lang == "en" {
				office = " (" + t["role."+string(s.Role)] + ")"
			}
			it.Steps = append(it.Steps, trackStep{Label: name + office, Date: s.On, Done: true})
		}
		items = append(items, it)
	}
	regs, _, err := h.app.BirthRegistrations(ctx, a, a.PersonCounty, birth.Query{Limit: 50})
	if err != nil {
		return err
	}
	for _, g := range regs {
		it := trackItem{Anchor: fmt.Sprintf("birth-%d", g.ID), Title: t["track_birth"] + " " + g.Serial, Status: birth.Statuses.Name(g.Status, v.Lang),
			Entity: portal.EntityRegistration, County: g.County, ID: g.ID, Link: fmt.Sprintf("/self/births/%s/%d", g.County, g.ID)}
		it.Steps = []trackStep{{Label: t["track_registered"], Date: g.Registered, Done: true},
			{Label: t["track_born"], Date: g.Born, Done: g.Status == birth.StatusClosed}}
		if g.Status == birth.StatusCancelled {
			it.Steps[1] = trackStep{Label: t["birth_cancelled"], Date: g.Cancelled, Done: true}
		}
		items = append(items, it)
	}
	claims, _, err := h.app.SubsidyClaims(ctx, a, a.PersonCounty, birth.ClaimQuery{Limit: 50})
	if err != nil {
		return err
	}
	for _, c := range claims {
		it := trackItem{Anchor: fmt.Sprintf("claim-%d", c.ID), Title: fmt.Sprintf("%s · %d", t["track_subsidy"], c.Year),
			Status: birth.ClaimStatuses.Name(c.Status, v.Lang), Entity: portal.EntityClaim, County: c.County, ID: c.ID}
		it.Steps = []trackStep{{Label: t["track_submitted"], Date: c.Filed, Done: true},
			{Label: t["subsidy_checked"], Date: c.Checked, Done: !c.Checked.IsZero()},
			{Label: t["subsidy_decided"], Date: c.Decided, Done: !c.Decided.IsZero()}}
		items = append(items, it)
	}
	for i := range items {
		if items[i].Docs, err = h.app.Documents(ctx, a, items[i].Entity, items[i].County, items[i].ID); err != nil {
			return err
		}
	}
	v.Data = map[string]any{"Items": items, "Max": portal.MaxDocument >> 20}
	return h.render(w, http.StatusOK, "self_track.html", v)
}

// programName names a program in lang.
func programName(code, lang string) string {
	return policy.BuiltinPrograms().Name(code, lang)
}

// withQuery is the separator and query to add to path p.
func withQuery(p, q string) string {
	if strings.Contains(p, "?") {
		return "&" + q
	}
	return "?" + q
}

// extOf is the extension of a file name.
func extOf(name string) string { return path.Ext(name) }

// documentSubmit stores a photo or scan uploaded with an application:
// POST /documents/{entity}/{county}/{id} (multipart, the part "file").
// It returns to the page named by the form's "back" (a path of the site).
func (h *Handler) documentSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	entity := r.PathValue("entity")
	// Who may store a document with it is checked (and a refusal
	// audited) before any byte of the file is read.
	if err := h.app.CheckAttach(r.Context(), web.Actor(r), entity, county, id); err != nil {
		return err
	}
	name, data, fields, rerr := web.ReadDocument(w, r, portal.MaxDocument)
	if rerr == nil {
		_, err = h.app.AttachDocument(r.Context(), web.Actor(r), entity, county, id, name, data)
	} else {
		err = rerr
	}
	back := ""
	if fields != nil {
		back = fields.Get("back")
	}
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		back = "/self/track"
	}
	anchor := ""
	if i := strings.IndexByte(back, '#'); i >= 0 {
		back, anchor = back[:i], back[i:]
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
			// The page names what was wrong by a key of its own
			// messages, so that no text of the address is shown.
			code := "type"
			switch _, serr := portal.Sniff("file", data); {
			case rerr != nil || len(data) > portal.MaxDocument:
				code = "size"
			case len(data) == 0:
				code = "empty"
			case serr == nil:
				code = "count"
			}
			http.Redirect(w, r, back+withQuery(back, "upload_error="+code)+anchor, http.StatusSeeOther)
			return nil
		}
		return err
	}
	http.Redirect(w, r, back+withQuery(back, "done=document_uploaded")+anchor, http.StatusSeeOther)
	return nil
}

// documentPage sends a stored document: GET /documents/{entity}/{county}/{id}/{doc}.
func (h *Handler) documentPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	doc, err := web.PathID(r, "doc")
	if err != nil {
		return err
	}
	d, err := h.app.Document(r.Context(), web.Actor(r), r.PathValue("entity"), county, id, doc)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", d.Type)
	w.Header().Set("Content-Disposition", web.Attachment(d.Name, fmt.Sprintf("document-%d%s", d.ID, extOf(d.Name))))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	_, err = w.Write(d.Data)
	return err
}

// selfPaymentsPage shows the citizen's payments by year, with their
// letters.
func (h *Handler) selfPaymentsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.portalView(w, r, "self_payments.title")
	if err != nil {
		return err
	}
	p, err := h.app.SelfPayments(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	v.Data = p
	return h.render(w, http.StatusOK, "self_payments.html", v)
}

// selfLetterPDF sends the citizen's notification letter of a cycle as a
// PDF: GET /self/letters/{county}/{id}/{person}.
func (h *Handler) selfLetterPDF(w http.ResponseWriter, r *http.Request) error {
	return web.ServeSelfLetter(w, r, h.app, h.tree)
}

// familyReportsPage is the village's task list of the citizens' reports of
// errors in their families: /family-reports?status=.
func (h *Handler) familyReportsPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermRegistryRead, app.Target{Entity: "family_report"}); err != nil {
		return err
	}
	v := h.newView(w, r, "family_reports.title")
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status == "" {
		status = portal.ReportOpen
	}
	v.Form.Set("status", status)
	rs, err := h.app.FamilyReports(r.Context(), web.Actor(r), county, status)
	if err != nil {
		return err
	}
	ids := map[int64]bool{}
	for _, x := range rs {
		ids[x.Person] = true
	}
	v.Data = map[string]any{"Rows": rs, "Names": h.personNames(r, county, ids), "Statuses": portal.ReportStatuses}
	return h.render(w, http.StatusOK, "family_reports.html", v)
}

// familyReportSubmit records that a report is dealt with.
func (h *Handler) familyReportSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	version, e := formInt(r, "version", 1, 1<<30)
	if e != nil {
		return e
	}
	if _, err := h.app.ResolveFamilyReport(r.Context(), web.Actor(r), county, id, version, r.PostFormValue("note")); err != nil {
		return err
	}
	redirectDone(w, r, "/family-reports", "report_resolved")
	return nil
}
