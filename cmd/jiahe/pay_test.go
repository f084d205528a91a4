package main

import (
	"bytes"
	"strings"
	"testing"

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
			for _, q := range []string{
				`INSERT INTO persons (county, id, id_number, name, sex, birth, region, hukou_type, created_at, updated_at)
					VALUES ('341523', 1, '341523196001010023', '张秀英', 'F', '1960-01-01', '341523100201', 'rural', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
				`INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, status, created_at, updated_at)
					VALUES ('341523', 1, 1, 'jf', '341523100201', '2020-03-01', 2020, 'active', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
				`INSERT INTO determinations (county, year, program, person_id, eligible, amount_fen, months, central_fen, province_fen,
					city_fen, county_fen, rule_version, evaluated_at) VALUES ('341523', 2024, 'jf', 1, TRUE, 96000, 12, 57600, 38400, 0, 0, 't', '2024-01-01T00:00:00Z')`,
			} {
				if err := db.Update(t.Context(), func(tx *store.Tx) error { _, err := tx.Exec(t.Context(), q); return err }); err != nil {
					t.Fatal(err)
				}
			}
			out, err := jiahe("pay", "cycle", "--county", "341523", "--program", "jf", "--period", "2024")
			if err != nil || !strings.Contains(out, "jf 2024, 1 lines, 960.00 yuan (pending 1") {
				t.Errorf("pay cycle: %v %q", err, out)
			}
			if out, err := jiahe("pay", "cycle", "--county", "341523", "--program", "jf", "--period", "2024"); err == nil {
				t.Errorf("second cycle succeeded: %q", out)
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
