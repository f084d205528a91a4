package policy

import (
	"reflect"
	"slices"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Env is what a clause sees: the facts about one person on one reference
// day, computed in Go from the family, and the program's parameters P.
// Expressions are type-checked against it. Fields above the "family" line
// are cheap (the person alone) and are tested first; the others need the
// family graph and are computed only for persons who pass the cheap ones.
type Env struct {
	Year              int    `expr:"year"`               // the benefit year
	Age               int    `expr:"age"`                // by the program's age rule
	BirthYear         int    `expr:"birth_year"`         //
	Birth             int    `expr:"birth"`              // YYYYMMDD
	Sex               string `expr:"sex"`                // "M" or "F"
	Female            bool   `expr:"female"`             //
	Alive             bool   `expr:"alive"`              // on the reference day
	HukouRural        bool   `expr:"hukou_rural"`        // rural, or urban by land requisition when land_requisition_rural
	HukouUrban        bool   `expr:"hukou_urban"`        //
	InCounty          bool   `expr:"in_county"`          // hukou registered in the county
	Pension           string `expr:"pension"`            // none, urban_employee, resident
	ConfirmationYear  int    `expr:"confirmation_year"`  // of this program; the benefit year when none
	RetirementYear    int    `expr:"retirement_year"`    // 0 when not retired
	Employer          string `expr:"employer"`           // of the retirement
	ComplicationGrade int    `expr:"complication_grade"` // grade 1–3 in force, 0 none
	PensionEnrolled   bool   `expr:"pension_enrolled"`   // enrolled in a pension scheme (参保), not drawing it yet or drawing
	PensionScheme     string `expr:"pension_scheme"`     // of the enrolment in force: resident, urban_employee, "" none
	PensionDrawing    string `expr:"pension_drawing"`    // the scheme whose pension the person draws, "" none
	PensionHere       bool   `expr:"pension_here"`       // the pension drawn is paid by an agency of this county
	NonEmployee       bool   `expr:"non_employee"`       // never an employee: no retirement and no urban employee pension (非从业人员)
	Death             int    `expr:"death"`              // YYYYMMDD of the person's death, 0 while alive
	BirthInPolicy     bool   `expr:"birth_in_policy"`    // no birth tie of the person as a child is recorded out of policy (政策外)
	EntitledMonths    int    `expr:"entitled_months"`    // claim programs: the child's months of entitlement in all
	ClaimIndex        int    `expr:"claim_index"`        // claim programs: this year's claim, 1 for the first; 0 none
	ClaimMonths       int    `expr:"claim_months"`       // claim programs: the months this year's claim pays; 0 none

	// family facts
	Married              bool   `expr:"married"`                // a marriage subsists
	SpouseRural          bool   `expr:"spouse_rural"`           // the spouse is rural (true when there is no spouse)
	SpouseAge            int    `expr:"spouse_age"`             // 0 when there is no spouse
	WifeAge              int    `expr:"wife_age"`               // the woman's age in a couple; one's own age when single
	FirstMarriage        bool   `expr:"first_marriage"`         // married once, and still (原配)
	Remarried            bool   `expr:"remarried"`              // married more than once
	EverChildren         int    `expr:"ever_children"`          // children ever born or adopted (counted per the remarriage reading)
	EverDaughters        int    `expr:"ever_daughters"`         //
	EverBorn             int    `expr:"ever_born"`              // births only
	Adopted              int    `expr:"adopted"`                //
	Surviving            int    `expr:"surviving"`              // children alive on the reference day
	SurvivingDaughters   int    `expr:"surviving_daughters"`    //
	Violations           int    `expr:"violations"`             // out-of-policy births in the program's window
	UnlawfulAdoptions    int    `expr:"unlawful_adoptions"`     // de-facto adoptions after defacto_adoption_cutoff
	ChildDisabilityGrade int    `expr:"child_disability_grade"` // most severe grade of a surviving child's disability, 0 none
	LaterChild           bool   `expr:"later_child"`            // a birth or adoption after a child's death or disability
	FirstChildBirth      int    `expr:"first_child_birth"`      // YYYYMMDD of the eldest counted child
	ChildAge             int    `expr:"child_age"`              // year-end age of the youngest counted child
	ChildMonthsOld       int    `expr:"child_months_old"`       // whole months from the youngest child's birth month
	HasCertificate       bool   `expr:"has_certificate"`        // a one-child certificate of the couple is in force
	CertificateHolder    bool   `expr:"certificate_holder"`     // the person holds it
	Sterilised           int    `expr:"sterilisation_date"`     // YYYYMMDD of the couple's first sterilisation by the end of the year, 0 none
	SterilisedSelf       bool   `expr:"sterilised_self"`        // the sterilisation is the person's own
	ViaSpouse            bool   `expr:"via_spouse"`             // children taken from the spouse (tf_childless_spouse)
	LastChild            int    `expr:"last_child"`             // YYYYMMDD of the latest tie to a counted child (a birth or an adoption)
	AdoptedAfterBirth    bool   `expr:"adopted_after_birth"`    // a counted child was adopted after a counted child was born to the person
	LastChildBirth       int    `expr:"last_child_birth"`       // YYYYMMDD of the youngest counted child's birth
	CertificateIssued    int    `expr:"certificate_issued"`     // YYYYMMDD of the couple's one-child certificate in force, 0 none
	SecondBirthPermitted bool   `expr:"second_birth_permitted"` // the couple was permitted a second birth (再生育审批) by the end of the year
	ContraceptionMethod  string `expr:"contraception_method"`   // the couple's latest operation by the end of the year
	ContraceptionDate    int    `expr:"contraception_date"`     // its date, YYYYMMDD, 0 none
	ContraceptionSelf    bool   `expr:"contraception_self"`     // the operation was the person's own
	ChildrenAdmitted     int    `expr:"children_admitted"`      // counted children admitted to a bachelor course (本科) in the year
	DaughtersAdmitted    int    `expr:"daughters_admitted"`     //

	P map[string]int `expr:"P"`
}

// cheapFacts are the Env names that need no family graph.
var cheapFacts = map[string]bool{
	"year": true, "age": true, "birth_year": true, "birth": true, "sex": true, "female": true,
	"alive": true, "hukou_rural": true, "hukou_urban": true, "in_county": true, "pension": true,
	"confirmation_year": true, "retirement_year": true, "employer": true, "complication_grade": true, "P": true,
	"pension_enrolled": true, "pension_scheme": true, "pension_drawing": true, "pension_here": true, "non_employee": true,
	"death": true, "birth_in_policy": true, "entitled_months": true, "claim_index": true, "claim_months": true,
}

// envFields maps expression names to Env field indexes, for explanations.
var envFields = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[Env]()
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("expr"); tag != "" && tag != "P" {
			m[tag] = i
		}
	}
	return m
}()

