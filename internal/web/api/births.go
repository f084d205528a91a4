package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The JSON API of birth registration (docs/births.md): register for a
// parent (or, for a citizen, for themselves), list and read, record the
// birth that closes a registration, cancel it, the slip as a PDF, the
// public verification of a slip, and the birth approvals kept on a person.

// birthKey reads the {county}/{id} of a registration path.
func (h *Handler) birthKey(r *http.Request) (birth.Key, error) {
	county, id, err := web.CountyKey(r, h.tree)
	return birth.Key{County: county, ID: id}, err
}

// registerBirth takes a birth registration: POST /api/v1/births.
func (h *Handler) registerBirth(w http.ResponseWriter, r *http.Request) error {
	var in birth.NewRegistration
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	reg, err := h.app.RegisterBirth(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"registration": reg})
	return nil
}

// listBirths lists registrations: GET /api/v1/births?county=&region=&status=&year=&parity=&person=.
func (h *Handler) listBirths(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := birth.Query{Region: qs.Get("region"), Status: qs.Get("status")}
	if q.Year, err = web.QueryInt(qs, "year", 2000, 2100); err != nil {
		return err
	}
	if q.Parity, err = web.QueryInt(qs, "parity", 1, 20); err != nil {
		return err
	}
	person, err := web.QueryInt(qs, "person", 1, 1<<62)
	if err != nil {
		return err
	}
	q.Person = int64(person)
	if q.Limit, q.Offset, err = web.LimitOffset(qs, 100, 1000); err != nil {
		return err
	}
	rs, total, err := h.app.BirthRegistrations(r.Context(), web.Actor(r), county, q)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []birth.Registration{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"registrations": rs, "total": total, "limit": q.Limit, "offset": q.Offset})
	return nil
}

// getBirth returns a registration with its parity decision.
func (h *Handler) getBirth(w http.ResponseWriter, r *http.Request) error {
	k, err := h.birthKey(r)
	if err != nil {
		return err
	}
	reg, err := h.app.BirthRegistration(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"registration": reg})
	return nil
}

// closeBirth records the hospital birth record that closes a registration.
func (h *Handler) closeBirth(w http.ResponseWriter, r *http.Request) error {
	k, err := h.birthKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Version int               `json:"version"`
		Record  birth.BirthRecord `json:"record"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	reg, err := h.app.CloseBirth(r.Context(), web.Actor(r), k, in.Version, in.Record)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"registration": reg})
	return nil
}

// cancelBirth cancels a registration.
func (h *Handler) cancelBirth(w http.ResponseWriter, r *http.Request) error {
	k, err := h.birthKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
		Note    string `json:"note"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	reg, err := h.app.CancelBirth(r.Context(), web.Actor(r), k, in.Version, in.Reason, in.Note)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"registration": reg})
	return nil
}

// birthSlip sends the registration slip as a PDF.
func (h *Handler) birthSlip(w http.ResponseWriter, r *http.Request) error {
	k, err := h.birthKey(r)
	if err != nil {
		return err
	}
	s, err := h.app.BirthSlip(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	return web.ServeBirthSlip(w, r, h.cfg, s)
}

// verifyBirth answers the public verification of a slip:
// GET /api/v1/verify/birth?serial=&code=.
func (h *Handler) verifyBirth(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	v, err := h.app.VerifyBirthSlip(r.Context(), qs.Get("serial"), qs.Get("code"))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"verification": v})
	return nil
}

// personKey reads the {county}/{id} of a person path.
func (h *Handler) personKey(r *http.Request) (registry.Key, error) {
	county, id, err := web.CountyKey(r, h.tree)
	return registry.Key{County: county, ID: id}, err
}

// listBirthApprovals lists the birth approvals held by or naming a person.
func (h *Handler) listBirthApprovals(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personKey(r)
	if err != nil {
		return err
	}
	as, err := h.app.BirthApprovals(r.Context(), web.Actor(r), k)
	if err != nil {
		return err
	}
	if as == nil {
		as = []birth.Approval{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"approvals": as})
	return nil
}

