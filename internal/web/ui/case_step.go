package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

type caseStep struct {
	workflow.StepRecord
	Name string
	// Rows is the step's record in words (stepDetail).
	Rows []detailRow
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
		names := map[string]string{"visited": "visited", "met_in_person": "met"}
		for i, f := range workflow.Facts {
			sv.Findings = append(sv.Findings, workflow.Finding{Fact: f, Result: v.F("fact_" + f), Note: v.F("factnote_" + f)})
			names["findings["+strconv.Itoa(i)+"].result"] = "fact_" + f
			names["findings["+strconv.Itoa(i)+"].note"] = "factnote_" + f
		}
		for _, item := range workflow.ChecklistItems.Codes() {
			v.Form.Set("chk_"+item, r.PostFormValue("chk_"+item))
			v.Form.Set("chknote_"+item, strings.TrimSpace(r.PostFormValue("chknote_"+item)))
			if v.F("chk_"+item) != "" {
				sv.Checklist = append(sv.Checklist, workflow.CheckAnswer{Item: item, Done: v.F("chk_"+item) == "1", Note: v.F("chknote_" + item)})
			}
		}
		if len(errs) > 0 {
			return errs
		}
		_, err = h.app.Survey(ctx, a, k, sv)
		// The n-th investigator picked is select inv<n+1>.
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
