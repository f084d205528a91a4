// Package stats is the monthly family-planning report (计划生育统计月报,
// docs/statistics.md) computed from the registry and the payment ledger:
// births by parity, sex and unit, the sex ratio at birth by parity for the
// month and for the rolling twelve months, deaths, marriages, divorces and
// moves, birth registrations, the money paid by program and funding level,
// and childcare places per 1,000 residents; the list of persons behind
// every figure; the report's approval upward level by level and its lock
// (a snapshot: a locked month never changes, and a record that arrives
// late appears as an adjustment of the next open month and in the
// revisions); and the warnings read from the figures (a sex ratio outside
// its band, a unit whose births jump, recipients past 100).
//
// The package knows nothing of HTTP or SQL: the facts come through Store,
// which reads them for a region and a span of days; the figures are
// computed here, so that a figure and the list behind it are the same
// selection of the same facts.
package stats

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Month is a calendar month, the report's period.
type Month struct {
	Year  int
	Month int
}

// ParseMonth reads a month written 2026-11.
func ParseMonth(s string) (Month, error) {
	s = strings.TrimSpace(s)
	y, m, ok := strings.Cut(s, "-")
	yy, err1 := strconv.Atoi(y)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || yy < 1950 || yy > 2100 || mm < 1 || mm > 12 {
		return Month{}, apperr.Invalidf("month", "月份应写作“2026-11”", "the month must be written 2026-11")
	}
	return Month{yy, mm}, nil
}

// MonthOf is the month of day d.
func MonthOf(d date.Date) Month { return Month{d.Year(), int(d.Month())} }

// First is the month's first day.
func (m Month) First() date.Date { return date.Of(m.Year, time.Month(m.Month), 1) }

// Last is the month's last day.
func (m Month) Last() date.Date { return m.Add(1).First().AddDays(-1) }

// Add is the month n months later (earlier when n is negative).
func (m Month) Add(n int) Month {
	i := m.Year*12 + m.Month - 1 + n
	return Month{i / 12, i%12 + 1}
}

// Index counts months from year 0, for comparisons.
func (m Month) Index() int { return m.Year*12 + m.Month - 1 }

// Before reports whether m is earlier than o.
func (m Month) Before(o Month) bool { return m.Index() < o.Index() }

// String writes the month as 2026-11.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, m.Month) }

// Chinese writes the month as 2026年11月.
func (m Month) Chinese() string { return fmt.Sprintf("%d年%d月", m.Year, m.Month) }

// AgedYears is the age from which a recipient is listed for a check
// (a living person past 100 on a roll is more often a death not
// recorded).
const AgedYears = 100

// Window is the number of months of the rolling sex ratio: the month and
// the eleven before it.
const Window = 12

// Sexes of the facts (registry.Male, registry.Female).
const (
	Male   = "M"
	Female = "F"
)

// Birth is one child born: a person of the registry with their birth day,
// sex and hukou division, and the mother's statistical parity of the
// birth (统计孩次: the mother's own births of any father up to and
// including this one; 0 when the mother is not in the registry).
type Birth struct {
	County string
	ID     int64
	Sex    string
	Region string
	Born   date.Date
	Parity int
}

// Event is a person's dated fact: a death, or one side of a marriage or
// a divorce (Other is the spouse, who may live elsewhere).
type Event struct {
	County string
	ID     int64
	Region string
	Day    date.Date
	// Ref is the marriage the fact belongs to (0 for a death), so that a
	// marriage of two persons of the region counts once.
	Ref int64
}

// Move is a change of a person's hukou division within the county on Day:
// from From to To.
type Move struct {
	County   string
	ID       int64
	From, To string
	Day      date.Date
}

// Registration is a birth registration (生育登记) not cancelled: its
// region, day, registration parity and the parent who applied.
type Registration struct {
	County    string
	ID        int64
	Applicant int64
	Region    string
	Day       date.Date
	Parity    int
}

// Paid is what the bank paid for a program to the persons of one unit in
// the month: persons paid (distinct within the unit), the amount and its
// split by funding level (policy.FundingLevels order).
type Paid struct {
	Program string
	Region  string // the unit's code (a prefix of the persons' divisions)
	Persons int64
	Amount  money.Fen
	Split   [4]money.Fen
}

