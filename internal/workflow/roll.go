package workflow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Recipient is one row of the roll (名册): a person confirmed for a
// program, from a period, and whether they are still on it. Payment reads
// it: months from StartYear/StartMonth through LastMonth (when exited).
type Recipient struct {
	County     string    `json:"county"`
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	Program    string    `json:"program"`
	Tier       string    `json:"tier"`
	Region     string    `json:"region"`
	CaseID     int64     `json:"case_id,omitempty"`
	Confirmed  date.Date `json:"confirmed"`
	StartYear  int       `json:"start_year"`
	StartMonth int       `json:"start_month"`
	Status     string    `json:"status"`
	ExitReason string    `json:"exit_reason,omitempty"`
	ExitDate   date.Date `json:"exit_date,omitempty"`
	// LastMonth is the last month paid after an exit, as year*12+month-1
	// (date.Date.MonthIndex); 0 while the recipient has not exited.
	LastMonth    int       `json:"last_month,omitempty"`
	ReviewedYear int       `json:"reviewed_year,omitempty"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Statuses of a recipient.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended" // payment held while an objection is checked or a decision needs review
	StatusExited    = "exited"
)

// StartIndex returns the first month paid as year*12+month-1.
func (r *Recipient) StartIndex() int { return r.StartYear*12 + r.StartMonth - 1 }

// PaidThrough returns the last month paid as "YYYY-MM", or "" while the
// recipient is on the roll.
func (r *Recipient) PaidThrough() string {
	if r.Status != StatusExited {
		return ""
	}
	if r.LastMonth < r.StartIndex() {
		return "—"
	}
	return monthString(r.LastMonth)
}

func monthString(idx int) string { return fmt.Sprintf("%04d-%02d", idx/12, idx%12+1) }

// firstOfMonth returns the first day of month index idx.
func firstOfMonth(idx int) date.Date { return date.Of(idx/12, time.Month(idx%12+1), 1) }

// Change is a change record (变更) of a recipient: what changed, from when,
// why, on what evidence and by whom.
type Change struct {
	County      string    `json:"county"`
	ID          int64     `json:"id"`
	RecipientID int64     `json:"recipient_id"`
	Kind        string    `json:"kind"` // exit, tier, switch, suspend, resume, reentry
	Before      string    `json:"before"`
	After       string    `json:"after"`
	Effective   date.Date `json:"effective"`
	Reason      string    `json:"reason"`
	Evidence    string    `json:"evidence,omitempty"`
	UserID      int64     `json:"user_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// Kinds of change.
const (
	ChangeExit    = "exit"
	ChangeTier    = "tier"
	ChangeSwitch  = "switch"
	ChangeSuspend = "suspend"
	ChangeResume  = "resume"
	ChangeReentry = "reentry"
)

// recordChange writes a change record of r and audits it with r's state
// before and after.
func recordChange(ctx context.Context, s Store, a auth.Actor, before, after *Recipient, kind string, effective date.Date, reason, evidence string) (*Change, error) {
	id, err := s.NextIDs(ctx, "recipient_change", 1)
	if err != nil {
		return nil, err
	}
	ch := &Change{County: after.County, ID: id, RecipientID: after.ID, Kind: kind, Before: rollState(before),
		After: rollState(after), Effective: effective, Reason: reason, Evidence: evidence, UserID: a.UserID, CreatedAt: s.Now()}
	if err := s.InsertChange(ctx, ch); err != nil {
		return nil, err
	}
	var b any
	if before != nil {
		b = before
	}
	return ch, s.Audit(ctx, audit.Entry{County: after.County, UserID: a.UserID, Username: a.Username, Action: "recipient." + kind,
		Entity: "recipient", EntityID: strconv.FormatInt(after.ID, 10), Region: after.Region,
		Before: audit.JSON(b), After: audit.JSON(map[string]any{"recipient": after, "effective": effective, "reason": reason})})
}

// rollState summarises a recipient for a change record.
func rollState(r *Recipient) string {
	if r == nil {
		return ""
	}
	s := r.Program + "/" + r.Status
	if r.Tier != "" {
		s += "/" + r.Tier
	}
	if r.LastMonth != 0 && r.Status == StatusExited {
		s += "/to " + r.PaidThrough()
	}
	return s
}

// save writes r over its stored version.
func save(ctx context.Context, s Store, r *Recipient) error {
	r.Version++
	r.UpdatedAt = s.Now()
	return s.UpdateRecipient(ctx, r)
}

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
	tier := Tier(c.Program, fam, ref(c.PersonID), confirmed)
	for i := range rows {
		r := &rows[i]
		if r.Program != c.Program {
			continue
		}
		if r.Status != StatusExited {
			return apperr.Conflictf("申请人已在该项目名册中", "the applicant is already on the roll of this program")
		}
		before := *r
		r.Tier, r.Region, r.CaseID, r.Confirmed, r.StartYear, r.StartMonth = tier, c.Region, c.ID, confirmed, sy, sm
		r.Status, r.ExitReason, r.ExitDate, r.LastMonth, r.ReviewedYear = StatusActive, "", date.Date{}, 0, 0
		if err := save(ctx, s, r); err != nil {
			return err
		}
		c.RecipientID = r.ID
		_, err := recordChange(ctx, s, a, &before, r, ChangeReentry, firstOfMonth(r.StartIndex()), "重新确认资格（案件 "+c.Ref()+"）", "")
		return err
	}
	id, err := s.NextIDs(ctx, "recipient", 1)
	if err != nil {
		return err
	}
	now := s.Now()
	r := &Recipient{County: c.County, ID: id, PersonID: c.PersonID, Program: c.Program, Tier: tier, Region: c.Region, CaseID: c.ID,
		Confirmed: confirmed, StartYear: sy, StartMonth: sm, Status: StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
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
	if err != nil || r.Status != StatusActive {
		return err
	}
	before := *r
	r.Status = StatusSuspended
	if err := save(ctx, s, r); err != nil {
		return err
	}
	_, err = recordChange(ctx, s, a, &before, r, ChangeSuspend, o.Received, "县级公布期间收到异议，暂停发放待核查", "")
	return err
}

// reviewPrefix begins the reason of a suspension for review.
const reviewPrefix = "需人工审核，暂停发放："

// holdForReview suspends r because the engine's decision needs review.
func holdForReview(ctx context.Context, s Store, a auth.Actor, r *Recipient, ev Event, reason, evidence string) ([]Change, error) {
	if r.Status == StatusSuspended {
		return nil, nil
	}
	before := *r
	r.Status = StatusSuspended
	if err := save(ctx, s, r); err != nil {
		return nil, err
	}
	ch, err := recordChange(ctx, s, a, &before, r, ChangeSuspend, firstOfMonth(ev.Date.MonthIndex()+1), reason, evidence)
	if err != nil {
		return nil, err
	}
	return []Change{*ch}, nil
}

// heldForReview reports whether r's latest suspension was for review (and
// not, say, for an objection, which only its resolution lifts).
func heldForReview(ctx context.Context, s Store, r *Recipient) (bool, error) {
	chs, err := s.Changes(ctx, r.County, []int64{r.ID})
	if err != nil {
		return false, err
	}
	for i := len(chs) - 1; i >= 0; i-- {
		if chs[i].Kind == ChangeSuspend {
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
	if err != nil || r.Status != StatusSuspended {
		return err
	}
	before := *r
	r.Status = StatusActive
	if err := save(ctx, s, r); err != nil {
		return err
	}
	_, err = recordChange(ctx, s, a, &before, r, ChangeResume, today(s), "异议不成立，恢复发放", "")
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
	if err != nil || r.Status == StatusExited {
		return err
	}
	before := *r
	r.Status, r.ExitReason, r.ExitDate, r.LastMonth = StatusExited, "objection_upheld", today(s), r.StartIndex()-1
	if err := save(ctx, s, r); err != nil {
		return err
	}
	_, err = recordChange(ctx, s, a, &before, r, ChangeExit, firstOfMonth(r.StartIndex()), "县级公布异议成立："+res.Note, o.Content)
	return err
}

// Tier returns the tier of a recipient of program on day d, as the roll
// records it: the complication grade ("g1"–"g3") for tf_complication, the
// disability grade of the surviving child ("grade1"–"grade4") for
// tf_disability, and "" for programs without tiers. Amounts always come
// from the policy engine; the tier on the roll shows what a re-assessment
// changed.
func Tier(program string, f *registry.Family, person string, d date.Date) string {
	inForce := func(from, to date.Date) bool {
		return !from.After(d) && (to.IsZero() || !to.Before(d))
	}
	switch program {
	case "tf_complication":
		var latest registry.Complication
		for _, c := range f.Complications {
			if c.Person == person && inForce(c.From, c.To) && !c.From.Before(latest.From) {
				latest = c
			}
		}
		if latest.Grade >= 1 && latest.Grade <= 3 {
			return "g" + strconv.Itoa(latest.Grade)
		}
	case "tf_disability":
		best := 0
		for _, t := range f.Children {
			if t.Parent != person || t.Kind == registry.Step {
				continue
			}
			child := f.Person(t.Child)
			if child == nil || !child.AliveOn(d) {
				continue
			}
			var latest registry.Disability
			for _, x := range f.Disabilities {
				if x.Person == t.Child && inForce(x.From, x.To) && !x.From.Before(latest.From) {
					latest = x
				}
			}
			if latest.Grade > 0 && (best == 0 || latest.Grade < best) {
				best = latest.Grade
			}
		}
		if best > 0 {
			return "grade" + strconv.Itoa(best)
		}
	}
	return ""
}

// RollEntry is a row of the roll as lists show it: the ID number masked,
// with its change records.
type RollEntry struct {
	Recipient
	Name        string   `json:"name"`
	IDNumber    string   `json:"id_number"`
	PaidThrough string   `json:"paid_through,omitempty"`
	Changes     []Change `json:"changes"`
}

// Roll lists the roll within the actor's scope: staff of the procedure,
// readers and finance (who pays from it) may read it.
func Roll(ctx context.Context, s Store, a auth.Actor, q RollQuery) ([]RollEntry, error) {
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
	switch q.Status {
	case "", StatusActive, StatusSuspended, StatusExited:
	default:
		return nil, apperr.Invalidf("status", "状态应为 active、suspended 或 exited", "status must be active, suspended or exited")
	}
	if q.Sort == "" {
		q.Sort = RollSortRegion
	}
	if err := apperr.OneOf("sort", q.Sort, RollSortKeys); err != nil {
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
	changes := map[string][]Change{}
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
	out := make([]RollEntry, 0, len(rows))
	for _, r := range rows {
		p, err := s.PersonByKey(ctx, "", registry.Key{County: r.County, ID: r.PersonID})
		if err != nil {
			return nil, err
		}
		chs := changes[r.County+"/"+strconv.FormatInt(r.ID, 10)]
		if chs == nil {
			chs = []Change{}
		}
		out = append(out, RollEntry{Recipient: r, Name: p.Name, IDNumber: maskID(p.IDNumber), PaidThrough: r.PaidThrough(), Changes: chs})
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

// Event kinds (rules.md §2.5).
var eventKinds = map[string]string{
	"death":        "死亡",
	"birth":        "生育",
	"adoption":     "收养",
	"hukou":        "户籍变动",
	"disability":   "残疾等级重新评定",
	"complication": "并发症重新鉴定",
	"marriage":     "婚姻变动",
	"other":        "其他信息变更",
}

// EventResult is what an event changed on the roll, which recipients it
// left as they were, and which programs it may have opened to someone.
type EventResult struct {
	Person     int64       `json:"person_id"`
	Event      Event       `json:"event"`
	Changes    []Change    `json:"changes"`
	Unchanged  []int64     `json:"unchanged"`
	Candidates []Candidate `json:"candidates"`
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

// switches are the programs a recipient moves to without a new
// application when an event ends the old one: a disabled only child who
// dies moves the parents to the death tier from the next month (rules.md
// §1.10).
var switches = map[string]string{"tf_disability": "tf_death"}

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
	if _, ok := eventKinds[ev.Kind]; !ok {
		return nil, apperr.Invalidf("kind", "未知事件类型 %q", "unknown event kind %q", ev.Kind)
	}
	if err := checkForm(ev); err != nil {
		return nil, err
	}
	if ev.Kind == "death" {
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
	roll, err := s.RecipientsOf(ctx, p.County, ids)
	if err != nil {
		return nil, err
	}
	res := &EventResult{Person: p.ID, Event: ev, Changes: []Change{}, Unchanged: []int64{}, Candidates: []Candidate{}, OutOfScope: []int64{}}
	y := ev.Date.Year()
	for _, id := range ids {
		person, err := s.PersonByKey(ctx, "", registry.Key{County: p.County, ID: id})
		if err != nil {
			return nil, err
		}
		var rows []*Recipient
		for i := range roll {
			if roll[i].PersonID == id && roll[i].Status != StatusExited {
				rows = append(rows, &roll[i])
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
		for _, r := range roll {
			if r.PersonID == id && r.Status != StatusExited {
				onRoll[r.Program] = true
			}
		}
		for _, ch := range res.Changes {
			if ch.Kind == ChangeSwitch {
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
func recheck(ctx context.Context, s Store, a auth.Actor, r *Recipient, ev Event, own bool, fam *registry.Family,
	dY *policy.Decision, resN *policy.Result, y int) ([]Change, error) {
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
	kind := eventKinds[ev.Kind]
	evidence := strings.TrimSpace(ev.Evidence + " " + ev.Note)
	if dN != nil && dN.Status == policy.StatusReview {
		// The engine cannot decide (design §5): hold the payment, neither
		// exit nor keep paying, until staff decide.
		return holdForReview(ctx, s, a, r, ev, kind+"："+reviewPrefix+dN.Review, evidence)
	}
	if dN != nil && dN.Eligible && r.Status == StatusSuspended {
		if held, err := heldForReview(ctx, s, r); err != nil || held {
			if err != nil {
				return nil, err
			}
			before := *r
			r.Status = StatusActive
			if err := save(ctx, s, r); err != nil {
				return nil, err
			}
			ch, err := recordChange(ctx, s, a, &before, r, ChangeResume, ev.Date, kind+"：人工审核后符合条件，恢复发放", evidence)
			if err != nil {
				return nil, err
			}
			return []Change{*ch}, nil
		}
	}
	if last >= y*12+11 && dN != nil && dN.Eligible {
		tier := Tier(r.Program, fam, ref(r.PersonID), ev.Date)
		if tier == r.Tier {
			return nil, nil
		}
		before := *r
		r.Tier = tier
		if err := save(ctx, s, r); err != nil {
			return nil, err
		}
		ch, err := recordChange(ctx, s, a, &before, r, ChangeTier, firstOfMonth(ev.Date.MonthIndex()+1), kind+"：档次由"+tierLabel(before.Tier)+"变为"+tierLabel(tier), evidence)
		if err != nil {
			return nil, err
		}
		return []Change{*ch}, nil
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
	reason := ExitReason(failed, ev.Kind, own)
	before := *r
	r.Status, r.ExitReason, r.ExitDate, r.LastMonth = StatusExited, reason, ev.Date, last
	if err := save(ctx, s, r); err != nil {
		return nil, err
	}
	text := kind + "（" + ev.Date.String() + "）：" + ReasonText(reason)
	for _, c := range failed {
		text += "；" + c.Text
	}
	ch, err := recordChange(ctx, s, a, &before, r, ChangeExit, firstOfMonth(last+1), text, evidence)
	if err != nil {
		return nil, err
	}
	out := []Change{*ch}
	to, ok := switches[r.Program]
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
func switchTo(ctx context.Context, s Store, a auth.Actor, from *Recipient, to string, fam *registry.Family, start int, ev Event, evidence string) (*Change, error) {
	rows, err := s.RecipientsOf(ctx, from.County, []int64{from.PersonID})
	if err != nil {
		return nil, err
	}
	first := firstOfMonth(start)
	reason := fmt.Sprintf("%s（%s）：由%s转为%s，自%s起", eventKinds[ev.Kind], ev.Date, ProgramName(from.Program), ProgramName(to), monthString(start))
	for i := range rows {
		r := &rows[i]
		if r.Program != to {
			continue
		}
		if r.Status != StatusExited {
			return nil, nil
		}
		before := *r
		r.Tier, r.Region, r.CaseID, r.Confirmed = Tier(to, fam, ref(r.PersonID), first), from.Region, from.CaseID, today(s)
		r.StartYear, r.StartMonth = start/12, start%12+1
		r.Status, r.ExitReason, r.ExitDate, r.LastMonth, r.ReviewedYear = StatusActive, "", date.Date{}, 0, 0
		if err := save(ctx, s, r); err != nil {
			return nil, err
		}
		return recordChange(ctx, s, a, &before, r, ChangeSwitch, first, reason, evidence)
	}
	id, err := s.NextIDs(ctx, "recipient", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	r := &Recipient{County: from.County, ID: id, PersonID: from.PersonID, Program: to, Tier: Tier(to, fam, ref(from.PersonID), first),
		Region: from.Region, CaseID: from.CaseID, Confirmed: today(s), StartYear: start / 12, StartMonth: start%12 + 1,
		Status: StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := s.InsertRecipient(ctx, r); err != nil {
		return nil, err
	}
	return recordChange(ctx, s, a, nil, r, ChangeSwitch, first, reason, evidence)
}

// exitReasons maps the clause of the engine that fails after an event to
// the reason the roll records, most telling first.
var exitReasons = []struct{ clause, reason string }{
	{"alive", "died"},
	{"in_county", "moved_out"},
	{"hukou", "hukou_changed"},
	{"no_later_child", "child_added"},
	{"children", "children_changed"},
	{"child", "children_changed"},
	{"girls", "children_changed"},
	{"adoption", "child_added"},
	{"complication", "recovered"},
	{"certificate", "certificate_cancelled"},
	{"compliance", "policy_violation"},
	{"exclusive", "other_program"},
}

var exitReasonNames = map[string][2]string{
	"died":                  {"本人死亡", "the recipient died"},
	"moved_out":             {"户籍迁出本县", "hukou moved out of the county"},
	"hukou_changed":         {"户籍性质变更", "hukou type changed"},
	"child_added":           {"再生育或收养子女", "a child was born or adopted"},
	"children_changed":      {"子女情况变化", "the children's situation changed"},
	"recovered":             {"已康复或等级不再符合", "recovered, or the grade no longer qualifies"},
	"certificate_cancelled": {"独生子女证注销", "the one-child certificate was cancelled"},
	"policy_violation":      {"有政策外生育", "an out-of-policy birth"},
	"other_program":         {"已享受互斥项目", "receives an exclusive program"},
	"objection_upheld":      {"公示异议成立", "an objection was upheld"},
	"no_longer_eligible":    {"不再符合条件", "no longer eligible"},
	"program_ended":         {"本地区该项目已停止", "the program is no longer in force here"},
	"needs_review":          {"需人工审核（政策测算无法确定）", "needs review: the engine cannot decide"},
}

// ExitReason picks the reason code of an exit from the clauses the engine
// finds failed after the event.
func ExitReason(failed []policy.ClauseResult, kind string, own bool) string {
	if kind == "death" && own {
		return "died"
	}
	for _, er := range exitReasons {
		for _, c := range failed {
			if c.ID == er.clause {
				return er.reason
			}
		}
	}
	return "no_longer_eligible"
}

// ReasonText returns the Chinese label of an exit or change reason code.
func ReasonText(code string) string {
	if n, ok := exitReasonNames[code]; ok {
		return n[0]
	}
	return code
}

func tierLabel(t string) string {
	if t == "" {
		return "（无）"
	}
	return t
}

// programNames are the names of the fixed programs (design §5).
var programNames = map[string]string{
	"jf":              "农村部分计划生育家庭奖励扶助",
	"tf_death":        "计划生育家庭特别扶助（独生子女死亡）",
	"tf_disability":   "计划生育家庭特别扶助（独生子女伤残）",
	"tf_complication": "计划生育手术并发症特别扶助",
	"urban_reward":    "城镇独生子女父母奖励扶助",
	"one_child_fee":   "独生子女父母奖励费",
	"retiree_award":   "企业退休职工独生子女父母一次性奖励",
}

// ProgramName returns the Chinese name of a program code.
func ProgramName(code string) string {
	if n, ok := programNames[code]; ok {
		return n
	}
	return code
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
