package api

import (
	"net/http"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The JSON API of the qualification procedure (workflow): one handler per
// step, each one transaction. The domain checks state, role, scope and
// separation of duties; a refusal for lack of rights is recorded in the
// audit log here, in a transaction of its own.

// wfCaseKey parses the {county}/{id} of a case path.
func wfCaseKey(r *http.Request) (string, int64, error) {
	county, err := wfCounty(r.PathValue("county"))
	if err != nil {
		return "", 0, err
	}
	id, err := web.PathID(r, "id")
	return county, id, err
}

// wfCounty checks a six-digit county code of a path.
func wfCounty(s string) (string, error) {
	c, err := region.ParseCode(s)
	if err != nil || c.Level() != region.County {
		return "", apperr.Invalidf("county", "%q 不是县级区划代码", "%q is not a county code", s)
	}
	return string(c), nil
}

// caseKeyOf parses the {county}/{id} of a case path.
func caseKeyOf(r *http.Request) (app.CaseKey, error) {
	county, id, err := wfCaseKey(r)
	return app.CaseKey{County: county, ID: id}, err
}

// wfStep answers one step of case {county}/{id}: decode the body into T
// (when decode is set), make the one use-case call, answer with what it
// returns.
func wfStep[T any](w http.ResponseWriter, r *http.Request, decode bool, call func(k app.CaseKey, in T) (map[string]any, error)) error {
	k, err := caseKeyOf(r)
	if err != nil {
		return err
	}
	var body T
	if decode {
		if err := web.DecodeJSON(w, r, &body); err != nil {
			return err
		}
	}
	out, err := call(k, body)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// applyCase takes an application: POST /api/v1/cases.
func (h *Handler) applyCase(w http.ResponseWriter, r *http.Request) error {
	var in workflow.NewApplication
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.Apply(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"case": c})
	return nil
}

// listCases is the worklist: GET /api/v1/cases?state=a,b&region=&sort=&order=&limit=&offset=.
func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	q := workflow.CaseQuery{Region: qs.Get("region"), Program: qs.Get("program"), Limit: 500}
	var err error
	if q.Who, err = registry.ParseWho("q", qs.Get("q")); err != nil {
		return err
	}
	for _, s := range strings.Split(qs.Get("state"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			q.States = append(q.States, workflow.State(s))
		}
	}
	order, err := web.SortOf(qs, workflow.CaseSortKeys)
	if err != nil {
		return err
	}
	q.Sort, q.Desc = order.Key, order.Desc
	if q.Limit, q.Offset, err = web.LimitOffset(qs, 500, 5000); err != nil {
		return err
	}
	items, total, err := h.app.Worklist(r.Context(), web.Actor(r), q, true)
	if err != nil {
		return err
	}
	cases := make([]workflow.Case, len(items))
	for i, it := range items {
		cases[i] = it.Case
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"cases": cases, "total": total, "limit": q.Limit, "offset": q.Offset,
		"sort": order.Key, "order": order.Order()})
	return nil
}

// getCase returns a case with its whole history and its audit entries.
func (h *Handler) getCase(w http.ResponseWriter, r *http.Request) error {
	k, err := caseKeyOf(r)
	if err != nil {
		return err
	}
	hist, err := h.app.Case(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, hist)
	return nil
}

func (h *Handler) surveyCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in workflow.Survey) (map[string]any, error) {
		c, err := h.app.Survey(r.Context(), web.Actor(r), k, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) villageReviewCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in workflow.VillageReview) (map[string]any, error) {
		c, err := h.app.VillageReview(r.Context(), web.Actor(r), k, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) openCaseNotice(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in workflow.NoticeInput) (map[string]any, error) {
		c, n, err := h.app.OpenNotice(r.Context(), web.Actor(r), k, in)
		return map[string]any{"case": c, "notice": n}, err
	})
}

func (h *Handler) objectCaseNotice(w http.ResponseWriter, r *http.Request) error {
	nid, err := web.PathID(r, "n")
	if err != nil {
		return err
	}
	return wfStep(w, r, true, func(k app.CaseKey, in workflow.ObjectionInput) (map[string]any, error) {
		c, o, err := h.app.Object(r.Context(), web.Actor(r), k, nid, in)
		return map[string]any{"case": c, "objection": o}, err
	})
}

