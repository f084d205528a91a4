package app_test

import (
	"fmt"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// approver is a second finance officer of 舒城县: the maker of a batch
// cannot approve it.
var approver = auth.Actor{UserID: 404, Username: "cw3", Name: "复核", Role: auth.RoleFinance, Scope: "341523"}

// releasedBatch enrols two persons, gives them accounts at bank and
// returns the approved batch of their cycle.
func (e *payEnv) releasedBatch(bank string) *payment.Batch {
	e.t.Helper()
	addStaff(e.t, e.a.DB(), approver)
	for i, p := range []struct{ name, birth, account string }{
		{"王秀英", "1960-03-01", "6228480402564890018"},
		{"李桂兰", "1962-07-01", "6228480402564890026"},
	} {
		w := e.family(p.name, p.birth, i+1)
		e.enrol(w, 2024, "2024-02-01")
		if _, err := e.a.SetAccount(e.ctx, finance, registry.Key{County: w.County, ID: w.ID},
			payment.AccountInput{Bank: bank, Number: p.account, Holder: p.name}); err != nil {
			e.t.Fatal(err)
		}
	}
	e.clock.set("2024-06-20")
	c, _, err := e.a.GenerateCycle(e.ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"})
	if err != nil {
		e.t.Fatal(err)
	}
	run, err := e.a.GenerateBatches(e.ctx, finance, "341523", c.ID)
	if err != nil || len(run.Batches) != 1 {
		e.t.Fatalf("batches %+v: %v", run, err)
	}
	b := run.Batches[0]
	if _, err := e.a.ApproveBatch(e.ctx, approver, "341523", b.ID, payment.Approval{Count: b.Count, Total: b.Total}); err != nil {
		e.t.Fatal(err)
	}
	return &b
}

// TestRecallBatch: a released batch is recalled by the finance officer
// with a reason before the bank confirms anything; its lines are pending
// again and go into the next batch, the recalled batch's file is void,
// and the recall is audited. A draft or reconciled batch cannot be
// recalled, a reason is required, and other roles and counties are
// refused (and audited).
func TestRecallBatch(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			b := e.releasedBatch("103")
			if _, err := e.a.BankFile(ctx, finance, "341523", b.ID); err != nil {
				t.Fatalf("the approved batch's file: %v", err)
			}

			refusals := []struct {
				who    auth.Actor
				reason string
				kind   apperr.Kind
			}{
				{finance, "  ", apperr.Invalid},
				{county, "账号有误", apperr.Forbidden},    // the county approver does not pay
				{villager, "账号有误", apperr.Forbidden},  // nor does the village
				{neighbour, "账号有误", apperr.Forbidden}, // another county's finance
			}
			for _, r := range refusals {
				if _, err := e.a.RecallBatch(ctx, r.who, "341523", b.ID, r.reason); apperr.KindOf(err) != r.kind {
					t.Errorf("recall by %s with %q: %v, want %s", r.who.Username, r.reason, err, r.kind)
				}
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'`); n != 3 {
				t.Errorf("%d refusals audited, want 3", n)
			}

			got, err := e.a.RecallBatch(ctx, finance, "341523", b.ID, "户名与账号不符，银行未处理")
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != payment.Recalled || got.RecalledBy != finance.UserID || got.RecallReason != "户名与账号不符，银行未处理" || got.RecalledAt == nil {
				t.Errorf("recalled batch %+v", got)
			}
			stored, err := e.a.Batch(ctx, finance, "341523", b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Status != payment.Recalled || stored.RecalledByName != finance.Name || stored.ApprovedBy != approver.UserID || len(stored.Items) != 2 {
				t.Errorf("stored batch %+v", stored)
			}
			if n := e.count(`SELECT COUNT(*) FROM payment_lines WHERE status = 'pending' AND batch_id IS NULL`); n != 2 {
				t.Errorf("%d lines pending again, want 2", n)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'payment.batch.recall' AND entity_id = ?`, fmt.Sprint(b.ID)); n != 1 {
				t.Errorf("%d recall entries", n)
			}
			if _, err := e.a.BankFile(ctx, finance, "341523", b.ID); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("the recalled batch's file: %v", err)
			}
			if _, err := e.a.RecallBatch(ctx, finance, "341523", b.ID, "再次"); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second recall: %v", err)
			}
			if _, err := e.a.ApproveBatch(ctx, approver, "341523", b.ID, payment.Approval{Count: b.Count, Total: b.Total}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("approving the recalled batch: %v", err)
			}

			// The lines go into a new batch, which is drafted, then cannot
			// be recalled (there is nothing released to take back).
			run, err := e.a.GenerateBatches(ctx, finance, "341523", b.CycleID)
			if err != nil || len(run.Batches) != 1 || run.Batches[0].Count != 2 || run.Batches[0].Total != b.Total {
				t.Fatalf("batches after the recall %+v: %v", run, err)
			}
			nb := run.Batches[0]
			if _, err := e.a.RecallBatch(ctx, finance, "341523", nb.ID, "草稿"); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("recalling a draft: %v", err)
			}
			if _, err := e.a.ApproveBatch(ctx, approver, "341523", nb.ID, payment.Approval{Count: nb.Count, Total: nb.Total}); err != nil {
				t.Fatal(err)
			}
			// Once the bank's return file is recorded, the batch stays.
			var rows []payment.ReturnRow
			for i, it := range nb.Items {
				rows = append(rows, payment.ReturnRow{Row: i + 2, LineID: it.LineID, Amount: it.Amount, Result: payment.ResultPaid})
			}
			if _, err := e.a.Reconcile(ctx, finance, "341523", nb.ID, rows); err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.RecallBatch(ctx, finance, "341523", nb.ID, "太晚了"); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("recalling a reconciled batch: %v", err)
			}
			if n := e.count(`SELECT COUNT(*) FROM payment_lines WHERE status = 'paid'`); n != 2 {
				t.Errorf("%d lines paid, want 2", n)
			}
		})
	}
}

// TestPaymentParamsByCountyOnly: the county's own rules role sets its
// payment parameters, the back-pay window included; city and province
// users, who manage rules of their own level, may read them but are
// refused (and audited) when they try to change them.
func TestPaymentParamsByCountyOnly(t *testing.T) {
	city := auth.Actor{UserID: 501, Username: "shi", Name: "市卫健委", Role: auth.RoleCity, Scope: "341500"}
	province := auth.Actor{UserID: 601, Username: "sheng", Name: "省卫健委", Role: auth.RoleProvince, Scope: "340000"}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			addStaff(t, e.a.DB(), city, province)
			ctx := e.ctx
			for _, who := range []auth.Actor{city, province} {
				if _, err := e.a.SetPaymentParams(ctx, who, "341523", map[string]string{"back_pay_years": "3"}); apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("%s sets the back-pay window: %v", who.Role, err)
				}
				if p, err := e.a.PaymentParams(ctx, who, "341523"); err != nil || p.BackPayYears != 0 {
					t.Errorf("%s reads the parameters: %+v, %v", who.Role, p, err)
				}
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'`); n != 2 {
				t.Errorf("%d refusals audited, want 2", n)
			}
			if _, err := e.a.SetPaymentParams(ctx, finance, "341523", map[string]string{"back_pay_years": "3"}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("finance sets the parameters: %v", err)
			}
			p, err := e.a.SetPaymentParams(ctx, county, "341523", map[string]string{"back_pay_years": "2"})
			if err != nil || p.BackPayYears != 2 {
				t.Fatalf("the county sets the back-pay window: %+v, %v", p, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM payment_params WHERE county = '341523' AND name = 'back_pay_years' AND value = '2'`); n != 1 {
				t.Errorf("the county's value is not stored")
			}
		})
	}
}
