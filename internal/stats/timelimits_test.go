package stats

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestAddTimeliness counts the steps of cases against their time limits
// and the complaints answered by their deadline, by unit.
func TestAddTimeliness(t *testing.T) {
	d := date.MustParse
	units := []Unit{{Code: "341523100000", Name: "城关镇"}, {Code: "341523101000", Name: "晓天镇"}}
	s := &Supervision{Year: 2026, Today: d("2026-04-01"), Units: []UnitProgress{{Code: units[0].Code}, {Code: units[1].Code}}}
	cases := []CaseSteps{
		// 城关: surveyed in 5 days (limit 10: on time), reviewed by the
		// village after 12 (limit 10: late), then waiting at the village
		// notice (not limited).
		{County: "341523", ID: 1, Region: "341523100201", State: workflow.VillageNotice, Submitted: d("2026-01-01"),
			Signed: []date.Date{d("2026-01-06"), d("2026-01-18"), d("2026-01-19")},
			From:   []workflow.State{workflow.Applied, workflow.Surveyed, workflow.VillageReviewed}},
		// 晓天: waiting for the township's review since 2026-03-01 (limit
		// 15): due 03-16, 16 days over on 04-01.
		{County: "341523", ID: 2, Region: "341523101200", State: workflow.TownshipReview, Submitted: d("2025-12-20"),
			Signed: []date.Date{d("2026-03-01")}, From: []workflow.State{workflow.Applied}},
		// A step of the year before is not counted; a closed case waits
		// for nothing.
		{County: "341523", ID: 3, Region: "341523101200", State: workflow.Rejected, Submitted: d("2025-11-01"),
			Signed: []date.Date{d("2025-11-30")}, From: []workflow.State{workflow.Applied}},
	}
	answers := []Answer{
		{Region: "341523100201", Deadline: d("2026-02-01"), Replied: d("2026-01-30")},
		{Region: "341523100201", Deadline: d("2026-02-01"), Replied: d("2026-02-03")},
		{Region: "341523101200", Deadline: d("2026-03-31")}, // open past its day
		{Region: "341523101200", Deadline: d("2026-04-15")}, // not due yet
		{Region: "341523101200", Deadline: d("2025-12-31")}, // of the year before
		{Region: "341524100200", Deadline: d("2026-02-01")}, // of no unit
	}
	s.AddTimeliness(units, DefaultLimits(), cases, answers)
	cg, xt := s.Units[0], s.Units[1]
	// 城关: the survey and the review (one late), the posting of the
	// village notice in a day.
	if cg.Steps != (Tally{Due: 3, OnTime: 2}) || cg.StepsOverdue != 0 || cg.Complaints != (Tally{Due: 2, OnTime: 1}) || cg.ComplaintRate != 50 {
		t.Errorf("城关镇 %+v", cg)
	}
	// 晓天: the survey of case 2 took 71 days (late); its review waits past
	// its limit.
	if xt.Steps != (Tally{Due: 2, OnTime: 0}) || xt.StepsOverdue != 1 || xt.StepRate != 0 || xt.Complaints != (Tally{Due: 1}) {
		t.Errorf("晓天镇 %+v", xt)
	}
	if len(s.Overdue) != 1 || s.Overdue[0].CaseID != 2 || s.Overdue[0].Due != d("2026-03-16") || s.Overdue[0].Days != 16 || s.Overdue[0].Unit != units[1].Code {
		t.Errorf("overdue %+v", s.Overdue)
	}
	if s.StepLimits[string(workflow.CountyReview)] != 20 {
		t.Errorf("limits %v", s.StepLimits)
	}
}

func FuzzParseStepDays(f *testing.F) {
	for _, s := range []string{"15", "0", "181", "-1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseStepDays("days", s)
		if err == nil && (d < 1 || d > 180) {
			t.Fatalf("%q parsed to %d", s, d)
		}
	})
}
