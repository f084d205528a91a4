package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/web"
)

// getBudget is GET /api/v1/budget/{county}?year=.
func (h *Handler) getBudget(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	year, err := yearParam(r, h)
	if err != nil {
		return err
	}
	b, err := h.app.Budget(r.Context(), web.Actor(r), county, year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, b)
	return nil
}

// recordFund is POST /api/v1/budget/{county}/funds.
func (h *Handler) recordFund(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Year     int    `json:"year"`
		Program  string `json:"program"`
		Level    string `json:"level"`
		Amount   int64  `json:"amount_fen"`
		Received string `json:"received"`
		Document string `json:"document"`
		Note     string `json:"note"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	f := payment.Fund{County: county, Year: in.Year, Program: in.Program, Level: in.Level, Amount: money.Fen(in.Amount),
		Document: in.Document, Note: in.Note}
	if in.Received != "" {
		if f.Received, err = date.Parse(in.Received); err != nil {
			return web.InvalidDay("received")
		}
	}
	x, err := h.app.RecordFund(r.Context(), web.Actor(r), f)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, x)
	return nil
}

// getCalendar is GET /api/v1/payment-calendar/{county}?year=.
func (h *Handler) getCalendar(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	year, err := yearParam(r, h)
	if err != nil {
		return err
	}
	c, err := h.app.PaymentCalendar(r.Context(), web.Actor(r), county, year)
	if err != nil {
		return err
	}
	type missing struct {
		payment.Line
		Reason string `json:"reason"`
	}
	type township struct {
		payment.CalendarTownship
		Missing []missing `json:"missing"`
	}
	out := struct {
		*payment.Calendar
		Townships []township `json:"townships"`
	}{Calendar: c, Townships: []township{}}
	for _, t := range c.Townships {
		tw := township{CalendarTownship: t, Missing: []missing{}}
		for _, l := range t.Missing {
			tw.Missing = append(tw.Missing, missing{Line: l, Reason: payment.MissReason(l)})
		}
		out.Townships = append(out.Townships, tw)
	}
	web.WriteJSON(w, http.StatusOK, out)
	return nil
}

// policySheet is GET /api/v1/policy-sheet?county=&year=: the 政策明白纸 as
// PDF.
func (h *Handler) policySheet(w http.ResponseWriter, r *http.Request) error {
	county, year, err := web.PolicySheetRequest(h.app, r)
	if err != nil {
		return err
	}
	return web.ServePolicySheet(h.app, w, r, county, year)
}
