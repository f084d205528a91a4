package app_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestPensionList: once the county's rules mark a program as a pension
// contribution the county pays (pension_contribution, with its tier),
// the list for the social-insurance office holds that program's
// recipients with what the program is due to each for the year, full ID
// numbers, sex and birth; a recipient of a program not so marked is not
// on it. Only the county downloads it; the township, the finance officer
// and another county are refused and audited; each download is audited.
func TestPensionList(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			var want money.Fen
			for i, n := range []string{"王秀英", "李桂兰"} {
				_, amt := e.enrol(e.family(n, "1960-03-01", i+1), 2024, "2024-02-01")
				want += amt
			}
			e.clock.set("2024-06-01")
			if l, err := e.a.PensionList(ctx, county, "341523", 2024, "xlsx"); err != nil || len(l.Rows) != 0 {
				t.Fatalf("before the rules mark a program: %+v, %v", l, err)
			}
			if err := e.a.SaveLayer(ctx, county, layer(t, `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "奖扶对象养老保险代缴（测试）",
			  "documents": [{"id": "t_1", "issuer": "测试县人民政府", "number": "测政〔2024〕1号", "title": "养老保险代缴", "date": "2024-01-01"}],
			  "programs": [{"code": "jf", "doc": "t_1", "params": {"pension_contribution": 1, "pension_tier_fen": 10000}}]}`)); err != nil {
				t.Fatal(err)
			}
			// Its money goes to the social-insurance office, not to the
			// persons' cards: no payment cycle, and the cycle page says so.
			if _, _, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"}); fieldsOf(err) != "program" {
				t.Errorf("a payment cycle of a pension contribution: %v", err)
			}
			if cl, err := e.a.Cycles(ctx, finance, "341523", payment.CycleFilter{}, "zh"); err != nil || !slices.Equal(cl.Contributions, []string{"jf"}) {
				t.Errorf("the cycle list's contributions: %+v, %v", cl, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM payment_lines`); n != 0 {
				t.Errorf("%d payment lines of a pension contribution", n)
			}
			for _, who := range []auth.Actor{township, finance, villager, neighbour} {
				if _, err := e.a.PensionList(ctx, who, "341523", 2024, "csv"); apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("%s downloads the list: %v", who.Username, err)
				}
			}
			if n := deniedCount(t, e.a.DB(), "341523", township.UserID); n != 1 {
				t.Errorf("%d refusals of the township audited, want 1", n)
			}
			if _, err := e.a.PensionList(ctx, county, "341523", 1999, "csv"); fieldsOf(err) != "year" {
				t.Errorf("a bad year: %v", err)
			}
			l, err := e.a.PensionList(ctx, county, "341523", 2024, "xlsx")
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Programs) != 1 || l.Programs[0].Code != "jf" || l.Programs[0].Tier != 10000 || len(l.Rows) != 2 || l.Total != want {
				t.Fatalf("the list: %+v (want total %d)", l, want)
			}
			r := l.Rows[0]
			if r.Name != "王秀英" || len(r.IDNumber) != 18 || r.IDNumber[6] == '*' || r.Sex != "F" || r.Birth.String() != "1960-03-01" ||
				r.Tier != 10000 || r.Amount <= 0 || r.Region != "341523100201" {
				t.Errorf("the first row: %+v", r)
			}
			var n int
			if err := e.a.DB().View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEntries(ctx, "", store.AuditFilter{County: "341523", Entity: "pension_list", Limit: 100})
				for _, x := range es {
					if x.Action == "pension.list.export" {
						n++
					}
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("%d downloads audited, want 2", n)
			}
		})
	}
}

// TestPensionProgramsOfJinzhai: 金寨's rules of 2013 (rules.md §1.4 A-YL)
// mark its four pension contributions, with the tiers the county pays at.
func TestPensionProgramsOfJinzhai(t *testing.T) {
	a := app.New(storetest.Open(t, store.SQLite), app.DefaultConfig(), nil)
	d, err := a.PolicySheet(t.Context(), auth.System, "341524", 2013)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]money.Fen{}
	for _, p := range app.PensionPrograms(d.Rules) {
		got[p.Code] = p.Tier
	}
	want := map[string]money.Fen{"jz_pension_tf": 100000, "jz_pension_complication": 50000, "jz_pension_daughters": 10000, "jz_pension_certificate": 0}
	if !maps.Equal(got, want) {
		t.Errorf("金寨's pension contributions: %v, want %v", got, want)
	}
}
