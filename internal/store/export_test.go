package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jiahe-project/jiahe/internal/audit"
)

// RebindCacheLen returns the number of cached query texts (for tests).
func (db *DB) RebindCacheLen() int {
	db.rebindMu.RLock()
	defer db.rebindMu.RUnlock()
	return len(db.rebound)
}

// PersonOrderBy returns the ORDER BY clause of a person search (for tests).
func PersonOrderBy(e Engine, key string, desc bool) (string, error) {
	return personSorts.orderBy(e, key, desc)
}

// RawAuditEntry is an audit entry as stored: its states still encrypted.
type RawAuditEntry struct{ audit.Entry }

// RawAuditEntries returns a chain's entries as stored, in order (for
// tests that tamper with them).
func (tx *Tx) RawAuditEntries(ctx context.Context, county string) ([]RawAuditEntry, error) {
	rows, err := tx.Query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE county = ? ORDER BY seq`, county)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RawAuditEntry
	for rows.Next() {
		var e audit.Entry
		var at string
		if err := rows.Scan(&e.County, &e.Seq, &at, &e.UserID, &e.Username, &e.Action, &e.Entity, &e.EntityID,
			&e.Region, &e.Before, &e.After, &e.PrevHash, &e.Hash, &e.KeyID); err != nil {
			return nil, err
		}
		if e.At, err = parseTimestamp(at); err != nil {
			return nil, err
		}
		out = append(out, RawAuditEntry{e})
	}
	return out, rows.Err()
}

// AuditAAD is what an entry's encrypted state is bound to.
func AuditAAD(county string, seq int64, column string) string {
	return auditAAD(&audit.Entry{County: county, Seq: seq}, column)
}

// ProtectAgain encrypts what is stored in clear and rewrites the tables,
// as migrating a database that held clear values does (for tests that
// write clear rows with plain SQL).
func (db *DB) ProtectAgain(ctx context.Context) (int, error) {
	n, err := db.reseal(ctx)
	if err != nil {
		return n, err
	}
	return n, db.compact(ctx)
}

// MigrateTo applies the migrations up to version only, without the keys
// (for tests of what later migrations do to older databases).
func (db *DB) MigrateTo(ctx context.Context, version int) error {
	all := migrationLimit
	migrationLimit = version
	defer func() { migrationLimit = all }()
	return db.migrate(ctx)
}

// TraceStatements calls fn with the text of every statement a Tx runs,
// on any database, until the returned function is called (for tests that
// check the statements themselves; not safe to nest).
func TraceStatements(fn func(query string)) (stop func()) {
	traced.Store(&fn)
	return func() { traced.Store(nil) }
}

// SetRangeRows sets the rows a range of a PostgreSQL county scan aims at
// and returns a function that restores it (for tests that read a small
// county in many ranges).
func SetRangeRows(n int64) (restore func()) {
	old := pgRangeRows
	pgRangeRows = n
	return func() { pgRangeRows = old }
}

// Row is the current row of a county scan's cursor (for tests).
type Row = row

// ReadScanRow reads the first row of query as a county scan's pass reads
// its rows on db's engine (source: the key, the id, then read's value),
// and returns what read makes of it and the pass's error after. On
// PostgreSQL the query is read as a range of a pass: it takes the county
// and a range of keys ($1, $2, $3).
func ReadScanRow[T any](ctx context.Context, db *DB, query string, read func(Row) T) (T, error) {
	var zero T
	var src source[T]
	if db.Engine == Postgres {
		c, err := db.openPGScanConn(ctx)
		if err != nil {
			return zero, err
		}
		defer c.close()
		src = &pgRanges[T]{c: c, ctx: ctx, county: "341523", query: query, scan: func(r row) T { return read(r) },
			width: 1, more: true, cur: &pgRange[T]{}, ahead: &pgRange[T]{}}
	} else {
		c, err := db.openSQLiteScanConn()
		if err != nil {
			return zero, err
		}
		defer c.close()
		cur, err := c.query(ctx, query)
		if err != nil {
			return zero, err
		}
		src = &cursorRows[T]{cur: cur, scan: func(r row) T { return read(r) }}
	}
	defer src.Close()
	k := src.nextRow()
	if k == nil {
		return zero, fmt.Errorf("no row: %w", cmp.Or(src.Err(), errors.New("none")))
	}
	v := k.v
	if src.nextRow() != nil {
		return v, errors.New("a second row")
	}
	return v, src.Err()
}

// ScanColumns returns, for each table a county scan reads, the columns its
// passes select: the key, the row's id and the values (for tests that keep
// the engine's floor in scripts/bench-eval reading the same).
func ScanColumns() map[string][]string {
	out := map[string][]string{}
	for _, q := range scanQueries(Postgres, "") {
		cols, _, _ := strings.Cut(strings.TrimPrefix(q.sel, "SELECT "), " FROM ")
		out[q.table] = strings.Split(cols, ", ")
	}
	return out
}

// scanQueries are the passes of a county scan of county on e.
func scanQueries(e Engine, county string) []passQuery {
	return []passQuery{
		personTable.pass(e, county), marriageTables[0].pass(e, county), marriageTables[1].pass(e, county),
		tieTable.pass(e, county), hukouTable.pass(e, county), certificateTable.pass(e, county),
		contraceptionTable.pass(e, county), permissionTable.pass(e, county), disabilityTable.pass(e, county),
		complicationTable.pass(e, county), retirementTable.pass(e, county), pensionTable.pass(e, county),
		admissionTable.pass(e, county), confirmationTable.pass(e, county),
	}
}
