package workflow

import (
	"context"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Intake is how an application came in (rules.md §2.2: taken "by staff,
// or by the citizen").
type Intake string

// The intakes. A citizen's application stays in Applied while pending;
// once accepted it goes on exactly as one taken by staff, and a returned
// one is closed (Withdrawn).
const (
	IntakeStaff    Intake = ""         // taken by the village specialist
	IntakePending  Intake = "pending"  // submitted by the citizen, awaiting acceptance
	IntakeAccepted Intake = "accepted" // submitted by the citizen, accepted (受理)
	IntakeReturned Intake = "returned" // submitted by the citizen, returned
)

// Status returns the case's status as the citizen and the worklist show
// it, in Chinese and English: the state, or where the citizen's
// application stands before acceptance.
func (c *Case) Status() (zh, en string) {
	switch {
	case c.Intake == IntakePending && c.State == Applied:
		return "已提交，待村专干受理", "submitted, awaiting acceptance by the village specialist"
	case c.Intake == IntakeReturned:
		return "已退回", "returned to the applicant"
	}
	return c.State.Chinese(), c.State.English()
}

// nextFor lists the steps the state machine allows for c.
func nextFor(c *Case) []Step {
	if c.Intake == IntakePending {
		return []Step{StepAccept, StepReturn}
	}
	return nextSteps(c.State)
}

// CitizenApplication is what a citizen submits for themselves: the
// program and year and the declared facts, as Apply takes them.
type CitizenApplication struct {
	SpouseID int64  `json:"spouse_id,omitempty"`
	Program  string `json:"program"`
	Year     int    `json:"year"`
	Application
}

// ApplyAsCitizen submits a citizen's own application. The checks are
// those of Apply; the case is created in Applied awaiting acceptance by
// the village specialist (IntakePending), dated today, and the citizen
// signs the submission.
func ApplyAsCitizen(ctx context.Context, s Store, eng Engine, a auth.Actor, in CitizenApplication) (*Case, error) {
	if err := auth.Require(a, auth.PermSelfApply); err != nil {
		return nil, err
	}
	if a.PersonID == 0 || a.PersonCounty == "" {
		return nil, apperr.Forbiddenf("您的账号未关联人口库中的本人记录，请联系村专干", "your account is not linked to your own person; ask the village specialist")
	}
	return apply(ctx, s, eng, a, NewApplication{County: a.PersonCounty, PersonID: a.PersonID, SpouseID: in.SpouseID,
		Program: in.Program, Year: in.Year, Submitted: today(s), Application: in.Application}, IntakePending)
}

// Accept accepts (受理) a citizen's application for the village specialist
// of the applicant's village, who signs it as the one who took the
// application: from here on the case goes on exactly as one taken by
// staff, and the acceptor is separated from the later decisions.
func Accept(ctx context.Context, s Store, a auth.Actor, county string, id int64, note string) (*Case, error) {
	c, _, err := load(ctx, s, a, county, id, StepAccept)
	if err != nil {
		return nil, err
	}
	if err := checkText("note", note); err != nil {
		return nil, err
	}
	c.Intake = IntakeAccepted
	return c, advance(ctx, s, a, c, StepAccept, c.State, map[string]string{"note": strings.TrimSpace(note)})
}

// Return returns a citizen's application, with the reason, for the
// village specialist of the applicant's village; the case is closed and
// the citizen may apply again.
func Return(ctx context.Context, s Store, a auth.Actor, county string, id int64, reason string) (*Case, error) {
	c, _, err := load(ctx, s, a, county, id, StepReturn)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalidf("reason", "请填写退回原因", "give the reason for returning the application")
	}
	if err := checkText("reason", reason); err != nil {
		return nil, err
	}
	from := c.State
	c.State, c.Intake = Withdrawn, IntakeReturned
	return c, advance(ctx, s, a, c, StepReturn, from, map[string]string{"reason": strings.TrimSpace(reason)})
}

// SelfCase is one of the citizen's own cases as they see it.
type SelfCase struct {
	County    string    `json:"county"`
	ID        int64     `json:"id"`
	Program   string    `json:"program"`
	Year      int       `json:"year"`
	Submitted date.Date `json:"submitted"`
	State     State     `json:"state"`
	Intake    Intake    `json:"intake,omitempty"`
	StatusZH  string    `json:"status_zh"`
	StatusEN  string    `json:"status_en"`
	// Reason is why the application was returned, if it was.
	Reason    string    `json:"reason,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SelfView is what a citizen sees of themselves: their own record (the ID
// number masked) and their own cases, the newest first.
type SelfView struct {
	Person ApplicantView `json:"person"`
	County string        `json:"county"`
	Cases  []SelfCase    `json:"cases"`
}

// Self returns the citizen's own record and cases.
func Self(ctx context.Context, s Store, a auth.Actor) (*SelfView, error) {
	if err := auth.Require(a, auth.PermSelfService); err != nil {
		return nil, err
	}
	if a.PersonID == 0 || a.PersonCounty == "" {
		return nil, apperr.Forbiddenf("您的账号未关联人口库中的本人记录，请联系村专干", "your account is not linked to your own person; ask the village specialist")
	}
	p, err := s.PersonByKey(ctx, a.Scope, registry.Key{County: a.PersonCounty, ID: a.PersonID})
	if err != nil {
		return nil, err
	}
	cs, err := s.CasesOfPerson(ctx, a.PersonCounty, a.PersonID)
	if err != nil {
		return nil, err
	}
	v := &SelfView{Person: applicantView(p), County: p.County, Cases: []SelfCase{}}
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		sc := SelfCase{County: c.County, ID: c.ID, Program: c.Program, Year: c.Year, Submitted: c.Submitted, State: c.State,
			Intake: c.Intake, UpdatedAt: c.UpdatedAt}
		sc.StatusZH, sc.StatusEN = c.Status()
		if c.Intake == IntakeReturned {
			steps, err := s.Steps(ctx, c.County, c.ID)
			if err != nil {
				return nil, err
			}
			for _, h := range steps {
				if h.Step == StepReturn {
					d, _ := decodeDetail[map[string]string](h)
					sc.Reason = d["reason"]
				}
			}
		}
		v.Cases = append(v.Cases, sc)
	}
	return v, nil
}
