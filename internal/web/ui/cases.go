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
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// caseRow is one line of the worklist.
type caseRow struct {
	workflow.Case
	Name     string
	IDMasked string
}

// casesPage is the worklist: the open cases within the actor's scope that
// wait for the actor's role (workflow.WorklistPage), or those in one
// state, sorted by the day applied, the state or the applicant's name, a
// page at a time.
func (h *Handler) casesPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "cases.title")
	data := map[string]any{"States": workflow.States}
	v.Data = data
	var q workflow.CaseQuery
	if s := r.URL.Query().Get("state"); s != "" {
		q.States = []workflow.State{workflow.State(s)}
		v.Form.Set("state", s)
	}
	ls, err := web.SortOf(r.URL.Query(), workflow.CaseSortKeys)
	if err != nil {
		formError(v, err)
		return h.render(w, http.StatusBadRequest, "cases.html", v)
	}
	page, offset := pageOf(r)
	q.Sort, q.Desc, q.Limit, q.Offset = ls.Key, ls.Desc, pageSize, offset
	items, total, err := h.app.Worklist(r.Context(), a, q, true)
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "cases.html", v)
		}
		return err
	}
	rows := make([]caseRow, len(items))
	for i, it := range items {
		rows[i] = caseRow{Case: it.Case, Name: it.Name, IDMasked: maskedID(it.IDNumber)}
	}
	data["Rows"] = rows
	data["Pager"] = newPager(r, total, page)
	data["Sort"] = sortHeaders(r.URL.Path, r.URL.Query(), workflow.CaseSortKeys, ls)
	data["Keep"] = sortFields(ls, workflow.CaseSortKeys)
	return h.render(w, http.StatusOK, "cases.html", v)
}

func maskedID(s string) string { return idcard.Number(s).Masked() }

// caseKey reads {county}/{id} of a case from the path.
func caseKey(r *http.Request) (string, int64, error) {
	k, err := personKey(r)
	if err != nil {
		return "", 0, apperr.NotFoundf("未找到该申请，或不在您的管辖范围内", "no such case in your scope")
	}
	return k.County, k.ID, nil
}

// applyPage shows the application form for a person.
func (h *Handler) applyPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseApply, app.Target{Entity: "case"}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "apply.title")
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	if err := h.applyData(r, v, k); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "apply.html", v)
}

func (h *Handler) applyData(r *http.Request, v *view, k registry.Key) error {
	f, err := h.app.ApplyForm(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range f.Programs {
		names[p] = policy.ProgramName(p)
	}
	if v.F("hukou_type") == "" {
		v.Form.Set("hukou_type", f.Person.HukouType)
	}
	v.Data = map[string]any{"Rec": f.Person, "Key": f.Person.County + "/" + f.Person.Ref(), "Programs": f.Programs, "Names": names}
	return nil
}

// applySubmit takes an application (workflow.Apply).
func (h *Handler) applySubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseApply, app.Target{Entity: "case"}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "apply.title")
	for _, f := range []string{"program", "year", "hukou_type", "marriage", "births", "adoptions", "children", "attachments", "phone", "note", "pledge"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	var errs apperr.List
	year, e := formInt(r, "year", 2004, 2100)
	if e != nil {
		errs = append(errs, e)
	}
	children, e := formInt(r, "children", 0, 20)
	if e != nil {
		errs = append(errs, e)
	}
	in := workflow.NewApplication{County: k.County, PersonID: k.ID, Program: v.F("program"), Year: year,
		Application: workflow.Application{
			Declared: workflow.Declared{HukouType: v.F("hukou_type"), Marriage: v.F("marriage"), Births: v.F("births"),
				Adoptions: v.F("adoptions"), SurvivingChildren: children},
			Attachments: lines(r.PostFormValue("attachments")), Pledge: v.F("pledge") == "1", Phone: v.F("phone"), Note: v.F("note")}}
	var c *workflow.Case
	if len(errs) > 0 {
		err = errs
	} else {
		c, err = h.app.Apply(r.Context(), web.Actor(r), in)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.applyData(r, v, k); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "apply.html", v)
	}
	redirectDone(w, r, "/cases/"+c.County+"/"+c.Ref(), "applied")
	return nil
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// casePage shows a case (workflow.Get): the applicant, the state and the
// roles it waits for, the policy engine's decision with its clauses, every
// signed step, the notices with their objections and, for the roles the
// case waits for, the forms of the steps the procedure allows now.
func (h *Handler) casePage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "case.title")
	if err := h.caseData(r, v, county, id); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "case.html", v)
}

