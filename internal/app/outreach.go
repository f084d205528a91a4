package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// OutreachQuery selects the outreach list (应享未享): the persons the
// rules find eligible for a program who have not applied for it.
type OutreachQuery struct {
	Region  region.Code // a county, township or village; "" for the actor's scope
	Year    int         // 0 for this year
	Program string      // "" for every program claimed by application
	Limit   int
	Offset  int
}

// OutreachRow is one person and one program they have not claimed.
type OutreachRow struct {
	County      string
	PersonID    int64
	Name        string
	Sex         string
	Birth       date.Date
	Age         int // at the end of the year
	Region      string
	RegionName  string // the village (and township) in words
	Program     string
	ProgramName string
	Amount      money.Fen // the year's amount the evaluation found
}

// Outreach is a page of the outreach list with its total.
type Outreach struct {
	Year  int
	Rows  []OutreachRow
	Total int
}

// Outreach returns a page of the persons within the actor's scope whom the
// last batch evaluation of the year found eligible for a program claimed
// by application, and who are neither on its roll nor have a case for it
// (open, or decided in the year): the list a village specialist works
// through to invite them to apply. Names of programs and villages are in
// lang.
func (a *App) Outreach(ctx context.Context, who auth.Actor, q OutreachQuery, lang string) (*Outreach, error) {
	if q.Year == 0 {
		q.Year = date.Today(a.db.Now()).Year()
	}
	if err := CheckYear(q.Year); err != nil {
		return nil, err
	}
	if q.Region == "" {
		q.Region = who.Scope
	}
	out := &Outreach{Year: q.Year, Rows: []OutreachRow{}}
	o := areaOp("policy.outreach", auth.PermRegistryRead, "determination", q.Region)
	err := a.view(ctx, who, o, func(tx *store.Tx) error {
		rows, n, err := tx.ListUnclaimed(ctx, who.Scope, store.UnclaimedFilter{Region: q.Region, Year: q.Year, Program: q.Program,
			Exclude: []string{policy.ProgramChildcareSubsidy}, Limit: q.Limit, Offset: q.Offset})
		if err != nil {
			return err
		}
		names, err := a.programNames(ctx, tx, lang)
		if err != nil {
			return err
		}
		out.Total = n
		for _, r := range rows {
			row := OutreachRow{County: r.County, PersonID: r.PersonID, Name: r.Name, Sex: r.Sex, Birth: r.Birth,
				Age: q.Year - r.Birth.Year(), Region: r.Region, RegionName: a.placeName(region.Code(r.Region), lang),
				Program: r.Program, ProgramName: names[r.Program], Amount: money.Fen(r.AmountFen)}
			if row.ProgramName == "" {
				row.ProgramName = r.Program
			}
			out.Rows = append(out.Rows, row)
		}
		return nil
	})
	return out, err
}

// placeName names a village with its township ("城关镇石桥村委会"), or
// any other division by its own name.
func (a *App) placeName(c region.Code, lang string) string {
	d, ok := a.tree().Lookup(c)
	if !ok {
		return string(c)
	}
	if c.Level() == region.Village {
		if t, ok := a.tree().Lookup(c.Parent()); ok {
			return t.Name + d.Name
		}
	}
	return d.Name
}
