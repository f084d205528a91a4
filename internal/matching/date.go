package matching

import (
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
)

// DateValue is a date read from a department's file, with what had to be
// assumed to read it.
type DateValue struct {
	Date date.Date `json:"date"`
	// Alt is the other reading of an ambiguous date (day and month
	// exchanged), zero when there is none.
	Alt date.Date `json:"alt,omitzero"`
	// Swapped says the date was written with its day and month exchanged
	// (the month was over 12) and was read the other way round.
	Swapped bool `json:"swapped,omitempty"`
	// Ambiguous says the date was written with the year last (05/03/2006)
	// and both readings are dates: Date is month first, as Excel writes
	// it, and Alt day first.
	Ambiguous bool `json:"ambiguous,omitempty"`
}

// IsZero reports whether no date was given.
func (v DateValue) IsZero() bool { return v.Date.IsZero() }

// minYear and maxYear bound the years a date of an extract may have.
const (
	minYear = 1850
	maxYear = 2200
)

// excelEpoch is day 0 of Excel's 1900 date system (which counts the
// non-existent 1900-02-29, so serials from 61 on are one day ahead).
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// chineseDigits are the digits of dates written in characters
// (二〇〇六年三月五日).
var chineseDigits = map[rune]byte{'〇': '0', '零': '0', 'О': '0', '○': '0', '一': '1', '二': '2', '三': '3', '四': '4', '五': '5', '六': '6', '七': '7', '八': '8', '九': '9'}

// ParseDate reads a date as departments' systems and clerks write it:
// 2006-03-05, 2006/3/5, 2006.3.5, 2006年3月5日, 二〇〇六年三月五日,
// 20060305, 2006-03-05 00:00:00 or 2006-03-05T00:00:00, 05/03/2006 or
// 05-03-2006 (year last), with full-width digits or not, and when excel is
// true a workbook's date serial number (38781). A date written year first
// whose month is over 12 while its day is not is read with day and month
// exchanged and flagged Swapped; one written year last whose first two
// parts could both be the month is flagged Ambiguous and read month first.
// The empty string is the zero DateValue. The error is an *apperr.Error
// (Invalid) with a message in Chinese and English.
func ParseDate(s string, excel bool) (DateValue, error) {
	s = cleanCell(narrow(s))
	if s == "" {
		return DateValue{}, nil
	}
	bad := func() (DateValue, error) {
		return DateValue{}, apperr.Invalidf("", "日期“%s”无法识别，应为 YYYY-MM-DD", "%q is not a date: want YYYY-MM-DD", clip(s, 40))
	}
	if len(s) > 40 {
		return bad()
	}
	// A time of day after the date: only midnight, as exports write it.
	if i := strings.IndexAny(s, " T"); i >= 8 {
		rest := strings.TrimLeft(s[i:], " T")
		if rest == "" || isMidnight(rest) {
			s = s[:i]
		}
	}
	// Characters as digits (二〇〇六年三月五日 → 2006年3月5日).
	if strings.ContainsAny(s, "〇零○一二三四五六七八九十") {
		t, ok := chineseDate(s)
		if !ok {
			return bad()
		}
		s = t
	}
	if excel && isDigits(strings.Split(s, ".")[0]) && len(strings.Split(s, ".")[0]) <= 5 {
		n, _ := strconv.Atoi(strings.Split(s, ".")[0])
		if n >= 61 && n < 2958466 {
			return DateValue{Date: date.FromTime(excelEpoch.AddDate(0, 0, n))}, nil
		}
	}
	if len(s) == 8 && isDigits(s) {
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		if v, ok := yearFirst(y, m, d); ok {
			return v, nil
		}
		return bad()
	}
	parts := splitDate(s)
	if len(parts) != 3 {
		return bad()
	}
	n := [3]int{}
	for i, p := range parts {
		if !isDigits(p) || len(p) > 4 {
			return bad()
		}
		n[i], _ = strconv.Atoi(p)
	}
	switch {
	case len(parts[0]) == 4:
		if v, ok := yearFirst(n[0], n[1], n[2]); ok {
			return v, nil
		}
	case len(parts[2]) == 4:
		md, okMD := valid(n[2], n[0], n[1])
		dm, okDM := valid(n[2], n[1], n[0])
		switch {
		case okMD && okDM && md != dm:
			return DateValue{Date: md, Alt: dm, Ambiguous: true}, nil
		case okMD:
			return DateValue{Date: md}, nil
		case okDM:
			return DateValue{Date: dm}, nil
		}
	}
	return bad()
}

