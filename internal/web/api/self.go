package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The citizen's self service (群众): their own record and cases, and the
// application they submit for themselves, which the village specialist
// then accepts (受理) or returns. The domain checks the permissions; the
// use-case layer audits a refusal.

// getSelf answers GET /api/v1/self: the citizen's own record (the ID
// number masked) and cases with their status, and the programs open to
// an application this year.
func (h *Handler) getSelf(w http.ResponseWriter, r *http.Request) error {
	v, err := h.app.Self(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"person": v.Person, "cases": v.Cases, "programs": v.Programs})
	return nil
}

// selfApply submits the citizen's own application:
// POST /api/v1/self/applications.
func (h *Handler) selfApply(w http.ResponseWriter, r *http.Request) error {
	var in workflow.CitizenApplication
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.SelfApply(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"case": c})
	return nil
}

type wfAcceptance struct {
	Note string `json:"note"`
}

// acceptCase accepts a citizen's application:
// POST /api/v1/cases/{county}/{id}/accept.
func (h *Handler) acceptCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in wfAcceptance) (map[string]any, error) {
		c, err := h.app.Accept(r.Context(), web.Actor(r), k, in.Note)
		return map[string]any{"case": c}, err
	})
}

// returnCase returns a citizen's application with the reason:
// POST /api/v1/cases/{county}/{id}/return.
func (h *Handler) returnCase(w http.ResponseWriter, r *http.Request) error {
	return wfStep(w, r, true, func(k app.CaseKey, in wfWithdrawal) (map[string]any, error) {
		c, err := h.app.Return(r.Context(), web.Actor(r), k, in.Reason)
		return map[string]any{"case": c}, err
	})
}
