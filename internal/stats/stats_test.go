package stats

import (
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/region"
)

func TestParseMonth(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Month
		ok   bool
	}{
		{"2026-11", Month{2026, 11}, true},
		{" 2026-01 ", Month{2026, 1}, true},
		{"2026-13", Month{}, false},
		{"2026-00", Month{}, false},
		{"26-01", Month{}, false},
		{"2026/01", Month{}, false},
		{"", Month{}, false},
		{"1900-01", Month{}, false},
	} {
		got, err := ParseMonth(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseMonth(%q) = %v, %v", c.in, got, err)
		}
	}
	m := Month{2026, 1}
	if m.Add(-1) != (Month{2025, 12}) || m.Add(11) != (Month{2026, 12}) || m.Add(12) != (Month{2027, 1}) {
		t.Error("Add")
	}
	if m.Last() != date.MustParse("2026-01-31") || (Month{2024, 2}).Last() != date.MustParse("2024-02-29") {
		t.Error("Last")
	}
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-11", "2026-1", "x", "9999-99", "-1--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMonth(s)
		if err != nil {
			return
		}
		if back, err := ParseMonth(m.String()); err != nil || back != m {
			t.Fatalf("%q -> %v -> %v %v", s, m, back, err)
		}
	})
}

// TestCompute checks the counting rules on a small set of facts: parity
// classes, units, a marriage of two persons of one unit counted once, a
// move between two units of the region, money by level.
func TestCompute(t *testing.T) {
	units := []Unit{{Code: "341523100000", Name: "城关镇"}, {Code: "341523101000", Name: "晓天镇"}}
	d := date.MustParse
	f := &Facts{
		Births: []Birth{
			{County: "341523", ID: 1, Sex: Male, Region: "341523100201", Born: d("2026-01-03"), Parity: 1},
			{County: "341523", ID: 2, Sex: Female, Region: "341523100201", Born: d("2026-01-04"), Parity: 4},
			{County: "341523", ID: 3, Sex: Female, Region: "341523101200", Born: d("2025-03-04"), Parity: 2},
		},
		Marriages: []Event{
			{County: "341523", ID: 10, Region: "341523100201", Ref: 7},
			{County: "341523", ID: 11, Region: "341523100001", Ref: 7},
			{County: "341523", ID: 12, Region: "341523101200", Ref: 8},
			{County: "341523", ID: 13, Region: "341523100201", Ref: 8},
		},
		Moves: []Move{
			{County: "341523", ID: 20, From: "341523100201", To: "341523101200"},
			{County: "341523", ID: 21, From: "341522100001", To: "341523100201"},
		},
		Paid: []Paid{{Program: "jf", Region: "341523100000", Persons: 2, Amount: 100, Split: [4]money.Fen{80, 20, 0, 0}}},
	}
	r := Compute("341523", "舒城县", Month{2026, 1}, units, f)
	want := map[string]int64{
		"births.all.all": 2, "births.p1.M": 1, "births.p3.F": 1, "r12.all.all": 3, "r12.p2.F@341523101000": 1,
		"marriages": 2, "marriages@341523100000": 2, "marriages@341523101000": 1,
		"moves_in": 1, "moves_out": 0, "moves_out@341523100000": 1, "moves_in@341523101000": 1, "moves_in@341523100000": 1,
		"paid.jf.central": 80, "paid.all.province": 20, "paid.jf.persons@341523100000": 2,
	}
	for k, v := range want {
		if r.Figures[k] != v {
			t.Errorf("%s = %d, want %d", k, r.Figures[k], v)
		}
	}
	refs := Behind("341523", Month{2026, 1}, units, f, "moves_in@341523100000")
	if len(refs) != 1 || refs[0].ID != 21 {
		t.Errorf("behind moves_in of 城关: %v", refs)
	}
	refs = Behind("341523", Month{2026, 1}, units, f, "moves_in")
	if len(refs) != 1 || refs[0].ID != 21 {
		t.Errorf("behind the county's moves_in: %v", refs)
	}
	refs = Behind("341523", Month{2026, 1}, units, f, "births.p3.all")
	if len(refs) != 1 || refs[0].ID != 2 {
		t.Errorf("behind births.p3.all: %v", refs)
	}
	if err := CheckKey(region.Code("341523"), units, "births.p1.M@341522100000"); err == nil {
		t.Error("a unit outside the report is accepted")
	}
	if err := CheckKey(region.Code("341523"), units, "pop"); err == nil {
		t.Error("the population has no list, yet it is accepted")
	}
}

