package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestScanRow reads a row through a county scan's cursor on each engine,
// each column as the field it fills reads it, and the errors of columns
// that cannot be read so: the first one's, naming it, ends the cursor.
func TestScanRow(t *testing.T) {
	type values struct {
		n       int64
		s       string
		d, none date.Date
		b, null sql.NullBool
	}
	// The columns of each query, after a key and an id: on PostgreSQL a
	// range of a pass, whose arguments it takes and ignores.
	query := func(e store.Engine, cols string) string {
		if e == store.Postgres {
			return `SELECT 7::bigint, 8::bigint, ` + cols + ` WHERE $1::text <> '' AND $2::bigint <= $3::bigint`
		}
		return `SELECT 7, 8, ` + cols
	}
	tests := []struct {
		name     string
		cols     map[store.Engine]string
		read     func(r store.Row) values
		want     values
		wantErrs []string
	}{
		{"values",
			map[store.Engine]string{
				store.SQLite:   `1099511627776, '王丽', '2024-03-05', 1, NULL, NULL`,
				store.Postgres: `1099511627776::bigint, '王丽'::text, '2024-03-05'::date, true, NULL::date, NULL::boolean`},
			func(r store.Row) values {
				return values{n: r.Int64(2), s: r.Text(3), d: r.Date(4), b: r.NullBool(5), none: r.Date(6), null: r.NullBool(7)}
			},
			values{n: 1 << 40, s: "王丽", d: date.Of(2024, 3, 5), b: sql.NullBool{Bool: true, Valid: true}}, nil},
		{"key and id",
			map[store.Engine]string{store.SQLite: `0`, store.Postgres: `0`},
			func(r store.Row) values { return values{n: r.Int64(0)*10 + r.Int64(1)} },
			values{n: 78}, nil},
		{"NULL into a text",
			map[store.Engine]string{store.SQLite: `NULL`, store.Postgres: `NULL::text`},
			func(r store.Row) values { return values{s: r.Text(2)} },
			values{}, []string{"scan column 2: NULL where a value is required", "scan column text: NULL where a value is required"}},
		{"NULL into an integer, after another error",
			map[store.Engine]string{store.SQLite: `NULL, NULL`, store.Postgres: `NULL::bigint, NULL::bigint`},
			func(r store.Row) values { return values{n: r.Int64(3) + r.Int64(2)} },
			values{}, []string{"scan column 3: NULL", "scan column int8: NULL"}},
		{"not a date",
			map[store.Engine]string{store.SQLite: `'tomorrow'`, store.Postgres: `'tomorrow'::text`},
			func(r store.Row) values { return values{d: r.Date(2)} },
			values{}, []string{"scan column 2: invalid date", "scan column text: invalid date"}},
		{"an infinite date",
			map[store.Engine]string{store.Postgres: `'infinity'::date`},
			func(r store.Row) values { return values{d: r.Date(2)} },
			values{}, []string{"scan column date: infinite date"}},
		// SQLite keeps dates as text; an empty one reads as no date, as
		// date.Date.Scan reads it.
		{"an empty date",
			map[store.Engine]string{store.SQLite: `''`},
			func(r store.Row) values { return values{d: r.Date(2), s: "read"} },
			values{s: "read"}, nil},
		{"a boolean as an integer",
			map[store.Engine]string{store.Postgres: `true AS bool`},
			func(r store.Row) values { return values{n: r.Int64(2)} },
			values{}, []string{"scan column bool: not an integer (type 16)"}},
		{"no such column",
			map[store.Engine]string{store.SQLite: `1`, store.Postgres: `1`},
			func(r store.Row) values { return values{n: r.Int64(3)} },
			values{}, []string{"scan column 3: no such column"}},
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			for _, tt := range tests {
				cols, ok := tt.cols[engine]
				if !ok {
					continue
				}
				t.Run(tt.name, func(t *testing.T) {
					got, err := store.ReadScanRow(context.Background(), db, query(engine, cols), tt.read)
					if tt.wantErrs == nil {
						if err != nil {
							t.Fatal(err)
						}
						if got != tt.want {
							t.Errorf("read %+v, want %+v", got, tt.want)
						}
						return
					}
					if err == nil || !containsAny(err.Error(), tt.wantErrs) {
						t.Errorf("error %v, want one of %q", err, tt.wantErrs)
					}
				})
			}
		})
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
