package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
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
	id, err := pathID(r, "id")
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

// wfDenied audits a Forbidden error of a domain call and returns err.
func (h *Handler) wfDenied(r *http.Request, err error, t target) error {
	if apperr.KindOf(err) != apperr.Forbidden {
		return err
	}
	return h.deny(r, actor(r), t, err)
}

func wfTarget(county string, id int64) target {
	return target{Entity: "case", EntityID: strconv.FormatInt(id, 10), Region: region.Code(county)}
}

// wfStep runs one step of case {county}/{id}: decode the body (when
// decode is set), run fn in one transaction with the policy engine, and
// answer with the case (and whatever else fn returns).
func wfStep[T any](h *Handler, w http.ResponseWriter, r *http.Request, decode bool,
	fn func(ctx context.Context, tx *store.Tx, eng workflow.Engine, a auth.Actor, county string, id int64, in T) (map[string]any, error)) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	var body T
	if decode {
		if err := decodeJSON(w, r, &body); err != nil {
			return err
		}
	}
	var out map[string]any
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		eng, err := h.engine(r.Context(), tx)
		if err != nil {
			return err
		}
		out, err = fn(r.Context(), tx, eng, actor(r), county, id, body)
		return err
	})
	if err != nil {
		return h.wfDenied(r, err, wfTarget(county, id))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// applyCase takes an application: POST /api/v1/cases.
func (h *Handler) applyCase(w http.ResponseWriter, r *http.Request) error {
	var in workflow.NewApplication
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	county, err := wfCounty(in.County)
	if err != nil {
		return err
	}
	in.County = county
	var c *workflow.Case
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		eng, err := h.engine(r.Context(), tx)
		if err != nil {
			return err
		}
		c, err = workflow.Apply(r.Context(), tx, eng, actor(r), in)
		return err
	})
	if err != nil {
		return h.wfDenied(r, err, target{Entity: "case", Region: region.Code(county)})
	}
	writeJSON(w, http.StatusCreated, map[string]any{"case": c})
	return nil
}

// listCases is the worklist: GET /api/v1/cases?state=a,b&region=&sort=&order=&limit=&offset=.
func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	q := workflow.CaseQuery{Region: qs.Get("region"), Limit: 500}
	for _, s := range strings.Split(qs.Get("state"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			q.States = append(q.States, workflow.State(s))
		}
	}
	order, err := sortOf(qs, workflow.CaseSortKeys)
	if err != nil {
		return err
	}
	q.Sort, q.Desc = order.Key, order.Desc
	if q.Limit, q.Offset, err = limitOffset(qs, 500, 5000); err != nil {
		return err
	}
	var cases []workflow.Case
	var total int
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		cases, total, err = workflow.WorklistPage(r.Context(), tx, actor(r), q, true)
		return err
	})
	if err != nil {
		return h.wfDenied(r, err, target{Entity: "case"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": cases, "total": total, "limit": q.Limit, "offset": q.Offset,
		"sort": order.Key, "order": order.name()})
	return nil
}

// getCase returns a case with its whole history and its audit entries.
func (h *Handler) getCase(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	var hist *workflow.History
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		if hist, err = workflow.Get(r.Context(), tx, actor(r), county, id); err != nil {
			return err
		}
		entries, err := tx.AuditEntries(r.Context(), actor(r).Scope, store.AuditFilter{County: county, Entity: "case", EntityID: strconv.FormatInt(id, 10), Limit: 1000})
		if err != nil {
			return err
		}
		// Oldest first, like the steps.
		hist.Audit = make([]audit.Entry, 0, len(entries))
		for i := len(entries) - 1; i >= 0; i-- {
			hist.Audit = append(hist.Audit, entries[i])
		}
		return nil
	})
	if err != nil {
		return h.wfDenied(r, err, wfTarget(county, id))
	}
	writeJSON(w, http.StatusOK, hist)
	return nil
}

func (h *Handler) surveyCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in workflow.Survey) (map[string]any, error) {
		c, err := workflow.RecordSurvey(ctx, tx, a, county, id, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) villageReviewCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in workflow.VillageReview) (map[string]any, error) {
		c, err := workflow.RecordVillageReview(ctx, tx, a, county, id, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) openCaseNotice(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in workflow.NoticeInput) (map[string]any, error) {
		c, n, err := workflow.OpenNotice(ctx, tx, a, county, id, in)
		return map[string]any{"case": c, "notice": n}, err
	})
}

func (h *Handler) objectCaseNotice(w http.ResponseWriter, r *http.Request) error {
	nid, err := pathID(r, "n")
	if err != nil {
		return err
	}
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in workflow.ObjectionInput) (map[string]any, error) {
		c, o, err := workflow.RecordObjection(ctx, tx, a, county, id, nid, in)
		return map[string]any{"case": c, "objection": o}, err
	})
}

