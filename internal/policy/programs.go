package policy

import (
	"sync"

	"github.com/jiahe-project/jiahe/internal/term"
)

// Programs are data: the rule layers declare each program's code and its
// names (rules/*.json, and the layers regions add). The programs below are
// the national baseline's that code refers to by name: the roll's tiers
// and the switch from one special-assistance program to another.
const (
	ProgramJF             = "jf"              // 农村部分计划生育家庭奖励扶助
	ProgramTFDeath        = "tf_death"        // 特别扶助（独生子女死亡）
	ProgramTFDisability   = "tf_disability"   // 特别扶助（独生子女伤残）
	ProgramTFComplication = "tf_complication" // 手术并发症特别扶助
	// ProgramChildcareSubsidy is the national childcare subsidy (育儿补贴,
	// design §5): its subject is the child, its applicant a parent.
	ProgramChildcareSubsidy = "childcare_subsidy"
)

// ProgramsOf lists the programs the layers declare, in the order the
// layers first declare them (the national baseline first), each with the
// names the last layer that names it gives, in Chinese and English.
func ProgramsOf(layers []Layer) term.List {
	var out term.List
	at := map[string]int{}
	for _, l := range layers {
		for _, p := range l.Programs {
			i, ok := at[p.Code]
			if !ok {
				if p.Remove {
					continue
				}
				i = len(out)
				at[p.Code] = i
				out = append(out, term.Term{Code: p.Code})
			}
			if p.Name != "" {
				out[i].ZH = p.Name
			}
			if p.NameEN != "" {
				out[i].EN = p.NameEN
			}
		}
	}
	for i := range out {
		if out[i].ZH == "" {
			out[i].ZH = out[i].Code
		}
	}
	return out
}

// BuiltinPrograms lists the programs of the embedded rules (Builtin), as
// ProgramsOf does. The caller must not change the list.
func BuiltinPrograms() term.List { return builtinPrograms() }

var builtinPrograms = sync.OnceValue(func() term.List {
	layers, err := Builtin()
	if err != nil {
		return nil // the embedded rules are checked by the tests
	}
	return ProgramsOf(layers)
})

// The one-off programs: payments to a list the county chooses (a
// committee's list of special families, docs/special-families.md), paid
// through the payment cycles like the programs of the rules, but decided
// by the list's approval, not by the engine.
const (
	ProgramGift529      = "sp_gift_529"    // 5·29慰问
	ProgramGiftSpring   = "sp_gift_spring" // 春节慰问
	ProgramEmergencyAid = "sp_emergency"   // 紧急救助
	ProgramStudyAid     = "sp_study"       // 阳光助学
)

// OneOffPrograms names the one-off programs.
var OneOffPrograms = term.List{
	{Code: ProgramGift529, ZH: "计生特殊家庭5·29慰问", EN: "May 29 visit gift to special families"},
	{Code: ProgramGiftSpring, ZH: "计生特殊家庭春节慰问", EN: "Spring Festival gift to special families"},
	{Code: ProgramEmergencyAid, ZH: "计生特殊家庭紧急救助", EN: "Emergency aid to special families"},
	{Code: ProgramStudyAid, ZH: "计生家庭阳光助学", EN: "Study aid (阳光助学)"},
}

// ProgramName returns the Chinese name the embedded rules (or the list of
// one-off programs) give program code, or the code itself: for documents
// that name a program without the rules in force at hand.
func ProgramName(code string) string {
	if t, ok := OneOffPrograms.Find(code); ok {
		return t.ZH
	}
	return BuiltinPrograms().Chinese(code)
}

// The funding levels: who pays a share of a benefit.
const (
	LevelCentral  = "central"
	LevelProvince = "province"
	LevelCity     = "city"
	LevelCounty   = "county"
)

// FundingLevels lists the funding levels in the order funding lines are
// printed, amounts split and remainders allocated.
var FundingLevels = term.List{
	{Code: LevelCentral, ZH: "中央", EN: "Central"},
	{Code: LevelProvince, ZH: "省级", EN: "Province"},
	{Code: LevelCity, ZH: "市级", EN: "City"},
	{Code: LevelCounty, ZH: "县级", EN: "County"},
}
