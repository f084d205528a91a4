package synth

import (
	"math"
	"reflect"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/inperson"
)

// TestInPersonReviews: the first round of a year's review follows the
// stated shares (not reached, away, in hospital, other, seen) within a
// person or two, spread so that a small county has its share; the seen
// are seen between March and the end of June (or asOf), with a
// signature; the same seed gives the same plan.
func TestInPersonReviews(t *testing.T) {
	persons := make([]int64, 2000)
	for i := range persons {
		persons[i] = int64(i + 1)
	}
	asOf := date.MustParse("2024-12-01")
	plan := InPersonReviews(persons, 2024, asOf, 7)
	if !reflect.DeepEqual(plan, InPersonReviews(persons, 2024, asOf, 7)) {
		t.Error("the same seed gives another plan")
	}
	count := map[string]int{}
	for _, p := range plan {
		switch {
		case p.Skip:
			count["unreached"]++
		case p.Entry.Seen:
			count["seen"]++
			if p.Entry.SeenOn.Before(date.MustParse("2024-03-01")) || p.Entry.SeenOn.After(date.MustParse("2024-06-30")) ||
				p.Entry.Proof != inperson.ProofSignature || p.Entry.Place == "" {
				t.Errorf("a seen recipient: %+v", p)
			}
		default:
			count[p.Entry.Reason]++
			if p.Entry.Note == "" {
				t.Errorf("a reason without a note: %+v", p)
			}
		}
	}
	n := float64(len(persons))
	for what, rate := range map[string]float64{"unreached": UnreachedRate, inperson.ReasonMoved: AwayRate, inperson.ReasonHospital: HospitalRate,
		inperson.ReasonOther: OtherRate, "seen": 1 - UnreachedRate - AwayRate - HospitalRate - OtherRate} {
		if math.Abs(float64(count[what])-rate*n) > 2 {
			t.Errorf("%s: %d of %d, want about %.0f", what, count[what], len(persons), rate*n)
		}
	}
	// A small village has its share; an early round is seen up to asOf.
	small := InPersonReviews(persons[:40], 2024, date.MustParse("2024-04-10"), 1)
	var not int
	for _, p := range small {
		if !p.Entry.Seen {
			not++
		} else if p.Entry.SeenOn.After(date.MustParse("2024-04-10")) {
			t.Errorf("seen after asOf: %+v", p)
		}
	}
	if not < 2 || not > 5 {
		t.Errorf("%d of 40 not seen at first, want 3 or 4", not)
	}
}
