package api

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The checks after approval: samples, visits and findings.

// listCheckSamples is GET /api/v1/check-samples.
func (h *Handler) listCheckSamples(w http.ResponseWriter, r *http.Request) error {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	xs, err := h.app.CheckSamples(r.Context(), web.Actor(r), limit)
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []recheck.Sample{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"samples": xs})
	return nil
}

// drawCheckSample is POST /api/v1/check-samples.
func (h *Handler) drawCheckSample(w http.ResponseWriter, r *http.Request) error {
	var d recheck.Draw
	if err := web.DecodeJSON(w, r, &d); err != nil {
		return err
	}
	x, err := h.app.DrawCheckSample(r.Context(), web.Actor(r), d)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, x)
	return nil
}

// getCheckSample is GET /api/v1/check-samples/{county}/{id}.
func (h *Handler) getCheckSample(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	x, err := h.app.CheckSample(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, x)
	return nil
}

// assignCheckVisit is POST /api/v1/check-samples/{county}/{id}/items/{seq}/visit.
func (h *Handler) assignCheckVisit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	seq, err := web.PathID(r, "seq")
	if err != nil {
		return err
	}
	var in struct {
		Assignee string `json:"assignee"`
		VisitOn  string `json:"visit_on"`
		Version  int    `json:"version"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	v := recheck.Visit{Assignee: in.Assignee, Version: in.Version}
	if in.VisitOn != "" {
		if v.On, err = date.Parse(in.VisitOn); err != nil {
			return web.InvalidDay("visit_on")
		}
	}
	it, err := h.app.AssignCheckVisit(r.Context(), web.Actor(r), county, id, int(seq), v)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, it)
	return nil
}

// recordCheckFinding is POST /api/v1/check-samples/{county}/{id}/items/{seq}/finding.
func (h *Handler) recordCheckFinding(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	seq, err := web.PathID(r, "seq")
	if err != nil {
		return err
	}
	var res recheck.Result
	if err := web.DecodeJSON(w, r, &res); err != nil {
		return err
	}
	it, err := h.app.RecordCheckFinding(r.Context(), web.Actor(r), county, id, int(seq), res)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, it)
	return nil
}
