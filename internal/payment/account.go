package payment

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// SetAccount records or changes the payment account of person k. Only the
// finance officer may (四权分离: the roles that confirm eligibility cannot
// edit bank accounts). The bank must be in Banks, a card number must pass
// its Luhn check and the holder must be the person. in.Version is the
// version read (0 for a new account), so that two officers cannot
// overwrite each other.
func SetAccount(ctx context.Context, s Store, a auth.Actor, k registry.Key, in AccountInput) (*Account, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	p, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	bank, kind, number, holder, err := in.Validate(p.Name)
	if err != nil {
		return nil, err
	}
	old, err := s.BankAccount(ctx, p.County, p.ID)
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return nil, err
	}
	now := s.Now()
	acc := &Account{County: p.County, PersonID: p.ID, Bank: bank, Kind: kind, Number: number, Holder: holder,
		Version: 1, UpdatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
	var before any
	if old != nil {
		if in.Version != old.Version {
			return nil, apperr.Conflictf("账户已被他人修改，请刷新后重试", "the account was changed by someone else; reload and try again")
		}
		acc.Version, acc.CreatedAt = old.Version+1, old.CreatedAt
		before = old
	} else if in.Version != 0 {
		return nil, apperr.Conflictf("账户已被删除或尚未建立，请刷新后重试", "the account does not exist; reload and try again")
	}
	if err := s.SaveBankAccount(ctx, acc); err != nil {
		return nil, err
	}
	return acc, s.Audit(ctx, audit.Entry{County: p.County, UserID: a.UserID, Username: a.Username, Action: "payment.account.set",
		Entity: "person", EntityID: strconv.FormatInt(p.ID, 10), Region: p.Region, Before: audit.JSON(before), After: audit.JSON(acc)})
}

// GetAccount returns the payment account of person k.
func GetAccount(ctx context.Context, s Store, a auth.Actor, k registry.Key) (*Account, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return nil, err
	}
	p, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	return s.BankAccount(ctx, p.County, p.ID)
}

// GetParams returns the county's payment parameters in force.
func GetParams(ctx context.Context, s Store, a auth.Actor, county string) (Params, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return Params{}, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return Params{}, err
	}
	return countyParams(ctx, s, county)
}

// SetParams stores parameter values for the county. Parameters are rules
// (whether back pay is allowed, how periods are cut), so they are set by
// the role that manages rules, not by the finance officer who pays; and
// they are the county's own, so only a user of the county itself sets
// them: a city or province user, who manages the rules of their level,
// may read them but not change them.
func SetParams(ctx context.Context, s Store, a auth.Actor, county string, values map[string]string) (Params, error) {
	if err := auth.Require(a, auth.PermRulesManage); err != nil {
		return Params{}, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return Params{}, err
	}
	if a.Scope != region.Code(county) {
		return Params{}, apperr.Forbiddenf("发放参数由本县设置，市、省级用户只能查看",
			"payment parameters are set by the county itself: city and province users may only read them")
	}
	before, err := s.PaymentParams(ctx, county)
	if err != nil {
		return Params{}, err
	}
	merged := map[string]string{}
	for k, v := range before {
		merged[k] = v
	}
	for k, v := range values {
		merged[k] = v
	}
	p, err := ResolveParams(county, merged)
	if err != nil {
		return Params{}, err
	}
	if err := s.SavePaymentParams(ctx, county, values, a.UserID); err != nil {
		return Params{}, err
	}
	return p, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "payment.params.set",
		Entity: "payment_params", EntityID: county, Region: county, Before: audit.JSON(before), After: audit.JSON(values)})
}
