package policy

import (
	"reflect"
	"strings"

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

	// family facts
	Married              bool `expr:"married"`                // a marriage subsists
	SpouseRural          bool `expr:"spouse_rural"`           // the spouse is rural (true when there is no spouse)
	SpouseAge            int  `expr:"spouse_age"`             // 0 when there is no spouse
	WifeAge              int  `expr:"wife_age"`               // the woman's age in a couple; one's own age when single
	FirstMarriage        bool `expr:"first_marriage"`         // married once, and still (原配)
	Remarried            bool `expr:"remarried"`              // married more than once
	EverChildren         int  `expr:"ever_children"`          // children ever born or adopted (counted per the remarriage reading)
	EverDaughters        int  `expr:"ever_daughters"`         //
	EverBorn             int  `expr:"ever_born"`              // births only
	Adopted              int  `expr:"adopted"`                //
	Surviving            int  `expr:"surviving"`              // children alive on the reference day
	SurvivingDaughters   int  `expr:"surviving_daughters"`    //
	Violations           int  `expr:"violations"`             // out-of-policy births in the program's window
	UnlawfulAdoptions    int  `expr:"unlawful_adoptions"`     // de-facto adoptions after defacto_adoption_cutoff
	ChildDisabilityGrade int  `expr:"child_disability_grade"` // most severe grade of a surviving child's disability, 0 none
	LaterChild           bool `expr:"later_child"`            // a birth or adoption after a child's death or disability
	FirstChildBirth      int  `expr:"first_child_birth"`      // YYYYMMDD of the eldest counted child
	ChildAge             int  `expr:"child_age"`              // year-end age of the youngest counted child
	ChildMonthsOld       int  `expr:"child_months_old"`       // whole months from the youngest child's birth month
	HasCertificate       bool `expr:"has_certificate"`        // a one-child certificate of the couple is in force
	CertificateHolder    bool `expr:"certificate_holder"`     // the person holds it
	Sterilised           int  `expr:"sterilisation_date"`     // YYYYMMDD of a recorded sterilisation of the couple, 0 none
	SterilisedSelf       bool `expr:"sterilised_self"`        // the sterilisation is the person's own
	ViaSpouse            bool `expr:"via_spouse"`             // children taken from the spouse (tf_childless_spouse)

	P map[string]int `expr:"P"`
}

// cheapFacts are the Env names that need no family graph.
var cheapFacts = map[string]bool{
	"year": true, "age": true, "birth_year": true, "birth": true, "sex": true, "female": true,
	"alive": true, "hukou_rural": true, "hukou_urban": true, "in_county": true, "pension": true,
	"confirmation_year": true, "retirement_year": true, "employer": true, "complication_grade": true, "P": true,
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
	byRef    map[string]*registry.Person
	ties     map[string][]registry.ParentChild // by parent
	parents  map[string][]registry.ParentChild // by child
	marr     map[string][]registry.Marriage    // by either party
	readings familyReading
	kids     map[string]registry.ParentChild // scratch for family
	starts   []date.Date                     // scratch for family
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
	v := &familyView{
		byRef:   make(map[string]*registry.Person, len(f.Persons)),
		ties:    map[string][]registry.ParentChild{},
		parents: map[string][]registry.ParentChild{},
		marr:    map[string][]registry.Marriage{},
		kids:    map[string]registry.ParentChild{},
	}
	v.reset(f, county, r)
	return v
}

