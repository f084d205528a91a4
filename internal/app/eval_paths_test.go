package app_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestEvaluateSameAsIDLists evaluates a generated county with the batch
// evaluation (the county reader, workers, multi-row writes) and again
// with the earlier path — the families read chunk by chunk with id lists
// and every person decided one after the other, explained, so that every
// clause of every month is tested on every fact — and checks that the
// stored determinations are exactly those of the earlier path: the same
// persons and programs, amounts, months and shares, on both engines.
func TestEvaluateSameAsIDLists(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := synthetic(t, engine, 6000, 21)
			opts := app.EvalOptions{Region: synthCounty, Year: 2024, Chunk: 900, Workers: 3}
			st, err := a.Evaluate(ctx, auth.System, opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]policy.Determination{}
			if err := a.DB().View(ctx, func(tx *store.Tx) error {
				rows, err := tx.Query(ctx, `SELECT program, person_id, eligible, amount_fen, months, central_fen, province_fen,
					city_fen, county_fen, rule_version FROM determinations WHERE county = ? AND year = ?`, synthCounty, 2024)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					d := policy.Determination{County: synthCounty, Year: 2024}
					if err := rows.Scan(&d.Program, &d.PersonID, &d.Eligible, &d.AmountFen, &d.Months,
						&d.Funding[0], &d.Funding[1], &d.Funding[2], &d.Funding[3], &d.RuleVersion); err != nil {
						return err
					}
					got[fmt.Sprint(d.PersonID, d.Program)] = d
				}
				return rows.Err()
			}); err != nil {
				t.Fatal(err)
			}

			ev, err := policy.NewEvaluator(policy.Options{Explain: true})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]policy.Determination{}
			persons, review := 0, 0
			scan := store.FamilyScan{County: synthCounty, Year: 2024, Chunk: 700, ByIDLists: true}
			for fs, err := range a.DB().ScanFamilies(ctx, scan) {
				if err != nil {
					t.Fatal(err)
				}
				if err := fs.Each(func(id int64, f *registry.Family) error {
					persons++
					res, err := ev.Evaluate(&policy.Case{Year: 2024, Region: synthCounty, Family: *f, Subjects: []string{f.Persons[0].Ref}})
					if err != nil {
						return err
					}
					for _, d := range res.Decisions {
						switch {
						case d.Status == policy.StatusReview:
							review++
						case d.Eligible:
							want[fmt.Sprint(id, d.Program)] = policy.Determine(synthCounty, 2024, id, st.RuleVersion, d, false)
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			if persons != st.Persons || review != st.Review {
				t.Errorf("earlier path: %d persons, %d to review; batch: %d, %d", persons, review, st.Persons, st.Review)
			}
			if len(want) == 0 || len(want) != len(got) {
				t.Errorf("earlier path: %d eligible determinations, batch stored %d", len(want), len(got))
			}
			for k, w := range want {
				if g, ok := got[k]; !ok || g != w {
					t.Errorf("person and program %s: batch stored %+v, earlier path %+v", k, g, w)
				}
			}
		})
	}
}
