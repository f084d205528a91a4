package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
)

// NewApplication is the input to Apply.
type NewApplication struct {
	County    string    `json:"county"`
	PersonID  int64     `json:"person_id"`
	SpouseID  int64     `json:"spouse_id,omitempty"`
	Program   string    `json:"program"`
	Year      int       `json:"year"`
	Submitted date.Date `json:"submitted"` // default: today
	Application
}

// firstYear is the first benefit year of the national programs (2004).
const firstYear = 2004

// Apply takes an application (申报) for the village specialist of the
// applicant's village: the person must be alive, registered in a village
// within the actor's scope, not already on the roll for the program and
// without another open case for it; the program must be in force in the
// county for the year; the applicant must have signed the pledge.
func Apply(ctx context.Context, s Store, eng Engine, a auth.Actor, in NewApplication) (*Case, error) {
	if err := checkActorRole(a, auth.PermCaseApply); err != nil {
		return nil, err
	}
	return apply(ctx, s, eng, a, in, IntakeStaff)
}

// apply checks and stores an application taken by staff (intake
// IntakeStaff) or submitted by the citizen (IntakePending); the caller has
// checked the actor's permission.
func apply(ctx context.Context, s Store, eng Engine, a auth.Actor, in NewApplication, intake Intake) (*Case, error) {
	p, err := s.PersonByKey(ctx, a.Scope, registry.Key{County: in.County, ID: in.PersonID})
	if err != nil {
		return nil, err
	}
	if region.Code(p.Region).Level() != region.Village {
		return nil, apperr.Invalidf("person_id", "申请人户籍地应登记到村（居）", "the applicant's hukou must be registered at a village")
	}
	if err := a.CheckScope(region.Code(p.Region)); err != nil {
		return nil, err
	}
	if err := checkForm(in.Application); err != nil {
		return nil, err
	}
	now := today(s)
	if in.Submitted.IsZero() {
		in.Submitted = now
	}
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if !p.Death.IsZero() {
		add(apperr.Invalidf("person_id", "申请人已于 %s 死亡", "the applicant died on %s", p.Death))
	}
	if in.Year < firstYear || in.Year > now.Year()+1 {
		add(apperr.Invalidf("year", "申报年度应在 %d 至 %d 之间", "the year must lie between %d and %d", firstYear, now.Year()+1))
	}
	if in.Submitted.After(now) || in.Submitted.Year() < firstYear {
		add(apperr.Invalidf("submitted", "申报日期不能晚于今天", "the submission date cannot be in the future"))
	}
	if !in.Pledge {
		add(apperr.Invalidf("pledge", "申请人须签署承诺书", "the applicant must sign the pledge"))
	}
	if len(nonEmpty(in.Attachments)) == 0 {
		add(apperr.Invalidf("attachments", "请列出所附证明材料（身份证、户口簿等）", "list the documents attached (ID card, hukou book…)"))
	}
	if t := in.Declared.HukouType; t != registry.Rural && t != registry.Urban {
		add(apperr.Invalidf("declared.hukou_type", "请选择申报的户口性质：农业或非农业", "the declared hukou type must be rural or urban"))
	}
	if in.Declared.SurvivingChildren < 0 || in.Declared.SurvivingChildren > 20 {
		add(apperr.Invalidf("declared.surviving_children", "现存子女数无效", "invalid number of surviving children"))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	programs, err := eng.Programs(p.County, in.Year)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(programs, in.Program) {
		return nil, apperr.Invalidf("program", "%[1]d 年本县没有项目 %[2]q", "there is no program %[2]q in this county in %[1]d", in.Year, in.Program)
	}
	if in.Program == policy.ProgramChildcareSubsidy {
		// The subsidy's subject is the child, claimed by a parent through
		// its own procedure (package birth), not this one.
		return nil, apperr.Invalidf("program", "育儿补贴请通过育儿补贴申领办理", "the childcare subsidy is claimed through its own claims")
	}
	if in.SpouseID != 0 {
		rel, err := s.Relatives(ctx, p.County, []int64{p.ID})
		if err != nil {
			return nil, err
		}
		if !slices.Contains(rel, in.SpouseID) {
			return nil, apperr.Invalidf("spouse_id", "所填配偶与申请人无婚姻登记", "the spouse is not married to the applicant in the registry")
		}
	}
	rows, err := s.RecipientsOf(ctx, p.County, []int64{p.ID})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.Program == in.Program && r.Status != roll.StatusExited {
			return nil, apperr.Conflictf("申请人已在该项目名册中（%s）", "the applicant is already on the roll of this program (%s)", r.Status)
		}
	}
	id, err := s.NextIDs(ctx, "case", 1)
	if err != nil {
		return nil, err
	}
	at := s.Now()
	c := &Case{County: p.County, ID: id, PersonID: p.ID, SpouseID: in.SpouseID, Program: in.Program, Year: in.Year,
		Region: p.Region, State: Applied, Submitted: in.Submitted, Application: in.Application, Intake: intake, Version: 1,
		CreatedAt: at, UpdatedAt: at}
	c.Application.Attachments = nonEmpty(c.Application.Attachments)
	if err := s.InsertCase(ctx, c); err != nil {
		return nil, err
	}
	step := StepApply
	if intake == IntakePending {
		step = StepSubmit
	}
	return c, record(ctx, s, a, c, step, "", in)
}

