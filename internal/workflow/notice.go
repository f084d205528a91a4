package workflow

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Notice is one public notice (公示) of a case at one level: where it is
// posted, from when to when, and the objections received while it ran.
type Notice struct {
	County     string      `json:"county"`
	ID         int64       `json:"id"`
	CaseID     int64       `json:"case_id"`
	Level      Level       `json:"level"`
	Region     string      `json:"region"` // the village, township or county posting it
	Place      string      `json:"place"`
	Start      date.Date   `json:"start"`
	End        date.Date   `json:"end"`
	Status     string      `json:"status"` // open or closed
	OpenedBy   Signature   `json:"opened_by"`
	ClosedBy   *Signature  `json:"closed_by,omitempty"`
	Objections []Objection `json:"objections"`
}

// Notice statuses.
const (
	NoticeOpen   = "open"
	NoticeClosed = "closed"
)

// Objection is an objection (异议) raised against a case during a notice,
// and its resolution.
type Objection struct {
	County     string     `json:"county"`
	ID         int64      `json:"id"`
	CaseID     int64      `json:"case_id"`
	NoticeID   int64      `json:"notice_id"`
	Received   date.Date  `json:"received"`
	Objector   string     `json:"objector"` // a name, or 匿名
	Contact    string     `json:"contact,omitempty"`
	Content    string     `json:"content"`
	Status     string     `json:"status"` // pending, upheld, dismissed or moot
	RecordedBy Signature  `json:"recorded_by"`
	Resolution *Resolved  `json:"resolution,omitempty"`
	ResolvedBy *Signature `json:"resolved_by,omitempty"`
}

// Objection statuses. An objection is moot when another objection to the
// same case was upheld first.
const (
	ObjectionPending   = "pending"
	ObjectionUpheld    = "upheld"
	ObjectionDismissed = "dismissed"
	ObjectionMoot      = "moot"
)

// NoticeDaysParam names the regional parameter of a notice's length in
// days; DefaultNoticeDays is its national default (rules.md §2.2 step 3).
const (
	NoticeDaysParam   = "notice_days"
	DefaultNoticeDays = 7
)

// NoticeDays returns the notice period in force for code.
func NoticeDays(ctx context.Context, s Store, code region.Code) (int, error) {
	v, err := s.Param(ctx, code, NoticeDaysParam)
	if err != nil || v == "" {
		return DefaultNoticeDays, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return DefaultNoticeDays, nil
	}
	return n, nil
}

// SetNoticeDays sets the notice period for a region (a province, city or
// county), for staff who manage rules there.
func SetNoticeDays(ctx context.Context, s Store, a auth.Actor, code region.Code, days int) error {
	if err := auth.Require(a, auth.PermRulesManage); err != nil {
		return err
	}
	if err := a.CheckScope(code); err != nil {
		return err
	}
	if code.Level() < region.Province || code.Level() > region.County {
		return apperr.Invalidf("region", "公示天数只能按省、市、县设置", "the notice period is set for a province, city or county")
	}
	if days < 5 || days > 30 {
		return apperr.Invalidf("days", "公示天数应在5至30天之间", "the notice period must be 5 to 30 days")
	}
	prefix, _ := code.Prefix()
	before, err := s.Param(ctx, code, NoticeDaysParam)
	if err != nil {
		return err
	}
	if err := s.SetParam(ctx, prefix, NoticeDaysParam, strconv.Itoa(days)); err != nil {
		return err
	}
	return auditParam(ctx, s, a, code, NoticeDaysParam, before, strconv.Itoa(days))
}

// NoticeInput opens a notice. End defaults to Start plus the regional
// notice period, and may not be earlier than that.
type NoticeInput struct {
	Start date.Date `json:"start"` // default: today
	End   date.Date `json:"end"`
	Place string    `json:"place"`
}

