package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// accountJSON shows an account with its number masked.
type accountJSON struct {
	payment.Account
	Number   string `json:"account_no"`
	BankName string `json:"bank_name"`
}

func toAccountJSON(a *payment.Account) accountJSON {
	b, _ := payment.BankByCode(a.Bank)
	return accountJSON{Account: *a, Number: payment.MaskAccount(a.Number), BankName: b.Name}
}

// listBanks is GET /api/v1/banks: the banks an account may be held at.
func (h *Handler) listBanks(w http.ResponseWriter, r *http.Request) error {
	web.WriteJSON(w, http.StatusOK, map[string]any{"banks": payment.Banks})
	return nil
}

// getAccount is GET /api/v1/persons/{county}/{id}/account.
func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	acc, err := h.app.Account(r.Context(), web.Actor(r), registry.Key{County: county, ID: id})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": toAccountJSON(acc)})
	return nil
}

// putAccount is PUT /api/v1/persons/{county}/{id}/account: record or
// change a person's 一卡通 account (finance only).
func (h *Handler) putAccount(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in payment.AccountInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	acc, err := h.app.SetAccount(r.Context(), web.Actor(r), registry.Key{County: county, ID: id}, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": toAccountJSON(acc)})
	return nil
}

// holdPayment is POST /api/v1/persons/{county}/{id}/payment-hold: a
// suspected death holds the person's money until verified.
func (h *Handler) holdPayment(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := h.app.HoldPayment(r.Context(), web.Actor(r), registry.Key{County: county, ID: pid}, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"lines_held": n})
	return nil
}