// familyView indexes a family for fact computation.
type familyView struct {
	f        *registry.Family
	county   string
	year     int                         // the benefit year
	doubt    bool                        // a tie whose counting staff must decide (doubtful adoption)
	day      date.Date                   // the day prev belongs to
	prev     date.Date                   // the day before day
	ties     byRef[registry.ParentChild] // by parent
	parents  byRef[registry.ParentChild] // by child
	marr     byRef[registry.Marriage]    // by either party
	readings familyReading
	kids     []registry.ParentChild // scratch for family: the counted children's ties, one per child
	starts   []date.Date            // scratch for family
}

// byRef indexes values by a person's reference. A family holds a few
// persons and ties, so a search along its references costs less than
// hashing them into a map for every family, and the storage is kept from
// one family to the next.
type byRef[T any] struct {
	keys []string
	vals [][]T
	n    int // keys in use
}

func (b *byRef[T]) reset() {
	for i := range b.n {
		b.vals[i] = b.vals[i][:0]
	}
	b.n = 0
	if len(b.keys) > 256 {
		// An unusually large family: do not keep its storage.
		*b = byRef[T]{}
	}
}

func (b *byRef[T]) find(ref string) int {
	for i, k := range b.keys[:b.n] {
		if k == ref {
			return i
		}
	}
	return -1
}

