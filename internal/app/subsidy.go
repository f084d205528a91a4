package app

import (
	"context"
	"slices"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The childcare subsidy's use cases (育儿补贴, docs/births.md): a parent
// applies online or the village specialist takes the claim, the township
// checks it and the county confirms it, which puts the child on the
// program's roll; the payment cycles pay it (GenerateCycle, one line per
// child and year). The ops name the floor permission (taking, checking,
// confirming cases) and locate the claim's region; the birth package
// checks the rest, separation of duties included.

// procedurePrograms are the programs of progs applied for through the
// qualification procedure: all but the childcare subsidy, which has claims
// of its own.
func procedurePrograms(progs []string) []string {
	return slices.DeleteFunc(slices.Clone(progs), func(p string) bool { return p == policy.ProgramChildcareSubsidy })
}

// claimOp is the access rule of a use case on claim id of county: staff
// need perm and the claim's region within their scope; a citizen needs
// citizenPerm and to have made the claim.
func claimOp(name string, perm, citizenPerm auth.Permission, who auth.Actor, county string, id int64) op {
	o := op{name: name, perm: perm, target: Target{Entity: "subsidy_claim", ID: strconv.FormatInt(id, 10), Region: region.Code(county)}}
	read := func(ctx context.Context, tx *store.Tx) (*birth.Claim, error) { return tx.Claim(ctx, "", county, id) }
	if who.Role == auth.RoleCitizen {
		o.perm = citizenPerm
		o.locate = citizenLocate(who, o.target.Entity, func(ctx context.Context, tx *store.Tx) (bool, error) {
			c, err := read(ctx, tx)
			if err != nil {
				return false, err
			}
			return who.PersonCounty == c.County && who.PersonID == c.Applicant, nil
		})
		return o
	}
	o.locate = func(ctx context.Context, tx *store.Tx) (region.Code, error) {
		c, err := read(ctx, tx)
		if err != nil {
			return "", err
		}
		return region.Code(c.Region), nil
	}
	return o
}

// ApplySubsidy takes a childcare subsidy claim: a citizen's for their own
// child, or one the village specialist takes for a child of their village
// (birth.Apply). The engine must find the year claimed payable.
func (a *App) ApplySubsidy(ctx context.Context, who auth.Actor, in birth.NewClaim) (*birth.Claim, error) {
	var o op
	if who.Role == auth.RoleCitizen {
		o = op{name: "subsidy.apply", perm: auth.PermSelfApply, target: selfTarget(who)}
	} else {
		county, err := ParseCounty("county", in.County)
		if err != nil {
			return nil, err
		}
		in.County = county
		o = personOp("subsidy.apply", auth.PermCaseApply, registry.Key{County: county, ID: in.Child})
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*birth.Claim, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return birth.Apply(ctx, tx, eng, who, in)
	})
}

// SubsidyPreview returns what the rules in force decide of the childcare
// subsidy for child k in year, explained clause by clause, before anyone
// applies.
func (a *App) SubsidyPreview(ctx context.Context, who auth.Actor, k registry.Key, year int, lang string) (*birth.ClaimDecision, error) {
	if err := CheckYear(year); err != nil {
		return nil, err
	}
	return look(a, ctx, who, personOp("subsidy.preview", auth.PermRegistryRead, k), func(tx *store.Tx) (*birth.ClaimDecision, error) {
		eng, err := a.evaluator(ctx, tx, lang)
		if err != nil {
			return nil, err
		}
		return birth.Decide(ctx, tx, eng, k.County, k.ID, year)
	})
}

// CheckSubsidy records the township's check (初审) of claim id of county:
// passed on to the county, or rejected with note as the reason.
func (a *App) CheckSubsidy(ctx context.Context, who auth.Actor, county string, id int64, version int, approve bool, note string) (*birth.Claim, error) {
	o := claimOp("subsidy.check", auth.PermCaseReview, auth.PermCaseReview, who, county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*birth.Claim, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return birth.Check(ctx, tx, eng, who, county, id, version, approve, note)
	})
}

// ConfirmSubsidy records the county's confirmation (审核确认) of claim id of
// county: approved, the child goes on the roll; or rejected with note as
// the reason.
func (a *App) ConfirmSubsidy(ctx context.Context, who auth.Actor, county string, id int64, version int, approve bool, note string) (*birth.Claim, error) {
	o := claimOp("subsidy.confirm", auth.PermCaseApprove, auth.PermCaseApprove, who, county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*birth.Claim, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		c, err := birth.Confirm(ctx, tx, eng, who, county, id, version, approve, note)
		if err != nil || c.Status != birth.ClaimApproved {
			return c, err
		}
		return c, payToApplicant(ctx, tx, who, c)
	})
}

// payToApplicant records that the subsidy of c's child is paid into the
// account of the parent or guardian who applied (docs/births.md,
// "Payment"); the child's own account is used while the applicant has
// none.
func payToApplicant(ctx context.Context, tx *store.Tx, who auth.Actor, c *birth.Claim) error {
	if c.Applicant == 0 || c.Applicant == c.Child {
		return nil
	}
	if err := tx.SavePaymentPayee(ctx, c.County, c.Child, policy.ProgramChildcareSubsidy, c.Applicant, who.UserID); err != nil {
		return err
	}
	return tx.Audit(ctx, audit.Entry{County: c.County, UserID: who.UserID, Username: who.Username, Action: "payment.payee",
		Entity: "person", EntityID: strconv.FormatInt(c.Child, 10), Region: c.Region,
		After: audit.JSON(map[string]any{"program": policy.ProgramChildcareSubsidy, "payee_id": c.Applicant, "claim_id": c.ID})})
}

// WithdrawSubsidy withdraws claim id of county before it is confirmed: the
// citizen who made it, or staff who take claims.
func (a *App) WithdrawSubsidy(ctx context.Context, who auth.Actor, county string, id int64, version int) (*birth.Claim, error) {
	o := claimOp("subsidy.withdraw", auth.PermCaseApply, auth.PermSelfApply, who, county, id)
	return write(a, ctx, who, o, func(tx *store.Tx) (*birth.Claim, error) {
		return birth.Withdraw(ctx, tx, who, county, id, version)
	})
}

// SubsidyClaim returns claim id of county.
func (a *App) SubsidyClaim(ctx context.Context, who auth.Actor, county string, id int64) (*birth.Claim, error) {
	o := claimOp("subsidy.read", auth.PermCaseRead, auth.PermSelfService, who, county, id)
	return look(a, ctx, who, o, func(tx *store.Tx) (*birth.Claim, error) {
		return birth.GetClaim(ctx, tx, who, county, id)
	})
}

// SubsidyClaims returns a page of the claims of county within the actor's
// scope that q selects, oldest first, and how many it selects; a
// citizen's are those they made.
func (a *App) SubsidyClaims(ctx context.Context, who auth.Actor, county string, q birth.ClaimQuery) ([]birth.Claim, int, error) {
	var cs []birth.Claim
	var n int
	o := op{name: "subsidy.list", perm: auth.PermCaseRead, target: Target{Entity: "subsidy_claim", Region: region.Code(q.Region)}}
	if who.Role == auth.RoleCitizen {
		o.perm, o.target = auth.PermSelfService, selfTarget(who)
	} else {
		c, err := ParseCounty("county", county)
		if err != nil {
			return nil, 0, err
		}
		county = c
	}
	err := a.view(ctx, who, o, func(tx *store.Tx) (err error) {
		cs, n, err = birth.ListClaims(ctx, tx, who, county, q)
		return err
	})
	return cs, n, err
}
