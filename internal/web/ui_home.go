package web

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
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
	a := actor(r)
	if a.Role == auth.RoleCitizen {
		http.Redirect(w, r, "/self", http.StatusSeeOther)
		return nil
	}
	v := h.newView(w, r, "home.title")
	sections, err := h.homeSections(r)
	if err != nil {
		return err
	}
	more, err := h.dashboardSections(r, v)
	if err != nil {
		return err
	}
	sections = append(sections, more...)
	v.Data = map[string]any{"Sections": sections, "Level": a.Scope.Level().Chinese()}
	return h.render(w, http.StatusOK, "home.html", v)
}

// homeSections gathers the dashboard's sections for the actor.
func (h *Handler) homeSections(r *http.Request) ([]homeSection, error) {
	a := actor(r)
	var out []homeSection
	if auth.Can(a, auth.PermCaseRead) {
		// The cases waiting for the actor's role (workflow.Worklist).
		var rows []caseRow
		err := h.db.View(r.Context(), func(tx *store.Tx) error {
			cs, err := workflow.Worklist(r.Context(), tx, a, nil, "")
			if err != nil {
				return err
			}
			for i, c := range cs {
				if i == 10 {
					break
				}
				row := caseRow{Case: c}
				if p, err := tx.PersonByKey(r.Context(), a.Scope, registry.Key{County: c.County, ID: c.PersonID}); err == nil {
					row.Name, row.IDMasked = p.Name, maskedID(p.IDNumber)
				}
				rows = append(rows, row)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, homeSection{Key: "home_cases", Data: rows})
	}
	return out, nil
}
