package ui

import (
	"net/http/httptest"
	"testing"
)

// TestPagerRowsShown checks the rows a page says it shows ("第 From–To
// 条"): within the count, past the last page, and past a count that
// stopped at its cap while rows go on (a search by a common name).
func TestPagerRowsShown(t *testing.T) {
	for _, c := range []struct {
		name               string
		total, page, shown int
		more               bool
		from, to           int
		past               bool
	}{
		{"first page", 45, 1, 20, false, 1, 20, false},
		{"last page, not full", 45, 3, 5, false, 41, 45, false},
		{"past the last page", 45, 9, 0, false, 0, 0, true},
		{"within a capped count", 1000, 2, 20, true, 21, 40, false},
		{"past a capped count, rows go on", 1000, 99, 20, true, 1961, 1980, false},
		{"past a capped count, the last rows", 1000, 99, 7, true, 1961, 1967, false},
		{"past a capped count and the rows", 1000, 400, 0, true, 0, 0, true},
	} {
		r := httptest.NewRequest("GET", "/persons?q=王", nil)
		p := newPager(r, c.total, c.page)
		p.More = c.more
		p.shown(c.shown)
		if c.past != p.Past || !c.past && (p.From != c.from || p.To != c.to) {
			t.Errorf("%s: rows %d–%d, past %v; want %d–%d, past %v", c.name, p.From, p.To, p.Past, c.from, c.to, c.past)
		}
	}
}
