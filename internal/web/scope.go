package web

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Refusals a door decides before any use case runs — a page the actor's
// role may not open, a region filter outside the actor's scope — are
// recorded like the use cases' own (app.Refuse: access.denied, with the
// user, the door's route and the target).

// Require returns nil when the request's actor has permission p and, when
// t names a region, may see it; otherwise it records the refusal and
// returns the Forbidden error. A door calls it before work the use case
// would only refuse afterwards, such as reading an uploaded file.
func Require(a *app.App, r *http.Request, p auth.Permission, t app.Target) error {
	who := Actor(r)
	err := auth.Require(who, p)
	if err == nil && t.Region != "" {
		err = who.CheckScope(t.Region)
	}
	if err != nil {
		return a.Refuse(r.Context(), who, t, err)
	}
	return nil
}

// InScope returns nil when code lies within the request's actor's scope,
// and otherwise records the refusal and returns the Forbidden error.
func InScope(a *app.App, r *http.Request, code region.Code, t app.Target) error {
	who := Actor(r)
	if err := who.CheckScope(code); err != nil {
		t.Region = code
		return a.Refuse(r.Context(), who, t, err)
	}
	return nil
}