// of returns the values of ref (nil when none).
func (b *byRef[T]) of(ref string) []T {
	if i := b.find(ref); i >= 0 {
		return b.vals[i]
	}
	return nil
}

func (b *byRef[T]) add(ref string, v T) {
	i := b.find(ref)
	if i < 0 {
		i = b.n
		b.n++
		if i == len(b.keys) {
			b.keys, b.vals = append(b.keys, ref), append(b.vals, nil)
		} else {
			b.keys[i] = ref
		}
	}
	b.vals[i] = append(b.vals[i], v)
}

// person returns the person of the family with reference ref, or nil.
func (v *familyView) person(ref string) *registry.Person {
	ps := v.f.Persons
	for i := len(ps) - 1; i >= 0; i-- { // the last of a reference, as a map filled in order keeps
		if ps[i].Ref == ref {
			return &ps[i]
		}
	}
	return nil
}

// familyReading holds the family-level parameters.
type familyReading struct {
	remarriage       string
	childless        string
	landRequisition  bool
	defactoCutoff    date.Date
	defactoCutoffSet bool
}

func newFamilyView(f *registry.Family, county string, r familyReading) *familyView {
	v := &familyView{}
	v.reset(f, county, r)
	return v
}

// reset re-indexes v for another family, keeping its maps' storage.
func (v *familyView) reset(f *registry.Family, county string, r familyReading) {
	v.f, v.county, v.readings = f, county, r
	v.ties.reset()
	v.parents.reset()
	v.marr.reset()
	v.doubt = false
	for _, t := range f.Children {
		v.ties.add(t.Parent, t)
		v.parents.add(t.Child, t)
		if v.doubtful(t) {
			v.doubt = true
		}
	}
	for _, m := range f.Marriages {
		v.marr.add(m.A, m)
		if m.B != m.A {
			v.marr.add(m.B, m)
		}
	}
}

// ageOn is the age of a person born b in benefit year y on day d by rule.
func ageOn(rule string, b date.Date, y int, d date.Date) int {
	if b.IsZero() {
		return 0
	}
	switch rule {
	case AgeBirthday:
		return b.YearsBetween(d)
	case AgeBirthMonth:
		// The age reached by the end of the month of d.
		return b.YearsBetween(date.Of(d.Year(), d.Month()+1, 1).AddDays(-1))
	case AgeHalfYear:
		a := y - b.Year()
		if d.Month() <= 6 && (b.Month() > 6) {
			a--
		}
		return a
	}
	return y - b.Year()
}

// The month rule (design §5, rules.md §6 Q11). The status of a month is
// read on its first day d, and a fact counts for that month only if it
// began before d: a fact that begins on any day of a month, the 1st
// included, takes effect from the next month, and the month of the event
// is paid at the old status. A fact that ends (a recovery, a cure, a
// divorce, a cancelled certificate) still counts in the month it ends.
// Deaths are read the same way: a person who dies on any day of a month
// is alive on its first day. With exit_timing event_month, d is the first
// day of the next month, so a change applies in its own month.

// begun reports whether a fact that began on from counts on day d.
func begun(from, d date.Date) bool { return from.IsZero() || from.Before(d) }

// lasts reports whether a fact that ended on to (the day of the event)
// still counts on day d.
func lasts(to, d date.Date) bool { return to.IsZero() || !to.Before(d) }

// dayBefore returns the day before d, remembered for the last d asked.
func (v *familyView) dayBefore(d date.Date) date.Date {
	if d != v.day {
		v.day, v.prev = d, d.AddDays(-1)
	}
	return v.prev
}

// spell returns p's hukou spell that counts on day d. A spell's To is its
// last day (the next spell begins the day after), so a spell that ends on
// the last day of a month still counts in the next month, whose first day
// is the day of the change.
func (v *familyView) spell(p *registry.Person, d date.Date) *registry.HukouSpell {
	var cur *registry.HukouSpell
	prev := v.dayBefore(d)
	for i := range p.Hukou {
		h := &p.Hukou[i]
		if !begun(h.From, d) || !lasts(h.To, prev) {
			continue
		}
		cur = h
	}
	return cur
}