// Withdraw ends a case at the applicant's request before county approval.
// Any case worker in scope may record it, with the reason.
func Withdraw(ctx context.Context, s Store, a auth.Actor, county string, id int64, reason string) (*Case, error) {
	c, _, err := load(ctx, s, a, county, id, StepWithdraw)
	if err != nil {
		return nil, err
	}
	if c.State == Suspended && slices.Contains([]State{Approved, CountyNotice}, c.SuspendedFrom) {
		return nil, apperr.Conflictf("县级已审批，不能撤回，只能按退出程序办理", "the county has approved the case: it cannot be withdrawn, only exited")
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalidf("reason", "请填写撤回原因", "give the reason for the withdrawal")
	}
	if err := checkText("reason", reason); err != nil {
		return nil, err
	}
	ns, err := s.Notices(ctx, c.County, c.ID)
	if err != nil {
		return nil, err
	}
	if err := endNotices(ctx, s, ns, 0, sign(a, s.Now())); err != nil {
		return nil, err
	}
	from := c.State
	c.State, c.SuspendedFrom = Withdrawn, ""
	return c, advance(ctx, s, a, c, StepWithdraw, from, map[string]string{"reason": strings.TrimSpace(reason)})
}

// load reads a case for step and checks the actor's role, the state and
// the step's level scope. It returns the case's history too.
func load(ctx context.Context, s Store, a auth.Actor, county string, id int64, step Step) (*Case, []StepRecord, error) {
	t := transitions[step]
	perms := t.perms
	if perms == nil {
		perms = caseWorkers
	}
	if err := checkActorRole(a, perms...); err != nil {
		return nil, nil, err
	}
	c, err := s.Case(ctx, a.Scope, county, id)
	if err != nil {
		return nil, nil, err
	}
	if err := checkState(step, c); err != nil {
		return nil, nil, err
	}
	if t.level != "" {
		if err := checkActor(a, c, t.perms, t.level); err != nil {
			return nil, nil, err
		}
	}
	steps, err := s.Steps(ctx, county, id)
	if err != nil {
		return nil, nil, err
	}
	return c, steps, checkSeparation(step, a, steps)
}

// checkActorRole checks that a may work on cases with one of perms.
func checkActorRole(a auth.Actor, perms ...auth.Permission) error {
	if a.ReadOnly() {
		return apperr.Forbiddenf("您的角色（%s）只能查阅，不能办理", "your role (%s) may only read", a.Role.Chinese())
	}
	for _, p := range perms {
		if auth.Can(a, p) {
			return nil
		}
	}
	return auth.Require(a, perms[0])
}

