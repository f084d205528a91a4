package stats

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/term"
)

// The report's approval, as DHIS2 approves data (docs/statistics.md): the
// region's own level submits its month; the level directly above approves
// it, which locks it, or returns it with a reason; a locked month is
// unlocked only by the level above, with a reason. Submitting freezes the
// figures as a snapshot: what the level above approves is what was
// submitted, and a locked month reads its snapshot whatever records come
// later. Every step is audited.

// Statuses of a month's report.
const (
	StatusOpen      = "open"      // live figures; nothing submitted (or unlocked)
	StatusSubmitted = "submitted" // frozen, waiting for the level above
	StatusApproved  = "approved"  // approved by the level above: locked
	StatusReturned  = "returned"  // returned with a reason: live again
)

// Statuses names the statuses.
var Statuses = term.List{
	{Code: StatusOpen, ZH: "未上报", EN: "Not submitted"},
	{Code: StatusSubmitted, ZH: "已上报待审核", EN: "Submitted"},
	{Code: StatusApproved, ZH: "已审核锁定", EN: "Approved and locked"},
	{Code: StatusReturned, ZH: "被退回", EN: "Returned"},
}

// Frozen reports whether a report in status s reads its snapshot.
func Frozen(s string) bool { return s == StatusSubmitted || s == StatusApproved }

