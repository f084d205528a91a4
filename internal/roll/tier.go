package roll

import (
	"strconv"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Tier returns the tier of a recipient of program on day d, as the roll
// records it: the complication grade ("g1"–"g3") for tf_complication, the
// disability grade of the surviving child ("grade1"–"grade4") for
// tf_disability, and "" for programs without tiers. Amounts always come
// from the policy engine; the tier on the roll shows what a re-assessment
// changed.
func Tier(program string, f *registry.Family, person string, d date.Date) string {
	inForce := func(from, to date.Date) bool {
		return !from.After(d) && (to.IsZero() || !to.Before(d))
	}
	switch program {
	case policy.ProgramTFComplication:
		var latest registry.Complication
		for _, c := range f.Complications {
			if c.Person == person && inForce(c.From, c.To) && !c.From.Before(latest.From) {
				latest = c
			}
		}
		if latest.Grade >= 1 && latest.Grade <= 3 {
			return "g" + strconv.Itoa(latest.Grade)
		}
	case policy.ProgramTFDisability:
		best := 0
		for _, t := range f.Children {
			if t.Parent != person || t.Kind == registry.Step {
				continue
			}
			child := f.Person(t.Child)
			if child == nil || !child.AliveOn(d) {
				continue
			}
			var latest registry.Disability
			for _, x := range f.Disabilities {
				if x.Person == t.Child && inForce(x.From, x.To) && !x.From.Before(latest.From) {
					latest = x
				}
			}
			if latest.Grade > 0 && (best == 0 || latest.Grade < best) {
				best = latest.Grade
			}
		}
		if best > 0 {
			return "grade" + strconv.Itoa(best)
		}
	}
	return ""
}

// TierText shows a tier in a change record's reason: "（无）" for none.
func TierText(t string) string {
	if t == "" {
		return "（无）"
	}
	return t
}

// Switches are the programs a recipient moves to without a new
// application when an event ends the old one: a disabled only child who
// dies moves the parents to the death tier from the next month (rules.md
// §1.10).
var Switches = map[string]string{policy.ProgramTFDisability: policy.ProgramTFDeath}
