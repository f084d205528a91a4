package special

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// Rules are the conditions of the register as the rules in force name
// them: the age the mother (or single parent) must have reached in the
// year (the min_age of the special assistance, year-end rule) and the
// worst disability grade that counts (max_grade of the disability tier).
type Rules struct {
	MinAge   int `json:"min_age"`
	MaxGrade int `json:"max_grade"`
}

// Programs are the roll's programs whose holders are special families.
var Programs = []string{policy.ProgramTFDeath, policy.ProgramTFDisability}

// Qualification is why a person heads a special family: the category, the
// child (a reference of the family's facts) and the reason.
type Qualification struct {
	Category string
	Child    string
	Reason   string
}

// Qualify reports whether anchor (a reference of f) heads a special
// family on day on under r: alive; a woman, or a man whose children's
// mother is dead or unknown (a single parent); children born or adopted
// (step-children do not count), all dead, or exactly one, disabled at a
// grade from 1 to r.MaxGrade on day on; and of age: on's year less the
// year of birth at least r.MinAge (the year-end rule).
func Qualify(f *registry.Family, anchor string, on date.Date, r Rules) (Qualification, bool) {
	p := f.Person(anchor)
	if p == nil || !p.AliveOn(on) || p.Birth.IsZero() {
		return Qualification{}, false
	}
	var kids []string
	for _, t := range f.Children {
		if t.Parent == anchor && t.Kind != registry.Step && t.Ruling != registry.RulingNotCounted && !slices.Contains(kids, t.Child) {
			kids = append(kids, t.Child)
		}
	}
	if len(kids) == 0 {
		return Qualification{}, false
	}
	if p.Sex == registry.Male {
		// A father heads the family only when no living mother of his
		// children is known.
		for _, t := range f.Children {
			if t.Parent != anchor && slices.Contains(kids, t.Child) && t.Kind != registry.Step {
				if m := f.Person(t.Parent); m != nil && m.Sex == registry.Female && m.AliveOn(on) {
					return Qualification{}, false
				}
			}
		}
	}
	if on.Year()-p.Birth.Year() < r.MinAge {
		return Qualification{}, false
	}
	var alive []string
	last := ""
	var lastDeath date.Date
	for _, k := range kids {
		c := f.Person(k)
		if c == nil {
			return Qualification{}, false // a child the registry does not hold: nothing can be said
		}
		if c.AliveOn(on) {
			alive = append(alive, k)
		} else if !c.Death.Before(lastDeath) {
			last, lastDeath = k, c.Death
		}
	}
	switch {
	case len(alive) == 0:
		return Qualification{Category: CategoryDied, Child: last, Reason: ReasonChildDied}, true
	case len(kids) == 1:
		for _, d := range f.Disabilities {
			if d.Person == kids[0] && d.Grade >= 1 && d.Grade <= r.MaxGrade && !d.From.After(on) && (d.To.IsZero() || d.To.After(on)) {
				return Qualification{Category: CategoryDisabled, Child: kids[0], Reason: ReasonChildDisabled}, true
			}
		}
	}
	return Qualification{}, false
}

// SweepResult says what a sweep of the register did.
type SweepResult struct {
	// Checked is how many persons were looked at; Added the families put
	// on the register; Changes the changes listed for review; Escalated
	// the overdue requests escalated to the county.
	Checked   int `json:"checked"`
	Added     int `json:"added"`
	Changes   int `json:"changes"`
	Escalated int `json:"escalated"`
}

// requireCare checks the permission of the register.
func requireCare(a auth.Actor) error { return auth.Require(a, auth.PermSpecialCare) }

// requireOffice checks that a is the township or the county (or a level
// above them within the care permission): the register, contacts and the
// review of changes are theirs, not a village's.
func requireOffice(a auth.Actor) error {
	if err := requireCare(a); err != nil {
		return err
	}
	if a.Scope.Level() >= region.Village {
		return apperr.Forbiddenf("此项工作由乡镇或县卫健委办理", "this is the township's or the county's work")
	}
	return nil
}

// villageLevel reports whether a sees families only as their contact.
func villageLevel(a auth.Actor) bool {
	return a.Scope.Level() >= region.Village && a.UserID != 0
}

