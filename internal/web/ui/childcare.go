package ui

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The staff pages of childcare institutions (托育机构备案, docs/births.md):
// the county's page with places per 1,000 residents by township as a
// table and a chart (the townships below the target first), the filings
// and the inspections waiting for their rectification's check; the filing
// form, which also changes a filing; a filing with its changes and
// inspections, and the forms to inspect, check a rectification and close.

// placesBar is one bar of the chart of places per 1,000.
type placesBar struct {
	Name  string
	Value float64
	Y     int
	W     int // width of the bar
	Below bool
}

// placesChart is the chart drawn on the server: one bar per township and
// the target as a line.
type placesChart struct {
	Width, Height, Label, Plot int
	Bars                       []placesBar
	TargetX                    int
	Target                     float64
}

// chartOf draws the report's townships as bars against the target.
func chartOf(rep *childcare.PlacesReport) *placesChart {
	const label, plot, row = 150, 420, 22
	top := rep.Target
	for _, t := range rep.Townships {
		top = math.Max(top, t.PerThousand)
	}
	if top <= 0 {
		top = 1
	}
	top *= 1.1
	c := &placesChart{Width: label + plot + 60, Height: row*len(rep.Townships) + 30, Label: label, Plot: plot, Target: rep.Target,
		TargetX: label + int(rep.Target/top*plot)}
	for i, t := range rep.Townships {
		c.Bars = append(c.Bars, placesBar{Name: t.Name, Value: t.PerThousand, Y: 10 + i*row, W: int(t.PerThousand / top * plot), Below: t.Below})
	}
	return c
}

// childcarePage is the county's page: /childcare?county=&status=.
func (h *Handler) childcarePage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "childcare.title")
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	v.Form.Set("status", qs.Get("status"))
	rep, err := h.app.ChildcarePlaces(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	page, off := pageOf(r)
	xs, total, err := h.app.ChildcareInstitutions(r.Context(), web.Actor(r), county, childcare.Query{Status: qs.Get("status"), Limit: pageSize, Offset: off})
	if err != nil {
		return err
	}
	open, err := h.app.OpenChildcareInspections(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	p := newPager(r, total, page)
	v.Data = map[string]any{"Report": rep, "Chart": chartOf(rep), "Rows": xs, "Pager": &p, "Open": open, "County": county,
		"Statuses": childcare.Statuses}
	return h.render(w, http.StatusOK, "childcare.html", v)
}

// institutionFormData is what the filing form offers.
func institutionFormData(extra map[string]any) map[string]any {
	d := map[string]any{"Types": childcare.Types, "RegTypes": childcare.RegTypes, "Roles": childcare.StaffRoles}
	for k, x := range extra {
		d[k] = x
	}
	return d
}

// childcareNewPage is the filing form.
func (h *Handler) childcareNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermChildcareManage, app.Target{Entity: "childcare_institution"}); err != nil {
		return err
	}
	v := h.newView(w, r, "childcare_new.title")
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	v.Form.Set("county", county)
	v.Form.Set("filed", date.Today(h.now()).String())
	v.Data = institutionFormData(map[string]any{"Action": "/childcare/new"})
	return h.render(w, http.StatusOK, "childcare_new.html", v)
}

// institutionFields are the fields of the filing form.
var institutionFields = []string{"county", "name", "credit_code", "operator", "reg_type", "type", "inclusive", "places", "places_infant",
	"places_toddler", "places_older", "region", "address", "area", "outdoor_area", "fire_safety", "fire_doc", "fire_date", "staff", "filed",
	"phone", "version", "effective", "reason"}

