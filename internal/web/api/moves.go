package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// People who move: residence, migrants and transfers between counties.

// getResidence is GET /api/v1/persons/{county}/{id}/residence.
func (h *Handler) getResidence(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	res, err := h.app.Residence(r.Context(), web.Actor(r), registry.Key{County: county, ID: pid})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// putResidence is PUT /api/v1/persons/{county}/{id}/residence.
func (h *Handler) putResidence(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in move.Residence
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	res, err := h.app.SetResidence(r.Context(), web.Actor(r), registry.Key{County: county, ID: pid}, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// listMigrants is GET /api/v1/migrants?region=.
func (h *Handler) listMigrants(w http.ResponseWriter, r *http.Request) error {
	ml, err := h.app.Migrants(r.Context(), web.Actor(r), r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, ml)
	return nil
}

// startTransfer is POST /api/v1/transfers.
func (h *Handler) startTransfer(w http.ResponseWriter, r *http.Request) error {
	var in move.Start
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := h.app.StartTransfer(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, t)
	return nil
}

// listTransfers is GET /api/v1/transfers?county=&side=in|out.
func (h *Handler) listTransfers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	county := q.Get("county")
	if county == "" {
		county = string(h.tree.County(web.Actor(r).Scope))
	}
	ts, err := h.app.Transfers(r.Context(), web.Actor(r), county, q.Get("side"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"transfers": ts})
	return nil
}

// getTransfer is GET /api/v1/transfers/{county}/{id}.
func (h *Handler) getTransfer(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	t, err := h.app.Transfer(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}

// decideTransfer is POST /api/v1/transfers/{county}/{id}/decision.
func (h *Handler) decideTransfer(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var d move.Decision
	if err := web.DecodeJSON(w, r, &d); err != nil {
		return err
	}
	t, err := h.app.DecideTransfer(r.Context(), web.Actor(r), county, id, d)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}

// withdrawTransfer is POST /api/v1/transfers/{county}/{id}/withdraw.
func (h *Handler) withdrawTransfer(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := h.app.WithdrawTransfer(r.Context(), web.Actor(r), county, id, in.Version)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, t)
	return nil
}
