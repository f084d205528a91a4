// Package registry is the population registry (全员人口信息): persons, hukou
// history, marriages, parent–child ties, deaths, disability, certificates,
// complications, retirements, contraceptive operations, birth permissions,
// pension enrolments and university admissions, and the family view that
// policy rules read.
//
// The types here serve both the database and the case file of `jiahe check`:
// people refer to each other by Ref, a string that is the person's database
// id when the family comes from the registry and a short label ("h", "w",
// "c1") in a case file.
package registry

import (
	"github.com/jiahe-project/jiahe/internal/date"
)

// Sex values (GB/T 2261.1 reduced to what rules need).
const (
	Male   = "M"
	Female = "F"
)

// Hukou types.
const (
	Rural = "rural" // 农业 / 农村居民
	Urban = "urban" // 非农业 / 城镇居民
)

// Pension types.
const (
	PensionNone          = "none"
	PensionUrbanEmployee = "urban_employee"
	PensionResident      = "resident"
)

// Parent–child link kinds.
const (
	Birth           = "birth"
	Adoption        = "adoption"         // registered with civil affairs (民政)
	AdoptionDeFacto = "adoption_defacto" // de-facto adoption (事实收养)
	Step            = "step"             // step-child through remarriage
)

// Marriage end reasons.
const (
	EndDivorce = "divorce"
	EndDeath   = "death"
)

// Certificate kinds.
const (
	CertOneChild = "one_child" // 独生子女父母光荣证
)

// HukouSpell is one period of a person's hukou type. To is the zero date
// while the spell is current.
type HukouSpell struct {
	Type   string    `json:"type"`
	From   date.Date `json:"from"`
	To     date.Date `json:"to,omitempty"`
	Reason string    `json:"reason,omitempty"` // e.g. land_requisition (征地农转非)
	Region string    `json:"region,omitempty"` // 12-digit division of the hukou, when known
}

// Person is one person as rules and the registry see them.
type Person struct {
	Ref      string       `json:"ref"`
	IDNumber string       `json:"id_number,omitempty"`
	Name     string       `json:"name,omitempty"`
	Sex      string       `json:"sex"`
	Birth    date.Date    `json:"birth"`
	Death    date.Date    `json:"death"`
	Hukou    []HukouSpell `json:"hukou,omitempty"`
	Pension  string       `json:"pension,omitempty"`
	Region   string       `json:"region,omitempty"` // current 12-digit (or 6-digit) division
}

// HukouOn returns the hukou type in force on day d ("" when unknown). A
// spell without a From date counts from birth.
func (p *Person) HukouOn(d date.Date) string {
	t := ""
	for _, h := range p.Hukou {
		if !h.From.IsZero() && h.From.After(d) {
			continue
		}
		if !h.To.IsZero() && h.To.Before(d) {
			continue
		}
		t = h.Type
	}
	return t
}

// AliveOn reports whether p was born on or before d and had not died before d.
func (p *Person) AliveOn(d date.Date) bool {
	if !p.Birth.IsZero() && p.Birth.After(d) {
		return false
	}
	return p.Death.IsZero() || !p.Death.Before(d)
}

// Marriage is one marriage between A and B. To and End are set when it ended.
type Marriage struct {
	A    string    `json:"a"`
	B    string    `json:"b"`
	From date.Date `json:"from"`
	To   date.Date `json:"to"`
	End  string    `json:"end"`
}

// ParentChild ties a parent to a child. From is when the tie began (an
// adoption's date); zero means the child's birth. InPolicy is the birth's
// policy status (政策内), nil when unknown. Ruling is the staff's decision
// on a de-facto adoption the rules cannot settle alone (one made after
// the 1992 adoption law without civil-affairs papers): RulingCounted or
// RulingNotCounted; "" while nobody has decided.
type ParentChild struct {
	Parent   string    `json:"parent"`
	Child    string    `json:"child"`
	Kind     string    `json:"kind"`
	From     date.Date `json:"from,omitempty"`
	InPolicy *bool     `json:"in_policy,omitempty"`
	Ruling   string    `json:"ruling,omitempty"`
}

// Rulings on a doubtful de-facto adoption.
const (
	RulingCounted    = "counted"     // staff accept the child as the parent's
	RulingNotCounted = "not_counted" // staff decide the child does not count
)

// Disability is a disability assessment (残疾人证) of a person.
type Disability struct {
	Person   string    `json:"person"`
	Grade    int       `json:"grade"`
	Category string    `json:"category,omitempty"`
	From     date.Date `json:"from"`
	To       date.Date `json:"to"`
}

