package complaint

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

func TestLevelAndAbove(t *testing.T) {
	for _, c := range []struct{ reg, level, above region.Code }{
		{"341523100201", "341523100000", "341523"}, // a village: its township handles it, the county above
		{"341523100000", "341523100000", "341523"}, // a township
		{"341523", "341523", "341500"},             // a county: the city above
	} {
		if l, a := Level(c.reg), Above(c.reg); l != c.level || a != c.above {
			t.Errorf("%s: level %s above %s, want %s %s", c.reg, l, a, c.level, c.above)
		}
	}
}

func TestOverdueAndOnTime(t *testing.T) {
	d := date.MustParse
	today := d("2026-03-10")
	for _, c := range []struct {
		name            string
		it              Item
		overdue, onTime bool
		known           bool
	}{
		{"open, not due", Item{Status: StatusOpen, Deadline: d("2026-03-10")}, false, false, false},
		{"open, past its day", Item{Status: StatusOpen, Deadline: d("2026-03-09")}, true, false, true},
		{"answered on its day", Item{Status: StatusReplied, Deadline: d("2026-03-09"), Replied: d("2026-03-09")}, false, true, true},
		{"answered late", Item{Status: StatusClosed, Deadline: d("2026-03-01"), Replied: d("2026-03-02")}, false, false, true},
	} {
		on, known := c.it.OnTime(today)
		if c.it.Overdue(today) != c.overdue || on != c.onTime || known != c.known {
			t.Errorf("%s: overdue %v, on time %v known %v", c.name, c.it.Overdue(today), on, known)
		}
	}
}

func TestQueryCheck(t *testing.T) {
	for _, c := range []struct {
		q  Query
		ok bool
	}{
		{Query{}, true}, {Query{Status: FilterOverdue}, true}, {Query{Status: FilterEscalated, Kind: KindPetition}, true},
		{Query{Status: StatusClosed}, true}, {Query{Status: "lost"}, false}, {Query{Kind: "praise"}, false},
	} {
		if err := c.q.Check(); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.q, err)
		}
	}
}

func TestParseDays(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{{"15", 15, true}, {"1", 1, true}, {"180", 180, true}, {"0", 0, false}, {"181", 0, false}, {"七", 0, false}, {"", 0, false}, {"1.5", 0, false}} {
		got, err := ParseDays("days", c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%q: %d %v", c.in, got, err)
		}
	}
}

func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"15", "0", "-3", "999999999999999999999", " 5", "五"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDays("days", s)
		if err == nil && (d < 1 || d > 180) {
			t.Fatalf("%q parsed to %d", s, d)
		}
	})
}
