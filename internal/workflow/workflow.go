// Package workflow is the qualification procedure (资格确认, rules.md §2.2):
// a case goes from the application through the household survey, the
// village review, three public notices (三榜: village, township, county)
// and the township review to county approval, which puts the person on the
// recipient roll (名册). It also runs the annual review of the roll (年审)
// and turns registry events into changes and exits of recipients.
//
// Every step is a function that checks, in this order, the case's state
// (an illegal transition is a Conflict and changes nothing), the actor's
// permission and region scope for the step's level, separation of duties
// (四权分离: no one signs two steps of one case that must be separated),
// and the step's required content. It then writes the new state with an
// optimistic version check, records the signed step and audits it, all in
// the caller's transaction.
package workflow

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
)

// Store is what the procedure needs from storage: the registry (persons
// and families, read within the actor's scope) and the cases, notices,
// objections and the recipient roll. Reads that take a scope return
// NotFound for anything outside it. Updates of versioned rows (cases,
// recipients) write only over the version the caller read, and otherwise
// return a Conflict.
type Store interface {
	registry.Store

	// Case returns case id of county if its region lies within scope.
	Case(ctx context.Context, scope region.Code, county string, id int64) (*Case, error)
	// Cases lists cases within scope matching q, in q's order (q.Sort is
	// one of CaseSortKeys).
	Cases(ctx context.Context, scope region.Code, q CaseQuery) ([]Case, error)
	// CountCases counts the cases within scope matching q (its order,
	// Limit and Offset aside).
	CountCases(ctx context.Context, scope region.Code, q CaseQuery) (int, error)
	// InsertCase writes a new case. A second open case of the same person
	// and program is a Conflict.
	InsertCase(ctx context.Context, c *Case) error
	// UpdateCase writes c over the stored version c.Version-1.
	UpdateCase(ctx context.Context, c *Case) error
	// AddStep appends a signed step to a case's history.
	AddStep(ctx context.Context, s *StepRecord) error
	// CasesOfPerson returns every case of the person, oldest first.
	CasesOfPerson(ctx context.Context, county string, personID int64) ([]Case, error)
	// Steps returns a case's history in order.
	Steps(ctx context.Context, county string, caseID int64) ([]StepRecord, error)

	InsertNotice(ctx context.Context, n *Notice) error
	UpdateNotice(ctx context.Context, n *Notice) error
	// Notices returns a case's notices with their objections, in order.
	Notices(ctx context.Context, county string, caseID int64) ([]Notice, error)
	// NoticeBoard returns the notices of one level and region that start
	// on start, with their cases: the list posted together.
	NoticeBoard(ctx context.Context, county string, level Level, region string, start date.Date) ([]BoardEntry, error)
	// NoticeBoards returns the notices of one level that start on start
	// whose cases lie within the division within, with their cases, in
	// the order of the regions posting them.
	NoticeBoards(ctx context.Context, county string, level Level, within region.Code, start date.Date) ([]BoardEntry, error)
	InsertObjection(ctx context.Context, o *Objection) error
	UpdateObjection(ctx context.Context, o *Objection) error

	// The roll: recipients and their change records.
	roll.Store
	InsertAnnualReview(ctx context.Context, r *AnnualReview) error

	// UserByID returns user id if their region lies within scope ("" for
	// any): investigators are picked from the region's staff.
	UserByID(ctx context.Context, scope region.Code, id int64) (auth.User, error)

	// Param returns the workflow parameter name for code: the value set
	// for the longest region prefix of code, or "" when none is set.
	Param(ctx context.Context, code region.Code, name string) (string, error)
	SetParam(ctx context.Context, regionPrefix, name, value string) error
}

// Engine is the policy engine as the procedure uses it; *policy.Evaluator
// (with explanations on) is one.
type Engine interface {
	Evaluate(c *policy.Case) (*policy.Result, error)
	Programs(county string, year int) ([]string, error)
}

// State is where a case stands.
type State string

// The states of a case, in the order of the procedure.
const (
	Applied          State = "applied"           // 已申报，待入户调查
	Surveyed         State = "surveyed"          // 已入户调查，待村级评议
	VillageReviewed  State = "village_reviewed"  // 已评议，待村级公示
	VillageNotice    State = "village_notice"    // 村级公示中
	TownshipReview   State = "township_review"   // 待乡镇审核
	TownshipApproved State = "township_approved" // 乡镇审核同意，待乡级公示
	TownshipNotice   State = "township_notice"   // 乡级公示中
	CountyReview     State = "county_review"     // 待县级审批
	Approved         State = "approved"          // 县级审批同意，已列入名册，待县级公布
	CountyNotice     State = "county_notice"     // 县级公布中
	Enrolled         State = "enrolled"          // 已列入名册，程序终结
	Deferred         State = "deferred"          // 暂缓
	Rejected         State = "rejected"          // 不予确认
	Withdrawn        State = "withdrawn"         // 已撤回
	Suspended        State = "suspended"         // 公示异议待处理，程序中止
)

