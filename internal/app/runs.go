package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// Runs of the command line that write in bulk — generating a synthetic
// population, evaluating a county — are audited like any other change:
// one entry per run on the county's chain, with what was asked and what
// came of it, complete or not.

// Run describes a bulk run for its audit entry.
type Run struct {
	Action string // e.g. synth.generate, eval.run
	Entity string
	Region region.Code // the region the run wrote; the entry goes on its county's chain
	Detail any         // recorded as the entry's after state
}

// RecordRun records a run in a transaction of its own that the caller's
// cancellation does not stop: what was written stays written.
func (a *App) RecordRun(ctx context.Context, who auth.Actor, r Run) error {
	ctx = context.WithoutCancel(ctx)
	o := op{name: "run.record", target: Target{Entity: r.Entity, Region: r.Region}}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		return tx.Audit(ctx, audit.Entry{County: string(a.tree().County(r.Region)), UserID: who.UserID, Username: who.Username,
			Action: r.Action, Entity: r.Entity, Region: string(r.Region), After: audit.JSON(r.Detail)})
	})
}

// GenerateSynthetic generates the synthetic population cfg describes into
// the database (store.LoadSynthetic: many transactions, a batch of whole
// villages each, so that a large county loads in bounded memory), calling
// progress after each batch. Run again after being stopped part-way, it
// finds the batches already written and writes the rest. Only the system
// (the command line) generates; the run is audited, failed or not.
func (a *App) GenerateSynthetic(ctx context.Context, who auth.Actor, cfg synth.Config, progress func(done int)) (synth.Stats, error) {
	o := op{name: "synth.generate", perm: auth.PermRegistryWrite, target: Target{Entity: "person", Region: region.Code(cfg.County)}}
	if who != auth.System {
		return synth.Stats{}, a.audited(ctx, who, o, apperr.Forbiddenf("只有系统（命令行）可以生成合成人口", "only the system (the command line) generates a synthetic population"))
	}
	if err := cfg.Check(); err != nil {
		return synth.Stats{}, err
	}
	var moves []synth.PlannedMove
	if cfg.Transfers {
		cfg.Moves = func(m synth.PlannedMove) { moves = append(moves, m) }
	}
	st, err := store.LoadSynthetic(ctx, a.db, cfg, progress)
	var handed MovesDone
	if err == nil && cfg.Transfers {
		handed, err = a.handOverSynthetic(ctx, cfg.County, moves)
	}
	detail := map[string]any{"seed": cfg.Seed, "persons_asked": cfg.Persons, "persons": st.Persons, "already_present": st.Present,
		"complete": err == nil, "migrants": st.Migrants, "transfers": handed}
	if err != nil {
		detail["error"] = err.Error()
	}
	if rerr := a.RecordRun(ctx, who, Run{Action: "synth.generate", Entity: "person", Region: region.Code(cfg.County), Detail: detail}); rerr != nil && err == nil {
		err = rerr
	}
	return st, err
}
