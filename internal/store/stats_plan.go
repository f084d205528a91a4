package store

import "context"

// withoutJIT turns PostgreSQL's JIT compilation off for the rest of the
// transaction. The report's statements over a county or a province are
// costed high enough for PostgreSQL to compile them to machine code, and
// compiling took longer than it saved: 2.1 s of a province's births query
// of 9 s, and the county's query ran in half the time without it
// (docs/performance.md, "Monthly report"). SQLite has nothing to turn off.
func (tx *Tx) withoutJIT(ctx context.Context) error {
	if tx.db.Engine != Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SET LOCAL jit = off`)
	return err
}
