package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The checks after approval (package recheck): the county's re-check of a
// drawn sample of its new recipients and the city's and the province's
// spot-checks, their visits and findings.

// sampleOp is the access rule of a use case on sample id of county: perm,
// and the county within the actor's scope.
func sampleOp(name string, perm auth.Permission, county string, id int64) op {
	return op{name: name, perm: perm, target: Target{Entity: "check_sample", ID: strconv.FormatInt(id, 10), Region: region.Code(county)}}
}

// DrawCheckSample draws and records a sample of d.County's new recipients
// of d.Year for the actor's level (county, city or province).
func (a *App) DrawCheckSample(ctx context.Context, who auth.Actor, d recheck.Draw) (*recheck.Sample, error) {
	county, err := ParseCounty("county", d.County)
	if err != nil {
		return nil, err
	}
	d.County = county
	o := op{name: "check.draw", perm: auth.PermCheckRecord, target: Target{Entity: "check_sample", Region: region.Code(county)}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*recheck.Sample, error) {
		return recheck.DrawSample(ctx, tx, who, d)
	})
}

// CheckSample returns sample id of county with its items, findings and
// the accountability recorded for fraud.
func (a *App) CheckSample(ctx context.Context, who auth.Actor, county string, id int64) (*recheck.Sample, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, sampleOp("check.read", auth.PermCaseRead, county, id), func(tx *store.Tx) (*recheck.Sample, error) {
		return tx.Sample(ctx, county, id)
	})
}

// CheckSamples lists the latest samples of the counties within the
// actor's scope.
func (a *App) CheckSamples(ctx context.Context, who auth.Actor, limit int) ([]recheck.Sample, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	o := op{name: "check.list", perm: auth.PermCaseRead, target: Target{Entity: "check_sample", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]recheck.Sample, error) {
		if who.Scope.Level() > region.County {
			return nil, nil // a township's or a village's staff check no county
		}
		return tx.Samples(ctx, who.Scope, limit)
	})
}

// AssignCheckVisit records who visits item seq of sample id and when.
func (a *App) AssignCheckVisit(ctx context.Context, who auth.Actor, county string, id int64, seq int, v recheck.Visit) (*recheck.Item, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, sampleOp("check.assign", auth.PermCheckRecord, county, id), func(tx *store.Tx) (*recheck.Item, error) {
		return recheck.Assign(ctx, tx, who, county, id, seq, v)
	})
}

// RecordCheckFinding records the finding of item seq of sample id, with
// its effects on the roll: a reopened case suspends the payments, fraud
// ends the benefit, computes the recovery and records who is held
// accountable for which step.
func (a *App) RecordCheckFinding(ctx context.Context, who auth.Actor, county string, id int64, seq int, res recheck.Result) (*recheck.Item, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return write(a, ctx, who, sampleOp("check.find", auth.PermCheckRecord, county, id), func(tx *store.Tx) (*recheck.Item, error) {
		return recheck.Find(ctx, tx, who, county, id, seq, res)
	})
}
