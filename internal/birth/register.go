package birth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// The longest text each field holds, in characters.
const (
	MaxNumber = registry.MaxNumber
	MaxNote   = registry.MaxReason
	MaxLine   = 100
)

// MaxExpecting is the most children one registration expects.
const MaxExpecting = 9

// NewRegistration is a birth registration as a parent or the village
// specialist gives it. Mother and Father are persons of County's registry
// (0 for a parent who is not in it; one of them is needed); Applicant is
// the parent who applies.
type NewRegistration struct {
	County    string    `json:"county"`
	Mother    int64     `json:"mother_id,omitempty"`
	Father    int64     `json:"father_id,omitempty"`
	Applicant int64     `json:"applicant_id"`
	Expected  date.Date `json:"expected"`
	Expecting int       `json:"expecting,omitempty"`
	// Born are the children of this birth already in the registry, when
	// the registration is made after the birth (补登): they are not
	// counted as elder siblings.
	Born  []int64 `json:"born,omitempty"`
	Phone string  `json:"phone,omitempty"`
	Note  string  `json:"note,omitempty"`
}

// Register records a birth registration. Staff who may write the registry
// register for a parent of their region (counter); a citizen registers for
// themselves, as the mother or the father (online). The parity is worked
// out by the engine's rules from the registry's families of both parents,
// with the re-birth approvals the couple holds, and the registration gets
// the next serial of its county and year and a check code.
func Register(ctx context.Context, s Store, eng Engine, a auth.Actor, in NewRegistration) (*Registration, error) {
	channel := ChannelCounter
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfApply); err != nil {
			return nil, err
		}
		if a.PersonID == 0 || a.PersonCounty == "" {
			return nil, apperr.Forbiddenf("您的账号未关联人口库中的本人记录，请联系村专干", "your account is not linked to your own person; ask the village specialist")
		}
		if in.County != a.PersonCounty || in.Applicant != a.PersonID || (in.Mother != a.PersonID && in.Father != a.PersonID) {
			return nil, apperr.Forbiddenf("只能为本人登记生育", "you may register a birth for yourself only")
		}
		channel = ChannelOnline
	} else if err := auth.Require(a, auth.PermRegistryWrite); err != nil {
		return nil, err
	}
	if in.Mother == 0 && in.Father == 0 {
		return nil, apperr.Invalidf("mother_id", "至少需要父母一方", "at least one parent is needed")
	}
	if in.Applicant == 0 || (in.Applicant != in.Mother && in.Applicant != in.Father) {
		return nil, apperr.Invalidf("applicant_id", "申请人应为父母一方", "the applicant must be one of the parents")
	}
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		scope = "" // the other parent may live in another village
	}
	parents := map[int64]*registry.Record{}
	for _, p := range []struct {
		field, sex string
		id         int64
	}{{"mother_id", registry.Female, in.Mother}, {"father_id", registry.Male, in.Father}} {
		if p.id == 0 {
			continue
		}
		sc := scope
		if p.id == in.Applicant && a.Role != auth.RoleCitizen {
			sc = a.Scope
		}
		r, err := s.PersonByKey(ctx, sc, registry.Key{County: in.County, ID: p.id})
		if err != nil {
			if apperr.KindOf(err) == apperr.NotFound {
				return nil, &apperr.Error{Kind: apperr.NotFound, Field: p.field, ZH: "未找到该人员，或不在您的管辖范围内", EN: "no such person in your scope"}
			}
			return nil, err
		}
		if r.Sex != p.sex {
			return nil, apperr.Invalidf(p.field, "所填人员的性别与登记的父母身份不符", "the person's sex does not fit the parent named")
		}
		if !r.Death.IsZero() {
			return nil, apperr.Invalidf(p.field, "所填人员已登记死亡", "the person is recorded dead")
		}
		parents[p.id] = r
	}
	applicant := parents[in.Applicant]
	if a.Role != auth.RoleCitizen {
		if err := a.CheckScope(region.Code(applicant.Region)); err != nil {
			return nil, err
		}
	}
	now := today(s)
	expecting := in.Expecting
	if expecting == 0 {
		expecting = 1
	}
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if expecting < 1 || expecting > MaxExpecting {
		add(apperr.Invalidf("expecting", "本次生育的子女数应为1–%d", "the children expected must number 1–%d", MaxExpecting))
	}
	switch {
	case in.Expected.IsZero():
		add(apperr.Invalidf("expected", "请填写预产期（已出生的填出生日期）", "give the expected day of the birth (or the day of birth)"))
	case in.Expected.After(now.AddDays(300)):
		add(apperr.Invalidf("expected", "预产期不能晚于今天起300天", "the expected day cannot be more than 300 days ahead"))
	case in.Expected.Before(now.AddMonths(-36)):
		add(apperr.Invalidf("expected", "出生已满3年，不再补办生育登记", "births more than three years ago are not registered late"))
	}
	add(registry.CheckPhone("phone", in.Phone))
	add(textcheck.Check("note", in.Note, textcheck.Para, MaxNote))
	if len(in.Born) > MaxExpecting {
		add(apperr.Invalidf("born", "已出生的子女过多", "too many children born"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	ids := []int64{}
	for _, id := range []int64{in.Mother, in.Father} {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	open, err := s.Registrations(ctx, "", in.County, Query{Person: ids[0], Status: StatusRegistered, Limit: 10})
	if err != nil {
		return nil, err
	}
	if len(open) > 0 {
		return nil, apperr.Conflictf("该父母已有尚未办结的生育登记（编号%s）", "the parents have a registration not closed yet (%s)", open[0].Serial)
	}
	f, err := coupleFamily(ctx, s, in.County, ids...)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.RoleCitizen && len(ids) == 2 && !couple(f, ids[0], ids[1]) {
		// A citizen names as the other parent only their spouse, or the
		// other parent of a child of theirs, as the registry has them.
		field := "father_id"
		if in.Applicant == in.Father {
			field = "mother_id"
		}
		return nil, apperr.Invalidf(field, "人口库中没有此人与您的婚姻或共同子女记录，请到村（居）计生专干处办理",
			"the registry holds no marriage or child of yours with this person: ask the village specialist")
	}
	for i, id := range in.Born {
		ref := strconv.FormatInt(id, 10)
		if !slices.ContainsFunc(f.Children, func(t registry.ParentChild) bool { return t.Child == ref && t.Kind == registry.Birth }) {
			return nil, apperr.Invalidf(fmt.Sprintf("born[%d]", i), "该子女不是登记父母所生", "the child is not a birth child of the parents")
		}
	}
	q := policy.ParityQuery{On: now, Expected: max(expecting, len(in.Born))}
	if in.Mother != 0 {
		q.Mother = strconv.FormatInt(in.Mother, 10)
	}
	if in.Father != 0 {
		q.Father = strconv.FormatInt(in.Father, 10)
	}
	for _, id := range in.Born {
		q.Exclude = append(q.Exclude, strconv.FormatInt(id, 10))
	}
	approvals, err := s.Approvals(ctx, in.County, ids)
	if err != nil {
		return nil, err
	}
	d, err := eng.Parity(in.County, f, q)
	if err != nil {
		return nil, err
	}
	var used *Approval
	if d.Status == policy.ParityApprovalRequired {
		if used = approvalFor(approvals, d.Parity, now); used != nil {
			q.Approval = &policy.ParityApproval{Number: used.Number, Issued: used.Issued, Parity: used.Parity}
			if d, err = eng.Parity(in.County, f, q); err != nil {
				return nil, err
			}
		}
	}
	seq, err := s.NextSerial(ctx, in.County, now.Year())
	if err != nil {
		return nil, err
	}
	id, err := s.NextIDs(ctx, "birth_registration", 1)
	if err != nil {
		return nil, err
	}
	code, err := newCode()
	if err != nil {
		return nil, err
	}
	at := s.Now()
	r := &Registration{County: in.County, ID: id, Serial: Serial(in.County, now.Year(), seq), Code: code, Region: applicant.Region,
		Mother: in.Mother, Father: in.Father, Applicant: in.Applicant, Channel: channel, Registered: now, Expected: in.Expected,
		Expecting: expecting, Parity: d.Parity, Statistical: d.Statistical, PolicyStatus: d.Status, InPolicy: d.InPolicy,
		Decision: d, Status: StatusRegistered, Phone: strings.TrimSpace(in.Phone), Note: strings.TrimSpace(in.Note),
		CreatedBy: a.UserID, Version: 1, CreatedAt: at, UpdatedAt: at}
	if used != nil {
		r.ApprovalID = used.ID
	}
	if err := s.InsertRegistration(ctx, r); err != nil {
		return nil, err
	}
	if err := s.Audit(ctx, entry(a, "birth.register", r, nil, summary(r))); err != nil {
		return nil, err
	}
	if len(in.Born) > 0 {
		// Registered after the birth of children already in the
		// registry: the birth is recorded, and the registration closed.
		born := date.Date{}
		for _, cid := range in.Born {
			c, err := s.PersonByKey(ctx, "", registry.Key{County: in.County, ID: cid})
			if err != nil {
				return nil, err
			}
			if born.IsZero() || c.Birth.Before(born) {
				born = c.Birth
			}
		}
		before := *r
		r.Status, r.Born, r.Children, r.Source = StatusClosed, born, slices.Clone(in.Born), SourceTyped
		if err := save(ctx, s, r); err != nil {
			return nil, err
		}
		if err := s.Audit(ctx, entry(a, "birth.close", r, summary(&before), summary(r))); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// couple reports whether a and b are married (now or once) or have a
// child together in f.
func couple(f *registry.Family, a, b int64) bool {
	ra, rb := strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)
	for _, m := range f.Marriages {
		if m.A == ra && m.B == rb || m.A == rb && m.B == ra {
			return true
		}
	}
	for _, t := range f.Children {
		if t.Parent != ra {
			continue
		}
		for _, u := range f.Children {
			if u.Parent == rb && u.Child == t.Child {
				return true
			}
		}
	}
	return false
}

// approvalFor returns the latest approval allowing child parity, issued
// by day, or nil.
func approvalFor(as []Approval, parity int, day date.Date) *Approval {
	var best *Approval
	for i := range as {
		x := &as[i]
		if x.Parity < parity || x.Issued.After(day) {
			continue
		}
		if best == nil || x.Issued.After(best.Issued) {
			best = x
		}
	}
	return best
}

// coupleFamily returns the families of the given persons of county as
// one: every person, marriage and tie of each, once.
func coupleFamily(ctx context.Context, s Store, county string, ids ...int64) (*registry.Family, error) {
	fs, err := s.Families(ctx, county, ids)
	if err != nil {
		return nil, err
	}
	out := &registry.Family{}
	for _, id := range ids {
		if f := fs.Family(id); f != nil {
			Merge(out, f)
		}
	}
	return out, nil
}

// Merge adds to f the persons, marriages and ties of g that f lacks, and
// the facts of persons it adds.
func Merge(f, g *registry.Family) {
	added := map[string]bool{}
	for _, p := range g.Persons {
		if f.Person(p.Ref) == nil {
			f.Persons = append(f.Persons, p)
			added[p.Ref] = true
		}
	}
	for _, m := range g.Marriages {
		if !slices.ContainsFunc(f.Marriages, func(x registry.Marriage) bool { return x.A == m.A && x.B == m.B && x.From == m.From }) {
			f.Marriages = append(f.Marriages, m)
		}
	}
	for _, t := range g.Children {
		if !slices.ContainsFunc(f.Children, func(x registry.ParentChild) bool {
			return x.Parent == t.Parent && x.Child == t.Child && x.Kind == t.Kind
		}) {
			f.Children = append(f.Children, t)
		}
	}
	for _, x := range g.Disabilities {
		if added[x.Person] {
			f.Disabilities = append(f.Disabilities, x)
		}
	}
	for _, x := range g.Permissions {
		if added[x.Holder] {
			f.Permissions = append(f.Permissions, x)
		}
	}
}

// Get returns registration k. Staff read the registrations of their scope;
// a citizen reads those they are a parent of.
func Get(ctx context.Context, s Store, a auth.Actor, k Key) (*Registration, error) {
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfService); err != nil {
			return nil, err
		}
		scope = ""
	} else if err := auth.Require(a, auth.PermRegistryRead); err != nil {
		return nil, err
	}
	r, err := s.Registration(ctx, scope, k.County, k.ID)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.RoleCitizen && !isParent(a, r) {
		return nil, errNotFound
	}
	return r, nil
}

var errNotFound = apperr.NotFoundf("未找到该生育登记，或不在您的管辖范围内", "no such birth registration in your scope")

// isParent reports whether the citizen a is a parent of r.
func isParent(a auth.Actor, r *Registration) bool {
	return a.PersonCounty == r.County && a.PersonID != 0 && (a.PersonID == r.Mother || a.PersonID == r.Father)
}

// List returns a page of the registrations within the actor's scope that
// q selects, and how many it selects. A citizen lists their own.
func List(ctx context.Context, s Store, a auth.Actor, county string, q Query) ([]Registration, int, error) {
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfService); err != nil {
			return nil, 0, err
		}
		if a.PersonID == 0 {
			return nil, 0, nil
		}
		scope, county, q.Person = "", a.PersonCounty, a.PersonID
	} else if err := auth.Require(a, auth.PermRegistryRead); err != nil {
		return nil, 0, err
	}
	if q.Region != "" {
		c, err := region.ParseCode(q.Region)
		if err != nil {
			return nil, 0, apperr.Invalidf("region", "区划代码%q无效", "region %q is not a division code", q.Region)
		}
		if a.Role != auth.RoleCitizen {
			if err := a.CheckScope(c); err != nil {
				return nil, 0, err
			}
		}
	}
	if q.Status != "" && !Statuses.Has(q.Status) {
		return nil, 0, apperr.OneOf("status", q.Status, Statuses.Codes())
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	rs, err := s.Registrations(ctx, scope, county, q)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.CountRegistrations(ctx, scope, county, q)
	return rs, n, err
}

// NewChild is a child of a birth record: a person to add to the registry
// (Name, Sex and, when issued, IDNumber; the hukou Region and HukouType
// default to the registration's village and the mother's hukou type), or
// Existing, a person of the registry already.
type NewChild struct {
	Name      string `json:"name,omitempty"`
	Sex       string `json:"sex,omitempty"`
	IDNumber  string `json:"id_number,omitempty"`
	Region    string `json:"region,omitempty"`
	HukouType string `json:"hukou_type,omitempty"`
	Existing  int64  `json:"existing_id,omitempty"`
}

// BirthRecord is a hospital birth record (住院分娩、出生医学证明): the day,
// the hospital, the certificate number and the children.
type BirthRecord struct {
	Born          date.Date  `json:"born"`
	Hospital      string     `json:"hospital,omitempty"`
	CertNo        string     `json:"cert_no,omitempty"`
	HospitalBirth bool       `json:"hospital_birth"`
	Source        string     `json:"source,omitempty"`
	Children      []NewChild `json:"children"`
}

// Close records the birth of registration k (a hospital birth record,
// typed in or found by matching) and closes the registration: each child
// is added to the registry (registry.Register) and tied to the parents as
// their birth child (registry.AddChild) with the registration's policy
// status; a child already in the registry is tied where it is not yet.
// The version read must be given.
func Close(ctx context.Context, s Store, a auth.Actor, k Key, version int, b BirthRecord) (*Registration, error) {
	if err := auth.Require(a, auth.PermRegistryWrite); err != nil {
		return nil, err
	}
	r, err := s.Registration(ctx, a.Scope, k.County, k.ID)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusRegistered {
		return nil, &apperr.Error{Kind: apperr.Conflict, ZH: "该生育登记" + Statuses.Chinese(r.Status) + "，不能再录入出生",
			EN: "the registration is " + Statuses.Name(r.Status, "en") + ": no birth can be recorded"}
	}
	if version != 0 && version != r.Version {
		return nil, apperr.Conflictf("该生育登记已被他人修改，请刷新后重试", "the registration was changed by someone else; reload and try again")
	}
	now := today(s)
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	switch {
	case b.Born.IsZero():
		add(apperr.Invalidf("born", "缺少出生日期", "the day of birth is missing"))
	case b.Born.After(now):
		add(apperr.Invalidf("born", "出生日期不能晚于今天", "the day of birth cannot be after today"))
	case b.Born.Before(r.Registered.AddMonths(-36)):
		add(apperr.Invalidf("born", "出生日期早于登记日期3年以上", "the birth is more than three years before the registration"))
	}
	if len(b.Children) == 0 || len(b.Children) > MaxExpecting {
		add(apperr.Invalidf("children", "请填写出生的子女（1–%d名）", "give the children born (1–%d)", MaxExpecting))
	}
	add(textcheck.Check("hospital", b.Hospital, textcheck.Line, MaxLine))
	add(textcheck.Check("cert_no", b.CertNo, textcheck.Line, MaxNumber))
	source := b.Source
	if source == "" {
		source = SourceTyped
	}
	if source != SourceTyped && source != SourceMatching {
		add(apperr.Invalidf("source", "来源应为typed或matching", "source must be typed or matching"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	hukouType := registry.Rural
	parents := []int64{}
	for _, id := range []int64{r.Mother, r.Father} {
		if id == 0 {
			continue
		}
		p, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: id})
		if err != nil {
			return nil, err
		}
		if len(parents) == 0 {
			hukouType = p.HukouType
		}
		parents = append(parents, id)
	}
	inPolicy := r.InPolicy
	before := summary(r)
	var kids []int64
	for i, c := range b.Children {
		field := fmt.Sprintf("children[%d]", i)
		var child registry.Key
		if c.Existing != 0 {
			rec, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: c.Existing})
			if err != nil {
				return nil, &apperr.Error{Kind: apperr.Invalid, Field: field + ".existing_id", ZH: "未找到该子女", EN: "no such child"}
			}
			if rec.Birth != b.Born {
				return nil, apperr.Invalidf(field+".existing_id", "该子女的出生日期与出生记录不符", "the child's birth date differs from the record's")
			}
			child = registry.Key{County: rec.County, ID: rec.ID}
		} else {
			reg := c.Region
			if reg == "" {
				reg = r.Region
			}
			ht := c.HukouType
			if ht == "" {
				ht = hukouType
			}
			rec, err := registry.Register(ctx, s, a, registry.NewPerson{IDNumber: strings.ToUpper(strings.TrimSpace(c.IDNumber)),
				Name: c.Name, Sex: c.Sex, Birth: b.Born, Region: reg, HukouType: ht})
			if err != nil {
				return nil, prefixed(err, field)
			}
			child = registry.Key{County: rec.County, ID: rec.ID}
		}
		have, err := s.Parents(ctx, r.County, child.ID)
		if err != nil {
			return nil, err
		}
		for _, pid := range parents {
			if slices.Contains(have, pid) {
				continue
			}
			t := registry.ParentChild{Kind: registry.Birth, InPolicy: &inPolicy}
			if _, err := registry.AddChild(ctx, s, a, registry.Key{County: r.County, ID: pid}, child, t, b.CertNo); err != nil {
				return nil, prefixed(err, field)
			}
		}
		kids = append(kids, child.ID)
	}
	r.Status, r.Born, r.Hospital, r.CertNo, r.HospitalBirth, r.Source, r.Children =
		StatusClosed, b.Born, strings.TrimSpace(b.Hospital), strings.TrimSpace(b.CertNo), b.HospitalBirth, source, kids
	if err := save(ctx, s, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, entry(a, "birth.close", r, before, summary(r)))
}

