package workflow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
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

// startOf returns the first period paid to a person confirmed on day
// confirmed for a case of year whose engine decision pays months months:
// January of max(year, confirmation year) for annual programs, and for
// monthly ones the first month of the run of paid months that ends the
// year (design §5: no back pay before the confirmation year; the month of
// an event is paid at the old status).
func startOf(year int, confirmed date.Date, months int) (int, int) {
	y := max(year, confirmed.Year())
	if y == year && months > 0 && months < 12 {
		return y, 13 - months
	}
	return y, 1
}

// enrol puts the applicant of c on the roll after the county's approval.
// A person who once left the program re-enters on their old row.
func enrol(ctx context.Context, s Store, a auth.Actor, c *Case, fam *registry.Family) error {
	confirmed := today(s)
	sy, sm := startOf(c.Year, confirmed, c.Engine.Months)
	rows, err := s.RecipientsOf(ctx, c.County, []int64{c.PersonID})
	if err != nil {
		return err
	}
	tier := roll.Tier(c.Program, fam, ref(c.PersonID), confirmed)
	for i := range rows {
		r := &rows[i]
		if r.Program != c.Program {
			continue
		}
		if r.Status != roll.StatusExited {
			return apperr.Conflictf("申请人已在该项目名册中", "the applicant is already on the roll of this program")
		}
		before := *r
		r.Tier, r.Region, r.CaseID, r.Confirmed, r.StartYear, r.StartMonth = tier, c.Region, c.ID, confirmed, sy, sm
		r.Status, r.ExitReason, r.ExitDate, r.LastMonth, r.ReviewedYear = roll.StatusActive, "", date.Date{}, 0, 0
		if err := roll.Save(ctx, s, r); err != nil {
			return err
		}
		c.RecipientID = r.ID
		_, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeReentry, roll.FirstOfMonth(r.StartIndex()), "重新确认资格（案件 "+c.Ref()+"）", "")
		return err
	}
	id, err := s.NextIDs(ctx, "recipient", 1)
	if err != nil {
		return err
	}
	now := s.Now()
	r := &roll.Recipient{County: c.County, ID: id, PersonID: c.PersonID, Program: c.Program, Tier: tier, Region: c.Region, CaseID: c.ID,
		Confirmed: confirmed, StartYear: sy, StartMonth: sm, Status: roll.StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertRecipient(ctx, r); err != nil {
		return err
	}
	c.RecipientID = r.ID
	return s.Audit(ctx, audit.Entry{County: r.County, UserID: a.UserID, Username: a.Username, Action: "recipient.create",
		Entity: "recipient", EntityID: strconv.FormatInt(r.ID, 10), Region: r.Region, After: audit.JSON(r)})
}

// suspendRecipient holds the payment of an approved case while an
// objection to its county notice is checked.
func suspendRecipient(ctx context.Context, s Store, a auth.Actor, c *Case, o *Objection) error {
	if c.RecipientID == 0 {
		return nil
	}
	r, err := s.Recipient(ctx, "", c.County, c.RecipientID)
	if err != nil || r.Status != roll.StatusActive {
		return err
	}
	before := *r
	r.Status = roll.StatusSuspended
	if err := roll.Save(ctx, s, r); err != nil {
		return err
	}
	_, err = roll.RecordChange(ctx, s, a, &before, r, roll.ChangeSuspend, o.Received, "县级公布期间收到异议，暂停发放待核查", "")
	return err
}

// reviewPrefix begins the reason of a suspension for review.
const reviewPrefix = "需人工审核，暂停发放："

// holdForReview suspends r because the engine's decision needs review.
func holdForReview(ctx context.Context, s Store, a auth.Actor, r *roll.Recipient, ev Event, reason, evidence string) ([]roll.Change, error) {
	if r.Status == roll.StatusSuspended {
		return nil, nil
	}
	before := *r
	r.Status = roll.StatusSuspended
	if err := roll.Save(ctx, s, r); err != nil {
		return nil, err
	}
	ch, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeSuspend, roll.FirstOfMonth(ev.Date.MonthIndex()+1), reason, evidence)
	if err != nil {
		return nil, err
	}
	return []roll.Change{*ch}, nil
}