// hukouRural reports whether p counts as rural on d.
func (v *familyView) hukouRural(p *registry.Person, d date.Date) (rural, urban bool) {
	cur := v.spell(p, d)
	if cur == nil {
		return false, false
	}
	if cur.Type == registry.Rural {
		return true, false
	}
	return v.readings.landRequisition && cur.Reason == "land_requisition", true
}

// countyOf returns the county (six digits) of p's hukou on d, or "" when
// no division is recorded.
func (v *familyView) countyOf(p *registry.Person, d date.Date) string {
	reg := p.Region
	if h := v.spell(p, d); h != nil && h.Region != "" {
		reg = h.Region
	} else {
		// A spell without a division keeps the last one recorded.
		for i := range p.Hukou {
			h := &p.Hukou[i]
			if h.Region != "" && begun(h.From, d) {
				reg = h.Region
			}
		}
	}
	return county6(reg)
}

// doubtful reports whether t is a tie the rules cannot count or drop on
// their own: a de-facto adoption begun on or after the cut-off (the 1992
// adoption law) without civil-affairs papers and without a staff ruling.
func (v *familyView) doubtful(t registry.ParentChild) bool {
	return t.Kind == registry.AdoptionDeFacto && t.Ruling == "" && v.readings.defactoCutoffSet &&
		!v.tieStart(t).Before(v.readings.defactoCutoff)
}

// cheap fills the person-only facts of e for p on d; ages are taken on
// ageDay.
func (v *familyView) cheap(e *Env, p *registry.Person, y int, d, ageDay date.Date, ageRule string) {
	e.Year = y
	e.Age = ageOn(ageRule, p.Birth, y, ageDay)
	e.BirthYear = p.Birth.Year()
	e.Birth = dateInt(p.Birth)
	e.Sex = p.Sex
	e.Female = p.Sex == registry.Female
	e.Alive = p.AliveOn(d)
	e.Death = dateInt(p.Death)
	e.BirthInPolicy = true
	for _, t := range v.parents.of(p.Ref) {
		if t.Kind == registry.Birth && t.InPolicy != nil && !*t.InPolicy {
			e.BirthInPolicy = false
		}
	}
	e.HukouRural, e.HukouUrban = v.hukouRural(p, d)
	e.InCounty = true // set by the evaluation, which knows which county pays
	e.Pension = p.Pension
	if e.Pension == "" {
		e.Pension = registry.PensionNone
	}
	e.RetirementYear, e.Employer = 0, ""
	for _, r := range v.f.Retirements {
		if r.Person == p.Ref && !r.Date.IsZero() {
			e.RetirementYear, e.Employer = r.Date.Year(), r.Employer
		}
	}
	e.ComplicationGrade = 0
	for _, c := range v.f.Complications {
		if c.Person == p.Ref && begun(c.From, d) && lasts(c.To, d) && c.Grade >= 1 && c.Grade <= 3 {
			if e.ComplicationGrade == 0 || c.Grade < e.ComplicationGrade {
				e.ComplicationGrade = c.Grade
			}
		}
	}
	e.PensionEnrolled, e.PensionScheme, e.PensionDrawing, e.PensionHere = false, "", "", false
	e.NonEmployee = e.RetirementYear == 0 && p.Pension != registry.PensionUrbanEmployee
	for _, x := range v.f.Pensions {
		if x.Person != p.Ref {
			continue
		}
		if x.Scheme == registry.PensionUrbanEmployee {
			e.NonEmployee = false
		}
		if x.Enrolled.IsZero() || !begun(x.Enrolled, d) || !lasts(x.Ended, d) {
			continue
		}
		if !e.PensionEnrolled || x.Scheme == registry.PensionUrbanEmployee {
			e.PensionEnrolled, e.PensionScheme = true, x.Scheme
		}
		if !x.Drawing.IsZero() && begun(x.Drawing, d) {
			e.PensionDrawing = x.Scheme
			e.PensionHere = len(x.Region) >= 6 && x.Region[:6] == v.county
		}
	}
}

