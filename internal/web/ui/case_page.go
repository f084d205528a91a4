package ui

import (
	"net/http"
	"slices"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/escalate"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// caseKey reads {county}/{id} of a case from the path.
func caseKey(r *http.Request) (string, int64, error) {
	k, err := personKey(r)
	if err != nil {
		return "", 0, apperr.NotFoundf("未找到该申请，或不在您的管辖范围内", "no such case in your scope")
	}
	return k.County, k.ID, nil
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
	// A notice is closed once its days have run: until then the page says
	// when, instead of offering a step the procedure would refuse.
	var noticeRuns date.Date
	if open != nil && today.Before(open.End) && slices.Contains(actions, string(workflow.StepNoticeClose)) {
		actions = slices.DeleteFunc(actions, func(s string) bool { return s == string(workflow.StepNoticeClose) })
		noticeRuns = open.End
	}
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
		steps[i] = caseStep{StepRecord: s, Name: name, Rows: stepDetail(v.T, h.tree, v.Lang, []byte(web.RedactIDs(string(s.Detail))))}
	}
	docs, err := h.app.Documents(r.Context(), a, portal.EntityCase, county, id)
	if err != nil {
		return err
	}
	files, err := h.app.CaseAttachments(r.Context(), a, app.CaseKey{County: county, ID: id})
	if err != nil {
		return err
	}
	questions, err := h.app.CaseEscalations(r.Context(), a, app.CaseKey{County: county, ID: id})
	if err != nil {
		return err
	}
	var answerable []int64
	for _, q := range questions {
		if q.Open() && escalate.CanAnswer(a, q.To) {
			answerable = append(answerable, q.ID)
		}
	}
	askTo, canAsk := escalate.CanAsk(a)
	v.Title = v.T["case.title"] + " #" + hist.Case.Ref()
	v.Data = map[string]any{
		"Questions": questions, "Answerable": answerable, "CanAsk": canAsk, "AskTo": escalate.AnswerRole(askTo),
		"Files": files, "CanAttach": attach.CanAdd(a), "AttachKinds": attach.Kinds.Codes(), "Checklist": workflow.ChecklistItems.Codes(),
		"H": hist, "Key": county + "/" + hist.Case.Ref(), "State": stateName, "Steps": steps,
		"Program": policy.ProgramName(hist.Case.Program), "Actions": actions, "Open": open,
		"Facts": workflow.Facts, "Reasons": workflow.Reasons.Codes(), "Today": today,
		"Notices": noticeViews(a, hist), "NoticeRuns": noticeRuns, "Docs": docs,
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
