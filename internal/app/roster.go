package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Rosters in and out: the import of a roster file, the exports of the
// registry and of the roll, and the audit entry every export leaves.

// ImportRoster reads the roster in src and checks every row (against the
// registry's rules, the actor's scope and the ID numbers registered);
// unless dryRun it then registers every row, each audited, or — when any
// row has a problem — none. The problems are in the result, not an error.
func (a *App) ImportRoster(ctx context.Context, who auth.Actor, src registry.RowSource, dryRun bool) (*registry.ImportResult, error) {
	o := op{name: "person.import", perm: auth.PermRegistryWrite, target: Target{Entity: "person"}}
	// Refuse before reading what may be a large file.
	if err := auth.Require(who, o.perm); err != nil {
		return nil, a.audited(ctx, who, o, err)
	}
	ro, err := registry.ParseRoster(src, registry.RosterOptions{Today: date.Today(a.Now())})
	if err != nil {
		return nil, err
	}
	run := func(tx *store.Tx) (*registry.ImportResult, error) {
		// A row of a division a recorded change retired is keyed to
		// its successor, as the records of that division were.
		successor := a.successors(ctx, tx)
		for i := range ro.Rows {
			succ, err := successor(ro.Rows[i].Person.Region)
			if err != nil {
				return nil, err
			}
			ro.Rows[i].Person.Region = succ
		}
		return registry.ImportRoster(ctx, tx, who, ro, dryRun)
	}
	if dryRun {
		return look(a, ctx, who, o, run)
	}
	return write(a, ctx, who, o, run)
}

// RowSink is where an export writes its rows (a sheet.Writer).
type RowSink interface {
	Write(cells []string) error
	Close() error
	Rows() int
}

// RosterExport says which roster to export: the persons within Region
// ("" for the actor's whole scope), written in Format and Encoding (both
// recorded in the audit entry).
type RosterExport struct {
	Region   region.Code
	Format   string
	Encoding string
}

// ExportRoster writes every person of x.Region within the actor's scope,
// unmasked, in the columns the import reads, streaming from the database.
// open is called once the export is allowed, before the first row, and
// returns where the rows go; ExportRoster closes it. The export is
// recorded in the audit trail, complete or not.
func (a *App) ExportRoster(ctx context.Context, who auth.Actor, x RosterExport, open func() (RowSink, error)) error {
	o := op{name: "person.export", perm: auth.PermRegistryRead, target: Target{Entity: "person", Region: x.Region}}
	scope := x.Region
	if scope == "" {
		scope = who.Scope
	}
	var sink RowSink
	err := a.view(ctx, who, o, func(tx *store.Tx) error {
		if sink == nil {
			var err error
			if sink, err = open(); err != nil {
				return err
			}
		}
		return tx.EachPerson(ctx, scope, func(p *registry.Record) error { return sink.Write(registry.RosterCells(p)) })
	})
	if sink == nil {
		return err // refused, or failed before anything was written
	}
	if err == nil {
		err = sink.Close()
	}
	detail := map[string]any{"scope": string(scope), "format": x.Format, "encoding": x.Encoding, "rows": sink.Rows(), "complete": err == nil}
	if aerr := a.RecordExport(ctx, who, Export{Action: "person.export", Entity: "person", Region: scope, Detail: detail}); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

// ListPersons calls each with every person within the actor's scope that
// q selects, in q's order from q.Offset on, reading a page at a time in
// one transaction, until each returns an error, which it returns. It
// returns how many persons q selects (at most registry.CountCap+1).
func (a *App) ListPersons(ctx context.Context, who auth.Actor, q registry.Query, each func(*registry.Record) error) (int, error) {
	const batch = 500
	total := 0
	err := a.view(ctx, who, regionOp("person.list", auth.PermRegistryRead, q.Region), func(tx *store.Tx) error {
		for p := q; ; p.Offset += batch {
			p.Limit = batch
			rows, n, err := registry.Search(ctx, tx, who, p)
			if err != nil {
				return err
			}
			if p.Offset == q.Offset {
				total = n
			}
			for i := range rows {
				if err := each(&rows[i]); err != nil {
					return err
				}
			}
			if len(rows) < batch {
				return nil
			}
		}
	})
	return total, err
}

// ListRoll calls each with every entry of the roll within the actor's
// scope that q selects, in q's order, and the name of its program in
// lang, reading a page at a time in one transaction, until each returns
// an error, which it returns. It returns how many entries q selects.
func (a *App) ListRoll(ctx context.Context, who auth.Actor, q roll.Query, lang string, each func(e *roll.Entry, program string) error) (int, error) {
	const batch = 5000
	// The workflow decides who reads the roll (case workers, and finance).
	o := op{name: "roll.list", target: Target{Entity: "recipient", Region: region.Code(q.Region)}}
	total := 0
	err := a.view(ctx, who, o, func(tx *store.Tx) error {
		names, err := a.programNames(ctx, tx, lang)
		if err != nil {
			return err
		}
		if total, err = tx.RollTotal(ctx, who.Scope, q); err != nil {
			return err
		}
		for p := q; ; p.Offset += batch {
			p.Limit = batch
			entries, err := workflow.Roll(ctx, tx, who, p)
			if err != nil {
				return err
			}
			for i := range entries {
				name := names[entries[i].Program]
				if name == "" {
					name = entries[i].Program
				}
				if err := each(&entries[i], name); err != nil {
					return err
				}
			}
			if len(entries) < batch {
				return nil
			}
		}
	})
	return total, err
}
