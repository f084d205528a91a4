package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
)

// personAccount is the 一卡通 account block of the person page.
type personAccount struct {
	Account  *payment.Account // the number masked; nil when none
	BankName string
	CanEdit  bool
	Banks    []payment.Bank // for the form
}

// newPersonAccount is the account block for a: acc (nil when none) with
// its number masked, editable by the finance officer only.
func newPersonAccount(a auth.Actor, acc *payment.Account, lang string) *personAccount {
	pa := &personAccount{CanEdit: auth.Can(a, auth.PermPaymentManage), Banks: payment.Banks}
	if acc != nil {
		masked := *acc
		masked.Number = payment.MaskAccount(acc.Number)
		pa.Account, pa.BankName = &masked, bankName(acc.Bank, lang)
	}
	return pa
}

// accountPage shows the form that records or changes a person's 一卡通
// account (finance only).
func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) error {
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_account_title")
	if err := h.accountData(r, v, k, true); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_account.html", v)
}

// accountData loads the person and the account; fill prefills the form
// from the account on file (never its number, which is typed again).
func (h *Handler) accountData(r *http.Request, v *view, k registry.Key, fill bool) error {
	a := web.Actor(r)
	f, err := h.app.AccountForm(r.Context(), a, k)
	if err != nil {
		return err
	}
	rec, pa := f.Person, newPersonAccount(a, f.Account, v.Lang)
	if fill {
		v.Form.Set("holder", rec.Name)
		v.Form.Set("kind", payment.Card)
		if pa.Account != nil {
			v.Form.Set("bank", pa.Account.Bank)
			v.Form.Set("kind", pa.Account.Kind)
			v.Form.Set("holder", pa.Account.Holder)
			v.Form.Set("version", strconv.Itoa(pa.Account.Version))
		}
	}
	v.Title = v.T["pay_account_title"] + " · " + rec.Name
	v.Data = map[string]any{"Rec": rec, "Key": rec.County + "/" + rec.Ref(), "Acc": pa, "Banks": payment.Banks}
	return nil
}

// accountSubmit records or changes the account; the payment package
// checks the bank, the number and the holder's name.
func (h *Handler) accountSubmit(w http.ResponseWriter, r *http.Request) error {
	k, err := personKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "pay_account_title")
	for _, f := range []string{"bank", "kind", "account_no", "holder", "version"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	version, _ := strconv.Atoi(v.F("version"))
	in := payment.AccountInput{Bank: v.F("bank"), Kind: v.F("kind"), Number: v.F("account_no"), Holder: v.F("holder"), Version: version}
	if _, err := h.app.SetAccount(r.Context(), web.Actor(r), k, in); err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.accountData(r, v, k, false); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "pay_account.html", v)
	}
	redirectDone(w, r, "/persons/"+k.County+"/"+strconv.FormatInt(k.ID, 10), "account_saved")
	return nil
}