// claim fills the facts of a claim program (AccrualClaim) for p in year
// y: the months of entitlement from the later of the birth month and the
// month of P.start_date to the month of the P.max_age birthday, at most
// P.claims × 12 (a part month counts whole: rules.md §8.1 CS3, "months =
// (birth year − 2022) × 12 + birth month" for earlier births); the claims
// run one a year from the later of the birth year and start_date's year,
// whole years first (CS4).
func claimFacts(e *Env, p *registry.Person, y int, pr *program) {
	e.EntitledMonths, e.ClaimIndex, e.ClaimMonths = 0, 0, 0
	start := pr.p["start_date"]
	if p.Birth.IsZero() || start == 0 {
		return
	}
	sd := date.Of(start/10000, time.Month(start/100%100), 1)
	first := max(p.Birth.MonthIndex(), sd.MonthIndex())
	last := p.Birth.MonthIndex() + 12*pr.p["max_age"]
	total := min(12*pr.p["claims"], last-first+1)
	if total <= 0 {
		return
	}
	e.EntitledMonths = total
	k := y - max(p.Birth.Year(), sd.Year())
	if k < 0 {
		return
	}
	if n := min(12, total-12*k); n > 0 {
		e.ClaimIndex, e.ClaimMonths = k+1, n
	}
}

// The levels of facts a clause reads (clause.level), each computed only
// for persons who pass the clauses of the levels below: the person's own
// (cheapFacts), the couple's (coupleFactNames: the marriage and the
// spouse, and the couple's certificates, operations and permissions), or
// the children's (every other fact of the family).
const (
	levelPerson = iota
	levelCouple
	levelChildren
)

// coupleFactNames are the Env names of the couple's facts (coupleFacts).
var coupleFactNames = map[string]bool{
	"married": true, "spouse_rural": true, "spouse_age": true, "wife_age": true, "first_marriage": true, "remarried": true,
	"has_certificate": true, "certificate_holder": true, "certificate_issued": true, "sterilisation_date": true,
	"sterilised_self": true, "second_birth_permitted": true, "contraception_method": true, "contraception_date": true,
	"contraception_self": true,
}

// factLevel returns the level of the facts named idents.
func factLevel(idents []string) int {
	level := levelPerson
	for _, id := range idents {
		switch {
		case cheapFacts[id]:
		case coupleFactNames[id]:
			level = max(level, levelCouple)
		default:
			level = levelChildren
		}
	}
	return level
}

// famFacts are the family facts of one person on one day for one way of
// counting children; they do not depend on program parameters except the
// window, applied later from the birth dates kept here.
type famFacts struct {
	coupleFacts
	childFacts
}

// coupleFacts are the facts of the couple: they do not depend on the way
// children are counted.
type coupleFacts struct {
	married, spouseRural, first, remarried bool
	spouse                                 *registry.Person
	marriages                              int // begun by the day
	certificate, holder                    bool
	certIssued                             date.Date
	sterilised                             date.Date
	sterilisedSelf                         bool
	permitted                              bool
	opMethod                               string
	opDate                                 date.Date
	opSelf                                 bool
}

// childFacts are the facts of the children counted.
type childFacts struct {
	ever, everDaughters, everBorn, adopted int
	surviving, survivingDaughters          int
	outOfPolicy                            []date.Date
	unlawfulAdoptions                      int
	childGrade                             int
	laterChild                             bool
	firstChild                             date.Date
	youngest                               date.Date
	viaSpouse                              bool
	lastChild, lastBirth                   date.Date
	admitted, admittedDaughters            int
	adoptedAfterBirth                      bool
}

// spouseOn returns p's spouse in a marriage subsisting on d, and whether p
// married more than once. A marriage counts from the month after it is
// registered and, once ended (divorce or death, on To), no longer counts
// from the month after.
func (v *familyView) spouseOn(ref string, d date.Date) (sp *registry.Person, n int) {
	ms := v.marr.of(ref)
	for _, m := range ms {
		if !begun(m.From, d) {
			continue
		}
		n++
		if lasts(m.To, d) {
			other := m.B
			if other == ref {
				other = m.A
			}
			if o := v.person(other); o != nil && o.AliveOn(d) {
				sp = o
			}
		}
	}
	return sp, n
}

