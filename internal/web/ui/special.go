package ui

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The special families' pages (docs/special-families.md): the register,
// a family's file with its forms, the visit form made for a phone, the
// coverage, the requests and the changes for review; the partners' check
// and the public verification of a family certificate.

// specialCounty is the county of the actor's scope (the pages work on the
// register of the actor's own county).
func (h *Handler) specialCounty(r *http.Request) (string, error) {
	c := h.tree.County(web.Actor(r).Scope)
	if c == "" {
		c = region.Code(r.URL.Query().Get("county"))
	}
	if c.Level() != region.County {
		if err := h.app.SpecialForm(r.Context(), web.Actor(r)); err != nil {
			return "", err
		}
		return "", apperr.Invalidf("county", "请指定县", "name the county")
	}
	return string(c), nil
}

// familyPath reads {county} and {id} of a family's page.
func familyPath(r *http.Request) (string, int64, error) {
	c, err := region.ParseCode(r.PathValue("county"))
	id, ierr := web.PathID(r, "id")
	if err != nil || c.Level() != region.County || ierr != nil {
		return "", 0, apperr.NotFoundf("未找到该家庭，或不在您的管辖范围内", "no such family in your scope")
	}
	return string(c), id, nil
}

// office reports whether a keeps the register (the township or the
// county), as the domain decides.
func office(a auth.Actor) bool {
	return auth.Can(a, auth.PermSpecialCare) && a.Scope.Level() < region.Village
}

// specialPage is the register: the families of the actor's scope (a
// village account: its own), with the forms of the township and the
// county.
func (h *Handler) specialPage(w http.ResponseWriter, r *http.Request) error {
	county, err := h.specialCounty(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "sp_title")
	return h.specialList(w, r, v, county, http.StatusOK)
}

func (h *Handler) specialList(w http.ResponseWriter, r *http.Request, v *view, county string, status int) error {
	a := web.Actor(r)
	q := r.URL.Query()
	sq := special.Query{Region: q.Get("region"), Status: q.Get("status"), Category: q.Get("category"), Limit: 200}
	if sq.Status == "" {
		sq.Status = special.StatusActive
	}
	for _, k := range []string{"region", "status", "category"} {
		if !v.Form.Has(k) {
			v.Form.Set(k, q.Get(k))
		}
	}
	fs, n, err := h.app.SpecialFamilies(r.Context(), a, county, sq)
	if err != nil {
		return err
	}
	days := special.DefaultVisitDays
	s, err := h.app.SpecialSettingsOf(r.Context(), a, county)
	if err != nil {
		return err
	}
	days = s.VisitDays
	today := date.Today(h.now())
	overdue := map[int64]bool{}
	for i := range fs {
		overdue[fs[i].ID] = special.IsOverdue(&fs[i], today, days)
	}
	if !v.Form.Has("visit_days") {
		v.Form.Set("visit_days", strconv.Itoa(s.VisitDays))
		v.Form.Set("request_days", strconv.Itoa(s.RequestDays))
		v.Form["kinds"] = s.Kinds
	}
	checked := map[string]bool{}
	for _, k := range v.Form["kinds"] {
		checked[k] = true
	}
	v.Data = map[string]any{"Checked": checked, "County": county, "Families": fs, "Total": n, "Overdue": overdue, "Office": office(a),
		"CountyLevel": a.Scope == region.Code(county), "Settings": s, "Categories": special.Categories, "Kinds": special.ContactKinds,
		"Statuses": special.Statuses}
	return h.render(w, status, "special.html", v)
}

