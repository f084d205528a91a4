// Package date provides Date, a calendar day with no time of day and no
// time zone. Benefit rules speak of days, months and years; a timestamp
// would invite off-by-one-day errors at midnight in Beijing.
package date

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day. The zero Date means "none" (no date known).
type Date struct {
	y int16
	m uint8
	d uint8
}

// Of returns the date y-m-d. It does not validate; use Parse for input.
func Of(y int, m time.Month, d int) Date {
	if y > 0 && y < 10000 && m >= 1 && m <= 12 && d >= 1 && (d <= 28 || d <= daysIn(y, int(m))) {
		return Date{int16(y), uint8(m), uint8(d)} // a valid day: no need to normalise
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return Date{int16(t.Year()), uint8(t.Month()), uint8(t.Day())}
}

// FromTime returns the calendar day of t in t's location.
func FromTime(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	return Date{int16(t.Year()), uint8(t.Month()), uint8(t.Day())}
}

// Parse reads a date in the form YYYY-MM-DD. The empty string yields the
// zero Date. An impossible day such as 2023-02-30 is an error.
func Parse(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD", s)
	}
	return FromTime(t), nil
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date ("none").
func (d Date) IsZero() bool { return d == Date{} }

// Year returns the year of d.
func (d Date) Year() int { return int(d.y) }

// Month returns the month of d.
func (d Date) Month() time.Month { return time.Month(d.m) }

// Day returns the day of the month of d.
func (d Date) Day() int { return int(d.d) }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(int(d.y), time.Month(d.m), int(d.d), 0, 0, 0, 0, time.UTC)
}

// AddDays returns d plus n days.
func (d Date) AddDays(n int) Date {
	if d.IsZero() || d.m < 1 || d.m > 12 || d.d < 1 || int(d.d) > daysIn(int(d.y), int(d.m)) {
		return FromTime(d.Time().AddDate(0, 0, n)) // normalised as time.Date does
	}
	if day := int(d.d) + n; day >= 1 && day <= 28 {
		return Date{d.y, d.m, uint8(day)} // within the month
	}
	if n == -1 && d.d == 1 { // the last day of the month before
		if d.m == 1 {
			return Date{d.y - 1, 12, 31}
		}
		return Date{d.y, d.m - 1, uint8(daysIn(int(d.y), int(d.m)-1))}
	}
	return FromDays(d.Days() + n)
}

// Days returns the number of days from 1970-01-01 to d, negative before
// it; d must be a valid date. It is civil-calendar arithmetic on integers
// (proleptic Gregorian, as package time), without building a time.Time.
func (d Date) Days() int {
	y, m := int(d.y), int(d.m)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                         // [0, 399]
	doy := (153*((m+9)%12)+2)/5 + int(d.d) - 1 // [0, 365], from March 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy     // [0, 146096]
	return era*146097 + doe - 719468
}

// FromDays returns the date n days after 1970-01-01 (before it when n is
// negative): the inverse of Days.
func FromDays(n int) Date {
	n += 719468
	era := floorDiv(n, 146097)
	doe := n - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	y := yoe + era*400
	if m > 12 {
		m -= 12
		y++
	}
	return Date{int16(y), uint8(m), uint8(day)}
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// AddMonths returns d plus n months, normalised like time.AddDate.
func (d Date) AddMonths(n int) Date { return FromTime(d.Time().AddDate(0, n, 0)) }

// Compare returns -1, 0 or +1. The zero Date sorts before every other date.
func (d Date) Compare(o Date) int {
	a, b := d.key(), o.key()
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (d Date) key() int { return int(d.y)*10000 + int(d.m)*100 + int(d.d) }

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.key() < o.key() }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.key() > o.key() }

// MonthIndex returns year*12 + month-1, a month counter that makes month
// arithmetic (accrual periods) simple integer arithmetic.
func (d Date) MonthIndex() int { return int(d.y)*12 + int(d.m) - 1 }

// YearsBetween returns the number of whole years from d to o (age in
// completed years when d is a birth date).
func (d Date) YearsBetween(o Date) int {
	n := int(o.y) - int(d.y)
	if o.m < d.m || (o.m == d.m && o.d < d.d) {
		n--
	}
	return n
}

// String returns YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
}

// MarshalJSON encodes d as "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON accepts "YYYY-MM-DD", "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("invalid date %s: want \"YYYY-MM-DD\"", b)
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores d as ISO text, which SQLite keeps as TEXT and PostgreSQL
// casts to DATE. The zero Date is stored as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a DATE (PostgreSQL returns time.Time) or ISO text (SQLite).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
	case time.Time:
		*d = Date{int16(v.Year()), uint8(v.Month()), uint8(v.Day())}
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("date: cannot scan %T", src)
	}
	return nil
}

func (d *Date) scanText(s string) error {
	v, err := ParseStored(s)
	*d = v
	return err
}

// ParseStored reads a date as a database stores it as text: YYYY-MM-DD,
// perhaps followed by a time, which is ignored.
func ParseStored(s string) (Date, error) {
	if len(s) > 10 {
		s = s[:10]
	}
	if v, ok := parseISO(s); ok {
		return v, nil
	}
	return Parse(s)
}

// parseISO reads a valid YYYY-MM-DD quickly, as databases return dates
// by the million in batch reads; it reports false for anything else,
// which Parse then reads or refuses.
func parseISO(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	n := 0
	for i, c := range []byte(s) {
		if i == 4 || i == 7 {
			continue
		}
		if c < '0' || c > '9' {
			return Date{}, false
		}
		n = n*10 + int(c-'0')
	}
	y, m, dd := n/10000, n/100%100, n%100
	if y < 1 || m < 1 || m > 12 || dd < 1 || dd > daysIn(y, m) {
		return Date{}, false
	}
	return Date{int16(y), uint8(m), uint8(dd)}, true
}

// daysIn returns the number of days of month m of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Beijing is China Standard Time (UTC+8, no daylight saving), the zone in
// which every calendar day of Jiahe is reckoned.
var Beijing = time.FixedZone("CST", 8*3600)

// Today returns the calendar day of t in Beijing.
func Today(t time.Time) Date { return FromTime(t.In(Beijing)) }
