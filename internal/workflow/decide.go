package workflow

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Decision is a township or county reviewer's decision on a case.
type Decision struct {
	Outcome string   `json:"outcome"` // approve, reject or defer (暂缓)
	Reasons []string `json:"reasons,omitempty"`
	Opinion string   `json:"opinion"`
	// Doubtful says the reviewer finds a fact in doubt; a doubtful case
	// can only be deferred (疑者从无).
	Doubtful bool `json:"doubtful,omitempty"`
	// OverrideReason must explain a decision the policy engine does not
	// back: approving a case it finds ineligible, rejecting one it finds
	// eligible, or approving or rejecting one it could not decide (needs
	// review).
	OverrideReason string `json:"override_reason,omitempty"`
	// OverrideConfirmed is the reviewer's second confirmation that they
	// sign a decision the engine does not back and answer for it.
	OverrideConfirmed bool `json:"override_confirmed,omitempty"`
}

// MinOverrideReason is the shortest written reason, in characters, that
// may justify a decision the policy engine does not back.
const MinOverrideReason = 15

// checkOverride refuses a decision the engine e does not back (see
// overrides) unless it carries a reason of real length and the second
// confirmation. The rule is the same whether the decision goes against
// the engine's or settles what the engine left to staff; only the
// messages say which.
func (d *Decision) checkOverride(e *EngineDecision) error {
	reason := strings.TrimSpace(d.OverrideReason)
	distinct := map[rune]bool{}
	n := 0
	for _, r := range reason {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			distinct[r] = true
			n++
		}
	}
	undecided := e.Status == policy.StatusReview
	var errs apperr.List
	if n < MinOverrideReason || len(distinct) < MinOverrideReason/3 {
		if undecided {
			errs = append(errs, apperr.Invalidf("override_reason",
				"政策测算结果为需人工审核：作出同意或不予确认结论的，须写明理由（不少于%d个字），说明依据哪些事实、哪份文件作出结论",
				"the policy engine could not decide (needs review): to approve or reject, write a reason of at least %d characters naming the facts and documents it rests on", MinOverrideReason))
		} else {
			errs = append(errs, apperr.Invalidf("override_reason",
				"审核结论与政策测算结果不一致：须写明理由（不少于%d个字），说明依据哪些事实、哪份文件作出不同结论",
				"the decision differs from the policy engine's: write a reason of at least %d characters naming the facts and documents it rests on", MinOverrideReason))
		}
	}
	if !d.OverrideConfirmed {
		if undecided {
			errs = append(errs, apperr.Invalidf("override_confirmed",
				"政策测算结果为需人工审核：须再次确认由您作出结论并承担责任",
				"the policy engine could not decide: confirm that you decide in its place and answer for it"))
		} else {
			errs = append(errs, apperr.Invalidf("override_confirmed",
				"审核结论与政策测算结果不一致：须再次确认您将作出与测算结果不同的结论并承担责任",
				"the decision differs from the policy engine's: confirm that you sign against it and answer for it"))
		}
	}
	return errs.Err()
}

// Decision outcomes.
const (
	Approve = "approve"
	Reject  = "reject"
	Defer   = "defer"
)

// decided is the step detail of a review decision.
type decided struct {
	Decision
	Level    Level           `json:"level"`
	Engine   *EngineDecision `json:"engine"`
	Override bool            `json:"override"`
}

// validate checks the decision's content. doubtful is the survey's doubt.
func (d *Decision) validate(surveyDoubt bool) error {
	if err := checkForm(d); err != nil {
		return err
	}
	switch d.Outcome {
	case Approve, Reject, Defer:
	default:
		return apperr.Invalidf("outcome", "请选择审核结果：同意、不予确认或暂缓", "the outcome must be approve, reject or defer")
	}
	if (d.Doubtful || surveyDoubt) && d.Outcome != Defer {
		return apperr.Invalidf("outcome", "疑者从无：调查或审核认为事实存疑的，只能暂缓，不能作出确认或否定结论",
			"the facts are in doubt, so the case can only be deferred")
	}
	if d.Outcome == Approve {
		return nil
	}
	if d.Doubtful {
		hasDoubt := false
		for _, r := range d.Reasons {
			hasDoubt = hasDoubt || r == "doubtful"
		}
		if !hasDoubt {
			d.Reasons = append(d.Reasons, "doubtful")
		}
	}
	if err := checkReasons("reasons", d.Reasons); err != nil {
		return err
	}
	if strings.TrimSpace(d.Opinion) == "" {
		return apperr.Invalidf("opinion", "不予确认或暂缓的，须写明意见告知申请人", "a rejection or deferral must state the opinion given to the applicant")
	}
	return nil
}

// overrides reports whether d is a decision the engine e does not back:
// one against the engine's decision, or — when the engine could not decide
// (needs review) — a yes or a no, which is the staff's own decision. Both
// need the reason and the confirmation of checkOverride, and both are
// audited (case.override) and listed as overrides; a deferral never is.
func (d *Decision) overrides(e *EngineDecision) bool {
	if e.Status == policy.StatusReview {
		return d.Outcome == Approve || d.Outcome == Reject
	}
	return (d.Outcome == Approve && !e.Eligible) || (d.Outcome == Reject && e.Eligible)
}