// specialSubmit takes the register's forms: sweep, new (a family kept by
// hand), handover and settings.
func (h *Handler) specialSubmit(w http.ResponseWriter, r *http.Request) error {
	county, err := h.specialCounty(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	v := h.newView(w, r, "sp_title")
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	for k, vs := range r.PostForm {
		v.Form[k] = vs
	}
	switch r.PathValue("action") {
	case "sweep":
		res, err := h.app.SweepSpecial(r.Context(), a, county)
		if err != nil {
			return err
		}
		v.Notice = fmt.Sprintf(v.T["sp_swept"], res.Checked, res.Added, res.Changes, res.Escalated)
		return h.specialList(w, r, v, county, http.StatusOK)
	case "new":
		in := special.NewFamily{IDNumber: f("id_number"), Category: f("category"), Note: f("note")}
		fam, err := h.app.AddSpecialFamily(r.Context(), a, county, in)
		if err != nil {
			if !formError(v, err) {
				return err
			}
			return h.specialList(w, r, v, county, http.StatusUnprocessableEntity)
		}
		redirectDone(w, r, fmt.Sprintf("/special/%s/%d", fam.County, fam.ID), "sp_added")
		return nil
	case "handover":
		from := special.Leaving{Username: f("from_username"), Name: f("from_name"), Phone: f("from_phone")}
		to := special.NewContact{Username: f("to_username"), Name: f("to_name"), Phone: f("to_phone")}
		cs, err := h.app.HandOverSpecial(r.Context(), a, county, from, to, f("reason"))
		if err != nil {
			if !formError(v, err) {
				return err
			}
			return h.specialList(w, r, v, county, http.StatusUnprocessableEntity)
		}
		v.Notice = fmt.Sprintf(v.T["sp_handed_over"], len(cs))
		return h.specialList(w, r, v, county, http.StatusOK)
	case "settings":
		vd, _ := strconv.Atoi(f("visit_days"))
		rd, _ := strconv.Atoi(f("request_days"))
		_, err := h.app.SetSpecialSettings(r.Context(), a, county, app.SpecialSettings{Kinds: r.PostForm["kinds"], VisitDays: vd, RequestDays: rd})
		if err != nil {
			if !formError(v, err) {
				return err
			}
			return h.specialList(w, r, v, county, http.StatusUnprocessableEntity)
		}
		redirectDone(w, r, "/special", "sp_settings_saved")
		return nil
	}
	return h.notFound(w, r)
}

// specialFamilyPage is a family's file.
func (h *Handler) specialFamilyPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := familyPath(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "sp_file_title")
	return h.specialFile(w, r, v, county, id, http.StatusOK)
}

func (h *Handler) specialFile(w http.ResponseWriter, r *http.Request, v *view, county string, id int64, status int) error {
	a := web.Actor(r)
	file, err := h.app.SpecialFamily(r.Context(), a, county, id)
	if err != nil {
		return err
	}
	v.Title = v.T["sp_file_title"] + " · " + file.Family.Name
	today := date.Today(h.now())
	if !v.Form.Has("date") {
		v.Form.Set("date", today.String())
	}
	v.Data = map[string]any{"F": file, "Key": fmt.Sprintf("%s/%d", county, id), "Office": office(a), "Kinds": special.ContactKinds,
		"Services": special.Services, "Sources": special.RequestSources, "Today": today.String(), "Relations": special.Relations}
	return h.render(w, status, "special_family.html", v)
}

