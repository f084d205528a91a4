package app

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The county-paid pension contributions list (养老保险代缴名单) for the
// social-insurance office (package payment, pension.go).

// PensionList returns county's list of year for the social-insurance
// office, with full ID numbers; format names the file the door writes
// ("xlsx" or "csv"). Every call is a download, audited with its year,
// format, rows and total.
func (a *App) PensionList(ctx context.Context, who auth.Actor, county string, year int, format string) (*payment.PensionList, error) {
	o := countyOp("pension.list.export", auth.PermPensionList, "pension_list", county, 0)
	return write(a, ctx, who, o, func(tx *store.Tx) (*payment.PensionList, error) {
		c, err := a.county("county", county)
		if err != nil {
			return nil, err
		}
		if err := CheckYear(year); err != nil {
			return nil, err
		}
		rs, err := a.rulesInForce(ctx, tx, c, year)
		if err != nil {
			return nil, err
		}
		as, err := a.assessor(ctx, tx)
		if err != nil {
			return nil, err
		}
		l, err := payment.ComputePensionList(ctx, tx, as, who, c, year, PensionPrograms(rs))
		if err != nil {
			return nil, err
		}
		return l, tx.Audit(ctx, audit.Entry{County: c, UserID: who.UserID, Username: who.Username, Action: "pension.list.export",
			Entity: "pension_list", EntityID: strconv.Itoa(year), Region: c, After: audit.JSON(map[string]any{"year": year, "format": format,
				"rows": len(l.Rows), "total_fen": l.Total})})
	})
}

// PensionPrograms are the programs of rs whose amount the county pays as
// a pension contribution (the parameter pension_contribution), with the
// tier they pay at (pension_tier_fen).
func PensionPrograms(rs *policy.RulesInForce) []payment.PensionProgram {
	var out []payment.PensionProgram
	for _, p := range rs.Programs {
		var on bool
		var tier money.Fen
		for _, x := range p.Params {
			n, _ := strconv.ParseFloat(fmt.Sprint(x.Value), 64)
			switch x.Name {
			case "pension_contribution":
				on = n == 1
			case "pension_tier_fen":
				tier = money.Fen(n)
			}
		}
		if on {
			out = append(out, payment.PensionProgram{Code: p.Code, Name: p.Name, Tier: tier})
		}
	}
	return out
}
