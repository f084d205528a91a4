package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The people in charge (三级干部分包对象, package charge): recipients and
// open cases put in the charge of named cadres at three levels.

// ChargeBoard is a board with the cadres the actor may choose from at
// the board's level.
type ChargeBoard struct {
	*charge.Board
	// Cadres are the active officers of the board's level in its county
	// (empty when the actor may not assign at that level).
	Cadres []auth.User `json:"cadres"`
	// MayAssign reports whether the actor may assign at the level.
	MayAssign bool `json:"may_assign"`
}

// ChargeBoard returns the recipients or open cases within q.Region with
// their cadres at the three levels and, by township, how many have
// nobody in charge at each level.
func (a *App) ChargeBoard(ctx context.Context, who auth.Actor, q charge.Query) (*ChargeBoard, error) {
	o := op{name: "charge.list", perm: auth.PermCaseRead, target: Target{Entity: "charge"}}
	if c, err := region.ParseCode(q.Region); err == nil {
		o.target.Region = c
	}
	return look(a, ctx, who, o, func(tx *store.Tx) (*ChargeBoard, error) {
		b, err := charge.List(ctx, tx, who, q)
		if err != nil {
			return nil, err
		}
		out := &ChargeBoard{Board: b, MayAssign: charge.MayAssign(who, b.Query.Level)}
		if out.MayAssign {
			out.Cadres, err = tx.Users(ctx, region.Code(b.County), store.UserFilter{Role: charge.RoleOf(b.Query.Level)})
		}
		return out, err
	})
}

// AssignCharges puts the targets of b in the charge of b.UserID at
// b.Level, or leaves them with nobody there when b.UserID is 0: all or
// nothing, each change audited.
func (a *App) AssignCharges(ctx context.Context, who auth.Actor, b charge.Batch) (*charge.Done, error) {
	o := op{name: "charge.assign", perm: auth.PermChargeAssign, target: Target{Entity: "charge"}}
	if c, err := region.ParseCode(b.Region); err == nil {
		o.target.Region = c
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (*charge.Done, error) {
		return charge.Assign(ctx, tx, who, b)
	})
}

// MyCharges returns the recipients and open cases the actor is in charge
// of (我负责的对象).
func (a *App) MyCharges(ctx context.Context, who auth.Actor) ([]charge.Target, error) {
	o := op{name: "charge.mine", perm: auth.PermCaseRead, target: Target{Entity: "charge", Region: who.Scope}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]charge.Target, error) {
		return charge.Mine(ctx, tx, who)
	})
}

// ChargeLevels are the levels of cadres, village first.
func ChargeLevels() []workflow.Level { return charge.Levels }
