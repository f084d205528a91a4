package app

import (
	"context"
	"slices"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// engineAssessor is payment's Assessor over the policy engine: it decides
// the persons of a payment run on the families the registry holds, read
// inside the run's own transaction, with the rules in force. Families are
// read once per run and reused for every year it needs; stored
// determinations are never read.
type engineAssessor struct {
	tx   *store.Tx
	eng  *policy.Evaluator
	fams map[int64]*registry.Family // by person, read so far
}

// assessor returns the Assessor of a payment run in tx.
func (a *App) assessor(ctx context.Context, tx *store.Tx) (*engineAssessor, error) {
	eng, err := a.evaluator(ctx, tx, "zh")
	if err != nil {
		return nil, err
	}
	return &engineAssessor{tx: tx, eng: eng, fams: map[int64]*registry.Family{}}, nil
}

// Assess decides program for persons in year as batch evaluation does: a
// person born after the year or dead before it is not decided, and each
// person's confirmations come from the roll.
func (e *engineAssessor) Assess(ctx context.Context, county, program string, year int, persons []int64) (map[int64]payment.Assessment, error) {
	out := map[int64]payment.Assessment{}
	progs, err := e.eng.Programs(county, year)
	if err != nil || !slices.Contains(progs, program) {
		return out, nil // no rules for that county and year, or not that program
	}
	var missing []int64
	for _, id := range persons {
		if _, ok := e.fams[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		read, err := families(ctx, e.tx, county, missing)
		if err != nil {
			return nil, err
		}
		for _, id := range missing {
			e.fams[id] = read[id] // nil: not in the registry
		}
	}
	first, last := date.Of(year, 1, 1), date.Of(year, 12, 31)
	for _, id := range persons {
		fam := e.fams[id]
		if fam == nil {
			continue
		}
		p := fam.Person(ref(id))
		if p.Birth.After(last) || (!p.Death.IsZero() && p.Death.Before(first)) {
			continue
		}
		res, err := e.eng.Evaluate(&policy.Case{Year: year, Region: county, Family: *fam, Subjects: []string{p.Ref}})
		if err != nil {
			return nil, err
		}
		for _, d := range res.Decisions {
			if d.Program == program {
				out[id] = assessment(d)
			}
		}
	}
	return out, nil
}

// assessment is what payment needs of a decision.
func assessment(d policy.Decision) payment.Assessment {
	a := payment.Assessment{Eligible: d.Eligible, Amount: d.AmountFen, Months: d.Months}
	for _, s := range d.Funding {
		if i := policy.FundingLevels.Index(s.Level); i >= 0 {
			a.Split[i] += s.Fen
		}
	}
	if !d.Eligible {
		for _, c := range d.Clauses {
			if !c.OK {
				a.Failed = append(a.Failed, c.Text)
			}
		}
	}
	return a
}