// heldForReview reports whether r's latest suspension was for review (and
// not, say, for an objection, which only its resolution lifts).
func heldForReview(ctx context.Context, s Store, r *roll.Recipient) (bool, error) {
	chs, err := s.Changes(ctx, r.County, []int64{r.ID})
	if err != nil {
		return false, err
	}
	for i := len(chs) - 1; i >= 0; i-- {
		if chs[i].Kind == roll.ChangeSuspend {
			return strings.Contains(chs[i].Reason, reviewPrefix), nil
		}
	}
	return false, nil
}

// resumeRecipient releases a recipient held by an objection.
func resumeRecipient(ctx context.Context, s Store, a auth.Actor, c *Case) error {
	if c.RecipientID == 0 {
		return nil
	}
	r, err := s.Recipient(ctx, "", c.County, c.RecipientID)
	if err != nil || r.Status != roll.StatusSuspended {
		return err
	}
	before := *r
	r.Status = roll.StatusActive
	if err := roll.Save(ctx, s, r); err != nil {
		return err
	}
	_, err = roll.RecordChange(ctx, s, a, &before, r, roll.ChangeResume, today(s), "异议不成立，恢复发放", "")
	return err
}

// exitOnObjection takes an approved person off the roll when an objection
// to the county notice is upheld: the confirmation was wrong, so nothing
// is paid (LastMonth is the month before the start).
func exitOnObjection(ctx context.Context, s Store, a auth.Actor, c *Case, o *Objection, res Resolved) error {
	if c.RecipientID == 0 {
		return nil
	}
	r, err := s.Recipient(ctx, "", c.County, c.RecipientID)
	if err != nil || r.Status == roll.StatusExited {
		return err
	}
	before := *r
	r.Status, r.ExitReason, r.ExitDate, r.LastMonth = roll.StatusExited, roll.ExitObjectionUpheld, today(s), r.StartIndex()-1
	if err := roll.Save(ctx, s, r); err != nil {
		return err
	}
	_, err = roll.RecordChange(ctx, s, a, &before, r, roll.ChangeExit, roll.FirstOfMonth(r.StartIndex()), "县级公布异议成立："+res.Note, o.Content)
	return err
}

// Roll lists the roll within the actor's scope: staff of the procedure,
// readers and finance (who pays from it) may read it.
func Roll(ctx context.Context, s Store, a auth.Actor, q roll.Query) ([]roll.Entry, error) {
	if !auth.Can(a, auth.PermCaseRead) && !auth.Can(a, auth.PermPaymentRead) {
		return nil, auth.Require(a, auth.PermCaseRead)
	}
	if q.Region != "" {
		c, err := region.ParseCode(q.Region)
		if err != nil {
			return nil, apperr.Invalidf("region", "区划代码无效", "invalid region code")
		}
		if err := a.CheckScope(c); err != nil {
			return nil, err
		}
		q.Region = string(c)
	}
	if q.Status != "" {
		if err := apperr.OneOf("status", q.Status, roll.Statuses.Codes()); err != nil {
			return nil, err
		}
	}
	if q.Sort == "" {
		q.Sort = roll.SortRegion
	}
	if err := apperr.OneOf("sort", q.Sort, roll.SortKeys); err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > 5000 {
		q.Limit = 1000
	}
	q.Offset = max(q.Offset, 0)
	rows, err := s.Roll(ctx, a.Scope, q)
	if err != nil {
		return nil, err
	}
	byCounty := map[string][]int64{}
	for _, r := range rows {
		byCounty[r.County] = append(byCounty[r.County], r.ID)
	}
	changes := map[string][]roll.Change{}
	for county, ids := range byCounty {
		chs, err := s.Changes(ctx, county, ids)
		if err != nil {
			return nil, err
		}
		for _, ch := range chs {
			k := county + "/" + strconv.FormatInt(ch.RecipientID, 10)
			changes[k] = append(changes[k], ch)
		}
	}
	out := make([]roll.Entry, 0, len(rows))
	for _, r := range rows {
		p, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: r.PersonID})
		if err != nil {
			return nil, err
		}
		chs := changes[r.County+"/"+strconv.FormatInt(r.ID, 10)]
		if chs == nil {
			chs = []roll.Change{}
		}
		out = append(out, roll.Entry{Recipient: r, Name: p.Name, IDNumber: maskID(p.IDNumber), PaidThrough: r.PaidThrough(), Changes: chs})
	}
	return out, nil
}

