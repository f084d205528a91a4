package api

import (
	"net/http"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// Divisions that change (docs/regions.md): record a change of a county's
// divisions, list the changes, read a code's history and the divisions
// of a day.

// listDivisionChanges is GET /api/v1/divisions/{county}/changes.
func (h *Handler) listDivisionChanges(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.app.DivisionChanges(r.Context(), web.Actor(r), r.PathValue("county"))
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []app.DivisionChange{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"changes": cs})
	return nil
}

// changeDivision is POST /api/v1/divisions/{county}/changes.
func (h *Handler) changeDivision(w http.ResponseWriter, r *http.Request) error {
	var in app.DivisionChangeInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if !strings.HasPrefix(strings.TrimSpace(in.Code), r.PathValue("county")) || len(r.PathValue("county")) != 6 {
		return apperr.Invalidf("code", "区划不在该县", "the division is not in the county of the path")
	}
	c, err := h.app.ChangeDivision(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, c)
	return nil
}

// divisionHistory is GET /api/v1/divisions/{code}/history.
func (h *Handler) divisionHistory(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.app.DivisionHistory(r.Context(), web.Actor(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rec)
	return nil
}

// divisionsOn is GET /api/v1/divisions/{code}/children?on=YYYY-MM-DD.
func (h *Handler) divisionsOn(w http.ResponseWriter, r *http.Request) error {
	ds, err := h.app.DivisionsOn(r.Context(), web.Actor(r), r.PathValue("code"), r.URL.Query().Get("on"))
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []region.Division{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"on": r.URL.Query().Get("on"), "divisions": h.toRegionsJSON(ds)})
	return nil
}
