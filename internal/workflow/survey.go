package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Survey is the household investigation record (调查审核记录表): at least two
// investigators visit the house (入户), meet the applicant in person (见面)
// and collect evidence (取证), check each declared fact and conclude. The
// signed-in user who records it signs it ("谁调查、谁签字").
type Survey struct {
	Date          date.Date      `json:"date"`
	Visited       bool           `json:"visited"`
	MetInPerson   bool           `json:"met_in_person"`
	Investigators []Investigator `json:"investigators"`
	Evidence      []string       `json:"evidence"`
	Findings      []Finding      `json:"findings"`
	Conclusion    string         `json:"conclusion"` // eligible, ineligible or doubtful
	Remarks       string         `json:"remarks,omitempty"`
	// Checklist answers the 三问、三看、三走访 (ChecklistItems): every
	// item once, when given (and always where the region requires it).
	Checklist []CheckAnswer `json:"checklist,omitempty"`
}

// Investigator is one member of the survey team: a staff user whose region
// contains the case's, picked by user id so that separation of duties
// holds by identity, never by a typed name. Name and Unit are filled in
// from the user's account when the survey is recorded.
type Investigator struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name,omitempty"`
	Unit   string `json:"unit,omitempty"`
}

// Finding is what the survey found about one declared fact.
type Finding struct {
	Fact   string `json:"fact"`
	Result string `json:"result"` // consistent, inconsistent or doubtful
	Note   string `json:"note,omitempty"`
}

// Facts every survey must check (rules.md §2.2 step 4: hukou type, birth
// date, marriage, birth and adoption history, surviving children).
var Facts = []string{"hukou", "birth", "marriage", "births", "adoptions", "children"}

var factNames = map[string]string{
	"hukou": "户籍性质", "birth": "出生日期", "marriage": "婚姻史", "births": "生育史", "adoptions": "收养史", "children": "现存子女",
}

// FactName returns the Chinese name of a fact.
func FactName(f string) string {
	if n, ok := factNames[f]; ok {
		return n
	}
	return f
}

// Conclusions and finding results.
const (
	ConclusionEligible   = "eligible"
	ConclusionIneligible = "ineligible"
	ConclusionDoubtful   = "doubtful"

	FindingConsistent   = "consistent"
	FindingInconsistent = "inconsistent"
	FindingDoubtful     = "doubtful"
)

// Doubtful reports whether the survey leaves a fact in doubt.
func (s *Survey) Doubtful() bool {
	if s.Conclusion == ConclusionDoubtful {
		return true
	}
	for _, f := range s.Findings {
		if f.Result == FindingDoubtful {
			return true
		}
	}
	return false
}