// specialFamilySubmit takes the forms of a family's file: contact,
// service, request, reply, settle and close.
func (h *Handler) specialFamilySubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := familyPath(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	ctx := r.Context()
	v := h.newView(w, r, "sp_file_title")
	for k, vs := range r.PostForm {
		v.Form[k] = vs
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	day := func(k string) date.Date { d, _ := date.Parse(f(k)); return d }
	num := func(k string) int { n, _ := strconv.Atoi(f(k)); return n }
	back, done := fmt.Sprintf("/special/%s/%d", county, id), ""
	switch r.PathValue("action") {
	case "visit":
		_, err = h.app.RecordSpecialVisit(ctx, a, county, id, special.NewVisit{Date: day("date"), Mode: f("mode"), Found: f("found"),
			Help: f("help"), Requests: f("requests"), NextDue: day("next_due")})
		if err != nil {
			if !formError(v, err) {
				return err
			}
			return h.visitForm(w, r, v, county, id, http.StatusUnprocessableEntity)
		}
		done = "sp_visited"
	case "contact":
		_, err = h.app.AssignSpecialContact(ctx, a, county, id, special.NewContact{Kind: f("kind"), Username: f("username"), Name: f("name"),
			Phone: f("phone")})
		done = "sp_contact_saved"
	case "service":
		_, err = h.app.SetSpecialService(ctx, a, county, id, 0, special.Service{Kind: f("service"), Date: day("date"), By: f("by"),
			TCM: f("tcm") != ""})
		done = "sp_service_saved"
	case "request":
		_, err = h.app.RaiseSpecialRequest(ctx, a, county, id, special.NewRequest{Raised: day("date"), Source: f("source"),
			Content: f("content"), Handler: f("handler")})
		done = "sp_request_saved"
	case "reply":
		_, err = h.app.ReplySpecialRequest(ctx, a, county, int64(num("request")), num("version"), day("date"), f("reply"))
		done = "sp_request_saved"
	case "settle":
		_, err = h.app.SettleSpecialRequest(ctx, a, county, int64(num("request")), num("version"), f("satisfied"))
		done = "sp_request_saved"
	case "close":
		_, err = h.app.CloseSpecialFamily(ctx, a, county, id, num("version"), day("date"), f("reason"))
		done = "sp_closed"
	default:
		return h.notFound(w, r)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.specialFile(w, r, v, county, id, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, back, done)
	return nil
}

// visitPage is the visit form, made for a phone in the village: one
// column, the essential fields only, today filled in.
func (h *Handler) visitPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := familyPath(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "sp_visit_title")
	v.Form.Set("date", date.Today(h.now()).String())
	v.Form.Set("mode", special.ModeHome)
	return h.visitForm(w, r, v, county, id, http.StatusOK)
}

func (h *Handler) visitForm(w http.ResponseWriter, r *http.Request, v *view, county string, id int64, status int) error {
	file, err := h.app.SpecialFamily(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	v.Title = v.T["sp_visit_title"] + " · " + file.Family.Name
	v.Data = map[string]any{"F": file, "Key": fmt.Sprintf("%s/%d", county, id), "Modes": special.Modes}
	return h.render(w, status, "special_visit.html", v)
}

// coverageChart lays out the bars of the full-coverage rate by area.
type coverageChart struct {
	Width, Height int
	Bars          []coverageBar
}

type coverageBar struct {
	Label              string
	LabelY, BarY, W    int
	ValueX, TextY      int
	Value, Href, Title string
}

func newCoverageChart(c *special.Coverage, href func(string) string) coverageChart {
	const width, left, area, row = 680, 140, 440, 28
	ch := coverageChart{Width: width}
	y := 4
	for _, r := range c.Rows {
		rate := r.Rate(r.Full)
		w := int(rate * area / 100)
		ch.Bars = append(ch.Bars, coverageBar{Label: r.Name, LabelY: y + 14, BarY: y + 2, W: max(w, 1), ValueX: left + max(w, 1) + 6,
			TextY: y + 15, Value: fmt.Sprintf("%.1f%%", rate), Href: href(r.Region), Title: fmt.Sprintf("%s %d/%d", r.Name, r.Full, r.Families)})
		y += row
	}
	ch.Height = y + 4
	return ch
}

// coveragePage is the three full coverages by township (or by village of
// ?area=), with a chart and the families not yet covered.
func (h *Handler) coveragePage(w http.ResponseWriter, r *http.Request) error {
	county, err := h.specialCounty(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "sp_coverage_title")
	area := r.URL.Query().Get("area")
	c, err := h.app.SpecialCoverage(r.Context(), web.Actor(r), county, area)
	if err != nil {
		return err
	}
	chart := newCoverageChart(c, func(code string) string {
		if region.Code(code).Level() == region.Township {
			return "/special/coverage?area=" + code
		}
		return ""
	})
	v.Data = map[string]any{"C": c, "Chart": chart, "Lacks": special.Lacks, "Kinds": special.ContactKinds}
	return h.render(w, http.StatusOK, "special_coverage.html", v)
}

// specialRequestsPage lists the requests of the register by ?status=
// (open, replied, closed, overdue, escalated).
func (h *Handler) specialRequestsPage(w http.ResponseWriter, r *http.Request) error {
	county, err := h.specialCounty(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "sp_requests_title")
	status := r.URL.Query().Get("status")
	v.Form.Set("status", status)
	rs, err := h.app.SpecialRequests(r.Context(), web.Actor(r), county, status)
	if err != nil {
		return err
	}
	over, err := h.app.OverdueSpecialVisits(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Requests": rs, "Overdue": over, "Today": date.Today(h.now())}
	return h.render(w, http.StatusOK, "special_requests.html", v)
}

// specialChangesPage lists the changes found in the registry for review.
func (h *Handler) specialChangesPage(w http.ResponseWriter, r *http.Request) error {
	county, err := h.specialCounty(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "sp_changes_title")
	return h.changesList(w, r, v, county, http.StatusOK)
}

func (h *Handler) changesList(w http.ResponseWriter, r *http.Request, v *view, county string, status int) error {
	cs, err := h.app.SpecialChanges(r.Context(), web.Actor(r), county, special.ChangePending)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Changes": cs}
	return h.render(w, status, "special_changes.html", v)
}

// specialChangeSubmit reviews a change.
func (h *Handler) specialChangeSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := familyPath(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "sp_changes_title")
	decision := r.PostFormValue("decision")
	_, err = h.app.ReviewSpecialChange(r.Context(), web.Actor(r), county, id, decision == "accept" || decision == "close",
		decision == "close", strings.TrimSpace(r.PostFormValue("note")))
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.changesList(w, r, v, county, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/special/changes", "sp_reviewed")
	return nil
}

// familyCertificateSubmit issues a person's family certificate and sends
// its PDF.
func (h *Handler) familyCertificateSubmit(w http.ResponseWriter, r *http.Request) error {
	k, err := personKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	var on date.Date
	if s := strings.TrimSpace(r.PostFormValue("date")); s != "" {
		if on, err = date.Parse(s); err != nil {
			return apperr.Invalidf("date", "日期格式应为YYYY-MM-DD", "the date must be YYYY-MM-DD")
		}
	}
	p, err := h.app.IssueFamilyCertificate(r.Context(), web.Actor(r), k.County, k.ID, on)
	if err != nil {
		return err
	}
	site := web.Site(r)
	return web.ServePDF(w, "计划生育家庭证明-"+p.Certificate.Serial+".pdf", "family-certificate-"+p.Certificate.Serial+".pdf",
		func(out io.Writer) error { return printout.FamilyCertificate(out, p, site) })
}

// familyCheckPage is the partners' check: an ID number, a category and a
// day; the answer is yes or no.
func (h *Handler) familyCheckPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "fc_title")
	if err := h.app.FamilyCheckForm(r.Context(), web.Actor(r)); err != nil {
		return err
	}
	v.Form.Set("date", date.Today(h.now()).String())
	v.Data = map[string]any{"Categories": special.FamilyCategories}
	return h.render(w, http.StatusOK, "family_check.html", v)
}

// familyCheckSubmit answers the partners' check.
func (h *Handler) familyCheckSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "fc_title")
	for _, k := range []string{"id_number", "category", "date"} {
		v.Form.Set(k, strings.TrimSpace(r.PostFormValue(k)))
	}
	q := special.CheckQuery{IDNumber: v.F("id_number"), Category: v.F("category")}
	if s := v.F("date"); s != "" {
		d, err := date.Parse(s)
		if err != nil {
			return apperr.Invalidf("date", "日期格式应为YYYY-MM-DD", "the date must be YYYY-MM-DD")
		}
		q.Date = d
	}
	data := map[string]any{"Categories": special.FamilyCategories}
	ans, err := h.app.CheckFamilyCategory(r.Context(), web.Actor(r), q)
	status := http.StatusOK
	if err != nil {
		if !formError(v, err) {
			return err
		}
		status = http.StatusUnprocessableEntity
	} else {
		data["Answer"] = ans
		v.Form.Set("id_number", "")
	}
	v.Data = data
	return h.render(w, status, "family_check.html", v)
}

