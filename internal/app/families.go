package app

import (
	"context"
	"slices"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// familyChunk is how many persons' families are read at a time.
const familyChunk = 500

// families reads the family the rules see for each of persons of county —
// the family registry.FamilyView gives: the person, their spouses and
// children, the children's other parents, and once more the relatives of
// those, with all their facts and the roll's confirmations — a chunk of
// persons at a time: two look-ups of relatives and one read of facts per
// chunk, each person's family then cut out of the chunk's in memory.
func families(ctx context.Context, tx *store.Tx, county string, persons []int64) (map[int64]*registry.Family, error) {
	out := make(map[int64]*registry.Family, len(persons))
	for start := 0; start < len(persons); start += familyChunk {
		chunk := persons[start:min(start+familyChunk, len(persons))]
		ids := slices.Clone(chunk)
		for round := 0; round < 2; round++ {
			rel, err := tx.Relatives(ctx, county, ids)
			if err != nil {
				return nil, err
			}
			ids = mergeIDs(ids, rel)
		}
		all, err := tx.FamilyFacts(ctx, county, ids)
		if err != nil {
			return nil, err
		}
		g := newKin(all)
		for _, id := range chunk {
			if !g.known[ref(id)] {
				continue // not in the registry of the county
			}
			out[id] = g.familyOf(ref(id))
		}
	}
	return out, nil
}

func ref(id int64) string { return strconv.FormatInt(id, 10) }

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

// kin is the graph of a chunk's families: who is married to whom, and
// whose children are whose.
type kin struct {
	f        *registry.Family
	known    map[string]bool // the persons read
	spouses  map[string][]string
	children map[string][]string
	parents  map[string][]string
}

func newKin(f *registry.Family) *kin {
	g := &kin{f: f, known: map[string]bool{}, spouses: map[string][]string{}, children: map[string][]string{}, parents: map[string][]string{}}
	for _, p := range f.Persons {
		g.known[p.Ref] = true
	}
	for _, m := range f.Marriages {
		g.spouses[m.A] = append(g.spouses[m.A], m.B)
		g.spouses[m.B] = append(g.spouses[m.B], m.A)
	}
	for _, t := range f.Children {
		g.children[t.Parent] = append(g.children[t.Parent], t.Child)
		g.parents[t.Child] = append(g.parents[t.Child], t.Parent)
	}
	return g
}

// relatives adds to in the relatives of its members as store.Relatives
// finds them: spouses, children, and the children's parents.
func (g *kin) relatives(in map[string]bool) {
	var add []string
	for p := range in {
		add = append(add, g.spouses[p]...)
		for _, c := range g.children[p] {
			add = append(add, c)
			add = append(add, g.parents[c]...)
		}
	}
	for _, p := range add {
		in[p] = true
	}
}

// familyOf cuts the family of person p out of the chunk: two rounds of
// relatives, the ties among them and their facts, in the chunk's order.
func (g *kin) familyOf(p string) *registry.Family {
	in := map[string]bool{p: true}
	g.relatives(in)
	g.relatives(in)
	f := g.f
	out := &registry.Family{}
	for _, x := range f.Persons {
		if in[x.Ref] {
			out.Persons = append(out.Persons, x)
		}
	}
	for _, m := range f.Marriages {
		if in[m.A] && in[m.B] {
			out.Marriages = append(out.Marriages, m)
		}
	}
	for _, t := range f.Children {
		if in[t.Parent] && in[t.Child] {
			out.Children = append(out.Children, t)
		}
	}
	for _, d := range f.Disabilities {
		if in[d.Person] {
			out.Disabilities = append(out.Disabilities, d)
		}
	}
	for _, c := range f.Certificates {
		if in[c.Holder] {
			out.Certificates = append(out.Certificates, c)
		}
	}
	for _, c := range f.Complications {
		if in[c.Person] {
			out.Complications = append(out.Complications, c)
		}
	}
	for _, c := range f.Confirmations {
		if in[c.Person] {
			out.Confirmations = append(out.Confirmations, c)
		}
	}
	for _, r := range f.Retirements {
		if in[r.Person] {
			out.Retirements = append(out.Retirements, r)
		}
	}
	return out
}
