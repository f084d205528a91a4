package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/escalate"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// Requests for instructions (请示, package escalate): a case sent up with a
// question and back with the answer.

// Escalate sends case k to the level above the actor with question.
func (a *App) Escalate(ctx context.Context, who auth.Actor, k CaseKey, question string) (*escalate.Escalation, error) {
	return write(a, ctx, who, caseOp("case.escalate", auth.PermCaseRead, k), func(tx *store.Tx) (*escalate.Escalation, error) {
		return escalate.Ask(ctx, tx, who, k.County, k.ID, question)
	})
}

// AnswerEscalation records the answer to question id of county.
func (a *App) AnswerEscalation(ctx context.Context, who auth.Actor, county string, id int64, answer string) (*escalate.Escalation, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "case.escalation_answer", perm: auth.PermCaseRead,
		target: Target{Entity: "case_escalation", ID: strconv.FormatInt(id, 10), Region: region.Code(county)},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			e, err := tx.Escalation(ctx, county, id)
			if err != nil {
				return "", err
			}
			c, err := tx.Case(ctx, "", county, e.CaseID)
			if err != nil {
				return "", err
			}
			return region.Code(c.Region), nil
		}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*escalate.Escalation, error) {
		return escalate.Reply(ctx, tx, who, county, id, answer)
	})
}

// CaseEscalations lists the questions of case k, oldest first.
func (a *App) CaseEscalations(ctx context.Context, who auth.Actor, k CaseKey) ([]escalate.Escalation, error) {
	return look(a, ctx, who, caseOp("case.escalations", auth.PermCaseRead, k), func(tx *store.Tx) ([]escalate.Escalation, error) {
		return tx.Escalations(ctx, "", k.County, k.ID)
	})
}

// OpenEscalations lists the open questions of county's cases within the
// actor's scope that the actor's level answers.
func (a *App) OpenEscalations(ctx context.Context, who auth.Actor, county string) ([]escalate.Escalation, error) {
	o := op{name: "case.escalations_open", perm: auth.PermCaseRead, target: Target{Entity: "case_escalation"}}
	if c, err := region.ParseCode(county); err == nil && !c.Contains(who.Scope) {
		o.target.Region = c // a city or a province names a county of its own
	}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]escalate.Escalation, error) {
		county, err := ParseCounty("county", county)
		if err != nil {
			return nil, err
		}
		all, err := tx.Escalations(ctx, who.Scope, county, 0)
		if err != nil {
			return nil, err
		}
		var out []escalate.Escalation
		for _, e := range all {
			if escalate.CanAnswer(who, e.To) {
				out = append(out, e)
			}
		}
		return out, nil
	})
}
