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
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// RequiredKinds returns the kinds of contact county sets for every family
// (ContactKindsParam, a comma-separated list of ContactKinds; else
// DefaultContactKinds).
func RequiredKinds(ctx context.Context, s Store, county string) ([]string, error) {
	v, err := s.Param(ctx, region.Code(county), ContactKindsParam)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(v) == "" {
		v = DefaultContactKinds
	}
	return ParseKinds(v)
}

// ParseKinds checks a comma-separated list of kinds of contact.
func ParseKinds(v string) ([]string, error) {
	var out []string
	for _, k := range strings.Split(v, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !ContactKinds.Has(k) {
			return nil, apperr.Invalidf("kinds", "联系人类别应为%s之一", "a kind of contact is one of %s", strings.Join(ContactKinds.Codes(), ", "))
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, apperr.Invalidf("kinds", "至少设定一类联系人", "set at least one kind of contact")
	}
	return out, nil
}

// VisitDays returns the county's interval of visits in days
// (VisitDaysParam; else DefaultVisitDays).
func VisitDays(ctx context.Context, s Store, county string) (int, error) {
	return intParam(ctx, s, county, VisitDaysParam, DefaultVisitDays)
}

// RequestDays returns the days the county gives a request before it is
// overdue (RequestDaysParam; else DefaultRequestDays).
func RequestDays(ctx context.Context, s Store, county string) (int, error) {
	return intParam(ctx, s, county, RequestDaysParam, DefaultRequestDays)
}

func intParam(ctx context.Context, s Store, county, name string, def int) (int, error) {
	v, err := s.Param(ctx, region.Code(county), name)
	if err != nil || strings.TrimSpace(v) == "" {
		return def, err
	}
	return ParseDays(name, v)
}

// ParseDays checks a number of days (1–366).
func ParseDays(field, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 366 {
		return 0, apperr.Invalidf(field, "天数应为1至366的整数", "days must be a whole number from 1 to 366")
	}
	return n, nil
}

// missing returns the kinds of required no active contact has.
func missing(required []string, cs []Contact) []string {
	out := []string{}
	for _, k := range required {
		if !slices.ContainsFunc(cs, func(c Contact) bool { return c.Active() && c.Kind == k }) {
			out = append(out, k)
		}
	}
	return out
}

// NewContact is a contact as the township or the county names them: a
// kind, a user account (whose name the caller fills in) or a name typed
// in, a phone, and the first day.
type NewContact struct {
	Kind   string `json:"kind"`
	UserID int64  `json:"user_id,omitempty"`
	// Username names the user account instead of UserID; the caller
	// resolves it to UserID and Name.
	Username string    `json:"username,omitempty"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone,omitempty"`
	From     date.Date `json:"from,omitempty"`
}

func (in *NewContact) check(today date.Date) error {
	var errs apperr.List
	if !ContactKinds.Has(in.Kind) {
		errs = append(errs, apperr.Invalidf("kind", "请选择联系人类别", "choose the kind of contact"))
	}
	in.Name, in.Phone = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone)
	if in.Name == "" {
		errs = append(errs, apperr.Invalidf("name", "请填写联系人姓名", "name the contact"))
	} else if e := textcheck.Check("name", in.Name, textcheck.Name, registry.MaxName); e != nil {
		errs = append(errs, e)
	}
	if e := textcheck.Check("phone", in.Phone, textcheck.Line, 20); e != nil {
		errs = append(errs, e)
	}
	if in.From.IsZero() {
		in.From = today
	}
	if in.From.After(today) {
		errs = append(errs, apperr.Invalidf("from", "起始日期不能晚于今天", "the first day cannot be after today"))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Assign names a contact of family id of county. An active contact of the
// same kind is replaced (the assignment ends the day before). Only the
// township and the county assign contacts.
func Assign(ctx context.Context, s Store, a auth.Actor, county string, id int64, in NewContact) (*Contact, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	f, err := s.SpecialFamily(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if f.Status != StatusActive {
		return nil, apperr.Conflictf("该家庭已销册", "the family is off the register")
	}
	today := date.Today(s.Now())
	if err := in.check(today); err != nil {
		return nil, err
	}
	cs, err := s.SpecialContacts(ctx, county, id)
	if err != nil {
		return nil, err
	}
	active := 0
	for _, c := range cs {
		if !c.Active() {
			continue
		}
		active++
		if c.Kind == in.Kind {
			if c.UserID == in.UserID && c.Name == in.Name {
				return nil, apperr.Conflictf("此人已是该家庭的联系人", "the person is already the family's contact")
			}
			if err := s.EndSpecialContact(ctx, county, c.ID, in.From, "replaced"); err != nil {
				return nil, err
			}
			active--
		}
	}
	if active >= maxContactsPerFamily {
		return nil, apperr.Invalidf("kind", "一个家庭至多%d名联系人", "a family has at most %d contacts", maxContactsPerFamily)
	}
	return insertContact(ctx, s, a, f, in)
}

func insertContact(ctx context.Context, s Store, a auth.Actor, f *Family, in NewContact) (*Contact, error) {
	cid, err := s.NextIDs(ctx, "special_contact", 1)
	if err != nil {
		return nil, err
	}
	c := &Contact{County: f.County, ID: cid, FamilyID: f.ID, Kind: in.Kind, UserID: in.UserID, Name: in.Name, Phone: in.Phone, From: in.From,
		CreatedBy: a.UserID, CreatedAt: s.Now()}
	if err := s.InsertSpecialContact(ctx, c); err != nil {
		return nil, err
	}
	return c, s.Audit(ctx, audit.Entry{County: f.County, UserID: a.UserID, Username: a.Username, Action: "special.contact",
		Entity: "special_family", EntityID: strconv.FormatInt(f.ID, 10), Region: f.Region, After: audit.JSON(c)})
}

// Leaving names a contact who leaves: by user account, or by name and
// phone for one typed in.
type Leaving struct {
	UserID   int64  `json:"user_id,omitempty"`
	Username string `json:"username,omitempty"` // resolved by the caller
	Name     string `json:"name,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

func (l Leaving) is(c Contact) bool {
	if l.UserID != 0 {
		return c.UserID == l.UserID
	}
	return c.UserID == 0 && c.Name == strings.TrimSpace(l.Name) && c.Phone == strings.TrimSpace(l.Phone)
}

// HandOver hands every family within a's scope of the contact who leaves
// over to the contact to (of the same kind each time: to.Kind is ignored),
// from to.From, for reason. It returns the new assignments.
func HandOver(ctx context.Context, s Store, a auth.Actor, county string, from Leaving, to NewContact, reason string) ([]Contact, error) {
	if err := requireOffice(a); err != nil {
		return nil, err
	}
	if from.UserID == 0 && strings.TrimSpace(from.Name) == "" {
		return nil, apperr.Invalidf("from", "请指明离任的联系人", "name the contact who leaves")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Invalidf("reason", "请写明交接原因", "say why the families are handed over")
	}
	if e := textcheck.Check("reason", reason, textcheck.Line, 200); e != nil {
		return nil, e
	}
	today := date.Today(s.Now())
	to.Kind = KindTownshipCadre // checked below per assignment
	if err := to.check(today); err != nil {
		return nil, err
	}
	if (to.UserID != 0 && to.UserID == from.UserID) || (to.UserID == 0 && from.UserID == 0 && to.Name == strings.TrimSpace(from.Name)) {
		return nil, apperr.Invalidf("to", "接任的联系人不能是离任者本人", "the new contact cannot be the one who leaves")
	}
	all, err := s.SpecialContactsIn(ctx, a.Scope, county)
	if err != nil {
		return nil, err
	}
	var out []Contact
	for _, c := range all {
		if !c.Active() || !from.is(c) {
			continue
		}
		f, err := s.SpecialFamily(ctx, a.Scope, county, c.FamilyID)
		if err != nil {
			return nil, err
		}
		if err := s.EndSpecialContact(ctx, county, c.ID, to.From, "handover: "+reason); err != nil {
			return nil, err
		}
		in := to
		in.Kind = c.Kind
		nc, err := insertContact(ctx, s, a, f, in)
		if err != nil {
			return nil, err
		}
		out = append(out, *nc)
	}
	if len(out) == 0 {
		return nil, apperr.NotFoundf("该联系人在您的管辖范围内没有联系的家庭", "the contact has no families in your scope")
	}
	return out, nil
}

// NewVisit is a visit as the visitor records it.
type NewVisit struct {
	Date     date.Date `json:"date"`
	Mode     string    `json:"mode"`
	Found    string    `json:"found"`
	Help     string    `json:"help,omitempty"`
	Requests string    `json:"requests,omitempty"`
	// NextDue is the next visit due; empty is the visit's day plus the
	// county's interval.
	NextDue date.Date `json:"next_due,omitempty"`
}

// RecordVisit records a visit to family id of county by a (a contact of
// the family, the township or the county). The family's next visit is
// due on in.NextDue, else after the county's interval. Requests the
// family raised are recorded as a request handled by the visitor.
func RecordVisit(ctx context.Context, s Store, a auth.Actor, county string, id int64, in NewVisit) (*Visit, error) {
	f, err := Visible(ctx, s, a, county, id)
	if err != nil {
		return nil, err
	}
	if f.Status != StatusActive {
		return nil, apperr.Conflictf("该家庭已销册", "the family is off the register")
	}
	today := date.Today(s.Now())
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if in.Date.IsZero() || in.Date.After(today) || in.Date.Before(today.AddDays(-366)) {
		add(apperr.Invalidf("date", "走访日期应在一年内且不晚于今天", "the visit must lie within the last year and not after today"))
	}
	if !Modes.Has(in.Mode) {
		add(apperr.Invalidf("mode", "请选择走访方式", "choose how the visit was made"))
	}
	in.Found, in.Help, in.Requests = strings.TrimSpace(in.Found), strings.TrimSpace(in.Help), strings.TrimSpace(in.Requests)
	if in.Found == "" {
		add(apperr.Invalidf("found", "请填写走访了解的情况", "say what the visit found"))
	}
	add(textcheck.Check("found", in.Found, textcheck.Para, MaxText))
	add(textcheck.Check("help", in.Help, textcheck.Para, MaxText))
	add(textcheck.Check("requests", in.Requests, textcheck.Para, MaxText))
	days, err := VisitDays(ctx, s, county)
	if err != nil {
		return nil, err
	}
	if in.NextDue.IsZero() && !in.Date.IsZero() {
		in.NextDue = in.Date.AddDays(days)
	}
	if !in.NextDue.IsZero() && !in.NextDue.After(in.Date) {
		add(apperr.Invalidf("next_due", "下次走访日期应晚于本次走访", "the next visit must come after this one"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	vid, err := s.NextIDs(ctx, "special_visit", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	visitor := a.Name
	if visitor == "" {
		visitor = a.Username
	}
	v := &Visit{County: county, ID: vid, FamilyID: id, Region: f.Region, Date: in.Date, Mode: in.Mode, VisitorID: a.UserID, Visitor: visitor,
		Found: in.Found, Help: in.Help, Requests: in.Requests, NextDue: in.NextDue, CreatedAt: now}
	if err := s.InsertSpecialVisit(ctx, v); err != nil {
		return nil, err
	}
	before := *f
	if !in.Date.Before(f.LastVisit) {
		f.LastVisit, f.NextVisit = in.Date, in.NextDue
		f.Version++
		f.UpdatedAt = now
		if err := s.UpdateSpecialFamily(ctx, f); err != nil {
			return nil, err
		}
	}
	if err := s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "special.visit",
		Entity: "special_family", EntityID: strconv.FormatInt(id, 10), Region: f.Region, Before: audit.JSON(before), After: audit.JSON(v)}); err != nil {
		return nil, err
	}
	if in.Requests != "" {
		rd, err := RequestDays(ctx, s, county)
		if err != nil {
			return nil, err
		}
		if _, err := insertRequest(ctx, s, a, f, NewRequest{Raised: in.Date, Source: FromVisit, Content: in.Requests, HandlerID: a.UserID,
			Handler: visitor, Deadline: in.Date.AddDays(rd)}); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Overdue lists the active families of county within a's scope (at the
// village level, a's own) whose visit is overdue on today: the next visit
// due before today, or, never visited, registered longer ago than the
// county's interval.
func Overdue(ctx context.Context, s Store, a auth.Actor, county string) ([]Family, error) {
	fs, _, err := List(ctx, s, a, county, Query{Status: StatusActive})
	if err != nil {
		return nil, err
	}
	days, err := VisitDays(ctx, s, county)
	if err != nil {
		return nil, err
	}
	today := date.Today(s.Now())
	out := []Family{}
	for _, f := range fs {
		if IsOverdue(&f, today, days) {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(x, y Family) int { return due(&x, days).Compare(due(&y, days)) })
	return out, nil
}

// IsOverdue reports whether f's visit is overdue on today under an
// interval of days.
func IsOverdue(f *Family, today date.Date, days int) bool {
	return f.Status == StatusActive && due(f, days).Before(today)
}

func due(f *Family, days int) date.Date {
	if !f.NextVisit.IsZero() {
		return f.NextVisit
	}
	return f.Since.AddDays(days)
}

// Services of the coverages.
const (
	ServiceDoctor    = "doctor"    // 家庭医生签约
	ServiceGreen     = "green"     // 就医绿色通道
	ServiceInsurance = "insurance" // 住院护理险
)

// Services names the services.
var Services = term.List{
	{Code: ServiceDoctor, ZH: "家庭医生签约", EN: "Family doctor"},
	{Code: ServiceGreen, ZH: "就医绿色通道", EN: "Green channel"},
	{Code: ServiceInsurance, ZH: "住院护理险", EN: "Hospital-care insurance"},
}

// Service is the record of a service given to a family: the day and who
// gives it (the doctor, the hospital, the insurer); TCM marks a doctor of
// Chinese medicine.
type Service struct {
	Kind string    `json:"kind"`
	Date date.Date `json:"date"`
	By   string    `json:"by"`
	TCM  bool      `json:"tcm,omitempty"`
}

// SetService records a service of family id of county (a later record
// replaces an earlier one).
func SetService(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, sv Service) (*Family, error) {
	f, err := Visible(ctx, s, a, county, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != f.Version {
		return nil, apperr.Conflictf("该家庭档案已被他人修改，请刷新后重试", "the family's file was changed by someone else; reload and try again")
	}
	if f.Status != StatusActive {
		return nil, apperr.Conflictf("该家庭已销册", "the family is off the register")
	}
	today := date.Today(s.Now())
	var errs apperr.List
	if !Services.Has(sv.Kind) {
		errs = append(errs, apperr.Invalidf("kind", "请选择服务项目", "choose the service"))
	}
	if sv.Date.IsZero() || sv.Date.After(today) {
		errs = append(errs, apperr.Invalidf("date", "日期不能为空或晚于今天", "the day must be given and not after today"))
	}
	sv.By = strings.TrimSpace(sv.By)
	if sv.By == "" {
		errs = append(errs, apperr.Invalidf("by", "请填写签约医生、医院或承保机构", "name the doctor, the hospital or the insurer"))
	} else if e := textcheck.Check("by", sv.By, textcheck.Line, 100); e != nil {
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	before := *f
	switch sv.Kind {
	case ServiceDoctor:
		f.Signed, f.Doctor, f.DoctorTCM = sv.Date, sv.By, sv.TCM
	case ServiceGreen:
		f.Green, f.GreenHospital = sv.Date, sv.By
	case ServiceInsurance:
		f.Insured, f.Insurer = sv.Date, sv.By
	}
	f.Version++
	f.UpdatedAt = s.Now()
	if err := s.UpdateSpecialFamily(ctx, f); err != nil {
		return nil, err
	}
	return f, s.Audit(ctx, familyEntry(a, "special.service."+sv.Kind, f, &before))
}

// CoverageRow is the coverage of one area (a township, or a village).
type CoverageRow struct {
	Region   string `json:"region"`
	Name     string `json:"name"`
	Families int    `json:"families"`
	Contacts int    `json:"contacts"` // with the full set of contacts
	Doctor   int    `json:"doctor"`
	Green    int    `json:"green"`
	Insured  int    `json:"insured"`
	Overdue  int    `json:"overdue"`
	// Full is the families with all three coverages.
	Full int `json:"full"`
}

// Rate returns n of the row's families as a percentage (100 when there
// are none).
func (r CoverageRow) Rate(n int) float64 {
	if r.Families == 0 {
		return 100
	}
	return float64(n) * 100 / float64(r.Families)
}

// Pct returns n of the row's families as a whole percentage, rounded
// down (100 when there are none).
func (r CoverageRow) Pct(n int) int {
	if r.Families == 0 {
		return 100
	}
	return n * 100 / r.Families
}

// Gap is a family not yet covered: what it lacks.
type Gap struct {
	Family  int64    `json:"family"`
	Region  string   `json:"region"`
	Name    string   `json:"name"`
	Lacks   []string `json:"lacks"` // contacts, doctor, green, insurance
	Missing []string `json:"missing,omitempty"`
}

// Coverage is the three full coverages (三个全覆盖) and the insurance of
// the families on a register, by area, with the families not yet covered.
type Coverage struct {
	County string        `json:"county"`
	Region string        `json:"region"`
	Date   date.Date     `json:"date"`
	Kinds  []string      `json:"kinds"`
	Rows   []CoverageRow `json:"rows"`
	Total  CoverageRow   `json:"total"`
	Gaps   []Gap         `json:"gaps"`
}

// What a family may lack.
const (
	LackContacts  = "contacts"
	LackDoctor    = ServiceDoctor
	LackGreen     = ServiceGreen
	LackInsurance = ServiceInsurance
)

// Lacks names what a family may lack.
var Lacks = term.List{
	{Code: LackContacts, ZH: "联系人未配齐", EN: "Contacts incomplete"},
	{Code: LackDoctor, ZH: "未签约家庭医生", EN: "No family doctor"},
	{Code: LackGreen, ZH: "未开通绿色通道", EN: "No green channel"},
	{Code: LackInsurance, ZH: "未参加住院护理险", EN: "Not insured"},
}

// Report returns the coverage of the active families of county within
// a's scope (at the village level, a's own families), under area (a
// township, or a village; "" for the scope), by township, or by village
// within a township.
func Report(ctx context.Context, s Store, a auth.Actor, county, area string) (*Coverage, error) {
	if err := requireCare(a); err != nil {
		return nil, err
	}
	q := Query{Status: StatusActive, Region: area}
	fs, _, err := List(ctx, s, a, county, q)
	if err != nil {
		return nil, err
	}
	kinds, err := RequiredKinds(ctx, s, county)
	if err != nil {
		return nil, err
	}
	days, err := VisitDays(ctx, s, county)
	if err != nil {
		return nil, err
	}
	contacts, err := s.SpecialContactsIn(ctx, a.Scope, county)
	if err != nil {
		return nil, err
	}
	byFamily := map[int64][]Contact{}
	for _, c := range contacts {
		byFamily[c.FamilyID] = append(byFamily[c.FamilyID], c)
	}
	t := region.Default()
	today := date.Today(s.Now())
	out := &Coverage{County: county, Region: area, Date: today, Kinds: kinds, Rows: []CoverageRow{}, Gaps: []Gap{}}
	level := region.Township
	if area != "" && region.Code(area).Level() >= region.Township {
		level = region.Village
	}
	rows := map[string]*CoverageRow{}
	var order []string
	for _, f := range fs {
		key, label := areaOf(t, region.Code(f.Region), level)
		r, ok := rows[key]
		if !ok {
			r = &CoverageRow{Region: key, Name: label}
			rows[key] = r
			order = append(order, key)
		}
		g := Gap{Family: f.ID, Region: f.Region, Name: f.Name, Missing: missing(kinds, byFamily[f.ID])}
		count := func(ok bool, n *int, lack string) {
			if ok {
				*n++
			} else {
				g.Lacks = append(g.Lacks, lack)
			}
		}
		r.Families++
		count(len(g.Missing) == 0, &r.Contacts, LackContacts)
		count(!f.Signed.IsZero(), &r.Doctor, LackDoctor)
		count(!f.Green.IsZero(), &r.Green, LackGreen)
		count(!f.Insured.IsZero(), &r.Insured, LackInsurance)
		if len(g.Missing) == 0 && !f.Signed.IsZero() && !f.Green.IsZero() {
			r.Full++
		}
		if IsOverdue(&f, today, days) {
			r.Overdue++
		}
		if len(g.Lacks) > 0 {
			out.Gaps = append(out.Gaps, g)
		}
	}
	slices.Sort(order)
	out.Total = CoverageRow{Region: area, Name: "合计"}
	for _, k := range order {
		r := rows[k]
		out.Rows = append(out.Rows, *r)
		out.Total.Families += r.Families
		out.Total.Contacts += r.Contacts
		out.Total.Doctor += r.Doctor
		out.Total.Green += r.Green
		out.Total.Insured += r.Insured
		out.Total.Overdue += r.Overdue
		out.Total.Full += r.Full
	}
	slices.SortStableFunc(out.Gaps, func(x, y Gap) int { return strings.Compare(x.Region, y.Region) })
	return out, nil
}

// areaOf returns the division of code at level (itself, or its
// ancestor) with its name.
func areaOf(t *region.Tree, code region.Code, level region.Level) (string, string) {
	if d, ok := t.Lookup(code); ok && d.Level == level {
		return string(d.Code), d.Name
	}
	for _, d := range t.Ancestors(code) {
		if d.Level == level {
			return string(d.Code), d.Name
		}
	}
	return string(code), string(code)
}
