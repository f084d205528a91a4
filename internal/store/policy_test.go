package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestEvaluateRegion loads a small synthetic county, evaluates it in batch
// and checks the stored determinations against the one-family path
// (policy.Evaluate on the family read back by FamilyFacts), on both engines.
func TestEvaluateRegion(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			cfg := synth.Config{County: "341523", Persons: 3000, Seed: 7}
			if _, err := store.LoadSynthetic(ctx, db, cfg, nil); err != nil {
				t.Fatal(err)
			}
			ev, err := policy.NewEvaluator(policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			opts := store.EvalOptions{County: "341523", Year: 2024, Chunk: 700, Workers: 2}
			st, err := db.EvaluateRegion(ctx, ev, opts)
			if err != nil {
				t.Fatal(err)
			}
			if st.Persons == 0 || st.Eligible == 0 {
				t.Fatalf("stats %+v: nothing evaluated or nobody eligible", st)
			}
			n, _, err := db.ScanFloor(ctx, opts)
			if err != nil || n != st.Persons {
				t.Fatalf("scan floor read %d persons (%v), evaluation %d", n, err, st.Persons)
			}
			// A second run replaces, not adds.
			st2, err := db.EvaluateRegion(ctx, ev, opts)
			if err != nil || st2.Eligible != st.Eligible || st2.AmountFen != st.AmountFen {
				t.Fatalf("second run %+v (%v), first %+v", st2, err, st)
			}
			var rows int
			var total int64
			if err := db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM determinations WHERE county = ? AND year = ?`,
					"341523", 2024).Scan(&rows, &total)
			}); err != nil {
				t.Fatal(err)
			}
			if rows != st.Eligible || total != st.AmountFen {
				t.Errorf("stored %d rows %d fen, stats say %d rows %d fen", rows, total, st.Eligible, st.AmountFen)
			}
			// Cross-check a sample of persons against the single-family path.
			var ids []int64
			if err := db.View(ctx, func(tx *store.Tx) error {
				r, err := tx.Query(ctx, `SELECT DISTINCT person_id FROM determinations WHERE county = ? AND year = ? ORDER BY person_id LIMIT 40`, "341523", 2024)
				if err != nil {
					return err
				}
				defer r.Close()
				for r.Next() {
					var id int64
					if err := r.Scan(&id); err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return r.Err()
			}); err != nil {
				t.Fatal(err)
			}
			if len(ids) == 0 {
				t.Fatal("no determinations to check")
			}
			for _, id := range ids {
				var fam []store.Determination
				var want map[string]int64
				err := db.View(ctx, func(tx *store.Tx) error {
					// The registry's family view, as the UI and the procedure see it.
					f, err := registry.FamilyView(ctx, tx, auth.System, registry.Key{County: "341523", ID: id})
					if err != nil {
						return err
					}
					c := &policy.Case{Year: 2024, Region: "341523", Family: *f, Subjects: []string{itoa(id)}}
					res, err := ev.Evaluate(c)
					if err != nil {
						return err
					}
					want = map[string]int64{}
					for _, d := range res.Decisions {
						if d.Eligible {
							want[d.Program] = int64(d.AmountFen)
						}
					}
					fam, err = tx.Determinations(ctx, "341523", id, 2024)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]int64{}
				for _, d := range fam {
					got[d.Program] = d.AmountFen
					if d.Funding[0]+d.Funding[1]+d.Funding[2]+d.Funding[3] != d.AmountFen {
						t.Errorf("person %d %s: funding does not add up", id, d.Program)
					}
				}
				if len(got) != len(want) {
					t.Errorf("person %d: batch %v, single %v", id, got, want)
					continue
				}
				for k, v := range want {
					if got[k] != v {
						t.Errorf("person %d %s: batch %d, single %d", id, k, got[k], v)
					}
				}
			}
		})
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// TestSavePolicyLayer stores a validated county layer with its audit entry
// and refuses invalid layers, duplicates and actors out of scope.
func TestSavePolicyLayer(t *testing.T) {
	body := `{"region": "341523", "version": 2, "from": "2025-01-01", "title": "舒城县：奖扶县级加发",
	  "programs": [{"code": "jf", "increments": [{"id": "county_bonus", "from": "2025-01-01", "fen": 12000, "per": "year", "payer": "county"}]}]}`
	county := auth.Actor{UserID: 7, Username: "wjw", Role: auth.RoleCounty, Scope: region.Code("341523")}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			l, err := policy.ParseLayer([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			save := func(a auth.Actor, l *policy.Layer) error {
				return db.Update(ctx, func(tx *store.Tx) error { return tx.SavePolicyLayer(ctx, a, l) })
			}
			if err := save(county, l); err != nil {
				t.Fatal(err)
			}
			if err := save(county, l); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("duplicate version: %v, want a conflict", err)
			}
			other := county
			other.Scope = region.Code("341524")
			l2 := *l
			l2.Version = 3
			if err := save(other, &l2); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("out of scope: %v, want forbidden", err)
			}
			village := county
			village.Role = auth.RoleVillage
			if err := save(village, &l2); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("village role: %v, want forbidden", err)
			}
			bad := l2
			bad.Programs = []policy.ProgramLayer{{Code: "jf", Clauses: []policy.ClauseDef{{ID: "age", Expr: "age >= P.nope", Text: "x"}}}}
			if err := save(county, &bad); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("invalid layer: %v, want invalid", err)
			}
			var rules []policy.Layer
			var entries []audit.Entry
			if err := db.View(ctx, func(tx *store.Tx) error {
				var err error
				if rules, err = tx.PolicyRules(ctx); err != nil {
					return err
				}
				entries, err = tx.AuditEntries(ctx, "", store.AuditFilter{County: "341523"})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			ev, err := policy.NewEvaluator(policy.Options{Layers: rules})
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := ev.Version("341523", 2025); !strings.Contains(v, "341523@2") {
				t.Errorf("stored layer not in force: %s", v)
			}
			found := false
			for _, e := range entries {
				if e.Action == "policy.layer.create" && e.EntityID == "341523@2" && e.UserID == 7 {
					found = true
				}
			}
			if !found {
				t.Errorf("no audit entry for the saved layer in %d entries", len(entries))
			}
		})
	}
}

// BenchmarkEval evaluates a synthetic county (50,000 persons, loaded once
// per engine) and reports persons/s and the ratio of evaluation time to
// the scan floor, the figure design §7 bounds by 3.
func BenchmarkEval(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, engine)
			if _, err := store.LoadSynthetic(ctx, db, synth.Config{County: "341523", Persons: 50000, Seed: 3}, nil); err != nil {
				b.Fatal(err)
			}
			if engine == store.Postgres {
				if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, `ANALYZE`); return err }); err != nil {
					b.Fatal(err)
				}
			}
			ev, err := policy.NewEvaluator(policy.Options{})
			if err != nil {
				b.Fatal(err)
			}
			opts := store.EvalOptions{County: "341523", Year: 2024}
			var evalT, floorT float64
			persons := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n, ft, err := db.ScanFloor(ctx, opts)
				if err != nil {
					b.Fatal(err)
				}
				st, err := db.EvaluateRegion(ctx, ev, opts)
				if err != nil {
					b.Fatal(err)
				}
				if st.Persons != n {
					b.Fatalf("evaluated %d, floor read %d", st.Persons, n)
				}
				persons += n
				floorT += ft.Seconds()
				evalT += st.Elapsed.Seconds()
			}
			b.ReportMetric(float64(persons)/evalT, "persons/s")
			b.ReportMetric(evalT/floorT, "eval/floor")
		})
	}
}

// TestEvaluateHonoursTheRoll checks that batch evaluation reads the
// confirmation dates of the recipient roll: special assistance is not paid
// for years before the confirmation year (design §5), and is paid from it.
func TestEvaluateHonoursTheRoll(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			fixedClock(db)
			w := register(t, db, person(t, "李秀英", "F", "1964-12-31", 12))
			c := register(t, db, person(t, "张伟", "M", "1987-04-12", 13))
			k := func(r *registry.Record) registry.Key { return registry.Key{County: r.County, ID: r.ID} }
			yes := true
			err := db.Update(ctx, func(tx *store.Tx) error {
				if _, err := registry.AddChild(ctx, tx, villager, k(w), k(c), registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
					return err
				}
				if _, err := registry.RecordDeath(ctx, tx, villager, k(c), date.MustParse("2020-08-10"), "police"); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, created_at, updated_at)
					VALUES (?, 1, ?, 'tf_death', ?, ?, 2025, ?, ?)`, w.County, w.ID, w.Region, date.MustParse("2025-03-01"),
					"2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := policy.NewEvaluator(policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tt := range []struct {
				year int
				want bool
			}{{2024, false}, {2025, true}} {
				if _, err := db.EvaluateRegion(ctx, ev, store.EvalOptions{County: w.County, Year: tt.year}); err != nil {
					t.Fatal(err)
				}
				var ds []store.Determination
				db.View(ctx, func(tx *store.Tx) error {
					ds, err = tx.Determinations(ctx, w.County, w.ID, tt.year)
					return err
				})
				got := false
				for _, d := range ds {
					got = got || d.Program == "tf_death"
				}
				if got != tt.want {
					t.Errorf("%d: tf_death determined = %v, want %v (confirmed 2025-03-01)", tt.year, got, tt.want)
				}
			}
		})
	}
}
