package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func TestPayCommands(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := keyedURL(t, engine)
			jiahe := func(args ...string) (string, error) {
				var out, errb bytes.Buffer
				err := run(t.Context(), append([]string{"--db", url}, args...), strings.NewReader(""), &out, &errb)
				return out.String() + errb.String(), err
			}
			if out, err := jiahe("migrate"); err != nil {
				t.Fatal(err, out)
			}
			db, err := store.Open(t.Context(), url, store.WithKeys(storetest.Keys(t, url)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Two women on the jf roll, each with a rural husband and one
			// son: no batch evaluation is run, the cycle decides them.
			// The second is enrolled after the cycle.
			enrol := func(id int64, idn string) {
				t.Helper()
				err := db.Update(t.Context(), func(tx *store.Tx) error {
					ctx := t.Context()
					for _, q := range []string{
						`INSERT INTO persons (county, id, id_number, name, sex, birth, region, hukou_type, created_at, updated_at)
							VALUES ('341523', ?, ?, '张秀英', 'F', '1960-01-01', '341523100201', 'rural', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
						`INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, status, created_at, updated_at)
							VALUES ('341523', ?, ?, 'jf', '341523100201', '2020-03-01', 2020, 'active', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
					} {
						args := []any{id, idn}
						if strings.Contains(q, "recipients") {
							args = []any{id, id}
						}
						if _, err := tx.Exec(ctx, q, args...); err != nil {
							return err
						}
					}
					if err := tx.InsertHukouSpell(ctx, "341523", id, registry.HukouSpell{Type: registry.Rural, Region: "341523100201",
						From: date.MustParse("1960-01-01")}); err != nil {
						return err
					}
					var kin []registry.Key
					for i, p := range []struct{ name, birth string }{{"周德福", "1958-01-01"}, {"周小军", "1985-05-01"}} {
						b := date.MustParse(p.birth)
						r, err := registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: p.name, Sex: "M", Birth: b,
							IDNumber: string(idcard.Make("341523", b.Time(), int(id-500)*10+2*i+1)), Region: "341523100201", HukouType: registry.Rural})
						if err != nil {
							return err
						}
						kin = append(kin, registry.Key{County: "341523", ID: r.ID})
					}
					wife := registry.Key{County: "341523", ID: id}
					if _, err := registry.AddMarriage(ctx, tx, auth.System, kin[0], wife, registry.Marriage{From: date.MustParse("1983-01-01")}, ""); err != nil {
						return err
					}
					yes := true
					for _, p := range []registry.Key{wife, kin[0]} {
						if _, err := registry.AddChild(ctx, tx, auth.System, p, kin[1], registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			enrol(501, "341523196001010023")
			out, err := jiahe("pay", "cycle", "--county", "341523", "--program", "jf", "--period", "2024")
			if err != nil || !strings.Contains(out, "jf 2024, 1 lines, 960.00 yuan (pending 1") {
				t.Errorf("pay cycle: %v %q", err, out)
			}
			if out, err := jiahe("pay", "cycle", "--county", "341523", "--program", "jf", "--period", "2024"); err == nil {
				t.Errorf("second cycle succeeded: %q", out)
			}
			enrol(502, "341523196001020015")
			out, err = jiahe("pay", "supplement", "--county", "341523", "--cycle", "1")
			if err != nil || !strings.Contains(out, "cycle 1: jf 2024, 1 lines added, 960.00 yuan; now 2 lines, 1,920.00 yuan") {
				t.Errorf("pay supplement: %v %q", err, out)
			}
			if out, err := jiahe("pay", "supplement", "--county", "341523", "--cycle", "1"); err == nil {
				t.Errorf("second supplement succeeded: %q", out)
			}
			out, err = jiahe("pay", "ledger", "--year", "2024", "--region", "341523")
			if err != nil || !strings.Contains(out, "2024 年 发放 0 人 0.0 万元") {
				t.Errorf("pay ledger: %v %q", err, out)
			}
			if _, err := jiahe("pay", "refund"); err != errUsage {
				t.Errorf("unknown pay command: %v", err)
			}
		})
	}
}
