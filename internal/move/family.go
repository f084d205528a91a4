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
	for _, x := range old.Disabilities {
		if x.Person != oldSelf && in[x.Person] {
			x.Person = rename(x.Person)
			f.Disabilities = append(f.Disabilities, x)
		}
	}
	for _, x := range old.Certificates {
		if x.Holder != oldSelf && in[x.Holder] {
			x.Holder = rename(x.Holder)
			f.Certificates = append(f.Certificates, x)
		}
	}
	for _, x := range old.Complications {
		if x.Person != oldSelf && in[x.Person] {
			x.Person = rename(x.Person)
			f.Complications = append(f.Complications, x)
		}
	}
	for _, x := range old.Retirements {
		if x.Person != oldSelf && in[x.Person] {
			x.Person = rename(x.Person)
			f.Retirements = append(f.Retirements, x)
		}
	}
	for _, x := range old.Contraception {
		if x.Person != oldSelf && in[x.Person] {
			x.Person = rename(x.Person)
			f.Contraception = append(f.Contraception, x)
		}
	}
	for _, x := range old.Permissions {
		if x.Holder != oldSelf && in[x.Holder] {
			x.Holder = rename(x.Holder)
			f.Permissions = append(f.Permissions, x)
		}
	}
	for _, x := range old.Pensions {
		if x.Person != oldSelf && in[x.Person] {
			x.Person = rename(x.Person)
			f.Pensions = append(f.Pensions, x)
		}
	}
	for _, x := range old.Admissions {
		if x.Person != oldSelf && in[x.Person] {
			x.Person = rename(x.Person)
			f.Admissions = append(f.Admissions, x)
		}
	}
}
