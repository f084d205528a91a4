package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/store"
)

// PolicySheetData is what the 政策明白纸 of a county and year is made from:
// the rules in force there and then, and the county's enquiry and report
// telephone numbers and paying office.
type PolicySheetData struct {
	Rules  *policy.RulesInForce
	Params payment.Params
}

// PolicySheet returns the data of county's 政策明白纸 for year. The rules
// are public: anyone who reads the registry may print them.
func (a *App) PolicySheet(ctx context.Context, who auth.Actor, county string, year int) (*PolicySheetData, error) {
	o := op{name: "policy.sheet", perm: auth.PermRegistryRead, target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*PolicySheetData, error) {
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
		prm, err := payment.CountyParams(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		return &PolicySheetData{Rules: rs, Params: prm}, nil
	})
}
