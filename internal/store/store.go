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
	"maps"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers driver "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/keys"
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
	q *sql.DB // Read's single statements (a small pool of its own on PostgreSQL; r on SQLite)
	// inLine admits Read's callers to q in the order they came, one for
	// each of its connections (PostgreSQL; nil on SQLite).
	inLine chan struct{}

	keys *keys.Ring // the key file's keys; nil until given
	dsn  string     // SQLite: the data source name, without the pools' options
	ids  *idBlocks  // id blocks reserved outside transactions (PostgreSQL)

	rebindMu sync.RWMutex
	rebound  map[string]string
}

// quickConns is the number of connections Read's statements run on with
// PostgreSQL: JIAHE_READ_CONNS, or twice the cores this process may use,
// plus one. A server does the most statements a second with about that
// many running at once; more only share its cores, and each waits longer.
func quickConns() int {
	if n, err := strconv.Atoi(os.Getenv("JIAHE_READ_CONNS")); err == nil && n > 0 {
		return n
	}
	return 2*runtime.GOMAXPROCS(0) + 1
}

// sqliteCacheKiB is the page cache of each SQLite connection.
const sqliteCacheKiB = 65536

// Option configures Open.
type Option func(*DB)

// WithKeys gives the database its keys (package keys): without them no ID
// number or account number can be written or read, and no audit entry
// appended.
func WithKeys(r *keys.Ring) Option { return func(db *DB) { db.keys = r } }

// Open opens the database named by url: "sqlite:PATH" (or a bare path
// ending in .db) or "postgres://…". A "search_path" query parameter on a
// PostgreSQL URL selects a schema, which tests use to isolate themselves.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	db := &DB{URL: rawURL, Now: time.Now, rebound: map[string]string{}}
	for _, o := range opts {
		o(db)
	}
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db.Engine = Postgres
		c, err := pgPool(rawURL, 32, 16, nil)
		if err != nil {
			return nil, err
		}
		db.w, db.r = c, c
		// Id blocks are reserved on connections of their own, so that a
		// reservation never waits for a connection that a transaction
		// waiting for it holds.
		seq, err := pgPool(rawURL, 2, 2, nil)
		if err != nil {
			c.Close()
			return nil, err
		}
		db.ids = newIDBlocks(seq)
		// Read's statements run on a few connections: a look-up waits in
		// line for one rather than every caller's statement running at
		// once and all of them sharing the server's cores.
		//
		// Their statements are planned once a connection, when first
		// prepared, not again at each run: the planner judged the
		// generic plan of a search by name dearer than planning for each
		// name, and planning took as long as running the search (0.28
		// ms each, docs/performance.md). Every search is an index search
		// in its generic plan (TestSearchGenericPlans). And a statement
		// runs in its own server process, never gathering workers: the
		// pool is already as many as the cores, and starting workers took
		// longer than a search (a generic plan expects many rows).
		n := quickConns()
		if db.q, err = pgPool(rawURL, n, n, map[string]string{"plan_cache_mode": "force_generic_plan",
			"max_parallel_workers_per_gather": "0"}); err != nil {
			c.Close()
			seq.Close()
			return nil, err
		}
		db.inLine = make(chan struct{}, n)
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
		q.Add("_pragma", "cache_size(-"+strconv.Itoa(sqliteCacheKiB)+")")
		dsn := "file:" + uriPath(path) + "?" + q.Encode()
		db.dsn = dsn
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
		db.w, db.r, db.q = w, r, r
	}
	if err := db.w.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect %s: %w", db.Engine, err)
	}
	return db, nil
}

// pgPool opens a pool of at most open connections to the PostgreSQL
// database of rawURL, keeping idle of them when unused (for five minutes).
func pgPool(rawURL string, open, idle int, params map[string]string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	maps.Copy(cfg.RuntimeParams, params)
	p := stdlib.OpenDB(*cfg)
	p.SetMaxOpenConns(open)
	p.SetMaxIdleConns(idle)
	p.SetConnMaxIdleTime(5 * time.Minute)
	return p, nil
}

// uriPath escapes the characters of a file path that a SQLite URI
// filename would read otherwise: "?" would start its parameters, "#" its
// fragment (the rest of the path silently dropped, so that another file
// is opened), and "%" an escape.
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// Close closes the pools.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		if e := db.r.Close(); err == nil {
			err = e
		}
	}
	if db.q != db.r {
		if e := db.q.Close(); err == nil {
			err = e
		}
	}
	if db.ids != nil {
		if e := db.ids.pool.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Keys returns the database's keys (nil when none were given).
func (db *DB) Keys() *keys.Ring { return db.keys }

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
	// conn is Read's connection on PostgreSQL (nil otherwise), whose
	// rows each reads through pgx's own interface.
	conn *sql.Conn
	// heads are the audit heads the transaction holds locked, as it last
	// read or wrote them.
	heads map[string]audit.Head
}