// recordBirthApproval records a historical birth approval on a person.
func (h *Handler) recordBirthApproval(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personKey(r)
	if err != nil {
		return err
	}
	var in birth.Approval
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := h.app.RecordBirthApproval(r.Context(), web.Actor(r), k, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"approval": a})
	return nil
}

// subsidyPreview shows what the rules decide of the childcare subsidy for
// a child and a year: GET /api/v1/persons/{county}/{id}/subsidy-preview?year=.
func (h *Handler) subsidyPreview(w http.ResponseWriter, r *http.Request) error {
	k, err := h.personKey(r)
	if err != nil {
		return err
	}
	year, err := web.QueryInt(r.URL.Query(), "year", 2000, 2100)
	if err != nil {
		return err
	}
	if year == 0 {
		year = date.Today(h.now()).Year()
	}
	d, err := h.app.SubsidyPreview(r.Context(), web.Actor(r), k, year, web.Language(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"decision": d})
	return nil
}

// applySubsidy takes a childcare subsidy claim: POST /api/v1/subsidy-claims.
func (h *Handler) applySubsidy(w http.ResponseWriter, r *http.Request) error {
	var in birth.NewClaim
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := h.app.ApplySubsidy(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"claim": c})
	return nil
}

// listSubsidyClaims lists claims: GET /api/v1/subsidy-claims?county=&region=&status=&year=.
func (h *Handler) listSubsidyClaims(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := birth.ClaimQuery{Region: qs.Get("region"), Status: qs.Get("status")}
	if q.Year, err = web.QueryInt(qs, "year", 2000, 2100); err != nil {
		return err
	}
	if q.Limit, q.Offset, err = web.LimitOffset(qs, 100, 1000); err != nil {
		return err
	}
	cs, total, err := h.app.SubsidyClaims(r.Context(), web.Actor(r), county, q)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []birth.Claim{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"claims": cs, "total": total, "limit": q.Limit, "offset": q.Offset})
	return nil
}

// getSubsidyClaim returns a claim with the engine's decision.
func (h *Handler) getSubsidyClaim(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	c, err := h.app.SubsidyClaim(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"claim": c})
	return nil
}

// claimDecision is the body of a claim's check or confirmation.
type claimDecision struct {
	Version int    `json:"version"`
	Approve bool   `json:"approve"`
	Note    string `json:"note"`
}

// claimStep answers one step on claim {county}/{id}.
func (h *Handler) claimStep(w http.ResponseWriter, r *http.Request, call func(county string, id int64, in claimDecision) (*birth.Claim, error)) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in claimDecision
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := call(county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"claim": c})
	return nil
}

// checkSubsidy records the township's check of a claim.
func (h *Handler) checkSubsidy(w http.ResponseWriter, r *http.Request) error {
	return h.claimStep(w, r, func(county string, id int64, in claimDecision) (*birth.Claim, error) {
		return h.app.CheckSubsidy(r.Context(), web.Actor(r), county, id, in.Version, in.Approve, in.Note)
	})
}

// confirmSubsidy records the county's confirmation of a claim.
func (h *Handler) confirmSubsidy(w http.ResponseWriter, r *http.Request) error {
	return h.claimStep(w, r, func(county string, id int64, in claimDecision) (*birth.Claim, error) {
		return h.app.ConfirmSubsidy(r.Context(), web.Actor(r), county, id, in.Version, in.Approve, in.Note)
	})
}

// withdrawSubsidy withdraws a claim not yet confirmed.
func (h *Handler) withdrawSubsidy(w http.ResponseWriter, r *http.Request) error {
	return h.claimStep(w, r, func(county string, id int64, in claimDecision) (*birth.Claim, error) {
		return h.app.WithdrawSubsidy(r.Context(), web.Actor(r), county, id, in.Version)
	})
}
