package workflow

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
)

// TestStateMachine checks the shape of the transition table: every open
// state can move on or be withdrawn, closed states allow nothing, and every
// state is reachable from Applied.
func TestStateMachine(t *testing.T) {
	for _, s := range States {
		next := nextSteps(s)
		if s.Closed() && len(next) > 0 {
			t.Errorf("closed state %s allows %v", s, next)
		}
		if !s.Closed() && len(next) == 0 {
			t.Errorf("open state %s allows nothing", s)
		}
		if !s.Valid() || s.Chinese() == string(s) || s.English() == "" {
			t.Errorf("state %s has no name", s)
		}
	}
	// Withdrawal is possible until the county approves, never after.
	for _, s := range []State{Approved, CountyNotice, Enrolled} {
		if slices.Contains(nextSteps(s), StepWithdraw) {
			t.Errorf("%s can be withdrawn", s)
		}
	}
	for _, s := range []State{Applied, CountyReview, Suspended} {
		if !slices.Contains(nextSteps(s), StepWithdraw) {
			t.Errorf("%s cannot be withdrawn", s)
		}
	}
	// Each notice state has its level and the actors of that level.
	for s, l := range noticeLevel {
		if levelPerm[l] == "" || resolverPerm[l] == "" {
			t.Errorf("state %s: level %s has no permission", s, l)
		}
	}
}

func TestCheckState(t *testing.T) {
	c := &Case{State: Enrolled}
	err := checkState(StepSurvey, c)
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Conflict || e.ZH != "案件当前状态为“已列入名册”，不能进行“入户调查”" ||
		e.EN != "the case is on the roll: the household survey is not possible now" {
		t.Errorf("checkState = %#v", err)
	}
	if err := checkState(StepSurvey, &Case{State: Applied}); err != nil {
		t.Errorf("survey from applied: %v", err)
	}
}

func TestSeparation(t *testing.T) {
	survey, _ := json.Marshal(Survey{Investigators: []Investigator{{Name: "甲", UserID: 7}, {Name: "乙"}}})
	history := []StepRecord{
		{Step: StepApply, Signature: Signature{UserID: 1}},
		{Step: StepSurvey, Signature: Signature{UserID: 2}, Detail: survey},
		{Step: StepVillageReview, Signature: Signature{UserID: 1}},
		{Step: StepTownshipReview, Signature: Signature{UserID: 3}},
		{Step: StepNoticeOpen, Signature: Signature{UserID: 4}},
	}
	tests := []struct {
		step Step
		user int64
		ok   bool
	}{
		{StepTownshipReview, 1, false}, // took the application
		{StepTownshipReview, 2, false}, // signed the survey
		{StepTownshipReview, 7, false}, // named as an investigator
		{StepTownshipReview, 4, true},  // only posted a notice
		{StepCountyApproval, 3, false}, // the township reviewer
		{StepCountyApproval, 5, true},
		{StepResolve, 2, false},
		{StepResolve, 3, true},
		{StepNoticeOpen, 1, true},
	}
	for _, tt := range tests {
		err := checkSeparation(tt.step, auth.Actor{UserID: tt.user, Username: "u"}, history)
		if (err == nil) != tt.ok || (err != nil && apperr.KindOf(err) != apperr.Forbidden) {
			t.Errorf("%s by %d: %v, want allowed %v", tt.step, tt.user, err, tt.ok)
		}
	}
	if err := checkSeparation(StepCountyApproval, auth.System, history); err != nil {
		t.Errorf("the system actor: %v", err)
	}
}