// Certificate is a certificate held by a person, such as the one-child
// parents' certificate (独生子女父母光荣证).
type Certificate struct {
	Holder    string    `json:"holder"`
	Kind      string    `json:"kind"`
	Number    string    `json:"number,omitempty"`
	Issued    date.Date `json:"issued"`
	Cancelled date.Date `json:"cancelled"`
}

// Complication is an assessed complication of a family-planning operation
// (计划生育手术并发症), grade 1–3.
type Complication struct {
	Person string    `json:"person"`
	Grade  int       `json:"grade"`
	From   date.Date `json:"from"`
	To     date.Date `json:"to,omitempty"`
}

// Contraception methods (节育措施) of a Contraception record.
const (
	MaleSterilisation   = "male_sterilisation"   // 男扎
	FemaleSterilisation = "female_sterilisation" // 女扎
	IUD                 = "iud"                  // 放置宫内节育器
	Implant             = "implant"              // 皮下埋植
)

// Contraception is a contraceptive operation (节育手术) on a person: a
// sterilisation, an IUD or an implant, dated by the operation.
type Contraception struct {
	Person string    `json:"person"`
	Method string    `json:"method"`
	Date   date.Date `json:"date"`
}

// Sterilisation reports whether c is a sterilisation (male or female).
func (c Contraception) Sterilisation() bool {
	return c.Method == MaleSterilisation || c.Method == FemaleSterilisation
}

// Birth permission kinds.
const (
	PermitSecondBirth = "second_birth" // 再生育（二孩）审批 / 生育证
)

// BirthPermission is a permission to have a further child (再生育审批,
// 二孩生育证) granted to a person (or couple) on a date.
type BirthPermission struct {
	Holder string    `json:"holder"`
	Kind   string    `json:"kind"`
	Number string    `json:"number,omitempty"`
	Issued date.Date `json:"issued"`
}

// Pension is a person's enrolment in a pension scheme (养老保险参保): the
// scheme (PensionResident or PensionUrbanEmployee), when the person
// enrolled, when they began drawing it and the county (six-digit code) of
// the agency that pays it.
type Pension struct {
	Person   string    `json:"person"`
	Scheme   string    `json:"scheme"`
	Enrolled date.Date `json:"enrolled"`
	Ended    date.Date `json:"ended,omitempty"`
	Drawing  date.Date `json:"drawing,omitempty"`
	Region   string    `json:"region,omitempty"`
}

// Admission levels of higher education.
const (
	Bachelor = "bachelor" // 本科（含三本）
	College  = "college"  // 专科
)

// Admission is a person's admission to higher education (高校录取).
type Admission struct {
	Person string    `json:"person"`
	Date   date.Date `json:"date"`
	Level  string    `json:"level"`
}

// Confirmation says when a program was applied for and confirmed for a person.
type Confirmation struct {
	Person    string    `json:"person"`
	Program   string    `json:"program"`
	Applied   date.Date `json:"applied"`
	Confirmed date.Date `json:"confirmed"`
}

// Retirement records a person's retirement and the kind of employer.
type Retirement struct {
	Person   string    `json:"person"`
	Date     date.Date `json:"date"`
	Employer string    `json:"employer,omitempty"` // enterprise, institution, government
}

// Family is the family view rules read: a set of persons and the facts
// that tie them together. A family from the registry is the one Families
// cuts out for a person: the person, their spouses (all marriages, with the
// spouses' own marriages) and the children (all kinds) of them all.
type Family struct {
	Persons       []Person       `json:"persons"`
	Marriages     []Marriage     `json:"marriages,omitempty"`
	Children      []ParentChild  `json:"children,omitempty"`
	Disabilities  []Disability   `json:"disabilities,omitempty"`
	Certificates  []Certificate  `json:"certificates,omitempty"`
	Complications []Complication `json:"complications,omitempty"`
	Confirmations []Confirmation `json:"confirmations,omitempty"`
	Retirements   []Retirement   `json:"retirements,omitempty"`
	// Contraception, Permissions, Pensions and Admissions extend the case
	// format of design §4.
	Contraception []Contraception   `json:"contraception,omitempty"`
	Permissions   []BirthPermission `json:"birth_permissions,omitempty"`
	Pensions      []Pension         `json:"pensions,omitempty"`
	Admissions    []Admission       `json:"admissions,omitempty"`
}

// Person returns the person with ref, or nil.
func (f *Family) Person(ref string) *Person {
	for i := range f.Persons {
		if f.Persons[i].Ref == ref {
			return &f.Persons[i]
		}
	}
	return nil
}
