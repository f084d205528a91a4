package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The staff pages' lists: a page of the roll, the notice board, the runs
// of the annual review and the worklist's export, each with the programs'
// names in the page's language.

// ProgramList lists the programs the rules in force declare, in order,
// with their names in Chinese and English: for a form whose list could
// not be read.
func (a *App) ProgramList(ctx context.Context, who auth.Actor) (term.List, error) {
	o := op{name: "rules.programs", target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) (term.List, error) { return a.programs(ctx, tx) })
}

// RollPage is a page of the roll, how many entries the whole list holds,
// and the programs, in the order the rules declare them, with their names.
type RollPage struct {
	Entries  []roll.Entry
	Total    int
	Programs []string
	Names    map[string]string
}

// RollPage returns the page of the roll within the actor's scope that q
// selects (q.Limit and q.Offset cut it), the total, and the programs'
// names in lang.
func (a *App) RollPage(ctx context.Context, who auth.Actor, q roll.Query, lang string) (*RollPage, error) {
	// The workflow decides who reads the roll (case workers, and finance).
	o := op{name: "roll.list", target: Target{Entity: "recipient", Region: region.Code(q.Region)}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*RollPage, error) {
		list, err := a.programs(ctx, tx)
		if err != nil {
			return nil, err
		}
		p := &RollPage{Programs: list.Codes(), Names: namesIn(list, lang)}
		if p.Entries, err = workflow.Roll(ctx, tx, who, q); err != nil {
			return nil, err
		}
		p.Total, err = tx.RollTotal(ctx, who.Scope, q)
		return p, err
	})
}

// NoticeQuery selects notices for the notice board.
type NoticeQuery = store.NoticeQuery

// NoticeBoard is a page of the notice board, how many notices it holds,
// and the programs' names.
type NoticeBoard struct {
	Rows  []NoticeRow
	Total int
	Names map[string]string
}

// NoticeBoard returns the page of the notices of the cases within the
// actor's scope that q selects, running ones first, with the programs'
// names in lang.
func (a *App) NoticeBoard(ctx context.Context, who auth.Actor, q NoticeQuery, lang string) (*NoticeBoard, error) {
	o := op{name: "case.notice_board", perm: auth.PermCaseRead, target: Target{Entity: "case", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*NoticeBoard, error) {
		b := &NoticeBoard{}
		var err error
		if b.Names, err = a.programNames(ctx, tx, lang); err != nil {
			return nil, err
		}
		b.Rows, b.Total, err = tx.NoticeList(ctx, who.Scope, q)
		return b, err
	})
}

// AnnualReviews lists the latest runs of the annual review of the regions
// within the actor's scope, newest first, at most limit of them.
func (a *App) AnnualReviews(ctx context.Context, who auth.Actor, limit int) ([]workflow.AnnualReview, error) {
	o := op{name: "roll.annual_reviews", perm: auth.PermCaseRead, target: Target{Entity: "annual_review", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]workflow.AnnualReview, error) {
		return tx.AnnualReviews(ctx, who.Scope, limit)
	})
}

// EachCase calls each with every case within the actor's scope that q
// selects (as Worklist does), in q's order, with its applicant and the
// name of its program in lang, reading a page at a time in one
// transaction. start is called with the total once the first page is
// read, before each is first called, so that a bad query is an error
// before anything is written; the first error of start or each is
// returned.
func (a *App) EachCase(ctx context.Context, who auth.Actor, q workflow.CaseQuery, lang string,
	start func(total int) error, each func(c *WorkItem, program string) error) error {
	const batch = 5000
	o := op{name: "case.list", perm: auth.PermCaseRead, target: Target{Entity: "case", Region: region.Code(q.Region)}}
	return a.view(ctx, who, o, func(tx *store.Tx) error {
		names, err := a.programNames(ctx, tx, lang)
		if err != nil {
			return err
		}
		for p := q; ; p.Offset += batch {
			p.Limit = batch
			first := p.Offset == q.Offset
			cs, total, err := workflow.WorklistPage(ctx, tx, who, p, first)
			if err != nil {
				return err
			}
			if first {
				if err := start(total); err != nil {
					return err
				}
			}
			items := withApplicants(ctx, tx, who, cs)
			for i := range items {
				name := names[items[i].Program]
				if name == "" {
					name = items[i].Program
				}
				if err := each(&items[i], name); err != nil {
					return err
				}
			}
			if len(cs) < batch {
				return nil
			}
		}
	})
}
