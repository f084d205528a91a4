package policy

import (
	"iter"
	"sort"

	"github.com/jiahe-project/jiahe/internal/money"
)

// ImpactRow counts, for one township and program, how a rule change moves
// people and money: who becomes eligible, who loses eligibility, and the
// funds under the old and the new rules.
type ImpactRow struct {
	Township  string    `json:"township"` // first 9 digits of the 12-digit code; "" when unknown
	Program   string    `json:"program"`
	Before    int       `json:"before"` // eligible under the old rules
	After     int       `json:"after"`  // eligible under the new rules
	Gained    int       `json:"gained"` // ineligible before, eligible after
	Lost      int       `json:"lost"`   // eligible before, ineligible after
	OldFen    money.Fen `json:"old_fen"`
	NewFen    money.Fen `json:"new_fen"`
	ChangeFen money.Fen `json:"change_fen"`
}

// Impact evaluates every case of cases under the old and the new
// evaluator and counts the differences by township and program. Each
// case's subjects (all its persons when none are named) are counted once;
// the township is the person's Region, else the hukou region, truncated
// to 9 digits. Rows are sorted by township, then program.
func Impact(old, new *Evaluator, cases iter.Seq[*Case]) ([]ImpactRow, error) {
	type key struct{ town, prog string }
	rows := map[key]*ImpactRow{}
	for c := range cases {
		a, err := old.Evaluate(c)
		if err != nil {
			return nil, err
		}
		b, err := new.Evaluate(c)
		if err != nil {
			return nil, err
		}
		town := map[string]string{}
		for _, p := range c.Persons {
			r := p.Region
			for _, h := range p.Hukou {
				if r == "" && h.Region != "" {
					r = h.Region
				}
			}
			if len(r) >= 9 {
				r = r[:9]
			} else {
				r = ""
			}
			town[p.Ref] = r
		}
		type pk struct{ person, prog string }
		before := map[pk]Decision{}
		for _, d := range a.Decisions {
			before[pk{d.Person, d.Program}] = d
		}
		seen := map[pk]bool{}
		add := func(d0, d1 Decision, person, prog string) {
			k := key{town[person], prog}
			r := rows[k]
			if r == nil {
				r = &ImpactRow{Township: k.town, Program: prog}
				rows[k] = r
			}
			if d0.Eligible {
				r.Before++
				r.OldFen += d0.AmountFen
			}
			if d1.Eligible {
				r.After++
				r.NewFen += d1.AmountFen
			}
			if d1.Eligible && !d0.Eligible {
				r.Gained++
			}
			if d0.Eligible && !d1.Eligible {
				r.Lost++
			}
			r.ChangeFen = r.NewFen - r.OldFen
		}
		for _, d := range b.Decisions {
			k := pk{d.Person, d.Program}
			seen[k] = true
			add(before[k], d, d.Person, d.Program)
		}
		for k, d := range before {
			if !seen[k] {
				add(d, Decision{}, k.person, k.prog) // the program no longer exists
			}
		}
	}
	out := make([]ImpactRow, 0, len(rows))
	for _, r := range rows {
		if r.Before == 0 && r.After == 0 {
			continue
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Township != out[j].Township {
			return out[i].Township < out[j].Township
		}
		return out[i].Program < out[j].Program
	})
	return out, nil
}
