package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/policy"
)

// ImpactRegion previews a rule change over the county of opts (or
// opts.Scope within it) in opts.Year: every person alive in the year is
// evaluated, with the family EvaluateRegion reads, under the old and the
// new layers, and the differences are counted by township and program
// (policy.ImpactCounter). It writes nothing. One reader streams chunks of
// persons and opts.Workers goroutines evaluate them.
func (db *DB) ImpactRegion(ctx context.Context, opts EvalOptions, old, new []policy.Layer) (policy.ImpactReport, error) {
	opts = opts.defaults()
	opts.Explain = false
	if len(opts.County) != 6 {
		return policy.ImpactReport{}, apperr.Invalidf("region", "区划代码应为6位县级代码", "region must be a six-digit county code")
	}
	oldEv, err := policy.NewEvaluator(policy.Options{Layers: old})
	if err != nil {
		return policy.ImpactReport{}, err
	}
	newEv, err := policy.NewEvaluator(policy.Options{Layers: new})
	if err != nil {
		return policy.ImpactReport{}, err
	}
	// Compile both rule sets once before the workers start, so that a
	// rule error is reported as such rather than per person.
	for _, ev := range []*policy.Evaluator{oldEv, newEv} {
		if _, err := ev.Version(opts.County, opts.Year); err != nil {
			return policy.ImpactReport{}, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	chunks, readErr := db.readChunks(ctx, cancel, opts)
	counters := make([]*policy.ImpactCounter, opts.Workers)
	errs := make([]error, opts.Workers)
	var wg sync.WaitGroup
	for w := range opts.Workers {
		counters[w] = policy.NewImpactCounter(oldEv, newEv)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range chunks {
				err := ch.families(opts, func(id int64, cs *policy.Case) error {
					if err := counters[w].Add(cs); err != nil {
						return fmt.Errorf("person %d: %w", id, err)
					}
					return nil
				})
				if err != nil {
					errs[w] = err
					cancel()
					break
				}
			}
			for range chunks { // let the reader finish
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(append(errs, readErr())...); err != nil {
		return policy.ImpactReport{}, fmt.Errorf("impact %s %d: %w", opts.County, opts.Year, err)
	}
	if err := ctx.Err(); err != nil {
		return policy.ImpactReport{}, err
	}
	total := counters[0]
	for _, c := range counters[1:] {
		total.Merge(c)
	}
	return total.Report(opts.County, opts.Year)
}

// PreviewLayer validates a proposed layer l on top of rules (the rules in
// force, from PolicyRules) as SavePolicyLayer would, without storing it,
// and previews its effect over the county of opts (ImpactRegion). The
// layer must apply to the county in the year.
func (db *DB) PreviewLayer(ctx context.Context, opts EvalOptions, rules []policy.Layer, l *policy.Layer) (policy.ImpactReport, error) {
	if err := policy.ValidateRuleSet(l, rules); err != nil {
		return policy.ImpactReport{}, err
	}
	if !strings.HasPrefix(opts.County, l.Region) {
		return policy.ImpactReport{}, apperr.Invalidf("region", "规则（%s）不适用于县%s", "the layer's region %q does not cover county %s", l.Region, opts.County)
	}
	if l.From.Year() > opts.Year {
		return policy.ImpactReport{}, apperr.Invalidf("from", "规则自%d年起生效，晚于测算年度%d", "the layer takes effect in %d, after the year %d", l.From.Year(), opts.Year)
	}
	proposed := append(slices.Clip(rules), *l)
	return db.ImpactRegion(ctx, opts, rules, proposed)
}
