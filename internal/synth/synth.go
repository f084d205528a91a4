// Package synth generates a synthetic county population for demonstrations,
// load tests and realism checks of the benefit rules.
//
// The generator simulates each village year by year from 1920: people are
// born, marry, have children under the birth policy of the era, divorce,
// remarry, adopt, move their hukou, are converted to urban hukou when their
// village's land is requisitioned, become disabled, retire and die. Only the
// people who belong in a registry are emitted: everyone alive on or after
// 1980-01-01 and everyone born since 1950. See docs/synthetic.md for the
// rates and their sources.
//
// Output is streamed to a Sink in batches that hold whole villages, so the
// memory used does not grow with the size of the county. The same Config
// gives the same population.
package synth

import (
	"context"
	"errors"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Config describes the population to generate.
type Config struct {
	// County is the six-digit county code; its villages (or, where the
	// shipped tree has no villages, its townships) receive the population.
	County string
	// Persons is the approximate number of persons to emit (alive or dead).
	Persons int
	// Seed selects the population; the same seed gives the same one.
	Seed uint64
	// AsOf is the last day simulated (default 2025-06-30).
	AsOf date.Date
	// BatchPersons is the minimum number of persons per Batch (default
	// 20,000); villages are never split.
	BatchPersons int
	// Moves, when set, receives each hukou move to another county the
	// generator draws (moves.go), for the caller to hand over.
	Moves func(PlannedMove)
	// Transfers asks the loader to hand those moves over to the counties
	// moved to (jiahe gen --transfers), which then hold persons too.
	Transfers bool
}

// DefaultAsOf is the last simulated day when Config.AsOf is zero.
var DefaultAsOf = date.Of(2025, 6, 30)

// MaxPersons is the largest population Generate accepts.
const MaxPersons = 50_000_000

// Person is one emitted person. IDs in a Batch are batch-local (1…n per
// table) until Batch.Shift moves them into the ranges reserved for them.
type Person struct {
	ID        int64
	IDNumber  string
	Name      string
	Sex       string // registry.Male or registry.Female
	Birth     date.Date
	Death     date.Date
	Region    string // 12-digit division of the current (or last) hukou
	HukouType string // registry.Rural or registry.Urban
	Pension   string // registry.Pension…
	Marital   string // GB/T 2261.2: 10, 21, 22, 30, 40
	// Residence is where a living person lives when it is not their
	// hukou's township ("" otherwise): a migrant (moves.go).
	Residence string
	// MoveTo is the county of the province the person's hukou moved to
	// in the year before AsOf, on MoveOn ("" when it did not): a
	// transfer the county has to hand over (package move).
	MoveTo string
	MoveOn date.Date
}

// HukouSpell is one period of a person's hukou type and division.
type HukouSpell struct {
	ID       int64
	PersonID int64
	Type     string
	Region   string
	From     date.Date
	To       date.Date
	Reason   string // birth, move_in, conversion, land_requisition
}

// Marriage is one marriage; To and End are set when it ended.
type Marriage struct {
	ID   int64
	A, B int64 // husband, wife
	From date.Date
	To   date.Date
	End  string // "", registry.EndDivorce, registry.EndDeath
}

// ParentChild is one parent–child tie. InPolicy is nil when unknown or not
// applicable (adoptions, step-children).
type ParentChild struct {
	ID       int64
	Parent   int64
	Child    int64
	Kind     string // registry.Birth, Adoption, AdoptionDeFacto, Step
	From     date.Date
	InPolicy *bool
}

// Disability is a disability certificate (残疾人证).
type Disability struct {
	ID       int64
	PersonID int64
	Grade    int
	Category string // sight, hearing, speech, limb, intellect, mental, multiple
	From     date.Date
	To       date.Date
}

// Certificate is a certificate such as the one-child parents' certificate.
type Certificate struct {
	ID           int64
	Holder       int64
	Kind         string
	Number       string
	Issued       date.Date
	Cancelled    date.Date
	CancelReason string
}

// Complication is a graded complication of a family-planning operation.
type Complication struct {
	ID       int64
	PersonID int64
	Grade    int
	From     date.Date
}

// Retirement is a retirement with the kind of employer.
type Retirement struct {
	ID       int64
	PersonID int64
	Date     date.Date
	Employer string // enterprise, institution, government
}

// Contraception is a contraceptive operation: a sterilisation, an IUD or
// an implant (registry.Contraception).
type Contraception struct {
	ID       int64
	PersonID int64
	Method   string // registry.MaleSterilisation …
	Date     date.Date
}

// BirthPermission is a permission for a second birth (再生育审批).
type BirthPermission struct {
	ID     int64
	Holder int64
	Kind   string // registry.PermitSecondBirth
	Number string
	Issued date.Date
}

// Pension is an enrolment in a pension scheme and, from Drawing, its
// payment by the county's agency (Region).
type Pension struct {
	ID       int64
	PersonID int64
	Scheme   string // registry.PensionResident or registry.PensionUrbanEmployee
	Enrolled date.Date
	Drawing  date.Date
	Region   string
}

// Admission is an admission to higher education.
type Admission struct {
	ID       int64
	PersonID int64
	Date     date.Date
	Level    string // registry.Bachelor or registry.College
}

// Batch is a self-contained part of the population: every id it refers to
// is one of its own rows.
type Batch struct {
	County        string
	Persons       []Person
	Hukou         []HukouSpell
	Marriages     []Marriage
	Children      []ParentChild
	Disabilities  []Disability
	Certificates  []Certificate
	Complications []Complication
	Retirements   []Retirement
	Contraception []Contraception
	Permissions   []BirthPermission
	Pensions      []Pension
	Admissions    []Admission
	// The services of births and the under-threes (services.go).
	Registrations []BirthRegistration
	Claims        []SubsidyClaim
	Recipients    []Recipient
	Institutions  []Institution
	Inspections   []Inspection
}

// Offsets are added to the batch-local ids of each table by Shift.
type Offsets struct {
	Person, Hukou, Marriage, ParentChild, Disability, Certificate, Complication, Retirement int64
	Contraception, Permission, Pension, Admission                                           int64
	Registration, Claim, Recipient, Institution, Inspection                                 int64
}

// Shift adds o to every id of b and to every reference to a person.
func (b *Batch) Shift(o Offsets) {
	for i := range b.Persons {
		b.Persons[i].ID += o.Person
	}
	for i := range b.Hukou {
		b.Hukou[i].ID += o.Hukou
		b.Hukou[i].PersonID += o.Person
	}
	for i := range b.Marriages {
		m := &b.Marriages[i]
		m.ID += o.Marriage
		m.A += o.Person
		m.B += o.Person
	}
	for i := range b.Children {
		c := &b.Children[i]
		c.ID += o.ParentChild
		c.Parent += o.Person
		c.Child += o.Person
	}
	for i := range b.Disabilities {
		b.Disabilities[i].ID += o.Disability
		b.Disabilities[i].PersonID += o.Person
	}
	for i := range b.Certificates {
		b.Certificates[i].ID += o.Certificate
		b.Certificates[i].Holder += o.Person
	}
	for i := range b.Complications {
		b.Complications[i].ID += o.Complication
		b.Complications[i].PersonID += o.Person
	}
	for i := range b.Retirements {
		b.Retirements[i].ID += o.Retirement
		b.Retirements[i].PersonID += o.Person
	}
	for i := range b.Contraception {
		b.Contraception[i].ID += o.Contraception
		b.Contraception[i].PersonID += o.Person
	}
	for i := range b.Permissions {
		b.Permissions[i].ID += o.Permission
		b.Permissions[i].Holder += o.Person
	}
	for i := range b.Pensions {
		b.Pensions[i].ID += o.Pension
		b.Pensions[i].PersonID += o.Person
	}
	for i := range b.Admissions {
		b.Admissions[i].ID += o.Admission
		b.Admissions[i].PersonID += o.Person
	}
	person := func(id *int64) {
		if *id != 0 {
			*id += o.Person
		}
	}
	for i := range b.Registrations {
		r := &b.Registrations[i]
		r.ID += o.Registration
		person(&r.Mother)
		person(&r.Father)
		person(&r.Applicant)
		person(&r.Child)
		for k := range r.Counted {
			r.Counted[k] += o.Person
		}
	}
	for i := range b.Claims {
		c := &b.Claims[i]
		c.ID += o.Claim
		person(&c.Child)
		person(&c.Applicant)
		if c.RecipientID != 0 {
			c.RecipientID += o.Recipient
		}
	}
	for i := range b.Recipients {
		b.Recipients[i].ID += o.Recipient
		b.Recipients[i].PersonID += o.Person
	}
	for i := range b.Institutions {
		b.Institutions[i].ID += o.Institution
	}
	for i := range b.Inspections {
		b.Inspections[i].ID += o.Inspection
		b.Inspections[i].InstitutionID += o.Institution
	}
}

// Rows returns the number of rows in b, all tables together.
func (b *Batch) Rows() int {
	return len(b.Persons) + len(b.Hukou) + len(b.Marriages) + len(b.Children) +
		len(b.Disabilities) + len(b.Certificates) + len(b.Complications) + len(b.Retirements) +
		len(b.Contraception) + len(b.Permissions) + len(b.Pensions) + len(b.Admissions) +
		len(b.Registrations) + len(b.Claims) + len(b.Recipients) + len(b.Institutions) + len(b.Inspections)
}

func (b *Batch) reset() {
	*b = Batch{County: b.County,
		Persons: b.Persons[:0], Hukou: b.Hukou[:0], Marriages: b.Marriages[:0], Children: b.Children[:0],
		Disabilities: b.Disabilities[:0], Certificates: b.Certificates[:0],
		Complications: b.Complications[:0], Retirements: b.Retirements[:0],
		Contraception: b.Contraception[:0], Permissions: b.Permissions[:0], Pensions: b.Pensions[:0], Admissions: b.Admissions[:0],
		Registrations: b.Registrations[:0], Claims: b.Claims[:0], Recipients: b.Recipients[:0], Institutions: b.Institutions[:0],
		Inspections: b.Inspections[:0]}
}

// Sink receives batches. Write may keep b only until it returns; the
// generator reuses its memory.
type Sink interface {
	Write(ctx context.Context, b *Batch) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, b *Batch) error

// Write calls f.
func (f SinkFunc) Write(ctx context.Context, b *Batch) error { return f(ctx, b) }

// Stats counts what Generate emitted.
type Stats struct {
	Persons, Alive, Hukou, Marriages, Children, Disabilities, Certificates, Complications, Retirements int
	Contraception, Permissions, Pensions, Admissions                                                   int
	Registrations, Claims, Institutions, Inspections                                                   int
	Villages                                                                                           int
	// Migrants counts the living who live away from their hukou's
	// township, Moves the hukou moves to other counties to hand over
	// (moves.go; Config.Moves receives them).
	Migrants, Moves int
	// Present counts the persons of batches a loader found already
	// written by an earlier run that was stopped part-way, and so did not
	// write again (set by the loader, not by Generate).
	Present int
}

func (s *Stats) add(b *Batch, asOf date.Date) {
	s.Persons += len(b.Persons)
	for i := range b.Persons {
		p := &b.Persons[i]
		if p.Death.IsZero() || p.Death.After(asOf) {
			s.Alive++
		}
		if p.Residence != "" {
			s.Migrants++
		}
		if p.MoveTo != "" {
			s.Moves++
		}
	}
	s.Hukou += len(b.Hukou)
	s.Marriages += len(b.Marriages)
	s.Children += len(b.Children)
	s.Disabilities += len(b.Disabilities)
	s.Certificates += len(b.Certificates)
	s.Complications += len(b.Complications)
	s.Retirements += len(b.Retirements)
	s.Contraception += len(b.Contraception)
	s.Permissions += len(b.Permissions)
	s.Pensions += len(b.Pensions)
	s.Admissions += len(b.Admissions)
	s.Registrations += len(b.Registrations)
	s.Claims += len(b.Claims)
	s.Institutions += len(b.Institutions)
	s.Inspections += len(b.Inspections)
}

// Check validates cfg and fills in defaults.
func (cfg *Config) Check() error {
	if cfg.AsOf.IsZero() {
		cfg.AsOf = DefaultAsOf
	}
	if cfg.BatchPersons <= 0 {
		cfg.BatchPersons = 20_000
	}
	if cfg.Persons < 1 || cfg.Persons > MaxPersons {
		return apperr.Invalidf("persons", "人数必须在1到%d之间", "persons must be between 1 and %d", MaxPersons)
	}
	if cfg.AsOf.Year() < 1990 || cfg.AsOf.Year() > 2100 {
		return apperr.Invalidf("as_of", "模拟截止日期必须在1990年到2100年之间", "the simulation end date must be between 1990 and 2100")
	}
	c, err := region.ParseCode(cfg.County)
	if err != nil || c.Level() != region.County {
		return apperr.Invalidf("county", "县级区划代码无效：%s", "invalid county code: %s", cfg.County)
	}
	if _, ok := region.Default().Lookup(c); !ok {
		return apperr.Invalidf("county", "区划代码不存在：%s", "unknown county code: %s", cfg.County)
	}
	cfg.County = string(c)
	return nil
}

// Generate simulates the population described by cfg and writes it to sink
// in batches. It returns what it emitted; on error (from the sink or a
// cancelled ctx) the batches already written stay written.
func Generate(ctx context.Context, cfg Config, sink Sink) (Stats, error) {
	if err := cfg.Check(); err != nil {
		return Stats{}, err
	}
	g, err := newGenerator(cfg)
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	batch := &Batch{County: cfg.County}
	flush := func() error {
		if len(batch.Persons) == 0 {
			return nil
		}
		st.add(batch, cfg.AsOf)
		if cfg.Moves != nil {
			for i := range batch.Persons {
				if p := &batch.Persons[i]; p.MoveTo != "" {
					cfg.Moves(PlannedMove{IDNumber: p.IDNumber, To: p.MoveTo, On: p.MoveOn})
				}
			}
		}
		if err := sink.Write(ctx, batch); err != nil {
			return err
		}
		batch.reset()
		return nil
	}
	for i := range g.villages {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		g.simulateVillage(i, batch)
		st.Villages++
		if len(batch.Persons) >= cfg.BatchPersons {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	if err := flush(); err != nil {
		return st, err
	}
	if st.Persons == 0 {
		return st, errors.New("synth: no persons generated")
	}
	return st, nil
}
