package web

import (
	"context"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// benefits is what the rules decide for one person in one year, with the
// clause-by-clause explanation, beside what the last batch evaluation
// stored.
type benefits struct {
	Version   string
	Decisions []benefitDecision
	Stored    []policy.Determination
	Err       string // why the rules could not be applied (e.g. incomplete facts)
}

type benefitDecision struct {
	policy.Decision
	Name string
}

// programNames maps program codes to their names in lang, from the rule
// layers (a later layer's name wins).
func programNames(layers []policy.Layer, lang string) map[string]string {
	names := map[string]string{}
	for _, l := range layers {
		for _, p := range l.Programs {
			n := p.Name
			if lang == "en" && p.NameEN != "" {
				n = p.NameEN
			}
			if n != "" {
				names[p.Code] = n
			}
		}
	}
	return names
}

// personBenefits evaluates every program for the person rec in year with
// the rules in force in the person's county (the embedded rules and the
// layers regions have added), explained in lang.
func (h *Handler) personBenefits(ctx context.Context, tx *store.Tx, lang string, rec *registry.Record, fam *registry.Family, year int) (*benefits, error) {
	layers, err := tx.PolicyRules(ctx)
	if err != nil {
		return nil, err
	}
	ev, err := policy.NewEvaluator(policy.Options{Layers: layers, Explain: true, Lang: lang})
	if err != nil {
		return nil, err
	}
	b := &benefits{}
	if b.Stored, err = tx.Determinations(ctx, rec.County, rec.ID, year); err != nil {
		return nil, err
	}
	res, err := ev.Evaluate(&policy.Case{Year: year, Region: rec.County, Family: *fam, Subjects: []string{rec.Ref()}})
	if err != nil {
		// A family the rules cannot read (a fact missing or
		// contradictory) is shown as such, not as a broken page.
		b.Err = err.Error()
		if e, ok := apperr.As(err); ok {
			b.Err = e.Message(lang)
		}
		return b, nil
	}
	b.Version = res.Version
	names := programNames(layers, lang)
	for _, d := range res.Decisions {
		b.Decisions = append(b.Decisions, benefitDecision{Decision: d, Name: names[d.Program]})
	}
	// Eligible programs first, then by code.
	slices.SortStableFunc(b.Decisions, func(x, y benefitDecision) int {
		if x.Eligible != y.Eligible {
			if x.Eligible {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Program, y.Program)
	})
	return b, nil
}

// Total returns the sum of the eligible amounts.
func (b *benefits) Total() money.Fen {
	var t money.Fen
	for _, d := range b.Decisions {
		if d.Eligible {
			t += d.AmountFen
		}
	}
	return t
}
