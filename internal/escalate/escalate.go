// Package escalate is the request for instructions (请示): staff who meet
// a case they cannot settle send it, with a question, to the level above
// — the village to the township, the township to the county, the county
// to the city — and the level above sends back its answer. Both are
// recorded on the case's history (its audit entries), and a case's open
// questions are listed for the level that must answer them.
//
// Who asks: the case's staff (case.apply, case.review or case.approve)
// whose scope holds the case. Who answers: staff of the level asked whose
// scope holds the case (for the city, its own staff: the one thing the
// city records besides spot-checks).
package escalate

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Levels a question goes between (named on pages by the role that
// answers: AnswerRole).
const (
	LevelVillage  = "village"
	LevelTownship = "township"
	LevelCounty   = "county"
	LevelCity     = "city"
)

// above is the level each level asks.
var above = map[auth.Role]string{auth.RoleVillage: LevelTownship, auth.RoleTownship: LevelCounty, auth.RoleCounty: LevelCity}

// answerer is the role of each level asked.
var answerer = map[string]auth.Role{LevelTownship: auth.RoleTownship, LevelCounty: auth.RoleCounty, LevelCity: auth.RoleCity}

// Escalation is a question about a case and its answer.
type Escalation struct {
	County         string     `json:"county"`
	ID             int64      `json:"id"`
	CaseID         int64      `json:"case_id"`
	From           string     `json:"from_level"`
	To             string     `json:"to_level"`
	Question       string     `json:"question"`
	AskedBy        int64      `json:"asked_by"`
	AskedByName    string     `json:"asked_by_name"`
	AskedAt        time.Time  `json:"asked_at"`
	Answer         string     `json:"answer,omitempty"`
	AnsweredBy     int64      `json:"answered_by,omitempty"`
	AnsweredByName string     `json:"answered_by_name,omitempty"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
}

// Open reports whether the question waits for its answer.
func (e *Escalation) Open() bool { return e.AnsweredAt == nil }

// Store is what escalations need from storage.
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error
	Case(ctx context.Context, scope region.Code, county string, id int64) (*workflow.Case, error)
	InsertEscalation(ctx context.Context, e *Escalation) error
	Escalation(ctx context.Context, county string, id int64) (*Escalation, error)
	// Escalations returns the questions of case caseID (0: of every case
	// of the county within scope that are open), oldest first.
	Escalations(ctx context.Context, scope region.Code, county string, caseID int64) ([]Escalation, error)
	// AnswerEscalation writes the answer of e if it has none yet;
	// Conflict when it has.
	AnswerEscalation(ctx context.Context, e *Escalation) error
}

const maxText = 1000

func text(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apperr.Invalidf(field, "请填写内容", "write it")
	}
	if utf8.RuneCountInString(s) > maxText {
		return "", apperr.Invalidf(field, "不得超过 %d 字", "at most %d characters", maxText)
	}
	return s, nil
}

// CanAsk reports whether a may send questions up, and to which level.
func CanAsk(a auth.Actor) (string, bool) {
	if !auth.Can(a, auth.PermCaseApply) && !auth.Can(a, auth.PermCaseReview) && !auth.Can(a, auth.PermCaseApprove) {
		return "", false
	}
	to, ok := above[a.Role]
	return to, ok
}

// CanAnswer reports whether a answers questions sent to level to.
func CanAnswer(a auth.Actor, to string) bool {
	return auth.Can(a, auth.PermCaseRead) && answerer[to] == a.Role
}

// Ask sends case caseID of county to the level above the actor with
// question.
func Ask(ctx context.Context, s Store, a auth.Actor, county string, caseID int64, question string) (*Escalation, error) {
	to, ok := CanAsk(a)
	if !ok {
		return nil, apperr.Forbiddenf("您的角色不能向上级请示", "your role does not send questions to the level above")
	}
	c, err := s.Case(ctx, a.Scope, county, caseID)
	if err != nil {
		return nil, err
	}
	q, err := text("question", question)
	if err != nil {
		return nil, err
	}
	id, err := s.NextIDs(ctx, "case_escalation", 1)
	if err != nil {
		return nil, err
	}
	e := &Escalation{County: county, ID: id, CaseID: c.ID, From: string(a.Role), To: to, Question: q, AskedBy: a.UserID,
		AskedByName: actorName(a), AskedAt: s.Now()}
	if err := s.InsertEscalation(ctx, e); err != nil {
		return nil, err
	}
	return e, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "case.escalate",
		Entity: "case", EntityID: strconv.FormatInt(c.ID, 10), Region: c.Region,
		After: audit.JSON(map[string]any{"escalation": id, "to": to, "question": q})})
}

// Reply records the answer to question id of county.
func Reply(ctx context.Context, s Store, a auth.Actor, county string, id int64, answer string) (*Escalation, error) {
	e, err := s.Escalation(ctx, county, id)
	if err != nil {
		return nil, err
	}
	c, err := s.Case(ctx, a.Scope, county, e.CaseID)
	if err != nil {
		return nil, err
	}
	if !CanAnswer(a, e.To) {
		return nil, &apperr.Error{Kind: apperr.Forbidden, ZH: "该请示由" + answerer[e.To].Chinese() + "答复", EN: "the " + e.To + " answers this question"}
	}
	ans, err := text("answer", answer)
	if err != nil {
		return nil, err
	}
	if !e.Open() {
		return nil, apperr.Conflictf("该请示已经答复", "the question has been answered")
	}
	now := s.Now()
	e.Answer, e.AnsweredBy, e.AnsweredByName, e.AnsweredAt = ans, a.UserID, actorName(a), &now
	if err := s.AnswerEscalation(ctx, e); err != nil {
		return nil, err
	}
	return e, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "case.escalation_answer",
		Entity: "case", EntityID: strconv.FormatInt(c.ID, 10), Region: c.Region,
		After: audit.JSON(map[string]any{"escalation": id, "question": e.Question, "answer": ans})})
}

func actorName(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

// AnswerRole is the role that answers questions sent to level to.
func AnswerRole(to string) auth.Role { return answerer[to] }
