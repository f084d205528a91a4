package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/store"
)

// Money from budget to card (package payment, budget.go): the year's
// budget from the roll and the rules, the funds received, and the payment
// calendar with the on-card deadline by township.

// Budget computes county's budget for year by program and paying level,
// against the funds received.
func (a *App) Budget(ctx context.Context, who auth.Actor, county string, year int) (*payment.Budget, error) {
	o := countyOp("payment.budget", auth.PermPaymentRead, "budget_fund", county, 0)
	return look(a, ctx, who, o, func(tx *store.Tx) (*payment.Budget, error) {
		as, err := a.assessor(ctx, tx)
		if err != nil {
			return nil, err
		}
		return payment.ComputeBudget(ctx, tx, as, who, county, year)
	})
}

// RecordFund records money received for a program's year from a level.
func (a *App) RecordFund(ctx context.Context, who auth.Actor, f payment.Fund) (*payment.Fund, error) {
	o := countyOp("payment.fund.record", auth.PermPaymentManage, "budget_fund", f.County, 0)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.Fund, error) {
		return payment.RecordFund(ctx, tx, who, f)
	})
}

// PaymentCalendar returns county's payment calendar of year.
func (a *App) PaymentCalendar(ctx context.Context, who auth.Actor, county string, year int) (*payment.Calendar, error) {
	o := countyOp("payment.calendar", auth.PermPaymentRead, "payment_cycle", county, 0)
	return look(a, ctx, who, o, func(tx *store.Tx) (*payment.Calendar, error) {
		return payment.PaymentCalendar(ctx, tx, who, county, year)
	})
}
