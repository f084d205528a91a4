package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// Account returns the payment account (一卡通) of person k.
func (a *App) Account(ctx context.Context, who auth.Actor, k registry.Key) (*payment.Account, error) {
	return look(a, ctx, who, personOp("payment.account.read", auth.PermPaymentRead, k), func(tx *store.Tx) (*payment.Account, error) {
		return payment.GetAccount(ctx, tx, who, k)
	})
}

// SetAccount records or changes the payment account of person k (finance
// only; payment.SetAccount checks the bank, the number and the holder).
func (a *App) SetAccount(ctx context.Context, who auth.Actor, k registry.Key, in payment.AccountInput) (*payment.Account, error) {
	return write(a, ctx, who, personOp("payment.account.set", auth.PermPaymentManage, k), func(tx *store.Tx) (*payment.Account, error) {
		return payment.SetAccount(ctx, tx, who, k, in)
	})
}

// AccountForm is what the account form of a person shows.
type AccountForm struct {
	Person  *registry.Record
	Account *payment.Account // nil when the person has none
}

// AccountForm returns the person k and their account, for the form that
// records or changes it (finance only).
func (a *App) AccountForm(ctx context.Context, who auth.Actor, k registry.Key) (*AccountForm, error) {
	return look(a, ctx, who, personOp("payment.account.form", auth.PermPaymentManage, k), func(tx *store.Tx) (*AccountForm, error) {
		rec, err := tx.PersonByKey(ctx, who.Scope, k)
		if err != nil {
			return nil, err
		}
		f := &AccountForm{Person: rec}
		f.Account, err = payment.GetAccount(ctx, tx, who, k)
		if apperr.KindOf(err) == apperr.NotFound {
			return f, nil
		}
		return f, err
	})
}

// HoldPayment holds the money of person k until a suspected death is
// verified (payment.FlagSuspectedDeath) and returns how many lines it
// held. Staff who register persons, and the finance officer, may: the
// payment package decides.
func (a *App) HoldPayment(ctx context.Context, who auth.Actor, k registry.Key, reason string) (int, error) {
	return write(a, ctx, who, personOp("payment.hold", "", k), func(tx *store.Tx) (int, error) {
		return payment.FlagSuspectedDeath(ctx, tx, who, k, reason)
	})
}

// PaymentParams returns the payment parameters in force in county.
func (a *App) PaymentParams(ctx context.Context, who auth.Actor, county string) (payment.Params, error) {
	o := countyOp("payment.params.read", auth.PermPaymentRead, "payment_params", county, 0)
	return look(a, ctx, who, o, func(tx *store.Tx) (payment.Params, error) {
		return payment.GetParams(ctx, tx, who, county)
	})
}

// SetPaymentParams sets some of county's payment parameters (name →
// value); they are rules, so the role that manages rules sets them.
func (a *App) SetPaymentParams(ctx context.Context, who auth.Actor, county string, values map[string]string) (payment.Params, error) {
	o := countyOp("payment.params.set", auth.PermRulesManage, "payment_params", county, 0)
	return write(a, ctx, who, o, func(tx *store.Tx) (payment.Params, error) {
		return payment.SetParams(ctx, tx, who, county, values)
	})
}