func TestStartOf(t *testing.T) {
	tests := []struct {
		year      int
		confirmed string
		months    int
		wantY     int
		wantM     int
	}{
		{2024, "2024-03-10", 12, 2024, 1}, // jf, or tf from January
		{2024, "2024-03-10", 6, 2024, 7},  // tf: the child died in June
		{2024, "2025-01-15", 12, 2025, 1}, // confirmed late: no back pay
		{2024, "2025-01-15", 6, 2025, 1},
		{2024, "2024-03-10", 0, 2024, 1}, // a one-time award
	}
	for _, tt := range tests {
		y, m := startOf(tt.year, date.MustParse(tt.confirmed), tt.months)
		if y != tt.wantY || m != tt.wantM {
			t.Errorf("startOf(%d, %s, %d) = %d-%02d, want %d-%02d", tt.year, tt.confirmed, tt.months, y, m, tt.wantY, tt.wantM)
		}
	}
}

// TestCitizenIntake checks the gate of a citizen's application: while it
// is pending only acceptance and return are possible, those two nowhere
// else, and the acceptor is separated from the later decisions.
func TestCitizenIntake(t *testing.T) {
	pending := &Case{State: Applied, Intake: IntakePending}
	for _, st := range []Step{StepSurvey, StepWithdraw, StepVillageReview} {
		if err := checkState(st, pending); apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("%s of a pending case: %v", st, err)
		}
	}
	for _, st := range []Step{StepAccept, StepReturn} {
		if err := checkState(st, pending); err != nil {
			t.Errorf("%s of a pending case: %v", st, err)
		}
		for _, c := range []*Case{{State: Applied}, {State: Applied, Intake: IntakeAccepted}, {State: Withdrawn, Intake: IntakeReturned}} {
			if err := checkState(st, c); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("%s of %s/%s: %v", st, c.State, c.Intake, err)
			}
		}
	}
	if got := nextFor(pending); !slices.Equal(got, []Step{StepAccept, StepReturn}) {
		t.Errorf("next of a pending case = %v", got)
	}
	if zh, _ := pending.Status(); zh != "已提交，待村专干受理" {
		t.Errorf("status = %s", zh)
	}
	acceptor := auth.Actor{UserID: 7, Username: "cz", Role: auth.RoleVillage}
	history := []StepRecord{{Step: StepSubmit, Signature: Signature{UserID: 99}}, {Step: StepAccept, Signature: Signature{UserID: 7}}}
	for _, st := range []Step{StepTownshipReview, StepCountyApproval, StepResolve} {
		if err := checkSeparation(st, acceptor, history); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("acceptor signs %s: %v", st, err)
		}
	}
	citizen := auth.Actor{UserID: 99, Username: "wxy", Role: auth.RoleCitizen}
	for _, st := range []Step{StepSurvey, StepVillageReview, StepTownshipReview, StepCountyApproval, StepWithdraw, StepAccept} {
		if err := checkActorRole(citizen, transitionPerms(st)...); apperr.KindOf(err) != apperr.Forbidden {
			t.Errorf("citizen may %s: %v", st, err)
		}
	}
}

func transitionPerms(st Step) []auth.Permission {
	if p := transitions[st].perms; p != nil {
		return p
	}
	return caseWorkers
}

// TestOverridesReview: when the engine could not decide (needs review), a
// yes or a no by staff is, like a decision against the engine, one it does
// not back and needs the reason and the confirmation; a deferral does not.
func TestOverridesReview(t *testing.T) {
	review := &EngineDecision{Status: policy.StatusReview}
	yes := &EngineDecision{Status: policy.StatusEligible, Eligible: true}
	no := &EngineDecision{Status: policy.StatusNotEligible}
	for _, c := range []struct {
		outcome string
		engine  *EngineDecision
		want    bool
	}{
		{Approve, review, true}, {Reject, review, true}, {Defer, review, false},
		{Approve, yes, false}, {Reject, yes, true}, {Approve, no, true}, {Reject, no, false},
	} {
		d := Decision{Outcome: c.outcome}
		if got := d.overrides(c.engine); got != c.want {
			t.Errorf("%s against %s: overrides = %v, want %v", c.outcome, c.engine.Status, got, c.want)
		}
	}
}
