package date

import (
	"fmt"
	"strings"
)

// Chinese returns d as a formal Chinese date, 2026年12月5日 (no leading
// zeros), as official papers print it; "" for the zero Date.
func (d Date) Chinese() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", d.y, d.m, d.d)
}

// Chinese rewrites a date given as text in the ISO form YYYY-MM-DD as a
// formal Chinese date; a time of day after it ("2024-01-10 09:00") is kept:
// 2024年1月10日 09:00. Text that does not start with such a date is
// returned unchanged, so that a caller may pass any field through it.
func Chinese(s string) string {
	if len(s) < 10 {
		return s
	}
	d, err := Parse(s[:10])
	if err != nil || d.IsZero() {
		return s
	}
	rest := s[10:]
	switch {
	case rest == "":
		return d.Chinese()
	case strings.HasPrefix(rest, " ") || strings.HasPrefix(rest, "T"):
		return d.Chinese() + " " + strings.TrimSpace(rest[1:])
	}
	return s
}
