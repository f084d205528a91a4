package policy

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/term"
)

// TestProgramsOf checks how the programs' names flow from the layers:
// in the order first declared, the last name given winning, a program
// removed where it was never declared left out.
func TestProgramsOf(t *testing.T) {
	layers := []Layer{
		{Programs: []ProgramLayer{{Code: "a", Name: "甲", NameEN: "A"}, {Code: "b", Name: "乙"}}},
		{Region: "34", Programs: []ProgramLayer{{Code: "b", NameEN: "B"}, {Code: "c", Name: "丙"}, {Code: "x", Remove: true}}},
		{Region: "3415", Programs: []ProgramLayer{{Code: "a", Name: "甲二"}, {Code: "d"}}},
	}
	want := term.List{{Code: "a", ZH: "甲二", EN: "A"}, {Code: "b", ZH: "乙", EN: "B"}, {Code: "c", ZH: "丙"}, {Code: "d", ZH: "d"}}
	got := ProgramsOf(layers)
	if len(got) != len(want) {
		t.Fatalf("ProgramsOf = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("program %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestBuiltinProgramNames checks the names the embedded rules give the
// programs: the national baseline's first, and the names documents,
// letters and bank files have always printed.
func TestBuiltinProgramNames(t *testing.T) {
	list := BuiltinPrograms()
	for i, code := range []string{ProgramJF, ProgramTFDeath, ProgramTFDisability, ProgramTFComplication} {
		if i >= len(list) || list[i].Code != code {
			t.Fatalf("the embedded programs begin %v, want the national ones", list)
		}
	}
	for code, name := range map[string]string{
		ProgramJF:             "农村部分计划生育家庭奖励扶助",
		ProgramTFDeath:        "计划生育家庭特别扶助（独生子女死亡）",
		ProgramTFDisability:   "计划生育家庭特别扶助（独生子女伤残）",
		ProgramTFComplication: "计划生育手术并发症特别扶助",
		"urban_reward":        "城镇独生子女父母奖励扶助",
		"one_child_fee":       "独生子女父母奖励费",
		"retiree_award":       "企业退休职工独生子女父母一次性奖励",
		"no_such_program":     "no_such_program",
	} {
		if got := ProgramName(code); got != name {
			t.Errorf("ProgramName(%q) = %q, want %q", code, got, name)
		}
	}
	if n := list.Name(ProgramJF, "en"); n != "Rural family-planning reward assistance" {
		t.Errorf("English name of jf = %q", n)
	}
}

// TestFundingLevels checks that the levels amounts are split by are the
// funding levels, in order.
func TestFundingLevels(t *testing.T) {
	want := []string{LevelCentral, LevelProvince, LevelCity, LevelCounty}
	for i, l := range FundingLevels {
		if levels[i] != want[i] || l.Code != want[i] || l.ZH == "" || l.EN == "" {
			t.Errorf("level %d: %+v (levels %v)", i, l, levels)
		}
	}
}
