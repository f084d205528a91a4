package birth

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// Claim is an application for the childcare subsidy (育儿补贴申领, rules.md
// §8.1 CS5–CS6): a parent or guardian applies for a child where the
// child's hukou is, online or at the counter; the township checks it
// (初审) and the county confirms it (审核确认), which puts the child on the
// program's roll. The roll's person is the child — one row per child,
// whoever applied — and each year's claim is then paid by the payment
// cycles as the engine decides it; the renewals of the later years need no
// new application.
type Claim struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// Child is the subject; Applicant the parent or guardian, a person of
	// the registry, related as Relation.
	Child     int64  `json:"child_id"`
	Applicant int64  `json:"applicant_id"`
	Relation  string `json:"relation"`
	// Region is the child's hukou village.
	Region string `json:"region"`
	// Year is the first year claimed: this year, or the year before for a
	// child born then (the first claim may be filed in the year after the
	// birth year).
	Year    int       `json:"year"`
	Filed   date.Date `json:"filed"`
	Channel string    `json:"channel"`
	Phone   string    `json:"phone,omitempty"`
	Status  string    `json:"status"`
	// Engine is the engine's decision of the year claimed, as last read
	// (at the application, the check and the confirmation).
	Engine *ClaimDecision `json:"engine,omitempty"`
	// TakenBy is the staff member who took the application (0 online).
	TakenBy     int64     `json:"taken_by,omitempty"`
	Checked     date.Date `json:"checked,omitempty"`
	CheckedBy   int64     `json:"checked_by,omitempty"`
	CheckedName string    `json:"checked_name,omitempty"`
	CheckNote   string    `json:"check_note,omitempty"`
	Decided     date.Date `json:"decided,omitempty"`
	DecidedBy   int64     `json:"decided_by,omitempty"`
	DecidedName string    `json:"decided_name,omitempty"`
	DecideNote  string    `json:"decide_note,omitempty"`
	RecipientID int64     `json:"recipient_id,omitempty"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ClaimDecision is the engine's decision of a claim's year.
type ClaimDecision struct {
	Year      int                   `json:"year"`
	Status    string                `json:"status"`
	Eligible  bool                  `json:"eligible"`
	AmountFen money.Fen             `json:"amount_fen"`
	Months    int                   `json:"months"`
	Clauses   []policy.ClauseResult `json:"clauses"`
	Version   string                `json:"rule_version"`
}

// Failed returns the texts of the clauses that fail.
func (d *ClaimDecision) Failed() []string {
	var out []string
	for _, c := range d.Clauses {
		if !c.OK {
			out = append(out, c.Text)
		}
	}
	return out
}

// The statuses of a claim.
const (
	ClaimSubmitted = "submitted" // 已申请，待乡镇初审
	ClaimChecked   = "checked"   // 乡镇初审通过，待县级审核确认
	ClaimApproved  = "approved"  // 县级审核确认，已列入发放名册
	ClaimRejected  = "rejected"  // 审核未通过
	ClaimWithdrawn = "withdrawn" // 申请已撤回
)

// ClaimStatuses names the statuses of a claim, in their order.
var ClaimStatuses = term.List{
	{Code: ClaimSubmitted, ZH: "待乡镇初审", EN: "Awaiting the township's check"},
	{Code: ClaimChecked, ZH: "待县级审核确认", EN: "Awaiting the county's confirmation"},
	{Code: ClaimApproved, ZH: "已确认发放", EN: "Confirmed, on the roll"},
	{Code: ClaimRejected, ZH: "审核未通过", EN: "Rejected"},
	{Code: ClaimWithdrawn, ZH: "申请已撤回", EN: "Withdrawn"},
}

// Relations of an applicant to the child (rules.md §8.1 CS5).
const (
	RelationMother   = "mother"
	RelationFather   = "father"
	RelationGuardian = "guardian" // another guardian (监护人)
)

// Relations names the relations.
var Relations = term.List{
	{Code: RelationMother, ZH: "母亲", EN: "Mother"},
	{Code: RelationFather, ZH: "父亲", EN: "Father"},
	{Code: RelationGuardian, ZH: "其他监护人", EN: "Another guardian"},
}

// ClaimQuery selects claims; zero fields match anything.
type ClaimQuery struct {
	Region    string
	Status    string
	Year      int
	Applicant int64
	Limit     int
	Offset    int
}

// NewClaim is an application for the childcare subsidy.
type NewClaim struct {
	County    string `json:"county"`
	Child     int64  `json:"child_id"`
	Applicant int64  `json:"applicant_id"`
	Relation  string `json:"relation"`
	Year      int    `json:"year"`
	Phone     string `json:"phone,omitempty"`
}

// Apply takes a childcare subsidy claim. The village specialist takes it
// for a child of their village (counter); a citizen applies for their own
// child (online). A parent must be the child's parent in the registry; one
// claim per child is open at a time, and a child on the roll needs none.
// The engine must find the year claimed payable: a claim it refuses is
// answered with its reasons.
func Apply(ctx context.Context, s Store, eng Engine, a auth.Actor, in NewClaim) (*Claim, error) {
	channel := ChannelCounter
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfApply); err != nil {
			return nil, err
		}
		if a.PersonID == 0 || a.PersonCounty == "" {
			return nil, apperr.Forbiddenf("您的账号未关联人口库中的本人记录，请联系村专干", "your account is not linked to your own person; ask the village specialist")
		}
		if in.County != a.PersonCounty || in.Applicant != a.PersonID {
			return nil, apperr.Forbiddenf("只能由本人作为申请人申领", "you may apply as yourself only")
		}
		if in.Relation == RelationGuardian {
			// A guardian's papers are checked at the counter.
			return nil, apperr.Invalidf("relation", "其他监护人请持监护证明到乡镇（街道）或村（居）办理",
				"another guardian applies at the counter with the proof of guardianship")
		}
		channel, scope = ChannelOnline, ""
	} else if err := auth.Require(a, auth.PermCaseApply); err != nil {
		return nil, err
	}
	child, err := s.PersonByKey(ctx, scope, registry.Key{County: in.County, ID: in.Child})
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound {
			return nil, &apperr.Error{Kind: apperr.NotFound, Field: "child_id", ZH: "未找到该婴幼儿，或不在您的管辖范围内", EN: "no such child in your scope"}
		}
		return nil, err
	}
	if a.Role != auth.RoleCitizen {
		if err := a.CheckScope(region.Code(child.Region)); err != nil {
			return nil, err
		}
	}
	applicant, err := s.PersonByKey(ctx, "", registry.Key{County: in.County, ID: in.Applicant})
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.NotFound, Field: "applicant_id", ZH: "未找到申请人", EN: "no such applicant"}
	}
	now := today(s)
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	if err := apperr.OneOf("relation", in.Relation, Relations.Codes()); err != nil {
		return nil, err
	}
	if in.Year < now.Year()-1 || in.Year > now.Year() {
		add(apperr.Invalidf("year", "申领年度应为今年或上一年", "the year claimed must be this year or the last"))
	}
	if in.Year == now.Year()-1 && child.Birth.Year() != in.Year {
		add(apperr.Invalidf("year", "上一年度的补贴只能在出生次年首次申领时补申", "last year can be claimed only by a first claim for a child born then"))
	}
	add(registry.CheckPhone("phone", in.Phone))
	if applicant.ID == child.ID {
		add(apperr.Invalidf("applicant_id", "申请人不能是婴幼儿本人", "the applicant cannot be the child"))
	}
	if !applicant.Death.IsZero() {
		add(apperr.Invalidf("applicant_id", "申请人已登记死亡", "the applicant is recorded dead"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if in.Relation != RelationGuardian {
		parents, err := s.Parents(ctx, in.County, child.ID)
		if err != nil {
			return nil, err
		}
		sex := map[string]string{RelationMother: registry.Female, RelationFather: registry.Male}[in.Relation]
		if !slices.Contains(parents, applicant.ID) || applicant.Sex != sex {
			return nil, &apperr.Error{Kind: apperr.Invalid, Field: "relation", ZH: "人口库中" + applicant.Name + "不是该婴幼儿的" + Relations.Chinese(in.Relation),
				EN: "the registry does not hold " + applicant.Name + " as the child's " + Relations.Name(in.Relation, "en")}
		}
	}
	claims, err := s.ClaimsOfChild(ctx, in.County, child.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if c.Status == ClaimSubmitted || c.Status == ClaimChecked {
			return nil, apperr.Conflictf("该婴幼儿已有正在办理的育儿补贴申请", "the child has a claim in progress")
		}
	}
	onRoll, err := activeRecipient(ctx, s, in.County, child.ID)
	if err != nil {
		return nil, err
	}
	if onRoll != nil {
		return nil, apperr.Conflictf("该婴幼儿已在育儿补贴发放名册中，以后年度无需再次申请", "the child is on the subsidy's roll: later years need no new claim")
	}
	d, err := Decide(ctx, s, eng, in.County, child.ID, in.Year)
	if err != nil {
		return nil, err
	}
	if !d.Eligible {
		return nil, &apperr.Error{Kind: apperr.Invalid, Field: "child_id",
			ZH: "按现行政策，该婴幼儿" + strconv.Itoa(in.Year) + "年不能领取育儿补贴：" + strings.Join(d.Failed(), "；"),
			EN: "the child cannot receive the subsidy for " + strconv.Itoa(in.Year) + ": " + strings.Join(d.Failed(), "; ")}
	}
	id, err := s.NextIDs(ctx, "subsidy_claim", 1)
	if err != nil {
		return nil, err
	}
	at := s.Now()
	c := &Claim{County: in.County, ID: id, Child: child.ID, Applicant: applicant.ID, Relation: in.Relation, Region: child.Region,
		Year: in.Year, Filed: now, Channel: channel, Phone: strings.TrimSpace(in.Phone), Status: ClaimSubmitted, Engine: d,
		Version: 1, CreatedAt: at, UpdatedAt: at}
	if channel == ChannelCounter {
		c.TakenBy = a.UserID
	}
	if err := s.InsertClaim(ctx, c); err != nil {
		return nil, err
	}
	return c, s.Audit(ctx, claimEntry(a, "subsidy.apply", c, nil))
}

// Decide returns the engine's decision of the childcare subsidy for child
// of county in year, on the child's family from the registry together
// with the ties to its parents (which the lawful-birth clause reads).
func Decide(ctx context.Context, s Store, eng Engine, county string, child int64, year int) (*ClaimDecision, error) {
	f, err := ChildFamily(ctx, s, county, child)
	if err != nil {
		return nil, err
	}
	ref := strconv.FormatInt(child, 10)
	res, err := eng.Evaluate(&policy.Case{Year: year, Region: county, Family: *f, Subjects: []string{ref}})
	if err != nil {
		return nil, err
	}
	for _, d := range res.Decisions {
		if d.Program == policy.ProgramChildcareSubsidy {
			return &ClaimDecision{Year: year, Status: d.Status, Eligible: d.Eligible, AmountFen: d.AmountFen, Months: d.Months,
				Clauses: d.Clauses, Version: res.Version}, nil
		}
	}
	return &ClaimDecision{Year: year, Status: policy.StatusNotEligible, Version: res.Version, Clauses: []policy.ClauseResult{{ID: "program",
		Text: strconv.Itoa(year) + "年本地区未实施育儿补贴"}}}, nil
}

// ChildFamily returns the family of child of county as the engine reads
// it (the family reader's, registry.Families) with the ties of the child
// to its parents and the parents themselves, which the lawful-birth
// clause of the childcare subsidy reads.
func ChildFamily(ctx context.Context, s Store, county string, child int64) (*registry.Family, error) {
	fs, err := s.Families(ctx, county, []int64{child})
	if err != nil {
		return nil, err
	}
	f := fs.Family(child)
	if f == nil {
		return nil, apperr.NotFoundf("未找到该婴幼儿", "no such child")
	}
	parents, err := s.Parents(ctx, county, child)
	if err != nil || len(parents) == 0 {
		return f, err
	}
	pf, err := s.FamilyFacts(ctx, county, parents)
	if err != nil {
		return nil, err
	}
	ref := strconv.FormatInt(child, 10)
	g := &registry.Family{}
	for _, t := range pf.Children {
		if t.Child == ref {
			g.Children = append(g.Children, t)
			if p := pf.Person(t.Parent); p != nil && g.Person(p.Ref) == nil {
				q := *p
				q.Hukou = nil
				g.Persons = append(g.Persons, q)
			}
		}
	}
	Merge(f, g)
	return f, nil
}

// activeRecipient returns the child's row of the subsidy's roll that is
// not exited, or nil.
func activeRecipient(ctx context.Context, s Store, county string, child int64) (*roll.Recipient, error) {
	rows, err := s.RecipientsOf(ctx, county, []int64{child})
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if rows[i].Program == policy.ProgramChildcareSubsidy && rows[i].Status != roll.StatusExited {
			return &rows[i], nil
		}
	}
	return nil, nil
}

// loadClaim reads claim k for a step and checks the version read.
func loadClaim(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int) (*Claim, error) {
	c, err := s.Claim(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != c.Version {
		return nil, apperr.Conflictf("该申请已被他人处理，请刷新后重试", "the claim was changed by someone else; reload and try again")
	}
	return c, nil
}

// Check records the township's check (初审) of claim id of county: approve
// passes it to the county, or else it is rejected with note as the
// reason. The one who took the application cannot check it (四权分离).
func Check(ctx context.Context, s Store, eng Engine, a auth.Actor, county string, id int64, version int, approve bool, note string) (*Claim, error) {
	if err := auth.Require(a, auth.PermCaseReview); err != nil {
		return nil, err
	}
	c, err := loadClaim(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if c.Status != ClaimSubmitted {
		return nil, &apperr.Error{Kind: apperr.Conflict, ZH: "该申请" + ClaimStatuses.Chinese(c.Status) + "，不能初审",
			EN: "the claim is " + ClaimStatuses.Name(c.Status, "en") + ": it cannot be checked"}
	}
	if c.TakenBy != 0 && c.TakenBy == a.UserID {
		return nil, apperr.Forbiddenf("受理人不能初审本人受理的申请", "the one who took the application cannot check it")
	}
	note, err = reason(note, approve)
	if err != nil {
		return nil, err
	}
	if c.Engine, err = Decide(ctx, s, eng, c.County, c.Child, c.Year); err != nil {
		return nil, err
	}
	before := *c
	c.Checked, c.CheckedBy, c.CheckedName, c.CheckNote = today(s), a.UserID, signer(a), note
	c.Status = ClaimChecked
	if !approve {
		c.Status = ClaimRejected
	}
	if err := saveClaim(ctx, s, c); err != nil {
		return nil, err
	}
	return c, s.Audit(ctx, claimEntry(a, "subsidy.check", c, &before))
}

// Confirm records the county's confirmation (审核确认) of claim id of
// county. Approving needs the engine to find the year payable now; it
// puts the child on the roll from the year claimed (a child who once left
// it re-enters on their row). The roll row's confirmation day is the day
// the claim was filed, or the last day of the year claimed when it was
// filed in the year after (a first claim for the birth year), so that the
// payment cycles pay the year claimed. Rejecting needs the reason. The
// township's checker cannot confirm (四权分离).
func Confirm(ctx context.Context, s Store, eng Engine, a auth.Actor, county string, id int64, version int, approve bool, note string) (*Claim, error) {
	if err := auth.Require(a, auth.PermCaseApprove); err != nil {
		return nil, err
	}
	c, err := loadClaim(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if c.Status != ClaimChecked {
		return nil, &apperr.Error{Kind: apperr.Conflict, ZH: "该申请" + ClaimStatuses.Chinese(c.Status) + "，不能审核确认",
			EN: "the claim is " + ClaimStatuses.Name(c.Status, "en") + ": it cannot be confirmed"}
	}
	if c.CheckedBy == a.UserID || (c.TakenBy != 0 && c.TakenBy == a.UserID) {
		return nil, apperr.Forbiddenf("同一人不能既受理或初审又审核确认", "the one who took or checked a claim cannot confirm it")
	}
	note, err = reason(note, approve)
	if err != nil {
		return nil, err
	}
	if c.Engine, err = Decide(ctx, s, eng, c.County, c.Child, c.Year); err != nil {
		return nil, err
	}
	if approve && !c.Engine.Eligible {
		return nil, &apperr.Error{Kind: apperr.Conflict,
			ZH: "按现行政策该婴幼儿" + strconv.Itoa(c.Year) + "年不能领取育儿补贴（" + strings.Join(c.Engine.Failed(), "；") + "），只能不予确认",
			EN: "the child can no longer receive the subsidy for " + strconv.Itoa(c.Year) + " (" + strings.Join(c.Engine.Failed(), "; ") + "): reject the claim"}
	}
	before := *c
	c.Decided, c.DecidedBy, c.DecidedName, c.DecideNote = today(s), a.UserID, signer(a), note
	c.Status = ClaimRejected
	if approve {
		c.Status = ClaimApproved
		if err := enrol(ctx, s, a, c); err != nil {
			return nil, err
		}
	}
	if err := saveClaim(ctx, s, c); err != nil {
		return nil, err
	}
	return c, s.Audit(ctx, claimEntry(a, "subsidy.confirm", c, &before))
}

// enrol puts c's child on the subsidy's roll.
func enrol(ctx context.Context, s Store, a auth.Actor, c *Claim) error {
	confirmed := c.Filed
	if end := date.Of(c.Year, 12, 31); confirmed.After(end) {
		confirmed = end
	}
	rows, err := s.RecipientsOf(ctx, c.County, []int64{c.Child})
	if err != nil {
		return err
	}
	for i := range rows {
		r := &rows[i]
		if r.Program != policy.ProgramChildcareSubsidy {
			continue
		}
		if r.Status != roll.StatusExited {
			return apperr.Conflictf("该婴幼儿已在育儿补贴发放名册中", "the child is on the subsidy's roll already")
		}
		before := *r
		r.Region, r.CaseID, r.Confirmed, r.StartYear, r.StartMonth = c.Region, 0, confirmed, c.Year, 1
		r.Status, r.ExitReason, r.ExitDate, r.LastMonth, r.ReviewedYear = roll.StatusActive, "", date.Date{}, 0, 0
		if err := roll.Save(ctx, s, r); err != nil {
			return err
		}
		c.RecipientID = r.ID
		_, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeReentry, date.Of(c.Year, 1, 1),
			"育儿补贴申领审核确认（申请 "+strconv.FormatInt(c.ID, 10)+"）", "")
		return err
	}
	id, err := s.NextIDs(ctx, "recipient", 1)
	if err != nil {
		return err
	}
	at := s.Now()
	r := &roll.Recipient{County: c.County, ID: id, PersonID: c.Child, Program: policy.ProgramChildcareSubsidy, Region: c.Region,
		Confirmed: confirmed, StartYear: c.Year, StartMonth: 1, Status: roll.StatusActive, Version: 1, CreatedAt: at, UpdatedAt: at}
	if err := s.InsertRecipient(ctx, r); err != nil {
		return err
	}
	c.RecipientID = r.ID
	return s.Audit(ctx, audit.Entry{County: r.County, UserID: a.UserID, Username: a.Username, Action: "recipient.create",
		Entity: "recipient", EntityID: strconv.FormatInt(r.ID, 10), Region: r.Region, After: audit.JSON(r)})
}

// Withdraw withdraws claim id of county before the county confirms it:
// the citizen who applied, or staff who take applications.
func Withdraw(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int) (*Claim, error) {
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfApply); err != nil {
			return nil, err
		}
		scope = ""
	} else if err := auth.Require(a, auth.PermCaseApply); err != nil {
		return nil, err
	}
	c, err := s.Claim(ctx, scope, county, id)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.RoleCitizen && !(a.PersonCounty == c.County && a.PersonID == c.Applicant) {
		return nil, errClaimNotFound
	}
	if version != 0 && version != c.Version {
		return nil, apperr.Conflictf("该申请已被他人处理，请刷新后重试", "the claim was changed by someone else; reload and try again")
	}
	if c.Status != ClaimSubmitted && c.Status != ClaimChecked {
		return nil, &apperr.Error{Kind: apperr.Conflict, ZH: "该申请" + ClaimStatuses.Chinese(c.Status) + "，不能撤回",
			EN: "the claim is " + ClaimStatuses.Name(c.Status, "en") + ": it cannot be withdrawn"}
	}
	before := *c
	c.Status = ClaimWithdrawn
	if err := saveClaim(ctx, s, c); err != nil {
		return nil, err
	}
	return c, s.Audit(ctx, claimEntry(a, "subsidy.withdraw", c, &before))
}

var errClaimNotFound = apperr.NotFoundf("未找到该申请，或不在您的管辖范围内", "no such claim in your scope")

// GetClaim returns claim id of county: staff who read cases, within their
// scope; a citizen, the claims they made.
func GetClaim(ctx context.Context, s Store, a auth.Actor, county string, id int64) (*Claim, error) {
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfService); err != nil {
			return nil, err
		}
		scope = ""
	} else if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, err
	}
	c, err := s.Claim(ctx, scope, county, id)
	if err != nil {
		return nil, err
	}
	if a.Role == auth.RoleCitizen && !(a.PersonCounty == c.County && a.PersonID == c.Applicant) {
		return nil, errClaimNotFound
	}
	return c, nil
}

// ListClaims returns a page of the claims within the actor's scope that q
// selects, and how many it selects; a citizen lists the claims they made.
func ListClaims(ctx context.Context, s Store, a auth.Actor, county string, q ClaimQuery) ([]Claim, int, error) {
	scope := a.Scope
	if a.Role == auth.RoleCitizen {
		if err := auth.Require(a, auth.PermSelfService); err != nil {
			return nil, 0, err
		}
		if a.PersonID == 0 {
			return nil, 0, nil
		}
		scope, county, q.Applicant = "", a.PersonCounty, a.PersonID
	} else if err := auth.Require(a, auth.PermCaseRead); err != nil {
		return nil, 0, err
	}
	if q.Region != "" {
		c, err := region.ParseCode(q.Region)
		if err != nil {
			return nil, 0, apperr.Invalidf("region", "区划代码%q无效", "region %q is not a division code", q.Region)
		}
		if a.Role != auth.RoleCitizen {
			if err := a.CheckScope(c); err != nil {
				return nil, 0, err
			}
		}
	}
	if q.Status != "" && !ClaimStatuses.Has(q.Status) {
		return nil, 0, apperr.OneOf("status", q.Status, ClaimStatuses.Codes())
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	cs, err := s.Claims(ctx, scope, county, q)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.CountClaims(ctx, scope, county, q)
	return cs, n, err
}

// reason checks a step's note: a rejection needs one of at least 5
// characters.
func reason(note string, approve bool) (string, error) {
	note = strings.TrimSpace(note)
	if !approve && len([]rune(note)) < 5 {
		return "", apperr.Invalidf("note", "不予确认须写明理由（至少5个字）", "a rejection needs its reason (at least 5 characters)")
	}
	if e := textcheck.Check("note", note, textcheck.Para, MaxNote); e != nil {
		return "", e
	}
	return note, nil
}

func signer(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

func saveClaim(ctx context.Context, s Store, c *Claim) error {
	c.Version++
	c.UpdatedAt = s.Now()
	return s.UpdateClaim(ctx, c)
}

// claimEntry is the audit entry of action on c (before is c as it was).
func claimEntry(a auth.Actor, action string, c *Claim, before *Claim) audit.Entry {
	e := audit.Entry{County: c.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "subsidy_claim",
		EntityID: strconv.FormatInt(c.ID, 10), Region: c.Region, After: audit.JSON(claimSummary(c))}
	if before != nil {
		e.Before = audit.JSON(claimSummary(before))
	}
	return e
}

func claimSummary(c *Claim) map[string]any {
	m := map[string]any{"child": c.Child, "applicant": c.Applicant, "relation": c.Relation, "year": c.Year, "status": c.Status,
		"channel": c.Channel}
	if c.Engine != nil {
		m["engine"] = map[string]any{"status": c.Engine.Status, "amount_fen": c.Engine.AmountFen, "months": c.Engine.Months}
	}
	if c.CheckNote != "" {
		m["check_note"] = c.CheckNote
	}
	if c.DecideNote != "" {
		m["decide_note"] = c.DecideNote
	}
	if c.RecipientID != 0 {
		m["recipient"] = c.RecipientID
	}
	return m
}
