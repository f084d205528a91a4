package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The pages of the register of complaints, enquiries and petitions
// (docs/complaints.md): the list within the actor's scope with the
// overdue and escalated items, the form to record one taken by phone, at
// the office or by letter, an item's page with its history and the forms
// to assign, reply and close; the citizen's own page /self/complaints,
// laid out for a phone, to file one and follow its reply; and the special
// families behind the monthly report's coverage figures.

// complaintsPage is /complaints?status=&kind=.
func (h *Handler) complaintsPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "cp_title")
	q := r.URL.Query()
	return h.complaintList(w, r, v, complaint.Query{Status: q.Get("status"), Kind: q.Get("kind")}, http.StatusOK)
}

// complaintList renders the register's page with the items of cq.
func (h *Handler) complaintList(w http.ResponseWriter, r *http.Request, v *view, cq complaint.Query, status int) error {
	v.Form.Set("status", cq.Status)
	v.Form.Set("kind", cq.Kind)
	items, err := h.app.Complaints(r.Context(), web.Actor(r), cq)
	if err != nil {
		return err
	}
	data := map[string]any{"Items": items, "Today": date.Today(h.now()), "Kinds": complaint.Kinds, "Statuses": complaint.Statuses}
	if err := h.timeLimitRows(r, v, data); err != nil {
		return err
	}
	v.Data = data
	return h.render(w, status, "complaints.html", v)
}

// limitRow is a time limit in force, with its name, on the register's
// page.
type limitRow struct {
	Of, Name string
	Days     int
}

// timeLimitRows adds to data the time limits of the actor's own region,
// for a manager of rules of a county, a city or a province, who may set
// them there.
func (h *Handler) timeLimitRows(r *http.Request, v *view, data map[string]any) error {
	a := web.Actor(r)
	if !v.Can("rules.manage") || a.Scope == "" || a.Scope.Level() > region.County {
		return nil
	}
	tl, err := h.app.TimeLimits(r.Context(), a, string(a.Scope))
	if err != nil {
		return err
	}
	var rows []limitRow
	for _, k := range complaint.Kinds {
		rows = append(rows, limitRow{Of: k.Code, Name: k.Name(v.Lang), Days: tl.Complaints[k.Code]})
	}
	for _, st := range stats.StepStates {
		name := st.Chinese()
		if v.Lang == "en" {
			name = st.English()
		}
		rows = append(rows, limitRow{Of: string(st), Name: name, Days: tl.Steps[string(st)]})
	}
	data["Limits"] = rows
	return nil
}

// timeLimitSubmit sets one time limit of the actor's own region.
func (h *Handler) timeLimitSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	a := web.Actor(r)
	if _, err := h.app.SetTimeLimit(r.Context(), a, string(a.Scope), r.PostFormValue("of"), strings.TrimSpace(r.PostFormValue("days"))); err != nil {
		v := h.newView(w, r, "cp_title")
		if !formError(v, err) {
			return err
		}
		return h.complaintList(w, r, v, complaint.Query{}, http.StatusUnprocessableEntity)
	}
	http.Redirect(w, r, "/complaints?done=cp_limit_saved#cp-limits", http.StatusSeeOther)
	return nil
}

// complaintCounty is the county of the actor's scope, where staff record
// items.
func (h *Handler) complaintCounty(r *http.Request) (string, error) {
	c := h.tree.County(web.Actor(r).Scope)
	if err := h.app.ComplaintForm(r.Context(), web.Actor(r)); err != nil {
		return "", err
	}
	if c == "" || c.Level() != region.County {
		return "", apperr.Invalidf("region", "只有县、乡镇、村（社区）工作人员可以登记", "only the staff of a county, a township or a village record items")
	}
	return string(c), nil
}

// complaintNewPage is the form /complaints/new (?person=county/id or
// ?case=county/id link the person or the case concerned).
func (h *Handler) complaintNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.ComplaintForm(r.Context(), web.Actor(r)); err != nil {
		return err
	}
	v := h.newView(w, r, "cp_new_title")
	v.Form.Set("received", date.Today(h.now()).String())
	v.Form.Set("source", complaint.SourcePhone)
	v.Form.Set("kind", complaint.KindComplaint)
	for _, f := range []string{"person", "case"} {
		if s := r.URL.Query().Get(f); s != "" {
			if _, id, ok := strings.Cut(s, "/"); ok {
				v.Form.Set(f, id)
			}
		}
	}
	return h.complaintForm(w, v, http.StatusOK)
}

func (h *Handler) complaintForm(w http.ResponseWriter, v *view, status int) error {
	var sources []string
	for _, s := range complaint.Sources.Codes() {
		if s != complaint.SourceOnline {
			sources = append(sources, s)
		}
	}
	v.Data = map[string]any{"Kinds": complaint.Kinds.Codes(), "Sources": sources}
	return h.render(w, status, "complaint_new.html", v)
}