// institutionForm reads a filing from the form; staff are one a line:
// name, role, qualification, certificate number (comma-separated).
func institutionForm(r *http.Request, v *view) (childcare.NewInstitution, apperr.List) {
	var errs apperr.List
	in := childcare.NewInstitution{Name: v.F("name"), CreditCode: v.F("credit_code"), Operator: v.F("operator"), RegType: v.F("reg_type"),
		Type: v.F("type"), Inclusive: v.F("inclusive") == "1", Region: v.F("region"), Address: v.F("address"),
		FireSafety: v.F("fire_safety") == "1", FireDoc: v.F("fire_doc"), Phone: v.F("phone")}
	num := func(f string, lo, hi int, required bool) int {
		if v.F(f) == "" && !required {
			return 0
		}
		n, e := formInt(r, f, lo, hi)
		if e != nil {
			errs = append(errs, e)
		}
		return n
	}
	in.Places = num("places", 1, childcare.MaxPlaces, true)
	in.PlacesInfant = num("places_infant", 0, childcare.MaxPlaces, false)
	in.PlacesToddler = num("places_toddler", 0, childcare.MaxPlaces, false)
	in.PlacesOlder = num("places_older", 0, childcare.MaxPlaces, false)
	in.Area = num("area", 1, 100000, true)
	in.OutdoorArea = num("outdoor_area", 0, 100000, false)
	if d, e := formDate(r, "fire_date", false); e != nil {
		errs = append(errs, e)
	} else {
		in.FireDate = d
	}
	if d, e := formDate(r, "filed", true); e != nil {
		errs = append(errs, e)
	} else {
		in.Filed = d
	}
	roles := map[string]string{}
	for _, t := range childcare.StaffRoles {
		roles[t.ZH], roles[t.EN], roles[t.Code] = t.Code, t.Code, t.Code
	}
	for i, line := range strings.Split(v.F("staff"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.FieldsFunc(line, func(c rune) bool { return c == ',' || c == '，' })
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		role, ok := roles[strings.TrimSpace(parts[1])]
		if !ok {
			errs = append(errs, invalid("staff", fmt.Sprintf("从业人员第%d行：岗位应为负责人、保育人员、卫生保健人员、炊事人员、安保人员或其他", i+1),
				fmt.Sprintf("staff line %d: the role must be director, carer, health, cook, security or other", i+1)))
		}
		in.Staff = append(in.Staff, childcare.Staff{Name: strings.TrimSpace(parts[0]), Role: role, Qualification: strings.TrimSpace(parts[2]),
			CertNo: strings.TrimSpace(parts[3])})
	}
	return in, errs
}

// staffLines writes the staff back as the form's lines.
func staffLines(st []childcare.Staff) string {
	var b strings.Builder
	for _, s := range st {
		fmt.Fprintf(&b, "%s，%s，%s，%s\n", s.Name, childcare.StaffRoles.Chinese(s.Role), s.Qualification, s.CertNo)
	}
	return b.String()
}

// childcareNewSubmit files the institution of the form.
func (h *Handler) childcareNewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county, err := app.ParseCounty("county", r.PostFormValue("county"))
	if err != nil {
		return err
	}
	if err := web.Require(h.app, r, auth.PermChildcareManage, app.Target{Entity: "childcare_institution", Region: region.Code(county)}); err != nil {
		return err
	}
	v := h.newView(w, r, "childcare_new.title")
	for _, f := range institutionFields {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	in, errs := institutionForm(r, v)
	var x *childcare.Institution
	if len(errs) == 0 {
		x, err = h.app.FileChildcare(r.Context(), web.Actor(r), v.F("county"), in)
	} else {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		v.Data = institutionFormData(map[string]any{"Action": "/childcare/new"})
		return h.render(w, http.StatusUnprocessableEntity, "childcare_new.html", v)
	}
	redirectDone(w, r, fmt.Sprintf("/childcare/%s/%d", x.County, x.ID), "childcare_filed")
	return nil
}

// childcareEditPage is the filing form filled with a filing, to change it.
func (h *Handler) childcareEditPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermChildcareManage, app.Target{Entity: "childcare_institution"}); err != nil {
		return err
	}
	v := h.newView(w, r, "childcare_edit.title")
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	f, err := h.app.ChildcareInstitution(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	x := f.Institution
	set := func(k, val string) { v.Form.Set(k, val) }
	itoa := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	b := func(ok bool) string {
		if ok {
			return "1"
		}
		return ""
	}
	set("county", x.County)
	set("name", x.Name)
	set("credit_code", x.CreditCode)
	set("operator", x.Operator)
	set("reg_type", x.RegType)
	set("type", x.Type)
	set("inclusive", b(x.Inclusive))
	set("places", itoa(x.Places))
	set("places_infant", itoa(x.PlacesInfant))
	set("places_toddler", itoa(x.PlacesToddler))
	set("places_older", itoa(x.PlacesOlder))
	set("region", x.Region)
	set("address", x.Address)
	set("area", itoa(x.Area))
	set("outdoor_area", itoa(x.OutdoorArea))
	set("fire_safety", b(x.FireSafety))
	set("fire_doc", x.FireDoc)
	if !x.FireDate.IsZero() {
		set("fire_date", x.FireDate.String())
	}
	set("staff", staffLines(x.Staff))
	set("filed", x.Filed.String())
	set("phone", x.Phone)
	set("version", strconv.Itoa(x.Version))
	set("effective", date.Today(h.now()).String())
	v.Data = institutionFormData(map[string]any{"Action": fmt.Sprintf("/childcare/%s/%d/edit", county, id), "Edit": true, "Institution": x})
	return h.render(w, http.StatusOK, "childcare_new.html", v)
}