// yearFirst reads y-m-d, or y-d-m flagged Swapped when only that is a date.
func yearFirst(y, m, d int) (DateValue, bool) {
	if v, ok := valid(y, m, d); ok {
		return DateValue{Date: v}, true
	}
	if m > 12 && d <= 12 {
		if v, ok := valid(y, d, m); ok {
			return DateValue{Date: v, Swapped: true}, true
		}
	}
	return DateValue{}, false
}

func valid(y, m, d int) (date.Date, bool) {
	if y < minYear || y > maxYear || m < 1 || m > 12 || d < 1 || d > 31 {
		return date.Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return date.Date{}, false
	}
	return date.FromTime(t), true
}

// splitDate splits a date at its separators: - / . 年 月 日 and spaces.
func splitDate(s string) []string {
	s = strings.TrimSuffix(s, "日")
	s = strings.TrimSuffix(s, "号")
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == '-' || r == '/' || r == '.' || r == '年' || r == '月' || r == ' ' || r == '\\' || r == '_'
	})
	return f
}

func isMidnight(s string) bool {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "Z"), ".000")
	switch s {
	case "0:00", "00:00", "0:00:00", "00:00:00":
		return true
	}
	return false
}

// chineseDate turns a date written in characters into digits: the year
// digit by digit, the month and day as numbers up to 三十一.
func chineseDate(s string) (string, bool) {
	y, rest, ok := strings.Cut(s, "年")
	if !ok {
		return "", false
	}
	m, rest, ok := strings.Cut(rest, "月")
	if !ok {
		return "", false
	}
	d := strings.TrimSuffix(strings.TrimSuffix(rest, "日"), "号")
	var b strings.Builder
	for _, r := range y {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case chineseDigits[r] != 0:
			b.WriteByte(chineseDigits[r])
		default:
			return "", false
		}
	}
	mm, ok1 := chineseNumber(m)
	dd, ok2 := chineseNumber(d)
	if !ok1 || !ok2 {
		return "", false
	}
	return b.String() + "-" + strconv.Itoa(mm) + "-" + strconv.Itoa(dd), true
}

// chineseNumber reads 1–31 written in digits or characters (五, 十二,
// 二十, 三十一).
func chineseNumber(s string) (int, bool) {
	if isDigits(s) && len(s) <= 2 {
		n, _ := strconv.Atoi(s)
		return n, true
	}
	rs := []rune(s)
	digit := func(r rune) (int, bool) {
		if r == '〇' || r == '零' {
			return 0, true
		}
		c, ok := chineseDigits[r]
		return int(c - '0'), ok
	}
	switch len(rs) {
	case 1:
		if rs[0] == '十' {
			return 10, true
		}
		return digit(rs[0])
	case 2:
		if rs[0] == '十' {
			d, ok := digit(rs[1])
			return 10 + d, ok
		}
		if rs[1] == '十' {
			d, ok := digit(rs[0])
			return 10 * d, ok
		}
	case 3:
		if rs[1] == '十' {
			a, ok1 := digit(rs[0])
			b, ok2 := digit(rs[2])
			return 10*a + b, ok1 && ok2
		}
	}
	return 0, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// clip shortens s to at most n characters for a message.
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}