// Visible returns family id of county when a may see its file: within
// a's scope, and at the village level only as one of its active
// contacts. A family a may not see is refused.
func Visible(ctx context.Context, s Store, a auth.Actor, county string, id int64) (*Family, error) {
	if err := requireCare(a); err != nil {
		return nil, err
	}
	f, err := s.SpecialFamily(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if villageLevel(a) {
		ok, err := s.IsSpecialContact(ctx, county, id, a.UserID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.Forbiddenf("只有该家庭的联系人和乡镇、县卫健委可以查看该家庭的档案",
				"only the family's contacts, the township and the county see the family's file")
		}
	}
	return f, nil
}

// Sweep brings the register of county within a's scope up to the registry
// and the roll on today: it puts on it, with the reason, every family that
// qualifies (Qualify under r) or whose head holds a row of Programs on the
// roll, and lists for review the changes of the families on it; it
// escalates the requests past their deadline. Only the township and the
// county sweep.
func Sweep(ctx context.Context, s Store, a auth.Actor, county string, r Rules) (*SweepResult, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	if r.MinAge <= 0 || r.MaxGrade <= 0 {
		return nil, apperr.Invalidf("rules", "特别扶助规则缺少年龄或残疾等级条件", "the special assistance's rules name no age or disability grade")
	}
	today := date.Today(s.Now())
	res := &SweepResult{}
	cands, err := s.SpecialCandidates(ctx, a.Scope, county, Programs)
	if err != nil {
		return nil, err
	}
	res.Checked = len(cands)
	on, err := s.SpecialFamiliesOf(ctx, county, cands)
	if err != nil {
		return nil, err
	}
	taken := map[int64]bool{}
	for _, f := range on {
		if f.Status == StatusActive {
			taken[f.Anchor], taken[f.Spouse] = true, true
		}
	}
	// The candidates are read a chunk at a time: their facts, with their
	// spouses, children and the children's other parents, and their roll
	// rows, in a few queries per chunk.
	for start := 0; start < len(cands); start += sweepChunk {
		chunk := cands[start:min(start+sweepChunk, len(cands))]
		facts, err := factsAround(ctx, s, county, chunk...)
		if err != nil {
			return nil, err
		}
		rows, err := s.RecipientsOf(ctx, county, chunk)
		if err != nil {
			return nil, err
		}
		byPerson := map[int64][]roll.Recipient{}
		for _, row := range rows {
			byPerson[row.PersonID] = append(byPerson[row.PersonID], row)
		}
		for _, id := range chunk {
			if taken[id] {
				continue
			}
			fam := qualifyIn(facts, id, byPerson[id], today, r)
			if fam == nil || (fam.Spouse != 0 && taken[fam.Spouse]) || !a.CanSee(region.Code(fam.Region)) {
				continue
			}
			fid, err := s.NextIDs(ctx, "special_family", 1)
			if err != nil {
				return nil, err
			}
			now := s.Now()
			fam.County, fam.ID, fam.Since, fam.Status, fam.CreatedBy, fam.Version, fam.CreatedAt, fam.UpdatedAt =
				county, fid, today, StatusActive, a.UserID, 1, now, now
			if err := s.InsertSpecialFamily(ctx, fam); err != nil {
				return nil, err
			}
			taken[fam.Anchor], taken[fam.Spouse] = true, true
			if err := s.Audit(ctx, familyEntry(a, "special.register", fam, nil)); err != nil {
				return nil, err
			}
			res.Added++
		}
	}
	// The changes of the families on the register.
	active, err := s.SpecialFamilies(ctx, a.Scope, county, Query{Status: StatusActive})
	if err != nil {
		return nil, err
	}
	for i := range active {
		n, err := follow(ctx, s, a, &active[i], today, r)
		if err != nil {
			return nil, err
		}
		res.Changes += n
	}
	n, err := escalate(ctx, s, a, county, today)
	if err != nil {
		return nil, err
	}
	res.Escalated = n
	return res, nil
}

// sweepChunk is how many candidates a sweep reads at a time.
const sweepChunk = 300

// qualifyIn returns the family person id heads on day on, from the facts
// f (which hold the person with their relatives) and the person's roll
// rows, or nil.
func qualifyIn(f *registry.Family, id int64, rows []roll.Recipient, on date.Date, r Rules) *Family {
	anchor := strconv.FormatInt(id, 10)
	q, ok := Qualify(f, anchor, on, r)
	source := SourceRegistry
	if !ok {
		// The roll: a holder of a row of the special assistance that has
		// not ended.
		for _, row := range rows {
			if row.Status == roll.StatusExited {
				continue
			}
			switch row.Program {
			case policy.ProgramTFDeath:
				q, ok = Qualification{Category: CategoryDied, Reason: ReasonRollDeath}, true
			case policy.ProgramTFDisability:
				q, ok = Qualification{Category: CategoryDisabled, Reason: ReasonRollDisability}, true
			}
			if ok {
				source = SourceRoll
				break
			}
		}
	}
	p := f.Person(anchor)
	if !ok || p == nil || !p.AliveOn(on) {
		return nil
	}
	fam := &Family{Anchor: id, Region: p.Region, Category: q.Category, Source: source, Reason: q.Reason}
	if q.Child != "" {
		fam.Child, _ = strconv.ParseInt(q.Child, 10, 64)
	}
	fam.Spouse = spouseOf(f, anchor, on)
	return fam
}

// factsAround reads the facts of person id of county with its spouses,
// children and the children's other parents.
func factsAround(ctx context.Context, s Store, county string, ids ...int64) (*registry.Family, error) {
	rel, err := s.Relatives(ctx, county, ids)
	if err != nil {
		return nil, err
	}
	all := append(slices.Clone(ids), rel...)
	slices.Sort(all)
	return s.FamilyFacts(ctx, county, slices.Compact(all))
}

// spouseOf returns the current spouse of anchor on day on, or 0.
func spouseOf(f *registry.Family, anchor string, on date.Date) int64 {
	for _, m := range f.Marriages {
		if m.From.After(on) || (!m.To.IsZero() && !m.To.After(on)) {
			continue
		}
		other := m.B
		if m.B == anchor {
			other = m.A
		} else if m.A != anchor {
			continue
		}
		id, _ := strconv.ParseInt(other, 10, 64)
		return id
	}
	return 0
}

// follow lists for review the changes of family fam found in the
// registry, once each kind; it returns how many it listed.
func follow(ctx context.Context, s Store, a auth.Actor, fam *Family, on date.Date, r Rules) (int, error) {
	ids := []int64{fam.Anchor}
	if fam.Spouse != 0 {
		ids = append(ids, fam.Spouse)
	}
	f, err := factsAround(ctx, s, fam.County, ids...)
	if err != nil {
		return 0, err
	}
	known, err := s.SpecialChanges(ctx, "", fam.County, "", fam.ID)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, c := range known {
		seen[c.Kind] = true
	}
	var found []Change
	add := func(kind, detail string) {
		if !seen[kind] {
			seen[kind] = true
			found = append(found, Change{Kind: kind, Detail: detail})
		}
	}
	for _, id := range ids {
		p := f.Person(strconv.FormatInt(id, 10))
		if p == nil {
			continue
		}
		if !p.Death.IsZero() && !p.Death.After(on) {
			add(ChangeParentDied, p.Name+"于"+p.Death.Chinese()+"死亡")
		}
	}
	if p := f.Person(strconv.FormatInt(fam.Anchor, 10)); p != nil && p.Region != "" && !region.Code(fam.County).Contains(region.Code(p.Region)) {
		add(ChangeMoved, "户籍已迁至"+region.Default().FullName(region.Code(p.Region)))
	}
	anchor := strconv.FormatInt(fam.Anchor, 10)
	for _, t := range f.Children {
		if t.Kind == registry.Step || (t.Parent != anchor && (fam.Spouse == 0 || t.Parent != strconv.FormatInt(fam.Spouse, 10))) {
			continue
		}
		c := f.Person(t.Child)
		if c == nil || strconv.FormatInt(fam.Child, 10) == t.Child {
			continue
		}
		since := c.Birth
		if t.Kind != registry.Birth && !t.From.IsZero() {
			since = t.From
		}
		if !since.Before(fam.Since) && c.AliveOn(on) {
			add(ChangeNewChild, c.Name+"（"+since.Chinese()+"）"+map[bool]string{true: "出生", false: "收养"}[t.Kind == registry.Birth])
		}
	}
	if fam.Source == SourceRegistry && !seen[ChangeParentDied] && !seen[ChangeNewChild] {
		if _, ok := Qualify(f, anchor, on, r); !ok {
			if p := f.Person(anchor); p != nil && p.AliveOn(on) {
				add(ChangeLapsed, "按人口库信息已不符合特殊家庭登记条件")
			}
		}
	}
	now := s.Now()
	for i := range found {
		c := &found[i]
		id, err := s.NextIDs(ctx, "special_change", 1)
		if err != nil {
			return 0, err
		}
		c.County, c.ID, c.FamilyID, c.Region, c.Found, c.Status, c.CreatedAt = fam.County, id, fam.ID, fam.Region, on, ChangePending, now
		if err := s.InsertSpecialChange(ctx, c); err != nil {
			return 0, err
		}
		if err := s.Audit(ctx, audit.Entry{County: c.County, UserID: a.UserID, Username: a.Username, Action: "special.change_found",
			Entity: "special_family", EntityID: strconv.FormatInt(fam.ID, 10), Region: fam.Region, After: audit.JSON(c)}); err != nil {
			return 0, err
		}
	}
	return len(found), nil
}

// NewFamily is a family kept on the register by hand: its head (by ID
// number, or by id), its category and why.
type NewFamily struct {
	IDNumber string `json:"id_number,omitempty"`
	PersonID int64  `json:"person_id,omitempty"`
	Category string `json:"category"`
	Note     string `json:"note"`
}

// Add puts a family on the register of county by hand, with the reason
// in.Note. Only the township and the county add families.
func Add(ctx context.Context, s Store, a auth.Actor, county string, in NewFamily) (*Family, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	var errs apperr.List
	if !Categories.Has(in.Category) {
		errs = append(errs, apperr.Invalidf("category", "请选择家庭类别", "choose the family's category"))
	}
	in.Note = strings.TrimSpace(in.Note)
	if in.Note == "" {
		errs = append(errs, apperr.Invalidf("note", "人工登记须写明原因", "a family kept by hand needs its reason"))
	} else if e := textcheck.Check("note", in.Note, textcheck.Para, MaxText); e != nil {
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var p *registry.Record
	var err error
	if in.PersonID != 0 {
		p, err = s.PersonByKey(ctx, a.Scope, registry.Key{County: county, ID: in.PersonID})
	} else {
		num, perr := idcard.Parse(strings.TrimSpace(in.IDNumber))
		if perr != nil {
			return nil, apperr.Invalidf("id_number", "身份证号码不正确", "the ID number is not valid")
		}
		p, err = s.PersonByIDNumber(ctx, a.Scope, string(num))
	}
	if err != nil {
		return nil, err
	}
	if p.County != county {
		return nil, apperr.Invalidf("id_number", "此人不在本县人口库", "the person is not in this county's registry")
	}
	today := date.Today(s.Now())
	if !p.Death.IsZero() && !p.Death.After(today) {
		return nil, apperr.Invalidf("id_number", "此人已故", "the person has died")
	}
	have, err := s.SpecialFamiliesOf(ctx, county, []int64{p.ID})
	if err != nil {
		return nil, err
	}
	for _, f := range have {
		if f.Status == StatusActive {
			return nil, apperr.Conflictf("该家庭已在册", "the family is already on the register")
		}
	}
	f, err := factsAround(ctx, s, county, p.ID)
	if err != nil {
		return nil, err
	}
	id, err := s.NextIDs(ctx, "special_family", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	fam := &Family{County: county, ID: id, Anchor: p.ID, Spouse: spouseOf(f, p.Ref(), today), Region: p.Region, Category: in.Category,
		Source: SourceManual, Reason: ReasonManual, Note: in.Note, Since: today, Status: StatusActive, CreatedBy: a.UserID, Version: 1,
		CreatedAt: now, UpdatedAt: now}
	if err := s.InsertSpecialFamily(ctx, fam); err != nil {
		return nil, err
	}
	return fam, s.Audit(ctx, familyEntry(a, "special.add", fam, nil))
}

// Close takes family id of county off the register on day on, for
// reason.
func Close(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, on date.Date, reason string) (*Family, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	f, err := s.SpecialFamily(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	return closeFamily(ctx, s, a, f, version, on, reason)
}

func closeFamily(ctx context.Context, s Store, a auth.Actor, f *Family, version int, on date.Date, reason string) (*Family, error) {
	if version != 0 && version != f.Version {
		return nil, apperr.Conflictf("该家庭档案已被他人修改，请刷新后重试", "the family's file was changed by someone else; reload and try again")
	}
	if f.Status != StatusActive {
		return nil, apperr.Conflictf("该家庭已销册", "the family is already off the register")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Invalidf("reason", "请写明销册原因", "say why the family leaves the register")
	}
	if e := textcheck.Check("reason", reason, textcheck.Para, MaxText); e != nil {
		return nil, e
	}
	today := date.Today(s.Now())
	if on.IsZero() || on.After(today) || on.Before(f.Since) {
		return nil, apperr.Invalidf("date", "销册日期应在登记日期与今天之间", "the day must lie between the registration and today")
	}
	before := *f
	f.Status, f.Closed, f.CloseReason = StatusClosed, on, reason
	f.Version++
	f.UpdatedAt = s.Now()
	if err := s.UpdateSpecialFamily(ctx, f); err != nil {
		return nil, err
	}
	return f, s.Audit(ctx, familyEntry(a, "special.close", f, &before))
}

// Review records the review of change id of county: accepted or
// dismissed, with a note; an accepted change with close set takes the
// family off the register on today.
func Review(ctx context.Context, s Store, a auth.Actor, county string, id int64, accept, close bool, note string) (*Change, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	c, err := s.SpecialChange(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if c.Status != ChangePending {
		return nil, apperr.Conflictf("该变动已核实", "the change was already reviewed")
	}
	note = strings.TrimSpace(note)
	if e := textcheck.Check("note", note, textcheck.Para, MaxText); e != nil {
		return nil, e
	}
	if !accept && note == "" {
		return nil, apperr.Invalidf("note", "排除变动须写明理由", "a dismissed change needs its reason")
	}
	today := date.Today(s.Now())
	before := *c
	c.Status, c.Decided, c.DecidedBy, c.Note = ChangeDismissed, today, a.UserID, note
	if accept {
		c.Status = ChangeAccepted
	}
	if err := s.UpdateSpecialChange(ctx, c); err != nil {
		return nil, err
	}
	if err := s.Audit(ctx, audit.Entry{County: c.County, UserID: a.UserID, Username: a.Username, Action: "special.change_review",
		Entity: "special_family", EntityID: strconv.FormatInt(c.FamilyID, 10), Region: c.Region, Before: audit.JSON(before), After: audit.JSON(c)}); err != nil {
		return nil, err
	}
	if accept && close {
		f, err := s.SpecialFamily(ctx, a.Scope, county, c.FamilyID)
		if err != nil {
			return nil, err
		}
		reason := ChangeKinds.Chinese(c.Kind) + "：" + c.Detail
		if note != "" {
			reason += "（" + note + "）"
		}
		if _, err := closeFamily(ctx, s, a, f, 0, today, reason); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Changes lists the changes of county within a's scope with status ("" for
// every status).
func Changes(ctx context.Context, s Store, a auth.Actor, county, status string) ([]Change, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	cs, err := s.SpecialChanges(ctx, a.Scope, county, status, 0)
	if err != nil {
		return nil, err
	}
	fams := map[int64]*Family{}
	for i := range cs {
		f, ok := fams[cs[i].FamilyID]
		if !ok {
			if f, err = s.SpecialFamily(ctx, "", county, cs[i].FamilyID); err != nil {
				return nil, err
			}
			if err := name(ctx, s, f); err != nil {
				return nil, err
			}
			fams[f.ID] = f
		}
		cs[i].Name = f.Name
	}
	return cs, readEntry(ctx, s, a, county, "special.changes", "list")
}

// name fills in f's names and masked ID number.
func name(ctx context.Context, s Store, f *Family) error {
	p, err := s.PersonByKey(ctx, "", registry.Key{County: f.County, ID: f.Anchor})
	if err != nil {
		return err
	}
	f.Name, f.IDMasked = p.Name, idcard.Number(p.IDNumber).Masked()
	if f.Child != 0 {
		c, err := s.PersonByKey(ctx, "", registry.Key{County: f.County, ID: f.Child})
		if err != nil {
			return err
		}
		f.ChildName = c.Name
	}
	return nil
}

// File is a family's file: the family, its members as the registry has
// them (ID numbers masked), its contacts (current and past), visits,
// requests and changes, and the kinds of contact it lacks.
type File struct {
	Family   *Family   `json:"family"`
	Members  []Member  `json:"members"`
	Contacts []Contact `json:"contacts"`
	Missing  []string  `json:"missing"`
	Visits   []Visit   `json:"visits"`
	Requests []Request `json:"requests"`
	Changes  []Change  `json:"changes"`
}

// Member is a person of a family's file.
type Member struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	Relation string    `json:"relation"`
	Sex      string    `json:"sex"`
	Birth    date.Date `json:"birth"`
	Death    date.Date `json:"death,omitempty"`
	IDMasked string    `json:"id_masked,omitempty"`
	Phone    string    `json:"phone,omitempty"`
	Address  string    `json:"address,omitempty"`
}

// Relations of a member to the family's head.
var Relations = map[string]string{"head": "本人", "spouse": "配偶", "child": "子女"}

// Get returns the file of family id of county; the read is audited.
func Get(ctx context.Context, s Store, a auth.Actor, county string, id int64) (*File, error) {
	f, err := Visible(ctx, s, a, county, id)
	if err != nil {
		return nil, err
	}
	if err := name(ctx, s, f); err != nil {
		return nil, err
	}
	out := &File{Family: f}
	members := []struct {
		id  int64
		rel string
	}{{f.Anchor, "head"}}
	if f.Spouse != 0 {
		members = append(members, struct {
			id  int64
			rel string
		}{f.Spouse, "spouse"})
	}
	facts, err := factsAround(ctx, s, county, f.Anchor)
	if err != nil {
		return nil, err
	}
	anchor := strconv.FormatInt(f.Anchor, 10)
	for _, t := range facts.Children {
		if t.Parent == anchor && t.Kind != registry.Step {
			id, _ := strconv.ParseInt(t.Child, 10, 64)
			members = append(members, struct {
				id  int64
				rel string
			}{id, "child"})
		}
	}
	for _, m := range members {
		p, err := s.PersonByKey(ctx, "", registry.Key{County: county, ID: m.id})
		if err != nil {
			return nil, err
		}
		out.Members = append(out.Members, Member{ID: p.ID, Name: p.Name, Relation: m.rel, Sex: p.Sex, Birth: p.Birth, Death: p.Death,
			IDMasked: idcard.Number(p.IDNumber).Masked(), Phone: p.Phone, Address: p.Address})
	}
	if out.Contacts, err = s.SpecialContacts(ctx, county, id); err != nil {
		return nil, err
	}
	kinds, err := RequiredKinds(ctx, s, county)
	if err != nil {
		return nil, err
	}
	out.Missing = missing(kinds, out.Contacts)
	if out.Visits, err = s.SpecialVisits(ctx, county, id); err != nil {
		return nil, err
	}
	if out.Requests, err = s.SpecialRequests(ctx, "", county, id, ""); err != nil {
		return nil, err
	}
	if out.Changes, err = s.SpecialChanges(ctx, "", county, "", id); err != nil {
		return nil, err
	}
	return out, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "special.read",
		Entity: "special_family", EntityID: strconv.FormatInt(id, 10), Region: f.Region})
}

// List returns a page of the families of county within a's scope that q
// selects (at the village level, only those a is a contact of), with
// names and masked ID numbers, and how many q selects. The read is
// audited.
func List(ctx context.Context, s Store, a auth.Actor, county string, q Query) ([]Family, int, error) {
	if err := requireCare(a); err != nil {
		return nil, 0, err
	}
	if villageLevel(a) {
		q.Contact = a.UserID
	}
	if q.Region != "" {
		if _, err := region.ParseCode(q.Region); err != nil {
			return nil, 0, apperr.Invalidf("region", "区划代码不正确", "the division code is not valid")
		}
	}
	fs, err := s.SpecialFamilies(ctx, a.Scope, county, q)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.CountSpecialFamilies(ctx, a.Scope, county, q)
	if err != nil {
		return nil, 0, err
	}
	for i := range fs {
		if err := name(ctx, s, &fs[i]); err != nil {
			return nil, 0, err
		}
	}
	return fs, n, readEntry(ctx, s, a, county, "special.list", "list")
}

// readEntry audits a read of the register that names no one family.
func readEntry(ctx context.Context, s Store, a auth.Actor, county, action, what string) error {
	return s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: action,
		Entity: "special_family", EntityID: what, Region: string(a.Scope)})
}

func familyEntry(a auth.Actor, action string, f *Family, before *Family) audit.Entry {
	e := audit.Entry{County: f.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "special_family",
		EntityID: strconv.FormatInt(f.ID, 10), Region: f.Region, After: audit.JSON(f)}
	if before != nil {
		e.Before = audit.JSON(before)
	}
	return e
}
