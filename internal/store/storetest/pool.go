package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/store"
)

// The pool of migrated PostgreSQL schemas (see the package comment). Its
// rows live in poolTable, in the database of PostgresURL, shared by every
// test process using that database.
const (
	poolTable = "public.storetest_pool"
	// poolMax is the number of free schemas of one digest kept; a schema
	// returned beyond it is dropped.
	poolMax = 48
	// poolIdle is how long free schemas of another digest (another
	// checkout's migrations) are kept before they are dropped.
	poolIdle = time.Hour
	// poolAbandoned is how long a schema may stay claimed before it is
	// taken for the leftover of a killed run and dropped.
	poolAbandoned = 6 * time.Hour
	// poolFormat begins the digests of the pool's schemas; it changes
	// when what is recorded of them does, so that no schema recorded by
	// another version of this file is claimed.
	poolFormat = "2:"
)

// pooled is one migrated schema of the pool and what was recorded of it
// when it was migrated.
type pooled struct {
	schema string
	shape  string   // shape's digest of its structure
	plan   string   // planState's record of what the planner reads of it
	seeds  []string // the tables migrations left rows in
	seed   string   // seedState's digest of those rows
}

var pool struct {
	once   sync.Once
	admin  *sql.DB
	digest string
	err    error // set when the pool cannot be used: tests migrate schemas of their own
}

// poolDB returns the connection to the pool's database and the digest of
// the migrations, making the pool's table on first use and dropping
// schemas left behind: free ones of another digest idle for poolIdle, and
// ones claimed for longer than poolAbandoned (a killed run).
func poolDB() (*sql.DB, string, error) {
	pool.once.Do(func() {
		pool.digest, pool.err = store.MigrationsDigest(store.Postgres)
		if pool.err != nil {
			return
		}
		pool.digest = poolFormat + pool.digest
		pool.admin, pool.err = sql.Open("pgx", PostgresURL())
		if pool.err != nil {
			return
		}
		pool.admin.SetMaxOpenConns(8)
		pool.admin.SetMaxIdleConns(4)
		ctx := context.Background()
		var super bool
		if pool.err = pool.admin.QueryRowContext(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); pool.err != nil {
			return
		}
		if !super {
			pool.err = errors.New("the pool needs a superuser, to put back the counts of pg_class that TRUNCATE changes")
			return
		}
		pool.err = inTx(ctx, pool.admin, func(tx *sql.Tx) error {
			// Processes starting together would race to create the table.
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('`+poolTable+`'))`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+poolTable+` (
				schema TEXT PRIMARY KEY,
				digest TEXT NOT NULL,
				free   BOOLEAN NOT NULL,
				since  TIMESTAMPTZ NOT NULL,
				shape  TEXT NOT NULL DEFAULT '',
				plan   TEXT NOT NULL DEFAULT '',
				seeds  TEXT NOT NULL DEFAULT '',
				seed   TEXT NOT NULL DEFAULT '')`)
			return err
		})
		if pool.err != nil {
			pool.err = fmt.Errorf("pool table: %w", pool.err)
			return
		}
		rows, err := pool.admin.QueryContext(ctx, `DELETE FROM `+poolTable+`
			WHERE (free AND digest <> $1 AND since < now() - $2::interval)
			   OR (NOT free AND since < now() - $3::interval)
			RETURNING schema`, pool.digest, fmt.Sprintf("%d seconds", int(poolIdle.Seconds())),
			fmt.Sprintf("%d seconds", int(poolAbandoned.Seconds())))
		if err != nil {
			pool.err = fmt.Errorf("pool sweep: %w", err)
			return
		}
		var gone []string
		for rows.Next() {
			var s string
			if rows.Scan(&s) == nil {
				gone = append(gone, s)
			}
		}
		rows.Close()
		for _, s := range gone {
			pool.admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+ident(s)+` CASCADE`)
		}
		tidyCatalog(ctx, pool.admin)
	})
	return pool.admin, pool.digest, pool.err
}

// catalogTables are the system catalogs that creating and dropping
// schemas, tables and temporary tables leave dead rows in.
var catalogTables = []string{"pg_attribute", "pg_class", "pg_depend", "pg_type", "pg_index",
	"pg_constraint", "pg_attrdef", "pg_statistic", "pg_trigger", "pg_proc", "pg_namespace"}

// catalogDeadMax is the number of dead rows in pg_attribute past which
// tidyCatalog vacuums the catalogs: some ten runs of the suite.
const catalogDeadMax = 200_000

// tidyCatalog vacuums the system catalogs of the test database when they
// hold many dead rows. The schemas the tests drop and the temporary
// tables the code under test makes leave dead rows in them, and on a
// server whose autovacuum is off (or too slow to follow) they pile up
// run after run, until every migration, schema drop and catalog look-up
// is slowed by them. One process of a run does it (an advisory lock);
// the others go on. A failure only leaves the catalog as it was.
func tidyCatalog(ctx context.Context, admin *sql.DB) {
	var dead int64
	if admin.QueryRowContext(ctx, `SELECT coalesce(n_dead_tup, 0) FROM pg_stat_sys_tables
		WHERE schemaname = 'pg_catalog' AND relname = 'pg_attribute'`).Scan(&dead) != nil || dead < catalogDeadMax {
		return
	}
	conn, err := admin.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	var got bool
	if conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext('storetest catalog'))`).Scan(&got) != nil || !got {
		return
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext('storetest catalog'))`)
	for _, t := range catalogTables {
		conn.ExecContext(ctx, `VACUUM pg_catalog.`+t)
	}
}

// newSchema creates an empty schema of a new name and records it in the
// pool's table as claimed under digest ("" for an unmigrated schema, never
// pooled), so that a killed run's schemas are found again. Without the
// pool (admin nil) it is only created.
func newSchema(ctx context.Context, admin *sql.DB, digest string) (string, error) {
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if admin == nil {
		a, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			return "", err
		}
		defer a.Close()
		_, err = a.ExecContext(ctx, `CREATE SCHEMA `+schema)
		return schema, err
	}
	return schema, inTx(ctx, admin, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO `+poolTable+` (schema, digest, free, since) VALUES ($1, $2, false, now())`,
			schema, digest)
		return err
	})
}