// verifyFamilyPage is the public verification of a family certificate by
// its number and check code.
func (h *Handler) verifyFamilyPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "vf_title")
	q := r.URL.Query()
	v.Form.Set("serial", q.Get("serial"))
	v.Form.Set("code", q.Get("code"))
	data := map[string]any{}
	if q.Get("serial") != "" || q.Get("code") != "" {
		res, err := h.app.VerifyFamilyCertificate(r.Context(), q.Get("serial"), q.Get("code"))
		switch {
		case apperr.KindOf(err) == apperr.NotFound:
			data["Invalid"] = true
		case err != nil:
			return err
		default:
			data["V"] = res
		}
	}
	v.Data = data
	return h.render(w, http.StatusOK, "verify_family.html", v)
}

// helpPage lists the lists of help of the county: the register's staff
// make them (the families ticked from the register) and a second county
// officer approves them; the finance officer pays an approved one.
func (h *Handler) helpPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "sp_help_title")
	return h.helpList(w, r, v, http.StatusOK)
}

func (h *Handler) helpList(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	a := web.Actor(r)
	county := string(h.tree.County(a.Scope))
	if county == "" {
		if err := h.app.SpecialForm(r.Context(), a); err != nil {
			return err
		}
		return apperr.Invalidf("county", "请指定县", "name the county")
	}
	ls, err := h.app.HelpLists(r.Context(), a, county)
	if err != nil {
		return err
	}
	data := map[string]any{"Lists": ls, "County": county, "Programs": policy.OneOffPrograms, "Office": office(a),
		"CountyLevel": a.Scope == region.Code(county) && auth.Can(a, auth.PermSpecialCare), "Pays": auth.Can(a, auth.PermPaymentManage)}
	if office(a) {
		fs, _, err := h.app.SpecialFamilies(r.Context(), a, county, special.Query{Status: special.StatusActive})
		if err != nil {
			return err
		}
		data["Families"] = fs
	}
	if !v.Form.Has("period") {
		v.Form.Set("period", date.Today(h.now()).String()[:7])
	}
	v.Data = data
	return h.render(w, status, "special_help.html", v)
}