// prefixed names err's field within field (children[0].name).
func prefixed(err error, field string) error {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
		c := *e
		if c.Field == "" {
			c.Field = field
		} else {
			c.Field = field + "." + c.Field
		}
		return &c
	}
	return err
}

// Cancel cancels registration k for reason (one of CancelReasons; a note
// is needed for CancelOther). Staff who may write the registry cancel
// registrations of their scope; a citizen cancels a registration they
// applied for. Only a registration not yet closed can be cancelled.
func Cancel(ctx context.Context, s Store, a auth.Actor, k Key, version int, reason, note string) (*Registration, error) {
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfApply); err != nil {
			return nil, err
		}
		scope = ""
	} else if err := auth.Require(a, auth.PermRegistryWrite); err != nil {
		return nil, err
	}
	r, err := s.Registration(ctx, scope, k.County, k.ID)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.RoleCitizen && !(a.PersonCounty == r.County && a.PersonID == r.Applicant) {
		if isParent(a, r) {
			return nil, apperr.Forbiddenf("只有提出登记的一方可以注销", "only the parent who applied may cancel the registration")
		}
		return nil, errNotFound
	}
	if r.Status != StatusRegistered {
		return nil, &apperr.Error{Kind: apperr.Conflict, ZH: "该生育登记" + Statuses.Chinese(r.Status) + "，不能注销",
			EN: "the registration is " + Statuses.Name(r.Status, "en") + " and cannot be cancelled"}
	}
	if version != 0 && version != r.Version {
		return nil, apperr.Conflictf("该生育登记已被他人修改，请刷新后重试", "the registration was changed by someone else; reload and try again")
	}
	if err := apperr.OneOf("reason", reason, CancelReasons.Codes()); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if reason == CancelOther && note == "" {
		return nil, apperr.Invalidf("note", "请说明注销原因", "say why the registration is cancelled")
	}
	if e := textcheck.Check("note", note, textcheck.Para, MaxNote); e != nil {
		return nil, e
	}
	before := summary(r)
	r.Status, r.CancelReason, r.CancelNote, r.Cancelled = StatusCancelled, reason, note, today(s)
	if err := save(ctx, s, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, entry(a, "birth.cancel", r, before, summary(r)))
}

