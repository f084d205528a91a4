package registry

import (
	"cmp"
	"slices"
)

// Families holds the registry facts of several persons' families, read
// together: storage fills it, a few persons at a time for the family view
// (FamilyView: the person page, the procedure) or a chunk of a county at a
// time for batch evaluation and impact previews, and Family cuts each
// subject's family out of it. Because every path takes families from here,
// a person's decisions are made on the same facts on the person page, in
// the procedure and in the batch.
//
// The family of subject s is:
//   - s;
//   - every spouse of s (by any marriage, ended or not), with every
//     marriage of those spouses and the persons at their other ends (so
//     that a spouse's earlier marriages count);
//   - every child (by any tie) of s and of those spouses;
//   - the hukou history, the certificates, the contraceptive operations
//     and the birth permissions of s and of the spouses (the others carry
//     one hukou spell of their current type), the disabilities of s and of
//     the children, the university admissions of the children, and the
//     complications, retirements, pension enrolments and confirmations of
//     s.
//
// Storage may hold more rows than these (a batch reads whole key ranges):
// Family takes only what the definition names, so the family of a person
// does not depend on what else was read with it. A Families is not safe
// for concurrent use.
type Families struct {
	County string
	// Subjects are the persons whose families were read, in id order.
	Subjects []int64
	// Persons are every person read, each with one hukou spell of their
	// current type; their recorded histories and other facts are in
	// their Facts (Of).
	Persons map[int64]*Person
	// Marriages are every marriage read, each once; Ties every tie read.
	Marriages []KeyedMarriage
	Ties      []KeyedTie
	// Widen, when set, adds to the family of a subject the relatives read
	// elsewhere: those a person who moved in left in the old county
	// (package move). The reader sets it; it must not keep f.
	Widen func(id int64, f *Family)

	// facts holds each person's facts, so that a family is cut out with
	// one look-up a person.
	facts   map[int64]*Facts
	block   []Facts // the records facts points into, filled up to its capacity
	lastID  int64   // the person Of last returned the facts of (last)
	last    *Facts
	indexed bool    // the marriages and ties of facts are filled in
	members []int64 // scratch of Family
	marr    []int   // scratch of Family
	kids    []int64 // scratch of Family
}

// Facts are the recorded facts of one person read into a Families, each
// list in the order the family view reads it.
type Facts struct {
	Hukou         []HukouSpell
	Disabilities  []Disability
	Certificates  []Certificate
	Complications []Complication
	Retirements   []Retirement
	Confirmations []Confirmation
	Contraception []Contraception
	Permissions   []BirthPermission
	Pensions      []Pension
	Admissions    []Admission

	marriages []int // indexes into Marriages, by start
	ties      []int // indexes into Ties as parent, by child id
}

// noFacts stands for the facts of a person with none recorded.
var noFacts Facts

// Of returns the facts of person id, for storage to add to; the first
// call for a person adds an empty record.
func (fs *Families) Of(id int64) *Facts {
	if fs.last != nil && fs.lastID == id {
		return fs.last // the rows of one person come one after another
	}
	f := fs.facts[id]
	if f == nil {
		// From a block of records, not one allocation each: a chunk of
		// a county scan holds tens of thousands.
		if len(fs.block) == cap(fs.block) {
			fs.block = make([]Facts, 0, 512)
		}
		fs.block = fs.block[:len(fs.block)+1]
		f = &fs.block[len(fs.block)-1]
		fs.facts[id] = f
	}
	fs.lastID, fs.last = id, f
	return f
}

// factsOf returns the facts of person id, empty when none were read.
func (fs *Families) factsOf(id int64) *Facts {
	if f := fs.facts[id]; f != nil {
		return f
	}
	return &noFacts
}

// KeyedMarriage is a marriage with its own id and its parties' ids.
type KeyedMarriage struct {
	ID, A, B int64
	Marriage Marriage
}

// KeyedTie is a parent–child tie with the ids of parent and child.
type KeyedTie struct {
	Parent, Child int64
	Tie           ParentChild
}

// NewFamilies returns an empty set of the families of county.
func NewFamilies(county string) *Families {
	return NewFamiliesSized(county, 0, 0)
}

// NewFamiliesSized is NewFamilies with room for the given numbers of
// persons and of persons with facts: a batch that fills one set after
// another knows about how many the next will hold, and maps grown entry
// by entry are rebuilt several times over.
func NewFamiliesSized(county string, persons, facts int) *Families {
	return &Families{County: county, Persons: make(map[int64]*Person, persons), facts: make(map[int64]*Facts, facts)}
}

// Sizes returns the numbers of persons and of persons with facts held.
func (fs *Families) Sizes() (persons, facts int) { return len(fs.Persons), len(fs.facts) }

