package web

import (
	"context"
	"net/http"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
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

// deny writes an access.denied entry in a transaction of its own (the
// request's own work, if any, is not done) and returns refusal.
func (h *Handler) deny(r *http.Request, a auth.Actor, t target, refusal error) error {
	county := ""
	if t.Region != "" {
		county = string(h.tree.County(t.Region))
	}
	e := audit.Entry{
		County: county, UserID: a.UserID, Username: a.Username, Action: "access.denied",
		Entity: t.Entity, EntityID: t.EntityID, Region: string(t.Region),
		After: audit.JSON(map[string]string{"method": r.Method, "route": r.Pattern, "reason": refusal.Error()}),
	}
	ctx := context.WithoutCancel(r.Context())
	if err := h.db.Update(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	return refusal
}
