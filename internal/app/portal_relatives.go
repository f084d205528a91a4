package app

import "github.com/jiahe-project/jiahe/internal/registry"

// SelfRelative is one relative of the signed-in citizen as the registry has
// it: a spouse (or former spouse), a child or a parent, with the kind of
// the tie to a child or parent (birth, adoption, step).
type SelfRelative struct {
	Person registry.Person
	Kind   string // spouse, former, child, parent
	Tie    string
}

// Relatives lists the citizen's spouses first, then their children and
// parents, in the registry's order.
func (f *SelfFamily) Relatives() []SelfRelative {
	me := f.Me.Ref()
	var rels []SelfRelative
	for _, m := range f.Family.Marriages {
		other := m.B
		if m.B == me {
			other = m.A
		} else if m.A != me {
			continue
		}
		if p := f.Family.Person(other); p != nil {
			kind := "spouse"
			if !m.To.IsZero() {
				kind = "former"
			}
			rels = append(rels, SelfRelative{Person: *p, Kind: kind})
		}
	}
	for _, t := range f.Family.Children {
		switch me {
		case t.Parent:
			if p := f.Family.Person(t.Child); p != nil {
				rels = append(rels, SelfRelative{Person: *p, Kind: "child", Tie: t.Kind})
			}
		case t.Child:
			if p := f.Family.Person(t.Parent); p != nil {
				rels = append(rels, SelfRelative{Person: *p, Kind: "parent", Tie: t.Kind})
			}
		}
	}
	return rels
}

// Spouse is the citizen's spouse of a marriage not ended, or nil.
func (f *SelfFamily) Spouse() *registry.Person {
	for _, r := range f.Relatives() {
		if r.Kind == "spouse" {
			p := r.Person
			return &p
		}
	}
	return nil
}