// tieStart is the day a parent–child tie began.
func (v *familyView) tieStart(t registry.ParentChild) date.Date {
	if !t.From.IsZero() {
		return t.From
	}
	if c := v.person(t.Child); c != nil {
		return c.Birth
	}
	return date.Date{}
}

// childTies returns the ties of parent that count on d (begun before d,
// by the month rule); step-children count only when step is set. A
// doubtful adoption counts only when counted is set (the reading in which
// staff accept it); a de-facto adoption staff ruled out never counts.
func (v *familyView) childTies(parent string, d date.Date, step, counted bool, out *[]registry.ParentChild) (doubts int) {
	for _, t := range v.ties.of(parent) {
		if t.Kind == registry.Step && !step {
			continue
		}
		if s := v.tieStart(t); !begun(s, d) {
			continue
		}
		if t.Kind == registry.AdoptionDeFacto && t.Ruling == registry.RulingNotCounted {
			continue
		}
		if v.doubtful(t) {
			doubts++
			if !counted {
				continue
			}
		}
		i := slices.IndexFunc(*out, func(k registry.ParentChild) bool { return k.Child == t.Child })
		switch {
		case i < 0:
			*out = append(*out, t)
		case t.Kind == registry.Birth:
			(*out)[i] = t
		}
	}
	return doubts
}

// jointBirth reports whether a and b have a child born to both.
func (v *familyView) jointBirth(a, b string) bool {
	for _, t := range v.ties.of(a) {
		if t.Kind != registry.Birth {
			continue
		}
		for _, u := range v.parents.of(t.Child) {
			if u.Parent == b && u.Kind == registry.Birth {
				return true
			}
		}
	}
	return false
}

// couple computes the couple's facts of p on d into ff. cm is the month
// (index) whose status d gives, for certificates, which count from the
// month they are issued in.
func (v *familyView) couple(ff *coupleFacts, p *registry.Person, d date.Date, cm int) {
	sp, nm := v.spouseOn(p.Ref, d)
	*ff = coupleFacts{spouse: sp, married: sp != nil, first: sp != nil && nm == 1, remarried: nm > 1, marriages: nm, spouseRural: true}
	if sp != nil {
		ff.spouseRural, _ = v.hukouRural(sp, d)
	}
	couple := func(ref string) bool { return ref == p.Ref || (sp != nil && ref == sp.Ref) }
	for _, c := range v.f.Certificates {
		if !couple(c.Holder) {
			continue
		}
		switch c.Kind {
		case registry.CertOneChild:
			// 从领证之月起 (rules.md §1.4 A-DBF, Henan art. 31): a
			// certificate counts from the month it is issued in.
			if c.Issued.MonthIndex() <= cm && lasts(c.Cancelled, d) {
				ff.certificate = true
				ff.holder = ff.holder || c.Holder == p.Ref
				if ff.certIssued.IsZero() || c.Issued.Before(ff.certIssued) {
					ff.certIssued = c.Issued
				}
			}
		case CertSterilisation:
			v.operation(ff, p.Ref, registry.Contraception{Person: c.Holder, Method: registry.FemaleSterilisation, Date: c.Issued})
		}
	}
	for _, c := range v.f.Contraception {
		if couple(c.Person) {
			v.operation(ff, p.Ref, c)
		}
	}
	yearEnd := date.Of(v.year, 12, 31)
	for _, x := range v.f.Permissions {
		if couple(x.Holder) && x.Kind == registry.PermitSecondBirth && !x.Issued.After(yearEnd) {
			ff.permitted = true
		}
	}
}

