package payment

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// PeriodKind is how long the periods of a program are.
type PeriodKind string

// The period kinds. jf and the other yearly programs are paid per year;
// tf_* per month, quarter or half-year as the region's tf_period
// parameter says.
const (
	Year    PeriodKind = "year"
	Half    PeriodKind = "half"
	Quarter PeriodKind = "quarter"
	Month   PeriodKind = "month"
)

// Period is one payment period: "2024" (a year), "2024-H1" (a half-year),
// "2024-Q2" (a quarter) or "2024-03" (a month). Its string is part of the
// key that makes a payment unique, so there is exactly one spelling of each.
type Period struct {
	year  int
	kind  PeriodKind
	index int // 1-based half, quarter or month; 0 for a year
}

// ParsePeriod reads a period in its canonical spelling.
func ParsePeriod(s string) (Period, error) {
	bad := apperr.Invalidf("period", "期间 %q 无效：应为 2024、2024-H1、2024-Q2 或 2024-03", "invalid period %q: want 2024, 2024-H1, 2024-Q2 or 2024-03", s)
	ys, rest, hasRest := strings.Cut(s, "-")
	if len(ys) != 4 {
		return Period{}, bad
	}
	y, err := strconv.Atoi(ys)
	if err != nil || y < 1970 || y > 2200 {
		return Period{}, bad
	}
	if !hasRest {
		return Period{year: y, kind: Year}, nil
	}
	kind, max, digits := Month, 12, rest
	switch {
	case strings.HasPrefix(rest, "H"):
		kind, max, digits = Half, 2, rest[1:]
	case strings.HasPrefix(rest, "Q"):
		kind, max, digits = Quarter, 4, rest[1:]
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > max || (kind == Month && len(digits) != 2) || (kind != Month && len(digits) != 1) {
		return Period{}, bad
	}
	return Period{year: y, kind: kind, index: n}, nil
}

// MustPeriod is ParsePeriod for tests and constants; it panics on error.
func MustPeriod(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// PeriodOf returns the period of kind k that holds month index m
// (year*12 + month-1).
func PeriodOf(k PeriodKind, m int) Period {
	y, mo := m/12, m%12 // mo is 0-based
	switch k {
	case Half:
		return Period{year: y, kind: Half, index: mo/6 + 1}
	case Quarter:
		return Period{year: y, kind: Quarter, index: mo/3 + 1}
	case Month:
		return Period{year: y, kind: Month, index: mo + 1}
	}
	return Period{year: y, kind: Year}
}

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.year == 0 }

// Year returns the year p belongs to.
func (p Period) Year() int { return p.year }

// Kind returns the kind of p.
func (p Period) Kind() PeriodKind { return p.kind }

// Months returns the first and last month of p as month indexes
// (year*12 + month-1).
func (p Period) Months() (first, last int) {
	base := p.year * 12
	switch p.kind {
	case Half:
		return base + (p.index-1)*6, base + p.index*6 - 1
	case Quarter:
		return base + (p.index-1)*3, base + p.index*3 - 1
	case Month:
		return base + p.index - 1, base + p.index - 1
	}
	return base, base + 11
}

// Before reports whether p ends before q begins.
func (p Period) Before(q Period) bool {
	_, pl := p.Months()
	qf, _ := q.Months()
	return pl < qf
}

// Overlaps reports whether p and q share a month.
func (p Period) Overlaps(q Period) bool {
	pf, pl := p.Months()
	qf, ql := q.Months()
	return pf <= ql && qf <= pl
}

// String returns the canonical spelling.
func (p Period) String() string {
	switch p.kind {
	case Half:
		return fmt.Sprintf("%04d-H%d", p.year, p.index)
	case Quarter:
		return fmt.Sprintf("%04d-Q%d", p.year, p.index)
	case Month:
		return fmt.Sprintf("%04d-%02d", p.year, p.index)
	}
	if p.year == 0 {
		return ""
	}
	return fmt.Sprintf("%04d", p.year)
}

// Chinese returns the period as a letter prints it: "2024年", "2024年上半年",
// "2024年第2季度", "2024年3月".
func (p Period) Chinese() string {
	switch p.kind {
	case Half:
		return fmt.Sprintf("%d年%s半年", p.year, [...]string{"", "上", "下"}[p.index])
	case Quarter:
		return fmt.Sprintf("%d年第%d季度", p.year, p.index)
	case Month:
		return fmt.Sprintf("%d年%d月", p.year, p.index)
	}
	return fmt.Sprintf("%d年", p.year)
}

// MarshalText encodes p in its canonical spelling.
func (p Period) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads the canonical spelling.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// monthName returns a month index as "2024-03".
func monthName(m int) string { return fmt.Sprintf("%04d-%02d", m/12, m%12+1) }
