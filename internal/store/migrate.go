package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLimit is the last migration applied; tests lower it to build
// older databases.
var migrationLimit = 1 << 30

// migration is one numbered schema step. A step is a file NNNN_name.sql,
// or a pair NNNN_name.sqlite.sql / NNNN_name.postgres.sql where DDL must
// differ between engines.
type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	other := map[Engine]string{SQLite: ".postgres.sql", Postgres: ".sqlite.sql"}[db.Engine]
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, other) {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", name)
		}
		b, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for len(out) > 0 && out[len(out)-1].version > migrationLimit {
		out = out[:len(out)-1]
	}
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a number", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// SchemaVersion returns the latest applied migration and the latest known.
func (db *DB) SchemaVersion(ctx context.Context) (applied, latest int, err error) {
	ms, err := db.migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].version
	}
	// A missing table means nothing is applied yet. The query runs outside
	// a transaction: on PostgreSQL its failure would abort one.
	if e := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&applied); e != nil {
		applied = 0
	}
	return applied, latest, ctx.Err()
}

// Migrate applies every pending migration, each in its own transaction
// together with its record in schema_migrations, and then brings the
// database under its keys (protect): it needs them.
func (db *DB) Migrate(ctx context.Context) error {
	applied, err := db.migrateApplied(ctx)
	if err != nil {
		return err
	}
	if err := db.protect(ctx); err != nil {
		return err
	}
	if db.Engine == Postgres && slices.ContainsFunc(applied, func(v int) bool { return vacuumAfter[v] }) {
		// The step rewrote every person: vacuum, so that index-only scans
		// (the first page of a search by initials) skip the rows again,
		// and analyze the new column.
		if _, err := db.w.ExecContext(ctx, `VACUUM (ANALYZE) persons`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// MigrateSchema applies every pending migration and stops there: the
// database is not brought under keys, and Migrate must still run before
// it is used. Tests prepare schemas ahead of their keys with it
// (storetest's pool).
func (db *DB) MigrateSchema(ctx context.Context) error { return db.migrate(ctx) }

// MigrationsDigest returns a digest of the names and texts of the
// migrations engine applies (and of which of them have a step in Go):
// two databases migrated to the same digest have the same schema.
func MigrationsDigest(engine Engine) (string, error) {
	ms, err := (&DB{Engine: engine}).migrations()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %d %t\n%s\n", m.version, m.name, len(m.sql), migrationSteps[m.version] != nil, m.sql)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// vacuumAfter are the migrations whose step rewrites the persons table.
var vacuumAfter = map[int]bool{31: true}

func (db *DB) migrate(ctx context.Context) error {
	_, err := db.migrateApplied(ctx)
	return err
}

// migrateApplied applies the pending migrations and returns the versions
// it applied.
func (db *DB) migrateApplied(ctx context.Context) ([]int, error) {
	ms, err := db.migrations()
	if err != nil {
		return nil, err
	}
	if err := db.Update(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
		return err
	}); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []int
	for _, m := range ms {
		ran := false
		err := db.Update(ctx, func(tx *Tx) error {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(m.sql) {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w\n%s", m.name, err, stmt)
				}
			}
			if step := migrationSteps[m.version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return fmt.Errorf("%s: %w", m.name, err)
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, tx.Now().Format("2006-01-02T15:04:05Z"))
			ran = err == nil
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migrate: %w", err)
		}
		if ran {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// splitStatements splits a migration file on semicolons at the end of a
// line. Migrations keep one statement per semicolon-terminated block and no
// semicolons inside literals.
func splitStatements(s string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(t, ";") {
			stmt := strings.TrimSpace(cur.String())
			stmt = strings.TrimSuffix(stmt, ";")
			if stmt != "" {
				out = append(out, stmt)
			}
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// CheckSchema returns an error unless the schema is exactly the one this
// binary expects — an older schema needs `jiahe migrate`, and a newer one
// belongs to a later release — and the key file is the database's.
func (db *DB) CheckSchema(ctx context.Context) error {
	applied, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case applied < latest:
		return fmt.Errorf("the database schema is at version %d, this jiahe expects %d: run `jiahe migrate`", applied, latest)
	case applied > latest:
		return fmt.Errorf("the database schema is at version %d, newer than this jiahe's %d", applied, latest)
	}
	return db.CheckKeys(ctx)
}