// dropSchema drops a schema and its row in the pool's table.
func dropSchema(admin *sql.DB, schema string) {
	ctx := context.Background()
	if admin == nil {
		a, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+ident(schema)+` CASCADE`)
		return
	}
	if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+ident(schema)+` CASCADE`); err == nil {
		admin.ExecContext(ctx, `DELETE FROM `+poolTable+` WHERE schema = $1`, schema)
	}
}

// claim takes a free schema of the current migrations from the pool, or
// creates and migrates a new one when none is free. FOR UPDATE SKIP LOCKED
// makes two processes claiming at once take different schemas.
func claim(ctx context.Context, admin *sql.DB, digest string) (*pooled, error) {
	for {
		var p pooled
		var seeds string
		var exists bool
		err := admin.QueryRowContext(ctx, `UPDATE `+poolTable+` SET free = false, since = now()
			WHERE schema = (SELECT schema FROM `+poolTable+` WHERE digest = $1 AND free
				ORDER BY since DESC LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING schema, shape, plan, seeds, seed, to_regnamespace(schema) IS NOT NULL`, digest).
			Scan(&p.schema, &p.shape, &p.plan, &seeds, &p.seed, &exists)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, err
		}
		if !exists { // dropped by hand
			dropSchema(admin, p.schema)
			continue
		}
		if seeds != "" {
			p.seeds = strings.Split(seeds, ",")
		}
		return &p, nil
	}
	schema, err := newSchema(ctx, admin, digest)
	if err != nil {
		return nil, err
	}
	p, err := migrateSchema(ctx, admin, schema)
	if err != nil {
		dropSchema(admin, schema)
		return nil, err
	}
	return p, nil
}