// Validate checks the survey's required content against the case and today.
func (s *Survey) Validate(c *Case, now date.Date) error {
	if err := checkForm(s); err != nil {
		return err
	}
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	switch {
	case s.Date.IsZero():
		add(apperr.Invalidf("date", "缺少调查日期", "the survey date is missing"))
	case s.Date.Before(c.Submitted) || s.Date.After(now):
		add(apperr.Invalidf("date", "调查日期应在申报日期 %s 与今天之间", "the survey date must lie between the submission (%s) and today", c.Submitted))
	}
	if !s.Visited {
		add(apperr.Invalidf("visited", "须入户调查（入户率100%%）", "the household must be visited"))
	}
	if !s.MetInPerson {
		add(apperr.Invalidf("met_in_person", "须与申请人见面（见面率100%%）", "the applicant must be met in person"))
	}
	ids := map[int64]bool{}
	for i, inv := range s.Investigators {
		if inv.UserID <= 0 {
			add(apperr.Invalidf(fmt.Sprintf("investigators[%d].user_id", i), "请从本辖区的工作人员中选择调查人", "pick each investigator from the staff of the region"))
			continue
		}
		if ids[inv.UserID] {
			add(apperr.Invalidf(fmt.Sprintf("investigators[%d].user_id", i), "同一调查人不能重复填写", "an investigator is named twice"))
		}
		ids[inv.UserID] = true
	}
	if len(ids) < 2 {
		add(apperr.Invalidf("investigators", "调查人员不得少于2人", "at least two investigators must be named"))
	}
	if len(nonEmpty(s.Evidence)) == 0 {
		add(apperr.Invalidf("evidence", "须列明所取证据（取证率100%%）", "list the evidence collected"))
	}
	seen := map[string]bool{}
	for i, f := range s.Findings {
		if !slices.Contains(Facts, f.Fact) {
			add(apperr.Invalidf(fmt.Sprintf("findings[%d].fact", i), "未知核查事项 %q", "unknown fact %q", f.Fact))
		}
		if f.Result != FindingConsistent && f.Result != FindingInconsistent && f.Result != FindingDoubtful {
			add(apperr.Invalidf(fmt.Sprintf("findings[%d].result", i), "请选择“%s”的核查结果：属实、不符或存疑",
				"choose the finding on %s: consistent, inconsistent or doubtful", FactName(f.Fact)))
		}
		if (f.Result == FindingInconsistent || f.Result == FindingDoubtful) && strings.TrimSpace(f.Note) == "" {
			add(apperr.Invalidf(fmt.Sprintf("findings[%d].note", i), "“%s”不符或存疑，请说明情况", "explain why the finding on %s is inconsistent or in doubt", FactName(f.Fact)))
		}
		seen[f.Fact] = true
	}
	for _, f := range Facts {
		if !seen[f] {
			add(apperr.Invalidf("findings", "缺少对“%s”的核查结论", "the finding on %s is missing", FactName(f)))
		}
	}
	if len(s.Checklist) > 0 {
		errs = append(errs, checkChecklist(s.Checklist)...)
	}
	switch s.Conclusion {
	case ConclusionEligible, ConclusionIneligible, ConclusionDoubtful:
	default:
		add(apperr.Invalidf("conclusion", "请选择调查结论：符合条件、不符合条件或存疑", "choose the conclusion: eligible, ineligible or doubtful"))
	}
	return errs.Err()
}

// RecordSurvey records the household survey of case id, signed by the
// actor: the village specialist of the case's village, or township or
// county staff whose scope contains it (joint investigations). Whoever
// signs or is named in it may not review or approve the case later.
func RecordSurvey(ctx context.Context, s Store, a auth.Actor, county string, id int64, sv Survey) (*Case, error) {
	c, _, err := load(ctx, s, a, county, id, StepSurvey)
	if err != nil {
		return nil, err
	}
	if err := sv.Validate(c, today(s)); err != nil {
		return nil, err
	}
	if len(sv.Checklist) == 0 {
		req, err := s.Param(ctx, region.Code(c.Region), ChecklistParam)
		if err != nil {
			return nil, err
		}
		if req == "required" {
			return nil, apperr.Invalidf("checklist", "本地区要求入户调查逐项填写“三问、三看、三走访”", "the region requires the survey's checklist (three questions, looks and visits)")
		}
	}
	if err := resolveInvestigators(ctx, s, c, sv.Investigators); err != nil {
		return nil, err
	}
	sv.Evidence = nonEmpty(sv.Evidence)
	c.State = Surveyed
	return c, advance(ctx, s, a, c, StepSurvey, Applied, sv)
}

// resolveInvestigators checks that each investigator is an active staff
// user of the case's region and fills in their name and unit.
func resolveInvestigators(ctx context.Context, s Store, c *Case, invs []Investigator) error {
	var errs apperr.List
	for i := range invs {
		field := fmt.Sprintf("investigators[%d].user_id", i)
		u, err := s.UserByID(ctx, "", invs[i].UserID)
		if apperr.KindOf(err) == apperr.NotFound {
			errs = append(errs, apperr.Invalidf(field, "调查人账号不存在", "no such user"))
			continue
		}
		if err != nil {
			return err
		}
		if !Investigates(u, region.Code(c.Region)) {
			errs = append(errs, apperr.Invalidf(field, "%s 不是本案所在村、乡镇或县的在岗工作人员，不能作为调查人",
				"%s is not active staff of the case's village, township or county", u.Name))
			continue
		}
		invs[i].Name = u.Name
		if invs[i].Unit == "" {
			if d, ok := region.Default().Lookup(u.Region); ok {
				invs[i].Unit = d.Name
			}
		}
	}
	return errs.Err()
}