// advance writes c (already moved to its new state) over its stored
// version and records the signed step.
func advance(ctx context.Context, s Store, a auth.Actor, c *Case, step Step, from State, detail any) error {
	c.Version++
	c.UpdatedAt = s.Now()
	if err := s.UpdateCase(ctx, c); err != nil {
		return err
	}
	return record(ctx, s, a, c, step, from, detail)
}

// record appends the signed step to the case's history and audits it.
func record(ctx context.Context, s Store, a auth.Actor, c *Case, step Step, from State, detail any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("step detail: %w", err)
	}
	rec := &StepRecord{County: c.County, CaseID: c.ID, Step: step, From: from, To: c.State, Signature: sign(a, s.Now()), Detail: b}
	if err := s.AddStep(ctx, rec); err != nil {
		return err
	}
	var before any
	if from != "" {
		before = map[string]State{"state": from}
	}
	return s.Audit(ctx, audit.Entry{County: c.County, UserID: a.UserID, Username: a.Username, Action: "case." + string(step),
		Entity: "case", EntityID: c.Ref(), Region: c.Region, Before: audit.JSON(before),
		After: audit.JSON(map[string]any{"state": c.State, "version": c.Version, "detail": json.RawMessage(b)})})
}

func decodeDetail[T any](h StepRecord) (T, error) {
	var v T
	err := json.Unmarshal(h.Detail, &v)
	return v, err
}