func TestDiffAndWarnings(t *testing.T) {
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rs := Diff("2026-01", Figures{"births.all.all": 2, "deaths": 1}, Figures{"births.all.all": 3, "deaths": 1, "aged": 1}, "2026-02", at)
	if len(rs) != 2 || rs[0].Figure != "aged" || rs[0].Delta != 1 || rs[1].Figure != "births.all.all" || rs[1].Delta != 1 {
		t.Errorf("diff %+v", rs)
	}
	r := &Report{RegionName: "某县", Units: []Unit{{Code: "u1", Name: "甲镇"}}, Figures: Figures{
		"r12.all.all@u1": 30, "r12.all.M@u1": 18, "r12.all.F@u1": 12, // 150
		"r12.all.all": 30, "r12.all.M": 18, "r12.all.F": 12,
		"births.all.all@u1": 10, "births.all.all": 10, // 20 before in 11 months: avg 1.8
	}}
	ws := Warnings(r, DefaultThresholds)
	kinds := map[string]bool{}
	for _, w := range ws {
		kinds[w.Kind+"@"+w.Unit] = true
	}
	for _, k := range []string{"srb_high@", "srb_high@u1", "births_jump@u1"} {
		if !kinds[k] {
			t.Errorf("warning %s missing: %+v", k, ws)
		}
	}
	th := DefaultThresholds
	th.MinBirths = 31
	for _, w := range Warnings(r, th) {
		if w.Kind == WarnSexRatioHigh {
			t.Errorf("a ratio judged from too few births: %+v", w)
		}
	}
	if err := th.SetParam(ParamJump, "0.5"); err == nil {
		t.Error("a jump factor below 1 is accepted")
	}
}

func TestQuarterAndParentIssues(t *testing.T) {
	q, err := ParseQuarter("2026-q1")
	if err != nil || q != (Quarter{2026, 1}) || q.Last() != date.MustParse("2026-03-31") || q.Add(-1).String() != "2025-Q4" {
		t.Errorf("quarter %v %v", q, err)
	}
	for _, s := range []string{"2026-Q0", "2026-Q5", "2026Q1", "2026-1", ""} {
		if _, err := ParseQuarter(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	d := date.MustParse
	is := ParentIssues([]Parenthood{
		{Child: 1, ChildBirth: d("2026-01-01"), ParentSex: Female, ParentBirth: d("2011-01-02")},                             // 14
		{Child: 2, ChildBirth: d("2026-01-01"), ParentSex: Female, ParentBirth: d("2011-01-01")},                             // 15 that day
		{Child: 3, ChildBirth: d("2020-10-01"), ParentSex: Male, ParentBirth: d("1980-01-01"), ParentDeath: d("2020-01-01")}, // 9 months
		{Child: 4, ChildBirth: d("2020-10-02"), ParentSex: Male, ParentBirth: d("1980-01-01"), ParentDeath: d("2020-01-01")},
		{Child: 5, ChildBirth: d("2020-01-02"), ParentSex: Female, ParentBirth: d("1980-01-01"), ParentDeath: d("2020-01-01")},
	})
	var got []string
	for _, i := range is {
		got = append(got, i.Check+":"+string(rune('0'+i.ID)))
	}
	want := []string{"young_mother:1", "posthumous:4", "posthumous:5"}
	if len(got) != len(want) {
		t.Fatalf("issues %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("issues %v, want %v", got, want)
		}
	}
}

func FuzzParseQuarter(f *testing.F) {
	for _, s := range []string{"2026-Q1", "2026-q4", "x-Q", "2026-Q-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuarter(s)
		if err != nil {
			return
		}
		if back, err := ParseQuarter(q.String()); err != nil || back != q {
			t.Fatalf("%q -> %v -> %v %v", s, q, back, err)
		}
	})
}
