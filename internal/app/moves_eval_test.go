package app_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestBatchReadsRelativesAcrossCounties moves a mother of 舒城县 to the
// neighbouring county while her husband and son stay behind, and checks
// that the new county's batch readers — the county reader of `jiahe eval`
// and the reader by id lists of a township — give her the family the
// person's own view gives, relatives of the old county included, and so
// the same determinations; the batch evaluation stores them.
func TestBatchReadsRelativesAcrossCounties(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w := e.family("王秀英", "1960-03-01", 1)
			e.enrol(w, 2024, "2024-02-01")
			e.family("李桂兰", "1962-07-01", 2) // stays, with her family
			e.clock.set("2024-05-20")
			tr, err := e.a.StartTransfer(ctx, county, move.Start{County: "341523", PersonID: w.ID, ToCounty: "341522", ToRegion: newVillage,
				MovedOn: date.MustParse("2024-05-10"), Source: move.SourceHand})
			if err != nil {
				t.Fatal(err)
			}
			in, err := e.a.Transfers(ctx, otherCounty, "341522", move.SideIn)
			if err != nil || len(in) != 1 {
				t.Fatalf("%+v %v", in, err)
			}
			acc, err := e.a.DecideTransfer(ctx, otherCounty, "341522", in[0].ID, move.Decision{Accept: true, Version: in[0].Version})
			if err != nil || acc.NewPersonID == 0 {
				t.Fatalf("the acceptance of %d: %+v %v", tr.ID, acc, err)
			}
			nk := registry.Key{County: "341522", ID: acc.NewPersonID}
			e.clock.set("2025-03-01")

			ev, err := policy.NewEvaluator(policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			decide := func(f *registry.Family) []string {
				res, err := ev.Evaluate(&policy.Case{Year: 2025, Region: "341522", Family: *f, Subjects: []string{f.Persons[0].Ref}})
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, d := range res.Decisions {
					out = append(out, fmt.Sprintf("%s %v %s %d", d.Program, d.Eligible, d.Status, d.AmountFen))
				}
				slices.Sort(out)
				return out
			}
			one, err := e.a.Family(ctx, otherCounty, nk)
			if err != nil || len(one.Persons) != 3 {
				t.Fatalf("the person's own family: %+v %v", one, err)
			}
			want := decide(one)
			for _, byIDs := range []bool{false, true} {
				var got *registry.Family
				var gotDec []string
				for fs, err := range e.a.DB().ScanFamilies(ctx, store.FamilyScan{County: "341522", Year: 2025, ByIDLists: byIDs}) {
					if err != nil {
						t.Fatal(err)
					}
					if f := fs.Family(nk.ID); f != nil {
						got, gotDec = f, decide(f)
					}
				}
				if got == nil || len(got.Persons) != len(one.Persons) || len(got.Children) != len(one.Children) || len(got.Marriages) != len(one.Marriages) {
					t.Errorf("by id lists %v: the batch family %+v, the person's %+v", byIDs, got, one)
					continue
				}
				for i := range got.Persons {
					if got.Persons[i].Ref != one.Persons[i].Ref {
						t.Errorf("by id lists %v: person %d is %s, the person's view has %s", byIDs, i, got.Persons[i].Ref, one.Persons[i].Ref)
					}
				}
				equal(t, fmt.Sprintf("decisions by id lists %v", byIDs), gotDec, want)
			}
			st, err := e.a.Evaluate(ctx, auth.System, app.EvalOptions{Region: "341522", Year: 2025, Workers: 2})
			if err != nil || st.Persons != 1 {
				t.Fatalf("the batch evaluation: %+v %v", st, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM determinations WHERE county = '341522' AND person_id = ? AND eligible = ?`, nk.ID, true); n != st.Eligible || n == 0 {
				t.Errorf("%d eligible determinations stored for her, %d counted", n, st.Eligible)
			}
		})
	}
}
