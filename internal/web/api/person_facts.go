package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// recordDeath is POST …/death.
func (h *Handler) recordDeath(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Date   date.Date `json:"date"`
		Source string    `json:"source"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Date.IsZero() {
		return apperr.Invalidf("date", "缺少死亡日期", "the date of death is missing")
	}
	rec, err := h.app.RecordDeath(r.Context(), web.Actor(r), k, in.Date, in.Source)
	return personAnswer(w, rec, err)
}

// changeHukou is POST …/hukou.
func (h *Handler) changeHukou(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in registry.HukouChange
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	rec, err := h.app.ChangeHukou(r.Context(), web.Actor(r), k, in)
	return personAnswer(w, rec, err)
}

// created answers 201 with the id of what a call created.
func created(w http.ResponseWriter, id int64, err error) error {
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"id": id})
	return nil
}

// noContent answers 204 when a call succeeded.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addMarriage is POST …/marriages: a marriage of the person with spouse
// (a person of the same county).
func (h *Handler) addMarriage(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Spouse int64     `json:"spouse"`
		From   date.Date `json:"from"`
		CertNo string    `json:"cert_no"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := h.app.AddMarriage(r.Context(), web.Actor(r), k, app.Relative{ID: in.Spouse, Field: "spouse"}, registry.Marriage{From: in.From}, in.CertNo)
	return created(w, id, err)
}

// endMarriage is POST /api/v1/marriages/{county}/{id}/end.
func (h *Handler) endMarriage(w http.ResponseWriter, r *http.Request) error {
	c, err := web.ParseRegion("county", r.PathValue("county"))
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Date   date.Date `json:"date"`
		Reason string    `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	return noContent(w, h.app.EndMarriage(r.Context(), web.Actor(r), string(c), id, in.Date, in.Reason))
}

// addChild is POST …/children: ties the person as parent to child.
func (h *Handler) addChild(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Child    int64     `json:"child"`
		Kind     string    `json:"kind"`
		From     date.Date `json:"from"`
		InPolicy *bool     `json:"in_policy"`
		RegNo    string    `json:"reg_no"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := h.app.AddChild(r.Context(), web.Actor(r), k, app.Relative{ID: in.Child, Field: "child"},
		registry.ParentChild{Kind: in.Kind, From: in.From, InPolicy: in.InPolicy}, in.RegNo)
	return created(w, id, err)
}

// addDisability is POST …/disabilities.
func (h *Handler) addDisability(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Grade    int       `json:"grade"`
		Category string    `json:"category"`
		From     date.Date `json:"from"`
		To       date.Date `json:"to"`
		CertNo   string    `json:"cert_no"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := h.app.AddDisability(r.Context(), web.Actor(r), k, registry.Disability{Grade: in.Grade, Category: in.Category, From: in.From, To: in.To}, in.CertNo)
	return created(w, id, err)
}

// addCertificate is POST …/certificates.
func (h *Handler) addCertificate(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind   string    `json:"kind"`
		Number string    `json:"number"`
		Issued date.Date `json:"issued"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := h.app.AddCertificate(r.Context(), web.Actor(r), k, registry.Certificate{Kind: in.Kind, Number: in.Number, Issued: in.Issued})
	return created(w, id, err)
}

// cancelCertificate is POST …/certificates/{cid}/cancel.
func (h *Handler) cancelCertificate(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	cid, err := web.PathID(r, "cid")
	if err != nil {
		return err
	}
	var in struct {
		Date   date.Date `json:"date"`
		Reason string    `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	return noContent(w, h.app.CancelCertificate(r.Context(), web.Actor(r), k, cid, in.Date, in.Reason))
}

// addComplication is POST …/complications.
func (h *Handler) addComplication(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Grade    int       `json:"grade"`
		From     date.Date `json:"from"`
		To       date.Date `json:"to"`
		Document string    `json:"document"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := h.app.AddComplication(r.Context(), web.Actor(r), k, registry.Complication{Grade: in.Grade, From: in.From, To: in.To}, in.Document)
	return created(w, id, err)
}

// addRetirement is POST …/retirements.
func (h *Handler) addRetirement(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	var in struct {
		Date     date.Date `json:"date"`
		Employer string    `json:"employer"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := h.app.AddRetirement(r.Context(), web.Actor(r), k, registry.Retirement{Date: in.Date, Employer: in.Employer})
	return created(w, id, err)
}