func save(ctx context.Context, s Store, r *Registration) error {
	r.Version++
	r.UpdatedAt = s.Now()
	return s.UpdateRegistration(ctx, r)
}

// entry is the audit entry of action on r.
func entry(a auth.Actor, action string, r *Registration, before, after any) audit.Entry {
	return audit.Entry{County: r.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "birth_registration",
		EntityID: strconv.FormatInt(r.ID, 10), Region: r.Region, Before: audit.JSON(before), After: audit.JSON(after)}
}

// summary is what the audit log keeps of r: not the clauses, which the
// registration keeps itself.
func summary(r *Registration) map[string]any {
	m := map[string]any{"serial": r.Serial, "status": r.Status, "mother": r.Mother, "father": r.Father, "applicant": r.Applicant,
		"channel": r.Channel, "expected": r.Expected, "expecting": r.Expecting, "parity": r.Parity, "statistical": r.Statistical,
		"policy_status": r.PolicyStatus, "in_policy": r.InPolicy}
	if r.ApprovalID != 0 {
		m["approval"] = r.ApprovalID
	}
	if r.Status == StatusClosed {
		m["born"], m["children"], m["hospital"], m["cert_no"], m["source"] = r.Born, r.Children, r.Hospital, r.CertNo, r.Source
	}
	if r.Status == StatusCancelled {
		m["cancel_reason"], m["cancel_note"] = r.CancelReason, r.CancelNote
	}
	return m
}