// reset re-indexes v for another family, keeping its maps' storage.
func (v *familyView) reset(f *registry.Family, county string, r familyReading) {
	v.f, v.county, v.readings = f, county, r
	clear(v.byRef)
	for k, s := range v.ties {
		v.ties[k] = s[:0]
	}
	for k, s := range v.parents {
		v.parents[k] = s[:0]
	}
	for k, s := range v.marr {
		v.marr[k] = s[:0]
	}
	if len(v.ties) > 64 {
		clear(v.ties)
		clear(v.parents)
		clear(v.marr)
	}
	for i := range f.Persons {
		v.byRef[f.Persons[i].Ref] = &f.Persons[i]
	}
	for _, t := range f.Children {
		v.ties[t.Parent] = append(v.ties[t.Parent], t)
		v.parents[t.Child] = append(v.parents[t.Child], t)
	}
	for _, m := range f.Marriages {
		v.marr[m.A] = append(v.marr[m.A], m)
		if m.B != m.A {
			v.marr[m.B] = append(v.marr[m.B], m)
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
	case AgeHalfYear:
		a := y - b.Year()
		if d.Month() <= 6 && (b.Month() > 6) {
			a--
		}
		return a
	}
	return y - b.Year()
}

// hukouRural reports whether p counts as rural on d.
func (v *familyView) hukouRural(p *registry.Person, d date.Date) (rural, urban bool) {
	var cur *registry.HukouSpell
	for i := range p.Hukou {
		h := &p.Hukou[i]
		if !h.From.IsZero() && h.From.After(d) {
			continue
		}
		if !h.To.IsZero() && h.To.Before(d) {
			continue
		}
		cur = h
	}
	if cur == nil {
		return false, false
	}
	if cur.Type == registry.Rural {
		return true, false
	}
	return v.readings.landRequisition && cur.Reason == "land_requisition", true
}

func (v *familyView) inCounty(p *registry.Person, d date.Date) bool {
	reg := p.Region
	for _, h := range p.Hukou {
		if h.Region != "" && (h.From.IsZero() || !h.From.After(d)) && (h.To.IsZero() || !h.To.Before(d)) {
			reg = h.Region
		}
	}
	return reg == "" || strings.HasPrefix(reg, v.county)
}

// cheap fills the person-only facts of e for p on d.
func (v *familyView) cheap(e *Env, p *registry.Person, y int, d date.Date, ageRule string) {
	e.Year = y
	e.Age = ageOn(ageRule, p.Birth, y, d)
	e.BirthYear = p.Birth.Year()
	e.Birth = dateInt(p.Birth)
	e.Sex = p.Sex
	e.Female = p.Sex == registry.Female
	e.Alive = p.AliveOn(d)
	e.HukouRural, e.HukouUrban = v.hukouRural(p, d)
	e.InCounty = v.inCounty(p, d)
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
		if c.Person == p.Ref && !c.From.After(d) && (c.To.IsZero() || !c.To.Before(d)) && c.Grade >= 1 && c.Grade <= 3 {
			if e.ComplicationGrade == 0 || c.Grade < e.ComplicationGrade {
				e.ComplicationGrade = c.Grade
			}
		}
	}
}

// famFacts are the family facts of one person on one day for one way of
// counting children; they do not depend on program parameters except the
// window, applied later from the birth dates kept here.
type famFacts struct {
	married, spouseRural, first, remarried bool
	spouse                                 *registry.Person
	ever, everDaughters, everBorn, adopted int
	surviving, survivingDaughters          int
	outOfPolicy                            []date.Date
	unlawfulAdoptions                      int
	childGrade                             int
	laterChild                             bool
	firstChild                             date.Date
	youngest                               date.Date
	certificate, holder                    bool
	sterilised                             date.Date
	sterilisedSelf                         bool
	viaSpouse                              bool
}

