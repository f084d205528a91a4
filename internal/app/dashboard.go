package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// NoticeRow is a public notice on the board, with its case and applicant.
type NoticeRow = store.NoticeRow

// RollCount is how many recipients of a program are in a status.
type RollCount = store.RollCount

// FundsRow is what the bank paid for a program in a year, by level of
// government.
type FundsRow = store.FundsRow

// Dashboard is the summary of the actor's region on the home page. Each
// part is filled only for the roles that read it: the cases waiting for
// the actor's role and the notices running (case workers and readers),
// the roll by program and status (they and finance), the funds paid this
// year by program (readers of payments).
type Dashboard struct {
	Year        int
	Names       map[string]string // program names in the page's language
	Work        []WorkItem        // the first ten cases waiting for the actor's role
	Notices     []NoticeRow       // the first ten notices running
	NoticeTotal int
	Roll        []RollCount // by program, then status
	Funds       []FundsRow  // by program
	// MatchOverdue counts the cross-check tasks within the region past
	// their deadline (readers of the registry).
	MatchOverdue int
	// Warnings are those of the latest monthly report of the actor's
	// region submitted or locked in the last three months (WarningsMonth;
	// "" when there is none): read from its snapshot, not computed anew.
	Warnings      []stats.Warning
	WarningsMonth string
	// Missing are last month's reports of the actor's region and its
	// units not submitted yet (readers who submit or approve reports).
	Missing []MissingReport
	// ComplaintsOverdue counts the complaints, enquiries and petitions
	// within the region past their deadline unanswered, and
	// ComplaintsEscalated those escalated to the actor's own region
	// and not closed (readers of cases).
	ComplaintsOverdue   int
	ComplaintsEscalated int
}

// dashboardWork is how many waiting cases the dashboard lists.
const dashboardWork = 10

// Dashboard returns the summary of the actor's region, program names in
// lang.
func (a *App) Dashboard(ctx context.Context, who auth.Actor, lang string) (*Dashboard, error) {
	o := op{name: "dashboard.read", target: Target{Entity: "dashboard", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*Dashboard, error) {
		d := &Dashboard{Year: date.Today(tx.Now()).Year()}
		var err error
		if d.Names, err = a.programNames(ctx, tx, lang); err != nil {
			return nil, err
		}
		caseReader, payReader := auth.Can(who, auth.PermCaseRead), auth.Can(who, auth.PermPaymentRead)
		if caseReader {
			cs, _, err := workflow.WorklistPage(ctx, tx, who, workflow.CaseQuery{Limit: dashboardWork}, false)
			if err != nil {
				return nil, err
			}
			d.Work = withApplicants(ctx, tx, who, cs)
			if d.Notices, d.NoticeTotal, err = tx.NoticeList(ctx, who.Scope, store.NoticeQuery{Status: workflow.NoticeOpen, Limit: 10}); err != nil {
				return nil, err
			}
		}
		if caseReader || payReader {
			if d.Roll, err = tx.RollCounts(ctx, who.Scope); err != nil {
				return nil, err
			}
		}
		if auth.Can(who, auth.PermRegistryRead) {
			if d.MatchOverdue, err = tx.CountOverdueTasks(ctx, who.Scope, date.Today(tx.Now())); err != nil {
				return nil, err
			}
		}
		if payReader {
			if d.Funds, err = tx.FundsByProgram(ctx, who.Scope, d.Year); err != nil {
				return nil, err
			}
		}
		if auth.Can(who, auth.PermReportRead) && who.Scope != "" {
			if d.WarningsMonth, d.Warnings, err = a.lastWarnings(ctx, tx, who.Scope); err != nil {
				return nil, err
			}
		}
		if d.Missing, err = a.missingReports(ctx, tx, who); err != nil {
			return nil, err
		}
		if caseReader && who.Scope != "" {
			if d.ComplaintsOverdue, d.ComplaintsEscalated, err = tx.CountComplaints(ctx, who.Scope, date.Today(tx.Now())); err != nil {
				return nil, err
			}
		}
		return d, nil
	})
}

// withApplicants adds to each case its applicant's name and ID number,
// when the applicant is within the actor's scope.
func withApplicants(ctx context.Context, tx *store.Tx, who auth.Actor, cs []workflow.Case) []WorkItem {
	items := make([]WorkItem, len(cs))
	for i, c := range cs {
		items[i] = WorkItem{Case: c}
		if p, err := tx.PersonByKey(ctx, who.Scope, registry.Key{County: c.County, ID: c.PersonID}); err == nil {
			items[i].Name, items[i].IDNumber = p.Name, p.IDNumber
		}
	}
	return items
}
