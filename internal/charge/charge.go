// Package charge is the people in charge (三级干部分包对象): every recipient
// on the roll and every open case is put in the charge of a named cadre at
// the village, the township and the county level, who knows the family,
// visits it and answers for it. Each cadre has their list (我负责的对象),
// and the county and the townships see, by township, who has nobody in
// charge at a level.
//
// The township assigns the cadres of the village and township levels
// within its scope, the county those of all three; the cadre of a level is
// an active staff user of that level (a village specialist, a township or
// a county officer) whose division contains the recipient's or the case's
// village. Assignments are made and withdrawn in bulk from a list; a batch
// with any problem changes nothing, and every change is audited. The
// package checks permission, scope and content and writes its audit
// entries in the caller's transaction; storage is behind Store.
package charge

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Kinds of what a cadre is in charge of.
const (
	KindRecipient = "recipient" // a recipient on the roll (名册对象)
	KindCase      = "case"      // an open case (在办案件)
)

// Kinds names the kinds.
var Kinds = term.List{
	{Code: KindRecipient, ZH: "名册对象", EN: "Recipient"},
	{Code: KindCase, ZH: "在办案件", EN: "Open case"},
}

// Levels are the three levels of cadres, village first.
var Levels = []workflow.Level{workflow.LevelVillage, workflow.LevelTownship, workflow.LevelCounty}

// MaxBatch bounds one bulk assignment.
const MaxBatch = 1000

// Cadre is the cadre in charge of a target at one level.
type Cadre struct {
	Level          workflow.Level `json:"level"`
	UserID         int64          `json:"user_id"`
	Name           string         `json:"name"`
	AssignedBy     int64          `json:"assigned_by"`
	AssignedByName string         `json:"assigned_by_name"`
	AssignedAt     time.Time      `json:"assigned_at"`
}

// Target is a recipient (one roll entry) or an open case, with its cadres.
type Target struct {
	County   string `json:"county"`
	Kind     string `json:"kind"`
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	// IDNumber is masked in every list of this package.
	IDNumber string `json:"id_number"`
	Program  string `json:"program"`
	// State is a recipient's status on the roll or a case's state.
	State  string  `json:"state"`
	Region string  `json:"region"`
	Cadres []Cadre `json:"cadres"`
}

// Township returns the township (12 digits ending in 000) of the
// target's village.
func (t Target) Township() string {
	if len(t.Region) >= 9 {
		return t.Region[:9] + "000"
	}
	return t.Region
}

// Cadre returns the target's cadre at level, nil when nobody.
func (t Target) Cadre(l workflow.Level) *Cadre {
	for i := range t.Cadres {
		if t.Cadres[i].Level == l {
			return &t.Cadres[i]
		}
	}
	return nil
}

// Store is what the package needs from storage.
type Store interface {
	Now() time.Time
	Audit(ctx context.Context, e audit.Entry) error
	// ChargeTargets returns the targets of kind in county within scope
	// (active recipients, or cases whose procedure has not ended), with
	// their cadres, in region and id order.
	ChargeTargets(ctx context.Context, scope region.Code, county, kind string) ([]Target, error)
	// ChargeTarget returns target id of kind in county with its cadres;
	// NotFound when there is none (or it has left the roll or ended).
	ChargeTarget(ctx context.Context, county, kind string, id int64) (*Target, error)
	// ChargedTo returns the targets in county a user is in charge of, at
	// any level, in kind, region and id order.
	ChargedTo(ctx context.Context, county string, userID int64) ([]Target, error)
	// SaveCharge puts c in charge of target id at c.Level, replacing
	// whoever was.
	SaveCharge(ctx context.Context, county, kind string, id int64, c Cadre) error
	// DeleteCharge leaves target id with nobody at level.
	DeleteCharge(ctx context.Context, county, kind string, id int64, level workflow.Level) error
	// UserByID returns the user id if their region lies within scope.
	UserByID(ctx context.Context, scope region.Code, id int64) (auth.User, error)
}

// RoleOf is the role of a level's cadres.
func RoleOf(l workflow.Level) auth.Role {
	switch l {
	case workflow.LevelVillage:
		return auth.RoleVillage
	case workflow.LevelTownship:
		return auth.RoleTownship
	case workflow.LevelCounty:
		return auth.RoleCounty
	}
	return ""
}

// LevelOf is the level of a cadre of role, "" for a role that is none.
func LevelOf(r auth.Role) workflow.Level {
	for _, l := range Levels {
		if RoleOf(l) == r {
			return l
		}
	}
	return ""
}

