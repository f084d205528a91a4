package stats

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// TestResolveFacts resolves the facts of a township merged on 2024-03-01
// (341523101 into 341523100, its village 341523101200 re-keyed to
// 341523100007) to the divisions of a month before and after the merger,
// for the county's report and for the retired township's.
func TestResolveFacts(t *testing.T) {
	h := region.NewHistory(region.Default(), []region.Version{
		{Code: "341523101000", Name: "晓天镇", Parent: "341523", To: "2024-03-01"},
		{Code: "341523101200", Name: "晓天村", Parent: "341523101000", To: "2024-03-01"},
		{Code: "341523100007", Name: "晓天村", Parent: "341523100000", From: "2024-03-01"},
	}, []region.Key{{Old: "341523101000", New: "341523100000", Day: "2024-03-01"}, {Old: "341523101200", New: "341523100007", Day: "2024-03-01"}}, "2025-01-01")
	facts := func() *Facts {
		return &Facts{
			Births:     []Birth{{ID: 1, Region: "341523100007", Born: date.MustParse("2024-02-10")}, {ID: 2, Region: "341523100201"}},
			Moves:      []Move{{ID: 3, From: "341523100201", To: "341523100007"}},
			Paid:       []Paid{{Program: "jf", Region: "341523101200", Persons: 1}},
			Population: map[string]int64{"341523100007": 10, "341523100201": 5},
		}
	}
	for _, tc := range []struct {
		name       string
		reg        region.Code
		month      Month
		births     []string
		moves      int
		paid       string
		population map[string]int64
		units      int
	}{
		{"county before", "341523", Month{2024, 2}, []string{"341523101200", "341523100201"}, 1, "341523101200",
			map[string]int64{"341523101200": 10, "341523100201": 5}, -1},
		{"county after", "341523", Month{2024, 3}, []string{"341523100007", "341523100201"}, 1, "341523100007",
			map[string]int64{"341523100007": 10, "341523100201": 5}, -1},
		{"retired township before", "341523101000", Month{2024, 2}, []string{"341523101200"}, 1, "341523101200",
			map[string]int64{"341523101200": 10}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names, v := DivisionsOn(h, tc.month)
			f := ResolveFacts(facts(), tc.reg, v.Resolve)
			var births []string
			for _, b := range f.Births {
				births = append(births, b.Region)
			}
			if len(births) != len(tc.births) || births[0] != tc.births[0] {
				t.Errorf("births in %v, want %v", births, tc.births)
			}
			if len(f.Moves) != tc.moves {
				t.Errorf("moves %+v, want %d", f.Moves, tc.moves)
			}
			if len(f.Paid) != 1 || f.Paid[0].Region != tc.paid {
				t.Errorf("paid %+v, want in %s", f.Paid, tc.paid)
			}
			for k, n := range tc.population {
				if f.Population[k] != n || len(f.Population) != len(tc.population) {
					t.Errorf("population %v, want %v", f.Population, tc.population)
				}
			}
			if tc.units > 0 && UnitsOf(names, tc.reg)[1].Code != "341523101200" {
				t.Errorf("units of %s: %v", tc.reg, UnitsOf(names, tc.reg))
			}
			// 晓天镇 is a unit of the county before the merger only.
			has := false
			for _, u := range UnitsOf(names, "341523") {
				has = has || u.Code == "341523101000"
			}
			if has != tc.month.Before(Month{2024, 3}) {
				t.Errorf("晓天镇 a unit in %s: %v", tc.month, has)
			}
		})
	}
}
