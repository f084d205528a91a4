package workflow

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/term"
)

// transition is one edge of the state machine: step may be taken from any
// of from, by an actor holding one of perms whose scope contains the
// case's region of the given level.
type transition struct {
	from  []State
	perms []auth.Permission
	level Level
}

// caseWorkers are the permissions of the three levels that work on cases.
var caseWorkers = []auth.Permission{auth.PermCaseApply, auth.PermCaseReview, auth.PermCaseApprove}

// transitions is the state machine. The level of a notice step and of an
// objection is that of the notice, so those rows hold the village level
// and are refined by noticeLevel.
var transitions = map[Step]transition{
	StepSurvey: {from: []State{Applied}, perms: caseWorkers, level: LevelVillage},
	// The village specialist organises the review (村级评议).
	StepVillageReview: {from: []State{Surveyed}, perms: []auth.Permission{auth.PermCaseApply}, level: LevelVillage},
	StepNoticeOpen:    {from: []State{VillageReviewed, TownshipApproved, Approved}},
	StepNoticeClose:   {from: []State{VillageNotice, TownshipNotice, CountyNotice}},
	// Further objections may arrive while the case is suspended by one.
	StepObjection: {from: []State{VillageNotice, TownshipNotice, CountyNotice, Suspended}, perms: caseWorkers},
	StepResolve:   {from: []State{Suspended}},
	StepTownshipReview: {from: []State{TownshipReview}, perms: []auth.Permission{auth.PermCaseReview},
		level: LevelTownship},
	StepCountyApproval: {from: []State{CountyReview}, perms: []auth.Permission{auth.PermCaseApprove},
		level: LevelCounty},
	// An application can be withdrawn until the county has approved it.
	// A citizen's own application waits in Applied (intake pending) for
	// the village specialist, who accepts or returns it.
	StepAccept: {from: []State{Applied}, perms: []auth.Permission{auth.PermCaseApply}, level: LevelVillage},
	StepReturn: {from: []State{Applied}, perms: []auth.Permission{auth.PermCaseApply}, level: LevelVillage},
	StepWithdraw: {from: []State{Applied, Surveyed, VillageReviewed, VillageNotice, TownshipReview,
		TownshipApproved, TownshipNotice, CountyReview, Suspended}, perms: caseWorkers, level: LevelVillage},
}

// noticeLevel is the notice level of a state that opens, holds or closes
// a notice.
var noticeLevel = map[State]Level{
	VillageReviewed: LevelVillage, VillageNotice: LevelVillage,
	TownshipApproved: LevelTownship, TownshipNotice: LevelTownship,
	Approved: LevelCounty, CountyNotice: LevelCounty,
}

// levelPerm is the permission of the staff who run a level's notices and
// resolve the objections raised in them: the village posts its own notice,
// but an objection to it is judged by the township.
var levelPerm = map[Level]auth.Permission{
	LevelVillage: auth.PermCaseApply, LevelTownship: auth.PermCaseReview, LevelCounty: auth.PermCaseApprove,
}

var resolverPerm = map[Level]auth.Permission{
	LevelVillage: auth.PermCaseReview, LevelTownship: auth.PermCaseReview, LevelCounty: auth.PermCaseApprove,
}

// checkState refuses a step the state machine does not allow from c.State.
// A citizen's application awaiting acceptance allows only acceptance and
// return, and those two only it.
func checkState(step Step, c *Case) error {
	pending := c.Intake == IntakePending
	if pending != (step == StepAccept || step == StepReturn) {
		if pending {
			return apperr.Conflictf("该申请由群众提交，尚待村专干受理，不能进行“%[1]s”", "the citizen's application awaits acceptance: %[2]s is not possible now",
				step.Chinese(), step.English())
		}
		if step == StepAccept || step == StepReturn {
			return apperr.Conflictf("该案件不是待受理的群众申请，不能进行“%[1]s”", "the case is no citizen's application awaiting acceptance: %[2]s is not possible",
				step.Chinese(), step.English())
		}
	}
	if !slices.Contains(transitions[step].from, c.State) {
		return &apperr.Error{Kind: apperr.Conflict,
			ZH: fmt.Sprintf("案件当前状态为“%s”，不能进行“%s”", c.State.Chinese(), step.Chinese()),
			EN: fmt.Sprintf("the case is %s: %s is not possible now", c.State.English(), step.English())}
	}
	return nil
}