func (h *Handler) caseData(r *http.Request, v *view, county string, id int64) error {
	a := web.Actor(r)
	hist, err := h.app.Case(r.Context(), a, app.CaseKey{County: county, ID: id})
	if err != nil {
		return err
	}
	mine := slices.Contains(hist.Awaits, a.Role)
	var actions []string
	if mine && !a.ReadOnly() {
		for _, s := range hist.Next {
			if s == workflow.StepObjection || s == workflow.StepResolve {
				continue
			}
			actions = append(actions, string(s))
		}
	}
	var open *workflow.Notice
	for i := range hist.Notices {
		if hist.Notices[i].Status == workflow.NoticeOpen {
			open = &hist.Notices[i]
		}
	}
	today := date.Today(h.now())
	if v.F("date") == "" {
		v.Form.Set("date", today.String())
	}
	if v.F("start") == "" {
		v.Form.Set("start", today.String())
	}
	stateName, stateEN := hist.Case.Status()
	if v.Lang == "en" {
		stateName = stateEN
	}
	steps := make([]caseStep, len(hist.Steps))
	for i, s := range hist.Steps {
		name := s.Step.Chinese()
		if v.Lang == "en" {
			name = s.Step.English()
		}
		steps[i] = caseStep{StepRecord: s, Name: name, Detail: web.RedactIDs(string(s.Detail))}
	}
	v.Title = v.T["case.title"] + " #" + hist.Case.Ref()
	v.Data = map[string]any{
		"H": hist, "Key": county + "/" + hist.Case.Ref(), "State": stateName, "Steps": steps,
		"Program": policy.ProgramName(hist.Case.Program), "Actions": actions, "Open": open,
		"Facts": workflow.Facts, "Reasons": workflow.Reasons.Codes(), "Today": today,
		"Notices": noticeViews(a, hist),
	}
	return nil
}

// noticeView is a notice of a case with the objection forms the actor
// may use: recording an objection while the notice runs (any case worker),
// and resolving a pending one (the township for village and township
// notices, the county for its own). The workflow checks scope, level and
// separation of duties again.
type noticeView struct {
	workflow.Notice
	CanObject  bool
	Objections []objectionView
}

type objectionView struct {
	workflow.Objection
	CanResolve bool
}

func noticeViews(a auth.Actor, hist *workflow.History) []noticeView {
	worker := !a.ReadOnly() && (auth.Can(a, auth.PermCaseApply) || auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove))
	out := make([]noticeView, len(hist.Notices))
	for i, n := range hist.Notices {
		nv := noticeView{Notice: n, CanObject: worker && n.Status == workflow.NoticeOpen}
		resolver := auth.PermCaseReview
		if n.Level == workflow.LevelCounty {
			resolver = auth.PermCaseApprove
		}
		for _, o := range n.Objections {
			nv.Objections = append(nv.Objections, objectionView{Objection: o,
				CanResolve: !a.ReadOnly() && auth.Can(a, resolver) && o.Status == workflow.ObjectionPending && hist.Case.State == workflow.Suspended})
		}
		out[i] = nv
	}
	return out
}

type caseStep struct {
	workflow.StepRecord
	Name   string
	Detail string
}

// caseStepSubmit signs one step of a case through the workflow function
// for it; the workflow checks state, role, scope and separation of duties.
func (h *Handler) caseStepSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	step := r.PathValue("step")
	v := h.newView(w, r, "case.title")
	for k, vals := range r.PostForm {
		v.Form[k] = vals
	}
	err = h.signStep(r, v, step, app.CaseKey{County: county, ID: id})
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.caseData(r, v, county, id); derr != nil {
			return derr
		}
		v.Data.(map[string]any)["Failed"] = step
		return h.render(w, http.StatusUnprocessableEntity, "case.html", v)
	}
	redirectDone(w, r, "/cases/"+county+"/"+strconv.FormatInt(id, 10), "step_signed")
	return nil
}

