// Package storetest opens fresh, migrated databases for tests: a SQLite
// file in the test's temporary directory, and a PostgreSQL schema of its
// own on the server named by JIAHE_TEST_PG (default
// postgres://127.0.0.1:5432/test). Each database gets a key file of its
// own (KeyFile), generated for the test: beside the SQLite file, where
// `jiahe` looks for it, or in the test's temporary directory for
// PostgreSQL.
//
// Migrating a PostgreSQL schema (some 300 statements) takes a few tenths
// of a second, and hundreds of tests open one, so Open takes them from a
// pool of migrated, empty schemas instead (pool.go), which the test
// processes of a run share and later runs reuse:
//
//   - The pool is the table public.storetest_pool of the test database: a
//     row a schema, with the digest of the migrations it was migrated
//     with (store.MigrationsDigest: the files' names and texts), whether
//     it is free, and what was recorded of it just after its migrations.
//     A test claims a free schema of the current digest (UPDATE … FOR
//     UPDATE SKIP LOCKED, so that two processes never take the same), or
//     creates and migrates a new one (store.MigrateSchema, without keys)
//     when none is free. Open then runs Migrate with the test's new keys,
//     which finds every migration applied and brings the schema under the
//     keys (the database's id, key generations, the audit chain's first
//     entry), as on a new schema.
//   - When a test that passed ends, the schema is reset: no connection of
//     the test may remain (they are named by application_name); the
//     tables written (whose files or pg_class counts differ from the
//     record) are truncated, which gives them new, empty files, and their
//     counts in pg_class put back as recorded (this needs a superuser);
//     sequences are restarted; and its structure (tables, columns,
//     indexes, constraints, triggers, functions, views, types, …), what
//     the planner reads of it (file sizes, pg_class counts, column
//     statistics) and the rows the migrations left (schema_migrations,
//     id_locks) must all be as recorded. Only then is it free again. A
//     test that failed, or changed anything the reset cannot put back
//     (ALTER TABLE, ANALYZE, a row of id_locks), has its schema dropped,
//     as is a schema returned when the pool holds poolMax free ones.
//   - Free schemas of another digest are dropped once idle for an hour
//     (another checkout's migrations), and schemas claimed for more than
//     six hours (a killed run) are dropped too, by the first test of a
//     process to open a schema.
//   - That same first test vacuums the system catalogs when dead rows
//     have piled up in them (tidyCatalog), as they do run after run on a
//     server without autovacuum.
//
// Without a pool (the table cannot be made, or the server user is not a
// superuser) every test migrates a schema of its own. URL's empty
// schemas, for tests that migrate from nothing, are never pooled.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/store"
)

// keyFiles maps the URL of every database URL made to its key file.
var keyFiles sync.Map

// KeyFile returns the path of the key file of a database URL made.
func KeyFile(t testing.TB, url string) string {
	t.Helper()
	p, ok := keyFiles.Load(url)
	if !ok {
		t.Fatalf("no key file for %s: the URL was not made by storetest.URL", url)
	}
	return p.(string)
}

// Keys returns the keys of a database URL made.
func Keys(t testing.TB, url string) *keys.Ring {
	t.Helper()
	r, err := keys.Load(KeyFile(t, url))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// newKeyFile writes a fresh key file at path (SM4-GCM or AES-256-GCM, in
// turn, so that both ciphers are exercised) and records it for url.
func newKeyFile(t testing.TB, url, path string) {
	t.Helper()
	c := keys.Ciphers[int(cipherTurn.Add(1))%len(keys.Ciphers)]
	r, err := keys.Generate(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	keyFiles.Store(url, path)
}

var cipherTurn atomic.Int64

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
		path := filepath.Join(t.TempDir(), "jiahe.db")
		url := "sqlite:" + path
		newKeyFile(t, url, path+".keys")
		return url
	}
	// The schema is recorded in the pool's table, never pooled, so that
	// it is dropped later if the run is killed before the test ends.
	admin, _, err := poolDB()
	if err != nil {
		admin = nil
	}
	schema, err := newSchema(context.Background(), admin, "")
	if err != nil {
		t.Fatalf("postgres: create schema: %v", err)
	}
	t.Cleanup(func() { dropSchema(admin, schema) })
	url := schemaURL(schema, schema)
	newKeyFile(t, url, filepath.Join(t.TempDir(), "jiahe.keys"))
	return url
}

// Open returns a fresh, migrated database on engine, closed at the end of
// the test: on PostgreSQL, a schema of the pool.
func Open(t testing.TB, engine store.Engine) *store.DB {
	t.Helper()
	ctx := context.Background()
	var url string
	if engine == store.Postgres {
		url = pooledURL(t)
	} else {
		url = URL(t, engine)
		copyTemplate(t, strings.TrimPrefix(url, "sqlite:"))
	}
	db, err := store.Open(ctx, url, store.WithKeys(Keys(t, url)))
	if err != nil {
		t.Fatalf("open %s: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", engine, err)
	}
	return db
}

// pooledURL claims a migrated schema of the pool for the test and returns
// its URL, with a key file of its own; the schema goes back to the pool
// when the test ends (release). Without the pool, it is an empty schema
// of its own, as URL makes.
func pooledURL(t testing.TB) string {
	t.Helper()
	admin, digest, err := poolDB()
	if err != nil {
		t.Logf("storetest: no pool of schemas (%v): migrating a schema of the test's own", err)
		return URL(t, store.Postgres)
	}
	p, err := claim(context.Background(), admin, digest)
	if err != nil {
		t.Fatalf("postgres: schema of the pool: %v", err)
	}
	var b [3]byte
	rand.Read(b[:])
	// The tag is unique to the test: its URL is, and the test's key file
	// is recorded for it.
	tag := p.schema + "_" + hex.EncodeToString(b[:])
	t.Cleanup(func() { release(t, admin, p, tag) })
	url := schemaURL(p.schema, tag)
	newKeyFile(t, url, filepath.Join(t.TempDir(), "jiahe.keys"))
	return url
}

// The SQLite template: a database file migrated once per test process
// (MigrateSchema, without keys) and copied for each test that Open makes,
// which then only brings it under the test's own keys (Migrate applies
// nothing more). Migrating a new file costs tens of milliseconds for each
// of hundreds of tests; copying it, well under one.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "jiahe-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	if err := db.MigrateSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Closing the last connection checkpoints the write-ahead log into
	// the file and removes it, so that the file alone is the database.
	if err := db.Close(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return nil, errors.New("the template's write-ahead log was not checkpointed")
	}
	return os.ReadFile(path)
})

// copyTemplate writes the migrated template to path; without one (it
// could not be made), the test's database is migrated as it opens.
func copyTemplate(t testing.TB, path string) {
	t.Helper()
	b, err := sqliteTemplate()
	if err != nil {
		t.Logf("storetest: no SQLite template (%v): migrating the test's own file", err)
		return
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatalf("sqlite: copy the template: %v", err)
	}
}
