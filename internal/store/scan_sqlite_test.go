package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
