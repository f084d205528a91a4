package web

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

// target names what a request acts on, for the audit entry of a refusal.
type target struct {
	Entity   string
	EntityID string
	Region   region.Code
}

// inScope is the one scope check of the web layer: it returns nil when
// code lies within the actor's region scope, and otherwise records the
// refusal in the audit log (action "access.denied") and returns the
// Forbidden error.
func (h *Handler) inScope(r *http.Request, code region.Code, t target) error {
	a := actor(r)
	if err := a.CheckScope(code); err != nil {
		t.Region = code
		return h.deny(r, a, t, err)
	}
	return nil
}

// require returns nil when the actor's role grants p, and otherwise audits
// the refusal and returns the Forbidden error.
func (h *Handler) require(r *http.Request, p auth.Permission, t target) error {
	a := actor(r)
	if err := auth.Require(a, p); err != nil {
		return h.deny(r, a, t, err)
	}
	return nil
}

// deny records the refusal (access.denied) through the use-case layer
// and returns refusal.
func (h *Handler) deny(r *http.Request, a auth.Actor, t target, refusal error) error {
	return h.app.Refuse(r.Context(), a, app.Target{Entity: t.Entity, ID: t.EntityID, Region: t.Region}, refusal)
}
