package app_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// secondCounty is another officer of the county, who approves the lists
// the first makes.
var secondCounty = auth.Actor{UserID: 302, Username: "xian2", Name: "县复核", Role: auth.RoleCounty, Scope: "341523"}

// TestHelpListPaid follows a 5·29 list from the committee to the bank:
// the county makes it, another county officer approves it (its maker may
// not), the finance officer pays it through a cycle of the one-off
// program, batches it, a second finance officer releases the batch, the
// bank's return is recorded, and the ledger counts the money under the
// program's name, paid by the county.
func TestHelpListPaid(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-05-20")
			addStaff(t, e.a.DB(), secondCounty, approver)
			const renhe, xiaotian = "341523100201", "341523101200"
			a, _, ak := e.family("张秀英", "1970-02-01", renhe, "1995-05-01")
			b, _, bk := e.family("陈桂兰", "1968-06-01", xiaotian, "1992-01-01")
			for _, k := range []registry.Key{ak[0], bk[0]} {
				if _, err := e.a.RecordDeath(e.ctx, auth.System, k, date.MustParse("2024-03-01"), "police"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.a.SweepSpecial(e.ctx, county, "341523"); err != nil {
				t.Fatal(err)
			}
			fs, _, err := e.a.SpecialFamilies(e.ctx, county, "341523", special.Query{})
			if err != nil || len(fs) != 2 {
				t.Fatalf("register %v %v", fs, err)
			}
			ids := []int64{fs[0].ID, fs[1].ID}
			in := special.NewHelpList{Program: policy.ProgramGift529, Period: "2025-05", Amount: "1000", Families: ids, Note: "县计生协会2025年第3次会议纪要"}
			_, err = e.a.MakeHelpList(e.ctx, villager, "341523", in)
			wantKind(t, "a village makes a list", err, apperr.Forbidden)
			_, err = e.a.MakeHelpList(e.ctx, township, "341523", in)
			wantKind(t, "the township lists a family of another township", err, apperr.Invalid)
			l, err := e.a.MakeHelpList(e.ctx, county, "341523", in)
			if err != nil || l.Status != special.ListDraft || l.Amount != money.Yuan(1000) {
				t.Fatalf("list %+v %v", l, err)
			}
			_, err = e.a.PayHelpList(e.ctx, finance, "341523", l.ID)
			wantKind(t, "paying a list not approved", err, apperr.Conflict)
			_, err = e.a.ApproveHelpList(e.ctx, county, "341523", l.ID, l.Version)
			wantKind(t, "the maker approves", err, apperr.Forbidden)
			_, err = e.a.ApproveHelpList(e.ctx, township, "341523", l.ID, l.Version)
			wantKind(t, "the township approves", err, apperr.Forbidden)
			if l, err = e.a.ApproveHelpList(e.ctx, secondCounty, "341523", l.ID, l.Version); err != nil || l.Status != special.ListApproved {
				t.Fatalf("approve %+v %v", l, err)
			}
			_, err = e.a.PayHelpList(e.ctx, county, "341523", l.ID)
			wantKind(t, "the county pays", err, apperr.Forbidden)

			for _, p := range []struct {
				k       registry.Key
				name    string
				account string
			}{{a, "张秀英", "6228480402564890018"}, {b, "陈桂兰", "6228480402564890026"}} {
				if _, err := e.a.SetAccount(e.ctx, finance, p.k, payment.AccountInput{Bank: "402", Number: p.account, Holder: p.name}); err != nil {
					t.Fatal(err)
				}
			}
			c, err := e.a.PayHelpList(e.ctx, finance, "341523", l.ID)
			if err != nil || c.Lines != 2 || c.Total != money.Yuan(2000) || c.Program != policy.ProgramGift529 {
				t.Fatalf("cycle %+v %v", c, err)
			}
			_, err = e.a.PayHelpList(e.ctx, finance, "341523", l.ID)
			wantKind(t, "paying twice", err, apperr.Conflict)

			run, err := e.a.GenerateBatches(e.ctx, finance, "341523", c.ID)
			if err != nil || len(run.Batches) != 1 {
				t.Fatalf("batches %+v %v", run, err)
			}
			bt := run.Batches[0]
			_, err = e.a.ApproveBatch(e.ctx, finance, "341523", bt.ID, payment.Approval{Count: bt.Count, Total: bt.Total})
			wantKind(t, "the maker releases the batch", err, apperr.Forbidden)
			if _, err := e.a.ApproveBatch(e.ctx, approver, "341523", bt.ID, payment.Approval{Count: bt.Count, Total: bt.Total}); err != nil {
				t.Fatal(err)
			}
			var rows []payment.ReturnRow
			for i, it := range bt.Items {
				rows = append(rows, payment.ReturnRow{Row: i + 2, LineID: it.LineID, Amount: it.Amount, Result: payment.ResultPaid})
			}
			if _, err := e.a.Reconcile(e.ctx, finance, "341523", bt.ID, rows); err != nil {
				t.Fatal(err)
			}
			led, err := e.a.Ledger(e.ctx, finance, 2025, "341523", "", "zh")
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, g := range led.ByProgram {
				if g.Key == policy.ProgramGift529 {
					found = true
					if g.Name != "计生特殊家庭5·29慰问" || g.Persons != 2 || g.Amount != money.Yuan(2000) || g.Split[3] != money.Yuan(2000) {
						t.Errorf("ledger %+v", g)
					}
				}
			}
			if !found {
				t.Errorf("the ledger lacks the gift: %+v", led.ByProgram)
			}
			lists, err := e.a.HelpLists(e.ctx, county, "341523")
			if err != nil || len(lists) != 1 || lists[0].Status != special.ListPaid || lists[0].CycleID != c.ID {
				t.Errorf("lists %+v %v", lists, err)
			}
		})
	}
}