func (h *Handler) closeCaseNotice(w http.ResponseWriter, r *http.Request) error {
	nid, err := web.PathID(r, "n")
	if err != nil {
		return err
	}
	return wfStep(w, r, false, func(k app.CaseKey, _ struct{}) (map[string]any, error) {
		c, err := h.app.CloseNotice(r.Context(), web.Actor(r), k, nid)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) resolveCaseObjection(w http.ResponseWriter, r *http.Request) error {
	oid, err := web.PathID(r, "o")
	if err != nil {
		return err
	}
	return wfStep(w, r, true, func(k app.CaseKey, in workflow.Resolved) (map[string]any, error) {
		c, err := h.app.ResolveObjection(r.Context(), web.Actor(r), k, oid, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) townshipReviewCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in workflow.Decision) (map[string]any, error) {
		c, err := h.app.ReviewTownship(r.Context(), web.Actor(r), k, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) countyApproveCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in workflow.Decision) (map[string]any, error) {
		ap, err := h.app.ApproveCounty(r.Context(), web.Actor(r), k, in)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"case": ap.Case}
		if ap.Recipient != nil {
			out["recipient"] = ap.Recipient
		}
		return out, nil
	})
}

type wfWithdrawal struct {
	Reason string `json:"reason"`
}

func (h *Handler) withdrawCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in wfWithdrawal) (map[string]any, error) {
		c, err := h.app.Withdraw(r.Context(), web.Actor(r), k, in.Reason)
		return map[string]any{"case": c}, err
	})
}

// caseDocument renders a printable document of a case, as a
// self-contained HTML page or with ?format=pdf as PDF:
// GET /api/v1/cases/{county}/{id}/documents/{kind}?level=&format=.
func (h *Handler) caseDocument(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	return web.ServeCaseDocument(h.app, w, r, app.CaseKey{County: county, ID: id}, r.PathValue("kind"))
}

// noticeLists is GET /api/v1/notice-lists?region=&level=&day=: the public
// notice lists of a level posted on a day within a division, as one PDF.
func (h *Handler) noticeLists(w http.ResponseWriter, r *http.Request) error {
	return web.ServeNoticeLists(h.app, h.tree, w, r)
}

// listRoll lists the recipient roll:
// GET /api/v1/roll?region=&program=&status=&sort=&order=&limit=&offset=.
func (h *Handler) listRoll(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rq := roll.Query{Region: q.Get("region"), Program: q.Get("program"), Status: q.Get("status")}
	var err error
	if rq.Who, err = registry.ParseWho("q", q.Get("q")); err != nil {
		return err
	}
	order, err := web.SortOf(q, roll.SortKeys)
	if err != nil {
		return err
	}
	rq.Sort, rq.Desc = order.Key, order.Desc
	if rq.Limit, rq.Offset, err = web.LimitOffset(q, 1000, 5000); err != nil {
		return err
	}
	entries, err := h.app.Roll(r.Context(), web.Actor(r), rq)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"recipients": entries, "limit": rq.Limit, "offset": rq.Offset,
		"sort": order.Key, "order": order.Order()})
	return nil
}

type wfAnnualReviewInput struct {
	Region string `json:"region"`
	Year   int    `json:"year"`
}

// runAnnualReview runs the annual review of a region: POST /api/v1/annual-review.
func (h *Handler) runAnnualReview(w http.ResponseWriter, r *http.Request) error {
	var in wfAnnualReviewInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ar, err := h.app.AnnualReview(r.Context(), web.Actor(r), in.Region, in.Year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, ar)
	return nil
}

// applyPersonEvent works out what a registry event of a person changes on
// the roll: POST /api/v1/persons/{county}/{id}/events.
func (h *Handler) applyPersonEvent(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	var ev workflow.Event
	if err := web.DecodeJSON(w, r, &ev); err != nil {
		return err
	}
	res, err := h.app.ApplyEvent(r.Context(), web.Actor(r), registry.Key{County: county, ID: id}, ev)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// listOverrides is the supervisor's list: GET /api/v1/overrides.
func (h *Handler) listOverrides(w http.ResponseWriter, r *http.Request) error {
	limit, _, err := web.LimitOffset(r.URL.Query(), 1000, 1000)
	if err != nil {
		return err
	}
	os, err := h.app.Overrides(r.Context(), web.Actor(r), limit)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"overrides": web.Overrides(os)})
	return nil
}
