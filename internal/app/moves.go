package app

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// People who move (package move): a person's residence apart from their
// hukou, the list of migrants living in a region, and transfers between
// counties, which the old county starts and the new county accepts or
// refuses. A transfer writes in two counties; its use cases lock both
// counties' audit chains, in code order, before they write.

// transferOp is the access rule of a use case on county's row of transfer
// id: perm, and the county within the actor's scope.
func transferOp(name string, perm auth.Permission, county string, id int64) op {
	return op{name: name, perm: perm, target: Target{Entity: "transfer", ID: strconv.FormatInt(id, 10), Region: region.Code(county)}}
}

// twoCounties runs fn in one read-write transaction after o's access
// check, with the audit chains of the counties fn's transfer touches
// locked in code order (so that two transfers crossing each other wait
// rather than deadlock). counties returns them, read inside the
// transaction. A refusal is audited.
func (a *App) twoCounties(ctx context.Context, who auth.Actor, o op, counties func(tx *store.Tx) ([2]string, error), fn func(tx *store.Tx) error) error {
	err := a.db.Update(ctx, func(tx *store.Tx) error {
		if err := o.check(ctx, tx, who); err != nil {
			return err
		}
		cs, err := counties(tx)
		if err != nil {
			return err
		}
		if cs[1] < cs[0] {
			cs[0], cs[1] = cs[1], cs[0]
		}
		for _, c := range cs {
			if c == "" {
				continue
			}
			if err := tx.LockChain(ctx, c); err != nil {
				return err
			}
		}
		return fn(tx)
	})
	return a.audited(ctx, who, o, err)
}

// PersonResidence is what the residence form and the person page show of
// a person's living place and moves.
type PersonResidence struct {
	move.Residence
	Hukou      string           `json:"hukou"`
	Migrant    bool             `json:"migrant"`
	MovedTo    string           `json:"moved_to,omitempty"`
	Transfers  []move.Transfer  `json:"transfers"`
	RemoteTies []move.RemoteTie `json:"remote_ties"`
}

// Residence returns where person k lives, their transfers and their ties
// to relatives in other counties (a relative outside the actor's scope
// is named only by county: the door masks the name).
func (a *App) Residence(ctx context.Context, who auth.Actor, k registry.Key) (*PersonResidence, error) {
	return look(a, ctx, who, personOp("person.residence.read", auth.PermRegistryRead, k), func(tx *store.Tx) (*PersonResidence, error) {
		rec, err := tx.PersonByKey(ctx, "", k)
		if err != nil {
			return nil, err
		}
		res, movedTo, err := tx.Residence(ctx, k)
		if err != nil {
			return nil, err
		}
		ts, err := tx.TransfersOf(ctx, k)
		if err != nil {
			return nil, err
		}
		ties, err := tx.RemoteTies(ctx, k)
		if err != nil {
			return nil, err
		}
		for i := range ties {
			if !who.CanSee(region.Code(ties[i].Region)) {
				ties[i].Name, ties[i].Region = "", ""
			}
		}
		if ties == nil {
			ties = []move.RemoteTie{}
		}
		return &PersonResidence{Residence: move.Residence{Region: res, Version: rec.Version}, Hukou: rec.Region,
			Migrant: move.IsMigrant(rec.Region, res), MovedTo: movedTo, Transfers: ts, RemoteTies: ties}, nil
	})
}

// SetResidence records where person k lives ("" for the hukou's place).
func (a *App) SetResidence(ctx context.Context, who auth.Actor, k registry.Key, r move.Residence) (*move.Residence, error) {
	return write(a, ctx, who, personOp("person.residence", auth.PermRegistryWrite, k), func(tx *store.Tx) (*move.Residence, error) {
		return move.SetResidence(ctx, tx, who, a.tree(), k, r)
	})
}

// MigrantList is the migrants living in a region, counted by the
// township they live in.
type MigrantList struct {
	Region     string               `json:"region"`
	ByTownship []move.TownshipCount `json:"by_township"`
	Migrants   []move.Migrant       `json:"migrants"`
	More       bool                 `json:"more"` // the list stops at its limit
}

// MigrantLimit bounds the migrants listed at once.
const MigrantLimit = 2000

// Migrants lists the persons living within the region (the actor's own
// when empty) whose hukou lies in another township or county: counted
// where they live, for the staff who serve them, while the county of
// their hukou keeps paying them.
func (a *App) Migrants(ctx context.Context, who auth.Actor, within string) (*MigrantList, error) {
	if within == "" {
		within = string(who.Scope)
	}
	o := regionOp("migrant.list", auth.PermRegistryRead, within)
	return look(a, ctx, who, o, func(tx *store.Tx) (*MigrantList, error) {
		ms, err := tx.Migrants(ctx, o.target.Region, MigrantLimit+1)
		if err != nil {
			return nil, err
		}
		out := &MigrantList{Region: string(o.target.Region), Migrants: ms}
		if len(ms) > MigrantLimit {
			out.Migrants, out.More = ms[:MigrantLimit], true
		}
		if out.Migrants == nil {
			out.Migrants = []move.Migrant{}
		}
		out.ByTownship = move.ByTownship(out.Migrants)
		return out, nil
	})
}

