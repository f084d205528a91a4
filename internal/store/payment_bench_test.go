package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// BenchmarkPaymentCycle measures a monthly 特扶 cycle of 10,000 recipients
// with its batches: computing and writing the lines, then batching them
// per bank.
func BenchmarkPaymentCycle(b *testing.B) {
	const n = 10000
	for _, engine := range storetest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			db := storetest.Open(b, engine)
			db.Now = payNow
			ctx := context.Background()
			now := "2024-01-02T00:00:00Z"
			err := db.Update(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO payment_params (county, name, value, updated_by, updated_at) VALUES (?, 'tf_period', 'month', 0, ?)`, payCounty, now); err != nil {
					return err
				}
				for start := 0; start < n; start += 500 {
					var ps, rs, ds, as []string
					var pa, ra, da, aa []any
					for id := start + 1; id <= start+500; id++ {
						village := fmt.Sprintf("3415231%02d201", id%20)
						ps = append(ps, "(?, ?, ?, '孙桂芳', 'F', '1964-01-01', ?, 'rural', ?, ?)")
						pa = append(pa, payCounty, id, fmt.Sprintf("B%017d", id), village, now, now)
						rs = append(rs, "(?, ?, ?, 'tf_death', ?, '2020-03-01', 2020, 'active', ?, ?)")
						ra = append(ra, payCounty, id, id, village, now, now)
						ds = append(ds, "(?, 2024, 'tf_death', ?, ?, 960000, 12, 576000, 384000, 0, 0, 'b', ?)")
						da = append(da, payCounty, id, true, now)
						as = append(as, "(?, ?, ?, 'card', '6228480402564890018', '孙桂芳', 1, 0, ?, ?)")
						aa = append(aa, payCounty, id, []string{"103", "402", "403"}[id%3], now, now)
					}
					for _, q := range []struct {
						head string
						rows []string
						args []any
					}{
						{`INSERT INTO persons (county, id, id_number, name, sex, birth, region, hukou_type, created_at, updated_at) VALUES `, ps, pa},
						{`INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, status, created_at, updated_at) VALUES `, rs, ra},
						{`INSERT INTO determinations (county, year, program, person_id, eligible, amount_fen, months, central_fen, province_fen, city_fen, county_fen, rule_version, evaluated_at) VALUES `, ds, da},
						{`INSERT INTO bank_accounts (county, person_id, bank, kind, account_no, holder, version, updated_by, created_at, updated_at) VALUES `, as, aa},
					} {
						if _, err := tx.Exec(ctx, q.head+strings.Join(q.rows, ","), q.args...); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			month := 0
			b.ResetTimer()
			for b.Loop() {
				if month == 12 {
					b.StopTimer()
					for _, t := range []string{"payment_cycles", "payment_lines", "payment_batches", "payment_batch_items"} {
						if err := db.Update(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, `DELETE FROM `+t); return err }); err != nil {
							b.Fatal(err)
						}
					}
					month = 0
					b.StartTimer()
				}
				month++
				err := db.Update(ctx, func(tx *store.Tx) error {
					c, _, err := payment.GenerateCycle(ctx, tx, stored{tx}, maker, payment.CycleRequest{County: payCounty, Program: "tf_death", Period: fmt.Sprintf("2024-%02d", month)})
					if err != nil {
						return err
					}
					_, err = payment.GenerateBatches(ctx, tx, maker, payCounty, c.ID)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
