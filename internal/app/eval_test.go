package app_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// synthCounty is the synthetic county of these tests: 舒城县.
const synthCounty = "341523"

var (
	countyActor  = auth.Actor{UserID: 7, Username: "wjw", Role: auth.RoleCounty, Scope: synthCounty}
	evalVillager = auth.Actor{UserID: 8, Username: "cz", Role: auth.RoleVillage, Scope: synthCounty}
)

// synthetic returns the use-case layer over a fresh database of engine
// holding a synthetic county of n persons.
func synthetic(t testing.TB, engine store.Engine, n int, seed uint64) *app.App {
	t.Helper()
	db := storetest.Open(t, engine)
	if _, err := store.LoadSynthetic(context.Background(), db, synth.Config{County: synthCounty, Persons: n, Seed: seed}, nil); err != nil {
		t.Fatal(err)
	}
	return app.New(db, app.DefaultConfig(), nil)
}

// eligible maps the programs of the eligible decisions to their amounts.
func eligible(ds []policy.Decision) map[string]int64 {
	out := map[string]int64{}
	for _, d := range ds {
		if d.Eligible {
			out[d.Program] = int64(d.AmountFen)
		}
	}
	return out
}

// stored maps the programs of stored determinations to their amounts.
func stored(t testing.TB, ds []policy.Determination) map[string]int64 {
	out := map[string]int64{}
	for _, d := range ds {
		out[d.Program] = d.AmountFen
		if d.Funding[0]+d.Funding[1]+d.Funding[2]+d.Funding[3] != d.AmountFen {
			t.Errorf("person %d %s: funding does not add up", d.PersonID, d.Program)
		}
	}
	return out
}

func sameAmounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestEvaluate evaluates a small synthetic county in batch, on both
// engines, and checks the stored determinations — replaced by a second
// run, left in place by a run cut short — against the one-family path:
// the decisions of the person page (PersonDecisions), and the policy
// engine on the registry's family view.
func TestEvaluate(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := synthetic(t, engine, 3000, 7)
			opts := app.EvalOptions{Region: synthCounty, Year: 2024, Chunk: 700, Workers: 2}
			st, err := a.Evaluate(ctx, auth.System, opts)
			if err != nil {
				t.Fatal(err)
			}
			if st.Persons == 0 || st.Eligible == 0 || st.County != synthCounty || st.RuleVersion != "national@1+34@1+3415@1+341523@1" {
				t.Fatalf("stats %+v: nothing evaluated, nobody eligible, or the wrong county or rules", st)
			}
			n, _, err := a.ScanFloor(ctx, auth.System, opts)
			if err != nil || n != st.Persons {
				t.Fatalf("scan floor read %d persons (%v), evaluation %d", n, err, st.Persons)
			}
			// A second run replaces, not adds.
			st2, err := a.Evaluate(ctx, auth.System, opts)
			if err != nil || st2.Eligible != st.Eligible || st2.AmountFen != st.AmountFen {
				t.Fatalf("second run %+v (%v), first %+v", st2, err, st)
			}
			// A run cut short leaves the last run's determinations.
			short, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
			_, err = a.Evaluate(short, auth.System, opts)
			cancel()
			if err == nil {
				t.Error("an evaluation cut short after 5 ms succeeded")
			}
			var rows int
			var total int64
			var ids []int64
			if err := a.DB().View(ctx, func(tx *store.Tx) error {
				if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM determinations WHERE county = ? AND year = ?`,
					synthCounty, 2024).Scan(&rows, &total); err != nil {
					return err
				}
				r, err := tx.Query(ctx, `SELECT DISTINCT person_id FROM determinations WHERE county = ? AND year = ? ORDER BY person_id LIMIT 40`, synthCounty, 2024)
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
			if rows != st.Eligible || total != st.AmountFen {
				t.Errorf("stored %d rows %d fen, stats say %d rows %d fen", rows, total, st.Eligible, st.AmountFen)
			}
			if len(ids) == 0 {
				t.Fatal("no determinations to check")
			}
			ev, err := policy.NewEvaluator(policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				k := registry.Key{County: synthCounty, ID: id}
				pd, err := a.PersonDecisions(ctx, auth.System, k, 2024, "zh", false)
				if err != nil {
					t.Fatal(err)
				}
				batch := stored(t, pd.Stored)
				if live := eligible(pd.Decisions); !sameAmounts(batch, live) {
					t.Errorf("person %d: batch %v, person page %v", id, batch, live)
				}
				// The registry's family view, as the procedure sees it.
				var single map[string]int64
				if err := a.DB().View(ctx, func(tx *store.Tx) error {
					f, err := registry.FamilyView(ctx, tx, auth.System, k)
					if err != nil {
						return err
					}
					res, err := ev.Evaluate(&policy.Case{Year: 2024, Region: synthCounty, Family: *f, Subjects: []string{strconv.FormatInt(id, 10)}})
					if err != nil {
						return err
					}
					single = eligible(res.Decisions)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if !sameAmounts(batch, single) {
					t.Errorf("person %d: batch %v, single %v", id, batch, single)
				}
			}
		})
	}
}

// TestEvaluateRefusals checks the access rules of batch evaluation: a
// role that confirms no eligibility, and a region outside the actor's
// scope, are refused and audited, and nothing is written.
func TestEvaluateRefusals(t *testing.T) {
	ctx := context.Background()
	a := synthetic(t, store.SQLite, 300, 7)
	finance := auth.Actor{UserID: 9, Username: "cw", Role: auth.RoleFinance, Scope: synthCounty}
	other := auth.Actor{UserID: 10, Username: "qt", Role: auth.RoleCounty, Scope: "341524"}
	tests := []struct {
		name string
		who  auth.Actor
		opts app.EvalOptions
	}{
		{"finance officer", finance, app.EvalOptions{Region: synthCounty, Year: 2024}},
		{"another county", other, app.EvalOptions{Region: synthCounty, Year: 2024}},
		{"a township of another county", other, app.EvalOptions{Region: synthCounty + "100", Year: 2024}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := denied(t, a)
			if _, err := a.Evaluate(ctx, tt.who, tt.opts); !app.IsRefusal(err) {
				t.Fatalf("err = %v, want a refusal", err)
			}
			if got := denied(t, a); got != before+1 {
				t.Errorf("%d refusals audited, want %d", got, before+1)
			}
		})
	}
	var n int
	if err := a.DB().View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM determinations`).Scan(&n)
	}); err != nil || n != 0 {
		t.Errorf("%d determinations (%v) after refusals", n, err)
	}
	if _, err := a.Evaluate(ctx, auth.System, app.EvalOptions{Region: "34", Year: 2024}); err == nil {
		t.Error("a province evaluated: want a county, township or village")
	}
}