// States lists every state in procedure order.
var States = []State{Applied, Surveyed, VillageReviewed, VillageNotice, TownshipReview, TownshipApproved,
	TownshipNotice, CountyReview, Approved, CountyNotice, Enrolled, Deferred, Rejected, Withdrawn, Suspended}

var stateNames = map[State][2]string{
	Applied:          {"已申报，待入户调查", "applied, awaiting the household survey"},
	Surveyed:         {"已调查，待村级评议", "surveyed, awaiting the village review"},
	VillageReviewed:  {"已评议，待村级公示", "reviewed by the village, awaiting the village notice"},
	VillageNotice:    {"村级公示中", "village notice posted"},
	TownshipReview:   {"待乡镇审核", "awaiting the township review"},
	TownshipApproved: {"乡镇审核同意，待乡级公示", "approved by the township, awaiting the township notice"},
	TownshipNotice:   {"乡级公示中", "township notice posted"},
	CountyReview:     {"待县级审批", "awaiting county approval"},
	Approved:         {"县级审批同意，待县级公布", "approved by the county, awaiting the county notice"},
	CountyNotice:     {"县级公布中", "county notice posted"},
	Enrolled:         {"已列入名册", "on the roll"},
	Deferred:         {"暂缓", "deferred"},
	Rejected:         {"不予确认", "rejected"},
	Withdrawn:        {"已撤回", "withdrawn"},
	Suspended:        {"公示异议待处理", "suspended by an objection"},
}

// Chinese returns the state's name in Chinese.
func (s State) Chinese() string {
	if n, ok := stateNames[s]; ok {
		return n[0]
	}
	return string(s)
}

// English returns the state's name in English.
func (s State) English() string {
	if n, ok := stateNames[s]; ok {
		return n[1]
	}
	return string(s)
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := stateNames[s]; return ok }

// Closed reports whether the procedure of a case in s has ended.
func (s State) Closed() bool {
	return s == Enrolled || s == Deferred || s == Rejected || s == Withdrawn
}

// Level is the administrative level a step belongs to.
type Level string

// The levels of the procedure (四级 without the city and province checks).
const (
	LevelVillage  Level = "village"
	LevelTownship Level = "township"
	LevelCounty   Level = "county"
)

var levelNames = map[Level][2]string{
	LevelVillage: {"村级", "village"}, LevelTownship: {"乡级", "township"}, LevelCounty: {"县级", "county"},
}

// Chinese returns the level's name in Chinese.
func (l Level) Chinese() string { return levelNames[l][0] }

