package policy

import (
	"iter"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImpact previews a county layer that lowers the 奖扶 age to 59 and
// adds a county increment for families without surviving children.
func TestImpact(t *testing.T) {
	l, err := ParseLayer([]byte(`{"region": "341523", "version": 2, "from": "2024-01-01", "title": "舒城县测算",
	  "programs": [{"code": "jf", "params": {"min_age": 59},
	    "increments": [{"id": "county_no_child", "from": "2024-01-01", "when": "surviving == 0", "fen": 10000, "per": "year", "payer": "county"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateRuleSet(l, nil); err != nil {
		t.Fatal(err)
	}
	base, _ := Builtin()
	oldEv, _ := NewEvaluator(Options{})
	newEv, err := NewEvaluator(Options{Layers: append(slices.Clone(base), *l)})
	if err != nil {
		t.Fatal(err)
	}
	family := func(town, hb, wb string, childDied bool) *Case {
		s := strings.NewReplacer("HB", hb, "WB", wb, "TOWN", town).Replace(`{"year": 2024, "region": "341523",
		  "persons": [{"ref": "h", "sex": "M", "birth": "HB", "region": "TOWN", "hukou": [{"type": "rural"}]},
		              {"ref": "w", "sex": "F", "birth": "WB", "region": "TOWN", "hukou": [{"type": "rural"}]},
		              {"ref": "c", "sex": "M", "birth": "1990-01-01" DEATH}],
		  "marriages": [{"a": "h", "b": "w", "from": "1988-01-01"}],
		  "children": [{"parent": "h", "child": "c", "kind": "birth"}, {"parent": "w", "child": "c", "kind": "birth"}]}`)
		death := ""
		if childDied {
			death = `, "death": "2010-01-01"`
		}
		c := mustCase(t, strings.Replace(s, " DEATH", death, 1))
		c.Subjects = []string{"h", "w"}
		return c
	}
	cases := []*Case{
		family("341523100001", "1965-03-01", "1964-02-01", false), // h 59 gains; w 60 unchanged
		family("341523100002", "1960-03-01", "1961-02-01", true),  // both already eligible; +100 each
		family("341523101003", "1970-03-01", "1971-02-01", false), // nobody
	}
	var seq iter.Seq[*Case] = slices.Values(cases)
	got, err := Impact(oldEv, newEv, seq)
	if err != nil {
		t.Fatal(err)
	}
	var jf []ImpactRow
	for _, r := range got {
		if r.Program == "jf" {
			jf = append(jf, r)
		}
	}
	want := []ImpactRow{
		{Township: "341523100", Program: "jf", Before: 3, After: 4, Gained: 1, OldFen: 96000 + 2*156000, NewFen: 2*96000 + 2*166000, ChangeFen: 96000 + 2*10000},
	}
	if diff := cmp.Diff(want, jf); diff != "" {
		t.Errorf("impact (-want +got):\n%s", diff)
	}
}