// checkActor checks that a holds one of perms and that its scope contains
// the case's region of level l.
func checkActor(a auth.Actor, c *Case, perms []auth.Permission, l Level) error {
	if a.ReadOnly() {
		return apperr.Forbiddenf("您的角色（%s）只能查阅，不能办理", "your role (%s) may only read", a.Role.Chinese())
	}
	ok := false
	for _, p := range perms {
		ok = ok || auth.Can(a, p)
	}
	if !ok {
		return auth.Require(a, perms[0])
	}
	return a.CheckScope(c.regionOf(l))
}

// separated lists, for each decision step, the earlier steps whose signer
// may not sign it on the same case (四权分离; "谁调查、谁签字、谁负责"):
// whoever took (or accepted a citizen's), surveyed or reviewed an application in the village cannot
// review it in the township or approve it in the county, and the township
// reviewer cannot approve it too. The investigators named in the survey
// count as its signers. Whoever surveyed a case cannot judge an objection
// against it.
var separated = map[Step][]Step{
	StepTownshipReview: {StepApply, StepAccept, StepSurvey, StepVillageReview},
	StepCountyApproval: {StepApply, StepAccept, StepSurvey, StepVillageReview, StepTownshipReview},
	StepResolve:        {StepApply, StepAccept, StepSurvey},
}

// checkSeparation refuses a step to an actor who signed a step of the
// same case that must be separated from it.
func checkSeparation(step Step, a auth.Actor, history []StepRecord) error {
	if a.UserID == 0 && a.Username == auth.System.Username {
		return nil
	}
	for _, h := range history {
		if !slices.Contains(separated[step], h.Step) || !signedBy(h, a.UserID) {
			continue
		}
		return &apperr.Error{Kind: apperr.Forbidden,
			ZH: fmt.Sprintf("四权分离：您已签署本案的“%s”，不能再签署“%s”", h.Step.Chinese(), step.Chinese()),
			EN: fmt.Sprintf("separation of duties: you signed %s of this case and may not sign %s", h.Step.English(), step.English())}
	}
	return nil
}

// signedBy reports whether user signed the step h, or is named in it as
// an investigator.
func signedBy(h StepRecord, user int64) bool {
	if h.Signature.UserID == user {
		return true
	}
	if h.Step != StepSurvey {
		return false
	}
	s, err := decodeDetail[Survey](h)
	if err != nil {
		return false
	}
	for _, inv := range s.Investigators {
		if inv.UserID != 0 && inv.UserID == user {
			return true
		}
	}
	return false
}

// Reasons names the reasons of a rejection or deferral, in the order the
// forms list them. An out-of-policy birth and an upheld objection are
// also reasons of an exit from the roll, and are named as the roll names
// them.
var Reasons = term.List{
	{Code: "age", ZH: "年龄不符合条件", EN: "age requirement not met"},
	{Code: "hukou", ZH: "户籍性质或户籍地不符合条件", EN: "hukou type or place does not qualify"},
	{Code: "children", ZH: "子女情况不符合条件", EN: "children do not qualify"},
	{Code: "marriage", ZH: "婚姻情况不符合条件", EN: "marriage history does not qualify"},
	exitReason(roll.ExitPolicyViolation),
	{Code: "adoption", ZH: "收养情况不符合条件", EN: "adoption does not qualify"},
	{Code: "evidence_missing", ZH: "证明材料不全", EN: "evidence is missing"},
	{Code: "doubtful", ZH: "事实存疑，疑者从无", EN: "the facts are in doubt"},
	{Code: "engine", ZH: "政策测算不符合", EN: "the policy engine finds the applicant ineligible"},
	exitReason(ReasonObjectionUpheld),
	{Code: "fraud", ZH: "弄虚作假", EN: "false declaration"},
	{Code: "deceased", ZH: "申请人已死亡", EN: "the applicant has died"},
	{Code: "other", ZH: "其他（见意见）", EN: "other (see the opinion)"},
}

// ReasonObjectionUpheld is the reason of a decision taken because an
// objection to a notice was upheld.
const ReasonObjectionUpheld = roll.ExitObjectionUpheld

// exitReason is the roll's reason of an exit with code.
func exitReason(code string) term.Term {
	t, _ := roll.ExitReasons.Find(code)
	return t
}

func checkReasons(field string, codes []string) error {
	if len(codes) == 0 {
		return apperr.Invalidf(field, "请至少选择一项理由", "give at least one reason code")
	}
	for i, c := range codes {
		if !Reasons.Has(c) {
			known := Reasons.Codes()
			slices.Sort(known)
			return apperr.Invalidf(fmt.Sprintf("%s[%d]", field, i), "未知理由代码 %q（可选：%s）", "unknown reason code %q (one of %s)",
				c, strings.Join(known, ", "))
		}
	}
	return nil
}