// childcareEditSubmit records the change of a filing.
func (h *Handler) childcareEditSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermChildcareManage, app.Target{Entity: "childcare_institution"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "childcare_edit.title")
	for _, f := range institutionFields {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	v.Form.Set("county", county)
	in, errs := institutionForm(r, v)
	version, e := formInt(r, "version", 1, 1<<30)
	if e != nil {
		errs = append(errs, e)
	}
	eff, e := formDate(r, "effective", true)
	if e != nil {
		errs = append(errs, e)
	}
	if len(errs) == 0 {
		_, err = h.app.AmendChildcare(r.Context(), web.Actor(r), county, id, version, in, eff, v.F("reason"))
	} else {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		// The filing is read again, which checks that it lies within the
		// actor's scope before the form is shown.
		if _, rerr := h.app.ChildcareInstitution(r.Context(), web.Actor(r), county, id); rerr != nil {
			return rerr
		}
		v.Data = institutionFormData(map[string]any{"Action": fmt.Sprintf("/childcare/%s/%d/edit", county, id), "Edit": true})
		return h.render(w, http.StatusUnprocessableEntity, "childcare_new.html", v)
	}
	redirectDone(w, r, fmt.Sprintf("/childcare/%s/%d", county, id), "childcare_changed")
	return nil
}

// institutionPage shows a filing with its changes and inspections.
func (h *Handler) institutionPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "institution.title")
	v.Form.Set("date", date.Today(h.now()).String())
	return h.renderInstitution(w, r, v, http.StatusOK)
}

func (h *Handler) renderInstitution(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	f, err := h.app.ChildcareInstitution(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Filing": f, "X": f.Institution, "Kinds": childcare.InspectionKinds, "Grades": childcare.Grades}
	return h.render(w, status, "institution.html", v)
}

// splitNames reads a list of names separated by commas, spaces or
// Chinese enumeration commas.
func splitNames(s string) []string {
	return strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == '，' || c == '、' || c == ' ' || c == '\n' })
}

// institutionStepSubmit takes a step on a filing: inspect or close.
func (h *Handler) institutionStepSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermChildcareManage, app.Target{Entity: "childcare_institution"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "institution.title")
	for key := range r.PostForm {
		v.Form.Set(key, strings.TrimSpace(r.PostFormValue(key)))
	}
	var errs apperr.List
	day, e := formDate(r, "date", true)
	if e != nil {
		errs = append(errs, e)
	}
	step := r.PathValue("step")
	switch step {
	case "inspect":
		in := childcare.NewInspection{Date: day, Kind: v.F("kind"), Inspectors: splitNames(v.F("inspectors")), Findings: v.F("findings"),
			Grade: v.F("grade"), Rectify: v.F("rectify") == "1", Requirement: v.F("requirement")}
		if d, e := formDate(r, "deadline", false); e != nil {
			errs = append(errs, e)
		} else {
			in.Deadline = d
		}
		if len(errs) == 0 {
			_, err = h.app.InspectChildcare(r.Context(), web.Actor(r), county, id, in)
		}
	case "close":
		version, e := formInt(r, "version", 1, 1<<30)
		if e != nil {
			errs = append(errs, e)
		}
		if len(errs) == 0 {
			_, err = h.app.CloseChildcare(r.Context(), web.Actor(r), county, id, version, day, v.F("reason"))
		}
	default:
		return h.notFound(w, r)
	}
	if len(errs) > 0 {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.renderInstitution(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, fmt.Sprintf("/childcare/%s/%d", county, id), "childcare_"+step)
	return nil
}

// rectificationSubmit records the check of an inspection's rectification;
// the form comes from the institution's page, to which it returns.
func (h *Handler) rectificationSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermChildcareManage, app.Target{Entity: "childcare_inspection"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "institution.title")
	var errs apperr.List
	c := childcare.RectificationCheck{Checkers: splitNames(r.PostFormValue("checkers")), Passed: r.PostFormValue("passed") == "1",
		Note: strings.TrimSpace(r.PostFormValue("note"))}
	if d, e := formDate(r, "date", true); e != nil {
		errs = append(errs, e)
	} else {
		c.Date = d
	}
	if d, e := formDate(r, "deadline", false); e != nil {
		errs = append(errs, e)
	} else {
		c.Deadline = d
	}
	version, e := formInt(r, "version", 1, 1<<30)
	if e != nil {
		errs = append(errs, e)
	}
	var x *childcare.Inspection
	if len(errs) == 0 {
		x, err = h.app.CheckChildcareRectification(r.Context(), web.Actor(r), county, id, version, c)
	} else {
		err = errs
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		v.Data = map[string]any{"Status": http.StatusUnprocessableEntity}
		return h.render(w, http.StatusUnprocessableEntity, "error.html", v)
	}
	redirectDone(w, r, fmt.Sprintf("/childcare/%s/%d", county, x.InstitutionID), "rectification_checked")
	return nil
}
