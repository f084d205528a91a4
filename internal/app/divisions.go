package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
)

// Divisions that change (docs/regions.md): a county or a province records
// that a township was merged into another, a village renamed or moved, a
// division split from another, each from a day; the history of every
// code; and the division tree as it was on any day, which the monthly
// report groups by.

// divisions returns the division tree of reg's county with its recorded
// changes, as a stats.Namer: the tree itself when nothing changed, or for
// a region above the county (whose units, counties, never change here).
func (a *App) divisions(ctx context.Context, tx *store.Tx, reg region.Code) (stats.Namer, error) {
	county := a.tree().County(reg)
	if county == "" {
		return a.tree(), nil
	}
	h, err := a.history(ctx, tx, string(county))
	if err != nil || !h.Changed() {
		return a.tree(), err
	}
	return h, nil
}

// history reads county's changes over the tree, and makes the divisions
// they created known to the tree's look-ups.
func (a *App) history(ctx context.Context, tx *store.Tx, county string) (*region.History, error) {
	vs, ks, err := tx.DivisionHistory(ctx, county)
	if err != nil {
		return nil, err
	}
	declare(a.tree(), vs)
	return region.NewHistory(a.tree(), vs, ks, date.Today(tx.Now()).String()), nil
}

// declare makes the divisions created by changes known to the tree.
func declare(t *region.Tree, vs []region.Version) {
	for _, v := range vs {
		if _, ok := t.Lookup(v.Code); !ok && v.Name != "" {
			region.Declare(region.Division{Code: v.Code, Name: v.Name, Level: v.Code.Level(), Parent: v.Parent})
		}
	}
}

// DeclareDivisions makes the divisions created by every recorded change
// known to the tree (at start-up, so that records may hold their codes).
func (a *App) DeclareDivisions(ctx context.Context) error {
	return a.db.View(ctx, func(tx *store.Tx) error {
		vs, _, err := tx.DivisionHistory(ctx, "")
		declare(a.tree(), vs)
		return err
	})
}

// DivisionChange is a recorded change of a county's divisions, with its
// keys and the rows it re-keyed.
type DivisionChange = store.DivisionChange

// DivisionChangeInput is a change to record: Kind (region.ChangeRename,
// ChangeMerge, ChangeMove, ChangeSplit), the division Code, Target (the
// division merged into, the township moved under, or the division split
// from), Name (the new name, or the new division's), Day (YYYY-MM-DD, the
// day it takes effect, not after today), Basis (the document that
// decided it), and Villages (for a new township, the villages it takes).
type DivisionChangeInput struct {
	Kind     string   `json:"kind"`
	Code     string   `json:"code"`
	Target   string   `json:"target"`
	Name     string   `json:"name"`
	Day      string   `json:"day"`
	Basis    string   `json:"basis"`
	Villages []string `json:"villages"`
}

func parseDivision(field, s string) (region.Code, error) {
	c, err := region.ParseCode(s)
	if err != nil {
		return "", apperr.Invalidf(field, "%s：区划代码无效", "%s: invalid division code", field)
	}
	return c, nil
}