// ReviewTownship records the township review (乡镇审核) of case id. The
// policy engine's decision and its explanation are attached to the case;
// a decision it does not back (against it, or a yes or no where it needs
// review) needs a written reason and the second confirmation and is
// audited as an override. Approval sends the case to the township notice.
func ReviewTownship(ctx context.Context, s Store, eng Engine, a auth.Actor, county string, id int64, d Decision) (*Case, error) {
	c, steps, err := load(ctx, s, a, county, id, StepTownshipReview)
	if err != nil {
		return nil, err
	}
	next := map[string]State{Approve: TownshipApproved, Reject: Rejected, Defer: Deferred}
	return c, decide(ctx, s, eng, a, c, steps, d, LevelTownship, StepTownshipReview, next)
}

// ApproveCounty records the county's decision (县级审批) on case id. On
// approval the person goes onto the roll (名册) in the same transaction,
// from the period the accrual convention gives (design §5), and the case
// waits for the county notice.
func ApproveCounty(ctx context.Context, s Store, eng Engine, a auth.Actor, county string, id int64, d Decision) (*Case, error) {
	c, steps, err := load(ctx, s, a, county, id, StepCountyApproval)
	if err != nil {
		return nil, err
	}
	next := map[string]State{Approve: Approved, Reject: Rejected, Defer: Deferred}
	return c, decide(ctx, s, eng, a, c, steps, d, LevelCounty, StepCountyApproval, next)
}

func decide(ctx context.Context, s Store, eng Engine, a auth.Actor, c *Case, steps []StepRecord, d Decision,
	level Level, step Step, next map[string]State) error {
	sv, _ := surveyOf(steps)
	if err := d.validate(sv != nil && sv.Doubtful()); err != nil {
		return err
	}
	ed, fam, err := attachEngine(ctx, s, eng, a, c)
	if err != nil {
		return err
	}
	override := d.overrides(ed)
	if override {
		if err := d.checkOverride(ed); err != nil {
			return err
		}
	} else {
		d.OverrideReason, d.OverrideConfirmed = "", false
	}
	from := c.State
	c.State = next[d.Outcome]
	c.Engine = ed
	if step == StepCountyApproval && d.Outcome == Approve {
		if err := enrol(ctx, s, a, c, fam); err != nil {
			return err
		}
	}
	if err := advance(ctx, s, a, c, step, from, decided{Decision: d, Level: level, Engine: ed, Override: override}); err != nil {
		return err
	}
	if !override {
		return nil
	}
	return s.Audit(ctx, audit.Entry{County: c.County, UserID: a.UserID, Username: a.Username, Action: "case.override",
		Entity: "case", EntityID: c.Ref(), Region: c.Region,
		Before: audit.JSON(map[string]any{"engine_eligible": ed.Eligible, "engine_status": ed.Status, "engine_amount_fen": ed.AmountFen, "rule_version": ed.RuleVersion,
			"failed_clauses": failedClauses(ed.Clauses)}),
		After: audit.JSON(map[string]any{"step": step, "outcome": d.Outcome, "reason": d.OverrideReason})})
}

// failedClauses lists the ids of the clauses the engine found unmet.
func failedClauses(cs []policy.ClauseResult) []string {
	var out []string
	for _, c := range cs {
		if !c.OK {
			out = append(out, c.ID)
		}
	}
	return out
}

// Preview returns the policy engine's decision on case id as the rules in
// force and the registry give it now, for the reviewer to read before
// signing. It changes nothing.
func Preview(ctx context.Context, s Store, eng Engine, a auth.Actor, c *Case) (*EngineDecision, error) {
	ed, _, err := attachEngine(ctx, s, eng, a, c)
	return ed, err
}

// attachEngine evaluates the applicant's family with the policy engine for
// the case's year and county and returns the decision on the case's program.
func attachEngine(ctx context.Context, s Store, eng Engine, a auth.Actor, c *Case) (*EngineDecision, *registry.Family, error) {
	res, fam, err := evaluate(ctx, s, eng, a, c.County, c.PersonID, c.Year)
	if err != nil {
		return nil, nil, err
	}
	pd := decisionOf(res, c.PersonID, c.Program)
	if pd == nil {
		return nil, nil, apperr.Conflictf("%[1]d 年本县已无项目 %[2]s", "program %[2]s is not in force in this county in %[1]d", c.Year, c.Program)
	}
	return &EngineDecision{Year: c.Year, Program: c.Program, Eligible: pd.Eligible, Status: pd.Status, Review: pd.Review,
		AmountFen: pd.AmountFen, Months: pd.Months,
		Clauses: pd.Clauses, RuleVersion: res.Version, At: s.Now()}, fam, nil
}

// evaluate decides every program for person in year, on the family the
// registry holds, with the confirmations of the roll.
func evaluate(ctx context.Context, s Store, eng Engine, a auth.Actor, county string, person int64, year int) (*policy.Result, *registry.Family, error) {
	fam, err := registry.FamilyView(ctx, s, a, registry.Key{County: county, ID: person})
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, 0, len(fam.Persons))
	for _, p := range fam.Persons {
		if id, err := strconv.ParseInt(p.Ref, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	rows, err := s.RecipientsOf(ctx, county, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		fam.Confirmations = append(fam.Confirmations, registry.Confirmation{Person: ref(r.PersonID), Program: r.Program,
			Applied: r.Confirmed, Confirmed: r.Confirmed})
	}
	res, err := eng.Evaluate(&policy.Case{Year: year, Region: county, Family: *fam, Subjects: []string{ref(person)}})
	if err != nil {
		return nil, nil, err
	}
	return res, fam, nil
}

func decisionOf(res *policy.Result, person int64, program string) *policy.Decision {
	for i := range res.Decisions {
		if d := &res.Decisions[i]; d.Person == ref(person) && d.Program == program {
			return d
		}
	}
	return nil
}

func ref(id int64) string { return strconv.FormatInt(id, 10) }
