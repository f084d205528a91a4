package roll

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
)

func TestExitReason(t *testing.T) {
	fail := func(ids ...string) []policy.ClauseResult {
		var out []policy.ClauseResult
		for _, id := range ids {
			out = append(out, policy.ClauseResult{ID: id})
		}
		return out
	}
	tests := []struct {
		failed []policy.ClauseResult
		kind   string
		own    bool
		want   string
	}{
		{nil, "death", true, "died"},
		{fail("alive"), "", false, "died"},
		{fail("children", "in_county"), "hukou", false, "moved_out"},
		{fail("no_later_child"), "birth", false, "child_added"},
		{fail("complication"), "complication", false, "recovered"},
		{fail("age"), "other", false, "no_longer_eligible"},
	}
	for _, tt := range tests {
		if got := ExitReason(tt.failed, tt.kind, tt.own); got != tt.want {
			t.Errorf("ExitReason(%v, %s, %v) = %s, want %s", tt.failed, tt.kind, tt.own, got, tt.want)
		}
	}
}

func TestTier(t *testing.T) {
	f := &registry.Family{
		Persons: []registry.Person{{Ref: "m", Sex: "F", Birth: date.MustParse("1965-01-01")},
			{Ref: "c", Sex: "M", Birth: date.MustParse("1990-01-01")}},
		Children: []registry.ParentChild{{Parent: "m", Child: "c", Kind: registry.Birth}},
		Disabilities: []registry.Disability{{Person: "c", Grade: 3, From: date.MustParse("2010-01-01")},
			{Person: "c", Grade: 2, From: date.MustParse("2024-05-01")}},
		Complications: []registry.Complication{{Person: "m", Grade: 2, From: date.MustParse("2000-01-01")}},
	}
	tests := []struct {
		program, day, want string
	}{
		{"tf_disability", "2024-04-30", "grade3"},
		{"tf_disability", "2024-05-01", "grade2"}, // re-assessed
		{"tf_complication", "2024-05-01", "g2"},
		{"tf_complication", "1999-12-31", ""},
		{"jf", "2024-05-01", ""},
	}
	for _, tt := range tests {
		if got := Tier(tt.program, f, "m", date.MustParse(tt.day)); got != tt.want {
			t.Errorf("Tier(%s, %s) = %q, want %q", tt.program, tt.day, got, tt.want)
		}
	}
}
