package payment

import (
	"context"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/money"
)

// Assessment is what the rules in force decide for one person, program and
// year at the time of a payment run.
type Assessment struct {
	Eligible bool
	Amount   money.Fen
	Months   int
	Split    Split
	// Failed are the texts of the clauses that failed, when not eligible.
	Failed []string
}

// Assessor decides, with the rules in force and the families the registry
// holds now, what the given persons of a county are due for a program in a
// year. A person it leaves out was not decided: not alive in the year, or
// the program is not in force there then. The use-case layer implements it
// over the policy engine, so that a cycle pays what the rules say when it
// is run, whatever batch evaluation last stored.
type Assessor interface {
	Assess(ctx context.Context, county, program string, year int, persons []int64) (map[int64]Assessment, error)
}

// assessed holds the assessments of a roll, by year and person.
type assessed map[int]map[int64]Assessment

// assess decides the roll's persons for each of years.
func assess(ctx context.Context, as Assessor, county, program string, roll []Recipient, years []int) (assessed, error) {
	persons := make([]int64, 0, len(roll))
	for _, r := range roll {
		persons = append(persons, r.PersonID)
	}
	slices.Sort(persons)
	persons = slices.Compact(persons)
	out := assessed{}
	for _, y := range years {
		if _, done := out[y]; done {
			continue
		}
		m, err := as.Assess(ctx, county, program, y, persons)
		if err != nil {
			return nil, err
		}
		out[y] = m
	}
	return out, nil
}

// entitlements are the eligible assessments as Plan takes them.
func (x assessed) entitlements() []Entitlement {
	years := make([]int, 0, len(x))
	for y := range x {
		years = append(years, y)
	}
	slices.Sort(years)
	var out []Entitlement
	for _, y := range years {
		persons := make([]int64, 0, len(x[y]))
		for id, a := range x[y] {
			if a.Eligible {
				persons = append(persons, id)
			}
		}
		slices.Sort(persons)
		for _, id := range persons {
			a := x[y][id]
			out = append(out, Entitlement{PersonID: id, Year: y, Amount: a.Amount, Months: a.Months, Split: a.Split})
		}
	}
	return out
}

// why says why the engine finds nothing due to a person in a year, or ""
// when it finds something.
func (x assessed) why(person int64, year int) string {
	a, ok := x[year][person]
	switch {
	case !ok:
		return "本人在该年度不在世，或该项目在该年度未实施，无资格认定"
	case !a.Eligible && len(a.Failed) > 0:
		return "按现行政策不符合条件：" + strings.Join(a.Failed, "；")
	case !a.Eligible:
		return "按现行政策不符合条件"
	case a.Amount <= 0:
		return "按现行政策应发金额为零"
	}
	return ""
}
