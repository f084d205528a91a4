package app_test

import (
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestBudgetAndCalendar: the year's budget from the roll and the rules
// equals, level by level, what the year's payment cycle then pays; funds
// received are recorded against it by the finance officer only; and after
// the on-card deadline (8月底) the calendar lists by township what
// reached the cards in time and, with the reason, what did not.
func TestBudgetAndCalendar(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			for i, n := range []string{"王秀英", "李桂兰"} {
				w := e.family(n, "1960-03-01", i+1)
				e.enrol(w, 2023, "2023-02-01")
				if _, err := e.a.SetAccount(ctx, finance, registry.Key{County: w.County, ID: w.ID},
					payment.AccountInput{Bank: "103", Number: []string{"6228480402564890018", "6228480402564890026"}[i], Holder: n}); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.set("2024-03-10")
			b, err := e.a.Budget(ctx, finance, "341523", 2024)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Lines) != 1 || b.Lines[0].Program != "jf" || b.Lines[0].Persons != 2 || b.Due.Total() <= 0 {
				t.Fatalf("the budget: %+v", b)
			}
			c, lines, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"})
			if err != nil {
				t.Fatal(err)
			}
			var paid payment.Split
			for _, l := range lines {
				paid = paid.Add(l.Split)
			}
			if paid != b.Lines[0].Due {
				t.Errorf("the budget by level %v, the year's cycle pays %v", b.Lines[0].Due, paid)
			}

			// Funds received.
			f := payment.Fund{County: "341523", Year: 2024, Program: "jf", Level: "central", Amount: money.Fen(100000),
				Received: date.MustParse("2024-03-01"), Document: "财社〔2024〕12号"}
			if _, err := e.a.RecordFund(ctx, county, f); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the county approver records funds: %v", err)
			}
			if _, err := e.a.RecordFund(ctx, neighbour, f); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("another county's finance records funds: %v", err)
			}
			bad := f
			bad.Level, bad.Amount = "village", 0
			if _, err := e.a.RecordFund(ctx, finance, bad); fieldsOf(err) != "level,amount" {
				t.Errorf("a bad fund: %v (fields %q)", err, fieldsOf(err))
			}
			if _, err := e.a.RecordFund(ctx, finance, f); err != nil {
				t.Fatal(err)
			}
			b, err = e.a.Budget(ctx, county, "341523", 2024)
			if err != nil || b.Received[0] != 100000 || b.Lines[0].Short[0] != b.Lines[0].Due[0]-100000 || len(b.Funds) != 1 {
				t.Fatalf("the budget with funds: %+v, %v", b, err)
			}

			// The calendar after the deadline.
			run, err := e.a.GenerateBatches(ctx, finance, "341523", c.ID)
			if err != nil || len(run.Batches) != 1 {
				t.Fatalf("batches: %+v, %v", run, err)
			}
			first := run.Batches[0].Items[0].LineID
			if err := e.a.DB().Update(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE payment_lines SET status = 'paid', paid_on = '2024-08-20' WHERE county = '341523' AND id = ?`, first)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			e.clock.set("2024-09-05")
			cal, err := e.a.PaymentCalendar(ctx, finance, "341523", 2024)
			if err != nil {
				t.Fatal(err)
			}
			if !cal.Passed || cal.Deadline != date.MustParse("2024-08-31") || len(cal.Periods) != 1 || len(cal.Townships) != 1 {
				t.Fatalf("the calendar: %+v", cal)
			}
			tw := cal.Townships[0]
			if tw.Code != "341523100000" || tw.Lines != 2 || tw.OnTime != 1 || tw.Open != 1 || len(tw.Missing) != 1 ||
				!strings.Contains(payment.MissReason(tw.Missing[0]), "未审批") {
				t.Errorf("the township: %+v", tw)
			}
			if _, err := e.a.PaymentCalendar(ctx, villager, "341523", 2024); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the village reads the calendar: %v", err)
			}
		})
	}
}
