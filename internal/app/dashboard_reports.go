package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
)

// MissingReport is a region whose monthly report is not submitted after
// the month ended: Late when its report day is past too.
type MissingReport struct {
	Region string    `json:"region"`
	Name   string    `json:"name"`
	Month  string    `json:"month"`
	Due    date.Date `json:"due"`
	Late   bool      `json:"late"`
}

// missingReports lists, for the home page, last month's reports not yet
// submitted (nor approved) of the actor's own region and, from the county
// up, of the units one level down (the townships of a county), read from
// the approvals table alone: no report is computed.
func (a *App) missingReports(ctx context.Context, tx *store.Tx, who auth.Actor) ([]MissingReport, error) {
	if !auth.Can(who, auth.PermReportApprove) || who.Scope == "" || who.Scope.Level() == region.Village {
		return nil, nil
	}
	today := date.Today(tx.Now())
	m := stats.MonthOf(today).Add(-1)
	day := stats.DefaultReportDay
	if v, err := tx.Param(ctx, who.Scope, stats.ParamReportDay); err != nil {
		return nil, err
	} else if v != "" {
		if day, err = stats.ParseReportDay(v); err != nil {
			return nil, err
		}
	}
	due := stats.ReportDue(m, day)
	regs := []string{string(who.Scope)}
	names := map[string]string{string(who.Scope): a.tree().FullName(who.Scope)}
	if who.Scope.Level() <= region.County {
		// The townships of a county (the counties of a city, …); a
		// township is shown its own report only, not its villages'.
		for _, u := range stats.UnitsOf(a.tree(), who.Scope) {
			regs = append(regs, u.Code)
			names[u.Code] = u.Name
		}
	}
	approvals, err := tx.ReportApprovals(ctx, regs, m)
	if err != nil {
		return nil, err
	}
	frozen := map[string]bool{}
	for _, x := range approvals {
		frozen[x.Region] = stats.Frozen(x.Status)
	}
	var out []MissingReport
	for _, r := range regs {
		if !frozen[r] {
			out = append(out, MissingReport{Region: r, Name: names[r], Month: m.String(), Due: due, Late: today.After(due)})
		}
	}
	return out, nil
}