// Facts are what a report is computed from.
type Facts struct {
	Births        []Birth // the rolling window's births, the month's included
	Deaths        []Event
	Marriages     []Event
	Divorces      []Event
	Moves         []Move
	Registrations []Registration
	Paid          []Paid
	// Aged are the persons on a roll (active) who are AgedYears or older
	// on the month's last day and not recorded dead.
	Aged []Event
	// Population and Places are the residents alive on the month's last
	// day and the childcare places filed then, by unit code; nil when the
	// report's region is above the county (the indicator is a county's).
	Population map[string]int64
	Places     map[string]int64
	// Special are the special families on the register on the month's
	// last day (nil: not read).
	Special []SpecialFamily
}

// Unit is a row of the report's tables: the report's region one level
// down (the townships of a county, the villages of a township).
type Unit struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Figures are the report's numbers by key (see Key).
type Figures map[string]int64

// Get returns the figure of key, 0 when absent.
func (f Figures) Get(key string) int64 { return f[key] }

// Parity classes of the tables: first, second, third and later, unknown.
var Parities = []string{"p1", "p2", "p3", "p0"}

// parityClass is the class of parity n.
func parityClass(n int) string {
	switch {
	case n <= 0:
		return "p0"
	case n >= 3:
		return "p3"
	}
	return "p" + strconv.Itoa(n)
}

// Key builds a figure's key from its parts, and the unit when not empty:
// "births.p2.M@341523100" is the second births of boys in 城关镇.
// Measures: births and r12 (the rolling window) by parity class (p1, p2,
// p3, p0 or all) and sex (M, F or all); deaths, marriages, divorces,
// moves_in, moves_out; regs by parity class; paid.<program>.persons,
// paid.<program>.fen and paid.<program>.<level> (fen); pop and places.
func Key(unit string, parts ...string) string {
	k := strings.Join(parts, ".")
	if unit != "" {
		k += "@" + unit
	}
	return k
}

// SplitKey returns a key's measure parts and unit.
func SplitKey(key string) (parts []string, unit string) {
	k, unit, _ := strings.Cut(key, "@")
	return strings.Split(k, "."), unit
}

// Report is a region's monthly report.
type Report struct {
	Region     string    `json:"region"`
	RegionName string    `json:"region_name"`
	Month      string    `json:"month"`
	Units      []Unit    `json:"units"`
	Programs   []string  `json:"programs"`
	Figures    Figures   `json:"figures"`
	Computed   time.Time `json:"computed"`
	// Adjustments are the changes found in locked earlier months, which
	// this month carries (a late record): each with the month it belongs
	// to.
	Adjustments []Revision `json:"adjustments,omitempty"`
	// SpecialFamilies is the coverage of special families (计生特殊家庭)
	// on the month's last day (figures special.*): see
	// docs/statistics.md, "Special families". Nil in a snapshot frozen
	// before the register was counted.
	SpecialFamilies *SpecialCoverage `json:"special_families,omitempty"`
	// Trend is the region's births month by month over the rolling
	// window, for the charts.
	Trend []TrendRow `json:"trend"`
}

// TrendRow is one month's births of the region by parity class (Parities
// order) and sex.
type TrendRow struct {
	Month string   `json:"month"`
	Boys  [4]int64 `json:"boys"`
	Girls [4]int64 `json:"girls"`
}

// Total is the month's births.
func (t TrendRow) Total() int64 {
	var n int64
	for i := range t.Boys {
		n += t.Boys[i] + t.Girls[i]
	}
	return n
}

// Revision is a change of a figure of a locked month found later: Delta
// is the figure now less the figure locked (and the revisions recorded
// before), reported in the month In.
type Revision struct {
	Month  string    `json:"month"`
	Figure string    `json:"figure"`
	Delta  int64     `json:"delta"`
	In     string    `json:"in"`
	Found  time.Time `json:"found"`
}

// Ratio returns the sex ratio at birth (boys per 100 girls) of figures of
// measure ("births" or "r12") and parity class (or "all") in unit, and
// whether it is defined (girls born).
func (f Figures) Ratio(measure, parity, unit string) (float64, bool) {
	m, g := f[Key(unit, measure, parity, Male)], f[Key(unit, measure, parity, Female)]
	if g == 0 {
		return 0, false
	}
	return float64(m) * 100 / float64(g), true
}

// PerThousand is the childcare places per 1,000 residents of unit, and
// whether residents are known.
func (f Figures) PerThousand(unit string) (float64, bool) {
	p := f[Key(unit, "pop")]
	if p == 0 {
		return 0, false
	}
	return float64(f[Key(unit, "places")]) * 1000 / float64(p), true
}