// Case is one application going through the procedure.
type Case struct {
	County   string `json:"county"`
	ID       int64  `json:"id"`
	PersonID int64  `json:"person_id"`
	SpouseID int64  `json:"spouse_id,omitempty"`
	Program  string `json:"program"`
	// Year is the benefit year applied for (申报年度).
	Year int `json:"year"`
	// Region is the applicant's village (12 digits): the region of the
	// village steps; its township and county are those of the others.
	Region        string          `json:"region"`
	State         State           `json:"state"`
	SuspendedFrom State           `json:"suspended_from,omitempty"`
	Submitted     date.Date       `json:"submitted"`
	Application   Application     `json:"application"`
	Engine        *EngineDecision `json:"engine,omitempty"`
	RecipientID   int64           `json:"recipient_id,omitempty"`
	// Intake is how the application came in: IntakeStaff (taken by the
	// village specialist) or submitted by the citizen (pending, then
	// accepted or returned).
	Intake    Intake    `json:"intake,omitempty"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Ref returns the case's id as text.
func (c *Case) Ref() string { return strconv.FormatInt(c.ID, 10) }

// Township returns the code of the case's township.
func (c *Case) Township() region.Code { return region.Code(c.Region).Parent() }

// regionOf returns the region of the given level for the case.
func (c *Case) regionOf(l Level) region.Code {
	switch l {
	case LevelVillage:
		return region.Code(c.Region)
	case LevelTownship:
		return c.Township()
	}
	return region.Code(c.County)
}

// Application is what the applicant declares and signs (申报表).
type Application struct {
	Declared    Declared `json:"declared"`
	Attachments []string `json:"attachments"`
	// Pledge is the applicant's signed pledge that the declaration is true.
	Pledge bool   `json:"pledge"`
	Phone  string `json:"phone,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Declared are the facts the applicant declares (rules.md §3.3).
type Declared struct {
	HukouType         string `json:"hukou_type"`
	Marriage          string `json:"marriage"`  // 婚姻史
	Births            string `json:"births"`    // 生育史
	Adoptions         string `json:"adoptions"` // 收养史
	SurvivingChildren int    `json:"surviving_children"`
}

// EngineDecision is the policy engine's decision attached to a case at a
// review step, with its clause-by-clause explanation.
type EngineDecision struct {
	Year     int    `json:"year"`
	Program  string `json:"program"`
	Eligible bool   `json:"eligible"`
	// Status is the engine's eligible, not_eligible or needs_review;
	// Review says what staff must decide.
	Status      string                `json:"status"`
	Review      string                `json:"review,omitempty"`
	AmountFen   money.Fen             `json:"amount_fen"`
	Months      int                   `json:"months"`
	Clauses     []policy.ClauseResult `json:"clauses"`
	RuleVersion string                `json:"rule_version"`
	At          time.Time             `json:"at"`
}

// Signature is who signed a step and when ("谁调查、谁签字、谁负责").
type Signature struct {
	UserID   int64     `json:"user_id"`
	Username string    `json:"username"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	At       time.Time `json:"at"`
}

func sign(a auth.Actor, at time.Time) Signature {
	return Signature{UserID: a.UserID, Username: a.Username, Name: a.Name, Role: a.Role, At: at}
}

// Step names a signed act on a case.
type Step string

// The steps.
const (
	StepApply          Step = "apply"
	StepSurvey         Step = "survey"
	StepVillageReview  Step = "village_review"
	StepNoticeOpen     Step = "notice_open"
	StepNoticeClose    Step = "notice_close"
	StepObjection      Step = "objection"
	StepResolve        Step = "objection_resolve"
	StepTownshipReview Step = "township_review"
	StepCountyApproval Step = "county_approval"
	StepWithdraw       Step = "withdraw"
	StepSubmit         Step = "citizen_submit" // the citizen's own application
	StepAccept         Step = "accept"         // the village specialist accepts it (受理)
	StepReturn         Step = "return"         // or returns it to the citizen
)

var stepNames = map[Step][2]string{
	StepApply:          {"受理申报", "taking the application"},
	StepSurvey:         {"入户调查", "the household survey"},
	StepVillageReview:  {"村级评议", "the village review"},
	StepNoticeOpen:     {"张榜公示", "posting a notice"},
	StepNoticeClose:    {"公示结束", "closing a notice"},
	StepObjection:      {"受理异议", "recording an objection"},
	StepResolve:        {"异议处理", "resolving an objection"},
	StepTownshipReview: {"乡镇审核", "the township review"},
	StepCountyApproval: {"县级审批", "county approval"},
	StepWithdraw:       {"撤回申请", "withdrawing the application"},
	StepSubmit:         {"群众提交申请", "the citizen's own application"},
	StepAccept:         {"受理群众申请", "accepting the citizen's application"},
	StepReturn:         {"退回群众申请", "returning the citizen's application"},
}

// Chinese returns the step's name in Chinese.
func (s Step) Chinese() string { return stepNames[s][0] }

// English returns the step's name in English.
func (s Step) English() string { return stepNames[s][1] }

// StepRecord is one signed step in a case's history: what was done, by
// whom, when, from which state to which, and the record itself (the
// survey, the review, the decision…) as JSON.
type StepRecord struct {
	County    string          `json:"county"`
	CaseID    int64           `json:"case_id"`
	Seq       int             `json:"seq"`
	Step      Step            `json:"step"`
	From      State           `json:"from"`
	To        State           `json:"to"`
	Signature Signature       `json:"signature"`
	Detail    json.RawMessage `json:"detail"`
}

// CaseQuery selects cases for a worklist. Sort is one of CaseSortKeys
// ("" for CaseSortSubmitted) and Desc reverses the order; cases that tie
// on the key follow county and id, so pages are stable. Offset skips that
// many cases (for paging); Limit bounds the list.
type CaseQuery struct {
	States  []State
	Region  string       // a subtree of the scope; "" for the whole scope
	Program string       // one program; "" for all
	Who     registry.Who // the applicant, as typed into the search box (registry.ParseWho)
	Sort    string
	Desc    bool
	Limit   int
	Offset  int
}

// The keys a worklist may be sorted by.
const (
	CaseSortSubmitted = "submitted" // the day the application was taken
	CaseSortState     = "state"     // in procedure order (States)
	CaseSortName      = "name"      // the applicant's name
)

// CaseSortKeys lists the sort keys of a worklist; the first is the default.
var CaseSortKeys = []string{CaseSortSubmitted, CaseSortState, CaseSortName}

// BoardEntry is one line of a notice board: a notice, its case and person.
type BoardEntry struct {
	Notice Notice
	Case   Case
	Person registry.Record
}

// today is the Beijing calendar day of the store's clock: a county
// office's "today".
func today(s interface{ Now() time.Time }) date.Date { return date.Today(s.Now()) }
