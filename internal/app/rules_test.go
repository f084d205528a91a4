package app_test

import (
	"context"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func layer(t *testing.T, body string) *policy.Layer {
	t.Helper()
	l, err := policy.ParseLayer([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// layersStored counts the stored layers and their audit entries.
func layersStored(t *testing.T, a *app.App) (layers, audits int) {
	t.Helper()
	ctx := context.Background()
	if err := a.DB().View(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM policy_layers`).Scan(&layers); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ?`, "policy.layer.create").Scan(&audits)
	}); err != nil {
		t.Fatal(err)
	}
	return layers, audits
}

// TestSaveLayer stores a validated county layer with its audit entry, puts
// it in force at once, and refuses (auditing the refusals) invalid layers,
// duplicates, layers of another level or region and roles that manage no
// rules, storing nothing for them.
func TestSaveLayer(t *testing.T) {
	const body = `{"region": "341523", "version": 2, "from": "2025-01-01", "title": "舒城县：奖扶县级加发",
	  "programs": [{"code": "jf", "increments": [{"id": "county_bonus", "from": "2025-01-01", "fen": 12000, "per": "year", "payer": "county"}]}]}`
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := app.New(storetest.Open(t, engine), app.DefaultConfig(), nil)
			// Compile the rules before the change.
			if in, err := a.Programs(ctx, countyActor, synthCounty, 2025); err != nil || in.Version != "national@1+national@2+34@1+3415@1+341523@1" {
				t.Fatalf("programs before: %v, %v", in, err)
			}
			if err := a.SaveLayer(ctx, countyActor, layer(t, body)); err != nil {
				t.Fatal(err)
			}
			if in, err := a.Programs(ctx, countyActor, synthCounty, 2025); err != nil || in.Version != "national@1+national@2+34@1+3415@1+341523@1+341523@2" {
				t.Errorf("programs after the change: %v, %v", in, err)
			}
			v1 := layer(t, body)
			v1.Version = 1
			v3 := layer(t, body)
			v3.Version = 3
			bad := layer(t, body)
			bad.Version = 4
			bad.Programs = []policy.ProgramLayer{{Code: "jf", Clauses: []policy.ClauseDef{{ID: "age", Expr: "age >= P.nope", Text: "x"}}}}
			tests := []struct {
				name    string
				who     auth.Actor
				l       *policy.Layer
				kind    apperr.Kind
				refusal bool
			}{
				{"the same version again", countyActor, layer(t, body), apperr.Conflict, false},
				{"the built-in layer's version", countyActor, v1, apperr.Conflict, false},
				{"an invalid layer", countyActor, bad, apperr.Invalid, false},
				{"another county's layer", auth.Actor{UserID: 9, Username: "qt", Role: auth.RoleCounty, Scope: "341524"}, v3, apperr.Forbidden, true},
				{"the province's layer", countyActor, layer(t, `{"region": "34", "version": 9, "from": "2024-01-01", "title": "x",
				  "programs": [{"code": "jf", "params": {"min_age": 61}}]}`), apperr.Forbidden, true},
				{"the village", evalVillager, v3, apperr.Forbidden, true},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := denied(t, a)
					err := a.SaveLayer(ctx, tt.who, tt.l)
					if apperr.KindOf(err) != tt.kind {
						t.Errorf("err = %v, want %s", err, tt.kind)
					}
					if d := denied(t, a) - before; (d == 1) != tt.refusal {
						t.Errorf("%d refusals audited (want a refusal: %v)", d, tt.refusal)
					}
				})
			}
			if e, ok := apperr.As(a.SaveLayer(ctx, countyActor, bad)); !ok || e.Field != "programs[0].clauses[0].expr" {
				t.Errorf("invalid layer: %v, want the field named", e)
			}
			if layers, audits := layersStored(t, a); layers != 1 || audits != 1 {
				t.Errorf("%d layers and %d audit entries stored, want 1 and 1", layers, audits)
			}
			var entries []audit.Entry
			if err := a.DB().View(ctx, func(tx *store.Tx) (err error) {
				entries, err = tx.AuditEntries(ctx, "", store.AuditFilter{County: synthCounty})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range entries {
				found = found || e.Action == "policy.layer.create" && e.EntityID == "341523@2" && e.UserID == countyActor.UserID
			}
			if !found {
				t.Errorf("no audit entry for the saved layer in %d entries", len(entries))
			}
		})
	}
}