// unitOf returns the unit of the report's units that contains code, "" when
// none does.
func unitOf(units []Unit, code string) string {
	c := region.Code(code)
	for _, u := range units {
		if region.Code(u.Code).Contains(c) {
			return u.Code
		}
	}
	return ""
}

// Compute builds the report of reg (with its units) for month m from f.
func Compute(reg region.Code, name string, m Month, units []Unit, f *Facts) *Report {
	r := &Report{Region: string(reg), RegionName: name, Month: m.String(), Units: units, Figures: Figures{}}
	fig := r.Figures
	add := func(unit string, n int64, parts ...string) {
		fig[Key("", parts...)] += n
		if unit != "" {
			fig[Key(unit, parts...)] += n
		}
	}
	in := func(d date.Date) bool { return !d.Before(m.First()) && !d.After(m.Last()) }
	for i := Window - 1; i >= 0; i-- {
		r.Trend = append(r.Trend, TrendRow{Month: m.Add(-i).String()})
	}
	for _, b := range f.Births {
		u := unitOf(units, b.Region)
		p := parityClass(b.Parity)
		if i := MonthOf(b.Born).Index() - m.Add(1-Window).Index(); i >= 0 && i < Window {
			pi := slices.Index(Parities, p)
			if b.Sex == Male {
				r.Trend[i].Boys[pi]++
			} else {
				r.Trend[i].Girls[pi]++
			}
		}
		for _, pp := range []string{p, "all"} {
			for _, s := range []string{b.Sex, "all"} {
				add(u, 1, "r12", pp, s)
				if in(b.Born) {
					add(u, 1, "births", pp, s)
				}
			}
		}
	}
	for _, e := range f.Deaths {
		add(unitOf(units, e.Region), 1, "deaths")
	}
	events := func(es []Event, measure string) {
		// A marriage of two persons of the region counts once in the
		// region, and once in each unit it touches.
		seen := map[string]bool{}
		for _, e := range es {
			for _, u := range []string{"", unitOf(units, e.Region)} {
				k := u + "#" + strconv.FormatInt(e.Ref, 10)
				if !seen[k] {
					seen[k] = true
					fig[Key(u, measure)]++
				}
			}
		}
	}
	events(f.Marriages, "marriages")
	events(f.Divorces, "divorces")
	for _, mv := range f.Moves {
		from, to := region.Code(mv.From), region.Code(mv.To)
		if reg.Contains(to) && !reg.Contains(from) {
			add(unitOf(units, mv.To), 1, "moves_in")
		}
		if reg.Contains(from) && !reg.Contains(to) {
			add(unitOf(units, mv.From), 1, "moves_out")
		}
		// A move between two units of the region is a move out of one
		// and into the other for the units, not for the region.
		fu, tu := unitOf(units, mv.From), unitOf(units, mv.To)
		if reg.Contains(to) && reg.Contains(from) && fu != tu {
			if fu != "" {
				fig[Key(fu, "moves_out")]++
			}
			if tu != "" {
				fig[Key(tu, "moves_in")]++
			}
		}
	}
	for _, e := range f.Aged {
		add(unitOf(units, e.Region), 1, "aged")
	}
	for _, g := range f.Registrations {
		u := unitOf(units, g.Region)
		add(u, 1, "regs", parityClass(g.Parity))
		add(u, 1, "regs", "all")
	}
	programs := map[string]bool{}
	for _, p := range f.Paid {
		programs[p.Program] = true
		u := unitOf(units, p.Region)
		add(u, p.Persons, "paid", p.Program, "persons")
		add(u, int64(p.Amount), "paid", p.Program, "fen")
		add(u, int64(p.Amount), "paid", "all", "fen")
		add(u, p.Persons, "paid", "all", "persons")
		for i, lv := range levelCodes {
			add(u, int64(p.Split[i]), "paid", p.Program, lv)
			add(u, int64(p.Split[i]), "paid", "all", lv)
		}
	}
	for p := range programs {
		r.Programs = append(r.Programs, p)
	}
	slices.Sort(r.Programs)
	if f.Population != nil {
		for code, n := range f.Population {
			add(unitOf(units, code), n, "pop")
		}
		for code, n := range f.Places {
			add(unitOf(units, code), n, "places")
		}
	}
	countSpecial(r, units, f.Special)
	return r
}

// levelCodes are the funding levels' codes in policy.FundingLevels order,
// the keys of the paid figures by level.
var levelCodes = policy.FundingLevels.Codes()