// MayAssign reports whether a may assign the cadres of level: the county
// those of every level, the township those of the township and the
// villages.
func MayAssign(a auth.Actor, l workflow.Level) bool {
	if !auth.Can(a, auth.PermChargeAssign) {
		return false
	}
	switch a.Role {
	case auth.RoleCounty:
		return true
	case auth.RoleTownship:
		return l == workflow.LevelVillage || l == workflow.LevelTownship
	}
	return false
}

// ParseLevel returns the level coded s.
func ParseLevel(field, s string) (workflow.Level, error) {
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", apperr.Invalidf(field, "请选择村级、乡级或县级", "choose the village, township or county level")
}

// Batch is a bulk assignment: the targets of Kind in Region (a county or
// a division of one) given by IDs put in the charge of UserID at Level, or
// left with nobody there when UserID is 0.
type Batch struct {
	Region string         `json:"region"`
	Kind   string         `json:"kind"`
	Level  workflow.Level `json:"level"`
	IDs    []int64        `json:"ids"`
	UserID int64          `json:"user_id"`
}

// Done is the outcome of a batch: how many targets changed hands.
type Done struct {
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

// Assign applies batch b, all or nothing: every problem is named by the
// target's place in the batch.
func Assign(ctx context.Context, s Store, a auth.Actor, b Batch) (*Done, error) {
	if err := auth.Require(a, auth.PermChargeAssign); err != nil {
		return nil, err
	}
	within, err := region.ParseCode(b.Region)
	if err != nil || within.Level() < region.County {
		return nil, apperr.Invalidf("region", "请选择县或县以下的区划", "choose a county or a division within one")
	}
	if err := a.CheckScope(within); err != nil {
		return nil, err
	}
	county := string(within)[:6]
	var errs apperr.List
	if !Kinds.Has(b.Kind) {
		errs = append(errs, apperr.Invalidf("kind", "请选择名册对象或在办案件", "choose recipients or open cases"))
	}
	if _, err := ParseLevel("level", string(b.Level)); err != nil {
		errs = append(errs, err.(*apperr.Error))
	} else if !MayAssign(a, b.Level) {
		return nil, apperr.Forbiddenf("您无权指定%s负责人", "you may not assign the cadres of this level (%s)", b.Level.Chinese())
	}
	switch {
	case len(b.IDs) == 0:
		errs = append(errs, apperr.Invalidf("ids", "请勾选至少一个对象", "select at least one"))
	case len(b.IDs) > MaxBatch:
		errs = append(errs, apperr.Invalidf("ids", "一次最多 %d 个对象", "at most %d at once", MaxBatch))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var cadre auth.User
	if b.UserID != 0 {
		u, err := s.UserByID(ctx, region.Code(county), b.UserID)
		if err != nil || u.Disabled || u.Role != RoleOf(b.Level) {
			return nil, apperr.Invalidf("user_id", "负责人须是本县在用的%s工作人员", "the cadre must be an active officer of the county at this level (%s)",
				b.Level.Chinese())
		}
		cadre = u
	}
	seen := map[int64]bool{}
	targets := make([]*Target, len(b.IDs))
	for i, id := range b.IDs {
		row := strconv.Itoa(i + 1)
		if seen[id] {
			errs = append(errs, apperr.Invalidf("ids["+row+"]", "第 %d 个对象（编号 %d）重复", "item %d (id %d) is repeated", i+1, id))
			continue
		}
		seen[id] = true
		t, err := s.ChargeTarget(ctx, county, b.Kind, id)
		if apperr.KindOf(err) == apperr.NotFound {
			errs = append(errs, apperr.Invalidf("ids["+row+"]", "第 %d 个对象（编号 %d）不存在或已不在册、已办结", "item %d (id %d) does not exist or has ended", i+1, id))
			continue
		}
		if err != nil {
			return nil, err
		}
		if !a.CanSee(region.Code(t.Region)) || !within.Contains(region.Code(t.Region)) {
			errs = append(errs, apperr.Invalidf("ids["+row+"]", "第 %d 个对象（编号 %d）不在您的辖区内", "item %d (id %d) lies outside your area", i+1, id))
			continue
		}
		if b.UserID != 0 && !cadre.Region.Contains(region.Code(t.Region)) {
			errs = append(errs, apperr.Invalidf("ids["+row+"]", "第 %d 个对象（编号 %d）不在负责人%s的辖区内", "item %d (id %d) lies outside the cadre %s's area",
				i+1, id, cadre.Name))
			continue
		}
		targets[i] = t
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	done := &Done{}
	now := s.Now()
	for _, t := range targets {
		old := t.Cadre(b.Level)
		if (old == nil && b.UserID == 0) || (old != nil && old.UserID == b.UserID) {
			done.Unchanged++
			continue
		}
		action, after := "charge.unassign", any(nil)
		if b.UserID != 0 {
			c := Cadre{Level: b.Level, UserID: cadre.ID, Name: cadre.Name, AssignedBy: a.UserID, AssignedByName: actorName(a), AssignedAt: now}
			if err := s.SaveCharge(ctx, t.County, t.Kind, t.ID, c); err != nil {
				return nil, err
			}
			action, after = "charge.assign", entryOf(t, &c)
		} else if err := s.DeleteCharge(ctx, t.County, t.Kind, t.ID, b.Level); err != nil {
			return nil, err
		}
		var before any
		if old != nil {
			before = entryOf(t, old)
		}
		e := audit.Entry{County: t.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "charge",
			EntityID: fmt.Sprintf("%s/%d/%s", t.Kind, t.ID, b.Level), Region: t.Region, Before: audit.JSON(before), After: audit.JSON(after)}
		if before == nil {
			e.Before = ""
		}
		if after == nil {
			e.After = ""
		}
		if err := s.Audit(ctx, e); err != nil {
			return nil, err
		}
		done.Changed++
	}
	return done, nil
}

func entryOf(t *Target, c *Cadre) map[string]any {
	return map[string]any{"kind": t.Kind, "id": t.ID, "person_id": t.PersonID, "level": c.Level, "user_id": c.UserID, "name": c.Name}
}

// Query selects a board: the targets of Kind within Region (a county or a
// division of one); with Nobody set, only those with nobody in charge at
// Level.
type Query struct {
	Region string         `json:"region"`
	Kind   string         `json:"kind"`
	Level  workflow.Level `json:"level"`
	Nobody bool           `json:"nobody"`
}

// Township is one township's count of targets and of those with nobody
// in charge at each level.
type Township struct {
	Code   string                 `json:"code"`
	Total  int                    `json:"total"`
	Nobody map[workflow.Level]int `json:"nobody"`
}

// Board is the list a county or a township assigns from.
type Board struct {
	County    string     `json:"county"`
	Query     Query      `json:"query"`
	Rows      []Target   `json:"rows"`
	Townships []Township `json:"townships"`
	// Omitted counts the rows past MaxRows left out of Rows (the
	// townships' counts hold them all): choose a smaller region.
	Omitted int `json:"omitted"`
}

// MaxRows bounds the rows of a board: a township's recipients, not a
// whole county's.
const MaxRows = 2000

// List returns the board of q, ID numbers masked.
func List(ctx context.Context, s Store, a auth.Actor, q Query) (*Board, error) {
	if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, err
	}
	c, err := region.ParseCode(q.Region)
	if err != nil || c.Level() < region.County {
		return nil, apperr.Invalidf("region", "请选择县或县以下的区划", "choose a county or a division within one")
	}
	if err := a.CheckScope(c); err != nil {
		return nil, err
	}
	if q.Kind == "" {
		q.Kind = KindRecipient
	}
	if !Kinds.Has(q.Kind) {
		return nil, apperr.Invalidf("kind", "请选择名册对象或在办案件", "choose recipients or open cases")
	}
	if q.Level == "" {
		q.Level = workflow.LevelVillage
	}
	if _, err := ParseLevel("level", string(q.Level)); err != nil {
		return nil, err
	}
	county := string(c)[:6]
	rows, err := s.ChargeTargets(ctx, c, county, q.Kind)
	if err != nil {
		return nil, err
	}
	b := &Board{County: county, Query: q}
	by := map[string]*Township{}
	for _, t := range rows {
		tw := by[t.Township()]
		if tw == nil {
			tw = &Township{Code: t.Township(), Nobody: map[workflow.Level]int{}}
			by[tw.Code] = tw
		}
		tw.Total++
		for _, l := range Levels {
			if t.Cadre(l) == nil {
				tw.Nobody[l]++
			}
		}
		if q.Nobody && t.Cadre(q.Level) != nil {
			continue
		}
		if len(b.Rows) == MaxRows {
			b.Omitted++
			continue
		}
		t.IDNumber = idcard.Number(t.IDNumber).Masked()
		b.Rows = append(b.Rows, t)
	}
	for _, t := range by {
		b.Townships = append(b.Townships, *t)
	}
	sort.Slice(b.Townships, func(i, j int) bool { return b.Townships[i].Code < b.Townships[j].Code })
	return b, nil
}

// Mine returns the targets a is in charge of, ID numbers masked.
func Mine(ctx context.Context, s Store, a auth.Actor) ([]Target, error) {
	if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, err
	}
	if LevelOf(a.Role) == "" || a.Scope.Level() < region.County {
		return nil, nil
	}
	rows, err := s.ChargedTo(ctx, string(a.Scope)[:6], a.UserID)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].IDNumber = idcard.Number(rows[i].IDNumber).Masked()
	}
	return rows, nil
}

func actorName(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}
