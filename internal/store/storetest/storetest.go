// Package storetest opens fresh, migrated databases for tests: a SQLite
// file in the test's temporary directory, and a PostgreSQL schema of its
// own on the server named by JIAHE_TEST_PG (default
// postgres://127.0.0.1:5432/test), dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// PostgresURL is the server tests use.
func PostgresURL() string {
	if u := os.Getenv("JIAHE_TEST_PG"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Engines returns the engines to test on: both, unless JIAHE_TEST_ENGINES
// names a subset ("sqlite" or "postgres").
func Engines(t testing.TB) []store.Engine {
	t.Helper()
	switch os.Getenv("JIAHE_TEST_ENGINES") {
	case "sqlite":
		return []store.Engine{store.SQLite}
	case "postgres":
		return []store.Engine{store.Postgres}
	}
	return []store.Engine{store.SQLite, store.Postgres}
}

// URL creates an empty database for engine and returns its URL; the
// database is removed when the test ends.
func URL(t testing.TB, engine store.Engine) string {
	t.Helper()
	if engine == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "jiahe.db")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u := PostgresURL()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "search_path=" + schema
}

// Open returns a fresh, migrated database on engine, closed at the end of
// the test.
func Open(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, URL(t, engine))
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}
