package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The people in charge (三级干部分包对象).

// chargeBoard is GET /api/v1/charges?region=&kind=&level=&nobody=.
func (h *Handler) chargeBoard(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	b, err := h.app.ChargeBoard(r.Context(), web.Actor(r), charge.Query{Region: q.Get("region"), Kind: q.Get("kind"),
		Level: workflow.Level(q.Get("level")), Nobody: q.Get("nobody") == "1" || q.Get("nobody") == "true"})
	if err != nil {
		return err
	}
	if b.Rows == nil {
		b.Rows = []charge.Target{}
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

// assignCharges is POST /api/v1/charges: a bulk assignment (user_id 0
// leaves the targets with nobody at the level).
func (h *Handler) assignCharges(w http.ResponseWriter, r *http.Request) error {
	var b charge.Batch
	if err := web.DecodeJSON(w, r, &b); err != nil {
		return err
	}
	d, err := h.app.AssignCharges(r.Context(), web.Actor(r), b)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, d)
	return nil
}

// myCharges is GET /api/v1/charges/mine.
func (h *Handler) myCharges(w http.ResponseWriter, r *http.Request) error {
	xs, err := h.app.MyCharges(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []charge.Target{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"targets": xs})
	return nil
}

// pensionList is GET /api/v1/pension-list/{county}?year=&format=: the
// county-paid pension contributions list for the social-insurance office.
func (h *Handler) pensionList(w http.ResponseWriter, r *http.Request) error {
	return web.ServePensionList(h.app, w, r, r.PathValue("county"))
}