// children computes the facts of p's children on d into ff, given the
// couple's facts cf of the same day. With own set, children are counted
// person by person (特扶), else by the remarriage reading (奖扶). With
// counted set, doubtful adoptions count as children. The storage of
// ff.outOfPolicy is reused.
func (v *familyView) children(ff *childFacts, cf *coupleFacts, p *registry.Person, d date.Date, own, counted bool) {
	*ff = childFacts{outOfPolicy: ff.outOfPolicy[:0]}
	sp, nm := cf.spouse, cf.marriages
	kids := v.kids[:0]
	defer func() { v.kids = kids[:0] }()
	doubts := 0
	switch {
	case own:
		doubts += v.childTies(p.Ref, d, false, counted, &kids)
		if len(kids) == 0 && sp != nil && v.readings.childless == ChildlessSameAsSpouse {
			doubts += v.childTies(sp.Ref, d, false, counted, &kids)
			ff.viaSpouse = len(kids) > 0
		}
	case v.readings.remarriage == RemarriageAlways:
		doubts += v.childTies(p.Ref, d, true, counted, &kids)
		if sp != nil {
			doubts += v.childTies(sp.Ref, d, true, counted, &kids)
		}
	case v.readings.remarriage == RemarriageIndividual:
		doubts += v.childTies(p.Ref, d, false, counted, &kids)
	default: // joint_birth_pools
		doubts += v.childTies(p.Ref, d, false, counted, &kids)
		if sp != nil && (nm == 1 && !v.remarriedEver(sp.Ref, d) || v.jointBirth(p.Ref, sp.Ref)) {
			doubts += v.childTies(sp.Ref, d, false, counted, &kids)
		}
	}
	ff.unlawfulAdoptions = doubts
	var event date.Date // the first death or disability of a counted child
	starts := v.starts[:0]
	defer func() { v.starts = starts[:0] }()
	for _, t := range kids {
		ref := t.Child
		c := v.person(ref)
		if c == nil {
			continue
		}
		ff.ever++
		if c.Sex == registry.Female {
			ff.everDaughters++
		}
		start := v.tieStart(t)
		starts = append(starts, start)
		switch t.Kind {
		case registry.Birth:
			ff.everBorn++
			if t.InPolicy != nil && !*t.InPolicy {
				ff.outOfPolicy = append(ff.outOfPolicy, c.Birth)
			}
		case registry.Adoption, registry.AdoptionDeFacto:
			ff.adopted++
		}
		if ff.lastChild.IsZero() || start.After(ff.lastChild) {
			ff.lastChild = start
		}
		if ff.firstChild.IsZero() || c.Birth.Before(ff.firstChild) {
			ff.firstChild = c.Birth
		}
		if ff.youngest.IsZero() || c.Birth.After(ff.youngest) {
			ff.youngest = c.Birth
		}
		for _, a := range v.f.Admissions {
			if a.Person == ref && a.Level == registry.Bachelor && a.Date.Year() == v.year {
				ff.admitted++
				if c.Sex == registry.Female {
					ff.admittedDaughters++
				}
				break
			}
		}
		if !c.Death.IsZero() && c.Death.Before(d) && (event.IsZero() || c.Death.Before(event)) {
			event = c.Death
		}
		if c.AliveOn(d) {
			ff.surviving++
			if c.Sex == registry.Female {
				ff.survivingDaughters++
			}
			for _, dis := range v.f.Disabilities {
				if dis.Person != ref || !begun(dis.From, d) || !lasts(dis.To, d) {
					continue
				}
				if ff.childGrade == 0 || dis.Grade < ff.childGrade {
					ff.childGrade = dis.Grade
				}
				if event.IsZero() || dis.From.Before(event) {
					event = dis.From
				}
			}
		}
	}
	var firstBirth, lastAdoption date.Date
	for _, t := range kids {
		s := v.tieStart(t)
		if t.Kind == registry.Birth && v.person(t.Child) != nil && (firstBirth.IsZero() || s.Before(firstBirth)) {
			firstBirth = s
		}
		if (t.Kind == registry.Adoption || t.Kind == registry.AdoptionDeFacto) && s.After(lastAdoption) {
			lastAdoption = s
		}
	}
	ff.adoptedAfterBirth = !firstBirth.IsZero() && lastAdoption.After(firstBirth)
	if !event.IsZero() {
		for _, s := range starts {
			if s.After(event) {
				ff.laterChild = true
			}
		}
	}
}

