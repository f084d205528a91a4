package stats

import (
	"slices"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Time limits of single cases (限时办结): each step of the procedure that
// waits for someone's work has a number of days to be done in, counted
// from the day the case came to that step; the supervision lists the
// cases waiting past their limit by unit, and the assessment counts, per
// unit, the share of the year's steps done in time and of the complaints
// answered by their deadline.

// StepStates are the states of a case that wait for work, each with its
// default time limit in days: the survey, the village's review, the
// posting of the village's notice, the township's review, the posting of
// its notice, the county's approval and the posting of its notice. The
// notices themselves run for their own days and are not limited here.
var StepStates = []workflow.State{workflow.Applied, workflow.Surveyed, workflow.VillageReviewed, workflow.TownshipReview,
	workflow.TownshipApproved, workflow.CountyReview, workflow.Approved}

// DefaultStepDays are the time limits when no region sets its own.
var DefaultStepDays = map[workflow.State]int{
	workflow.Applied: 10, workflow.Surveyed: 10, workflow.VillageReviewed: 5, workflow.TownshipReview: 15,
	workflow.TownshipApproved: 5, workflow.CountyReview: 20, workflow.Approved: 5,
}

// StepParam is the region parameter (workflow_params) of the time limit
// of the step that waits in state st.
func StepParam(st workflow.State) string { return "case_days_" + string(st) }

// ParseStepDays checks a time limit given as text: 1 to 180 days.
func ParseStepDays(field, s string) (int, error) {
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 180 {
		return 0, apperr.Invalidf(field, "办理时限应为1–180之间的整数（天）", "the time limit must be a whole number of days from 1 to 180")
	}
	return d, nil
}

// StepTime is how long a case waited in a state: from Entered until Left
// (zero while it still waits).
type StepTime struct {
	County  string
	CaseID  int64
	Region  string
	State   workflow.State
	Entered date.Date
	Left    date.Date
}

// CaseSteps is a case with its steps' times, as the store reads it.
type CaseSteps struct {
	County    string
	ID        int64
	Region    string
	State     workflow.State
	Submitted date.Date
	// Signed are the days its steps were signed, in order, with the
	// state each step left.
	Signed []date.Date
	From   []workflow.State
}

// Times returns the time the case spent in each state it waited in: from
// its submission (or the step before) to the step that moved it on, and
// the state it waits in now.
func (c CaseSteps) Times() []StepTime {
	var out []StepTime
	prev := c.Submitted
	for i, day := range c.Signed {
		out = append(out, StepTime{County: c.County, CaseID: c.ID, Region: c.Region, State: c.From[i], Entered: prev, Left: day})
		prev = day
	}
	if !c.State.Closed() {
		out = append(out, StepTime{County: c.County, CaseID: c.ID, Region: c.Region, State: c.State, Entered: prev})
	}
	return out
}

// Tally counts what was due and what was done in time.
type Tally struct {
	Due    int64 `json:"due"`
	OnTime int64 `json:"on_time"`
}

// Rate is the share done in time, in percent (100 when nothing was due).
func (t Tally) Rate() float64 { return percent(t.OnTime, t.Due) }

// OverdueStep is a case waiting in a state past its time limit.
type OverdueStep struct {
	County string         `json:"county"`
	CaseID int64          `json:"case_id"`
	Region string         `json:"region"`
	Unit   string         `json:"unit"`
	State  workflow.State `json:"state"`
	Since  date.Date      `json:"since"`
	Due    date.Date      `json:"due"`
	// Days is how many days past the limit it is on the supervision's day.
	Days int `json:"days"`
}

// Limits are the time limits in force, in days, by state.
type Limits map[workflow.State]int

// DefaultLimits returns a copy of the default time limits.
func DefaultLimits() Limits {
	l := Limits{}
	for st, d := range DefaultStepDays {
		l[st] = d
	}
	return l
}

// Answer is a complaint, enquiry or petition as the assessment counts it:
// its unit's region, the deadline and the day it was answered (zero while
// it is not).
type Answer struct {
	Region   string
	Deadline date.Date
	Replied  date.Date
}

// AddTimeliness adds to the supervision of year the time limits of
// single cases: for each unit, the steps done in the year against their
// limits and the cases waiting past them (listed in s.Overdue), and the
// complaints due in the year answered by their deadline.
func (s *Supervision) AddTimeliness(units []Unit, limits Limits, cases []CaseSteps, answers []Answer) {
	first, last := date.Of(s.Year, time.January, 1), date.Of(s.Year, time.December, 31)
	inYear := func(d date.Date) bool { return !d.Before(first) && !d.After(last) }
	idx := map[string]int{}
	for i, u := range s.Units {
		idx[u.Code] = i
	}
	s.StepLimits = map[string]int{}
	for st, d := range limits {
		s.StepLimits[string(st)] = d
	}
	s.Overdue = nil
	for _, c := range cases {
		for _, t := range c.Times() {
			limit, ok := limits[t.State]
			if !ok {
				continue
			}
			u := unitOf(units, t.Region)
			i, has := idx[u]
			due := t.Entered.AddDays(limit)
			switch {
			case !t.Left.IsZero():
				if !inYear(t.Left) {
					continue
				}
				if has {
					s.Units[i].Steps.Due++
					if !t.Left.After(due) {
						s.Units[i].Steps.OnTime++
					}
				}
			case due.Before(s.Today):
				// Still waiting past its limit: overdue now, and a step
				// of the year not done in time.
				if has {
					s.Units[i].StepsOverdue++
					if inYear(due) {
						s.Units[i].Steps.Due++
					}
				}
				s.Overdue = append(s.Overdue, OverdueStep{County: t.County, CaseID: t.CaseID, Region: t.Region, Unit: u, State: t.State,
					Since: t.Entered, Due: due, Days: daysBetween(due, s.Today)})
			}
		}
	}
	slices.SortStableFunc(s.Overdue, func(a, b OverdueStep) int {
		if a.Unit != b.Unit {
			if a.Unit < b.Unit {
				return -1
			}
			return 1
		}
		return b.Days - a.Days
	})
	for _, a := range answers {
		i, has := idx[unitOf(units, a.Region)]
		if !has || !inYear(a.Deadline) {
			continue
		}
		switch {
		case !a.Replied.IsZero():
			s.Units[i].Complaints.Due++
			if !a.Replied.After(a.Deadline) {
				s.Units[i].Complaints.OnTime++
			}
		case a.Deadline.Before(s.Today):
			s.Units[i].Complaints.Due++
		}
	}
	for i := range s.Units {
		s.Units[i].StepRate = s.Units[i].Steps.Rate()
		s.Units[i].ComplaintRate = s.Units[i].Complaints.Rate()
	}
}

// daysBetween is the number of days from a to b.
func daysBetween(a, b date.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}
