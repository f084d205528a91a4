package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The JSON API of childcare institutions (托育机构备案, docs/births.md):
// filing, changes, closure, inspections with their rectification's check,
// and the places per 1,000 residents by township against the target.

// fileChildcare files an institution: POST /api/v1/childcare/{county}/institutions.
func (h *Handler) fileChildcare(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in childcare.NewInstitution
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := h.app.FileChildcare(r.Context(), web.Actor(r), county, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"institution": x})
	return nil
}

// listChildcare lists filings: GET /api/v1/childcare/{county}/institutions?region=&status=&type=&inclusive=.
func (h *Handler) listChildcare(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	q := childcare.Query{Region: qs.Get("region"), Status: qs.Get("status"), Type: qs.Get("type")}
	switch qs.Get("inclusive") {
	case "":
	case "1", "true":
		t := true
		q.Inclusive = &t
	case "0", "false":
		f := false
		q.Inclusive = &f
	default:
		return web.InvalidQuery("inclusive", "应为 true 或 false", "must be true or false")
	}
	if q.Limit, q.Offset, err = web.LimitOffset(qs, 100, 1000); err != nil {
		return err
	}
	xs, total, err := h.app.ChildcareInstitutions(r.Context(), web.Actor(r), county, q)
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []childcare.Institution{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"institutions": xs, "total": total, "limit": q.Limit, "offset": q.Offset})
	return nil
}

// getChildcare returns a filing with its changes and inspections.
func (h *Handler) getChildcare(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	f, err := h.app.ChildcareInstitution(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, f)
	return nil
}

// amendChildcare records a change of a filing.
func (h *Handler) amendChildcare(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Version     int                      `json:"version"`
		Institution childcare.NewInstitution `json:"institution"`
		Effective   date.Date                `json:"effective"`
		Reason      string                   `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := h.app.AmendChildcare(r.Context(), web.Actor(r), county, id, in.Version, in.Institution, in.Effective, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"institution": x})
	return nil
}

// closeChildcare closes a filing.
func (h *Handler) closeChildcare(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Version int       `json:"version"`
		Date    date.Date `json:"date"`
		Reason  string    `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := h.app.CloseChildcare(r.Context(), web.Actor(r), county, id, in.Version, in.Date, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"institution": x})
	return nil
}

// inspectChildcare records an inspection of an institution.
func (h *Handler) inspectChildcare(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in childcare.NewInspection
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := h.app.InspectChildcare(r.Context(), web.Actor(r), county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"inspection": x})
	return nil
}

// checkRectification records the check of an inspection's rectification.
func (h *Handler) checkRectification(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
		childcare.RectificationCheck
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := h.app.CheckChildcareRectification(r.Context(), web.Actor(r), county, id, in.Version, in.RectificationCheck)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"inspection": x})
	return nil
}

// openInspections lists the inspections whose rectification waits for
// its check.
func (h *Handler) openInspections(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	xs, err := h.app.OpenChildcareInspections(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []childcare.Inspection{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"inspections": xs})
	return nil
}

// childcarePlaces returns places per 1,000 residents by township.
func (h *Handler) childcarePlaces(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	rep, err := h.app.ChildcarePlaces(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// setChildcareTarget sets the target of places per 1,000 for a region:
// PUT /api/v1/childcare-target/{region}.
func (h *Handler) setChildcareTarget(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Target string `json:"target"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	code := r.PathValue("region")
	if err := h.app.SetChildcareTarget(r.Context(), web.Actor(r), code, in.Target); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"region": code, "target": in.Target})
	return nil
}