// complaintNewSubmit records the form of /complaints/new.
func (h *Handler) complaintNewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "cp_new_title")
	for _, f := range []string{"kind", "source", "received", "name", "phone", "content", "region", "person", "case", "handler", "deadline"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	county, err := h.complaintCounty(r)
	if err != nil {
		return err
	}
	var errs apperr.List
	in := complaint.New{Region: v.F("region"), Kind: v.F("kind"), Source: v.F("source"), Name: v.F("name"), Phone: v.F("phone"),
		Content: v.F("content"), Handler: v.F("handler")}
	var e *apperr.Error
	if in.Received, e = formDate(r, "received", true); e != nil {
		errs = append(errs, e)
	}
	if in.Deadline, e = formDate(r, "deadline", false); e != nil {
		errs = append(errs, e)
	}
	for _, f := range []struct {
		name string
		to   *int64
	}{{"person", &in.PersonID}, {"case", &in.CaseID}} {
		if s := v.F(f.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				errs = append(errs, invalid(f.name, "编号应为正整数", "must be a positive whole number"))
			}
			*f.to = n
		}
	}
	var it *complaint.Item
	if len(errs) > 0 {
		err = errs
	} else {
		it, err = h.app.FileComplaint(r.Context(), web.Actor(r), county, in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.complaintForm(w, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/complaints/"+it.County+"/"+strconv.FormatInt(it.ID, 10), "cp_filed")
	return nil
}

// complaintPage is an item's page /complaints/{county}/{id}.
func (h *Handler) complaintPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "cp_item_title")
	v.Form.Set("replied", date.Today(h.now()).String())
	return h.complaintItem(w, r, v, county, id, http.StatusOK)
}

func (h *Handler) complaintItem(w http.ResponseWriter, r *http.Request, v *view, county string, id int64, status int) error {
	it, err := h.app.Complaint(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	today := date.Today(h.now())
	v.Data = map[string]any{"It": it, "Overdue": it.Overdue(today), "Outcomes": complaint.Outcomes.Codes(),
		"Key": it.County + "/" + strconv.FormatInt(it.ID, 10)}
	return h.render(w, status, "complaint.html", v)
}

// complaintSubmit takes the forms of an item's page: assign, reply, close.
func (h *Handler) complaintSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "cp_item_title")
	for _, f := range []string{"handler", "reply", "replied", "outcome", "note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	who := web.Actor(r)
	var done string
	switch action := r.PathValue("action"); action {
	case "assign":
		_, err = h.app.AssignComplaint(r.Context(), who, county, id, version, v.F("handler"))
		done = "cp_assigned"
	case "reply":
		on, e := formDate(r, "replied", false)
		if e != nil {
			err = e
		} else {
			_, err = h.app.ReplyComplaint(r.Context(), who, county, id, version, on, v.F("reply"))
		}
		done = "cp_replied"
	case "close":
		_, err = h.app.CloseComplaint(r.Context(), who, county, id, version, v.F("outcome"), v.F("note"))
		done = "cp_closed"
	default:
		return apperr.NotFoundf("没有这个操作", "no such action")
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.complaintItem(w, r, v, county, id, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/complaints/"+county+"/"+strconv.FormatInt(id, 10), done)
	return nil
}

// selfComplaintsPage is the citizen's /self/complaints: the form to file
// one and what they filed, with the replies. It is laid out for a phone.
func (h *Handler) selfComplaintsPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "cp_self_title")
	v.Form.Set("kind", complaint.KindEnquiry)
	return h.selfComplaints(w, r, v, http.StatusOK)
}

func (h *Handler) selfComplaints(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	items, err := h.app.SelfComplaints(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Items": items, "Kinds": complaint.Kinds.Codes()}
	return h.render(w, status, "self_complaints.html", v)
}

// selfComplaintsSubmit files the citizen's item.
func (h *Handler) selfComplaintsSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "cp_self_title")
	for _, f := range []string{"kind", "phone", "content"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	_, err := h.app.SelfComplain(r.Context(), web.Actor(r), complaint.Online{Kind: v.F("kind"), Phone: v.F("phone"), Content: v.F("content")})
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.selfComplaints(w, r, v, http.StatusUnprocessableEntity)
	}
	redirectDone(w, r, "/self/complaints", "cp_self_filed")
	return nil
}

// reportFamiliesPage is /reports/families?region=&month=&figure=: the
// special families behind a coverage figure of the monthly report, for
// those who care for them (special.care).
func (h *Handler) reportFamiliesPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg, month, figure := q.Get("region"), q.Get("month"), q.Get("figure")
	offset, _ := strconv.Atoi(q.Get("offset"))
	rows, total, err := h.app.ReportFamilies(r.Context(), web.Actor(r), reg, month, figure, offset, 100)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "st_families_title")
	parts, unit := stats.SplitKey(figure)
	next := ""
	if offset+100 < total {
		next = "/reports/families?" + url.Values{"region": {reg}, "month": {month}, "figure": {figure}, "offset": {strconv.Itoa(offset + 100)}}.Encode()
	}
	v.Data = map[string]any{"Rows": rows, "Total": total, "Measure": v.T["st_special_"+parts[len(parts)-1]], "Unit": unit,
		"Region": reg, "Month": month, "Next": next,
		"Back": "/reports?" + url.Values{"region": {reg}, "month": {month}}.Encode()}
	return h.render(w, http.StatusOK, "report_families.html", v)
}

// overdueStep is a line of the supervision's cases past their time limit.
type overdueStep struct {
	County      string
	CaseID      int64
	Place, Step string
	Since, Due  string
	Days        int
}

// timeliness lays out the supervision's cases past their time limit and
// the time limits in force.
func (h *Handler) timeliness(s *stats.Supervision, lang string) ([]overdueStep, []string) {
	var rows []overdueStep
	for _, o := range s.Overdue {
		st := o.State.Chinese()
		if lang == "en" {
			st = o.State.English()
		}
		rows = append(rows, overdueStep{County: o.County, CaseID: o.CaseID, Place: h.tree.FullName(region.Code(o.Region)), Step: st,
			Since: o.Since.String(), Due: o.Due.String(), Days: o.Days})
	}
	var limits []string
	for _, st := range stats.StepStates {
		name := st.Chinese()
		if lang == "en" {
			name = st.English()
		}
		limits = append(limits, name+"："+strconv.Itoa(s.StepLimits[string(st)]))
	}
	return rows, limits
}
