package childcare

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// DefaultTarget is the target of childcare places per 1,000 residents:
// 4.5 by the end of 2025, the national target of the 14th five-year plan
// that the 淅川 county document repeats (rules.md §2.10, §8.4 NHC-0721,
// CO-XICHUAN). A region sets its own as the parameter TargetParam.
const DefaultTarget = 4.5

// TargetParam names the region parameter holding the target (places per
// 1,000 residents, a decimal).
const TargetParam = "childcare_places_target"

// ParseTarget checks a target given as text.
func ParseTarget(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v <= 0 || v > 100 {
		return 0, apperr.Invalidf("target", "目标值应为0–100之间的数（每千人口托位数）", "the target must be a number of places per 1,000 between 0 and 100")
	}
	return v, nil
}

// TownshipPlaces is one township's row of the indicator.
type TownshipPlaces struct {
	Township     string  `json:"township"` // 12-digit code
	Name         string  `json:"name"`
	Population   int     `json:"population"`
	Institutions int     `json:"institutions"`
	Places       int     `json:"places"`
	Inclusive    int     `json:"inclusive_places"`
	PerThousand  float64 `json:"per_thousand"`
	// Below is set when the township is below the target; Gap is how many
	// more places it needs to reach it.
	Below bool `json:"below"`
	Gap   int  `json:"gap"`
}

// PlacesReport is the indicator of a county (每千人口托位数 = filed places ÷
// residents × 1,000, rules.md §4.3) by township, the townships below the
// target first, the lowest first.
type PlacesReport struct {
	County    string           `json:"county"`
	On        date.Date        `json:"on"`
	Target    float64          `json:"target"`
	Townships []TownshipPlaces `json:"townships"`
	Total     TownshipPlaces   `json:"total"`
}

// Report computes the indicator of county on day on, against target: the
// population is the registry's living persons by their hukou township, the
// places those of the institutions filed and not closed then.
func Report(ctx context.Context, s Store, a auth.Actor, county string, on date.Date, target float64) (*PlacesReport, error) {
	if err := auth.Require(a, auth.PermReportRead); err != nil {
		return nil, err
	}
	if err := a.CheckScope(region.Code(county)); err != nil {
		return nil, err
	}
	pop, err := s.Population(ctx, county, on)
	if err != nil {
		return nil, err
	}
	places, err := s.FiledPlaces(ctx, county, on)
	if err != nil {
		return nil, err
	}
	return Compute(county, on, target, pop, places), nil
}

// Compute builds the report of county from the population and the places
// by township (nine-digit prefixes): every township of the division tree
// has a row, and any other prefix met in the data too.
func Compute(county string, on date.Date, target float64, pop map[string]int, places map[string]Places) *PlacesReport {
	t := region.Default()
	rows := map[string]*TownshipPlaces{}
	for _, d := range t.Children(region.Code(county)) {
		p := string(d.Code)
		if len(p) >= 9 {
			rows[p[:9]] = &TownshipPlaces{Township: p, Name: d.Name}
		}
	}
	row := func(prefix string) *TownshipPlaces {
		r := rows[prefix]
		if r == nil {
			code := prefix + "000"
			r = &TownshipPlaces{Township: code, Name: code}
			if d, ok := t.Lookup(region.Code(code)); ok {
				r.Name = d.Name
			}
			rows[prefix] = r
		}
		return r
	}
	for p, n := range pop {
		row(p).Population += n
	}
	for p, x := range places {
		r := row(p)
		r.Institutions += x.Institutions
		r.Places += x.Places
		r.Inclusive += x.Inclusive
	}
	rep := &PlacesReport{County: county, On: on, Target: target, Total: TownshipPlaces{Township: county, Name: t.FullName(region.Code(county))}}
	for _, r := range rows {
		fill(r, target)
		rep.Townships = append(rep.Townships, *r)
		rep.Total.Population += r.Population
		rep.Total.Institutions += r.Institutions
		rep.Total.Places += r.Places
		rep.Total.Inclusive += r.Inclusive
	}
	fill(&rep.Total, target)
	slices.SortFunc(rep.Townships, func(a, b TownshipPlaces) int {
		if a.Below != b.Below {
			if a.Below {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.PerThousand, b.PerThousand), strings.Compare(a.Township, b.Township))
	})
	return rep
}

// fill computes the per-1,000 figure, whether it is below target and the
// gap.
func fill(r *TownshipPlaces, target float64) {
	if r.Population > 0 {
		r.PerThousand = float64(r.Places) * 1000 / float64(r.Population)
	}
	need := ceil(target * float64(r.Population) / 1000)
	r.Below = r.Places < need
	r.Gap = max(0, need-r.Places)
}
