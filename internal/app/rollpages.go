package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The roll's pages that read one object by key: the form that applies a
// registry event of a person to the roll, and a run of the annual review.
// Both locate their target without scope, so that one outside the actor's
// scope is refused — answered as not found and audited — as every other
// object addressed by key is.

// RollEventView is what the roll-event form shows: the person, their
// entries on the roll with their changes (for the roles that read the
// roll), and the programs' names in the language asked for.
type RollEventView struct {
	Person *registry.Record
	Roll   []RollEntry
	Names  map[string]string
}

// RollEventForm returns person k with their entries on the roll, for the
// form that applies a registry event of theirs to the roll.
func (a *App) RollEventForm(ctx context.Context, who auth.Actor, k registry.Key, lang string) (*RollEventView, error) {
	return look(a, ctx, who, personOp("roll.event_form", auth.PermEligibility, k), func(tx *store.Tx) (*RollEventView, error) {
		rec, err := registry.Get(ctx, tx, who, k)
		if err != nil {
			return nil, err
		}
		v := &RollEventView{Person: rec}
		if v.Names, err = a.programNames(ctx, tx, lang); err != nil {
			return nil, err
		}
		if auth.Can(who, auth.PermCaseRead) || auth.Can(who, auth.PermPaymentRead) {
			if v.Roll, err = personRoll(ctx, tx, k); err != nil {
				return nil, err
			}
		}
		return v, nil
	})
}

// AnnualReviewRun is a run of the annual review with the programs' names.
type AnnualReviewRun struct {
	Run   *workflow.AnnualReview
	Names map[string]string
}

// AnnualReviewRun returns run id of the annual review in county, for its
// printable page and its export.
func (a *App) AnnualReviewRun(ctx context.Context, who auth.Actor, county string, id int64, lang string) (*AnnualReviewRun, error) {
	o := op{name: "roll.annual_review_read", perm: auth.PermCaseRead,
		target: Target{Entity: "annual_review", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			ar, err := tx.AnnualReviewByID(ctx, "", county, id)
			if err != nil {
				return "", err
			}
			return region.Code(ar.Region), nil
		}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*AnnualReviewRun, error) {
		ar, err := tx.AnnualReviewByID(ctx, who.Scope, county, id)
		if err != nil {
			return nil, err
		}
		names, err := a.programNames(ctx, tx, lang)
		if err != nil {
			return nil, err
		}
		return &AnnualReviewRun{Run: ar, Names: names}, nil
	})
}
