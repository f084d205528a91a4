package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
)

// openTestSQLiteConn opens a scan connection on an empty database file.
func openTestSQLiteConn(t *testing.T) *sqliteConn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scan.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := openSQLiteConn("file:" + uriPath(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	return c
}

func TestSQLiteCursorScan(t *testing.T) {
	c := openTestSQLiteConn(t)
	ctx := context.Background()
	var (
		n        int64
		i        int
		s        string
		d, none  date.Date
		b        bool
		nb, null sql.NullBool
	)
	tests := []struct {
		name    string
		query   string
		args    []any
		dest    []any
		wantErr string
		check   func() bool
	}{
		{"values", `SELECT ?, 7, ?, '2024-03-05', 1, 0, NULL, NULL`, []any{int64(1) << 40, "王丽"},
			[]any{&n, &i, &s, &d, &b, &nb, &null, &none}, "",
			func() bool {
				return n == 1<<40 && i == 7 && s == "王丽" && d == date.Of(2024, 3, 5) && b && nb == (sql.NullBool{Valid: true}) &&
					!null.Valid && none.IsZero()
			}},
		{"NULL into a string", `SELECT NULL`, nil, []any{&s}, "NULL where a value is required", nil},
		{"NULL into an integer", `SELECT 1, NULL`, nil, []any{&n, &n}, "scan column 1", nil},
		{"not a date", `SELECT 'tomorrow'`, nil, []any{&d}, "scan column 0", nil},
		{"a type it cannot read", `SELECT 1.5`, nil, []any{new(float64)}, "cannot scan into *float64", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur, err := c.query(ctx, tt.query, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer cur.Close()
			if !cur.Next() {
				t.Fatalf("no row: %v", cur.Err())
			}
			err = cur.Scan(tt.dest...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Scan: %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check() {
				t.Errorf("scanned %d %d %q %v %v %v %v %v", n, i, s, d, b, nb, null, none)
			}
			if cur.Next() || cur.Err() != nil {
				t.Errorf("a second row, or %v", cur.Err())
			}
		})
	}
}

func TestSQLiteCursorErrors(t *testing.T) {
	c := openTestSQLiteConn(t)
	if _, err := c.query(context.Background(), `SELECT * FROM nowhere`); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Errorf("query of a missing table: %v", err)
	}
	if _, err := c.query(context.Background(), `SELECT ?`, 1.5); err == nil {
		t.Error("bound a float")
	}
	if err := c.exec(`CREATE TABLE t (x)`); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Errorf("a scan connection wrote: %v", err)
	}

	// A cancelled scan stops within 1,024 rows, with the context's error.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cur, err := c.query(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) SELECT i FROM n`)
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	rows := 0
	for cur.Next() {
		if rows++; rows == 10 {
			cancel()
		}
	}
	if !errors.Is(cur.Err(), context.Canceled) || rows > 1024 {
		t.Errorf("after %d rows: %v", rows, cur.Err())
	}
}