// denied counts the refusals in the audit log.
func denied(t testing.TB, a *app.App) int {
	t.Helper()
	var n int
	if err := a.DB().View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// register adds a person of the test village to the registry.
func register(t *testing.T, a *app.App, name, sex, birth string, seq int) registry.Key {
	t.Helper()
	seq *= 2
	if sex == registry.Male {
		seq++
	}
	in := registry.NewPerson{IDNumber: string(idcard.Make(synthCounty, date.MustParse(birth).Time(), seq)), Name: name, Sex: sex,
		Birth: date.MustParse(birth), Region: synthCounty + "100201", HukouType: registry.Rural}
	var r *registry.Record
	if err := a.DB().Update(context.Background(), func(tx *store.Tx) (err error) {
		r, err = registry.Register(context.Background(), tx, evalVillager, in)
		return err
	}); err != nil {
		t.Fatalf("register %s: %v", name, err)
	}
	return registry.Key{County: r.County, ID: r.ID}
}

// fixed sets the database clock to 1 March 2026.
func fixed(a *app.App) {
	a.SetClock(func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) })
}

// TestEvaluateHonoursTheRoll checks that batch evaluation reads the
// confirmation dates of the recipient roll: special assistance is not paid
// for years before the confirmation year (design §5), and is paid from it.
func TestEvaluateHonoursTheRoll(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := app.New(storetest.Open(t, engine), app.DefaultConfig(), nil)
			fixed(a)
			w := register(t, a, "李秀英", registry.Female, "1964-12-31", 12)
			c := register(t, a, "张伟", registry.Male, "1987-04-12", 13)
			yes := true
			err := a.DB().Update(ctx, func(tx *store.Tx) error {
				if _, err := registry.AddChild(ctx, tx, evalVillager, w, c, registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
					return err
				}
				if _, err := registry.RecordDeath(ctx, tx, evalVillager, c, date.MustParse("2020-08-10"), "police"); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, created_at, updated_at)
					VALUES (?, 1, ?, 'tf_death', ?, ?, 2025, ?, ?)`, w.County, w.ID, synthCounty+"100201", date.MustParse("2025-03-01"),
					"2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, tt := range []struct {
				year int
				want bool
			}{{2024, false}, {2025, true}} {
				if _, err := a.Evaluate(ctx, auth.System, app.EvalOptions{Region: synthCounty, Year: tt.year}); err != nil {
					t.Fatal(err)
				}
				pd, err := a.PersonDecisions(ctx, auth.System, w, tt.year, "zh", false)
				if err != nil {
					t.Fatal(err)
				}
				_, got := stored(t, pd.Stored)["tf_death"]
				if got != tt.want {
					t.Errorf("%d: tf_death determined = %v, want %v (confirmed 2025-03-01)", tt.year, got, tt.want)
				}
			}
		})
	}
}

// TestRemarriedSpouse checks a family the batch once read short: a woman
// with one daughter, married once, to a widower with two sons of his first
// marriage and no child with her. Under the default reading
// (joint_birth_pools) his sons are not hers, because he married before, so
// she has one child and gets 奖扶; the batch must see his first marriage to
// know it, as the person page does.
func TestRemarriedSpouse(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := app.New(storetest.Open(t, engine), app.DefaultConfig(), nil)
			fixed(a)
			first := register(t, a, "王桂兰", registry.Female, "1956-05-01", 20)
			husband := register(t, a, "陈国强", registry.Male, "1955-03-01", 21)
			wife := register(t, a, "刘秀珍", registry.Female, "1960-02-01", 22)
			sons := []registry.Key{register(t, a, "陈伟", registry.Male, "1979-06-01", 23), register(t, a, "陈刚", registry.Male, "1981-09-01", 24)}
			daughter := register(t, a, "刘丽", registry.Female, "1984-03-01", 25)
			err := a.DB().Update(ctx, func(tx *store.Tx) error {
				if _, err := registry.AddChild(ctx, tx, evalVillager, wife, daughter, registry.ParentChild{Kind: registry.Birth}, ""); err != nil {
					return err
				}
				if _, err := registry.AddMarriage(ctx, tx, evalVillager, husband, first, registry.Marriage{From: date.MustParse("1978-01-01")}, ""); err != nil {
					return err
				}
				for _, s := range sons {
					for _, p := range []registry.Key{husband, first} {
						if _, err := registry.AddChild(ctx, tx, evalVillager, p, s, registry.ParentChild{Kind: registry.Birth}, ""); err != nil {
							return err
						}
					}
				}
				if _, err := registry.RecordDeath(ctx, tx, evalVillager, first, date.MustParse("1984-07-01"), "police"); err != nil {
					return err
				}
				_, err := registry.AddMarriage(ctx, tx, evalVillager, husband, wife, registry.Marriage{From: date.MustParse("1986-01-01")}, "")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Evaluate(ctx, auth.System, app.EvalOptions{Region: synthCounty, Year: 2024}); err != nil {
				t.Fatal(err)
			}
			pd, err := a.PersonDecisions(ctx, auth.System, wife, 2024, "zh", false)
			if err != nil {
				t.Fatal(err)
			}
			live, batch := eligible(pd.Decisions), stored(t, pd.Stored)
			if !sameAmounts(live, batch) {
				t.Errorf("the wife: batch %v, person page %v", batch, live)
			}
			if _, ok := live["jf"]; !ok {
				t.Errorf("the wife has one child of her own and gets no 奖扶: %v", live)
			}
		})
	}
}

// TestEvaluateNeedsReview checks decisions the engine cannot make alone:
// a couple whose only child was taken in without adoption papers after
// the 1992 adoption law, with the couple's operation, birth permission,
// pension and the child's admission recorded as well. Batch evaluation
// counts the decisions that need review, as many as the person page
// shows, and stores none of them; once the township rules on the
// adoption (a village may not), the next evaluation stores the 奖扶 the
// person page decides.
func TestEvaluateNeedsReview(t *testing.T) {
	township := auth.Actor{UserID: 9, Username: "xz", Role: auth.RoleTownship, Scope: synthCounty + "100"}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := app.New(storetest.Open(t, engine), app.DefaultConfig(), nil)
			fixed(a)
			h := register(t, a, "赵大", registry.Male, "1960-03-01", 30)
			w := register(t, a, "钱二", registry.Female, "1962-05-01", 31)
			c := register(t, a, "赵小", registry.Female, "1993-01-01", 32)
			if err := a.DB().Update(ctx, func(tx *store.Tx) error {
				if _, err := registry.AddMarriage(ctx, tx, evalVillager, h, w, registry.Marriage{From: date.MustParse("1985-01-01")}, ""); err != nil {
					return err
				}
				for _, p := range []registry.Key{h, w} {
					if _, err := registry.AddChild(ctx, tx, evalVillager, p, c, registry.ParentChild{Kind: registry.AdoptionDeFacto, From: date.MustParse("1994-06-01")}, ""); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			must := func(_ int64, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(a.AddContraception(ctx, evalVillager, w, registry.Contraception{Method: registry.FemaleSterilisation, Date: date.MustParse("1995-03-01")}, "手术记录"))
			must(a.AddBirthPermission(ctx, evalVillager, w, registry.BirthPermission{Kind: registry.PermitSecondBirth, Issued: date.MustParse("1992-02-01")}))
			must(a.AddPension(ctx, evalVillager, h, registry.Pension{Scheme: registry.PensionResident, Enrolled: date.MustParse("2011-07-01"),
				Drawing: date.MustParse("2020-03-01"), Region: synthCounty + "100201"}))
			must(a.AddAdmission(ctx, evalVillager, c, registry.Admission{Date: date.MustParse("2011-08-20"), Level: registry.Bachelor}))
			if _, err := a.AddContraception(ctx, evalVillager, w, registry.Contraception{Method: registry.IUD, Date: date.MustParse("1990-03-01")}, "手术记录\x00"); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("a document with a control character: %v, want invalid", err)
			}

			// review counts the decisions of the three that need review on
			// the person page, and reports the husband's 奖扶 there and in
			// the batch.
			review := func() (n int, live, batch map[string]int64, jf policy.Decision) {
				t.Helper()
				for _, k := range []registry.Key{h, w, c} {
					pd, err := a.PersonDecisions(ctx, auth.System, k, 2024, "zh", false)
					if err != nil {
						t.Fatal(err)
					}
					for _, d := range pd.Decisions {
						if d.Status == policy.StatusReview {
							n++
						}
						if k == h && d.Program == "jf" {
							jf = d
						}
					}
					if k == h {
						live, batch = eligible(pd.Decisions), stored(t, pd.Stored)
					}
				}
				return n, live, batch, jf
			}
			opts := app.EvalOptions{Region: synthCounty, Year: 2024}
			st, err := a.Evaluate(ctx, auth.System, opts)
			if err != nil {
				t.Fatal(err)
			}
			n, live, batch, jf := review()
			if jf.Status != policy.StatusReview || jf.Eligible || jf.Review == "" {
				t.Errorf("the husband's 奖扶 with a doubtful adoption: %+v, want needs review with the reason", jf)
			}
			if st.Review == 0 || st.Review != n {
				t.Errorf("batch evaluation counted %d decisions needing review, the person page shows %d", st.Review, n)
			}
			if _, ok := batch["jf"]; ok || !sameAmounts(live, batch) {
				t.Errorf("the husband: batch %v, person page %v; want no 奖扶 stored while it needs review", batch, live)
			}

			// A village specialist may not rule (the refusal is audited);
			// the township may.
			before := denied(t, a)
			if err := a.RuleOnAdoption(ctx, evalVillager, c, registry.RulingCounted, "民政收养登记已补办"); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("village ruling: %v, want forbidden", err)
			}
			if denied(t, a) != before+1 {
				t.Error("the village's ruling was refused without an audit entry")
			}
			if err := a.RuleOnAdoption(ctx, township, c, registry.RulingCounted, "民政收养登记已补办"); err != nil {
				t.Fatal(err)
			}
			if st, err = a.Evaluate(ctx, auth.System, opts); err != nil {
				t.Fatal(err)
			}
			n, live, batch, jf = review()
			if st.Review != 0 || n != 0 || jf.Status != policy.StatusEligible {
				t.Errorf("after the ruling: %d in the batch and %d on the person page need review, 奖扶 %s", st.Review, n, jf.Status)
			}
			if _, ok := batch["jf"]; !ok || !sameAmounts(live, batch) {
				t.Errorf("after the ruling the husband: batch %v, person page %v; want 奖扶 stored", batch, live)
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
			a := synthetic(b, engine, 50000, 3)
			if engine == store.Postgres {
				if err := a.DB().Update(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, `ANALYZE`); return err }); err != nil {
					b.Fatal(err)
				}
			}
			opts := app.EvalOptions{Region: synthCounty, Year: 2024}
			var evalT, floorT float64
			persons := 0
			for b.Loop() {
				n, ft, err := a.ScanFloor(ctx, auth.System, opts)
				if err != nil {
					b.Fatal(err)
				}
				st, err := a.Evaluate(ctx, auth.System, opts)
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