func (h *Handler) closeCaseNotice(w http.ResponseWriter, r *http.Request) error {
	nid, err := pathID(r, "n")
	if err != nil {
		return err
	}
	return wfStep(h, w, r, false, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, _ struct{}) (map[string]any, error) {
		c, err := workflow.CloseNotice(ctx, tx, a, county, id, nid)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) resolveCaseObjection(w http.ResponseWriter, r *http.Request) error {
	oid, err := pathID(r, "o")
	if err != nil {
		return err
	}
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in workflow.Resolved) (map[string]any, error) {
		c, err := workflow.ResolveObjection(ctx, tx, a, county, id, oid, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) townshipReviewCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, eng workflow.Engine, a auth.Actor, county string, id int64, in workflow.Decision) (map[string]any, error) {
		c, err := workflow.ReviewTownship(ctx, tx, eng, a, county, id, in)
		return map[string]any{"case": c}, err
	})
}

func (h *Handler) countyApproveCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, eng workflow.Engine, a auth.Actor, county string, id int64, in workflow.Decision) (map[string]any, error) {
		c, err := workflow.ApproveCounty(ctx, tx, eng, a, county, id, in)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"case": c}
		if c.RecipientID != 0 {
			rec, err := tx.Recipient(ctx, "", county, c.RecipientID)
			if err != nil {
				return nil, err
			}
			out["recipient"] = rec
		}
		return out, nil
	})
}

type wfWithdrawal struct {
	Reason string `json:"reason"`
}

func (h *Handler) withdrawCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(h, w, r, true, func(ctx context.Context, tx *store.Tx, _ workflow.Engine, a auth.Actor, county string, id int64, in wfWithdrawal) (map[string]any, error) {
		c, err := workflow.Withdraw(ctx, tx, a, county, id, in.Reason)
		return map[string]any{"case": c}, err
	})
}

// caseDocument renders a printable document of a case as HTML:
// GET /api/v1/cases/{county}/{id}/documents/{kind}?level=.
func (h *Handler) caseDocument(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	kind := r.PathValue("kind")
	level := workflow.Level(r.URL.Query().Get("level"))
	switch level {
	case "", workflow.LevelVillage, workflow.LevelTownship, workflow.LevelCounty:
	default:
		return apperr.Invalidf("level", "公示级别应为 village、township 或 county", "level must be village, township or county")
	}
	var data any
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		data, err = workflow.Document(r.Context(), tx, actor(r), county, id, kind, level)
		return err
	})
	if err != nil {
		return h.wfDenied(r, err, wfTarget(county, id))
	}
	var buf bytes.Buffer
	if err := documents.Render(&buf, kind, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}

// listRoll lists the recipient roll:
// GET /api/v1/roll?region=&program=&status=&sort=&order=&limit=&offset=.
func (h *Handler) listRoll(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	rq := workflow.RollQuery{Region: q.Get("region"), Program: q.Get("program"), Status: q.Get("status")}
	order, err := sortOf(q, workflow.RollSortKeys)
	if err != nil {
		return err
	}
	rq.Sort, rq.Desc = order.Key, order.Desc
	if rq.Limit, rq.Offset, err = limitOffset(q, 1000, 5000); err != nil {
		return err
	}
	var entries []workflow.RollEntry
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		entries, err = workflow.Roll(r.Context(), tx, actor(r), rq)
		return err
	})
	if err != nil {
		return h.wfDenied(r, err, target{Entity: "recipient", Region: region.Code(rq.Region)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"recipients": entries, "limit": rq.Limit, "offset": rq.Offset,
		"sort": order.Key, "order": order.name()})
	return nil
}

type wfAnnualReviewInput struct {
	Region string `json:"region"`
	Year   int    `json:"year"`
}

// runAnnualReview runs the annual review of a region: POST /api/v1/annual-review.
func (h *Handler) runAnnualReview(w http.ResponseWriter, r *http.Request) error {
	var in wfAnnualReviewInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var ar *workflow.AnnualReview
	err := h.db.Update(r.Context(), func(tx *store.Tx) error {
		eng, err := h.engine(r.Context(), tx)
		if err != nil {
			return err
		}
		ar, err = workflow.RunAnnualReview(r.Context(), tx, eng, actor(r), in.Region, in.Year)
		return err
	})
	if err != nil {
		return h.wfDenied(r, err, target{Entity: "annual_review", Region: region.Code(in.Region)})
	}
	writeJSON(w, http.StatusOK, ar)
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
	if err := decodeJSON(w, r, &ev); err != nil {
		return err
	}
	var res *workflow.EventResult
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		eng, err := h.engine(r.Context(), tx)
		if err != nil {
			return err
		}
		res, err = workflow.ApplyEvent(r.Context(), tx, eng, actor(r), registry.Key{County: county, ID: id}, ev)
		return err
	})
	if err != nil {
		return h.wfDenied(r, err, target{Entity: "person", EntityID: strconv.FormatInt(id, 10), Region: region.Code(county)})
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