// StartTransfer starts the transfer of person in.County/in.PersonID to
// another county: written and audited in both counties.
func (a *App) StartTransfer(ctx context.Context, who auth.Actor, in move.Start) (*move.Transfer, error) {
	county, err := ParseCounty("county", in.County)
	if err != nil {
		return nil, err
	}
	in.County = county
	o := personOp("transfer.start", auth.PermTransfer, registry.Key{County: county, ID: in.PersonID})
	o.target.Entity = "transfer"
	var out *move.Transfer
	err = a.twoCounties(ctx, who, o, func(*store.Tx) ([2]string, error) { return [2]string{county, in.ToCounty}, nil },
		func(tx *store.Tx) (err error) {
			out, err = move.Begin(ctx, tx, who, a.tree(), in)
			return err
		})
	return out, err
}

// transferCounties returns the two counties of county's row of transfer id.
func transferCounties(ctx context.Context, county string, id int64) func(tx *store.Tx) ([2]string, error) {
	return func(tx *store.Tx) ([2]string, error) {
		t, err := tx.Transfer(ctx, county, id)
		if err != nil {
			return [2]string{}, err
		}
		return [2]string{t.FromCounty, t.ToCounty}, nil
	}
}

// DecideTransfer records county's answer to transfer id coming in:
// accepted (signed), the person, their roll entries and open cases move
// to county; refused with a reason, nothing moves.
func (a *App) DecideTransfer(ctx context.Context, who auth.Actor, county string, id int64, d move.Decision) (*move.Transfer, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	name := "transfer.accept"
	if !d.Accept {
		name = "transfer.refuse"
	}
	var out *move.Transfer
	err = a.twoCounties(ctx, who, transferOp(name, auth.PermTransfer, county, id), transferCounties(ctx, county, id),
		func(tx *store.Tx) (err error) {
			out, err = move.Decide(ctx, tx, who, a.tree(), county, id, d)
			return err
		})
	return out, err
}

// WithdrawTransfer withdraws county's open transfer id going out.
func (a *App) WithdrawTransfer(ctx context.Context, who auth.Actor, county string, id int64, version int) (*move.Transfer, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	var out *move.Transfer
	err = a.twoCounties(ctx, who, transferOp("transfer.withdraw", auth.PermTransfer, county, id), transferCounties(ctx, county, id),
		func(tx *store.Tx) (err error) {
			out, err = move.Withdraw(ctx, tx, who, county, id, version)
			return err
		})
	return out, err
}

// Transfer returns county's row of transfer id.
func (a *App) Transfer(ctx context.Context, who auth.Actor, county string, id int64) (*move.Transfer, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	return look(a, ctx, who, transferOp("transfer.read", auth.PermCaseRead, county, id), func(tx *store.Tx) (*move.Transfer, error) {
		return tx.Transfer(ctx, county, id)
	})
}

// TransferLimit bounds a list of transfers.
const TransferLimit = 200

// Transfers lists county's transfers of one side (move.SideIn: coming in,
// to accept or refuse; move.SideOut: going out), open ones first.
func (a *App) Transfers(ctx context.Context, who auth.Actor, county, side string) ([]move.Transfer, error) {
	county, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	if side != move.SideIn {
		side = move.SideOut
	}
	o := op{name: "transfer.list", perm: auth.PermCaseRead, target: Target{Entity: "transfer", Region: region.Code(county)}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]move.Transfer, error) {
		return tx.Transfers(ctx, county, side, TransferLimit)
	})
}

// MovesDone counts the transfers a synthetic county's hukou moves made.
type MovesDone struct {
	Accepted int `json:"accepted"`
	Refused  int `json:"refused"`
	Open     int `json:"open"`
}

// handOverSynthetic hands the hukou moves a synthetic county drew over to
// the counties moved to, through the transfers' own domain code, as the
// system: a move of the last month before the population's day is still
// waiting for the new county, one in twenty of the others was refused and
// the rest accepted. A move already handed over (a second run) is left
// alone. Each move is one transaction.
func (a *App) handOverSynthetic(ctx context.Context, county string, moves []synth.PlannedMove) (MovesDone, error) {
	var done MovesDone
	last := date.Date{}
	for _, m := range moves {
		if m.On.After(last) {
			last = m.On
		}
	}
	for _, m := range moves {
		place := firstVillage(a.tree(), region.Code(m.To))
		if place == "" {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(m.IDNumber))
		x := h.Sum32()
		outcome := ""
		err := a.db.Update(ctx, func(tx *store.Tx) error {
			for _, c := range sortedPair(county, m.To) {
				if err := tx.LockChain(ctx, c); err != nil {
					return err
				}
			}
			rec, err := tx.PersonByIDNumber(ctx, "", m.IDNumber)
			if err != nil {
				return err
			}
			t, err := move.Begin(ctx, tx, auth.System, a.tree(), move.Start{County: county, PersonID: rec.ID, ToCounty: m.To, MovedOn: m.On,
				Source: move.SourcePolice, SourceRef: fmt.Sprintf("迁字%d第%05d号", m.On.Year(), x%100000)})
			if err != nil {
				return err
			}
			switch {
			case m.On.After(last.AddDays(-30)):
				outcome = move.StateStarted
			case x%20 == 0:
				_, err = move.Decide(ctx, tx, auth.System, a.tree(), m.To, t.ID, move.Decision{Reason: "经核实本人未在本县落户", Version: 1})
				outcome = move.StateRefused
			default:
				_, err = move.Decide(ctx, tx, auth.System, a.tree(), m.To, t.ID, move.Decision{Accept: true, ToRegion: place, Version: 1})
				outcome = move.StateAccepted
			}
			return err
		})
		if k := apperr.KindOf(err); k == apperr.Conflict || k == apperr.NotFound || k == apperr.Invalid {
			continue // handed over by an earlier run, or no longer there
		}
		if err != nil {
			return done, err
		}
		switch outcome {
		case move.StateStarted:
			done.Open++
		case move.StateRefused:
			done.Refused++
		case move.StateAccepted:
			done.Accepted++
		}
	}
	return done, nil
}