// Serial returns the slip number of the seq-th registration of county in
// year: 341523-2025-000123.
func Serial(county string, year, seq int) string {
	return fmt.Sprintf("%s-%04d-%06d", county, year, seq)
}

// codeAlphabet has no 0/O, 1/I/L: a code is read off paper.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLen is the length of a slip's check code.
const CodeLen = 8

// newCode returns a random check code.
func newCode() (string, error) {
	b := make([]byte, CodeLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b), nil
}

// NewCode returns a random check code, for loaders that write
// registrations in bulk.
func NewCode() (string, error) { return newCode() }

// Verification is what the public verification of a slip shows: the
// number, the parity, the day of the registration and the parents' names
// masked.
type Verification struct {
	Serial     string    `json:"serial"`
	Parity     int       `json:"parity"`
	Registered date.Date `json:"registered"`
	Mother     string    `json:"mother,omitempty"`
	Father     string    `json:"father,omitempty"`
}

// Verify answers the public verification of the slip with serial and
// check code: a slip that is not valid (no such number, a wrong code, a
// cancelled registration) is not found, whichever it is. No one signs in
// for it.
func Verify(ctx context.Context, s Store, serial, code string) (*Verification, error) {
	serial, code = strings.TrimSpace(serial), strings.ToUpper(strings.TrimSpace(code))
	notFound := apperr.NotFoundf("没有与该编号和校验码相符的有效生育登记服务单", "no valid birth registration slip has this number and check code")
	if len(serial) > 32 || len(code) != CodeLen {
		return nil, notFound
	}
	r, err := s.RegistrationBySerial(ctx, serial)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(r.Code), []byte(code)) != 1 || r.Status == StatusCancelled {
		return nil, notFound
	}
	v := &Verification{Serial: r.Serial, Parity: r.Parity, Registered: r.Registered}
	for _, p := range []struct {
		id  int64
		out *string
	}{{r.Mother, &v.Mother}, {r.Father, &v.Father}} {
		if p.id == 0 {
			continue
		}
		rec, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: p.id})
		if err != nil {
			return nil, err
		}
		*p.out = MaskName(rec.Name)
	}
	return v, nil
}

// MaskName keeps a name's first character and hides the rest: 王秀英 →
// 王**.
func MaskName(name string) string {
	rs := []rune(strings.TrimSpace(name))
	if len(rs) == 0 {
		return ""
	}
	if len(rs) == 1 {
		return string(rs) + "*"
	}
	return string(rs[0]) + strings.Repeat("*", len(rs)-1)
}