// index files the marriages and ties under their persons once all rows
// are in.
func (fs *Families) index() {
	if fs.indexed {
		return
	}
	fs.indexed = true
	for i, m := range fs.Marriages {
		a := fs.Of(m.A)
		a.marriages = append(a.marriages, i)
		if m.B != m.A {
			b := fs.Of(m.B)
			b.marriages = append(b.marriages, i)
		}
	}
	for i, t := range fs.Ties {
		p := fs.Of(t.Parent)
		p.ties = append(p.ties, i)
	}
	for _, f := range fs.facts {
		if len(f.marriages) > 1 {
			slices.SortFunc(f.marriages, func(x, y int) int {
				return cmp.Or(fs.Marriages[x].Marriage.From.Compare(fs.Marriages[y].Marriage.From), cmp.Compare(fs.Marriages[x].ID, fs.Marriages[y].ID))
			})
		}
		if len(f.ties) > 1 {
			slices.SortFunc(f.ties, func(x, y int) int { return cmp.Compare(fs.Ties[x].Child, fs.Ties[y].Child) })
		}
	}
}

// Each calls fn with the family of every subject in turn. The family is
// rebuilt in the same storage from one call to the next: fn must not keep
// it.
func (fs *Families) Each(fn func(id int64, f *Family) error) error {
	var f Family
	for _, id := range fs.Subjects {
		fs.build(id, &f)
		if err := fn(id, &f); err != nil {
			return err
		}
	}
	return nil
}

// Family returns the family of person id (nil when the person was not
// read).
func (fs *Families) Family(id int64) *Family {
	if fs.Persons[id] == nil {
		return nil
	}
	f := &Family{}
	fs.build(id, f)
	return f
}

// build writes the family of id into f, reusing its storage.
func (fs *Families) build(id int64, f *Family) {
	fs.index()
	f.Persons, f.Marriages, f.Children = f.Persons[:0], f.Marriages[:0], f.Children[:0]
	f.Disabilities, f.Certificates, f.Complications = f.Disabilities[:0], f.Certificates[:0], f.Complications[:0]
	f.Confirmations, f.Retirements = f.Confirmations[:0], f.Retirements[:0]
	f.Contraception, f.Permissions, f.Pensions, f.Admissions = f.Contraception[:0], f.Permissions[:0], f.Pensions[:0], f.Admissions[:0]
	fs.members, fs.marr, fs.kids = fs.members[:0], fs.marr[:0], fs.kids[:0]

	// add puts person pid in the family once; it reports whether the
	// person is known.
	add := func(pid int64) bool {
		if slices.Contains(fs.members, pid) {
			return true
		}
		p := fs.Persons[pid]
		if p == nil {
			return false
		}
		fs.members = append(fs.members, pid)
		f.Persons = append(f.Persons, *p)
		return true
	}
	// marriagesOf adds the marriages of pid whose other party is known.
	marriagesOf := func(pid int64) {
		for _, mi := range fs.factsOf(pid).marriages {
			if slices.Contains(fs.marr, mi) {
				continue
			}
			m := &fs.Marriages[mi]
			other := m.B
			if other == pid {
				other = m.A
			}
			if !add(other) {
				continue
			}
			fs.marr = append(fs.marr, mi)
			f.Marriages = append(f.Marriages, m.Marriage)
		}
	}
	add(id)
	marriagesOf(id)
	spouses := len(fs.members) // members[1:spouses] are the spouses
	for _, sp := range fs.members[1:spouses] {
		marriagesOf(sp)
	}
	parents := fs.members[:spouses]
	for _, par := range parents {
		for _, ti := range fs.factsOf(par).ties {
			t := &fs.Ties[ti]
			if !add(t.Child) { // a child not read (another county) is left out
				continue
			}
			f.Children = append(f.Children, t.Tie)
			if t.Child != id && !slices.Contains(fs.kids, t.Child) {
				fs.kids = append(fs.kids, t.Child)
			}
		}
	}
	for i, pid := range parents {
		pf := fs.factsOf(pid)
		if len(pf.Hukou) > 0 {
			f.Persons[i].Hukou = pf.Hukou
		}
		f.Certificates = append(f.Certificates, pf.Certificates...)
		f.Contraception = append(f.Contraception, pf.Contraception...)
		f.Permissions = append(f.Permissions, pf.Permissions...)
	}
	own := fs.factsOf(id)
	f.Disabilities = append(f.Disabilities, own.Disabilities...)
	for _, kid := range fs.kids {
		kf := fs.factsOf(kid)
		f.Disabilities = append(f.Disabilities, kf.Disabilities...)
		f.Admissions = append(f.Admissions, kf.Admissions...)
	}
	f.Complications = append(f.Complications, own.Complications...)
	f.Retirements = append(f.Retirements, own.Retirements...)
	f.Pensions = append(f.Pensions, own.Pensions...)
	f.Confirmations = append(f.Confirmations, own.Confirmations...)
	if fs.Widen != nil {
		fs.Widen(id, f)
	}
}