// Investigates reports whether user u may be named as an investigator of a
// case in village code: an active village, township or county officer
// whose region contains it.
func Investigates(u auth.User, code region.Code) bool {
	switch u.Role {
	case auth.RoleVillage, auth.RoleTownship, auth.RoleCounty:
	default:
		return false
	}
	return !u.Disabled && u.Region.Contains(code)
}

// VillageReview is the record of the village's community review (评议):
// the meeting's date, its participants and their roles, and the outcome.
type VillageReview struct {
	Date         date.Date     `json:"date"`
	Participants []Participant `json:"participants"`
	Outcome      string        `json:"outcome"` // agree or disagree
	Opinion      string        `json:"opinion"`
	Reasons      []string      `json:"reasons,omitempty"` // reason codes when disagreeing
}

// Participant is one member of a review meeting.
type Participant struct {
	Name string `json:"name"`
	// Role is what the participant is, for example 同龄村民, 老党员,
	// 退休干部, 村组干部.
	Role    string `json:"role"`
	Opinion string `json:"opinion,omitempty"`
}

// MinParticipants is the smallest review meeting accepted.
const MinParticipants = 3

// Outcomes of a village review.
const (
	ReviewAgree    = "agree"
	ReviewDisagree = "disagree"
)

// Validate checks the review's required content.
func (r *VillageReview) Validate(surveyed, now date.Date) error {
	if err := checkForm(r); err != nil {
		return err
	}
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	switch {
	case r.Date.IsZero():
		add(apperr.Invalidf("date", "缺少评议日期", "the review date is missing"))
	case r.Date.Before(surveyed) || r.Date.After(now):
		add(apperr.Invalidf("date", "评议日期应在调查日期 %s 与今天之间", "the review date must lie between the survey (%s) and today", surveyed))
	}
	n := 0
	for i, p := range r.Participants {
		if strings.TrimSpace(p.Name) == "" || strings.TrimSpace(p.Role) == "" {
			add(apperr.Invalidf(fmt.Sprintf("participants[%d]", i), "参加评议人员须写明姓名和身份", "each participant needs a name and a role"))
			continue
		}
		n++
	}
	if n < MinParticipants {
		add(apperr.Invalidf("participants", "参加评议人员不得少于%d人", "at least %d participants must be named", MinParticipants))
	}
	switch r.Outcome {
	case ReviewAgree:
	case ReviewDisagree:
		if err := checkReasons("reasons", r.Reasons); err != nil {
			errs = append(errs, err.(*apperr.Error))
		}
		if strings.TrimSpace(r.Opinion) == "" {
			add(apperr.Invalidf("opinion", "不同意的，须写明理由告知申请人", "a disagreement must state the opinion given to the applicant"))
		}
	default:
		add(apperr.Invalidf("outcome", "请选择评议结果：同意或不同意", "the outcome must be agree or disagree"))
	}
	return errs.Err()
}

// RecordVillageReview records the village review of case id. Agreement
// sends the case on to the village notice; disagreement rejects it with
// its reasons.
func RecordVillageReview(ctx context.Context, s Store, a auth.Actor, county string, id int64, r VillageReview) (*Case, error) {
	c, steps, err := load(ctx, s, a, county, id, StepVillageReview)
	if err != nil {
		return nil, err
	}
	var surveyed date.Date
	for _, h := range steps {
		if h.Step == StepSurvey {
			if sv, err := decodeDetail[Survey](h); err == nil {
				surveyed = sv.Date
			}
		}
	}
	if err := r.Validate(surveyed, today(s)); err != nil {
		return nil, err
	}
	c.State = VillageReviewed
	if r.Outcome == ReviewDisagree {
		c.State = Rejected
	}
	return c, advance(ctx, s, a, c, StepVillageReview, Surveyed, r)
}

func maskID(s string) string {
	if s == "" {
		return ""
	}
	return idcard.Number(s).Masked()
}

// surveyOf returns the case's survey, if one was recorded.
func surveyOf(steps []StepRecord) (*Survey, bool) {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Step == StepSurvey {
			sv, err := decodeDetail[Survey](steps[i])
			return &sv, err == nil
		}
	}
	return nil, false
}
