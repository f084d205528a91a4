package app

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// Batch evaluation and impact previews: one reader streams the families
// of a region chunk by chunk (store.DB.ScanFamilies, the same reader as a
// person's family view), workers evaluate them, and for an evaluation one
// writer stores the eligible decisions; decisions that need review are
// counted, not stored, so that nothing pays them until staff decide. The work is too large for one
// transaction of reads: the chunks are read in read-only transactions of
// their own, while the use case's own transaction checks access and, for
// an evaluation, holds every write.

// EvalOptions configure a batch evaluation, its scan floor or an impact
// preview.
type EvalOptions struct {
	// Region is a county, or a township or village within one (an impact
	// preview takes a county).
	Region string
	Year   int
	// Workers evaluating in parallel; 0 means runtime.NumCPU().
	Workers int
	// Chunk is the number of persons read at a time; 0 means 5,000.
	Chunk int
	// Explain stores the clause-by-clause explanation (in Chinese) with
	// each determination.
	Explain bool
}

// EvalStats reports a batch evaluation.
type EvalStats struct {
	County      string
	Persons     int           // persons evaluated
	Eligible    int           // determinations written (eligible decisions)
	Review      int           // decisions that need review by staff: counted, not written, not paid
	AmountFen   int64         // their total
	Elapsed     time.Duration // the whole run, writes included
	RuleVersion string        // the rule layers applied in the county
}

// scan returns the family scan of o and the region it covers.
func (o EvalOptions) scan() (store.FamilyScan, region.Code, error) {
	if err := CheckYear(o.Year); err != nil {
		return store.FamilyScan{}, "", err
	}
	c, err := region.ParseCode(o.Region)
	if err != nil || len(c) < 6 || c.Level() < region.County {
		return store.FamilyScan{}, "", apperr.Invalidf("region", "%q 不是县、乡镇或村的区划代码", "%q is not the code of a county, township or village", o.Region)
	}
	s := store.FamilyScan{County: string(c[:6]), Year: o.Year, Chunk: o.Chunk}
	if c.Level() > region.County {
		s.Scope, _ = c.Prefix()
	}
	return s, c, nil
}

func (o EvalOptions) workers() int {
	if o.Workers > 0 {
		return o.Workers
	}
	return runtime.NumCPU()
}

// Counties returns the counties that have persons in the registry, within
// the actor's scope.
func (a *App) Counties(ctx context.Context, who auth.Actor) ([]string, error) {
	o := op{name: "registry.counties", perm: auth.PermRegistryRead, target: Target{Entity: "person"}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]string, error) {
		all, err := tx.PersonCounties(ctx)
		return slices.DeleteFunc(all, func(c string) bool { return !who.CanSee(region.Code(c)) }), err
	})
}