func nonEmpty(list []string) []string {
	out := []string{}
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// History is a case with everything that happened to it: the signed
// steps, the notices with their objections, and the roll row it led to.
type History struct {
	Case      Case            `json:"case"`
	Applicant ApplicantView   `json:"applicant"`
	Steps     []StepRecord    `json:"steps"`
	Notices   []Notice        `json:"notices"`
	Recipient *roll.Recipient `json:"recipient,omitempty"`
	Changes   []roll.Change   `json:"changes,omitempty"`
	Audit     []audit.Entry   `json:"audit,omitempty"`
	// Preview is the policy engine's decision as the rules in force and
	// the registry give it now, shown to reviewers before they sign.
	Preview *EngineDecision `json:"engine_preview,omitempty"`
	// Staff are the officers who may be named as investigators of the
	// survey, while the case waits for it.
	Staff     []StaffRef     `json:"staff,omitempty"`
	Awaits    []auth.Role    `json:"awaits"`
	Next      []Step         `json:"next"`
	StateName map[string]any `json:"state_name"`
}

// StaffRef is an officer as a case offers them for picking.
type StaffRef struct {
	UserID int64     `json:"user_id"`
	Name   string    `json:"name"`
	Role   auth.Role `json:"role"`
	Region string    `json:"region"`
}

// ApplicantView is the applicant as a case shows them: the ID number
// masked.
type ApplicantView struct {
	Name     string `json:"name"`
	Sex      string `json:"sex"`
	Birth    string `json:"birth"`
	IDNumber string `json:"id_number"`
	Region   string `json:"region"`
	Place    string `json:"place"`
}

// Get returns case id with its whole history, for any actor who may read
// cases in its region.
func Get(ctx context.Context, s Store, a auth.Actor, county string, id int64) (*History, error) {
	if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, err
	}
	c, err := s.Case(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	zh, en := c.Status()
	h := &History{Case: *c, Awaits: awaits(c.State), Next: nextFor(c), StateName: map[string]any{"zh": zh, "en": en}}
	p, err := s.PersonByKey(ctx, "", registry.Key{County: c.County, ID: c.PersonID})
	if err != nil {
		return nil, err
	}
	h.Applicant = applicantView(p)
	if h.Steps, err = s.Steps(ctx, county, id); err != nil {
		return nil, err
	}
	if h.Notices, err = s.Notices(ctx, county, id); err != nil {
		return nil, err
	}
	if c.RecipientID != 0 {
		if h.Recipient, err = s.Recipient(ctx, "", county, c.RecipientID); err != nil {
			return nil, err
		}
		if h.Changes, err = s.Changes(ctx, county, []int64{c.RecipientID}); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func applicantView(p *registry.Record) ApplicantView {
	return ApplicantView{Name: p.Name, Sex: p.Sex, Birth: p.Birth.String(), IDNumber: maskID(p.IDNumber),
		Region: p.Region, Place: region.Default().FullName(region.Code(p.Region))}
}

// awaiting maps each open state to the roles whose work it waits for.
var awaiting = map[State][]auth.Role{
	Applied:          {auth.RoleVillage},
	Surveyed:         {auth.RoleVillage},
	VillageReviewed:  {auth.RoleVillage},
	VillageNotice:    {auth.RoleVillage},
	TownshipReview:   {auth.RoleTownship},
	TownshipApproved: {auth.RoleTownship},
	TownshipNotice:   {auth.RoleTownship},
	CountyReview:     {auth.RoleCounty},
	Approved:         {auth.RoleCounty},
	CountyNotice:     {auth.RoleCounty},
}

func awaits(s State) []auth.Role {
	if s == Suspended {
		return []auth.Role{auth.RoleTownship, auth.RoleCounty}
	}
	return append([]auth.Role{}, awaiting[s]...)
}

// nextSteps lists the steps the state machine allows from s.
func nextSteps(s State) []Step {
	out := []Step{}
	for _, st := range []Step{StepSurvey, StepVillageReview, StepNoticeOpen, StepNoticeClose, StepObjection, StepResolve,
		StepTownshipReview, StepCountyApproval, StepWithdraw} {
		if slices.Contains(transitions[st].from, s) {
			out = append(out, st)
		}
	}
	return out
}

// Worklist returns the open cases within the actor's scope that wait for
// the actor's role, or, when states are given, the cases in those states:
// at most 500, the oldest application first. A reader without a role in
// the procedure (a supervisor) sees every open case in scope.
func Worklist(ctx context.Context, s Store, a auth.Actor, states []State, within string) ([]Case, error) {
	cs, _, err := WorklistPage(ctx, s, a, CaseQuery{States: states, Region: within, Limit: 500}, false)
	return cs, err
}

// WorklistPage is Worklist a page at a time: q.States and q.Region select
// as Worklist's states and within do, q.Sort (one of CaseSortKeys) and
// q.Desc order the list, and q.Offset and q.Limit (default 500, at most
// 5000) cut the page. With count it also returns how many cases the whole
// list holds.
func WorklistPage(ctx context.Context, s Store, a auth.Actor, q CaseQuery, count bool) ([]Case, int, error) {
	if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, 0, err
	}
	for i, st := range q.States {
		if !st.Valid() {
			return nil, 0, apperr.Invalidf(fmt.Sprintf("state[%d]", i), "未知状态 %q", "unknown state %q", st)
		}
	}
	if q.Sort == "" {
		q.Sort = CaseSortSubmitted
	}
	if err := apperr.OneOf("sort", q.Sort, CaseSortKeys); err != nil {
		return nil, 0, err
	}
	if q.Region != "" {
		c, err := region.ParseCode(q.Region)
		if err != nil {
			return nil, 0, apperr.Invalidf("region", "区划代码无效", "invalid region code")
		}
		if err := a.CheckScope(c); err != nil {
			return nil, 0, err
		}
		q.Region = string(c)
	}
	if len(q.States) == 0 {
		for _, st := range States {
			if st.Closed() {
				continue
			}
			if a.ReadOnly() || slices.Contains(awaits(st), a.Role) {
				q.States = append(q.States, st)
			}
		}
		if len(q.States) == 0 {
			return []Case{}, 0, nil
		}
	}
	if q.Limit <= 0 || q.Limit > 5000 {
		q.Limit = 500
	}
	q.Offset = max(q.Offset, 0)
	cs, err := s.Cases(ctx, a.Scope, q)
	if err != nil || !count {
		return cs, len(cs), err
	}
	n, err := s.CountCases(ctx, a.Scope, q)
	return cs, n, err
}
