package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/escalate"
	"github.com/jiahe-project/jiahe/internal/web"
)

// caseEscalations is GET /api/v1/cases/{county}/{id}/escalations.
func (h *Handler) caseEscalations(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	xs, err := h.app.CaseEscalations(r.Context(), web.Actor(r), app.CaseKey{County: county, ID: id})
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []escalate.Escalation{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"escalations": xs})
	return nil
}

// escalateCase is POST /api/v1/cases/{county}/{id}/escalations {question}.
func (h *Handler) escalateCase(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Question string `json:"question"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := h.app.Escalate(r.Context(), web.Actor(r), app.CaseKey{County: county, ID: id}, in.Question)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, x)
	return nil
}

// answerEscalation is POST /api/v1/escalations/{county}/{id}/answer {answer}.
func (h *Handler) answerEscalation(w http.ResponseWriter, r *http.Request) error {
	county, id, err := wfCaseKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Answer string `json:"answer"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := h.app.AnswerEscalation(r.Context(), web.Actor(r), county, id, in.Answer)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, x)
	return nil
}

// openEscalations is GET /api/v1/escalations?county=: the open questions
// the caller's level answers.
func (h *Handler) openEscalations(w http.ResponseWriter, r *http.Request) error {
	county := r.URL.Query().Get("county")
	if county == "" {
		county = string(h.tree.County(web.Actor(r).Scope))
	}
	xs, err := h.app.OpenEscalations(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	if xs == nil {
		xs = []escalate.Escalation{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"escalations": xs})
	return nil
}