// migrateSchema applies the migrations to a new schema, without keys
// (those of each test are given by Migrate when it opens the schema), and
// records the schema's shape, planner state and seed rows.
func migrateSchema(ctx context.Context, admin *sql.DB, schema string) (*pooled, error) {
	db, err := store.Open(ctx, schemaURL(schema, schema))
	if err != nil {
		return nil, err
	}
	err = db.MigrateSchema(ctx)
	db.Close()
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	p := &pooled{schema: schema}
	err = inSchema(ctx, admin, schema, func(tx *sql.Tx) (err error) {
		if p.seeds, err = tablesWithRows(ctx, tx, schema); err != nil {
			return err
		}
		if p.shape, err = shape(ctx, tx, schema); err != nil {
			return err
		}
		st, err := planState(ctx, tx, schema)
		if err != nil {
			return err
		}
		p.plan = st.String()
		if p.seed, err = seedState(ctx, tx, p.seeds); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE `+poolTable+` SET shape = $2, plan = $3, seeds = $4, seed = $5 WHERE schema = $1`,
			schema, p.shape, p.plan, strings.Join(p.seeds, ","), p.seed)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return p, nil
}

// release returns a schema to the pool at the end of a test that passed,
// emptied and checked by reset; any other schema is dropped.
func release(t testing.TB, admin *sql.DB, p *pooled, tag string) {
	if t.Failed() {
		dropSchema(admin, p.schema)
		return
	}
	if err := reset(context.Background(), admin, p, tag); err != nil {
		t.Logf("storetest: schema %s dropped, not pooled: %v", p.schema, err)
		dropSchema(admin, p.schema)
	}
}

// reset brings a schema back to the state migrateSchema left it in and
// frees it in the pool, or fails and changes nothing: every connection of
// the test must be closed; the tables written are emptied (TRUNCATE gives
// them new, empty files, so that the planner sees them as it saw them
// new) and their sequences restarted; and the structure, the planner's
// statistics and the rows migrations left must be as recorded.
func reset(ctx context.Context, admin *sql.DB, p *pooled, tag string) error {
	if err := waitClosed(ctx, admin, p.schema, tag); err != nil {
		return err
	}
	return inSchema(ctx, admin, p.schema, func(tx *sql.Tx) error {
		if err := empty(ctx, tx, p); err != nil {
			return err
		}
		var free int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+poolTable+` WHERE digest = (SELECT digest FROM `+poolTable+` WHERE schema = $1) AND free`,
			p.schema).Scan(&free); err != nil {
			return err
		}
		if free >= poolMax {
			return fmt.Errorf("the pool holds %d free schemas already", free)
		}
		_, err := tx.ExecContext(ctx, `UPDATE `+poolTable+` SET free = true, since = now() WHERE schema = $1`, p.schema)
		return err
	})
}

// waitClosed waits for the connections of the test to schema to be gone.
func waitClosed(ctx context.Context, admin *sql.DB, schema, tag string) error {
	// A test's connections are closed when its cleanup runs, but a server
	// process may take a moment to go; one still there (a database or a
	// goroutine the test left open) could write into the next test.
	for wait := 0; ; wait++ {
		var n int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND left(application_name, length($1)) = $1 AND pid <> pg_backend_pid()`,
			schema).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			break
		}
		if wait == 200 {
			return fmt.Errorf("%d connections of the test (%s) are still open", n, tag)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// empty brings the schema of the transaction tx back to its record in p:
// the tables written are emptied (TRUNCATE gives them new, empty files,
// as the planner saw them new) and the counts pg_class keeps of them put
// back, sequences are restarted, and the structure, the planner's view and
// the rows migrations left must then be as recorded.
func empty(ctx context.Context, tx *sql.Tx, p *pooled) error {
	if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '10s'`); err != nil {
		return err
	}
	want, err := parsePlan(p.plan)
	if err != nil {
		return err
	}
	got, err := planState(ctx, tx, p.schema)
	if err != nil {
		return err
	}
	// The tables whose files or counts (or those of their indexes) differ
	// from the record were written.
	seeds := map[string]bool{}
	for _, s := range p.seeds {
		seeds[s] = true
	}
	written := map[string]bool{}
	for name, r := range got.rels {
		if want.rels[name] != r {
			if seeds[r.table] {
				return fmt.Errorf("the test changed %s, which migrations fill", r.table)
			}
			written[r.table] = true
		}
	}
	if len(written) > 0 {
		var names []string
		for name := range written {
			names = append(names, ident(name))
		}
		sort.Strings(names)
		if _, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(names, ", ")+` RESTART IDENTITY CASCADE`); err != nil {
			return err
		}
		// TRUNCATE leaves counts in pg_class that no CREATE TABLE does
		// (an index of no pages and no count of tuples): they are put
		// back as recorded, where the files are as recorded.
		if got, err = planState(ctx, tx, p.schema); err != nil {
			return err
		}
		var values []string
		for name, r := range got.rels {
			if w, ok := want.rels[name]; ok && w != r && w.size == r.size && w.table == r.table {
				values = append(values, fmt.Sprintf("(%s, %d, %s::real, %d)", literal(name), w.pages, literal(w.tuples), w.allVisible))
			}
		}
		if len(values) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE pg_catalog.pg_class c SET relpages = v.pages, reltuples = v.tuples, relallvisible = v.visible
				FROM (VALUES `+strings.Join(values, ", ")+`) v (name, pages, tuples, visible)
				WHERE c.oid = quote_ident(v.name)::regclass`); err != nil {
				return err
			}
		}
	}
	var seqs []string
	if err := store.EachRow(ctx, tx.QueryContext, `WITH `+objects+`
		SELECT quote_ident(c.relname) FROM objects o JOIN pg_class c ON c.oid = o.objid
		WHERE o.classid = 'pg_class'::regclass AND c.relkind = 'S'`, nil, func(rows *sql.Rows) error {
		var name string
		err := rows.Scan(&name)
		seqs = append(seqs, name)
		return err
	}); err != nil {
		return err
	}
	for _, s := range seqs {
		if _, err := tx.ExecContext(ctx, `ALTER SEQUENCE `+s+` RESTART`); err != nil {
			return err
		}
	}

	if sh, err := shape(ctx, tx, p.schema); err != nil || sh != p.shape {
		if err != nil {
			return err
		}
		return errors.New("the test changed the schema's structure")
	}
	if got, err = planState(ctx, tx, p.schema); err != nil {
		return err
	}
	if d := got.diff(want); d != "" {
		return fmt.Errorf("the test changed the schema's files or planner statistics: %s", d)
	}
	if sd, err := seedState(ctx, tx, p.seeds); err != nil || sd != p.seed {
		if err != nil {
			return err
		}
		return errors.New("the test changed rows that migrations wrote")
	}
	return nil
}