// operation records a contraceptive operation of the couple of self, as
// of the end of the benefit year (operations are events that once-only
// awards test by their year).
func (v *familyView) operation(ff *coupleFacts, self string, c registry.Contraception) {
	if c.Date.IsZero() || c.Date.Year() > v.year {
		return
	}
	if c.Sterilisation() && (ff.sterilised.IsZero() || c.Date.Before(ff.sterilised)) {
		ff.sterilised = c.Date
		ff.sterilisedSelf = c.Person == self
	}
	if ff.opDate.IsZero() || !c.Date.Before(ff.opDate) {
		ff.opDate, ff.opMethod, ff.opSelf = c.Date, c.Method, c.Person == self
	}
}

// CertSterilisation is the certificate kind that recorded a sterilisation
// (节育手术证明), dated by its Issued day, before sterilisations had a
// record of their own (registry.Contraception). Case files may still use
// it; it reads as a female sterilisation of the holder.
const CertSterilisation = "sterilisation"

// remarriedEver reports whether ref married more than once by d.
func (v *familyView) remarriedEver(ref string, d date.Date) bool {
	n := 0
	for _, m := range v.marr.of(ref) {
		if begun(m.From, d) {
			n++
		}
	}
	return n > 1
}

// fill copies the family facts of the levels above from up to to into e,
// applying the program's age rule and compliance window.
func (ff *famFacts) fill(e *Env, p *registry.Person, y int, d date.Date, pr *program, from, to int) {
	if from < levelCouple && to >= levelCouple {
		e.Married, e.SpouseRural, e.FirstMarriage, e.Remarried = ff.married, ff.spouseRural, ff.first, ff.remarried
		e.SpouseAge, e.WifeAge = 0, e.Age
		if ff.spouse != nil {
			e.SpouseAge = ageOn(pr.ageRule, ff.spouse.Birth, y, d)
			if p.Sex != registry.Female && ff.spouse.Sex == registry.Female {
				e.WifeAge = e.SpouseAge
			}
		}
		e.HasCertificate, e.CertificateHolder = ff.certificate, ff.holder
		e.Sterilised, e.SterilisedSelf = dateInt(ff.sterilised), ff.sterilisedSelf
		e.CertificateIssued = dateInt(ff.certIssued)
		e.SecondBirthPermitted = ff.permitted
		e.ContraceptionMethod, e.ContraceptionDate, e.ContraceptionSelf = ff.opMethod, dateInt(ff.opDate), ff.opSelf
	}
	if from >= levelChildren || to < levelChildren {
		return
	}
	e.EverChildren, e.EverDaughters, e.EverBorn, e.Adopted = ff.ever, ff.everDaughters, ff.everBorn, ff.adopted
	e.Surviving, e.SurvivingDaughters = ff.surviving, ff.survivingDaughters
	e.Violations = 0
	for _, b := range ff.outOfPolicy {
		if (pr.windowFrom.IsZero() || !b.Before(pr.windowFrom)) && (pr.windowTo.IsZero() || !b.After(pr.windowTo)) {
			e.Violations++
		}
	}
	e.UnlawfulAdoptions = ff.unlawfulAdoptions
	e.ChildDisabilityGrade = ff.childGrade
	e.LaterChild = ff.laterChild
	e.FirstChildBirth = dateInt(ff.firstChild)
	e.ChildAge, e.ChildMonthsOld = 0, 0
	if !ff.youngest.IsZero() {
		e.ChildAge = y - ff.youngest.Year()
		e.ChildMonthsOld = d.MonthIndex() - ff.youngest.MonthIndex()
	}
	e.ViaSpouse = ff.viaSpouse
	e.LastChild, e.LastChildBirth = dateInt(ff.lastChild), dateInt(ff.youngest)
	e.AdoptedAfterBirth = ff.adoptedAfterBirth
	e.ChildrenAdmitted, e.DaughtersAdmitted = ff.admitted, ff.admittedDaughters
}

func envValue(env *Env, i int) any { return reflect.ValueOf(env).Elem().Field(i).Interface() }
