package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// GenerateBatches puts the pending lines of cycle id of county into one
// batch per bank (payment.GenerateBatches).
func (a *App) GenerateBatches(ctx context.Context, who auth.Actor, county string, id int64) (*payment.BatchRun, error) {
	o := countyOp("payment.batch.create", auth.PermPaymentManage, "payment_cycle", county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.BatchRun, error) {
		return payment.GenerateBatches(ctx, tx, who, county, id)
	})
}

// Batches lists the batches of county that f selects.
func (a *App) Batches(ctx context.Context, who auth.Actor, county string, f payment.BatchFilter) ([]payment.Batch, error) {
	o := countyOp("payment.batch.list", auth.PermPaymentRead, "payment_batch", county, 0)
	return look(a, ctx, who, o, func(tx *store.Tx) ([]payment.Batch, error) {
		return tx.PaymentBatches(ctx, county, f)
	})
}

// Batch returns batch id of county with its items.
func (a *App) Batch(ctx context.Context, who auth.Actor, county string, id int64) (*payment.Batch, error) {
	o := countyOp("payment.batch.read", auth.PermPaymentRead, "payment_batch", county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) (*payment.Batch, error) {
		return tx.PaymentBatch(ctx, county, id)
	})
}

// ApproveBatch releases batch id of county with the count and total the
// approver checked; the maker cannot approve (payment.Approve).
func (a *App) ApproveBatch(ctx context.Context, who auth.Actor, county string, id int64, in payment.Approval) (*payment.Batch, error) {
	o := countyOp("payment.batch.approve", auth.PermPaymentApprove, "payment_batch", county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.Batch, error) {
		return payment.Approve(ctx, tx, who, county, id, in)
	})
}

// RecallBatch takes back released batch id of county before the bank has
// confirmed anything, with the reason; its lines are pending again
// (payment.Recall).
func (a *App) RecallBatch(ctx context.Context, who auth.Actor, county string, id int64, reason string) (*payment.Batch, error) {
	o := countyOp("payment.batch.recall", auth.PermPaymentManage, "payment_batch", county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.Batch, error) {
		return payment.Recall(ctx, tx, who, county, id, reason)
	})
}

// BankFile returns the bank file of approved batch id of county, laid out
// as the county's template for the batch's bank says (payment.BatchFile).
func (a *App) BankFile(ctx context.Context, who auth.Actor, county string, id int64) (*payment.BankFiles, error) {
	o := countyOp("payment.batch.file", auth.PermPaymentManage, "payment_batch", county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) (*payment.BankFiles, error) {
		return payment.BatchFile(ctx, tx, who, a.tree(), county, id)
	})
}

// BankTemplates returns, for every bank, the layout of county's files for
// it: the county's template or the generic layout.
func (a *App) BankTemplates(ctx context.Context, who auth.Actor, county string) ([]payment.BankTemplateView, error) {
	o := countyOp("payment.bank_template.list", auth.PermPaymentRead, "bank_template", county, 0)
	return look(a, ctx, who, o, func(tx *store.Tx) ([]payment.BankTemplateView, error) {
		return payment.BankTemplates(ctx, tx, who, county)
	})
}

// SetBankTemplate sets the layout of county's files for bank, over the
// template's version read (0: none yet); finance only, validated and
// audited (payment.SetBankTemplate).
func (a *App) SetBankTemplate(ctx context.Context, who auth.Actor, county, bank string, l payment.BankLayout, version int) (*payment.BankTemplate, error) {
	o := countyOp("payment.bank_template.set", auth.PermPaymentManage, "bank_template", county, 0)
	o.target.ID = bank
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.BankTemplate, error) {
		return payment.SetBankTemplate(ctx, tx, who, county, bank, l, version)
	})
}

// ResetBankTemplate removes county's template for bank, whose files then
// follow the generic layout (payment.ResetBankTemplate).
func (a *App) ResetBankTemplate(ctx context.Context, who auth.Actor, county, bank string, version int) error {
	o := countyOp("payment.bank_template.reset", auth.PermPaymentManage, "bank_template", county, 0)
	o.target.ID = bank
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		return payment.ResetBankTemplate(ctx, tx, who, county, bank, version)
	})
}

// PreviewReturns checks a bank's return file against batch id of county and
// says what Reconcile would record, recording nothing.
func (a *App) PreviewReturns(ctx context.Context, who auth.Actor, county string, id int64, rows []payment.ReturnRow) (*payment.ReconcileResult, error) {
	o := countyOp("payment.batch.preview_returns", auth.PermPaymentManage, "payment_batch", county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) (*payment.ReconcileResult, error) {
		return payment.PreviewReturns(ctx, tx, who, county, id, rows)
	})
}

// Reconcile applies a bank's return file to batch id of county
// (payment.Reconcile).
func (a *App) Reconcile(ctx context.Context, who auth.Actor, county string, id int64, rows []payment.ReturnRow) (*payment.ReconcileResult, error) {
	o := countyOp("payment.batch.reconcile", auth.PermPaymentManage, "payment_batch", county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.ReconcileResult, error) {
		return payment.Reconcile(ctx, tx, who, county, id, rows)
	})
}

// Retries lists the failed lines of county and whether each one's account
// has been fixed since.
func (a *App) Retries(ctx context.Context, who auth.Actor, county string) ([]payment.Retry, error) {
	o := countyOp("payment.retry.list", auth.PermPaymentRead, "payment_line", county, 0)
	return look(a, ctx, who, o, func(tx *store.Tx) ([]payment.Retry, error) {
		return payment.Retries(ctx, tx, who, county)
	})
}

// GenerateRetryBatches puts the failed lines of county whose account was
// fixed into retry batches (payment.GenerateRetryBatches).
func (a *App) GenerateRetryBatches(ctx context.Context, who auth.Actor, county string) (*payment.BatchRun, error) {
	o := countyOp("payment.retry.batch", auth.PermPaymentManage, "payment_batch", county, 0)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.BatchRun, error) {
		return payment.GenerateRetryBatches(ctx, tx, who, county)
	})
}

// VerifyLine settles held line id of county: released to be paid, or
// cancelled (payment.VerifyHeld). The township verifies its own people, so
// the line's region, not the county, is checked against the scope.
func (a *App) VerifyLine(ctx context.Context, who auth.Actor, county string, id int64, v payment.Verdict) (*payment.Line, error) {
	o := op{name: "payment.line.verify", perm: auth.PermEligibility,
		target: Target{Entity: "payment_line", ID: strconv.FormatInt(id, 10)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			if c, err := region.ParseCode(county); err != nil || c.Level() != region.County {
				return "", nil // the payment package names the field
			}
			l, err := tx.PaymentLine(ctx, county, id)
			if err != nil {
				return "", err
			}
			return region.Code(l.Region), nil
		}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.Line, error) {
		return payment.VerifyHeld(ctx, tx, who, county, id, v)
	})
}
