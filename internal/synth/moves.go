package synth

import (
	"math/rand/v2"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// People who move (docs/synthetic.md, "Migrants and moves"): where the
// living persons of the county live when it is not their hukou's place
// (流动人口, 人户分离), and whose hukou moved to another county of the
// province in the twelve months before AsOf — the transfers (迁移) the
// county has to hand over. Both are drawn from a PCG of their own per
// village, so that the calibrated population is the same as without them.

// Shares of the living who live away from their hukou's township, by
// hukou type and age (approximate, after the 2020 census; see
// docs/synthetic.md): outside the county, and in another township of it.
type awayShare struct{ outside, township float64 }

func awayOf(rural bool, age int) awayShare {
	switch {
	case rural && age >= 16 && age < 60:
		return awayShare{0.30, 0.06}
	case rural && age < 16:
		return awayShare{0.12, 0.04}
	case rural:
		return awayShare{0.06, 0.03}
	case age >= 16 && age < 60:
		return awayShare{0.15, 0.03}
	}
	return awayShare{0.05, 0.02}
}

// transferRate is the yearly share of the living whose hukou moves to another
// county of the province (study, marriage, a home bought in a town):
// higher for young adults (approximate).
func transferRate(age int) float64 {
	if age >= 18 && age < 36 {
		return 0.006
	}
	return 0.0015
}

// places are the divisions migrants of the county live in and the
// counties hukou moves go to.
type places struct {
	prefecture []string // a community of each other county of the prefecture
	capital    []string // communities of the provincial capital
	outside    []string // communities of the big cities of other provinces
	counties   []string // the other counties of the province hukou moves go to
}

// leaf returns the first village-level division under code, or "".
func leaf(t *region.Tree, code region.Code) string {
	for range 4 {
		kids := t.Children(code)
		if len(kids) == 0 {
			if code.Level() >= region.Township {
				return string(code)
			}
			return ""
		}
		code = kids[0].Code
	}
	return string(code)
}

func newPlaces(county string) *places {
	t := region.Default()
	c := region.Code(county)
	p := &places{}
	pref := c.Parent()
	for _, d := range t.Children(pref) {
		if d.Code == c {
			continue
		}
		if l := leaf(t, d.Code); l != "" {
			p.prefecture = append(p.prefecture, l)
			p.counties = append(p.counties, string(d.Code))
		}
	}
	prov := pref.Parent()
	for _, city := range t.Children(prov) {
		if city.Code == pref {
			continue
		}
		for i, d := range t.Children(city.Code) {
			if i >= 3 {
				break
			}
			if l := leaf(t, d.Code); l != "" {
				if len(p.capital) < 3 {
					p.capital = append(p.capital, l)
				}
				p.counties = append(p.counties, string(d.Code))
			}
		}
	}
	for _, city := range []region.Code{"310101", "320102", "330102", "440106"} { // 上海、南京、杭州、广州
		if l := leaf(t, city); l != "" && !c.Contains(region.Code(l)) {
			p.outside = append(p.outside, l)
		}
	}
	return p
}

func pickPlace(r *rand.Rand, xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[r.IntN(len(xs))]
}

// residence draws where a living person with hukou in village vil lives
// ("" at the hukou's place).
func (g *generator) residence(r *rand.Rand, vil string, rural bool, age int) string {
	s := awayOf(rural, age)
	u := r.Float64()
	switch {
	case u < s.outside:
		// Of those outside the county: 45% in other provinces, 35% in the
		// provincial capital and 20% elsewhere in the prefecture.
		v := r.Float64()
		switch {
		case v < 0.45 && len(g.places.outside) > 0:
			return pickPlace(r, g.places.outside)
		case v < 0.80 && len(g.places.capital) > 0:
			return pickPlace(r, g.places.capital)
		}
		return pickPlace(r, g.places.prefecture)
	case u < s.outside+s.township:
		for range 4 {
			other := g.all[r.IntN(len(g.all))].code
			if len(other) >= 9 && len(vil) >= 9 && other[:9] != vil[:9] {
				return other
			}
		}
	}
	return ""
}

// moveOut draws whether a living person's hukou moved to another county
// of the province in the year before asOf, and if so where and when.
func (g *generator) moveOut(r *rand.Rand, age int, asOf date.Date) (string, date.Date) {
	if r.Float64() >= transferRate(age) || len(g.places.counties) == 0 {
		return "", date.Date{}
	}
	return pickPlace(r, g.places.counties), asOf.AddDays(-r.IntN(365))
}

// PlannedMove is a hukou move to another county to hand over: the
// person (by ID number, which stays when the batch's ids are moved into
// the county's ranges), the county moved to and the day.
type PlannedMove struct {
	IDNumber string
	To       string
	On       date.Date
}