// queryer is what a Tx runs statements on: a transaction, or for Read a
// connection of its pool (PostgreSQL) or the reader pool itself (SQLite).
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
// nil; it rolls back on error or panic.
//
// On PostgreSQL the transaction runs at READ COMMITTED and its writes are
// serialised where they meet: a chain's audit head is locked (SELECT … FOR
// UPDATE) before it is read and moved, a use case on a county locks that
// county's chain first (Tx.LockChain), and registering an ID number locks
// its bucket (lockIDNumbers). A transaction that waits for a lock then
// reads what the holder committed, so waiting never fails, where
// SERIALIZABLE would abort the waiter. A deadlock or a serialization
// failure is retried with a jittered, growing delay for up to
// retryBudget; then Update gives up with an Unavailable error, which the
// web answers 503 with Retry-After. fn must therefore have no effects
// outside the transaction.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	var opts *sql.TxOptions
	if db.Engine == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return retry(ctx, func() error { return db.run(ctx, db.w, opts, fn) })
}

// The retry policy of Update: at most retryAttempts runs within about
// retryBudget, each delay drawn uniformly up to a cap that doubles from
// retryBase to retryCap.
const (
	retryAttempts = 12
	retryBase     = 5 * time.Millisecond
	retryCap      = 800 * time.Millisecond
	retryBudget   = 8 * time.Second
)

// ErrBusy is the error Update returns when its retries are exhausted.
var ErrBusy = &apperr.Error{Kind: apperr.Unavailable, ZH: "系统繁忙，请稍后重试", EN: "the system is busy: try again in a moment"}

func retry(ctx context.Context, run func() error) error {
	start := time.Now()
	ceiling := retryBase
	for attempt := 1; ; attempt++ {
		err := run()
		if !isRetryable(err) {
			return err
		}
		if attempt == retryAttempts || time.Since(start) > retryBudget {
			return &apperr.Error{Kind: ErrBusy.Kind, ZH: ErrBusy.ZH, EN: ErrBusy.EN, Err: err}
		}
		t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		ceiling = min(2*ceiling, retryCap)
	}
}

// Read runs fn outside any transaction: each statement runs on its own on
// the reader pool (on PostgreSQL, a pool of quickConns connections of its
// own, which callers take in turn). It is for the hot path of
// single-statement reads (a registry look-up), where BEGIN and COMMIT
// would double the round trips; fn sees no snapshot shared between its
// statements, and must not write or hold a statement's rows open while it
// runs another.
//
// On PostgreSQL callers wait in line, first come first served, for one of
// the pool's connections: database/sql gives a connection set free to a
// waiter chosen at random, so that under load some look-ups waited many
// times as long as the others (docs/performance.md). A caller keeps its
// place in the pool until fn returns, so fn's statements, one after the
// other, never wait again. fn must not call Read itself: callers holding
// every place would wait for each other.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	tx := &Tx{db: db, tx: db.q}
	if db.inLine != nil {
		select {
		case db.inLine <- struct{}{}:
			defer func() { <-db.inLine }()
		case <-ctx.Done():
			return ctx.Err()
		}
		// A place in line is a connection free in the pool: fn's
		// statements run on it, and its rows are read through pgx
		// (Tx.each).
		conn, err := db.q.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		tx.tx, tx.conn = conn, conn
	}
	tx.now = db.Now().UTC().Truncate(time.Microsecond)
	return fn(tx)
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

// isRetryable reports whether err is worth running the transaction again
// for: a serialization failure, a deadlock, a lock or the server's
// connections not available now; on SQLite, a database busy past its
// busy timeout (another process writing).
func isRetryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "40001", "40P01", "55P03", "53300":
			return true
		}
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
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

// traced, when set, is called with the text of every statement a Tx runs.
// Only tests set it (export_test.go), to check that the statements of
// county-scoped use cases filter on county (docs/scaling.md).
var traced atomic.Pointer[func(query string)]

// trace passes query to traced, if set.
func trace(query string) {
	if f := traced.Load(); f != nil {
		(*f)(query)
	}
}

// Exec runs a statement written with ? placeholders.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	trace(query)
	return tx.tx.ExecContext(ctx, tx.db.rebind(query), args...)
}

// Query runs a query written with ? placeholders.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	trace(query)
	return tx.tx.QueryContext(ctx, tx.db.rebind(query), args...)
}

// QueryRow runs a query written with ? placeholders that returns one row.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	trace(query)
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
// first. The counters are a plain table (id_seq, a reference table in a
// sharded deployment) rather than engine sequences, so that both engines
// agree and no id depends on a node. On SQLite the counter moves inside
// the transaction (there is one writer). On PostgreSQL ids come from
// blocks each process reserves on a connection of its own and hands out
// from memory (idBlocks), so that no transaction holds the counter's row:
// ids reserved by a transaction that rolls back are skipped, not reused.
func (tx *Tx) NextIDs(ctx context.Context, name string, n int) (int64, error) {
	if n < 1 {
		return 0, errors.New("NextIDs: n must be positive")
	}
	if tx.db.ids != nil {
		return tx.db.ids.take(ctx, name, n)
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