// tablesWithRows returns the tables of schema holding rows.
func tablesWithRows(ctx context.Context, tx *sql.Tx, schema string) ([]string, error) {
	var tables []string
	if err := store.EachRow(ctx, tx.QueryContext, `WITH `+objects+`
		SELECT c.relname FROM objects o JOIN pg_class c ON c.oid = o.objid
		WHERE o.classid = 'pg_class'::regclass AND c.relkind = 'r' ORDER BY c.relname`,
		nil, func(rows *sql.Rows) error {
			var name string
			err := rows.Scan(&name)
			tables = append(tables, name)
			return err
		}); err != nil {
		return nil, err
	}
	var out []string
	for _, name := range tables {
		var any bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+ident(name)+`)`).Scan(&any); err != nil {
			return nil, err
		}
		if any {
			out = append(out, name)
		}
	}
	return out, nil
}

// seedState returns a digest of the rows of tables.
func seedState(ctx context.Context, tx *sql.Tx, tables []string) (string, error) {
	var b strings.Builder
	for _, name := range tables {
		var d string
		if err := tx.QueryRowContext(ctx, `SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\n' ORDER BY t::text)), '')
			FROM `+ident(name)+` t`).Scan(&d); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s %s\n", name, d)
	}
	return b.String(), nil
}

// relState is what the planner reads of a table or index: the size of
// its file and the counts pg_class keeps of it (VACUUM, ANALYZE and
// CREATE INDEX set them).
type relState struct {
	table      string // the table, or the table of an index
	pages      int64
	tuples     string
	allVisible int64
	size       int64
}

// plan is what the planner reads of a schema: relState of its tables and
// indexes, and the number of columns with statistics (ANALYZE).
type plan struct {
	rels  map[string]relState
	stats int
}

// String returns the plan as lines of text, sorted, as recorded in the
// pool's table and parsed by parsePlan.
func (p plan) String() string {
	var lines []string
	for name, r := range p.rels {
		lines = append(lines, fmt.Sprintf("%s %s %d %s %d %d", name, r.table, r.pages, r.tuples, r.allVisible, r.size))
	}
	sort.Strings(lines)
	return fmt.Sprintf("%sstats %d", strings.Join(lines, "\n")+"\n", p.stats)
}