// TestPreviewLayer previews county layers over a small synthetic county on
// both engines: a higher 奖扶 amount changes the funds but nobody's
// eligibility, a higher minimum age only removes people, the counts under
// the old rules match a batch evaluation, and an invalid layer, a layer
// that does not apply, a county outside the actor's scope and a role that
// manages no rules are refused, with nothing stored.
func TestPreviewLayer(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := synthetic(t, engine, 5000, 7)
			opts := app.EvalOptions{Region: synthCounty, Year: 2024, Chunk: 600, Workers: 2}
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
			rep, err := a.PreviewLayer(ctx, countyActor, layer(t, `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "舒城县：奖扶县级加发",
			  "programs": [{"code": "jf", "increments": [{"id": "county_bonus", "from": "2024-01-01", "fen": 10000, "per": "year", "payer": "county"}]}]}`), opts)
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
			if rep.Persons == 0 || rep.NewVersion != rep.OldVersion+"+341523@2" {
				t.Errorf("report %d persons, versions %s -> %s", rep.Persons, rep.OldVersion, rep.NewVersion)
			}
			var towns int
			var sum policy.ImpactRow
			for _, r := range rep.Rows {
				if len(r.Township) != 9 || r.Township[:6] != synthCounty {
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
			st, err := a.Evaluate(ctx, auth.System, opts)
			if err != nil {
				t.Fatal(err)
			}
			if st.Persons != rep.Persons || st.Eligible != rep.Total.Before || st.AmountFen != int64(rep.Total.OldFen) {
				t.Errorf("batch evaluation %d persons, %d eligible, %d fen; impact %d persons, before %d, %d fen",
					st.Persons, st.Eligible, st.AmountFen, rep.Persons, rep.Total.Before, rep.Total.OldFen)
			}

			// 奖扶 from 75: people lose it, nobody gains it.
			rep, err = a.PreviewLayer(ctx, countyActor, layer(t, `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "测算：奖扶75周岁",
			  "programs": [{"code": "jf", "params": {"min_age": 75}}]}`), opts)
			if err != nil {
				t.Fatal(err)
			}
			jf = program(rep, "jf")
			if jf.Lost == 0 || jf.Gained != 0 || jf.After != jf.Before-jf.Lost || jf.ChangeFen >= 0 {
				t.Errorf("jf min_age 75: %+v", jf)
			}

			good := layer(t, `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "x", "programs": [{"code": "jf", "params": {"min_age": 61}}]}`)
			tests := []struct {
				name    string
				who     auth.Actor
				l       *policy.Layer
				opts    app.EvalOptions
				kind    apperr.Kind
				field   string
				refusal bool
			}{
				{"an invalid layer", countyActor, layer(t, `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "错误",
				  "programs": [{"code": "jf", "clauses": [{"id": "age", "expr": "age >= P.nope", "text": "x"}]}]}`), opts,
					apperr.Invalid, "programs[0].clauses[0].expr", false},
				{"another county's layer", countyActor, layer(t, `{"region": "341524", "version": 9, "from": "2024-01-01", "title": "x",
				  "programs": [{"code": "jf", "params": {"min_age": 61}}]}`), opts, apperr.Invalid, "region", false},
				{"a layer from a later year", countyActor, good, app.EvalOptions{Region: synthCounty, Year: 2023}, apperr.Invalid, "from", false},
				{"a township", countyActor, good, app.EvalOptions{Region: synthCounty + "100", Year: 2024}, apperr.Invalid, "region", false},
				{"a county outside the scope", countyActor, good, app.EvalOptions{Region: "341522", Year: 2024}, apperr.Forbidden, "", true},
				{"the village", evalVillager, good, opts, apperr.Forbidden, "", true},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					before := denied(t, a)
					_, err := a.PreviewLayer(ctx, tt.who, tt.l, tt.opts)
					if e, ok := apperr.As(err); !ok || e.Kind != tt.kind || e.Field != tt.field {
						t.Errorf("err = %v, want %s on %q", err, tt.kind, tt.field)
					}
					if d := denied(t, a) - before; (d == 1) != tt.refusal {
						t.Errorf("%d refusals audited (want a refusal: %v)", d, tt.refusal)
					}
				})
			}
			if layers, audits := layersStored(t, a); layers != 0 || audits != 0 {
				t.Errorf("after previews: %d layers, %d audit entries stored", layers, audits)
			}
		})
	}
}

// TestDeterminations lists stored determinations within the actor's
// scope: a village sees its own village's, a region outside the scope is
// refused and audited.
func TestDeterminations(t *testing.T) {
	ctx := context.Background()
	a := synthetic(t, store.SQLite, 1500, 5)
	if _, err := a.Evaluate(ctx, auth.System, app.EvalOptions{Region: synthCounty, Year: 2024}); err != nil {
		t.Fatal(err)
	}
	rows, total, err := a.Determinations(ctx, countyActor, app.DeterminationQuery{Year: 2024, Limit: 5})
	if err != nil || total == 0 || len(rows) == 0 || len(rows) > 5 {
		t.Fatalf("county: %d of %d (%v)", len(rows), total, err)
	}
	village := auth.Actor{UserID: 8, Username: "cz", Role: auth.RoleVillage, Scope: region.Code(rows[0].Region)}
	vrows, vtotal, err := a.Determinations(ctx, village, app.DeterminationQuery{Year: 2024, Limit: 1000})
	if err != nil || vtotal == 0 || vtotal >= total {
		t.Fatalf("village: %d of %d (%v), county total %d", len(vrows), vtotal, err, total)
	}
	for _, r := range vrows {
		if r.Region != rows[0].Region {
			t.Errorf("the village of %s sees a determination of %s", rows[0].Region, r.Region)
		}
	}
	before := denied(t, a)
	if _, _, err := a.Determinations(ctx, countyActor, app.DeterminationQuery{Region: "341522", Year: 2024, Limit: 5}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("another county: %v, want forbidden", err)
	}
	if denied(t, a) != before+1 {
		t.Error("the refusal was not audited")
	}
}