// Event is a registry event whose consequences for the roll ApplyEvent
// works out. The event itself must already be in the registry.
type Event struct {
	Kind     string    `json:"kind"`
	Date     date.Date `json:"date"`
	Evidence string    `json:"evidence"`
	Note     string    `json:"note,omitempty"`
}

// EventResult is what an event changed on the roll, which recipients it
// left as they were, and which programs it may have opened to someone.
type EventResult struct {
	Person     int64         `json:"person_id"`
	Event      Event         `json:"event"`
	Changes    []roll.Change `json:"changes"`
	Unchanged  []int64       `json:"unchanged"`
	Candidates []Candidate   `json:"candidates"`
	// OutOfScope lists recipients the event touches whose region lies
	// outside the actor's scope: their own township or county must apply
	// the event to them.
	OutOfScope []int64 `json:"out_of_scope"`
}

// Candidate is a person the engine finds eligible for a program they are
// not on: they may apply (for example the parents of an only child who
// died, for tf_death).
type Candidate struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Program  string `json:"program"`
	Year     int    `json:"year"`
}

// ApplyEvent re-checks with the policy engine everyone on the roll whom an
// event of person k touches — the person, their spouses, children and
// parents and those parents' spouses — and records the consequences:
//
//   - an exit when the person no longer qualifies after the event, paid
//     through the period the program's exit timing gives (design §5: jf to
//     the end of the year of the event; tf_* the month of the event at the
//     old status), which sets the recipient's last month;
//   - a switch from tf_disability to tf_death from the next month;
//   - a tier change from the month after the event;
//
// and lists the programs the event may have opened (candidates, who must
// apply). It is for staff who confirm eligibility (township and county) and
// for the system's own matching. Applying an event twice changes nothing
// the second time.
func ApplyEvent(ctx context.Context, s Store, eng Engine, a auth.Actor, k registry.Key, ev Event) (*EventResult, error) {
	if err := checkActorRole(a, auth.PermEligibility); err != nil {
		return nil, err
	}
	p, err := s.PersonByKey(ctx, a.Scope, k)
	if err != nil {
		return nil, err
	}
	if !roll.Events.Has(ev.Kind) {
		return nil, apperr.Invalidf("kind", "未知事件类型 %q", "unknown event kind %q", ev.Kind)
	}
	if err := checkForm(ev); err != nil {
		return nil, err
	}
	if ev.Kind == roll.EventDeath {
		if p.Death.IsZero() {
			return nil, apperr.Invalidf("kind", "人口库中尚未登记该人员死亡，请先登记", "the registry has no death for this person: record it first")
		}
		if ev.Date.IsZero() {
			ev.Date = p.Death
		}
	}
	now := today(s)
	if ev.Date.IsZero() || ev.Date.After(now) || ev.Date.Before(p.Birth) {
		return nil, apperr.Invalidf("date", "事件日期应在出生日期与今天之间", "the event date must lie between the birth date and today")
	}
	ids, err := touched(ctx, s, p)
	if err != nil {
		return nil, err
	}
	recipients, err := s.RecipientsOf(ctx, p.County, ids)
	if err != nil {
		return nil, err
	}
	res := &EventResult{Person: p.ID, Event: ev, Changes: []roll.Change{}, Unchanged: []int64{}, Candidates: []Candidate{}, OutOfScope: []int64{}}
	y := ev.Date.Year()
	for _, id := range ids {
		person, err := s.PersonByKey(ctx, "", registry.Key{County: p.County, ID: id})
		if err != nil {
			return nil, err
		}
		var rows []*roll.Recipient
		for i := range recipients {
			if recipients[i].PersonID == id && recipients[i].Status != roll.StatusExited {
				rows = append(rows, &recipients[i])
			}
		}
		if len(rows) == 0 && !person.Death.IsZero() {
			continue
		}
		// Evaluations see the family as the registry holds it now.
		resY, fam, err := evaluate(ctx, s, eng, auth.System, p.County, id, y)
		if err != nil {
			return nil, err
		}
		resN, _, err := evaluate(ctx, s, eng, auth.System, p.County, id, y+1)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if !a.CanSee(region.Code(r.Region)) {
				res.OutOfScope = append(res.OutOfScope, r.ID)
				continue
			}
			chs, err := recheck(ctx, s, a, r, ev, id == p.ID, fam, decisionOf(resY, id, r.Program), resN, y)
			if err != nil {
				return nil, err
			}
			if len(chs) == 0 {
				res.Unchanged = append(res.Unchanged, r.ID)
			}
			res.Changes = append(res.Changes, chs...)
		}
		onRoll := map[string]bool{}
		for _, r := range recipients {
			if r.PersonID == id && r.Status != roll.StatusExited {
				onRoll[r.Program] = true
			}
		}
		for _, ch := range res.Changes {
			if ch.Kind == roll.ChangeSwitch {
				onRoll[strings.SplitN(ch.After, "/", 2)[0]] = true
			}
		}
		for _, d := range resN.Decisions {
			if d.Eligible && d.Person == ref(id) && !onRoll[d.Program] {
				res.Candidates = append(res.Candidates, Candidate{PersonID: id, Name: person.Name, Program: d.Program, Year: y + 1})
			}
		}
	}
	return res, s.Audit(ctx, audit.Entry{County: p.County, UserID: a.UserID, Username: a.Username, Action: "roll.event",
		Entity: "person", EntityID: p.Ref(), Region: p.Region,
		After: audit.JSON(map[string]any{"event": ev, "changes": len(res.Changes), "unchanged": res.Unchanged, "candidates": res.Candidates})})
}

