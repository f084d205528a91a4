package move

import "github.com/jiahe-project/jiahe/internal/registry"

// Origin is where a person who moved in came from: their id in the old
// county and the relatives they left there.
type Origin struct {
	County    string
	OldID     int64
	Relatives []int64
}

// Widen adds to f, the family of the person with ref self in the new
// county, the relatives they left in the old county as old (the old
// county's facts about the person's old row oldSelf and those
// relatives) holds them: the relatives with the facts about them, and
// the marriages and ties among them and with the person. A relative's
// ref is "county:id", which no person of the new county has, so that the
// rules read one family across the two counties and the new county pays
// on the same facts as the old one did.
func Widen(f *registry.Family, self string, old *registry.Family, oldSelf, county string) {
	rename := func(r string) string {
		if r == oldSelf {
			return self
		}
		return county + ":" + r
	}
	in := map[string]bool{}
	for _, p := range old.Persons {
		in[p.Ref] = true
		if p.Ref == oldSelf || f.Person(rename(p.Ref)) != nil {
			continue
		}
		p.Ref = rename(p.Ref)
		f.Persons = append(f.Persons, p)
	}
	for _, m := range old.Marriages {
		if in[m.A] && in[m.B] {
			m.A, m.B = rename(m.A), rename(m.B)
			f.Marriages = append(f.Marriages, m)
		}
	}
	for _, c := range old.Children {
		if in[c.Parent] && in[c.Child] {
			c.Parent, c.Child = rename(c.Parent), rename(c.Child)
			f.Children = append(f.Children, c)
		}
	}
	// The facts about the person themselves moved with them; the
	// relatives' stay in the old county. Only the facts of the persons
	// of old are read (old may hold others' facts: a batch reads the
	// relatives of all who moved in from one county at once).
	relative := func(r string) bool { return r != oldSelf && in[r] }
	carry(&f.Disabilities, old.Disabilities, func(x *registry.Disability) *string { return &x.Person }, relative, rename)
	carry(&f.Certificates, old.Certificates, func(x *registry.Certificate) *string { return &x.Holder }, relative, rename)
	carry(&f.Complications, old.Complications, func(x *registry.Complication) *string { return &x.Person }, relative, rename)
	carry(&f.Retirements, old.Retirements, func(x *registry.Retirement) *string { return &x.Person }, relative, rename)
	carry(&f.Contraception, old.Contraception, func(x *registry.Contraception) *string { return &x.Person }, relative, rename)
	carry(&f.Permissions, old.Permissions, func(x *registry.BirthPermission) *string { return &x.Holder }, relative, rename)
	carry(&f.Pensions, old.Pensions, func(x *registry.Pension) *string { return &x.Person }, relative, rename)
	carry(&f.Admissions, old.Admissions, func(x *registry.Admission) *string { return &x.Person }, relative, rename)
}

// carry appends to dst the facts of src about a person keep accepts, each
// with its person's ref (who) renamed.
func carry[T any](dst *[]T, src []T, who func(*T) *string, keep func(string) bool, rename func(string) string) {
	for _, x := range src {
		if r := who(&x); keep(*r) {
			*r = rename(*r)
			*dst = append(*dst, x)
		}
	}
}
