package region

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Divisions that change (区划变更, docs/regions.md): a township is merged
// into another, a village is renamed or moved under another township, a
// new division is split from one. The embedded tree is one snapshot; a
// History overlays it with the versions of the divisions a county has
// changed, each valid from one day until another, and with the keys that
// replaced a code by another. Nothing is ever deleted: a retired code
// keeps its versions, and the records that held it are re-keyed once, by
// the keys, to the code that succeeds it.
//
// Days are written YYYY-MM-DD, which orders them as text. A division is
// valid on From and after, until the day before To ("" while in force).
//
// A change of a county-level code itself is out of scope: the county is
// the key that distributes the data (docs/scaling.md).

// Kinds of a change.
const (
	ChangeRename = "rename" // 更名: the name changes, the code stays
	ChangeMerge  = "merge"  // 撤并: merged into another division, which takes its villages and persons
	ChangeMove   = "move"   // 改变隶属: a village moved under another township, with a new code there
	ChangeSplit  = "split"  // 析置: a new division made from part of another
)

// ChangeNames are the Chinese names of the kinds.
var ChangeNames = map[string]string{
	ChangeRename: "更名",
	ChangeMerge:  "撤并",
	ChangeMove:   "改变隶属",
	ChangeSplit:  "析置",
}

// Version is a division as it was from From until the day before To.
type Version struct {
	Code   Code   `json:"code"`
	Name   string `json:"name"`
	Parent Code   `json:"parent"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
}

// On reports whether v is valid on day.
func (v Version) On(day string) bool {
	return v.From <= day && (v.To == "" || day < v.To)
}

// Key is a code replaced by another on Day: the records holding Old hold
// New from then on.
type Key struct {
	Old Code   `json:"old"`
	New Code   `json:"new"`
	Day string `json:"day"`
}

// Base is the tree a History overlays (a *Tree).
type Base interface {
	Lookup(code Code) (Division, bool)
	Children(code Code) []Division
	FullName(code Code) string
}

// History is the division tree of the counties whose changes it holds, on
// any day. It is immutable once built.
type History struct {
	base     Base
	versions map[Code][]Version // by code, in order of From
	keys     []Key
	today    string
}

// NewHistory overlays base with versions and keys. today is the day whose
// divisions the History shows when no day is asked.
func NewHistory(base Base, versions []Version, keys []Key, today string) *History {
	h := &History{base: base, versions: map[Code][]Version{}, keys: slices.Clone(keys), today: today}
	for _, v := range versions {
		h.versions[v.Code] = append(h.versions[v.Code], v)
	}
	for _, vs := range h.versions {
		slices.SortFunc(vs, func(a, b Version) int { return strings.Compare(a.From, b.From) })
	}
	return h
}

// inBase reports whether the base tree itself has code (not a division
// declared by a change, which a Tree's Lookup also finds).
func (h *History) inBase(c Code) bool {
	if t, ok := h.base.(*Tree); ok {
		_, found := t.find(c)
		return found
	}
	_, found := h.base.Lookup(c)
	return found
}

// Changed reports whether any division of h has changed.
func (h *History) Changed() bool { return len(h.versions) > 0 }

// Versions returns the versions of code, oldest first; nil when code never
// changed.
func (h *History) Versions(code Code) []Version { return h.versions[code] }

// Keys returns the keys of h.
func (h *History) Keys() []Key { return h.keys }

// version returns code's version valid on day. A code that never changed
// is valid on every day, as the base tree has it (found false when the
// tree does not know it either, with only the code filled).
func (h *History) version(code Code, day string) (Version, bool) {
	if vs, ok := h.versions[code]; ok {
		for _, v := range vs {
			if v.On(day) {
				return v, true
			}
		}
		return Version{}, false
	}
	if d, ok := h.base.Lookup(code); ok {
		return Version{Code: d.Code, Name: d.Name, Parent: d.Parent}, true
	}
	return Version{Code: code}, false
}

// Valid reports whether code names a division in force on day. A code
// that neither the tree nor h knows is taken as valid (h knows nothing of
// it).
func (h *History) Valid(code Code, day string) bool {
	if _, ok := h.versions[code]; ok {
		_, ok := h.version(code, day)
		return ok
	}
	return true
}

// Resolve returns the code that the records' code stands for on day: a
// code retired before day reads as its successor, a code made after day
// as the code it replaced (when a merger made several codes one, the code
// that survives stands for them all). Codes never changed read as
// themselves.
func (h *History) Resolve(code Code, day string) Code {
	for range 16 { // a chain of changes, never a cycle
		if h.Valid(code, day) {
			return code
		}
		next := Code("")
		for _, k := range h.keys {
			if k.Old == code && k.Day <= day {
				next = k.New // retired: forward
			}
		}
		if next == "" {
			for _, k := range h.keys {
				if k.New == code && k.Day > day {
					next = k.Old // not made yet: back
					break
				}
			}
		}
		if next == "" {
			return code
		}
		code = next
	}
	return code
}

// On returns the divisions as they were on day.
func (h *History) On(day string) *View { return &View{h: h, day: day} }

// FullName is the full name of code today (the tree's Namer).
func (h *History) FullName(code Code) string { return h.On(h.today).FullName(code) }

// Children are code's children today.
func (h *History) Children(code Code) []Division { return h.On(h.today).Children(code) }

// Lookup is the division code today.
func (h *History) Lookup(code Code) (Division, bool) { return h.On(h.today).Lookup(code) }

// View is the division tree on one day.
type View struct {
	h   *History
	day string
}

// Day is the view's day.
func (v *View) Day() string { return v.day }

// Lookup returns the division code as it was on the view's day.
func (v *View) Lookup(code Code) (Division, bool) {
	c, ok := canon(code)
	if !ok || c == "" {
		return Division{}, false
	}
	x, ok := v.h.version(c, v.day)
	if !ok {
		return Division{}, false
	}
	return Division{Code: x.Code, Name: x.Name, Level: x.Code.Level(), Parent: x.Parent}, true
}

// Children returns the divisions directly below code on the view's day,
// in code order.
func (v *View) Children(code Code) []Division {
	var out []Division
	listed := map[Code]bool{}
	for _, d := range v.h.base.Children(code) {
		listed[d.Code] = true
		if x, ok := v.Lookup(d.Code); ok {
			out = append(out, x)
		}
	}
	c, _ := canon(code)
	for k, vs := range v.h.versions {
		if listed[k] {
			continue
		}
		for _, x := range vs {
			if x.Parent == c && x.Name != "" && x.On(v.day) {
				out = append(out, Division{Code: x.Code, Name: x.Name, Level: x.Code.Level(), Parent: x.Parent})
			}
		}
	}
	slices.SortFunc(out, func(a, b Division) int { return strings.Compare(string(a.Code), string(b.Code)) })
	return out
}

// FullName returns the names of code and its ancestors as they were on
// the view's day, as Tree.FullName does ("" for a code not valid then).
func (v *View) FullName(code Code) string {
	c, ok := canon(code)
	if !ok {
		return ""
	}
	if c.Level() <= County {
		return v.h.base.FullName(c)
	}
	x, ok := v.h.version(c, v.day)
	if !ok || x.Name == "" || x.Parent == "" {
		return ""
	}
	return v.FullName(x.Parent) + x.Name
}

// Resolve returns the code the records' code stands for on the view's day
// (History.Resolve).
func (v *View) Resolve(code Code) Code { return v.h.Resolve(code, v.day) }

// Moved reports whether the records of reg's divisions may hold codes
// other than those of the view's day: some code of reg's county was
// re-keyed.
func (v *View) Moved(reg Code) bool {
	p, _ := reg.Prefix()
	if len(p) > 6 {
		p = p[:6]
	}
	for _, k := range v.h.keys {
		if strings.HasPrefix(string(k.Old), p) {
			return true
		}
	}
	return false
}

// FreeCode returns a code for a village moved under township to: its own
// last three digits when no division of to has them (on any day), else
// the first free number from 001. taken lists more codes in use.
func (h *History) FreeCode(village, to Code, taken []Code) (Code, error) {
	p, ok := to.Prefix()
	if !ok || to.Level() != Township {
		return "", fmt.Errorf("%s is not a township", to)
	}
	used := map[Code]bool{}
	for _, c := range taken {
		used[c] = true
	}
	for _, d := range h.base.Children(to) {
		used[d.Code] = true
	}
	for c := range h.versions {
		if to.Contains(c) {
			used[c] = true
		}
	}
	if s := string(village); len(s) == 12 {
		if c := Code(p + s[9:]); !used[c] {
			return c, nil
		}
	}
	for n := 1; n < 1000; n++ {
		if c := Code(fmt.Sprintf("%s%03d", p, n)); !used[c] {
			return c, nil
		}
	}
	return "", fmt.Errorf("township %s has no free village code", to)
}

// declared are the divisions made by recorded changes (codes the embedded
// tree does not have), known to Default().Lookup so that records may hold
// them.
var declared sync.Map // Code → Division

// Declare makes divisions made by recorded changes known to the default
// tree's Lookup and County.
func Declare(ds ...Division) {
	for _, d := range ds {
		declared.Store(d.Code, d)
	}
}

// lookupDeclared finds a division declared by a change.
func lookupDeclared(c Code) (Division, bool) {
	d, ok := declared.Load(c)
	if !ok {
		return Division{}, false
	}
	return d.(Division), true
}

// Plan is what one change writes: the versions it closes (To set) and
// opens, and the keys that re-key the records.
type Plan struct {
	Close []Version `json:"close,omitempty"`
	Open  []Version `json:"open,omitempty"`
	Keys  []Key     `json:"keys,omitempty"`
}

func changeErr(zh, en string, args ...any) *Error {
	return &Error{Code: "change", ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// current returns code's version in force now that is valid on day: a
// change is made to the division as it stands, dated after its last
// change.
func (h *History) current(field string, code Code, day string) (Version, error) {
	c, ok := canon(code)
	if !ok || c.Level() < Township {
		return Version{}, changeErr("%s：只能变更乡级或村级区划，县级及以上区划的变更不在本系统范围内", "%s: only townships and villages change here; a change of a county or above is out of scope", field)
	}
	v, ok := h.version(c, day)
	if !ok || v.Name == "" {
		return Version{}, changeErr("%s：区划 %s 在 %s 不存在或已撤销", "%s: division %s does not exist or was retired on %s", field, c, day)
	}
	if v.To != "" {
		return Version{}, changeErr("%s：区划 %s 在 %s 之后已有变更，请按时间顺序登记", "%s: division %s changed after %s; record changes in order of date", field, c, day)
	}
	if v.From != "" && day <= v.From {
		return Version{}, changeErr("%s：生效日期应晚于上次变更（%s）", "%s: the day must be after the last change (%s)", field, v.From)
	}
	return v, nil
}

func closed(v Version, day string) Version { v.To = day; return v }

// Rename plans renaming code to name from day.
func (h *History) Rename(code Code, name, day string) (Plan, error) {
	v, err := h.current("code", code, day)
	if err != nil {
		return Plan{}, err
	}
	name = strings.TrimSpace(name)
	if name == "" || name == v.Name {
		return Plan{}, changeErr("name：请填写新的名称", "name: give the new name")
	}
	return Plan{Close: []Version{closed(v, day)}, Open: []Version{{Code: v.Code, Name: name, Parent: v.Parent, From: day}}}, nil
}

// Merge plans merging code into into from day: code is retired; a
// township's villages (and inUse, the codes below it the records hold)
// move under into with new codes; a village's records take into's code.
func (h *History) Merge(code, into Code, day string, inUse []Code) (Plan, error) {
	v, err := h.current("code", code, day)
	if err != nil {
		return Plan{}, err
	}
	w, err := h.current("into", into, day)
	if err != nil {
		return Plan{}, err
	}
	if v.Code == w.Code || v.Code.Level() != w.Code.Level() || v.Code[:6] != w.Code[:6] {
		return Plan{}, changeErr("into：只能并入本县同级的另一区划", "into: merge into another division of the same level and county")
	}
	p := Plan{Close: []Version{closed(v, day)}, Keys: []Key{{Old: v.Code, New: w.Code, Day: day}}}
	if v.Code.Level() == Township {
		var taken []Code
		for _, c := range h.movable(v.Code, day, inUse) {
			m, err := h.moveTo(c, w.Code, day, taken)
			if err != nil {
				return Plan{}, err
			}
			taken = append(taken, m.Open[0].Code)
			p.add(m)
		}
	}
	return p, nil
}

// movable lists the villages of township on day and the codes below it
// the records hold, in code order.
func (h *History) movable(township Code, day string, inUse []Code) []Code {
	set := map[Code]bool{}
	for _, d := range h.On(day).Children(township) {
		set[d.Code] = true
	}
	for _, c := range inUse {
		if township.Contains(c) && c.Level() == Village && h.Valid(c, day) {
			set[c] = true
		}
	}
	out := make([]Code, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

func (p *Plan) add(o Plan) {
	p.Close = append(p.Close, o.Close...)
	p.Open = append(p.Open, o.Open...)
	p.Keys = append(p.Keys, o.Keys...)
}

// moveTo plans village c under township to with a new code, avoiding
// taken.
func (h *History) moveTo(c, to Code, day string, taken []Code) (Plan, error) {
	v, ok := h.version(c, day)
	if !ok && v.Code == "" {
		v = Version{Code: c}
	}
	if v.Parent == "" {
		v.Parent = c.Parent()
	}
	n, err := h.FreeCode(c, to, taken)
	if err != nil {
		return Plan{}, changeErr("乡镇 %s 没有可用的村级代码", "township %s has no free village code", to)
	}
	return Plan{Close: []Version{closed(v, day)}, Open: []Version{{Code: n, Name: v.Name, Parent: to, From: day}},
		Keys: []Key{{Old: c, New: n, Day: day}}}, nil
}

// Move plans moving village under township to from day, with a new code
// there.
func (h *History) Move(village, to Code, day string) (Plan, error) {
	v, err := h.current("code", village, day)
	if err != nil {
		return Plan{}, err
	}
	w, err := h.current("to", to, day)
	if err != nil {
		return Plan{}, err
	}
	if v.Code.Level() != Village || w.Code.Level() != Township || v.Code[:6] != w.Code[:6] || v.Parent == w.Code {
		return Plan{}, changeErr("to：村只能改隶本县的另一个乡镇", "to: a village moves under another township of the same county")
	}
	return h.moveTo(v.Code, w.Code, day, nil)
}

// Split plans a new division code named name, made from part of from on
// day: a new township takes the villages listed (each with a new code
// under it); a new village starts empty, its persons moved one by one.
func (h *History) Split(code Code, name string, from Code, day string, villages []Code) (Plan, error) {
	src, err := h.current("from", from, day)
	if err != nil {
		return Plan{}, err
	}
	c, ok := canon(code)
	if !ok || c.Level() != src.Code.Level() || c[:6] != src.Code[:6] {
		return Plan{}, changeErr("code：新区划代码应与原区划同级、同县", "code: the new code must be of the same level and county as the division it is made from")
	}
	if h.inBase(c) || h.versions[c] != nil {
		return Plan{}, changeErr("code：区划代码 %s 已被使用过，不能再用", "code: %s has been used before and cannot be used again", c)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return Plan{}, changeErr("name：请填写新区划的名称", "name: give the new division's name")
	}
	if c.Level() == Village && c.Parent() != src.Parent {
		return Plan{}, changeErr("code：新村应与原村属于同一乡镇", "code: the new village must be in the same township as the one it is made from")
	}
	p := Plan{Open: []Version{{Code: c, Name: name, Parent: src.Parent, From: day}}}
	if len(villages) > 0 && c.Level() != Township {
		return Plan{}, changeErr("villages：只有新设乡镇可以划入村", "villages: only a new township takes villages")
	}
	var taken []Code
	for i, vc := range villages {
		v, err := h.current(fmt.Sprintf("villages[%d]", i+1), vc, day)
		if err != nil {
			return Plan{}, err
		}
		if v.Parent != src.Code {
			return Plan{}, changeErr("villages[%d]：%s 不是 %s 的村", "villages[%d]: %s is not a village of %s", i+1, vc, src.Code)
		}
		m, err := h.moveTo(v.Code, c, day, taken)
		if err != nil {
			return Plan{}, err
		}
		taken = append(taken, m.Open[0].Code)
		p.add(m)
	}
	return p, nil
}