// OpenNotice posts the notice of the level the case has reached: the
// village notice after the village review, the township notice after the
// township's approval, the county notice after the county's.
func OpenNotice(ctx context.Context, s Store, a auth.Actor, county string, id int64, in NoticeInput) (*Case, *Notice, error) {
	c, _, err := load(ctx, s, a, county, id, StepNoticeOpen)
	if err != nil {
		return nil, nil, err
	}
	level := noticeLevel[c.State]
	if err := checkActor(a, c, []auth.Permission{levelPerm[level]}, level); err != nil {
		return nil, nil, err
	}
	now := today(s)
	if in.Start.IsZero() {
		in.Start = now
	}
	days, err := NoticeDays(ctx, s, region.Code(c.Region))
	if err != nil {
		return nil, nil, err
	}
	minEnd := in.Start.AddDays(days)
	if in.End.IsZero() {
		in.End = minEnd
	}
	var errs apperr.List
	if in.Start.Before(c.Submitted) || in.Start.After(now) {
		errs = append(errs, apperr.Invalidf("start", "公示开始日期应在申报日期 %s 与今天之间", "the notice must start between the submission (%s) and today", c.Submitted))
	}
	if in.End.Before(minEnd) {
		errs = append(errs, apperr.Invalidf("end", "公示期不得少于%d天（最早 %s 结束）", "the notice must run at least %d days (until %s)", days, minEnd))
	}
	if strings.TrimSpace(in.Place) == "" {
		errs = append(errs, apperr.Invalidf("place", "请填写公示地点", "give the place where the notice is posted"))
	}
	if err := checkForm(in); err != nil {
		errs = append(errs, err.(apperr.List)...)
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	nid, err := s.NextIDs(ctx, "notice", 1)
	if err != nil {
		return nil, nil, err
	}
	n := &Notice{County: c.County, ID: nid, CaseID: c.ID, Level: level, Region: string(c.regionOf(level)),
		Place: strings.TrimSpace(in.Place), Start: in.Start, End: in.End, Status: NoticeOpen, OpenedBy: sign(a, s.Now()),
		Objections: []Objection{}}
	if err := s.InsertNotice(ctx, n); err != nil {
		return nil, nil, err
	}
	from := c.State
	c.State = map[Level]State{LevelVillage: VillageNotice, LevelTownship: TownshipNotice, LevelCounty: CountyNotice}[level]
	return c, n, advance(ctx, s, a, c, StepNoticeOpen, from, n)
}

// findNotice returns notice nid of the case.
func findNotice(ctx context.Context, s Store, c *Case, nid int64) (*Notice, error) {
	ns, err := s.Notices(ctx, c.County, c.ID)
	if err != nil {
		return nil, err
	}
	for i := range ns {
		if ns[i].ID == nid {
			return &ns[i], nil
		}
	}
	return nil, apperr.NotFoundf("本案没有编号为 %d 的公示", "the case has no notice %d", nid)
}

// ObjectionInput records an objection.
type ObjectionInput struct {
	Received date.Date `json:"received"` // default: today
	Objector string    `json:"objector"`
	Contact  string    `json:"contact"`
	Content  string    `json:"content"`
}

// RecordObjection records an objection received during notice nid and
// suspends the case until a reviewer resolves it. Any case worker whose
// scope contains the notice's region may record it. An objection can only
// be received while the notice runs.
func RecordObjection(ctx context.Context, s Store, a auth.Actor, county string, id, nid int64, in ObjectionInput) (*Case, *Objection, error) {
	c, _, err := load(ctx, s, a, county, id, StepObjection)
	if err != nil {
		return nil, nil, err
	}
	n, err := findNotice(ctx, s, c, nid)
	if err != nil {
		return nil, nil, err
	}
	if err := checkActor(a, c, caseWorkers, n.Level); err != nil {
		return nil, nil, err
	}
	if n.Status != NoticeOpen {
		return nil, nil, apperr.Conflictf("该公示已结束，不能再受理异议", "the notice is closed: objections can no longer be received")
	}
	now := today(s)
	if in.Received.IsZero() {
		in.Received = now
	}
	if in.Received.Before(n.Start) || in.Received.After(n.End) || in.Received.After(now) {
		return nil, nil, apperr.Invalidf("received", "异议须在公示期内（%s 至 %s）收到", "an objection must be received during the notice (%s to %s)", n.Start, n.End)
	}
	if strings.TrimSpace(in.Content) == "" {
		return nil, nil, apperr.Invalidf("content", "请填写异议内容", "give the content of the objection")
	}
	if err := checkForm(in); err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(in.Objector) == "" {
		in.Objector = "匿名"
	}
	oid, err := s.NextIDs(ctx, "objection", 1)
	if err != nil {
		return nil, nil, err
	}
	o := &Objection{County: c.County, ID: oid, CaseID: c.ID, NoticeID: n.ID, Received: in.Received,
		Objector: strings.TrimSpace(in.Objector), Contact: strings.TrimSpace(in.Contact), Content: strings.TrimSpace(in.Content),
		Status: ObjectionPending, RecordedBy: sign(a, s.Now())}
	if err := s.InsertObjection(ctx, o); err != nil {
		return nil, nil, err
	}
	from := c.State
	if c.State != Suspended {
		c.SuspendedFrom = c.State
	}
	c.State = Suspended
	if err := suspendRecipient(ctx, s, a, c, o); err != nil {
		return nil, nil, err
	}
	return c, o, advance(ctx, s, a, c, StepObjection, from, o)
}

// CloseNotice ends notice nid once its period is over, and moves the case
// on: to the township review, to the county's approval, or onto the roll
// for good.
func CloseNotice(ctx context.Context, s Store, a auth.Actor, county string, id, nid int64) (*Case, error) {
	c, _, err := load(ctx, s, a, county, id, StepNoticeClose)
	if err != nil {
		return nil, err
	}
	level := noticeLevel[c.State]
	if err := checkActor(a, c, []auth.Permission{levelPerm[level]}, level); err != nil {
		return nil, err
	}
	n, err := findNotice(ctx, s, c, nid)
	if err != nil {
		return nil, err
	}
	if n.Status != NoticeOpen || n.Level != level {
		return nil, apperr.Conflictf("该公示不是本案正在进行的公示", "this is not the notice the case is under")
	}
	if now := today(s); now.Before(n.End) {
		return nil, apperr.Conflictf("公示期至 %s 结束，不能提前结束公示", "the notice runs until %s and cannot be closed before", n.End)
	}
	sig := sign(a, s.Now())
	n.Status, n.ClosedBy = NoticeClosed, &sig
	if err := s.UpdateNotice(ctx, n); err != nil {
		return nil, err
	}
	from := c.State
	c.State = map[Level]State{LevelVillage: TownshipReview, LevelTownship: CountyReview, LevelCounty: Enrolled}[level]
	return c, advance(ctx, s, a, c, StepNoticeClose, from, map[string]any{"notice": n.ID, "level": n.Level, "end": n.End})
}

// Resolved is how an objection was resolved. An upheld objection rejects
// or defers the case (Decision "reject" or "defer"); a dismissed one
// resumes it where it stood once no other objection is pending.
type Resolved struct {
	Outcome  string   `json:"outcome"`            // upheld or dismissed
	Decision string   `json:"decision,omitempty"` // reject or defer, when upheld
	Reasons  []string `json:"reasons,omitempty"`
	Note     string   `json:"note"` // the findings of the check
}

// resolverLevel is the level whose reviewer judges an objection raised at
// a notice level: the township judges objections to village notices.
var resolverLevel = map[Level]Level{LevelVillage: LevelTownship, LevelTownship: LevelTownship, LevelCounty: LevelCounty}

// ResolveObjection resolves objection oid of case id: the township
// reviewer for objections to village and township notices, the county for
// objections to the county notice. An objection upheld after the county's
// approval takes the person off the roll before anything is paid.
func ResolveObjection(ctx context.Context, s Store, a auth.Actor, county string, id, oid int64, r Resolved) (*Case, error) {
	c, _, err := load(ctx, s, a, county, id, StepResolve)
	if err != nil {
		return nil, err
	}
	ns, err := s.Notices(ctx, c.County, c.ID)
	if err != nil {
		return nil, err
	}
	var o *Objection
	var n *Notice
	for i := range ns {
		for j := range ns[i].Objections {
			if ns[i].Objections[j].ID == oid {
				n, o = &ns[i], &ns[i].Objections[j]
			}
		}
	}
	if o == nil {
		return nil, apperr.NotFoundf("本案没有编号为 %d 的异议", "the case has no objection %d", oid)
	}
	rl := resolverLevel[n.Level]
	if err := checkActor(a, c, []auth.Permission{resolverPerm[n.Level]}, rl); err != nil {
		return nil, err
	}
	if o.Status != ObjectionPending {
		return nil, apperr.Conflictf("该异议已处理", "the objection has already been resolved")
	}
	if strings.TrimSpace(r.Note) == "" {
		return nil, apperr.Invalidf("note", "请填写核查情况", "give the findings of the check")
	}
	if err := checkForm(r); err != nil {
		return nil, err
	}
	sig := sign(a, s.Now())
	from := c.State
	switch r.Outcome {
	case ObjectionDismissed:
		r.Decision, r.Reasons = "", nil
		pending := 0
		for _, x := range ns {
			for _, y := range x.Objections {
				if y.Status == ObjectionPending && y.ID != oid {
					pending++
				}
			}
		}
		if pending == 0 {
			c.State, c.SuspendedFrom = c.SuspendedFrom, ""
			if err := resumeRecipient(ctx, s, a, c); err != nil {
				return nil, err
			}
		}
	case ObjectionUpheld:
		if r.Decision != "reject" && r.Decision != "defer" {
			return nil, apperr.Invalidf("decision", "异议成立的，请选择处理结果：不予确认或暂缓", "an upheld objection must reject or defer the case")
		}
		if !slices.Contains(r.Reasons, ReasonObjectionUpheld) {
			r.Reasons = append([]string{ReasonObjectionUpheld}, r.Reasons...)
		}
		if err := checkReasons("reasons", r.Reasons); err != nil {
			return nil, err
		}
		c.State = map[string]State{"reject": Rejected, "defer": Deferred}[r.Decision]
		c.SuspendedFrom = ""
		if err := exitOnObjection(ctx, s, a, c, o, r); err != nil {
			return nil, err
		}
		if err := endNotices(ctx, s, ns, oid, sig); err != nil {
			return nil, err
		}
	default:
		return nil, apperr.Invalidf("outcome", "请选择处理结果：异议成立或不成立", "the outcome must be upheld or dismissed")
	}
	o.Status, o.Resolution, o.ResolvedBy = r.Outcome, &r, &sig
	if err := s.UpdateObjection(ctx, o); err != nil {
		return nil, err
	}
	return c, advance(ctx, s, a, c, StepResolve, from, map[string]any{"objection": o.ID, "resolution": r})
}

// endNotices closes the open notices of a case whose procedure has ended
// and marks its pending objections, other than skip, moot.
func endNotices(ctx context.Context, s Store, ns []Notice, skip int64, sig Signature) error {
	for _, n := range ns {
		for _, o := range n.Objections {
			if o.Status == ObjectionPending && o.ID != skip {
				o.Status = ObjectionMoot
				if err := s.UpdateObjection(ctx, &o); err != nil {
					return err
				}
			}
		}
		if n.Status == NoticeOpen {
			n.Status, n.ClosedBy = NoticeClosed, &sig
			if err := s.UpdateNotice(ctx, &n); err != nil {
				return err
			}
		}
	}
	return nil
}
