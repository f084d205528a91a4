package special

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

var d = date.MustParse

// family is a couple (w, h) and their children c1, c2 as the registry
// holds them.
func family(wifeBirth string, kids ...registry.Person) *registry.Family {
	f := &registry.Family{Persons: []registry.Person{
		{Ref: "w", Sex: registry.Female, Birth: d(wifeBirth)},
		{Ref: "h", Sex: registry.Male, Birth: d("1960-01-01")},
	}}
	for _, k := range kids {
		f.Persons = append(f.Persons, k)
		f.Children = append(f.Children, registry.ParentChild{Parent: "w", Child: k.Ref, Kind: registry.Birth},
			registry.ParentChild{Parent: "h", Child: k.Ref, Kind: registry.Birth})
	}
	return f
}

func TestQualify(t *testing.T) {
	on := d("2025-06-10")
	rules := Rules{MinAge: 49, MaxGrade: 3}
	dead := registry.Person{Ref: "c1", Sex: registry.Male, Birth: d("1990-01-01"), Death: d("2020-01-01")}
	alive := registry.Person{Ref: "c2", Sex: registry.Female, Birth: d("1993-01-01")}
	disabled := func(grade int, to string) *registry.Family {
		f := family("1970-01-01", registry.Person{Ref: "c1", Sex: registry.Male, Birth: d("1990-01-01")})
		dis := registry.Disability{Person: "c1", Grade: grade, From: d("2010-01-01")}
		if to != "" {
			dis.To = d(to)
		}
		f.Disabilities = []registry.Disability{dis}
		return f
	}
	widow := family("1970-01-01", dead)
	widow.Persons[0].Death = d("2024-01-01")
	step := family("1970-01-01")
	step.Persons = append(step.Persons, dead)
	step.Children = []registry.ParentChild{{Parent: "w", Child: "c1", Kind: registry.Step}}
	for _, tc := range []struct {
		name     string
		f        *registry.Family
		anchor   string
		category string // "" : does not qualify
	}{
		{"the only child died, the mother is 55", family("1970-01-01", dead), "w", CategoryDied},
		{"the mother is 48 this year", family("1977-12-31", dead), "w", ""},
		{"the mother is 49 at the year's end", family("1976-12-31", dead), "w", CategoryDied},
		{"one of two children alive", family("1970-01-01", dead, alive), "w", ""},
		{"both children died", family("1970-01-01", dead, registry.Person{Ref: "c2", Birth: d("1992-01-01"), Death: d("2021-01-01")}), "w", CategoryDied},
		{"no children", family("1970-01-01"), "w", ""},
		{"the only child disabled at grade 2", disabled(2, ""), "w", CategoryDisabled},
		{"grade 4 is not enough", disabled(4, ""), "w", ""},
		{"the certificate ended", disabled(1, "2024-01-01"), "w", ""},
		{"the father, with the mother alive", family("1970-01-01", dead), "h", ""},
		{"the father, widowed", widow, "h", CategoryDied},
		{"a step-child does not count", step, "w", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, ok := Qualify(tc.f, tc.anchor, on, rules)
			if got := map[bool]string{true: q.Category}[ok]; got != tc.category {
				t.Errorf("Qualify = %+v %v, want category %q", q, ok, tc.category)
			}
		})
	}
}

func TestParseSettings(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"township_cadre,village_doctor", 2, true},
		{" village_doctor , village_doctor ", 1, true},
		{"county_official,township_cadre,village_cadre,village_doctor", 4, true},
		{"", 0, false},
		{"doctor", 0, false},
	} {
		got, err := ParseKinds(tc.in)
		if (err == nil) != tc.ok || len(got) != tc.want {
			t.Errorf("ParseKinds(%q) = %v %v", tc.in, got, err)
		}
	}
	for in, ok := range map[string]bool{"90": true, " 30 ": true, "0": false, "367": false, "九十": false, "": false} {
		if _, err := ParseDays("visit_days", in); (err == nil) != ok {
			t.Errorf("ParseDays(%q): %v", in, err)
		}
	}
}

// FuzzParseSettings checks that the county's settings, typed in by
// staff, are accepted only as valid kinds and days, and never panic.
func FuzzParseSettings(f *testing.F) {
	for _, s := range []string{"township_cadre,village_doctor", "90", "", ",,", "village_doctor,x", "-1", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if kinds, err := ParseKinds(s); err == nil {
			if len(kinds) == 0 {
				t.Errorf("ParseKinds(%q) accepted no kind", s)
			}
			for _, k := range kinds {
				if !ContactKinds.Has(k) {
					t.Errorf("ParseKinds(%q) accepted %q", s, k)
				}
			}
		}
		if n, err := ParseDays("days", s); err == nil && (n < 1 || n > 366) {
			t.Errorf("ParseDays(%q) = %d", s, n)
		}
	})
}
