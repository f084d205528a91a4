package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The special families behind the monthly report's coverage figures
// (special.families, .contact, .visited, .tf; docs/statistics.md). The
// counts are part of the report every reader of reports sees and that is
// submitted upward — a count names no one. The families behind them are
// the most sensitive data Jiahe holds: only a user who cares for special
// families (special.care) opens the list, within their scope, and at the
// village level only the families the user is a contact of; the read is
// audited like a read of the register.

// SpecialRow is a family behind a figure: its head as lists show persons
// (the ID number masked), the family's id on the register and category.
type SpecialRow struct {
	PersonRow
	Family   int64  `json:"family"`
	Category string `json:"category"`
}

// ReportFamilies returns the special families behind the figure
// special.<measure>[@unit] of reg's report of month within the actor's
// scope, a page from offset, and how many there are.
func (a *App) ReportFamilies(ctx context.Context, who auth.Actor, reg, month, figure string, offset, limit int) ([]SpecialRow, int, error) {
	c, m, err := parseReport(reg, month)
	if err != nil {
		return nil, 0, err
	}
	if !stats.IsSpecial(figure) {
		return nil, 0, apperr.Invalidf("figure", "没有这个统计项", "no such figure")
	}
	if limit <= 0 || limit > MaxReportPersons {
		limit = MaxReportPersons
	}
	var rows []SpecialRow
	var total int
	o := reportOp("report.special_families", auth.PermSpecialCare, c, m)
	err = a.update(ctx, who, o, func(tx *store.Tx) error {
		if err := auth.Require(who, auth.PermReportRead); err != nil {
			return err
		}
		units := stats.UnitsOf(a.tree(), c)
		if err := stats.CheckKey(c, units, figure); err != nil {
			return err
		}
		f, err := tx.Facts(ctx, c, m, false)
		if err != nil {
			return err
		}
		byID := map[[2]any]stats.SpecialFamily{}
		for _, sf := range f.Special {
			byID[[2]any{sf.County, sf.ID}] = sf
		}
		var heads []stats.Ref
		var families []stats.SpecialFamily
		for _, r := range stats.Behind(c, m, units, f, figure) {
			sf := byID[[2]any{r.County, r.ID}]
			if !who.CanSee(region.Code(sf.Region)) {
				continue
			}
			if who.Scope.Level() >= region.Village && who.UserID != 0 {
				ok, err := tx.IsSpecialContact(ctx, sf.County, sf.ID, who.UserID)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
			}
			heads = append(heads, stats.Ref{County: sf.County, ID: sf.Anchor})
			families = append(families, sf)
		}
		total = len(families)
		offset = min(max(offset, 0), total)
		page := families[offset:min(total, offset+limit)]
		refs := heads[offset:min(total, offset+limit)]
		recs, err := tx.PersonsByRefs(ctx, who.Scope, refs)
		if err != nil {
			return err
		}
		people := map[[2]any]PersonRow{}
		for _, r := range recs {
			people[[2]any{r.County, r.ID}] = personRow(r)
		}
		for _, sf := range page {
			fam, err := tx.SpecialFamily(ctx, who.Scope, sf.County, sf.ID)
			if err != nil {
				return err
			}
			rows = append(rows, SpecialRow{PersonRow: people[[2]any{sf.County, sf.Anchor}], Family: sf.ID, Category: fam.Category})
		}
		chain := ""
		if who.Scope.Level() >= region.County {
			chain = string(a.tree().County(who.Scope))
		}
		return tx.Audit(ctx, audit.Entry{County: chain, UserID: who.UserID, Username: who.Username, Action: "special.list",
			Entity: "special_family", EntityID: "report:" + figure, Region: string(c)})
	})
	return rows, total, err
}