// Evaluate decides every program for every person of o.Region alive in
// o.Year and replaces the year's determinations of those persons with the
// eligible decisions; decisions that need review (policy.StatusReview) are
// counted in the stats and not written. All writes happen in one transaction, so a crash
// leaves the previous determinations in place; a concurrent run over the
// same region on PostgreSQL fails with a serialization error instead of
// mixing the two.
func (a *App) Evaluate(ctx context.Context, who auth.Actor, o EvalOptions) (EvalStats, error) {
	scan, code, err := o.scan()
	if err != nil {
		return EvalStats{}, err
	}
	st := EvalStats{County: scan.County}
	start := time.Now()
	consumed := false
	err = a.update(ctx, who, areaOp("policy.evaluate", auth.PermEligibility, "determination", code), func(tx *store.Tx) error {
		if consumed {
			return errors.New("evaluation: the write transaction was retried after a conflict; run it again")
		}
		consumed = true
		return a.evaluate(ctx, tx, scan, o, &st)
	})
	if err != nil {
		return EvalStats{}, fmt.Errorf("evaluate %s %d: %w", code, o.Year, err)
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// evaluate runs the pipeline of Evaluate inside its write transaction tx:
// the county is read from the start while the rules are compiled and the
// year's earlier determinations cleared in tx; the workers wait for the
// rules, then send the eligible decisions of each chunk, with the number
// that need review, here, and the decisions are inserted 2,000 at a time.
func (a *App) evaluate(ctx context.Context, tx *store.Tx, scan store.FamilyScan, o EvalOptions, st *EvalStats) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var ev *policy.Evaluator
	ready := make(chan struct{}) // closed once ev and st.RuleVersion are set
	results := make(chan decided, o.workers()*2)
	var persons atomic.Int64
	var streamErr error
	go func() {
		defer close(results)
		streamErr = a.fanOut(ctx, scan, o.workers(), func(int) func(*registry.Families) error {
			var d *decider
			return func(fs *registry.Families) error {
				if d == nil {
					select {
					case <-ready:
					case <-ctx.Done():
						return ctx.Err()
					}
					d = &decider{ev: ev, year: scan.Year, version: st.RuleVersion, explain: o.Explain}
				}
				out, err := d.decide(fs)
				if err != nil {
					return err
				}
				persons.Add(int64(len(fs.Subjects)))
				select {
				case results <- out:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		})
	}()
	// The rules and the clearing, in tx, while the first chunks are read.
	err := func() error {
		lang := ""
		if o.Explain {
			lang = "zh"
		}
		var err error
		if ev, err = a.compiled(ctx, tx, lang); err != nil {
			return err
		}
		if st.RuleVersion, err = ev.Version(scan.County, scan.Year); err != nil {
			return err
		}
		return tx.ClearDeterminations(ctx, scan.County, scan.Scope, scan.Year)
	}()
	if err != nil {
		cancel()
		for range results { // until the pipeline stops
		}
		return err
	}
	close(ready)
	var batch []policy.Determination
	for out := range results {
		if err != nil {
			continue // drain until the pipeline stops
		}
		st.Review += out.review
		for _, d := range out.eligible {
			st.Eligible++
			st.AmountFen += d.AmountFen
		}
		batch = append(batch, out.eligible...)
		if len(batch) >= 2000 {
			if err = tx.InsertDeterminations(ctx, batch); err != nil {
				cancel()
			}
			batch = batch[:0]
		}
	}
	if err == nil {
		err = streamErr
	}
	if err == nil {
		err = tx.InsertDeterminations(ctx, batch)
	}
	st.Persons = int(persons.Load())
	return err
}

// decided is what a chunk's evaluation yields: the eligible decisions as
// determinations, and the number of decisions that need review.
type decided struct {
	eligible []policy.Determination
	review   int
}

// decider evaluates the families of a chunk and keeps the eligible
// decisions, counting those that need review; one per worker.
type decider struct {
	ev      *policy.Evaluator
	year    int
	version string
	explain bool
	cs      policy.Case
	res     policy.Result // reused from person to person
}

func (d *decider) decide(fs *registry.Families) (decided, error) {
	var out decided
	d.cs.Year, d.cs.Region = d.year, fs.County
	err := fs.Each(func(id int64, f *registry.Family) error {
		d.cs.Family = *f
		d.cs.Subjects = append(d.cs.Subjects[:0], f.Persons[0].Ref)
		if err := d.ev.EvaluateInto(&d.cs, &d.res); err != nil {
			return fmt.Errorf("person %d: %w", id, err)
		}
		for _, dec := range d.res.Decisions {
			switch {
			case dec.Status == policy.StatusReview:
				// Not payable until staff decide (design §5): counted only.
				out.review++
			case dec.Eligible:
				out.eligible = append(out.eligible, policy.Determine(fs.County, d.year, id, d.version, dec, d.explain))
			}
		}
		return nil
	})
	return out, err
}

// fanOut reads the families of scan on one goroutine and hands each chunk
// to one of workers goroutines; worker(w) returns the function worker w
// applies to its chunks. It returns when every chunk is done, or at the
// first error (of the reader or of a worker), which cancels the rest.
func (a *App) fanOut(ctx context.Context, scan store.FamilyScan, workers int, worker func(w int) func(*registry.Families) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	chunks := make(chan *registry.Families, 2)
	go func() {
		defer close(chunks)
		for fs, err := range a.db.ScanFamilies(ctx, scan) {
			if err != nil {
				cancel(err)
				return
			}
			select {
			case chunks <- fs:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for w := range workers {
		work := worker(w)
		wg.Go(func() {
			for fs := range chunks {
				if ctx.Err() != nil {
					continue // let the reader finish
				}
				if err := work(fs); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// ScanFloor reads every family an evaluation of o reads, once, without
// evaluating or writing: the floor a batch evaluation is measured against
// (design §7). It returns the number of persons a evaluation would
// evaluate, and the time.
func (a *App) ScanFloor(ctx context.Context, who auth.Actor, o EvalOptions) (int, time.Duration, error) {
	scan, code, err := o.scan()
	if err != nil {
		return 0, 0, err
	}
	n := 0
	start := time.Now()
	err = a.view(ctx, who, areaOp("policy.scan_floor", auth.PermRegistryRead, "person", code), func(*store.Tx) error {
		for fs, err := range a.db.ScanFamilies(ctx, scan) {
			if err != nil {
				return err
			}
			n += len(fs.Subjects)
		}
		return nil
	})
	return n, time.Since(start), err
}

// PreviewLayer previews a proposed rule layer l over the county o.Region
// in o.Year without storing it (PreviewChange of adding l).
func (a *App) PreviewLayer(ctx context.Context, who auth.Actor, l *policy.Layer, o EvalOptions) (policy.ImpactReport, error) {
	return a.PreviewChange(ctx, who, &LayerChange{Add: l}, o)
}

// PreviewChange previews a change to the rules — a layer added, a stored
// layer withdrawn, or one superseded by another — over the county
// o.Region in o.Year without making it. The change is checked as making
// it checks it, and must apply to the county in the year; every person
// alive in the year is then evaluated, with the family batch evaluation
// reads, under the rules in force and under the rules changed, and the
// differences — who becomes eligible or ineligible, and the funds — are
// counted by township and program.
func (a *App) PreviewChange(ctx context.Context, who auth.Actor, ch *LayerChange, o EvalOptions) (policy.ImpactReport, error) {
	county, err := a.county("region", o.Region)
	if err != nil {
		return policy.ImpactReport{}, err
	}
	o.Region = county
	scan, code, err := o.scan()
	if err != nil {
		return policy.ImpactReport{}, err
	}
	op := areaOp("policy.impact", auth.PermRulesManage, "policy_layer", code)
	return look(a, ctx, who, op, func(tx *store.Tx) (policy.ImpactReport, error) {
		if err := ch.check(false); err != nil {
			return policy.ImpactReport{}, err
		}
		next, err := a.applyChange(ctx, tx, ch)
		if err != nil {
			return policy.ImpactReport{}, err
		}
		if !strings.HasPrefix(county, ch.region()) {
			return policy.ImpactReport{}, apperr.Invalidf("region", "规则（%s）不适用于县%s", "the layer's region %q does not cover county %s", ch.region(), county)
		}
		if l := ch.Add; l != nil && l.From.Year() > o.Year {
			return policy.ImpactReport{}, apperr.Invalidf("from", "规则自%d年起生效，晚于测算年度%d", "the layer takes effect in %d, after the year %d", l.From.Year(), o.Year)
		}
		oldEv, err := a.compiled(ctx, tx, "")
		if err != nil {
			return policy.ImpactReport{}, err
		}
		newEv, err := policy.NewEvaluator(policy.Options{Layers: next})
		if err != nil {
			return policy.ImpactReport{}, err
		}
		// Compile both rule sets before the workers start, so that a rule
		// error is reported as such rather than per person.
		for _, ev := range []*policy.Evaluator{oldEv, newEv} {
			if _, err := ev.Version(county, o.Year); err != nil {
				return policy.ImpactReport{}, err
			}
		}
		counters := make([]*policy.ImpactCounter, o.workers())
		err = a.fanOut(ctx, scan, len(counters), func(w int) func(*registry.Families) error {
			counters[w] = policy.NewImpactCounter(oldEv, newEv)
			cs := policy.Case{Year: o.Year, Region: county}
			return func(fs *registry.Families) error {
				return fs.Each(func(id int64, f *registry.Family) error {
					cs.Family = *f
					cs.Subjects = append(cs.Subjects[:0], f.Persons[0].Ref)
					if err := counters[w].Add(&cs); err != nil {
						return fmt.Errorf("person %d: %w", id, err)
					}
					return nil
				})
			}
		})
		if err != nil {
			return policy.ImpactReport{}, fmt.Errorf("impact %s %d: %w", county, o.Year, err)
		}
		for _, c := range counters[1:] {
			counters[0].Merge(c)
		}
		return counters[0].Report(county, o.Year)
	})
}
