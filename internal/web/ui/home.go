package ui

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/web"
)

// homeSection is one block of the dashboard. Sections appear only when the
// package behind them exists and the role may read it.
type homeSection struct {
	Key  string // i18n key of the heading and the template to draw it
	Data any
}

// homePage is the dashboard of the actor's region: the work waiting for
// the actor, the notices running and, for roles that read payments, the
// recipients and funds of the year by program.
func (h *Handler) homePage(w http.ResponseWriter, r *http.Request) error {
	a := web.Actor(r)
	if a.Role == auth.RoleCitizen {
		http.Redirect(w, r, "/self", http.StatusSeeOther)
		return nil
	}
	if a.Role == auth.RolePartner {
		http.Redirect(w, r, "/family-check", http.StatusSeeOther)
		return nil
	}
	v := h.newView(w, r, "home.title")
	d, err := h.app.Dashboard(r.Context(), a, v.Lang)
	if err != nil {
		return err
	}
	sections := dashboardSections(a, v, d)
	// The village specialist's first list: who is eligible and has not
	// applied (应享未享).
	if auth.Can(a, auth.PermCaseApply) {
		o, err := h.app.Outreach(r.Context(), a, app.OutreachQuery{Limit: 5}, v.Lang)
		if err != nil {
			return err
		}
		sections = append([]homeSection{{Key: "home_outreach", Data: o}}, sections...)
	}
	v.Data = map[string]any{"Sections": sections, "Level": a.Scope.Level().Chinese(), "MatchOverdue": d.MatchOverdue}
	return h.render(w, http.StatusOK, "home.html", v)
}