// signStep reads the form of one step and makes its use-case call.
func (h *Handler) signStep(r *http.Request, v *view, step string, k app.CaseKey) error {
	ctx, a := r.Context(), web.Actor(r)
	var errs apperr.List
	day := func(field string, required bool) date.Date {
		d, e := formDate(r, field, required)
		if e != nil {
			errs = append(errs, e)
		}
		return d
	}
	var err error
	switch step {
	case "survey":
		sv := workflow.Survey{Date: day("date", true), Visited: v.F("visited") == "1", MetInPerson: v.F("met") == "1",
			Evidence: lines(v.F("evidence")), Conclusion: v.F("conclusion"), Remarks: v.F("remarks")}
		for i := 1; i <= 3; i++ {
			f := "inv" + strconv.Itoa(i)
			if s := strings.TrimSpace(v.F(f)); s != "" {
				id, perr := strconv.ParseInt(s, 10, 64)
				if perr != nil || id <= 0 {
					errs = append(errs, apperr.Invalidf(f, "请从列表中选择调查人", "pick the investigator from the list"))
					continue
				}
				sv.Investigators = append(sv.Investigators, workflow.Investigator{UserID: id})
			}
		}
		for _, f := range workflow.Facts {
			sv.Findings = append(sv.Findings, workflow.Finding{Fact: f, Result: v.F("fact_" + f)})
		}
		if len(errs) > 0 {
			return errs
		}
		_, err = h.app.Survey(ctx, a, k, sv)
		// The n-th investigator picked is select inv<n+1>.
		names := map[string]string{}
		for i := range sv.Investigators {
			names["investigators["+strconv.Itoa(i)+"].user_id"] = "inv" + strconv.Itoa(i+1)
		}
		err = renameFields(err, names)
	case "village_review":
		rv := workflow.VillageReview{Date: day("date", true), Outcome: v.F("outcome"), Opinion: v.F("opinion"), Reasons: r.PostForm["reasons"]}
		for i := 1; i <= 5; i++ {
			n := strings.TrimSpace(v.F("p" + strconv.Itoa(i)))
			role := strings.TrimSpace(v.F("prole" + strconv.Itoa(i)))
			if n != "" || role != "" {
				rv.Participants = append(rv.Participants, workflow.Participant{Name: n, Role: role})
			}
		}
		if len(errs) > 0 {
			return errs
		}
		_, err = h.app.VillageReview(ctx, a, k, rv)
	case "notice_open":
		in := workflow.NoticeInput{Start: day("start", false), End: day("end", false), Place: v.F("place")}
		if len(errs) > 0 {
			return errs
		}
		_, _, err = h.app.OpenNotice(ctx, a, k, in)
	case "notice_close":
		nid, perr := strconv.ParseInt(v.F("notice"), 10, 64)
		if perr != nil {
			return invalid("notice", "公示编号无效", "invalid notice")
		}
		_, err = h.app.CloseNotice(ctx, a, k, nid)
	case "township_review", "county_approval":
		d := workflow.Decision{Outcome: v.F("outcome"), Opinion: v.F("opinion"), Reasons: r.PostForm["reasons"],
			Doubtful: v.F("doubtful") == "1", OverrideReason: v.F("override_reason"), OverrideConfirmed: v.F("override_confirmed") == "1"}
		if step == "township_review" {
			_, err = h.app.ReviewTownship(ctx, a, k, d)
		} else {
			_, err = h.app.ApproveCounty(ctx, a, k, d)
		}
	case "withdraw":
		_, err = h.app.Withdraw(ctx, a, k, v.F("reason"))
	case "accept":
		_, err = h.app.Accept(ctx, a, k, v.F("note"))
	case "return":
		_, err = h.app.Return(ctx, a, k, v.F("reason"))
	case "objection":
		// The form of notice n names its fields obj_<name> and shows
		// their errors under obj_<name>-n.
		nid, perr := strconv.ParseInt(v.F("notice"), 10, 64)
		if perr != nil {
			return invalid("notice", "公示编号无效", "invalid notice")
		}
		sfx := "-" + v.F("notice")
		received, e := formDate(r, "obj_received", false)
		if e != nil {
			e.Field += sfx
			return e
		}
		in := workflow.ObjectionInput{Received: received, Objector: v.F("obj_objector"), Contact: v.F("obj_contact"), Content: v.F("obj_content")}
		_, _, err = h.app.Object(ctx, a, k, nid, in)
		err = renameFields(err, map[string]string{"received": "obj_received" + sfx, "content": "obj_content" + sfx})
	case "objection_resolve":
		oid, perr := strconv.ParseInt(v.F("objection"), 10, 64)
		if perr != nil {
			return invalid("objection", "异议编号无效", "invalid objection")
		}
		sfx := "-" + v.F("objection")
		res := workflow.Resolved{Outcome: v.F("res_outcome"), Note: v.F("res_note")}
		if res.Outcome == workflow.ObjectionUpheld {
			res.Decision, res.Reasons = v.F("res_decision"), r.PostForm["res_reasons"]
		}
		_, err = h.app.ResolveObjection(ctx, a, k, oid, res)
		err = renameFields(err, map[string]string{"outcome": "res_outcome" + sfx, "decision": "res_decision" + sfx,
			"reasons": "res_reasons" + sfx, "note": "res_note" + sfx})
	default:
		return apperr.NotFoundf("未知步骤 %q", "unknown step %q", step)
	}
	return err
}

// noticePrint shows one notice of a case for printing and posting: the
// applicant with the ID number masked, the program, the period and where
// to object.
func (h *Handler) noticePrint(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	nid, err := web.PathID(r, "nid")
	if err != nil {
		return err
	}
	v := h.newView(w, r, "notice.title")
	if err := h.caseData(r, v, county, id); err != nil {
		return err
	}
	hist := v.Data.(map[string]any)["H"].(*workflow.History)
	for i := range hist.Notices {
		if hist.Notices[i].ID == nid {
			v.Data.(map[string]any)["Notice"] = &hist.Notices[i]
			v.Title = v.T["notice.title"]
			return h.render(w, http.StatusOK, "notice.html", v)
		}
	}
	return apperr.NotFoundf("没有这份公示", "no such notice")
}

// overridesPage lists the reviews signed against the policy engine within
// the actor's scope, for the supervisor.
func (h *Handler) overridesPage(w http.ResponseWriter, r *http.Request) error {
	os, err := h.app.Overrides(r.Context(), web.Actor(r), 1000)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "overrides.title")
	v.Data = map[string]any{"Rows": web.Overrides(os)}
	return h.render(w, http.StatusOK, "overrides.html", v)
}