// Approval is the state of one region's report of one month.
type Approval struct {
	County   string  `json:"-"`
	Region   string  `json:"region"`
	Month    string  `json:"month"`
	Status   string  `json:"status"`
	Version  int     `json:"version"`
	Snapshot *Report `json:"-"`
	// SubmittedBy and DecidedBy are the users of the last submission and
	// the last decision (approval, return or unlock), with their names;
	// Note is the reason of the last return or unlock.
	SubmittedBy   int64     `json:"submitted_by,omitempty"`
	SubmittedName string    `json:"submitted_name,omitempty"`
	SubmittedAt   time.Time `json:"submitted_at,omitzero"`
	DecidedBy     int64     `json:"decided_by,omitempty"`
	DecidedName   string    `json:"decided_name,omitempty"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
	Note          string    `json:"note,omitempty"`
}

// Store is what the statistics read and write.
type Store interface {
	Now() time.Time
	// Facts reads the facts of the report of reg for month m: the births
	// of the rolling window ending with m, the other facts of m, and,
	// when population is set, the residents and places on m's last day.
	Facts(ctx context.Context, reg region.Code, m Month, population bool) (*Facts, error)
	// PaidPersons lists the persons within scope paid for program ("all":
	// any) between from and to.
	PaidPersons(ctx context.Context, scope region.Code, program string, from, to date.Date) ([]Ref, error)
	// ReportApproval returns the state of reg's report of month m (nil
	// when nothing was submitted yet); ReportApprovals those of the
	// regions given, for month m, and of reg for the months from..to.
	ReportApproval(ctx context.Context, reg string, m Month) (*Approval, error)
	ReportApprovals(ctx context.Context, regs []string, m Month) ([]Approval, error)
	ReportHistory(ctx context.Context, reg string, from, to Month) ([]Approval, error)
	// SaveReportApproval inserts x (version 1) or updates it from version
	// x.Version-1, refusing a stale version.
	SaveReportApproval(ctx context.Context, x *Approval) error
	// Revisions lists the revisions recorded for reg's months;
	// AddRevisions records more.
	Revisions(ctx context.Context, reg string) ([]Revision, error)
	AddRevisions(ctx context.Context, county, reg string, rs []Revision) error
	Audit(ctx context.Context, e audit.Entry) error
}

// Namer names divisions and lists their children (the division tree).
type Namer interface {
	FullName(code region.Code) string
	Children(code region.Code) []region.Division
}

// UnitsOf lists the units of reg's report: its children in the tree.
func UnitsOf(t Namer, reg region.Code) []Unit {
	var out []Unit
	for _, d := range t.Children(reg) {
		out = append(out, Unit{Code: string(d.Code), Name: d.Name})
	}
	return out
}

// countyOf is the key the approvals of reg are stored under: its first
// six digits (a county, or a city or province code of the same form).
func countyOf(reg region.Code) string {
	s := string(reg)
	if len(s) > 6 {
		s = s[:6]
	}
	return s
}

// same reports whether a and b name the same division.
func same(a, b region.Code) bool {
	pa, ok1 := a.Prefix()
	pb, ok2 := b.Prefix()
	return ok1 && ok2 && pa == pb
}

// Live computes the report of reg for m from the records, with the
// adjustments it carries from the locked months before it.
func Live(ctx context.Context, s Store, t Namer, reg region.Code, m Month) (*Report, error) {
	r, err := compute(ctx, s, t, reg, m)
	if err != nil {
		return nil, err
	}
	adj, err := pending(ctx, s, t, reg, m)
	if err != nil {
		return nil, err
	}
	r.Adjustments = adj
	return r, nil
}

// compute computes the report of reg for m from the records.
func compute(ctx context.Context, s Store, t Namer, reg region.Code, m Month) (*Report, error) {
	f, units, names, err := FactsOn(ctx, s, t, reg, m, reg.Level() >= region.County)
	if err != nil {
		return nil, err
	}
	r := Compute(reg, names.FullName(reg), m, units, f)
	r.Computed = s.Now()
	return r, nil
}

// Pending returns the changes of the frozen months right before m (those
// whose next open month is m, at most Window of them) that are not
// recorded as revisions yet: the adjustments m carries. Each such month
// is computed again.
func Pending(ctx context.Context, s Store, t Namer, reg region.Code, m Month) ([]Revision, error) {
	return pending(ctx, s, t, reg, m)
}

func pending(ctx context.Context, s Store, t Namer, reg region.Code, m Month) ([]Revision, error) {
	hist, err := s.ReportHistory(ctx, string(reg), m.Add(-Window), m.Add(-1))
	if err != nil {
		return nil, err
	}
	byMonth := map[string]*Approval{}
	for i := range hist {
		byMonth[hist[i].Month] = &hist[i]
	}
	var frozen []*Approval
	for l := m.Add(-1); !l.Before(m.Add(-Window)); l = l.Add(-1) {
		x := byMonth[l.String()]
		if x == nil || !Frozen(x.Status) || x.Snapshot == nil {
			break
		}
		frozen = append(frozen, x)
	}
	if len(frozen) == 0 {
		return nil, nil
	}
	recorded, err := s.Revisions(ctx, string(reg))
	if err != nil {
		return nil, err
	}
	var out []Revision
	for _, x := range slices.Backward(frozen) {
		l, _ := ParseMonth(x.Month)
		now, err := compute(ctx, s, t, reg, l)
		if err != nil {
			return nil, err
		}
		base := maps.Clone(x.Snapshot.Figures)
		for _, rv := range recorded {
			if rv.Month == x.Month {
				base[rv.Figure] += rv.Delta
			}
		}
		if x.Snapshot.SpecialFamilies == nil {
			// Frozen before the special families were counted: their
			// figures are new, not a late record.
			dropSpecial(now.Figures)
		}
		out = append(out, Diff(x.Month, base, now.Figures, m.String(), s.Now())...)
	}
	return out, nil
}

// Diff lists the figures that differ between was and now, as revisions of
// month found in month in, in the order of their keys.
func Diff(month string, was, now Figures, in string, at time.Time) []Revision {
	keys := map[string]bool{}
	for k := range was {
		keys[k] = true
	}
	for k := range now {
		keys[k] = true
	}
	var out []Revision
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if d := now[k] - was[k]; d != 0 {
			out = append(out, Revision{Month: month, Figure: k, Delta: d, In: in, Found: at})
		}
	}
	return out
}

// View is a month's report as a user reads it: the figures (the snapshot
// when frozen, else live), the approval, the units' approvals and whether
// the reader may submit, decide or unlock it.
type View struct {
	Report   *Report    `json:"report"`
	Approval Approval   `json:"approval"`
	Units    []Approval `json:"unit_approvals"`
	Live     bool       `json:"live"`
	// The steps the reader may take now.
	CanSubmit bool `json:"can_submit"`
	CanDecide bool `json:"can_decide"`
	CanUnlock bool `json:"can_unlock"`
}

// Get returns the report of reg for m as a reads it.
func Get(ctx context.Context, s Store, t Namer, a auth.Actor, reg region.Code, m Month) (*View, error) {
	x, err := s.ReportApproval(ctx, string(reg), m)
	if err != nil {
		return nil, err
	}
	if x == nil {
		x = &Approval{County: countyOf(reg), Region: string(reg), Month: m.String(), Status: StatusOpen}
	}
	v := &View{Approval: *x}
	if Frozen(x.Status) && x.Snapshot != nil {
		v.Report = x.Snapshot
	} else {
		// The adjustments from the locked months before are not looked
		// for here: each locked month would be computed again (Pending
		// does, and Submit records them).
		if v.Report, err = compute(ctx, s, t, reg, m); err != nil {
			return nil, err
		}
		v.Live = true
	}
	units := UnitsOf(t, reg)
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	if v.Units, err = s.ReportApprovals(ctx, codes, m); err != nil {
		return nil, err
	}
	v.CanSubmit = mayReport(a, reg) && !Frozen(x.Status)
	v.CanDecide = mayDecide(a, reg) && x.Status == StatusSubmitted
	v.CanUnlock = mayDecide(a, reg) && x.Status == StatusApproved
	return v, nil
}

// mayReport reports whether a reports for reg: reg is a's own region.
func mayReport(a auth.Actor, reg region.Code) bool {
	return auth.Can(a, auth.PermReportApprove) && same(a.Scope, reg)
}

// mayDecide reports whether a decides on reg's report: a's region is the
// one directly above reg.
func mayDecide(a auth.Actor, reg region.Code) bool {
	p := reg.Parent()
	return auth.Can(a, auth.PermReportApprove) && p != "" && same(a.Scope, p)
}

// Step is a step of a report's approval.
type Step struct {
	Region  region.Code
	Month   Month
	Version int    // the version read (0 for a month never submitted)
	Reason  string // a return's or an unlock's reason
}

// MaxReason is the longest reason of a return or an unlock, in runes.
const MaxReason = 500

// Submit submits reg's report of m for the level above: the figures are
// computed now and frozen, and the changes found in the locked months
// before it are recorded as revisions carried by this month. A month is
// submitted by its own region's level, and not while a unit's report
// waits for this level's decision.
func Submit(ctx context.Context, s Store, t Namer, a auth.Actor, st Step) (*Approval, error) {
	if err := auth.Require(a, auth.PermReportApprove); err != nil {
		return nil, err
	}
	if !same(a.Scope, st.Region) {
		return nil, apperr.Forbiddenf("月报由本级上报：只能上报本辖区的月报", "a region's own level submits its report")
	}
	if !st.Month.Before(MonthOf(date.Today(s.Now()))) {
		return nil, apperr.Invalidf("month", "月份未结束，不能上报", "the month is not over yet")
	}
	x, err := load(ctx, s, st)
	if err != nil {
		return nil, err
	}
	if Frozen(x.Status) {
		return nil, apperr.Conflictf("该月报已上报或已锁定", "the report is submitted or locked already")
	}
	units := UnitsOf(t, st.Region)
	codes := make([]string, len(units))
	for i, u := range units {
		codes[i] = u.Code
	}
	us, err := s.ReportApprovals(ctx, codes, st.Month)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if u.Status == StatusSubmitted {
			return nil, apperr.Conflictf("%s的月报等待本级审核，审核后才能上报", "the report of %s waits for this level's decision",
				t.FullName(region.Code(u.Region)))
		}
	}
	r, err := Live(ctx, s, t, st.Region, st.Month)
	if err != nil {
		return nil, err
	}
	if len(r.Adjustments) > 0 {
		if err := s.AddRevisions(ctx, x.County, x.Region, r.Adjustments); err != nil {
			return nil, err
		}
	}
	before := x.Status
	x.Status, x.Snapshot, x.Note = StatusSubmitted, r, ""
	x.SubmittedBy, x.SubmittedName, x.SubmittedAt = a.UserID, name(a), s.Now()
	return x, save(ctx, s, a, x, "report.submit", before, len(r.Adjustments))
}

// Approve approves a submitted report: it is locked.
func Approve(ctx context.Context, s Store, a auth.Actor, st Step) (*Approval, error) {
	return decide(ctx, s, a, st, StatusSubmitted, StatusApproved, "report.approve", false)
}

// Return returns a submitted report to its region with a reason: its
// figures are live again until it is submitted anew.
func Return(ctx context.Context, s Store, a auth.Actor, st Step) (*Approval, error) {
	return decide(ctx, s, a, st, StatusSubmitted, StatusReturned, "report.return", true)
}

// Unlock reopens a locked report, with a reason: its figures are live
// again until it is submitted anew.
func Unlock(ctx context.Context, s Store, a auth.Actor, st Step) (*Approval, error) {
	return decide(ctx, s, a, st, StatusApproved, StatusOpen, "report.unlock", true)
}

func decide(ctx context.Context, s Store, a auth.Actor, st Step, from, to, action string, reason bool) (*Approval, error) {
	if err := auth.Require(a, auth.PermReportApprove); err != nil {
		return nil, err
	}
	if !mayDecide(a, st.Region) {
		return nil, apperr.Forbiddenf("月报由上一级审核、退回或解锁", "the level directly above decides on a report")
	}
	st.Reason = strings.TrimSpace(st.Reason)
	if reason && st.Reason == "" {
		return nil, apperr.Invalidf("reason", "请填写原因", "a reason is required")
	}
	if len([]rune(st.Reason)) > MaxReason {
		return nil, apperr.Invalidf("reason", "原因过长（最多500字）", "the reason is too long (500 characters at most)")
	}
	x, err := load(ctx, s, st)
	if err != nil {
		return nil, err
	}
	if x.Status != from {
		if from == StatusApproved {
			return nil, apperr.Conflictf("该月报未锁定", "the report is not locked")
		}
		return nil, apperr.Conflictf("该月报未上报，不能审核", "the report is not submitted")
	}
	before := x.Status
	x.Status, x.Note = to, st.Reason
	x.DecidedBy, x.DecidedName, x.DecidedAt = a.UserID, name(a), s.Now()
	if to != StatusApproved {
		// Live again: the snapshot that was submitted is kept in the
		// audit trail's entry of the submission, not here.
		x.Snapshot = nil
	}
	return x, save(ctx, s, a, x, action, before, 0)
}

// load reads the approval st acts on, checking the version read.
func load(ctx context.Context, s Store, st Step) (*Approval, error) {
	x, err := s.ReportApproval(ctx, string(st.Region), st.Month)
	if err != nil {
		return nil, err
	}
	if x == nil {
		x = &Approval{County: countyOf(st.Region), Region: string(st.Region), Month: st.Month.String(), Status: StatusOpen}
	}
	if x.Version != st.Version {
		return nil, apperr.Conflictf("月报已被他人处理，请刷新后重试", "the report was changed meanwhile: reload it")
	}
	return x, nil
}

func save(ctx context.Context, s Store, a auth.Actor, x *Approval, action, before string, revisions int) error {
	x.Version++
	if err := s.SaveReportApproval(ctx, x); err != nil {
		return err
	}
	after := map[string]any{"status": x.Status, "month": x.Month, "version": x.Version}
	if x.Note != "" {
		after["reason"] = x.Note
	}
	if x.Snapshot != nil && x.Status == StatusSubmitted {
		after["figures"] = len(x.Snapshot.Figures)
		after["revisions"] = revisions
	}
	county := ""
	if region.Code(x.Region).Level() >= region.County {
		county = x.Region[:6]
	}
	return s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: action,
		Entity: "report", EntityID: x.Region + "/" + x.Month, Region: x.Region,
		Before: audit.JSON(map[string]string{"status": before}), After: audit.JSON(after)})
}

func name(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}
