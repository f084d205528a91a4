package stats

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/region"
)

// Divisions that change (docs/regions.md): a report groups by the
// divisions in force in its month. When the tree given is a
// region.History, the units are the region's divisions on the month's last
// day, and every code the records hold is resolved to the code it stood
// for then: a person re-keyed to a village of township B when township A
// was merged into B in 2024 counts under A in a report of 2019, and under
// B in one of 2025.

// Dated is a Namer that knows the division changes (a *region.History).
type Dated interface {
	Namer
	On(day string) *region.View
}

// DivisionsOn returns the tree t as it was in month m (its last day) and
// the view that resolves the records' codes then; the view is nil when t
// knows no changes.
func DivisionsOn(t Namer, m Month) (Namer, *region.View) {
	d, ok := t.(Dated)
	if !ok {
		return t, nil
	}
	v := d.On(m.Last().String())
	return v, v
}

// FactsOn reads the facts of reg's report of m as the divisions were in m:
// the units of m, and the facts with their codes resolved to m's codes.
// Where codes were re-keyed, a region below the county is read for its
// whole county and the facts resolved into reg are kept. The report, the
// list behind a figure and any summary of the records call it, so that
// they group alike.
func FactsOn(ctx context.Context, s Store, t Namer, reg region.Code, m Month, population bool) (*Facts, []Unit, Namer, error) {
	names, v := DivisionsOn(t, m)
	read := reg
	moved := v != nil && v.Moved(reg)
	if moved && reg.Level() > region.County {
		read = reg[:6]
	}
	f, err := s.Facts(ctx, read, m, population)
	if err != nil {
		return nil, nil, nil, err
	}
	if moved {
		f = ResolveFacts(f, reg, v.Resolve)
	}
	return f, UnitsOf(names, reg), names, nil
}

// ResolveFacts rewrites the codes of f by resolve and keeps the facts
// within reg (a move when either end is).
func ResolveFacts(f *Facts, reg region.Code, resolve func(region.Code) region.Code) *Facts {
	r := func(s string) (string, bool) {
		c := resolve(region.Code(s))
		return string(c), reg.Contains(c)
	}
	out := &Facts{}
	for _, b := range f.Births {
		var ok bool
		if b.Region, ok = r(b.Region); ok {
			out.Births = append(out.Births, b)
		}
	}
	events := func(es []Event) []Event {
		var o []Event
		for _, e := range es {
			var ok bool
			if e.Region, ok = r(e.Region); ok {
				o = append(o, e)
			}
		}
		return o
	}
	out.Deaths, out.Marriages, out.Divorces, out.Aged = events(f.Deaths), events(f.Marriages), events(f.Divorces), events(f.Aged)
	for _, mv := range f.Moves {
		var a, b bool
		mv.From, a = r(mv.From)
		mv.To, b = r(mv.To)
		if (a || b) && mv.From != mv.To {
			out.Moves = append(out.Moves, mv)
		}
	}
	for _, g := range f.Registrations {
		var ok bool
		if g.Region, ok = r(g.Region); ok {
			out.Registrations = append(out.Registrations, g)
		}
	}
	for _, p := range f.Paid {
		var ok bool
		if p.Region, ok = r(p.Region); ok {
			out.Paid = append(out.Paid, p)
		}
	}
	groups := func(g map[string]int64) map[string]int64 {
		if g == nil {
			return nil
		}
		o := map[string]int64{}
		for k, n := range g {
			if c, ok := r(k); ok {
				o[c] += n
			}
		}
		return o
	}
	out.Population, out.Places = groups(f.Population), groups(f.Places)
	if f.Special != nil {
		out.Special = []SpecialFamily{}
		for _, sf := range f.Special {
			var ok bool
			if sf.Region, ok = r(sf.Region); ok {
				out.Special = append(out.Special, sf)
			}
		}
	}
	return out
}