// ChangeDivision records a change of a division of a county and re-keys
// the county's current records of every retired code to its successor,
// one statement per table. The county (or the province above it)
// records it; it is audited with the versions, the keys and the rows
// re-keyed.
func (a *App) ChangeDivision(ctx context.Context, who auth.Actor, in DivisionChangeInput) (*store.DivisionChange, error) {
	code, err := parseDivision("code", in.Code)
	if err != nil {
		return nil, err
	}
	if code.Level() < region.Township {
		return nil, apperr.Invalidf("code", "只能变更乡级或村级区划；县级及以上区划的变更不在本系统范围内", "only townships and villages change here; a change of a county or above is out of scope")
	}
	day, err := date.Parse(in.Day)
	if err != nil {
		return nil, apperr.Invalidf("day", "生效日期无效，应写作2026-03-01", "invalid day: write 2026-03-01")
	}
	var target region.Code
	if in.Kind != region.ChangeRename {
		if target, err = parseDivision("target", in.Target); err != nil {
			return nil, err
		}
	}
	if len([]rune(in.Basis)) > 200 || len([]rune(in.Name)) > 50 {
		return nil, apperr.Invalidf("basis", "名称不超过50字，依据不超过200字", "the name is at most 50 characters and the basis 200")
	}
	county := code[:6]
	o := op{name: "division.change", perm: auth.PermDivisionsManage, target: Target{Entity: "division", ID: string(code), Region: county}}
	return write(a, ctx, who, o, func(tx *store.Tx) (*store.DivisionChange, error) {
		if day.After(date.Today(tx.Now())) {
			return nil, apperr.Invalidf("day", "生效日期不能晚于今天：变更在生效之日登记", "the day cannot be after today: record a change when it takes effect")
		}
		h, err := a.history(ctx, tx, string(county))
		if err != nil {
			return nil, err
		}
		d := day.String()
		var p region.Plan
		switch in.Kind {
		case region.ChangeRename:
			p, err = h.Rename(code, in.Name, d)
		case region.ChangeMerge:
			var used []region.Code
			if used, err = tx.DivisionCodesInUse(ctx, string(county), code); err == nil {
				p, err = h.Merge(code, target, d, used)
			}
		case region.ChangeMove:
			p, err = h.Move(code, target, d)
		case region.ChangeSplit:
			var villages []region.Code
			for _, v := range in.Villages {
				if v = strings.TrimSpace(v); v == "" {
					continue
				}
				c, err := parseDivision("villages", v)
				if err != nil {
					return nil, err
				}
				villages = append(villages, c)
			}
			p, err = h.Split(code, in.Name, target, d, villages)
		default:
			return nil, apperr.Invalidf("kind", "变更类型应为更名、撤并、改变隶属或析置", "the kind is rename, merge, move or split")
		}
		if err != nil {
			if re, ok := err.(*region.Error); ok {
				return nil, &apperr.Error{Kind: apperr.Invalid, ZH: re.ZH, EN: re.EN}
			}
			return nil, err
		}
		c := &store.DivisionChange{County: string(county), Kind: in.Kind, Code: string(code), Target: string(target), Day: day,
			Name: strings.TrimSpace(in.Name), Basis: strings.TrimSpace(in.Basis), Keys: p.Keys, UserID: who.UserID, Username: who.Username, At: tx.Now()}
		if err := tx.RecordDivisionChange(ctx, c, p); err != nil {
			return nil, err
		}
		declare(a.tree(), p.Open)
		// Each user the change moved has it in their own history.
		for _, u := range c.Users {
			if err := tx.Audit(ctx, audit.Entry{UserID: who.UserID, Username: who.Username, Action: "user.region", Entity: "user",
				EntityID: strconv.FormatInt(u.ID, 10), Region: string(u.To), Before: audit.JSON(map[string]any{"region": u.From}),
				After: audit.JSON(map[string]any{"region": u.To, "division_change": string(county) + "/" + strconv.FormatInt(c.ID, 10)})}); err != nil {
				return nil, err
			}
		}
		return c, tx.Audit(ctx, audit.Entry{County: string(county), UserID: who.UserID, Username: who.Username, Action: "division." + in.Kind,
			Entity: "division", EntityID: string(code), Region: string(code), Before: audit.JSON(p.Close), After: audit.JSON(map[string]any{
				"change": c.ID, "open": p.Open, "keys": p.Keys, "rekeyed": c.Rekeyed, "users": c.Users, "basis": c.Basis})})
	})
}

// DivisionRecord is the history of one code (区划沿革): its versions, the
// changes that touched it, and what it is today.
type DivisionRecord struct {
	Code     region.Code            `json:"code"`
	Name     string                 `json:"name"`
	FullName string                 `json:"full_name"`
	InForce  bool                   `json:"in_force"`
	Versions []region.Version       `json:"versions"`
	Changes  []store.DivisionChange `json:"changes"`
	Children []region.Division      `json:"children"`
	Now      region.Code            `json:"now,omitempty"` // the code its records hold today, when retired
	Names    map[region.Code]string `json:"names"`         // the names of the codes the changes name
}

