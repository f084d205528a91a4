package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/web"
)

// getPaymentParams is GET /api/v1/payment-params/{county}.
func (h *Handler) getPaymentParams(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	p, err := h.app.PaymentParams(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"county": county, "params": p})
	return nil
}

// putPaymentParams is PUT /api/v1/payment-params/{county}: set some of
// the county's payment parameters (name → value).
func (h *Handler) putPaymentParams(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in map[string]string
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := h.app.SetPaymentParams(r.Context(), web.Actor(r), county, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"county": county, "params": p})
	return nil
}

// createCycle is POST /api/v1/payment-cycles: run a program for a period.
func (h *Handler) createCycle(w http.ResponseWriter, r *http.Request) error {
	var in payment.CycleRequest
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, lines, err := h.app.GenerateCycle(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"cycle": c, "lines_by_status": linesByStatus(lines)})
	return nil
}

func linesByStatus(lines []payment.Line) map[payment.Status]int {
	byStatus := map[payment.Status]int{}
	for _, l := range lines {
		byStatus[l.Status]++
	}
	return byStatus
}

// supplementCycle is POST /api/v1/payment-cycles/{county}/{id}/supplement:
// add the lines of the persons on the roll who have none for the cycle's
// period (enrolled since it was generated).
func (h *Handler) supplementCycle(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	sup, err := h.app.SupplementCycle(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"cycle": sup.Cycle, "lines": sup.Lines, "lines_by_status": linesByStatus(sup.Lines)})
	return nil
}

// listCycles is GET /api/v1/payment-cycles?county=&program=&year=.
func (h *Handler) listCycles(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.CycleFilter{Program: q.Get("program")}
	if s := q.Get("year"); s != "" {
		if f.Year, err = strconv.Atoi(s); err != nil {
			return apperr.Invalidf("year", "年度无效", "invalid year")
		}
	}
	list, err := h.app.Cycles(r.Context(), web.Actor(r), county, f, "zh")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"cycles": nonNil(list.Cycles)})
	return nil
}

// getCycle is GET /api/v1/payment-cycles/{county}/{id}?status=&sort=&order=&limit=&offset=:
// the cycle and a page of its lines.
func (h *Handler) getCycle(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.LineFilter{CycleID: id, Limit: 500}
	for _, s := range strings.Split(q.Get("status"), ",") {
		if s != "" {
			f.Statuses = append(f.Statuses, payment.Status(s))
		}
	}
	order, err := web.SortOf(q, payment.LineSortKeys)
	if err != nil {
		return err
	}
	f.Sort, f.Desc = order.Key, order.Desc
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > 5000)) {
				return apperr.Invalidf(name, "须为非负整数（limit 1 至 5000）", "must be a non-negative integer (limit 1 to 5000)")
			}
			*dst = n
		}
	}
	v, err := h.app.Cycle(r.Context(), web.Actor(r), county, id, app.CycleQuery{Lines: f, Lang: "zh"})
	if err != nil {
		return err
	}
	lines := make([]payment.Line, len(v.Lines))
	for i, l := range v.Lines {
		lines[i] = l.Line
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"cycle": v.Cycle, "lines": lines, "batches": nonNil(v.Batches),
		"limit": f.Limit, "offset": f.Offset, "sort": order.Key, "order": order.Order()})
	return nil
}

// cycleConsistency is GET /api/v1/payment-cycles/{county}/{id}/consistency:
// the 库册一致 report.
func (h *Handler) cycleConsistency(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v, err := h.app.Consistency(r.Context(), web.Actor(r), county, id, "zh")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v.Consistency)
	return nil
}

// cycleLetter is GET /api/v1/payment-cycles/{county}/{id}/letters/{person}:
// the printable notification letter (HTML), or with ?format=pdf as PDF.
func (h *Handler) cycleLetter(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	person, err := web.PathID(r, "person")
	if err != nil {
		return err
	}
	pdf, err := web.WantsPDF(r)
	if err != nil {
		return err
	}
	if pdf {
		return web.ServeLetterPDF(h.app, w, r, county, id, person)
	}
	page, err := h.app.Letter(r.Context(), web.Actor(r), county, id, person)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(page)
	return nil
}

// cycleLetters is GET /api/v1/payment-cycles/{county}/{id}/letters?township=:
// every notification letter of the cycle (of the township) as one PDF.
func (h *Handler) cycleLetters(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	return web.ServeCycleLetters(h.app, h.tree, w, r, county, id)
}

// verifyLine is POST /api/v1/payment-lines/{county}/{id}/verify: settle a
// held line (release it, or cancel it).
func (h *Handler) verifyLine(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in payment.Verdict
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := h.app.VerifyLine(r.Context(), web.Actor(r), county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"line": l})
	return nil
}
