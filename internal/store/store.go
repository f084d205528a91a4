// Package store is the only package with SQL. It keeps Jiahe's data in
// SQLite (one file, for a county on a laptop) or PostgreSQL (a city or a
// province) with one schema, one set of queries and embedded migrations.
//
// Queries are written once with ? placeholders; for PostgreSQL they are
// rewritten to $1…$n by rebind. Every use case runs in one transaction
// opened by DB.Update or DB.View, whose clock is fixed when it begins.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	_ "modernc.org/sqlite"             // registers driver "sqlite"
)

// Engine names a database engine.
type Engine string

// The engines Jiahe runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database. Writes go through a pool of one connection on
// SQLite (one writer, BEGIN IMMEDIATE) and reads through a separate pool.
type DB struct {
	Engine Engine
	URL    string
	// Now is the clock; tests may replace it before use.
	Now func() time.Time

	w *sql.DB // writer
	r *sql.DB // readers (same as w on PostgreSQL)

	rebindMu sync.RWMutex
	rebound  map[string]string
}

// Open opens the database named by url: "sqlite:PATH" (or a bare path
// ending in .db) or "postgres://…". A "search_path" query parameter on a
// PostgreSQL URL selects a schema, which tests use to isolate themselves.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	db := &DB{URL: rawURL, Now: time.Now, rebound: map[string]string{}}
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db.Engine = Postgres
		c, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		c.SetMaxOpenConns(32)
		c.SetMaxIdleConns(16)
		c.SetConnMaxIdleTime(5 * time.Minute)
		db.w, db.r = c, c
	default:
		db.Engine = SQLite
		path := strings.TrimPrefix(rawURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return nil, errors.New("open sqlite: empty path")
		}
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "foreign_keys(ON)")
		q.Add("_pragma", "synchronous(NORMAL)")
		q.Add("_pragma", "cache_size(-65536)")
		dsn := "file:" + path + "?" + q.Encode()
		w, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(ON)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		db.w, db.r = w, r
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect %s: %w", db.Engine, err)
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping checks the connection (for /healthz).
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Stats returns the writer pool's statistics (for /metrics).
func (db *DB) Stats() sql.DBStats { return db.w.Stats() }

// Tx is one transaction. Its clock (Now) is fixed when it begins, so every
// record it writes — the change, its audit entry, a signature — carries
// the same instant.
type Tx struct {
	db  *DB
	tx  queryer
	now time.Time
}

// queryer is what a Tx runs statements on: a transaction, or for Read the
// reader pool itself.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Now returns the transaction's instant, in UTC.
func (tx *Tx) Now() time.Time { return tx.now }

// Engine returns the engine the transaction runs on.
func (tx *Tx) Engine() Engine { return tx.db.Engine }

// Update runs fn in a read-write transaction and commits it if fn returns
// nil; it rolls back on error or panic. On PostgreSQL the transaction is
// SERIALIZABLE and is retried (up to 5 times) on serialization failure or
// deadlock, so fn must have no effects outside the transaction.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	var opts *sql.TxOptions
	if db.Engine == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = db.run(ctx, db.w, opts, fn)
		if !isRetryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return err
}

// Read runs fn outside any transaction: each statement runs on its own on
// the reader pool. It is for the hot path of single-statement reads (a
// registry look-up), where BEGIN and COMMIT would double the round trips;
// fn sees no snapshot shared between its statements, and must not write.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	return fn(&Tx{db: db, tx: db.r, now: db.Now().UTC().Truncate(time.Microsecond)})
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.r, &sql.TxOptions{ReadOnly: true}, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(tx *Tx) error) (err error) {
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{db: db, tx: sqlTx, now: db.Now().UTC().Truncate(time.Microsecond)}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func isRetryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	return false
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// Exec runs a statement written with ? placeholders.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.db.rebind(query), args...)
}

// Query runs a query written with ? placeholders.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.db.rebind(query), args...)
}

// QueryRow runs a query written with ? placeholders that returns one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.rebind(query), args...)
}

// rebind rewrites ? placeholders to $1…$n for PostgreSQL. Question marks
// inside single-quoted literals are left alone. Results of short, fixed
// query texts are cached.
func (db *DB) rebind(q string) string {
	if db.Engine != Postgres {
		return q
	}
	db.rebindMu.RLock()
	out, ok := db.rebound[q]
	db.rebindMu.RUnlock()
	if ok {
		return out
	}
	out = Rebind(q)
	// Only the fixed query texts are cached: texts built around id lists
	// differ on every call and would grow the cache without bound.
	if len(q) <= maxCachedQuery {
		db.rebindMu.Lock()
		if len(db.rebound) < maxCachedQueries {
			db.rebound[q] = out
		}
		db.rebindMu.Unlock()
	}
	return out
}

// Bounds of the rebind cache.
const (
	maxCachedQuery   = 2048 // bytes of query text
	maxCachedQueries = 4096
)

// Rebind rewrites ? placeholders outside quotes to $1…$n.
func Rebind(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, inQuote := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// NextIDs reserves n consecutive ids for the named sequence and returns the
// first. It is a plain table rather than an engine sequence so that both
// engines (and a sharded deployment, where it is a reference table) agree.
func (tx *Tx) NextIDs(ctx context.Context, name string, n int) (int64, error) {
	if n < 1 {
		return 0, errors.New("NextIDs: n must be positive")
	}
	var next int64
	err := tx.QueryRow(ctx, `UPDATE id_seq SET next = next + ? WHERE name = ? RETURNING next`, n, name).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err = tx.Exec(ctx, `INSERT INTO id_seq (name, next) VALUES (?, ?)`, name, int64(n)+1); err != nil {
			return 0, fmt.Errorf("NextIDs %s: %w", name, err)
		}
		return 1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("NextIDs %s: %w", name, err)
	}
	return next - int64(n), nil
}