// diff names what differs between p and q, or returns "".
func (p plan) diff(q plan) string {
	var d []string
	for name, r := range p.rels {
		if w, ok := q.rels[name]; !ok {
			d = append(d, name+" is new")
		} else if w != r {
			d = append(d, fmt.Sprintf("%s (%+v, was %+v)", name, r, w))
		}
	}
	for name := range q.rels {
		if _, ok := p.rels[name]; !ok {
			d = append(d, name+" is gone")
		}
	}
	if p.stats != q.stats {
		d = append(d, fmt.Sprintf("%d statistics of columns (ANALYZE), was %d", p.stats, q.stats))
	}
	sort.Strings(d)
	if len(d) > 3 {
		d = append(d[:3], "…")
	}
	return strings.Join(d, "; ")
}

func parsePlan(s string) (plan, error) {
	p := plan{rels: map[string]relState{}}
	for _, line := range strings.Split(s, "\n") {
		var name string
		var r relState
		if _, err := fmt.Sscanf(line, "stats %d", &p.stats); err == nil {
			continue
		}
		if _, err := fmt.Sscanf(line, "%s %s %d %s %d %d", &name, &r.table, &r.pages, &r.tuples, &r.allVisible, &r.size); err != nil {
			return p, fmt.Errorf("recorded plan: %q: %w", line, err)
		}
		p.rels[name] = r
	}
	return p, nil
}

// planState returns what the planner reads of the current schema.
func planState(ctx context.Context, tx *sql.Tx, schema string) (plan, error) {
	p := plan{rels: map[string]relState{}}
	err := store.EachRow(ctx, tx.QueryContext, `WITH `+tables+`, rels AS (
			SELECT oid, oid AS tab FROM tables WHERE relkind IN ('r', 'm')
			UNION ALL
			SELECT i.indexrelid, i.indrelid FROM tables t JOIN pg_index i ON i.indrelid = t.oid WHERE t.relkind IN ('r', 'm'))
		SELECT c.relname, t.relname, c.relpages, c.reltuples::text, c.relallvisible, pg_relation_size(c.oid)
		FROM rels r JOIN pg_class c ON c.oid = r.oid JOIN pg_class t ON t.oid = r.tab`,
		nil, func(rows *sql.Rows) error {
			var name string
			var r relState
			err := rows.Scan(&name, &r.table, &r.pages, &r.tuples, &r.allVisible, &r.size)
			p.rels[name] = r
			return err
		})
	if err != nil {
		return p, err
	}
	err = tx.QueryRowContext(ctx, `WITH `+tables+`
		SELECT count(*) FROM tables t JOIN pg_statistic s ON s.starelid = t.oid`).Scan(&p.stats)
	return p, err
}

// shape returns a digest of the structure of the current schema: its
// relations and their options, columns, indexes, constraints, triggers,
// rules and policies, and its views, sequences, functions, types and
// statistics objects. Definitions print the schema's names unqualified
// (search_path is the schema).
func shape(ctx context.Context, tx *sql.Tx, schema string) (string, error) {
	var d string
	err := tx.QueryRowContext(ctx, `SELECT count(*) || ' ' || md5(string_agg(line, E'\n' ORDER BY line)) FROM (`+shapeLines+`) shape`, schema).Scan(&d)
	return d, err
}

// The schema's objects are found through what depends on the schema, and
// the rest through the indexes of the catalogs: the catalogs of a test
// database, where schemas are made and dropped all day, are too large to
// be read whole at every test's end.
const (
	// objects are the objects of the current schema: tables, views,
	// sequences, functions, types, … (not indexes: they belong to their
	// table).
	objects = `objects AS (SELECT classid, objid FROM pg_depend
		WHERE refclassid = 'pg_namespace'::regclass AND deptype = 'n'
		AND refobjid = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()))`
	// tables are the relations of the current schema that have columns.
	tables = objects + `, tables AS (SELECT c.* FROM objects o JOIN pg_class c ON c.oid = o.objid
		WHERE o.classid = 'pg_class'::regclass AND c.relkind IN ('r', 'm', 'p', 'v', 'f', 'c', 'S'))`
)

