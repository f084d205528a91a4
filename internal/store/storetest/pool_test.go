package storetest

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// testPool returns the pool's connection and digest, or skips the test
// when PostgreSQL is not among the engines tested.
func testPool(t *testing.T) (*sql.DB, string) {
	t.Helper()
	for _, e := range Engines(t) {
		if e == store.Postgres {
			admin, digest, err := poolDB()
			if err != nil {
				t.Fatal(err)
			}
			return admin, digest
		}
	}
	t.Skip("PostgreSQL is not tested")
	return nil, ""
}

// state returns the structure, planner state and seed rows of the schema
// of tx, as reset compares them.
func state(t *testing.T, tx *sql.Tx, schema string, seeds []string) (shp, pln, seed string) {
	t.Helper()
	ctx := context.Background()
	shp, err := shape(ctx, tx, schema)
	if err != nil {
		t.Fatal(err)
	}
	st, err := planState(ctx, tx, schema)
	if err != nil {
		t.Fatal(err)
	}
	if seed, err = seedState(ctx, tx, seeds); err != nil {
		t.Fatal(err)
	}
	return shp, st.String(), seed
}

// A schema a test wrote to is, once reset, what a schema just migrated
// is: same structure, same files and counts for the planner, same rows
// left by the migrations; and Open on it gives what Open on a new schema
// gives.
func TestResetIsFresh(t *testing.T) {
	admin, digest := testPool(t)
	ctx := context.Background()

	fresh, err := claimNew(ctx, admin, digest)
	if err != nil {
		t.Fatal(err)
	}
	used, err := claim(ctx, admin, digest)
	if err != nil {
		t.Fatal(err)
	}

	// A test's life on used: Migrate with keys, writes, and rows left in
	// a transaction rolled back.
	url := schemaURL(used.schema, used.schema+"_x")
	newKeyFile(t, url, t.TempDir()+"/jiahe.keys")
	db, err := store.Open(ctx, url, store.WithKeys(Keys(t, url)))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO users (id, username, display_name, role, region, password_hash, created_at, updated_at)
			VALUES (7, 'a', 'A', 'county', '341523', 'x', now(), now())`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Emptied, and compared before it goes back to the pool, where
	// another test could claim it.
	if err := waitClosed(ctx, admin, used.schema, "x"); err != nil {
		t.Fatal(err)
	}
	var wantShape, wantPlan, wantSeed string
	var freshLines []string
	if err := inSchema(ctx, admin, fresh.schema, func(tx *sql.Tx) error {
		wantShape, wantPlan, wantSeed = state(t, tx, fresh.schema, fresh.seeds)
		freshLines = lines(t, tx, fresh.schema)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	err = inSchema(ctx, admin, used.schema, func(tx *sql.Tx) error {
		if err := empty(ctx, tx, used); err != nil {
			return err
		}
		gotShape, gotPlan, gotSeed := state(t, tx, used.schema, used.seeds)
		if strings.Join(fresh.seeds, ",") != strings.Join(used.seeds, ",") {
			t.Errorf("seed tables: %v, fresh %v", used.seeds, fresh.seeds)
		}
		if gotShape != wantShape {
			t.Errorf("structure after reset differs from a fresh schema's: %s", diff(lines(t, tx, used.schema), freshLines))
		}
		if gotPlan != wantPlan {
			t.Errorf("planner state after reset:\n%s\nfresh:\n%s", gotPlan, wantPlan)
		}
		// The same rows, but for when the migrations were applied.
		if gotSeed != used.seed || count(gotSeed) != count(wantSeed) {
			t.Errorf("seed rows after reset:\n%s\nfresh:\n%s", gotSeed, wantSeed)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*pooled{used, fresh} {
		if err := reset(ctx, admin, p, "x"); err != nil {
			t.Error(err)
			dropSchema(admin, p.schema)
		}
	}
}

// lines returns the lines of the shape of the schema of tx.
func lines(t *testing.T, tx *sql.Tx, schema string) []string {
	t.Helper()
	rows, err := tx.Query(shapeLines, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

// diff returns the lines of a not in b, and of b not in a.
func diff(a, b []string) string {
	in := func(l string, s []string) bool { return slices.Contains(s, l) }
	var d []string
	for _, l := range a {
		if !in(l, b) {
			d = append(d, "+ "+l)
		}
	}
	for _, l := range b {
		if !in(l, a) {
			d = append(d, "- "+l)
		}
	}
	return strings.Join(d, "\n")
}

// count returns the tables and row counts of a seedState.
func count(seed string) string {
	var out []string
	for _, line := range strings.Split(seed, "\n") {
		if f := strings.Fields(line); len(f) == 3 {
			out = append(out, f[0]+" "+f[1])
		}
	}
	return strings.Join(out, ",")
}

// claimNew creates and migrates a schema for the pool, as claim does when
// none is free.
func claimNew(ctx context.Context, admin *sql.DB, digest string) (*pooled, error) {
	schema, err := newSchema(ctx, admin, digest)
	if err != nil {
		return nil, err
	}
	return migrateSchema(ctx, admin, schema)
}

// Every change of structure a test may make changes the recorded shape,
// and reset refuses the schema.
func TestShapeChanges(t *testing.T) {
	admin, digest := testPool(t)
	ctx := context.Background()
	p, err := claim(ctx, admin, digest)
	if err != nil {
		t.Fatal(err)
	}
	defer dropSchema(admin, p.schema)
	conn, err := sql.Open("pgx", schemaURL(p.schema, p.schema+"_y"))
	if err != nil {
		t.Fatal(err)
	}
	last := p.shape
	for _, stmt := range []string{
		`ALTER TABLE persons ADD COLUMN x INTEGER`,
		`ALTER TABLE persons DROP COLUMN x`,
		`ALTER TABLE users DROP COLUMN region`,
		`ALTER TABLE users ADD COLUMN region TEXT NOT NULL`,
		`ALTER TABLE users ALTER COLUMN region SET DEFAULT ''`,
		`ALTER TABLE users ALTER COLUMN region DROP NOT NULL`,
		`ALTER TABLE users ALTER COLUMN display_name TYPE VARCHAR(20)`,
		`CREATE INDEX persons_x ON persons (name)`,
		`DROP INDEX persons_x`,
		`CREATE UNIQUE INDEX persons_x ON persons (id)`,
		`ALTER TABLE users ADD CONSTRAINT users_x CHECK (id > 0)`,
		`ALTER TABLE sessions DISABLE TRIGGER ALL`,
		`CREATE TABLE x (a INTEGER)`,
		`ALTER TABLE x RENAME TO y`,
		`ALTER TABLE y SET UNLOGGED`,
		`CREATE VIEW v AS SELECT 1 AS a`,
		`CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
		`CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'`,
		`CREATE TRIGGER tr BEFORE INSERT ON y FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()`,
		`CREATE SEQUENCE s`,
		`ALTER SEQUENCE s INCREMENT BY 2`,
		`CREATE TYPE e AS ENUM ('a')`,
		`ALTER TYPE e ADD VALUE 'b'`,
		`ALTER TABLE y ENABLE ROW LEVEL SECURITY`,
		`CREATE POLICY pol ON y USING (a > 0)`,
		`CREATE STATISTICS st ON id, name FROM persons`,
		`ALTER TABLE persons ALTER COLUMN name SET STATISTICS 10`,
		`CREATE RULE r AS ON INSERT TO y DO INSTEAD NOTHING`,
	} {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		var now string
		if err := inSchema(ctx, admin, p.schema, func(tx *sql.Tx) (err error) {
			now, err = shape(ctx, tx, p.schema)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if now == last {
			t.Errorf("the shape does not show %s", stmt)
		}
		last = now
	}
	conn.Close()
	if err := reset(ctx, admin, p, "y"); err == nil || !strings.Contains(err.Error(), "structure") {
		t.Errorf("reset: %v, want an error saying the structure changed", err)
	}
}

// A schema whose statistics, or rows left by the migrations, a test
// changed is not pooled; nor one to which it left a connection open, until
// that is closed. What VACUUM counts of an empty table, and the rows
// written, are put back as they were.
func TestResetRefuses(t *testing.T) {
	admin, digest := testPool(t)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		sql  string
		open bool // leave a connection open
		want string
	}{
		{name: "analyze", sql: `INSERT INTO id_seq (name, next) VALUES ('x', 1); ANALYZE id_seq`, want: "statistics"},
		{name: "seed rows", sql: `DELETE FROM id_locks WHERE bucket = 3`, want: "migrations"},
		{name: "seed rows grown", sql: `UPDATE id_locks SET bucket = bucket + 1000; UPDATE id_locks SET bucket = bucket - 1000`, want: "migrations"},
		{name: "connection left open", sql: `INSERT INTO id_seq (name, next) VALUES ('x', 1)`, open: true, want: "still open"},
		{name: "vacuum", sql: `VACUUM persons; VACUUM (ANALYZE) users`},
		{name: "rows", sql: `INSERT INTO id_seq (name, next) VALUES ('x', 1); BEGIN; INSERT INTO id_seq (name, next) VALUES ('y', 1); ROLLBACK`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := claim(ctx, admin, digest)
			if err != nil {
				t.Fatal(err)
			}
			tag := p.schema + "_y"
			conn, err := sql.Open("pgx", schemaURL(p.schema, tag))
			if err != nil {
				t.Fatal(err)
			}
			conn.SetMaxOpenConns(1)
			for _, stmt := range strings.Split(c.sql, "; ") {
				if _, err := conn.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			if !c.open {
				conn.Close()
			}
			err = reset(ctx, admin, p, tag)
			if c.open {
				conn.Close()
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("reset: %v, want an error saying %q", err, c.want)
				}
				err = reset(ctx, admin, p, tag)
				c.want = ""
			}
			if c.want == "" {
				if err != nil {
					dropSchema(admin, p.schema)
					t.Fatalf("reset: %v", err)
				}
				return
			}
			dropSchema(admin, p.schema)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("reset: %v, want an error saying %q", err, c.want)
			}
		})
	}
}
