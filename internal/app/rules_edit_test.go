package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// countyLayer is a layer of the test county setting parameters of 特扶 (tf_death).
func countyLayer(t *testing.T, version int, params string) *policy.Layer {
	t.Helper()
	return layer(t, `{"region": "341523", "version": `+strconv.Itoa(version)+`, "from": "2024-01-01", "title": "舒城县：特扶领取年龄",
	  "documents": [{"id": "sc_2024_1", "issuer": "舒城县卫生健康委员会", "number": "舒卫〔2024〕1号", "title": "关于调整奖励扶助领取年龄的通知", "date": "2024-01-01"}],
	  "programs": [{"code": "tf_death", "params": {`+params+`}}]}`)
}

// auditOf returns the audit entries of the test county with action.
func auditOf(t *testing.T, a *app.App, action string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	if err := a.DB().View(context.Background(), func(tx *store.Tx) error {
		all, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: synthCounty})
		for _, e := range all {
			if e.Action == action {
				out = append(out, e)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRulesEditor walks every path of the rules editor on both engines:
// a misspelt or out-of-range parameter is refused on preview and on save,
// naming the field, with nothing stored; a change is previewed and then
// saved and put in force; a saved layer is withdrawn with a reason
// (audited; refused without one, for an embedded layer, twice, or for
// another county), superseded by a new version in one step, and two
// versions are compared side by side; a withdrawal that would break a
// later layer is refused.
func TestRulesEditor(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := synthetic(t, engine, 800, 11)
			opts := app.EvalOptions{Region: synthCounty, Year: 2024, Workers: 2}
			version := func() string {
				t.Helper()
				in, err := a.Programs(ctx, countyActor, synthCounty, 2024)
				if err != nil {
					t.Fatal(err)
				}
				return in.Version
			}
			base := version()

			// Unknown parameter, out of range: refused on every path.
			for _, tt := range []struct{ params, field, zh string }{
				{`"min_agee": 61`, "programs[0].params.min_agee", "是否应为“min_age”"},
				{`"min_age": 600`, "programs[0].params.min_age", "应在0–120周岁之间"},
			} {
				_, perr := a.PreviewLayer(ctx, countyActor, countyLayer(t, 2, tt.params), opts)
				serr := a.SaveLayer(ctx, countyActor, countyLayer(t, 2, tt.params))
				for _, err := range []error{perr, serr} {
					if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Field != tt.field || !strings.Contains(e.ZH, tt.zh) {
						t.Errorf("%s: %v, want %s naming %s", tt.params, err, tt.zh, tt.field)
					}
				}
			}
			if n, _ := layersStored(t, a); n != 0 {
				t.Fatalf("%d layers stored after refusals", n)
			}

			// Preview, then save.
			rep, err := a.PreviewLayer(ctx, countyActor, countyLayer(t, 2, `"min_age": 75`), opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Total.Lost == 0 || rep.Total.Gained != 0 || rep.NewVersion != base+"+341523@2" {
				t.Errorf("preview: %+v %+v", rep.Total, rep.Programs)
			}
			if err := a.SaveLayer(ctx, countyActor, countyLayer(t, 2, `"min_age": 75`)); err != nil {
				t.Fatal(err)
			}
			if v := version(); v != base+"+341523@2" {
				t.Errorf("in force after saving: %s", v)
			}

			// The preview of withdrawing it gives the people back.
			back, err := a.PreviewChange(ctx, countyActor, &app.LayerChange{Region: synthCounty, Withdraw: 2}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if back.Total.Gained != rep.Total.Lost || back.NewVersion != base {
				t.Errorf("withdrawal preview gains %d (lost %d), versions %s -> %s", back.Total.Gained, rep.Total.Lost, back.OldVersion, back.NewVersion)
			}

			// Withdraw: refusals first.
			other := auth.Actor{UserID: 9, Username: "qt", Role: auth.RoleCounty, Scope: "341524"}
			refusals := []struct {
				name    string
				who     auth.Actor
				version int
				reason  string
				kind    apperr.Kind
				field   string
				audited bool
			}{
				{"no reason", countyActor, 2, "  ", apperr.Invalid, "reason", false},
				{"an embedded layer", countyActor, 1, "试一试", apperr.Invalid, "version", false},
				{"a version never stored", countyActor, 9, "试一试", apperr.NotFound, "", false},
				{"another county", other, 2, "试一试", apperr.Forbidden, "", true},
				{"the village", evalVillager, 2, "试一试", apperr.Forbidden, "", true},
			}
			for _, tt := range refusals {
				t.Run(tt.name, func(t *testing.T) {
					before := denied(t, a)
					err := a.WithdrawLayer(ctx, tt.who, synthCounty, tt.version, tt.reason)
					if e, ok := apperr.As(err); !ok || e.Kind != tt.kind || e.Field != tt.field {
						t.Errorf("err = %v, want %s on %q", err, tt.kind, tt.field)
					}
					if d := denied(t, a) - before; (d == 1) != tt.audited {
						t.Errorf("%d refusals audited (want one: %v)", d, tt.audited)
					}
				})
			}
			if err := a.WithdrawLayer(ctx, countyActor, synthCounty, 2, "年龄调整未获批准"); err != nil {
				t.Fatal(err)
			}
			if v := version(); v != base {
				t.Errorf("in force after withdrawing: %s, want %s", v, base)
			}
			if err := a.WithdrawLayer(ctx, countyActor, synthCounty, 2, "再撤一次"); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("withdrawn twice: %v", err)
			}
			ws := auditOf(t, a, "policy.layer.withdraw")
			if len(ws) != 1 || ws[0].EntityID != "341523@2" || ws[0].UserID != countyActor.UserID || !strings.Contains(ws[0].After, "年龄调整未获批准") {
				t.Errorf("withdrawal audit: %+v", ws)
			}

			// Supersede v3 by v4.
			if err := a.SaveLayer(ctx, countyActor, countyLayer(t, 3, `"min_age": 61`)); err != nil {
				t.Fatal(err)
			}
			if e, ok := apperr.As(a.SupersedeLayer(ctx, countyActor, 3, countyLayer(t, 4, `"min_agee": 62`), "改为62周岁")); !ok || e.Field != "programs[0].params.min_agee" {
				t.Errorf("superseded by a misspelt layer: %v", e)
			}
			if err := a.SupersedeLayer(ctx, countyActor, 3, countyLayer(t, 4, `"min_age": 62`), ""); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("superseded without a reason: %v", err)
			}
			if err := a.SupersedeLayer(ctx, countyActor, 3, countyLayer(t, 4, `"min_age": 62`), "改为62周岁"); err != nil {
				t.Fatal(err)
			}
			if v := version(); v != base+"+341523@4" {
				t.Errorf("in force after superseding: %s", v)
			}
			infos, err := a.Layers(ctx, countyActor, synthCounty)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range infos {
				if l.Region == synthCounty && l.Version == 3 && (!l.Withdrawn || l.SupersededBy != 4 || l.Reason != "改为62周岁" || l.WithdrawnBy != countyActor.Username) {
					t.Errorf("v3 after superseding: %+v", l)
				}
			}
			if ss := auditOf(t, a, "policy.layer.supersede"); len(ss) != 1 || ss[0].EntityID != "341523@3" {
				t.Errorf("supersession audit: %+v", ss)
			}
			if n := len(auditOf(t, a, "policy.layer.create")); n != 3 {
				t.Errorf("%d creations audited, want 3", n)
			}

			// Compare v3 and v4.
			d, err := a.DiffLayers(ctx, countyActor, synthCounty, 3, 4, "zh")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, l := range d.Lines {
				if l.Key == "programs.tf_death.params.min_age" {
					found = l.Changed && l.A == "61 周岁" && l.B == "62 周岁" && strings.Contains(l.Label, "领取年龄")
				} else if l.Changed {
					t.Errorf("unchanged line shown changed: %+v", l)
				}
			}
			if !found {
				t.Errorf("no changed min_age line in %+v", d.Lines)
			}
			if _, err := a.DiffLayers(ctx, countyActor, synthCounty, 3, 8, "zh"); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("diff with a missing version: %v", err)
			}

			// A later layer needs v5's program: v5 cannot be withdrawn.
			if err := a.SaveLayer(ctx, countyActor, layer(t, `{"region": "341523", "version": 5, "from": "2024-01-01", "title": "舒城县：高龄慰问",
			  "programs": [{"code": "sc_elder_visit", "name": "高龄计生家庭慰问", "funding": {"central": false, "local": {"county": 100}},
			    "clauses": [{"id": "age", "expr": "age >= P.min_age", "text": "年满{P.min_age}周岁"}], "params": {"min_age": 80, "accrual": "once"},
			    "rates": [{"from": "2024-01-01", "fen": 50000, "per": "once"}]}]}`)); err != nil {
				t.Fatal(err)
			}
			if err := a.SaveLayer(ctx, countyActor, layer(t, `{"region": "341523", "version": 6, "from": "2024-06-01", "title": "舒城县：慰问年龄",
			  "programs": [{"code": "sc_elder_visit", "params": {"min_age": 85}}]}`)); err != nil {
				t.Fatal(err)
			}
			if err := a.WithdrawLayer(ctx, countyActor, synthCounty, 5, "不再慰问"); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("withdrawing a layer a later one needs: %v", err)
			}
		})
	}
}