// shapeLines is the query of shape's lines, one an object, $1 the schema.
// Some definitions name the schema (pg_get_indexdef): it is taken out.
const shapeLines = `WITH ` + tables + `
	SELECT replace(line, $1 || '.', '') AS line FROM (
		SELECT concat_ws(' ', 'object', o.classid::regclass::text, (pg_identify_object(o.classid, o.objid, 0)).identity) AS line
		FROM objects o
		UNION ALL
		SELECT concat_ws(' ', 'rel', c.relname, c.relkind, c.relpersistence, c.reloptions::text, c.relacl::text,
			c.relowner::regrole::text, c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.relhasrules, c.relhastriggers)
		FROM tables c
		UNION ALL
		SELECT concat_ws(' ', 'column', c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			a.attisdropped, a.attidentity, a.attgenerated, a.attstattarget, a.attacl::text,
			-- pg_attver, which this server's build keeps in every column's
			-- options, differs between schemas alike.
			(SELECT string_agg(o, ',' ORDER BY o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_attver=%'),
			(SELECT collname FROM pg_collation WHERE oid = a.attcollation), pg_get_expr(ad.adbin, ad.adrelid))
		FROM tables c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
		LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
		UNION ALL
		SELECT concat_ws(' ', 'index', pg_get_indexdef(i.indexrelid), i.indisclustered, i.indisvalid, i.indisready, i.indislive, i.indisreplident)
		FROM tables c JOIN pg_index i ON i.indrelid = c.oid
		UNION ALL
		SELECT concat_ws(' ', 'constraint', c.relname, co.conname, pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred, co.convalidated)
		FROM tables c JOIN pg_constraint co ON co.conrelid = c.oid
		UNION ALL
		SELECT concat_ws(' ', 'type constraint', co.contypid::regtype::text, co.conname, pg_get_constraintdef(co.oid))
		FROM objects o JOIN pg_constraint co ON co.contypid = o.objid WHERE o.classid = 'pg_type'::regclass
		UNION ALL
		SELECT concat_ws(' ', 'trigger', c.relname, tg.tgenabled,
			CASE WHEN tg.tgisinternal THEN concat_ws(' ', (SELECT conname FROM pg_constraint WHERE oid = tg.tgconstraint), tg.tgfoid::regproc::text, tg.tgtype)
			ELSE pg_get_triggerdef(tg.oid) END)
		FROM tables c JOIN pg_trigger tg ON tg.tgrelid = c.oid
		UNION ALL
		SELECT concat_ws(' ', 'rule', c.relname, r.rulename, r.ev_enabled, pg_get_ruledef(r.oid))
		FROM tables c JOIN pg_rewrite r ON r.ev_class = c.oid
		UNION ALL
		SELECT concat_ws(' ', 'policy', c.relname, p.polname, p.polcmd, p.polpermissive, p.polroles::text,
			pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
		FROM tables c JOIN pg_policy p ON p.polrelid = c.oid
		UNION ALL
		SELECT concat_ws(' ', 'sequence', c.relname, s.seqtypid::regtype::text, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)
		FROM tables c JOIN pg_sequence s ON s.seqrelid = c.oid
		UNION ALL
		SELECT concat_ws(' ', 'function', p.proname, pg_get_function_identity_arguments(p.oid), p.prokind, p.provolatile,
			p.prorettype::regtype::text, p.proconfig::text, md5(p.prosrc))
		FROM objects o JOIN pg_proc p ON p.oid = o.objid WHERE o.classid = 'pg_proc'::regclass
		UNION ALL
		SELECT concat_ws(' ', 'type', t.typname, t.typtype, t.typbasetype::regtype::text, t.typnotnull,
			(SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid))
		FROM objects o JOIN pg_type t ON t.oid = o.objid WHERE o.classid = 'pg_type'::regclass
		UNION ALL
		SELECT concat_ws(' ', 'statistics', s.stxname, c.relname, s.stxkeys::text, s.stxkind::text)
		FROM tables c JOIN pg_statistic_ext s ON s.stxrelid = c.oid
	) lines`

// inSchema runs fn in a transaction whose search_path is schema alone.
func inSchema(ctx context.Context, admin *sql.DB, schema string, fn func(*sql.Tx) error) error {
	return inTx(ctx, admin, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT set_config('search_path', $1, true)`, ident(schema)); err != nil {
			return err
		}
		return fn(tx)
	})
}

func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// literal quotes a string for PostgreSQL.
func literal(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// ident quotes a name for PostgreSQL.
func ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// schemaURL returns the URL of schema on the server of PostgresURL; tag
// names its connections (application_name), so that reset can see that
// none is left.
func schemaURL(schema, tag string) string {
	u := PostgresURL()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	// Tests do not survive a crash of the server, so a commit need not
	// wait for the disk: the same statements, a fraction of the time.
	return u + sep + "search_path=" + schema + "&synchronous_commit=off&application_name=" + tag
}