// touched returns the ids of the persons an event of p may touch: p, the
// family the rules read around p, p's parents and their spouses.
func touched(ctx context.Context, s Store, p *registry.Record) ([]int64, error) {
	fam, err := registry.FamilyView(ctx, s, auth.System, registry.Key{County: p.County, ID: p.ID})
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, q := range fam.Persons {
		if id, err := strconv.ParseInt(q.Ref, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	parents, err := s.Parents(ctx, p.County, p.ID)
	if err != nil {
		return nil, err
	}
	ids = append(ids, parents...)
	if len(parents) > 0 {
		rel, err := s.Relatives(ctx, p.County, parents)
		if err != nil {
			return nil, err
		}
		ids = append(ids, rel...)
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// recheck applies the event to one recipient r. dY is the engine's decision
// on r's program for the year of the event y; resN decides year y+1.
func recheck(ctx context.Context, s Store, a auth.Actor, r *roll.Recipient, ev Event, own bool, fam *registry.Family,
	dY *policy.Decision, resN *policy.Result, y int) ([]roll.Change, error) {
	if dY != nil && dY.Eligible && dY.Months == 0 {
		return nil, nil // a one-time award: nothing accrues, nothing to stop
	}
	first := y*12 + 0
	if r.StartYear == y {
		first = r.StartIndex()
	}
	last := first - 1
	if dY != nil && dY.Eligible {
		last = first + dY.Months - 1
	}
	dN := decisionOf(resN, r.PersonID, r.Program)
	kind := roll.Events.Chinese(ev.Kind)
	evidence := strings.TrimSpace(ev.Evidence + " " + ev.Note)
	if dN != nil && dN.Status == policy.StatusReview {
		// The engine cannot decide (design §5): hold the payment, neither
		// exit nor keep paying, until staff decide.
		return holdForReview(ctx, s, a, r, ev, kind+"："+reviewPrefix+dN.Review, evidence)
	}
	if dN != nil && dN.Eligible && r.Status == roll.StatusSuspended {
		if held, err := heldForReview(ctx, s, r); err != nil || held {
			if err != nil {
				return nil, err
			}
			before := *r
			r.Status = roll.StatusActive
			if err := roll.Save(ctx, s, r); err != nil {
				return nil, err
			}
			ch, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeResume, ev.Date, kind+"：人工审核后符合条件，恢复发放", evidence)
			if err != nil {
				return nil, err
			}
			return []roll.Change{*ch}, nil
		}
	}
	if last >= y*12+11 && dN != nil && dN.Eligible {
		tier := roll.Tier(r.Program, fam, ref(r.PersonID), ev.Date)
		if tier == r.Tier {
			return nil, nil
		}
		before := *r
		r.Tier = tier
		if err := roll.Save(ctx, s, r); err != nil {
			return nil, err
		}
		ch, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeTier, roll.FirstOfMonth(ev.Date.MonthIndex()+1), kind+"：档次由"+roll.TierText(before.Tier)+"变为"+roll.TierText(tier), evidence)
		if err != nil {
			return nil, err
		}
		return []roll.Change{*ch}, nil
	}
	last = min(max(last, r.StartIndex()-1), y*12+11)
	var failed []policy.ClauseResult
	if dN != nil {
		for _, c := range dN.Clauses {
			if !c.OK {
				failed = append(failed, c)
			}
		}
	}
	reason := roll.ExitReason(failed, ev.Kind, own)
	before := *r
	r.Status, r.ExitReason, r.ExitDate, r.LastMonth = roll.StatusExited, reason, ev.Date, last
	if err := roll.Save(ctx, s, r); err != nil {
		return nil, err
	}
	text := kind + "（" + ev.Date.String() + "）：" + roll.ExitReasons.Chinese(reason)
	for _, c := range failed {
		text += "；" + c.Text
	}
	ch, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeExit, roll.FirstOfMonth(last+1), text, evidence)
	if err != nil {
		return nil, err
	}
	out := []roll.Change{*ch}
	to, ok := roll.Switches[r.Program]
	if d := decisionOf(resN, r.PersonID, to); !ok || d == nil || !d.Eligible {
		return out, nil
	}
	sw, err := switchTo(ctx, s, a, r, to, fam, last+1, ev, evidence)
	if err != nil {
		return nil, err
	}
	if sw != nil {
		out = append(out, *sw)
	}
	return out, nil
}

// switchTo puts the recipient r, who has just left r.Program, on program
// to from month index start, on a new row or on their old row of it.
func switchTo(ctx context.Context, s Store, a auth.Actor, from *roll.Recipient, to string, fam *registry.Family, start int, ev Event, evidence string) (*roll.Change, error) {
	rows, err := s.RecipientsOf(ctx, from.County, []int64{from.PersonID})
	if err != nil {
		return nil, err
	}
	first := roll.FirstOfMonth(start)
	reason := fmt.Sprintf("%s（%s）：由%s转为%s，自%s起", roll.Events.Chinese(ev.Kind), ev.Date, policy.ProgramName(from.Program), policy.ProgramName(to), roll.Month(start))
	for i := range rows {
		r := &rows[i]
		if r.Program != to {
			continue
		}
		if r.Status != roll.StatusExited {
			return nil, nil
		}
		before := *r
		r.Tier, r.Region, r.CaseID, r.Confirmed = roll.Tier(to, fam, ref(r.PersonID), first), from.Region, from.CaseID, today(s)
		r.StartYear, r.StartMonth = start/12, start%12+1
		r.Status, r.ExitReason, r.ExitDate, r.LastMonth, r.ReviewedYear = roll.StatusActive, "", date.Date{}, 0, 0
		if err := roll.Save(ctx, s, r); err != nil {
			return nil, err
		}
		return roll.RecordChange(ctx, s, a, &before, r, roll.ChangeSwitch, first, reason, evidence)
	}
	id, err := s.NextIDs(ctx, "recipient", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &roll.Recipient{County: from.County, ID: id, PersonID: from.PersonID, Program: to, Tier: roll.Tier(to, fam, ref(from.PersonID), first),
		Region: from.Region, CaseID: from.CaseID, Confirmed: today(s), StartYear: start / 12, StartMonth: start%12 + 1,
		Status: roll.StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertRecipient(ctx, r); err != nil {
		return nil, err
	}
	return roll.RecordChange(ctx, s, a, nil, r, roll.ChangeSwitch, first, reason, evidence)
}

func auditParam(ctx context.Context, s Store, a auth.Actor, code region.Code, name, before, after string) error {
	county := ""
	if code.Level() == region.County {
		county = string(code)
	}
	return s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: "workflow.param",
		Entity: "workflow_param", EntityID: string(code) + "/" + name, Region: string(code),
		Before: audit.JSON(map[string]string{name: before}), After: audit.JSON(map[string]string{name: after})})
}