// spouseOn returns p's spouse in a marriage subsisting on d, and whether p
// married more than once.
func (v *familyView) spouseOn(ref string, d date.Date) (sp *registry.Person, n int) {
	ms := v.marr[ref]
	for _, m := range ms {
		if m.From.After(d) {
			continue
		}
		n++
		if m.To.IsZero() || !m.To.Before(d) {
			other := m.B
			if other == ref {
				other = m.A
			}
			if o := v.byRef[other]; o != nil && o.AliveOn(d) {
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
	if c := v.byRef[t.Child]; c != nil {
		return c.Birth
	}
	return date.Date{}
}

// childTies returns the ties of parent that count on d (begun by d);
// step-children count only when step is set.
func (v *familyView) childTies(parent string, d date.Date, step bool, out map[string]registry.ParentChild) {
	for _, t := range v.ties[parent] {
		if t.Kind == registry.Step && !step {
			continue
		}
		if s := v.tieStart(t); !s.IsZero() && s.After(d) {
			continue
		}
		if _, dup := out[t.Child]; !dup || t.Kind == registry.Birth {
			out[t.Child] = t
		}
	}
}

// jointBirth reports whether a and b have a child born to both.
func (v *familyView) jointBirth(a, b string) bool {
	for _, t := range v.ties[a] {
		if t.Kind != registry.Birth {
			continue
		}
		for _, u := range v.parents[t.Child] {
			if u.Parent == b && u.Kind == registry.Birth {
				return true
			}
		}
	}
	return false
}

// family computes the family facts of p on d. With own set, children are
// counted person by person (特扶), else by the remarriage reading (奖扶).
func (v *familyView) family(p *registry.Person, d date.Date, own bool) famFacts {
	var ff famFacts
	sp, nm := v.spouseOn(p.Ref, d)
	ff.spouse = sp
	ff.married = sp != nil
	ff.first = sp != nil && nm == 1
	ff.remarried = nm > 1
	ff.spouseRural = true
	if sp != nil {
		ff.spouseRural, _ = v.hukouRural(sp, d)
	}
	kids := v.kids
	clear(kids)
	switch {
	case own:
		v.childTies(p.Ref, d, false, kids)
		if len(kids) == 0 && sp != nil && v.readings.childless == ChildlessSameAsSpouse {
			v.childTies(sp.Ref, d, false, kids)
			ff.viaSpouse = len(kids) > 0
		}
	case v.readings.remarriage == RemarriageAlways:
		v.childTies(p.Ref, d, true, kids)
		if sp != nil {
			v.childTies(sp.Ref, d, true, kids)
		}
	case v.readings.remarriage == RemarriageIndividual:
		v.childTies(p.Ref, d, false, kids)
	default: // joint_birth_pools
		v.childTies(p.Ref, d, false, kids)
		if sp != nil && (nm == 1 && !v.remarriedEver(sp.Ref, d) || v.jointBirth(p.Ref, sp.Ref)) {
			v.childTies(sp.Ref, d, false, kids)
		}
	}
	var event date.Date // the first death or disability of a counted child
	starts := v.starts[:0]
	defer func() { v.starts = starts[:0] }()
	for ref, t := range kids {
		c := v.byRef[ref]
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
			if t.Kind == registry.AdoptionDeFacto && v.readings.defactoCutoffSet && !start.Before(v.readings.defactoCutoff) {
				ff.unlawfulAdoptions++
			}
		}
		if ff.firstChild.IsZero() || c.Birth.Before(ff.firstChild) {
			ff.firstChild = c.Birth
		}
		if ff.youngest.IsZero() || c.Birth.After(ff.youngest) {
			ff.youngest = c.Birth
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
				if dis.Person != ref || dis.From.After(d) || (!dis.To.IsZero() && dis.To.Before(d)) {
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
	if !event.IsZero() {
		for _, s := range starts {
			if s.After(event) {
				ff.laterChild = true
			}
		}
	}
	for _, c := range v.f.Certificates {
		if c.Holder != p.Ref && (sp == nil || c.Holder != sp.Ref) {
			continue
		}
		switch c.Kind {
		case registry.CertOneChild:
			if c.Issued.MonthIndex() <= d.MonthIndex() && (c.Cancelled.IsZero() || !c.Cancelled.Before(d)) {
				ff.certificate = true
				ff.holder = ff.holder || c.Holder == p.Ref
			}
		case CertSterilisation:
			if !c.Issued.After(d) && (ff.sterilised.IsZero() || c.Issued.Before(ff.sterilised)) {
				ff.sterilised = c.Issued
				ff.sterilisedSelf = c.Holder == p.Ref
			}
		}
	}
	return ff
}

// CertSterilisation is the certificate kind that records a sterilisation
// operation (节育手术证明), dated by its Issued day.
const CertSterilisation = "sterilisation"

// remarriedEver reports whether ref married more than once by d.
func (v *familyView) remarriedEver(ref string, d date.Date) bool {
	n := 0
	for _, m := range v.marr[ref] {
		if !m.From.After(d) {
			n++
		}
	}
	return n > 1
}

// fill copies family facts into e, applying the program's age rule and
// compliance window.
func (ff *famFacts) fill(e *Env, p *registry.Person, y int, d date.Date, pr *program) {
	e.Married, e.SpouseRural, e.FirstMarriage, e.Remarried = ff.married, ff.spouseRural, ff.first, ff.remarried
	e.SpouseAge, e.WifeAge = 0, e.Age
	if ff.spouse != nil {
		e.SpouseAge = ageOn(pr.ageRule, ff.spouse.Birth, y, d)
		if p.Sex != registry.Female && ff.spouse.Sex == registry.Female {
			e.WifeAge = e.SpouseAge
		}
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
	e.HasCertificate, e.CertificateHolder = ff.certificate, ff.holder
	e.Sterilised, e.SterilisedSelf = dateInt(ff.sterilised), ff.sterilisedSelf
	e.ViaSpouse = ff.viaSpouse
}

func envValue(env *Env, i int) any { return reflect.ValueOf(env).Elem().Field(i).Interface() }