// helpSubmit makes a list from the families ticked.
func (h *Handler) helpSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	v := h.newView(w, r, "sp_help_title")
	for k, vs := range r.PostForm {
		v.Form[k] = vs
	}
	var fams []int64
	for _, s := range r.PostForm["family"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			fams = append(fams, id)
		}
	}
	in := special.NewHelpList{Program: v.F("program"), Period: strings.TrimSpace(v.F("period")), Amount: strings.TrimSpace(v.F("amount")),
		Families: fams, Note: v.F("note")}
	county := string(h.tree.County(a.Scope))
	if county == "" {
		if err := h.app.SpecialForm(r.Context(), a); err != nil {
			return err
		}
		return apperr.Invalidf("county", "请指定县", "name the county")
	}
	if _, err := h.app.MakeHelpList(r.Context(), a, county, in); err != nil {
		if !formError(v, err) {
			return err
		}
		return h.helpList(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/special/help", "sp_help_made")
	return nil
}

// helpActionSubmit approves a list (a second county officer) or pays it
// (the finance officer).
func (h *Handler) helpActionSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := familyPath(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	v := h.newView(w, r, "sp_help_title")
	done := ""
	switch r.PathValue("action") {
	case "approve":
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		_, err = h.app.ApproveHelpList(r.Context(), a, county, id, version)
		done = "sp_help_approved"
	case "pay":
		var c *payment.Cycle
		if c, err = h.app.PayHelpList(r.Context(), a, county, id); err == nil {
			redirectDone(w, r, fmt.Sprintf("/payments/cycles/%s/%d", c.County, c.ID), "sp_help_paid")
			return nil
		}
	default:
		return h.notFound(w, r)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.helpList(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/special/help", done)
	return nil
}
