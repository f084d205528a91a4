package registry

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// Record is a person as the registry stores them.
type Record struct {
	County      string    `json:"county"`
	ID          int64     `json:"id"`
	IDNumber    string    `json:"id_number"`
	Name        string    `json:"name"`
	Sex         string    `json:"sex"`
	Birth       date.Date `json:"birth"`
	Death       date.Date `json:"death"`
	DeathSource string    `json:"death_source,omitempty"`
	Region      string    `json:"region"`
	HukouType   string    `json:"hukou_type"`
	Pension     string    `json:"pension"`
	Marital     string    `json:"marital,omitempty"`
	Ethnic      string    `json:"ethnic,omitempty"`
	Address     string    `json:"address,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Ref returns the reference rules use for this person: the decimal id.
func (r *Record) Ref() string { return strconv.FormatInt(r.ID, 10) }

// Key identifies a person: county and id.
type Key struct {
	County string
	ID     int64
}

// Query selects persons for a search. Empty fields match anything.
type Query struct {
	IDNumber string // exact
	Name     string // prefix
	Region   string // subtree
	Alive    bool   // only the living
	Who      Who    // what was typed into the search box (ParseWho)
	// Sort is one of SortKeys ("" for SortName); Desc reverses the order.
	// Rows that tie on the key follow county and id, so pages are stable.
	Sort   string
	Desc   bool
	Limit  int
	Offset int
}

// The keys a person search may be sorted by.
const (
	SortName     = "name"
	SortBirth    = "birth"
	SortIDNumber = "id_number" // persons without a number come first
	SortRegion   = "region"
)

// SortKeys lists the sort keys of a search; the first is the default.
var SortKeys = []string{SortName, SortBirth, SortIDNumber, SortRegion}

// CountCap bounds the counting of a list's matches: a list reports at
// most CountCap+1 matches, which means "more than CountCap". Counting every
// person of a city would cost more than the page itself, and nobody pages
// through ten thousand rows.
const CountCap = 10000

// SearchCountAhead bounds the counting of the matches of a search by
// name, initials or the end of an ID number: past the rows before the
// page, ten pages of twenty (ten pages of the page's own size when larger,
// so that the count never stops short of the rows a page returns). Past
// that the answer is that the text is too short (two initials or a common
// name are shared by tens of thousands in a county of ten million, and
// counting them would cost several times the page), yet every page stays
// within reach: each page counts ten pages past its own first row, so the
// pager always leads further.
const SearchCountAhead = 200

// CountCap returns how far the matches of q are counted: its offset and
// SearchCountAhead more (or ten of its pages) for a search by a person's
// name, initials or the end of an ID number, CountCap for any other.
func (q Query) CountCap() int {
	if q.Name != "" || q.Who.Kind != WhoAny {
		return max(q.Offset, 0) + max(SearchCountAhead, 10*q.Limit)
	}
	return CountCap
}

// Store is what the registry needs from storage. Every read takes the
// actor's scope and must return NotFound for a person outside it.
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error

	PersonByKey(ctx context.Context, scope region.Code, k Key) (*Record, error)
	PersonByIDNumber(ctx context.Context, scope region.Code, idNumber string) (*Record, error)
	// IDNumberTaken reports whether any person anywhere has the number.
	IDNumberTaken(ctx context.Context, idNumber string) (bool, error)
	FindPersons(ctx context.Context, scope region.Code, q Query) ([]Record, int, error)
	InsertPerson(ctx context.Context, r *Record) error
	// UpdatePerson writes r if the stored version is r.Version-1; else Conflict.
	UpdatePerson(ctx context.Context, r *Record) error

	// FamilyFacts loads the facts about the given persons of one county:
	// their records, hukou spells, marriages and ties touching them,
	// disabilities, certificates, complications and retirements.
	FamilyFacts(ctx context.Context, county string, ids []int64) (*Family, error)
	// Families reads the families (see Families) of the given persons of
	// one county: the one reader of families, which batch evaluation uses
	// too.
	Families(ctx context.Context, county string, ids []int64) (*Families, error)
	// Relatives returns the ids of spouses (by any marriage) and of
	// children (by any tie) of the given persons, and the other parents of
	// those children.
	Relatives(ctx context.Context, county string, ids []int64) ([]int64, error)
	// Parents returns the ids of every parent (any kind) of child.
	Parents(ctx context.Context, county string, child int64) ([]int64, error)

	InsertHukouSpell(ctx context.Context, county string, personID int64, h HukouSpell) error
	CloseHukouSpell(ctx context.Context, county string, personID int64, to date.Date) error
	InsertMarriage(ctx context.Context, county string, aID, bID int64, m Marriage, certNo string) (int64, error)
	MarriageByID(ctx context.Context, county string, id int64) (Marriage, error)
	EndMarriage(ctx context.Context, county string, id int64, to date.Date, reason string) error
	EndMarriagesByDeath(ctx context.Context, county string, personID int64, d date.Date) error
	InsertTie(ctx context.Context, county string, parentID, childID int64, t ParentChild, regNo string) (int64, error)
	InsertDisability(ctx context.Context, county string, personID int64, d Disability, certNo string) (int64, error)
	InsertCertificate(ctx context.Context, county string, holderID int64, c Certificate) (int64, error)
	CancelCertificate(ctx context.Context, county string, holderID, id int64, on date.Date, reason string) error
	InsertComplication(ctx context.Context, county string, personID int64, c Complication, document string) (int64, error)
	InsertRetirement(ctx context.Context, county string, personID int64, r Retirement) (int64, error)
	InsertContraception(ctx context.Context, county string, personID int64, c Contraception, document string) (int64, error)
	InsertBirthPermission(ctx context.Context, county string, holderID int64, p BirthPermission) (int64, error)
	InsertPension(ctx context.Context, county string, personID int64, p Pension) (int64, error)
	InsertAdmission(ctx context.Context, county string, personID int64, a Admission) (int64, error)
	// SetTieRuling records ruling on the de-facto adoption ties of child
	// and returns how many ties it changed.
	SetTieRuling(ctx context.Context, county string, childID int64, ruling string) (int, error)
}

// NewPerson is the input to Register.
type NewPerson struct {
	IDNumber  string    `json:"id_number"`
	Name      string    `json:"name"`
	Sex       string    `json:"sex"`
	Birth     date.Date `json:"birth"`
	Region    string    `json:"region"` // 12-digit village (or township) code of the hukou
	HukouType string    `json:"hukou_type"`
	Pension   string    `json:"pension"`
	Ethnic    string    `json:"ethnic"`
	Address   string    `json:"address"`
	Phone     string    `json:"phone"`
}

// today is the Beijing calendar day of the store's clock: a county
// office's "today".
func today(s Store) date.Date { return date.Today(s.Now()) }

// checkName checks a person's name (trimmed): present, and a name as
// textcheck.Name says, of at most MaxName characters.
func checkName(field, name string) *apperr.Error {
	name = strings.TrimSpace(name)
	if name == "" {
		return apperr.Invalidf(field, "缺少姓名", "name is missing")
	}
	if e := textcheck.Check(field, name, textcheck.Name, MaxName); e != nil {
		e.ZH, e.EN = "姓名"+e.ZH, "the name "+e.EN
		return e
	}
	return nil
}

// checkDetails checks the descriptive fields of a person: the ethnic
// group and the address (one line each) and the phone numbers.
func checkDetails(ethnic, address, phone string) apperr.List {
	var errs apperr.List
	for _, e := range []*apperr.Error{checkLine("ethnic", ethnic, MaxEthnic), checkLine("address", address, MaxAddress), CheckPhone("phone", phone)} {
		if e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

// checkRegion checks that code is a known township or village inside the
// actor's scope, and returns it with its county.
func checkRegion(field, code string, a auth.Actor) (region.Code, string, error) {
	c, err := region.ParseCode(code)
	if err != nil {
		e := apperr.Invalidf(field, "%s", "%s", err.Error())
		if re, ok := err.(*region.Error); ok {
			e.ZH = re.ZH
		}
		return "", "", e
	}
	if c.Level() < region.Township {
		return "", "", apperr.Invalidf(field, "户籍地应为乡镇或村（居）级区划代码", "the hukou region must be a township or village code")
	}
	if _, ok := region.Default().Lookup(c); !ok {
		return "", "", apperr.Invalidf(field, "区划代码 %s 不存在", "region %s does not exist", c)
	}
	if err := a.CheckScope(c); err != nil {
		return "", "", err
	}
	return c, string(region.Default().County(c)), nil
}

// checkWriter refuses actors whose role may not change the registry; the
// permission table in auth is the only place that says which roles may.
func checkWriter(a auth.Actor) error {
	return auth.Require(a, auth.PermRegistryWrite)
}

func (r *Record) person() Person {
	return Person{Ref: r.Ref(), IDNumber: r.IDNumber, Name: r.Name, Sex: r.Sex, Birth: r.Birth, Death: r.Death, Pension: r.Pension, Region: r.Region}
}

func entry(a auth.Actor, action string, r *Record, before, after any) audit.Entry {
	return audit.Entry{County: r.County, UserID: a.UserID, Username: a.Username, Action: action,
		Entity: "person", EntityID: r.Ref(), Region: r.Region, Before: audit.JSON(before), After: audit.JSON(after)}
}

// Register adds a person to the registry with an opening hukou spell.
func Register(ctx context.Context, s Store, a auth.Actor, in NewPerson) (*Record, error) {
	r, h, err := prepare(s, a, in)
	if err != nil {
		return nil, err
	}
	if r.IDNumber != "" {
		taken, err := s.IDNumberTaken(ctx, r.IDNumber)
		if err != nil {
			return nil, err
		}
		if taken {
			return nil, &apperr.Error{Kind: apperr.Conflict, Field: "id_number", ZH: "该身份证号已登记", EN: "this ID number is already registered"}
		}
	}
	if r.ID, err = s.NextIDs(ctx, "person", 1); err != nil {
		return nil, err
	}
	if err := s.InsertPerson(ctx, r); err != nil {
		return nil, err
	}
	if err := s.InsertHukouSpell(ctx, r.County, r.ID, h); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, entry(a, "person.create", r, nil, r))
}

// prepare checks in and returns the record Register writes (without its
// id) and its opening hukou spell.
func prepare(s Store, a auth.Actor, in NewPerson) (*Record, HukouSpell, error) {
	if err := checkWriter(a); err != nil {
		return nil, HukouSpell{}, err
	}
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	add(checkName("name", in.Name))
	add(checkSex("sex", in.Sex))
	add(checkLife("", in.Birth, date.Date{}, today(s)))
	add(checkHukouType("hukou_type", in.HukouType))
	add(checkPension("pension", in.Pension))
	idn, e := checkIDNumber("id_number", in.IDNumber, in.Birth, in.Sex)
	add(e)
	errs = append(errs, checkDetails(in.Ethnic, in.Address, in.Phone)...)
	if len(errs) > 0 {
		for _, e := range errs {
			e.Field = strings.TrimPrefix(e.Field, ".")
		}
		return nil, HukouSpell{}, errs
	}
	reg, county, err := checkRegion("region", in.Region, a)
	if err != nil {
		return nil, HukouSpell{}, err
	}
	pension := in.Pension
	if pension == "" {
		pension = PensionNone
	}
	now := s.Now()
	r := &Record{County: county, IDNumber: idn, Name: strings.TrimSpace(in.Name), Sex: in.Sex, Birth: in.Birth,
		Region: string(reg), HukouType: in.HukouType, Pension: pension, Ethnic: in.Ethnic, Address: in.Address,
		Phone: in.Phone, Version: 1, CreatedAt: now, UpdatedAt: now}
	return r, HukouSpell{Type: in.HukouType, From: in.Birth, Region: string(reg)}, nil
}

// Get returns the person k if the actor may see them.
func Get(ctx context.Context, s Store, a auth.Actor, k Key) (*Record, error) {
	return s.PersonByKey(ctx, a.Scope, k)
}

// Search finds persons in the actor's scope.
func Search(ctx context.Context, s Store, a auth.Actor, q Query) ([]Record, int, error) {
	if q.IDNumber != "" {
		q.IDNumber = strings.ToUpper(strings.TrimSpace(q.IDNumber))
	}
	if q.Region != "" {
		c, err := region.ParseCode(q.Region)
		if err != nil {
			return nil, 0, apperr.Invalidf("region", "区划代码无效", "invalid region code")
		}
		if err := a.CheckScope(c); err != nil {
			return nil, 0, err
		}
	}
	if q.Sort == "" {
		q.Sort = SortName
	}
	if err := apperr.OneOf("sort", q.Sort, SortKeys); err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	return s.FindPersons(ctx, a.Scope, q)
}

// Patch changes a person's descriptive fields. Nil fields stay as they are.
// Version must be the version the caller read (optimistic locking).
type Patch struct {
	Version int     `json:"version"`
	Name    *string `json:"name,omitempty"`
	Pension *string `json:"pension,omitempty"`
	Ethnic  *string `json:"ethnic,omitempty"`
	Address *string `json:"address,omitempty"`
	Phone   *string `json:"phone,omitempty"`
	Marital *string `json:"marital,omitempty"`
}

// Update applies p to the person k.
func Update(ctx context.Context, s Store, a auth.Actor, k Key, p Patch) (*Record, error) {
	if err := checkWriter(a); err != nil {
		return nil, err
	}
	r, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	if p.Version != r.Version {
		return nil, apperr.Conflictf("该人员信息已被他人修改，请刷新后重试", "the person was changed by someone else; reload and try again")
	}
	before := *r
	if p.Name != nil {
		if e := checkName("name", *p.Name); e != nil {
			return nil, e
		}
		r.Name = strings.TrimSpace(*p.Name)
	}
	if p.Pension != nil {
		if e := checkPension("pension", *p.Pension); e != nil {
			return nil, e
		}
		r.Pension = *p.Pension
	}
	// Only the fields that change are checked: a record kept from before
	// the checks can still be edited, a form sending back a value as it
	// was stored included.
	var errs apperr.List
	for _, f := range []struct {
		field string
		v     *string
		dst   *string
	}{{"ethnic", p.Ethnic, &r.Ethnic}, {"address", p.Address, &r.Address}, {"phone", p.Phone, &r.Phone}, {"marital", p.Marital, &r.Marital}} {
		if f.v == nil || *f.v == *f.dst {
			continue
		}
		var e *apperr.Error
		switch f.field {
		case "ethnic":
			e = checkLine(f.field, *f.v, MaxEthnic)
		case "address":
			e = checkLine(f.field, *f.v, MaxAddress)
		case "phone":
			e = CheckPhone(f.field, *f.v)
		default:
			e = checkLine(f.field, *f.v, 10)
		}
		if e != nil {
			errs = append(errs, e)
		}
		*f.dst = *f.v
	}
	switch len(errs) {
	case 0:
	case 1:
		return nil, errs[0]
	default:
		return nil, errs
	}
	r.Version++
	r.UpdatedAt = s.Now()
	if err := s.UpdatePerson(ctx, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, entry(a, "person.update", r, before, r))
}

// RecordDeath records the death of person k on day d; open marriages end
// by death on that day.
func RecordDeath(ctx context.Context, s Store, a auth.Actor, k Key, d date.Date, source string) (*Record, error) {
	if err := checkWriter(a); err != nil {
		return nil, err
	}
	r, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	if !r.Death.IsZero() {
		return nil, apperr.Conflictf("已登记死亡（%s）", "death already recorded (%s)", r.Death)
	}
	if e := checkLife("", r.Birth, d, today(s)); e != nil {
		e.Field = "death"
		return nil, e
	}
	if e := checkLine("source", source, MaxNumber); e != nil {
		return nil, e
	}
	before := *r
	r.Death, r.DeathSource = d, source
	r.Version++
	r.UpdatedAt = s.Now()
	if err := s.UpdatePerson(ctx, r); err != nil {
		return nil, err
	}
	if err := s.EndMarriagesByDeath(ctx, r.County, r.ID, d); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, entry(a, "person.death", r, before, r))
}

// HukouChange moves a person to a new hukou type and/or region from a date.
type HukouChange struct {
	Type   string    `json:"type"`
	From   date.Date `json:"from"`
	Reason string    `json:"reason"`
	Region string    `json:"region"`
}

// ChangeHukou closes the current hukou spell the day before c.From and
// opens a new one. A move to another county is refused: it is a transfer
// between registries.
func ChangeHukou(ctx context.Context, s Store, a auth.Actor, k Key, c HukouChange) (*Record, error) {
	if err := checkWriter(a); err != nil {
		return nil, err
	}
	r, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	if e := checkHukouType("type", c.Type); e != nil {
		return nil, e
	}
	if e := checkLine("reason", c.Reason, MaxReason); e != nil {
		return nil, e
	}
	if c.From.IsZero() || c.From.Before(r.Birth) || c.From.After(today(s)) {
		return nil, apperr.Invalidf("from", "变更日期应在出生日期与今天之间", "the change date must lie between the birth date and today")
	}
	reg := r.Region
	if c.Region != "" {
		rc, county, err := checkRegion("region", c.Region, a)
		if err != nil {
			return nil, err
		}
		if county != r.County {
			return nil, apperr.Invalidf("region", "跨县迁移须办理迁出、迁入手续", "a move to another county is a transfer out and in")
		}
		reg = string(rc)
	}
	before := *r
	if err := s.CloseHukouSpell(ctx, r.County, r.ID, c.From.AddDays(-1)); err != nil {
		return nil, err
	}
	if err := s.InsertHukouSpell(ctx, r.County, r.ID, HukouSpell{Type: c.Type, From: c.From, Reason: c.Reason, Region: reg}); err != nil {
		return nil, err
	}
	r.HukouType, r.Region = c.Type, reg
	r.Version++
	r.UpdatedAt = s.Now()
	if err := s.UpdatePerson(ctx, r); err != nil {
		return nil, err
	}
	return r, s.Audit(ctx, entry(a, "person.hukou", r, before, c))
}

// family loads the given persons of one county as a Family.
func family(ctx context.Context, s Store, county string, ids ...int64) (*Family, error) {
	return s.FamilyFacts(ctx, county, ids)
}

// AddMarriage records a marriage between a and b.
func AddMarriage(ctx context.Context, s Store, act auth.Actor, a, b Key, m Marriage, certNo string) (int64, error) {
	if err := checkWriter(act); err != nil {
		return 0, err
	}
	ra, err := s.PersonByKey(ctx, act.Scope, a)
	if err != nil {
		return 0, err
	}
	rb, err := s.PersonByKey(ctx, act.Scope, b)
	if err != nil {
		return 0, err
	}
	if ra.County != rb.County {
		return 0, apperr.Invalidf("b", "双方须在同一县登记", "both spouses must be registered in the same county")
	}
	m.A, m.B = ra.Ref(), rb.Ref()
	pa, pb := ra.person(), rb.person()
	if e := checkMarriage("marriage", &pa, &pb, m); e != nil {
		return 0, e
	}
	if e := checkNotAfter("marriage.from", m.From, today(s)); e != nil {
		return 0, e
	}
	if e := checkLine("cert_no", certNo, MaxNumber); e != nil {
		return 0, e
	}
	rel, err := s.Relatives(ctx, ra.County, []int64{ra.ID, rb.ID})
	if err != nil {
		return 0, err
	}
	f, err := family(ctx, s, ra.County, mergeIDs([]int64{ra.ID, rb.ID}, rel)...)
	if err != nil {
		return 0, err
	}
	for _, n := range f.Marriages {
		if overlaps(m, n) {
			return 0, apperr.Invalidf("marriage.from", "一方在 %s 时已有婚姻（重婚）", "one of them was married on %s (bigamy)", m.From)
		}
	}
	id, err := s.InsertMarriage(ctx, ra.County, ra.ID, rb.ID, m, certNo)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, audit.Entry{County: ra.County, UserID: act.UserID, Username: act.Username, Action: "marriage.create",
		Entity: "marriage", EntityID: strconv.FormatInt(id, 10), Region: ra.Region, After: audit.JSON(m)})
}

// EndMarriage records the end of marriage id by divorce or death.
func EndMarriage(ctx context.Context, s Store, act auth.Actor, county string, id int64, to date.Date, reason string) error {
	if err := checkWriter(act); err != nil {
		return err
	}
	m, err := s.MarriageByID(ctx, county, id)
	if err != nil {
		return err
	}
	aID, _ := strconv.ParseInt(m.A, 10, 64)
	ra, err := s.PersonByKey(ctx, act.Scope, Key{county, aID})
	if err != nil {
		return err
	}
	if !m.To.IsZero() {
		return apperr.Conflictf("该婚姻已于 %s 终止", "the marriage already ended on %s", m.To)
	}
	before := m
	m.To, m.End = to, reason
	if e := checkMarriage("marriage", nil, nil, m); e != nil {
		return e
	}
	if to.After(today(s)) {
		return apperr.Invalidf("marriage.to", "终止日期晚于今天", "the end date is in the future")
	}
	if err := s.EndMarriage(ctx, county, id, to, reason); err != nil {
		return err
	}
	return s.Audit(ctx, audit.Entry{County: county, UserID: act.UserID, Username: act.Username, Action: "marriage.end",
		Entity: "marriage", EntityID: strconv.FormatInt(id, 10), Region: ra.Region, Before: audit.JSON(before), After: audit.JSON(m)})
}

// AddChild records a parent–child tie.
func AddChild(ctx context.Context, s Store, act auth.Actor, parent, child Key, t ParentChild, regNo string) (int64, error) {
	if err := checkWriter(act); err != nil {
		return 0, err
	}
	rp, err := s.PersonByKey(ctx, act.Scope, parent)
	if err != nil {
		return 0, err
	}
	rc, err := s.PersonByKey(ctx, act.Scope, child)
	if err != nil {
		return 0, err
	}
	if rp.County != rc.County {
		return 0, apperr.Invalidf("child", "父母与子女须在同一县登记", "parent and child must be registered in the same county")
	}
	t.Parent, t.Child = rp.Ref(), rc.Ref()
	pp, pc := rp.person(), rc.person()
	if e := checkTie("tie", &pp, &pc, t); e != nil {
		return 0, e
	}
	if e := checkNotAfter("tie.from", t.From, today(s)); e != nil {
		return 0, e
	}
	if e := checkLine("reg_no", regNo, MaxNumber); e != nil {
		return 0, e
	}
	parents, err := s.Parents(ctx, rc.County, rc.ID)
	if err != nil {
		return 0, err
	}
	f, err := family(ctx, s, rc.County, append(parents, rc.ID)...)
	if err != nil {
		return 0, err
	}
	for _, o := range f.Children {
		if o.Child != t.Child {
			continue
		}
		if o.Parent == t.Parent {
			return 0, apperr.Conflictf("该亲子关系已登记", "this tie is already recorded")
		}
		if t.Kind == Birth && o.Kind == Birth {
			if op := f.Person(o.Parent); op != nil && op.Sex == rp.Sex {
				return 0, &apperr.Error{Kind: apperr.Invalid, Field: "tie.parent",
					ZH: "该子女已登记亲生" + map[string]string{Male: "父亲", Female: "母亲"}[rp.Sex],
					EN: "the child already has a birth " + map[string]string{Male: "father", Female: "mother"}[rp.Sex]}
			}
		}
	}
	id, err := s.InsertTie(ctx, rc.County, rp.ID, rc.ID, t, regNo)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, audit.Entry{County: rc.County, UserID: act.UserID, Username: act.Username, Action: "tie.create",
		Entity: "parent_child", EntityID: strconv.FormatInt(id, 10), Region: rc.Region, After: audit.JSON(t)})
}

// AddDisability records a disability assessment of person k.
func AddDisability(ctx context.Context, s Store, act auth.Actor, k Key, d Disability, certNo string) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if e := checkGrade("grade", d.Grade, 4); e != nil {
		return 0, e
	}
	if e := checkCategory("category", d.Category); e != nil {
		return 0, e
	}
	if d.From.IsZero() || d.From.Before(r.Birth) || (!d.To.IsZero() && d.To.Before(d.From)) {
		return 0, apperr.Invalidf("from", "评定日期应不早于出生日期，且结束日期不早于评定日期", "the assessment must begin after birth and end after it begins")
	}
	if e := checkNotAfter("from", d.From, today(s)); e != nil {
		return 0, e
	}
	if e := checkLine("cert_no", certNo, MaxNumber); e != nil {
		return 0, e
	}
	d.Person = r.Ref()
	id, err := s.InsertDisability(ctx, r.County, r.ID, d, certNo)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "disability.create", r, nil, d))
}

// AddCertificate records a certificate held by person k.
func AddCertificate(ctx context.Context, s Store, act auth.Actor, k Key, c Certificate) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if c.Kind == "" {
		return 0, apperr.Invalidf("kind", "缺少证件类型", "certificate kind is missing")
	}
	if e := checkLine("kind", c.Kind, MaxNumber); e != nil {
		return 0, e
	}
	if e := checkLine("number", c.Number, MaxNumber); e != nil {
		return 0, e
	}
	if c.Issued.IsZero() || c.Issued.Before(r.Birth) || c.Issued.After(today(s)) {
		return 0, apperr.Invalidf("issued", "发证日期应在出生日期与今天之间", "the issue date must lie between the birth date and today")
	}
	c.Holder = r.Ref()
	id, err := s.InsertCertificate(ctx, r.County, r.ID, c)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "certificate.create", r, nil, c))
}

// CancelCertificate cancels certificate id of person k (e.g. Henan cancels
// the one-child certificate on a later birth).
func CancelCertificate(ctx context.Context, s Store, act auth.Actor, k Key, id int64, on date.Date, reason string) error {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return err
	}
	if on.IsZero() || on.After(today(s)) {
		return apperr.Invalidf("cancelled", "注销日期无效", "invalid cancellation date")
	}
	if strings.TrimSpace(reason) == "" {
		return apperr.Invalidf("reason", "请填写注销原因", "a reason is required")
	}
	if e := checkPara("reason", reason, MaxReason); e != nil {
		return e
	}
	if err := s.CancelCertificate(ctx, r.County, r.ID, id, on, reason); err != nil {
		return err
	}
	return s.Audit(ctx, entry(act, "certificate.cancel", r, nil, map[string]any{"certificate": id, "cancelled": on, "reason": reason}))
}

// AddComplication records an assessed surgical complication of person k.
func AddComplication(ctx context.Context, s Store, act auth.Actor, k Key, c Complication, document string) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if e := checkGrade("grade", c.Grade, 3); e != nil {
		return 0, e
	}
	if c.From.IsZero() || c.From.Before(r.Birth) || c.From.After(today(s)) {
		return 0, apperr.Invalidf("from", "鉴定日期无效", "invalid assessment date")
	}
	if e := checkLine("document", document, MaxNumber); e != nil {
		return 0, e
	}
	c.Person = r.Ref()
	id, err := s.InsertComplication(ctx, r.County, r.ID, c, document)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "complication.create", r, nil, c))
}

// AddRetirement records the retirement of person k.
func AddRetirement(ctx context.Context, s Store, act auth.Actor, k Key, ret Retirement) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if ret.Date.IsZero() || r.Birth.YearsBetween(ret.Date) < 40 {
		return 0, apperr.Invalidf("date", "退休日期无效（退休时应年满 40 岁）", "invalid retirement date (must be at least 40 years old)")
	}
	if e := checkNotAfter("date", ret.Date, today(s)); e != nil {
		return 0, e
	}
	switch ret.Employer {
	case "", "enterprise", "institution", "government":
	default:
		return 0, apperr.Invalidf("employer", "单位类型应为 enterprise、institution 或 government", "employer must be enterprise, institution or government")
	}
	ret.Person = r.Ref()
	id, err := s.InsertRetirement(ctx, r.County, r.ID, ret)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "retirement.create", r, nil, ret))
}

// AddContraception records a contraceptive operation of person k (a
// sterilisation, an IUD or an implant), with the document that attests it.
func AddContraception(ctx context.Context, s Store, act auth.Actor, k Key, c Contraception, document string) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if err := apperr.OneOf("method", c.Method, []string{MaleSterilisation, FemaleSterilisation, IUD, Implant}); err != nil {
		return 0, err
	}
	if c.Method == MaleSterilisation && r.Sex != Male || c.Method == FemaleSterilisation && r.Sex != Female {
		return 0, apperr.Invalidf("method", "绝育手术类型与性别不符", "the sterilisation does not match the person's sex")
	}
	if c.Date.IsZero() || !c.Date.After(r.Birth) || c.Date.After(today(s)) {
		return 0, apperr.Invalidf("date", "手术日期应在出生日期与今天之间", "the operation date must lie between the birth date and today")
	}
	if e := checkLine("document", document, MaxNumber); e != nil {
		return 0, e
	}
	c.Person = r.Ref()
	id, err := s.InsertContraception(ctx, r.County, r.ID, c, document)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "contraception.create", r, nil, c))
}

// AddBirthPermission records a permission for a further birth (再生育审批)
// granted to person k.
func AddBirthPermission(ctx context.Context, s Store, act auth.Actor, k Key, p BirthPermission) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if err := apperr.OneOf("kind", p.Kind, []string{PermitSecondBirth}); err != nil {
		return 0, err
	}
	if p.Issued.IsZero() || !p.Issued.After(r.Birth) || p.Issued.After(today(s)) {
		return 0, apperr.Invalidf("issued", "审批日期应在出生日期与今天之间", "the date must lie between the birth date and today")
	}
	if e := checkLine("number", p.Number, MaxNumber); e != nil {
		return 0, e
	}
	p.Holder = r.Ref()
	id, err := s.InsertBirthPermission(ctx, r.County, r.ID, p)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "birth_permission.create", r, nil, p))
}

// AddPension records person k's enrolment in a pension scheme and, when
// known, since when and where (county) the pension is drawn.
func AddPension(ctx context.Context, s Store, act auth.Actor, k Key, p Pension) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if err := apperr.OneOf("scheme", p.Scheme, []string{PensionResident, PensionUrbanEmployee}); err != nil {
		return 0, err
	}
	if p.Enrolled.IsZero() || !p.Enrolled.After(r.Birth) || p.Enrolled.After(today(s)) {
		return 0, apperr.Invalidf("enrolled", "参保日期应在出生日期与今天之间", "the enrolment date must lie between the birth date and today")
	}
	if !p.Drawing.IsZero() && p.Drawing.Before(p.Enrolled) || !p.Ended.IsZero() && p.Ended.Before(p.Enrolled) {
		return 0, apperr.Invalidf("drawing", "领取或终止日期早于参保日期", "drawing or ending before the enrolment")
	}
	if p.Region != "" {
		c, err := region.ParseCode(p.Region)
		if err != nil || len(c) < 6 {
			return 0, apperr.Invalidf("region", "区划代码无效", "invalid division code")
		}
		p.Region = string(c)[:6]
	}
	p.Person = r.Ref()
	id, err := s.InsertPension(ctx, r.County, r.ID, p)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "pension.create", r, nil, p))
}

// AddAdmission records person k's admission to higher education.
func AddAdmission(ctx context.Context, s Store, act auth.Actor, k Key, a Admission) (int64, error) {
	r, err := writable(ctx, s, act, k)
	if err != nil {
		return 0, err
	}
	if err := apperr.OneOf("level", a.Level, []string{Bachelor, College}); err != nil {
		return 0, err
	}
	if a.Date.IsZero() || r.Birth.YearsBetween(a.Date) < 14 || a.Date.After(today(s)) {
		return 0, apperr.Invalidf("date", "录取日期无效", "invalid admission date")
	}
	a.Person = r.Ref()
	id, err := s.InsertAdmission(ctx, r.County, r.ID, a)
	if err != nil {
		return 0, err
	}
	return id, s.Audit(ctx, entry(act, "admission.create", r, nil, a))
}

// RuleOnAdoption records the staff's ruling on the de-facto adoption of
// child k (design §5: only staff turn a review into a yes or a no): the
// child counts (RulingCounted, e.g. the civil-affairs papers were found)
// or not (RulingNotCounted). The reason is kept in the audit log.
func RuleOnAdoption(ctx context.Context, s Store, act auth.Actor, k Key, ruling, reason string) error {
	if err := auth.Require(act, auth.PermEligibility); err != nil {
		return err
	}
	r, err := s.PersonByKey(ctx, act.Scope, k)
	if err != nil {
		return err
	}
	if err := apperr.OneOf("ruling", ruling, []string{RulingCounted, RulingNotCounted}); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return apperr.Invalidf("reason", "请写明认定理由", "a reason is required")
	}
	if e := checkPara("reason", reason, MaxReason); e != nil {
		return e
	}
	n, err := s.SetTieRuling(ctx, r.County, r.ID, ruling)
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.Conflictf("该人员没有事实收养关系", "the person is not a de-facto adoptee")
	}
	return s.Audit(ctx, entry(act, "tie.ruling", r, nil, map[string]any{"ruling": ruling, "reason": reason}))
}

func writable(ctx context.Context, s Store, act auth.Actor, k Key) (*Record, error) {
	if err := checkWriter(act); err != nil {
		return nil, err
	}
	return s.PersonByKey(ctx, act.Scope, k)
}

// FamilyView returns the family rules read for person k (see Families:
// the person, their spouses with the spouses' marriages, the children of
// them all, and the facts rules read), as batch evaluation reads it.
func FamilyView(ctx context.Context, s Store, act auth.Actor, k Key) (*Family, error) {
	r, err := s.PersonByKey(ctx, act.Scope, k)
	if err != nil {
		return nil, err
	}
	fs, err := s.Families(ctx, r.County, []int64{r.ID})
	if err != nil {
		return nil, err
	}
	f := fs.Family(r.ID)
	if f == nil {
		return nil, apperr.NotFoundf("未找到该人员", "no such person")
	}
	if w, ok := s.(Widener); ok {
		if err := w.WidenFamilies(ctx, r.County, map[int64]*Family{r.ID: f}); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Widener is a Store that knows of persons who moved in from another
// county: WidenFamilies adds to the family of each such person among fams
// (by id, of county) the relatives they left in the old county (package
// move), so that rules read one family across the two counties.
type Widener interface {
	WidenFamilies(ctx context.Context, county string, fams map[int64]*Family) error
}

func mergeIDs(a, b []int64) []int64 {
	seen := make(map[int64]bool, len(a)+len(b))
	out := make([]int64, 0, len(a)+len(b))
	for _, list := range [][]int64{a, b} {
		for _, id := range list {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
