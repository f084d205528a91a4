package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// PersonDecisions is what the rules decide for one person in one year,
// beside what the last batch evaluation stored.
type PersonDecisions struct {
	Key       registry.Key
	Year      int
	Version   string // the rule layers applied
	Decisions []policy.Decision
	Stored    []policy.Determination
}

// PersonDecisions decides every program for person k in year, live, under
// the rules in force, on the family batch evaluation reads
// (registry.FamilyView), with the clause-by-clause explanation in lang
// ("zh" or "en") when explain is set; and returns the determinations the
// last batch evaluation stored beside them.
func (a *App) PersonDecisions(ctx context.Context, who auth.Actor, k registry.Key, year int, lang string, explain bool) (*PersonDecisions, error) {
	if err := CheckYear(year); err != nil {
		return nil, err
	}
	if lang != "en" {
		lang = "zh"
	}
	if !explain {
		lang = ""
	}
	return look(a, ctx, who, personOp("policy.decisions", auth.PermRegistryRead, k), func(tx *store.Tx) (*PersonDecisions, error) {
		fam, err := registry.FamilyView(ctx, tx, who, k)
		if err != nil {
			return nil, err
		}
		out := &PersonDecisions{Key: k, Year: year}
		if out.Stored, err = tx.Determinations(ctx, k.County, k.ID, year); err != nil {
			return nil, err
		}
		ev, err := a.compiled(ctx, tx, lang)
		if err != nil {
			return nil, err
		}
		res, err := ev.Evaluate(&policy.Case{Year: year, Region: k.County, Family: *fam, Subjects: []string{strconv.FormatInt(k.ID, 10)}})
		if err != nil {
			return nil, err
		}
		out.Version, out.Decisions = res.Version, res.Decisions
		return out, nil
	})
}

// DeterminationQuery selects stored determinations.
type DeterminationQuery struct {
	Region  region.Code // a county, township or village; "" for the actor's scope
	Year    int
	Program string // "" for every program
	Limit   int
	Offset  int
}

// DeterminationRow is a stored determination with the person's name and
// region.
type DeterminationRow struct {
	policy.Determination
	Name   string
	Region string
}

// Determinations returns a page of the determinations the last batch
// evaluations stored for the persons of q.Region within the actor's
// scope, by county, person and program, and how many there are in all.
func (a *App) Determinations(ctx context.Context, who auth.Actor, q DeterminationQuery) ([]DeterminationRow, int, error) {
	if err := CheckYear(q.Year); err != nil {
		return nil, 0, err
	}
	if q.Region == "" {
		q.Region = who.Scope
	}
	var out []DeterminationRow
	var total int
	o := areaOp("policy.determinations", auth.PermRegistryRead, "determination", q.Region)
	err := a.view(ctx, who, o, func(tx *store.Tx) error {
		rows, n, err := tx.ListDeterminations(ctx, who.Scope, store.DeterminationFilter{Region: q.Region, Year: q.Year,
			Program: q.Program, Limit: q.Limit, Offset: q.Offset})
		if err != nil {
			return err
		}
		total, out = n, make([]DeterminationRow, len(rows))
		for i, r := range rows {
			out[i] = DeterminationRow{Determination: r.Determination, Name: r.Name, Region: r.Region}
		}
		return nil
	})
	return out, total, err
}
