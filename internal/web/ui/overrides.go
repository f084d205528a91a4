package ui

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/web"
)

// overridesPage lists the reviews signed against the policy engine within
// the actor's scope, for the supervisor.
func (h *Handler) overridesPage(w http.ResponseWriter, r *http.Request) error {
	os, err := h.app.Overrides(r.Context(), web.Actor(r), 1000)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "overrides.title")
	v.Data = map[string]any{"Rows": web.Overrides(os)}
	return h.render(w, http.StatusOK, "overrides.html", v)
}
