package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The birth registration service's use cases (docs/births.md): a parent
// registers a birth online or the village specialist registers it for
// them; staff list and read registrations, record the birth that closes
// one and cancel one; the slip prints; anyone verifies a slip by its
// number and check code. The birth package decides who may do what (a
// citizen only for their own registrations); the ops name the floor
// permission and locate the registration's region, so that one outside
// the actor's scope is refused, answered as not found and audited.

// citizenLocate locates, for a citizen, a row that must be their own: it
// counts as within their scope when it is (a parent of a registration may
// live in another village than the one who applied), and is refused as
// out of scope when it is not, however near it lies.
func citizenLocate(who auth.Actor, entity string, own func(ctx context.Context, tx *store.Tx) (bool, error)) func(ctx context.Context, tx *store.Tx) (region.Code, error) {
	return func(ctx context.Context, tx *store.Tx) (region.Code, error) {
		mine, err := own(ctx, tx)
		if err != nil {
			return "", err
		}
		if !mine {
			return "", outOfScope(entity)
		}
		return who.Scope, nil
	}
}

// registrationOp is the access rule of a use case on registration k:
// staff need perm and the registration's region within their scope; a
// citizen needs citizenPerm and to be one of its parents.
func registrationOp(name string, perm, citizenPerm auth.Permission, who auth.Actor, k birth.Key) op {
	o := op{name: name, perm: perm, target: Target{Entity: "birth_registration", ID: strconv.FormatInt(k.ID, 10), Region: region.Code(k.County)}}
	if who.Role == auth.RoleCitizen {
		o.perm = citizenPerm
		o.locate = citizenLocate(who, o.target.Entity, func(ctx context.Context, tx *store.Tx) (bool, error) {
			r, err := tx.Registration(ctx, "", k.County, k.ID)
			if err != nil {
				return false, err
			}
			return who.PersonCounty == r.County && who.PersonID != 0 && (who.PersonID == r.Mother || who.PersonID == r.Father), nil
		})
		return o
	}
	o.locate = func(ctx context.Context, tx *store.Tx) (region.Code, error) {
		r, err := tx.Registration(ctx, "", k.County, k.ID)
		if err != nil {
			return "", err
		}
		return region.Code(r.Region), nil
	}
	return o
}

// RegisterBirth records a birth registration: a citizen's own (online),
// or one the staff take for the applying parent of their region
// (birth.Register). The parity is decided by the rules in force.
func (a *App) RegisterBirth(ctx context.Context, who auth.Actor, in birth.NewRegistration) (*birth.Registration, error) {
	var o op
	if who.Role == auth.RoleCitizen {
		o = op{name: "birth.register", perm: auth.PermSelfApply, target: selfTarget(who)}
	} else {
		county, err := ParseCounty("county", in.County)
		if err != nil {
			return nil, err
		}
		in.County = county
		o = personOp("birth.register", auth.PermRegistryWrite, registry.Key{County: county, ID: in.Applicant})
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*birth.Registration, error) {
		eng, err := a.evaluator(ctx, tx, "zh")
		if err != nil {
			return nil, err
		}
		return birth.Register(ctx, tx, eng, who, in)
	})
}

// BirthRegistrations returns a page of the registrations of county within
// the actor's scope that q selects, newest first, and how many it
// selects; a citizen's are those they are a parent of.
func (a *App) BirthRegistrations(ctx context.Context, who auth.Actor, county string, q birth.Query) ([]birth.Registration, int, error) {
	var rs []birth.Registration
	var n int
	o := op{name: "birth.list", perm: auth.PermRegistryRead, target: Target{Entity: "birth_registration", Region: region.Code(q.Region)}}
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
		rs, n, err = birth.List(ctx, tx, who, county, q)
		return err
	})
	return rs, n, err
}

// BirthRegistration returns registration k with its parity decision.
func (a *App) BirthRegistration(ctx context.Context, who auth.Actor, k birth.Key) (*birth.Registration, error) {
	o := registrationOp("birth.read", auth.PermRegistryRead, auth.PermSelfService, who, k)
	return look(a, ctx, who, o, func(tx *store.Tx) (*birth.Registration, error) {
		return birth.Get(ctx, tx, who, k)
	})
}

// CloseBirth records the hospital birth record that closes registration
// k: the children are added to the registry and tied to the parents with
// the registration's policy status (birth.Close). version is the version
// read.
func (a *App) CloseBirth(ctx context.Context, who auth.Actor, k birth.Key, version int, rec birth.BirthRecord) (*birth.Registration, error) {
	o := registrationOp("birth.close", auth.PermRegistryWrite, auth.PermRegistryWrite, who, k)
	return write(a, ctx, who, o, func(tx *store.Tx) (*birth.Registration, error) {
		return birth.Close(ctx, tx, who, k, version, rec)
	})
}

// CancelBirth cancels registration k for reason (birth.CancelReasons):
// staff of its region, or the citizen who applied.
func (a *App) CancelBirth(ctx context.Context, who auth.Actor, k birth.Key, version int, reason, note string) (*birth.Registration, error) {
	o := registrationOp("birth.cancel", auth.PermRegistryWrite, auth.PermSelfApply, who, k)
	return write(a, ctx, who, o, func(tx *store.Tx) (*birth.Registration, error) {
		return birth.Cancel(ctx, tx, who, k, version, reason, note)
	})
}

// BirthSlip returns what the slip of registration k prints; the door
// prints it (printout.BirthSlip) with the site's address before the
// verification path.
func (a *App) BirthSlip(ctx context.Context, who auth.Actor, k birth.Key) (*birth.Slip, error) {
	o := registrationOp("birth.slip", auth.PermRegistryRead, auth.PermSelfService, who, k)
	return look(a, ctx, who, o, func(tx *store.Tx) (*birth.Slip, error) {
		return birth.SlipData(ctx, tx, who, k)
	})
}

// VerifyBirthSlip answers the public verification of a slip: its number,
// parity, day and the parents' names masked, for the number and check
// code printed on it. No one signs in for it; a slip that is not valid is
// not found.
func (a *App) VerifyBirthSlip(ctx context.Context, serial, code string) (*birth.Verification, error) {
	o := op{name: "birth.verify", target: Target{Entity: "birth_registration"}}
	return look(a, ctx, auth.Actor{}, o, func(tx *store.Tx) (*birth.Verification, error) {
		return birth.Verify(ctx, tx, serial, code)
	})
}

// RecordBirthApproval records a birth approval held by person k (再生育审批
// or a birth certificate issued before 2021).
func (a *App) RecordBirthApproval(ctx context.Context, who auth.Actor, k registry.Key, in birth.Approval) (*birth.Approval, error) {
	return write(a, ctx, who, personOp("birth.approval.create", auth.PermRegistryWrite, k), func(tx *store.Tx) (*birth.Approval, error) {
		return birth.RecordApproval(ctx, tx, who, k, in)
	})
}

// BirthApprovals returns the birth approvals held by or naming person k.
func (a *App) BirthApprovals(ctx context.Context, who auth.Actor, k registry.Key) ([]birth.Approval, error) {
	return look(a, ctx, who, personOp("birth.approval.list", auth.PermRegistryRead, k), func(tx *store.Tx) ([]birth.Approval, error) {
		return birth.Approvals(ctx, tx, who, k)
	})
}
