package store_test

import (
	"context"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestImpactRegion previews county layers over a small synthetic county on
// both engines: a higher 奖扶 amount changes the funds but nobody's
// eligibility, a higher minimum age only removes people, the counts under
// the old rules match a batch evaluation, and an invalid layer is refused
// with nothing stored.
func TestImpactRegion(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			if _, err := store.LoadSynthetic(ctx, db, synth.Config{County: "341523", Persons: 5000, Seed: 7}, nil); err != nil {
				t.Fatal(err)
			}
			var rules []policy.Layer
			if err := db.View(ctx, func(tx *store.Tx) error {
				var err error
				rules, err = tx.PolicyRules(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			opts := store.EvalOptions{County: "341523", Year: 2024, Chunk: 600, Workers: 2}
			preview := func(body string) (policy.ImpactReport, error) {
				l, err := policy.ParseLayer([]byte(body))
				if err != nil {
					t.Fatal(err)
				}
				return db.PreviewLayer(ctx, opts, rules, l)
			}
			program := func(rep policy.ImpactReport, code string) policy.ImpactRow {
				for _, r := range rep.Programs {
					if r.Program == code {
						return r
					}
				}
				t.Fatalf("no %s in %+v", code, rep.Programs)
				return policy.ImpactRow{}
			}

			// +100 yuan a year on 奖扶, paid by the county.
			rep, err := preview(`{"region": "341523", "version": 2, "from": "2024-01-01", "title": "舒城县：奖扶县级加发",
			  "programs": [{"code": "jf", "increments": [{"id": "county_bonus", "from": "2024-01-01", "fen": 10000, "per": "year", "payer": "county"}]}]}`)
			if err != nil {
				t.Fatal(err)
			}
			jf := program(rep, "jf")
			if jf.Before == 0 || jf.Before != jf.After || jf.Gained != 0 || jf.Lost != 0 {
				t.Errorf("jf amount change moved eligibility: %+v", jf)
			}
			if jf.ChangeFen != money.Fen(jf.After)*10000 || jf.NewFen-jf.OldFen != jf.ChangeFen {
				t.Errorf("jf change %d fen for %d persons, want %d", jf.ChangeFen, jf.After, jf.After*10000)
			}
			if rep.Persons == 0 || rep.OldVersion == rep.NewVersion || rep.NewVersion != rep.OldVersion+"+341523@2" {
				t.Errorf("report %d persons, versions %s -> %s", rep.Persons, rep.OldVersion, rep.NewVersion)
			}
			var towns int
			var sum policy.ImpactRow
			for _, r := range rep.Rows {
				if len(r.Township) != 9 || r.Township[:6] != "341523" {
					t.Errorf("township %q", r.Township)
				}
				if r.Program == "jf" {
					towns++
					sum.Before += r.Before
					sum.ChangeFen += r.ChangeFen
				}
			}
			if towns == 0 || sum.Before != jf.Before || sum.ChangeFen != jf.ChangeFen {
				t.Errorf("%d townships add up to %+v, program total %+v", towns, sum, jf)
			}

			// The old side counts what a batch evaluation stores.
			ev, err := policy.NewEvaluator(policy.Options{Layers: rules})
			if err != nil {
				t.Fatal(err)
			}
			st, err := db.EvaluateRegion(ctx, ev, opts)
			if err != nil {
				t.Fatal(err)
			}
			if st.Eligible != rep.Total.Before || st.AmountFen != int64(rep.Total.OldFen) {
				t.Errorf("batch evaluation %d eligible, %d fen; impact before %d, %d fen", st.Eligible, st.AmountFen, rep.Total.Before, rep.Total.OldFen)
			}

			// 奖扶 from 75: people lose it, nobody gains it.
			rep, err = preview(`{"region": "341523", "version": 2, "from": "2024-01-01", "title": "测算：奖扶75周岁",
			  "programs": [{"code": "jf", "params": {"min_age": 75}}]}`)
			if err != nil {
				t.Fatal(err)
			}
			jf = program(rep, "jf")
			if jf.Lost == 0 || jf.Gained != 0 || jf.After != jf.Before-jf.Lost || jf.ChangeFen >= 0 {
				t.Errorf("jf min_age 75: %+v", jf)
			}

			// An invalid layer is refused, naming the field, in a preview
			// and when saved; nothing is stored.
			bad := `{"region": "341523", "version": 1, "from": "2024-01-01", "title": "错误",
			  "programs": [{"code": "jf", "clauses": [{"id": "age", "expr": "age >= P.nope", "text": "x"}]}]}`
			_, err = preview(bad)
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Field != "programs[0].clauses[0].expr" {
				t.Errorf("invalid preview: %v", err)
			}
			l, _ := policy.ParseLayer([]byte(bad))
			county := auth.Actor{UserID: 7, Username: "wjw", Role: auth.RoleCounty, Scope: region.Code("341523")}
			err = db.Update(ctx, func(tx *store.Tx) error { return tx.SavePolicyLayer(ctx, county, l) })
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("invalid save: %v", err)
			}
			var layers, audits int
			if err := db.View(ctx, func(tx *store.Tx) error {
				if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM policy_layers`).Scan(&layers); err != nil {
					return err
				}
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, "policy.layer.create").Scan(&audits)
			}); err != nil {
				t.Fatal(err)
			}
			if layers != 0 || audits != 0 {
				t.Errorf("after previews and a refused layer: %d layers, %d audit entries stored", layers, audits)
			}
			// A county may not add its province's rules.
			up, _ := policy.ParseLayer([]byte(`{"region": "34", "version": 9, "from": "2024-01-01", "title": "x", "programs": [{"code": "jf", "params": {"min_age": 61}}]}`))
			err = db.Update(ctx, func(tx *store.Tx) error { return tx.SavePolicyLayer(ctx, county, up) })
			if apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("county saving a province layer: %v", err)
			}
		})
	}
}
