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

func (r *ImpactRow) add(o ImpactRow) {
	r.Before += o.Before
	r.After += o.After
	r.Gained += o.Gained
	r.Lost += o.Lost
	r.OldFen += o.OldFen
	r.NewFen += o.NewFen
	r.ChangeFen = r.NewFen - r.OldFen
}

// ImpactReport is the preview of a rule change over a region: the rows by
// township and program, the totals by program (Township ""), and the
// grand total (Township and Program ""; its counts are person-program
// decisions).
type ImpactReport struct {
	County     string      `json:"county"`
	Year       int         `json:"year"`
	OldVersion string      `json:"old_version"`
	NewVersion string      `json:"new_version"`
	Persons    int         `json:"persons"` // persons evaluated
	Rows       []ImpactRow `json:"rows"`
	Programs   []ImpactRow `json:"programs"`
	Total      ImpactRow   `json:"total"`
}

// ImpactCounter evaluates cases under an old and a new evaluator and
// counts the differences by township and program. One counter is not safe
// for concurrent use: give each goroutine its own and Merge them.
type ImpactCounter struct {
	old, new *Evaluator
	rows     map[impactKey]*ImpactRow
	persons  int
}

type impactKey struct{ town, prog string }

// NewImpactCounter returns an empty counter.
func NewImpactCounter(old, new *Evaluator) *ImpactCounter {
	return &ImpactCounter{old: old, new: new, rows: map[impactKey]*ImpactRow{}}
}

// Add evaluates c under both rule sets and counts its subjects (all its
// persons when none are named), each once. The township is the person's
// Region, else the hukou region, truncated to 9 digits.
func (ic *ImpactCounter) Add(c *Case) error {
	a, err := ic.old.Evaluate(c)
	if err != nil {
		return err
	}
	b, err := ic.new.Evaluate(c)
	if err != nil {
		return err
	}
	if len(c.Subjects) > 0 {
		ic.persons += len(c.Subjects)
	} else {
		ic.persons += len(c.Persons)
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
		if !d0.Eligible && !d1.Eligible {
			return
		}
		k := impactKey{town[person], prog}
		r := ic.rows[k]
		if r == nil {
			r = &ImpactRow{Township: k.town, Program: prog}
			ic.rows[k] = r
		}
		var x ImpactRow
		if d0.Eligible {
			x.Before, x.OldFen = 1, d0.AmountFen
		}
		if d1.Eligible {
			x.After, x.NewFen = 1, d1.AmountFen
		}
		if d1.Eligible && !d0.Eligible {
			x.Gained = 1
		}
		if d0.Eligible && !d1.Eligible {
			x.Lost = 1
		}
		r.add(x)
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
	return nil
}

// Merge adds the counts of o to ic.
func (ic *ImpactCounter) Merge(o *ImpactCounter) {
	ic.persons += o.persons
	for k, r := range o.rows {
		x := ic.rows[k]
		if x == nil {
			x = &ImpactRow{Township: k.town, Program: k.prog}
			ic.rows[k] = x
		}
		x.add(*r)
	}
}

// Rows returns the counts by township and program, sorted by township,
// then program.
func (ic *ImpactCounter) Rows() []ImpactRow {
	out := make([]ImpactRow, 0, len(ic.rows))
	for _, r := range ic.rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Township != out[j].Township {
			return out[i].Township < out[j].Township
		}
		return out[i].Program < out[j].Program
	})
	return out
}

// Report returns the counts with the totals by program and overall, and
// the rule versions of county in year under both rule sets.
func (ic *ImpactCounter) Report(county string, year int) (ImpactReport, error) {
	rep := ImpactReport{County: county, Year: year, Persons: ic.persons, Rows: ic.Rows(), Programs: []ImpactRow{}}
	var err error
	if rep.OldVersion, err = ic.old.Version(county, year); err != nil {
		return rep, err
	}
	if rep.NewVersion, err = ic.new.Version(county, year); err != nil {
		return rep, err
	}
	byProg := map[string]*ImpactRow{}
	for _, r := range rep.Rows {
		p := byProg[r.Program]
		if p == nil {
			p = &ImpactRow{Program: r.Program}
			byProg[r.Program] = p
		}
		p.add(r)
		rep.Total.add(r)
	}
	for _, p := range byProg {
		rep.Programs = append(rep.Programs, *p)
	}
	sort.Slice(rep.Programs, func(i, j int) bool { return rep.Programs[i].Program < rep.Programs[j].Program })
	return rep, nil
}

// Impact evaluates every case of cases under the old and the new
// evaluator and counts the differences by township and program (see
// ImpactCounter.Add). Rows are sorted by township, then program.
func Impact(old, new *Evaluator, cases iter.Seq[*Case]) ([]ImpactRow, error) {
	ic := NewImpactCounter(old, new)
	for c := range cases {
		if err := ic.Add(c); err != nil {
			return nil, err
		}
	}
	return ic.Rows(), nil
}