// DivisionHistory returns the history of code: every version with its
// dates, the changes that touched it (with the keys and the rows they
// re-keyed), and its divisions today.
func (a *App) DivisionHistory(ctx context.Context, who auth.Actor, code string) (*DivisionRecord, error) {
	c, err := parseDivision("code", code)
	if err != nil {
		return nil, err
	}
	o := op{name: "division.history", perm: auth.PermReportRead, target: Target{Entity: "division", ID: string(c), Region: c}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*DivisionRecord, error) {
		county := a.tree().County(c)
		r := &DivisionRecord{Code: c, Names: map[region.Code]string{}}
		if county == "" {
			d, ok := a.tree().Lookup(c)
			if !ok && !c.IsCountry() {
				return nil, apperr.NotFoundf("没有这个区划", "no such division")
			}
			r.Name, r.FullName, r.InForce, r.Children = d.Name, a.tree().FullName(c), true, a.tree().Children(c)
			r.Versions = []region.Version{{Code: c, Name: d.Name, Parent: d.Parent}}
			return r, nil
		}
		h, err := a.history(ctx, tx, string(county))
		if err != nil {
			return nil, err
		}
		today := date.Today(tx.Now()).String()
		r.Versions = h.Versions(c)
		if r.Versions == nil {
			d, ok := a.tree().Lookup(c)
			if !ok {
				return nil, apperr.NotFoundf("没有这个区划", "no such division")
			}
			r.Versions = []region.Version{{Code: c, Name: d.Name, Parent: d.Parent}}
		}
		last := r.Versions[len(r.Versions)-1]
		r.Name = last.Name
		r.InForce = h.Valid(c, today)
		if r.InForce {
			r.FullName = h.On(today).FullName(c)
			r.Children = h.On(today).Children(c)
		} else {
			r.FullName = h.On(last.From).FullName(c)
			if last.To != "" {
				r.FullName = h.On(dayBefore(last.To)).FullName(c)
			}
			r.Now = h.Resolve(c, today)
		}
		touching := c
		if c == county {
			touching = "" // a county's page lists all its changes
		}
		if r.Changes, err = tx.DivisionChanges(ctx, string(county), touching); err != nil {
			return nil, err
		}
		name := func(x region.Code) {
			if x == "" || r.Names[x] != "" {
				return
			}
			vs := h.Versions(x)
			if len(vs) > 0 {
				r.Names[x] = vs[len(vs)-1].Name
			} else if d, ok := a.tree().Lookup(x); ok {
				r.Names[x] = d.Name
			}
		}
		name(r.Now)
		for _, ch := range r.Changes {
			name(region.Code(ch.Code))
			name(region.Code(ch.Target))
			for _, k := range ch.Keys {
				name(k.Old)
				name(k.New)
			}
		}
		return r, nil
	})
}

func dayBefore(d string) string {
	x, err := date.Parse(d)
	if err != nil {
		return d
	}
	return x.AddDays(-1).String()
}

// DivisionChanges lists the changes of the divisions of county, in order
// of day.
func (a *App) DivisionChanges(ctx context.Context, who auth.Actor, county string) ([]store.DivisionChange, error) {
	c, err := ParseCounty("county", county)
	if err != nil {
		return nil, err
	}
	o := op{name: "division.changes", perm: auth.PermReportRead, target: Target{Entity: "division", ID: c, Region: region.Code(c)}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]store.DivisionChange, error) {
		return tx.DivisionChanges(ctx, c, "")
	})
}

// DivisionsOn lists the divisions below reg (its children) as they were
// on day (YYYY-MM-DD), with their names then.
func (a *App) DivisionsOn(ctx context.Context, who auth.Actor, reg, day string) ([]region.Division, error) {
	c, err := parseDivision("region", reg)
	if err != nil {
		return nil, err
	}
	d, err := date.Parse(day)
	if err != nil {
		return nil, apperr.Invalidf("day", "日期无效", "invalid day")
	}
	o := op{name: "division.on", perm: auth.PermReportRead, target: Target{Entity: "division", ID: string(c), Region: c}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]region.Division, error) {
		county := a.tree().County(c)
		if county == "" {
			return a.tree().Children(c), nil
		}
		h, err := a.history(ctx, tx, string(county))
		if err != nil {
			return nil, err
		}
		return h.On(d.String()).Children(c), nil
	})
}

// demoRename records, for the demo, that a village of the demo village's
// township became a community on the first day of this year (村改居): its
// history page shows the change, and the reports of last year keep its
// old name.
func (a *App) demoRename(ctx context.Context, who auth.Actor, village region.Code) error {
	kids := a.tree().Children(village.Parent())
	for i := len(kids) - 1; i >= 0; i-- {
		d := kids[i]
		if d.Code == village || !strings.HasSuffix(d.Name, "村委会") {
			continue
		}
		year := date.Today(a.db.Now()).Year()
		_, err := a.ChangeDivision(ctx, who, DivisionChangeInput{Kind: region.ChangeRename, Code: string(d.Code),
			Name: strings.TrimSuffix(d.Name, "村委会") + "社区居委会", Day: fmt.Sprintf("%d-01-01", year), Basis: "县人民政府关于撤村建居的批复（演示）"})
		return err
	}
	return nil
}