func sortedPair(a, b string) []string {
	if b < a {
		return []string{b, a}
	}
	return []string{a, b}
}

// firstVillage returns the first village (or township) of county.
func firstVillage(t *region.Tree, county region.Code) string {
	code := county
	for range 3 {
		kids := t.Children(code)
		if len(kids) == 0 {
			break
		}
		code = kids[0].Code
	}
	if code.Level() < region.Township {
		return ""
	}
	return string(code)
}

// moveTarget reads the other side of a police move out of county: the
// county of the division table it names, other than county, and the
// township or village in it when the record names one the table knows
// ("" and "" for a place outside the system or within county).
func (a *App) moveTarget(county, code string) (to, place string) {
	c, err := region.ParseCode(code)
	if err != nil || a.tree() == nil {
		return "", ""
	}
	cc := a.tree().County(c)
	if cc == "" || cc.Level() != region.County || string(cc) == county {
		return "", ""
	}
	if _, ok := a.tree().Lookup(cc); !ok {
		return "", ""
	}
	if c.Level() >= region.Township {
		if _, ok := a.tree().Lookup(c); ok {
			place = string(c)
		}
	}
	return string(cc), place
}

// taskRef is the source reference of a transfer started from task t: the
// police record's place in its import.
func taskRef(t *matching.Task) string {
	return fmt.Sprintf("公安户籍变动比对第%d批第%d行", t.ImportID, t.Row)
}

// transferFromTask starts, from task t's police record of a move out to
// another county of the division table, the transfer of the task's person
// to that county, prefilled from the record — the county and, when the
// record names it, the township or village; the date; the record as the
// source — through the transfers' own domain code, audited in both
// counties (the caller holds both counties' audit chains). A transfer
// already under way to that county is linked, not doubled. Below the
// county (no transfer permission) the task is only verified and waits for
// the county; a move to a place outside the system is confirmed as
// verified.
func (a *App) transferFromTask(ctx context.Context, tx *store.Tx, who auth.Actor, t *matching.Task, row *matching.Row, note string, out *TaskOutcome) error {
	to, place := a.moveTarget(t.County, row.Event.Region)
	if to == "" || t.Person.ID == 0 {
		return nil
	}
	if !auth.Can(who, auth.PermTransfer) {
		out.ToCounty = true
		return nil
	}
	k := registry.Key{County: t.County, ID: t.Person.ID}
	ts, err := tx.TransfersOf(ctx, k)
	if err != nil {
		return err
	}
	for i := range ts {
		if ts[i].County == t.County && ts[i].Side == move.SideOut && ts[i].ToCounty == to &&
			(ts[i].State == move.StateStarted || ts[i].State == move.StateAccepted) {
			out.Transfer, out.Applied = &ts[i], true
			return nil
		}
	}
	tr, err := move.Begin(ctx, tx, who, a.tree(), move.Start{County: t.County, PersonID: k.ID, ToCounty: to, ToRegion: place,
		MovedOn: row.Event.Date.Date, Source: move.SourcePolice, SourceRef: taskRef(t), Note: note})
	if err != nil {
		return err
	}
	out.Transfer, out.Applied = tr, true
	return nil
}

// taskTransfer returns the transfer started from task t, if any: its
// row on the old county's side, read again for its state.
func (a *App) taskTransfer(ctx context.Context, tx *store.Tx, t *matching.Task) (*move.Transfer, error) {
	if t.Reason != matching.TaskMovedOut || t.Person.ID == 0 {
		return nil, nil
	}
	ts, err := tx.TransfersOf(ctx, registry.Key{County: t.County, ID: t.Person.ID})
	if err != nil {
		return nil, err
	}
	ref := taskRef(t)
	for i := range ts {
		if ts[i].County == t.County && ts[i].Side == move.SideOut && ts[i].SourceRef == ref {
			return &ts[i], nil
		}
	}
	return nil, nil
}
