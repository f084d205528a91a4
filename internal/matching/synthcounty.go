package matching

import (
	"context"
	"iter"
	"slices"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// SynthCounty is a synthetic county held in memory: the population
// package synth generates for a Config, with ids numbered from 1 in the
// order generated, as `jiahe gen` numbers them in an empty database.
// Persons[i].ID is i+1.
type SynthCounty struct {
	County       string
	AsOf         date.Date
	Persons      []synth.Person
	Hukou        []synth.HukouSpell
	Marriages    []synth.Marriage
	Children     []synth.ParentChild
	Disabilities []synth.Disability
	Retirements  []synth.Retirement
}

// GenerateCounty generates the county cfg describes into memory.
func GenerateCounty(ctx context.Context, cfg synth.Config) (*SynthCounty, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	c := &SynthCounty{County: cfg.County, AsOf: cfg.AsOf}
	var o synth.Offsets
	_, err := synth.Generate(ctx, cfg, synth.SinkFunc(func(_ context.Context, b *synth.Batch) error {
		b.Shift(o)
		c.Persons = append(c.Persons, b.Persons...)
		c.Hukou = append(c.Hukou, b.Hukou...)
		c.Marriages = append(c.Marriages, b.Marriages...)
		c.Children = append(c.Children, b.Children...)
		c.Disabilities = append(c.Disabilities, b.Disabilities...)
		c.Retirements = append(c.Retirements, b.Retirements...)
		o.Person += int64(len(b.Persons))
		o.Hukou += int64(len(b.Hukou))
		o.Marriage += int64(len(b.Marriages))
		o.ParentChild += int64(len(b.Children))
		o.Disability += int64(len(b.Disabilities))
		o.Certificate += int64(len(b.Certificates))
		o.Complication += int64(len(b.Complications))
		o.Retirement += int64(len(b.Retirements))
		return nil
	}))
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Person returns the person with id, or nil.
func (c *SynthCounty) Person(id int64) *synth.Person {
	if id < 1 || id > int64(len(c.Persons)) {
		return nil
	}
	return &c.Persons[id-1]
}

// Key returns the registry key of the person with id.
func (c *SynthCounty) Key(id int64) registry.Key { return registry.Key{County: c.County, ID: id} }

// parents returns, per person id, the ids of the mother and father by
// birth or registered adoption.
func (c *SynthCounty) parents() map[int64][2]int64 {
	m := make(map[int64][2]int64, len(c.Children))
	for _, t := range c.Children {
		if t.Kind != registry.Birth && t.Kind != registry.Adoption {
			continue
		}
		p := c.Person(t.Parent)
		if p == nil {
			continue
		}
		pf := m[t.Child]
		if p.Sex == registry.Female {
			pf[0] = t.Parent
		} else {
			pf[1] = t.Parent
		}
		m[t.Child] = pf
	}
	return m
}

// Candidates streams the county's persons as the matcher's candidates,
// with their parents.
func (c *SynthCounty) Candidates() iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		par := c.parents()
		for i := range c.Persons {
			p := &c.Persons[i]
			pf := par[p.ID]
			if !yield(Candidate{Key: c.Key(p.ID), IDNumber: p.IDNumber, Name: p.Name, Sex: p.Sex, Birth: p.Birth,
				Region: p.Region, Mother: pf[0], Father: pf[1]}, nil) {
				return
			}
		}
	}
}

// NeighbourCounty returns another county of the same prefecture as
// county (or, failing that, of the same province), whose people stand for
// those not in county's registry; "" when there is none.
func NeighbourCounty(county string) string {
	t := region.Default()
	c := region.Code(county)
	if len(county) != 6 {
		return ""
	}
	for _, parent := range []region.Code{region.Code(county[:4] + "00"), region.Code(county[:2] + "0000")} {
		var list []region.Code
		var walk func(region.Code)
		walk = func(p region.Code) {
			for _, d := range t.Children(p) {
				switch {
				case len(d.Code) != 6:
				case d.Level == region.County && d.Code != c && len(t.Children(d.Code)) > 0:
					list = append(list, d.Code)
				case d.Level < region.County:
					walk(d.Code)
				}
			}
		}
		walk(parent)
		slices.Sort(list)
		if len(list) > 0 {
			// The next county after this one, for a stable choice.
			for _, d := range list {
				if d > c {
					return string(d)
				}
			}
			return string(list[0])
		}
	}
	return ""
}
