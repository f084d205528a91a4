// Package recheck is the checks after approval: the county's team
// re-visits a drawn sample of the year's new recipients (组成核查组，进村
// 入户再次进行复查), and the city and the province spot-check (抽查, 三榜四级)
// the same way. A sample is drawn by a method and a size from a recorded
// seed, so that anyone can draw it again and get the same recipients; each
// recipient drawn gets a re-check visit (who goes, on which day) and a
// finding:
//
//   - confirmed (属实): nothing changes;
//   - a discrepancy (不符): noted; it may reopen the case — the recipient's
//     payments are suspended while the case is examined again — and a
//     later finding on the same recipient settles it (confirmed resumes
//     the payments, fraud ends the benefit);
//   - fraud (弄虚作假): the benefit ends (the recipient leaves the roll as
//     if never due: nothing is due from the start), what was paid is the
//     amount to recover, and everyone who signed a step of the case that
//     vouched for the facts — who took it, who surveyed, who reviewed,
//     who approved — is recorded as held accountable for that step
//     (谁调查谁签字谁负责), for the supervisor to read.
//
// Who draws and records: the county (its own re-check), the city and the
// province (their spot-checks), each with the permission check.record and
// for the counties within its scope; each records findings on its own
// samples only. Everyone who reads cases reads samples and findings.
package recheck

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Levels of a check: who drew it.
const (
	LevelCounty   = "county_recheck"
	LevelCity     = "city_spot"
	LevelProvince = "province_spot"
)

// Levels names the levels.
var Levels = term.List{
	{Code: LevelCounty, ZH: "县级复查", EN: "County re-check"},
	{Code: LevelCity, ZH: "市级抽查", EN: "City spot-check"},
	{Code: LevelProvince, ZH: "省级抽查", EN: "Province spot-check"},
}

// Methods of drawing.
const (
	// MethodSimple draws size recipients at random from the whole
	// population (simple random sampling without replacement).
	MethodSimple = "simple"
	// MethodTownship draws from each township in proportion to its share
	// of the population (largest remainders), at random within it.
	MethodTownship = "township"
)

// Methods names the methods.
var Methods = term.List{
	{Code: MethodSimple, ZH: "简单随机抽样", EN: "Simple random"},
	{Code: MethodTownship, ZH: "按乡镇分层抽样", EN: "Stratified by township"},
}

// Findings.
const (
	Confirmed   = "confirmed"
	Discrepancy = "discrepancy"
	Fraud       = "fraud"
)

// Findings names the findings.
var Findings = term.List{
	{Code: Confirmed, ZH: "情况属实", EN: "Confirmed"},
	{Code: Discrepancy, ZH: "情况不符", EN: "Discrepancy"},
	{Code: Fraud, ZH: "查实弄虚作假", EN: "Fraud"},
}

// MaxSize bounds a sample.
const MaxSize = 1000

// Sample is a drawn sample with its recipients.
type Sample struct {
	County      string    `json:"county"`
	ID          int64     `json:"id"`
	Level       string    `json:"level"`
	Year        int       `json:"year"`
	Program     string    `json:"program,omitempty"`
	Method      string    `json:"method"`
	Size        int       `json:"size"`
	Seed        int64     `json:"seed"`
	Population  int       `json:"population"`
	DrawnBy     int64     `json:"drawn_by"`
	DrawnByName string    `json:"drawn_by_name"`
	DrawnAt     time.Time `json:"drawn_at"`
	Items       []Item    `json:"items,omitempty"`
}

// Item is one recipient of a sample: the visit and the finding.
type Item struct {
	County      string     `json:"county"`
	SampleID    int64      `json:"sample_id"`
	Seq         int        `json:"seq"`
	RecipientID int64      `json:"recipient_id"`
	PersonID    int64      `json:"person_id"`
	Name        string     `json:"name,omitempty"`
	CaseID      int64      `json:"case_id,omitempty"`
	Program     string     `json:"program"`
	Region      string     `json:"region"`
	Assignee    string     `json:"assignee,omitempty"`
	VisitOn     date.Date  `json:"visit_on,omitempty"`
	Finding     string     `json:"finding,omitempty"`
	Note        string     `json:"note,omitempty"`
	Reopened    bool       `json:"reopened"`
	Recovery    money.Fen  `json:"recovery_fen"`
	FoundBy     int64      `json:"found_by,omitempty"`
	FoundByName string     `json:"found_by_name,omitempty"`
	FoundAt     *time.Time `json:"found_at,omitempty"`
	Version     int        `json:"version"`
	// Accountable lists, for a finding of fraud, who signed which step.
	Accountable []Accountable `json:"accountable,omitempty"`
}

// Accountable is who signed one step of a case a fraud concerns.
type Accountable struct {
	CaseID   int64     `json:"case_id"`
	Step     string    `json:"step"`
	UserID   int64     `json:"user_id"`
	Username string    `json:"username"`
	Signer   string    `json:"signer"`
	Role     string    `json:"role"`
	SignedAt time.Time `json:"signed_at"`
}

// Candidate is a recipient a sample may draw.
type Candidate struct {
	RecipientID int64
	PersonID    int64
	CaseID      int64
	Program     string
	Region      string
}

// Store is what the checks need from storage.
type Store interface {
	roll.Store
	payment.Store
	// NewRecipients returns the recipients of county confirmed in year
	// (of program, when not empty) and not exited, in id order.
	NewRecipients(ctx context.Context, county string, year int, program string) ([]Candidate, error)
	InsertSample(ctx context.Context, x *Sample) error
	// Sample returns sample id of county with its items and, for items
	// found fraud, their accountability lines.
	Sample(ctx context.Context, county string, id int64) (*Sample, error)
	// Samples lists the samples of the counties within scope, newest first.
	Samples(ctx context.Context, scope region.Code, limit int) ([]Sample, error)
	// UpdateItem writes the visit and finding of it over version-1.
	UpdateItem(ctx context.Context, it *Item) error
	InsertAccountable(ctx context.Context, county string, sampleID int64, seq int, lines []Accountable) error
	// Steps returns a case's signed history in order.
	Steps(ctx context.Context, county string, caseID int64) ([]workflow.StepRecord, error)
}

// LevelOf is the level of the checks a may draw and record, or "".
func LevelOf(a auth.Actor) string {
	if !auth.Can(a, auth.PermCheckRecord) {
		return ""
	}
	switch a.Role {
	case auth.RoleCounty:
		return LevelCounty
	case auth.RoleCity:
		return LevelCity
	case auth.RoleProvince:
		return LevelProvince
	}
	return ""
}

// Draw is what the drawer asks for.
type Draw struct {
	County  string `json:"county"`
	Year    int    `json:"year"`
	Program string `json:"program"`
	Method  string `json:"method"`
	Size    int    `json:"size"`
	// Seed draws the same sample again; 0 draws with a new random seed,
	// which the sample records.
	Seed int64 `json:"seed"`
}

// Pick draws size of the candidates (in id order) by method from seed,
// and returns them in visiting order (region, then recipient). The same
// candidates, method, size and seed always give the same sample.
func Pick(cands []Candidate, method string, size int, seed int64) []Candidate {
	if size > len(cands) {
		size = len(cands)
	}
	rng := mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	var out []Candidate
	switch method {
	case MethodTownship:
		groups := map[string][]Candidate{}
		var towns []string
		for _, c := range cands {
			t := township(c.Region)
			if groups[t] == nil {
				towns = append(towns, t)
			}
			groups[t] = append(groups[t], c)
		}
		sort.Strings(towns)
		alloc := allocate(towns, groups, len(cands), size)
		for _, t := range towns {
			out = append(out, shuffleTake(rng, groups[t], alloc[t])...)
		}
	default:
		out = shuffleTake(rng, cands, size)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Region != out[j].Region {
			return out[i].Region < out[j].Region
		}
		return out[i].RecipientID < out[j].RecipientID
	})
	return out
}

// shuffleTake returns n of xs drawn at random without replacement (a
// partial Fisher–Yates shuffle of a copy).
func shuffleTake(rng *mrand.Rand, xs []Candidate, n int) []Candidate {
	c := append([]Candidate(nil), xs...)
	for i := 0; i < n; i++ {
		j := i + rng.IntN(len(c)-i)
		c[i], c[j] = c[j], c[i]
	}
	return c[:n]
}

// allocate shares size among the townships in proportion to their
// populations, by largest remainders (ties to the lower code).
func allocate(towns []string, groups map[string][]Candidate, total, size int) map[string]int {
	alloc := map[string]int{}
	type rem struct {
		town string
		r    int
	}
	var rems []rem
	given := 0
	for _, t := range towns {
		n := len(groups[t]) * size
		alloc[t] = n / total
		given += alloc[t]
		rems = append(rems, rem{t, n % total})
	}
	sort.SliceStable(rems, func(i, j int) bool { return rems[i].r > rems[j].r })
	for i := 0; given < size; i++ {
		t := rems[i%len(rems)].town
		if alloc[t] < len(groups[t]) {
			alloc[t]++
			given++
		}
	}
	return alloc
}

func township(code string) string {
	if len(code) >= 9 {
		return code[:9]
	}
	return code
}

// NewSeed returns a random positive seed that JSON numbers carry exactly.
func NewSeed() int64 {
	var b [8]byte
	rand.Read(b[:])
	return int64(binary.BigEndian.Uint64(b[:])>>11) + 1
}

// DrawSample draws and records a sample for the actor's level.
func DrawSample(ctx context.Context, s Store, a auth.Actor, d Draw) (*Sample, error) {
	level := LevelOf(a)
	if level == "" {
		return nil, auth.Require(a, auth.PermCheckRecord)
	}
	c, err := region.ParseCode(d.County)
	if err != nil || c.Level() != region.County {
		return nil, apperr.Invalidf("county", "应为 6 位县级区划代码", "must be a six-digit county code")
	}
	if err := a.CheckScope(c); err != nil {
		return nil, err
	}
	today := date.Today(s.Now())
	var errs apperr.List
	if d.Year < 2000 || d.Year > today.Year() {
		errs = append(errs, apperr.Invalidf("year", "年度应在 2000 年至今年之间", "the year must lie between 2000 and this year"))
	}
	if !Methods.Has(d.Method) {
		errs = append(errs, apperr.Invalidf("method", "请选择抽样方法", "choose a method"))
	}
	if d.Size < 1 || d.Size > MaxSize {
		errs = append(errs, apperr.Invalidf("size", "抽取人数应为 1 至 %d", "the size must be from 1 to %d", MaxSize))
	}
	if d.Seed < 0 || d.Seed > 1<<53 {
		errs = append(errs, apperr.Invalidf("seed", "随机种子应为正整数", "the seed must be a positive whole number"))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	cands, err := s.NewRecipients(ctx, string(c), d.Year, d.Program)
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		return nil, apperr.Conflictf("%d 年度该县没有新确认的对象可供抽取", "the county confirmed nobody in %d to draw from", d.Year)
	}
	if d.Seed == 0 {
		d.Seed = NewSeed()
	}
	picked := Pick(cands, d.Method, d.Size, d.Seed)
	id, err := s.NextIDs(ctx, "check_sample", 1)
	if err != nil {
		return nil, err
	}
	x := &Sample{County: string(c), ID: id, Level: level, Year: d.Year, Program: d.Program, Method: d.Method, Size: len(picked),
		Seed: d.Seed, Population: len(cands), DrawnBy: a.UserID, DrawnByName: actorName(a), DrawnAt: s.Now()}
	for i, p := range picked {
		x.Items = append(x.Items, Item{County: x.County, SampleID: id, Seq: i + 1, RecipientID: p.RecipientID, PersonID: p.PersonID,
			CaseID: p.CaseID, Program: p.Program, Region: p.Region, Version: 1})
	}
	if err := s.InsertSample(ctx, x); err != nil {
		return nil, err
	}
	return x, s.Audit(ctx, audit.Entry{County: x.County, UserID: a.UserID, Username: a.Username, Action: "check.draw",
		Entity: "check_sample", EntityID: strconv.FormatInt(id, 10), Region: x.County,
		After: audit.JSON(map[string]any{"level": level, "year": x.Year, "program": x.Program, "method": x.Method, "size": x.Size,
			"seed": x.Seed, "population": x.Population})})
}

// Visit is the re-check visit assigned to an item.
type Visit struct {
	Assignee string    `json:"assignee"`
	On       date.Date `json:"visit_on"`
	Version  int       `json:"version"`
}

// item returns item seq of sample id with the sample, checking that a
// may act on it: the sample's own level, within scope.
func item(ctx context.Context, s Store, a auth.Actor, county string, id int64, seq int) (*Sample, *Item, error) {
	x, err := s.Sample(ctx, county, id)
	if err != nil {
		return nil, nil, err
	}
	if level := LevelOf(a); level == "" {
		return nil, nil, auth.Require(a, auth.PermCheckRecord)
	} else if level != x.Level {
		return nil, nil, &apperr.Error{Kind: apperr.Forbidden, ZH: "这是" + Levels.Chinese(x.Level) + "，只能由该级人员登记",
			EN: "this is a " + Levels.Name(x.Level, "en") + ": only its own level records it"}
	}
	for i := range x.Items {
		if x.Items[i].Seq == seq {
			return x, &x.Items[i], nil
		}
	}
	return nil, nil, apperr.NotFoundf("抽样 %d 中没有第 %d 人", "sample %d has no item %d", id, seq)
}

// Assign records who visits item seq of sample id and when.
func Assign(ctx context.Context, s Store, a auth.Actor, county string, id int64, seq int, v Visit) (*Item, error) {
	_, it, err := item(ctx, s, a, county, id, seq)
	if err != nil {
		return nil, err
	}
	v.Assignee = strings.TrimSpace(v.Assignee)
	var errs apperr.List
	if v.Assignee == "" || utf8.RuneCountInString(v.Assignee) > 100 {
		errs = append(errs, apperr.Invalidf("assignee", "请填写复查人员（100 字以内）", "name who visits (at most 100 characters)"))
	}
	if v.On.IsZero() {
		errs = append(errs, apperr.Invalidf("visit_on", "请填写复查日期", "give the day of the visit"))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if v.Version != it.Version {
		return nil, apperr.Conflictf("该对象的复查记录已被他人修改，请刷新后重试", "the item was changed meanwhile: reload and try again")
	}
	before := map[string]any{"assignee": it.Assignee, "visit_on": it.VisitOn.String()}
	it.Assignee, it.VisitOn, it.Version = v.Assignee, v.On, it.Version+1
	if err := s.UpdateItem(ctx, it); err != nil {
		return nil, err
	}
	return it, s.Audit(ctx, itemEntry(a, it, "check.assign", before, map[string]any{"assignee": it.Assignee, "visit_on": it.VisitOn.String()}))
}

// Result is a finding as recorded.
type Result struct {
	Finding string `json:"finding"`
	Note    string `json:"note"`
	// Reopen, with a discrepancy, suspends the recipient's payments while
	// the case is examined again.
	Reopen  bool `json:"reopen"`
	Version int  `json:"version"`
}

// Find records the finding of item seq of sample id and its effects on
// the roll (see the package doc).
func Find(ctx context.Context, s Store, a auth.Actor, county string, id int64, seq int, res Result) (*Item, error) {
	_, it, err := item(ctx, s, a, county, id, seq)
	if err != nil {
		return nil, err
	}
	res.Note = strings.TrimSpace(res.Note)
	var errs apperr.List
	if !Findings.Has(res.Finding) {
		errs = append(errs, apperr.Invalidf("finding", "请选择复查结论", "choose the finding"))
	}
	if res.Finding != Confirmed && res.Note == "" {
		errs = append(errs, apperr.Invalidf("note", "请写明发现的问题", "describe what was found"))
	}
	if utf8.RuneCountInString(res.Note) > 1000 {
		errs = append(errs, apperr.Invalidf("note", "说明不得超过 1000 字", "the note is longer than 1000 characters"))
	}
	if res.Reopen && res.Finding != Discrepancy {
		errs = append(errs, apperr.Invalidf("reopen", "只有“情况不符”才重新核查案件", "only a discrepancy reopens the case"))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if it.Finding == Fraud {
		return nil, apperr.Conflictf("已认定弄虚作假，待遇已终止，不能再改", "fraud was found: the benefit has ended and the finding stands")
	}
	if res.Version != it.Version {
		return nil, apperr.Conflictf("该对象的复查记录已被他人修改，请刷新后重试", "the item was changed meanwhile: reload and try again")
	}
	r, err := s.Recipient(ctx, "", it.County, it.RecipientID)
	if err != nil {
		return nil, err
	}
	before := map[string]any{"finding": it.Finding, "note": it.Note, "reopened": it.Reopened}
	now := s.Now()
	it.Finding, it.Note, it.FoundBy, it.FoundByName, it.FoundAt, it.Version = res.Finding, res.Note, a.UserID, actorName(a), &now, it.Version+1
	why := Levels.Chinese(levelOfSample(ctx, s, it)) + "：" + res.Note
	switch res.Finding {
	case Discrepancy:
		if res.Reopen && !it.Reopened {
			it.Reopened = true
			if err := suspend(ctx, s, a, r, "复查发现情况不符，重新核查，暂停发放："+why); err != nil {
				return nil, err
			}
		}
	case Confirmed:
		if it.Reopened && r.Status == roll.StatusSuspended {
			if err := resume(ctx, s, a, r, "重新核查情况属实，恢复发放"); err != nil {
				return nil, err
			}
		}
	case Fraud:
		if err := end(ctx, s, a, r, "复查认定弄虚作假，终止待遇："+why); err != nil {
			return nil, err
		}
		paid, err := paidTo(ctx, s, it)
		if err != nil {
			return nil, err
		}
		it.Recovery = paid
		if it.Accountable, err = accountable(ctx, s, it); err != nil {
			return nil, err
		}
		if err := s.InsertAccountable(ctx, it.County, it.SampleID, it.Seq, it.Accountable); err != nil {
			return nil, err
		}
	}
	if err := s.UpdateItem(ctx, it); err != nil {
		return nil, err
	}
	after := map[string]any{"finding": it.Finding, "note": it.Note, "reopened": it.Reopened}
	if it.Finding == Fraud {
		after["recovery_fen"] = it.Recovery
		after["accountable"] = it.Accountable
	}
	return it, s.Audit(ctx, itemEntry(a, it, "check.find", before, after))
}

func levelOfSample(ctx context.Context, s Store, it *Item) string {
	x, err := s.Sample(ctx, it.County, it.SampleID)
	if err != nil {
		return LevelCounty
	}
	return x.Level
}

func suspend(ctx context.Context, s Store, a auth.Actor, r *roll.Recipient, reason string) error {
	if r.Status != roll.StatusActive {
		return nil
	}
	before := *r
	r.Status = roll.StatusSuspended
	if err := roll.Save(ctx, s, r); err != nil {
		return err
	}
	_, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeSuspend, date.Today(s.Now()), reason, "")
	return err
}

func resume(ctx context.Context, s Store, a auth.Actor, r *roll.Recipient, reason string) error {
	before := *r
	r.Status = roll.StatusActive
	if err := roll.Save(ctx, s, r); err != nil {
		return err
	}
	_, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeResume, date.Today(s.Now()), reason, "")
	return err
}

// end takes r off the roll as never due: nothing is due from its start.
func end(ctx context.Context, s Store, a auth.Actor, r *roll.Recipient, reason string) error {
	if r.Status == roll.StatusExited && r.ExitReason == roll.ExitFraud {
		return nil
	}
	before := *r
	r.Status, r.ExitReason, r.ExitDate, r.LastMonth = roll.StatusExited, roll.ExitFraud, date.Today(s.Now()), r.StartIndex()-1
	if err := roll.Save(ctx, s, r); err != nil {
		return err
	}
	_, err := roll.RecordChange(ctx, s, a, &before, r, roll.ChangeExit, roll.FirstOfMonth(r.StartIndex()), reason, "")
	return err
}

// paidTo is what the recipient's program paid the person: the amount to
// recover.
func paidTo(ctx context.Context, s Store, it *Item) (money.Fen, error) {
	lines, err := s.PaymentLines(ctx, it.County, payment.LineFilter{PersonID: it.PersonID, Program: it.Program, Statuses: []payment.Status{payment.Paid}})
	if err != nil {
		return 0, err
	}
	var sum money.Fen
	for _, l := range lines {
		sum += l.Amount
	}
	return sum, nil
}

// vouching are the steps of a case whose signers vouch for its facts.
var vouching = []workflow.Step{workflow.StepApply, workflow.StepAccept, workflow.StepSurvey, workflow.StepVillageReview,
	workflow.StepTownshipReview, workflow.StepCountyApproval}

// accountable lists who signed the vouching steps of the item's case, and
// the investigators the survey names besides its signer.
func accountable(ctx context.Context, s Store, it *Item) ([]Accountable, error) {
	if it.CaseID == 0 {
		return nil, nil
	}
	steps, err := s.Steps(ctx, it.County, it.CaseID)
	if err != nil {
		return nil, err
	}
	var out []Accountable
	for _, st := range steps {
		if !contains(vouching, st.Step) {
			continue
		}
		sg := st.Signature
		out = append(out, Accountable{CaseID: it.CaseID, Step: string(st.Step), UserID: sg.UserID, Username: sg.Username,
			Signer: sg.Name, Role: string(sg.Role), SignedAt: sg.At})
		if st.Step == workflow.StepSurvey {
			var sv workflow.Survey
			if json.Unmarshal(st.Detail, &sv) == nil {
				for _, inv := range sv.Investigators {
					if inv.UserID == sg.UserID {
						continue
					}
					out = append(out, Accountable{CaseID: it.CaseID, Step: string(st.Step), UserID: inv.UserID, Signer: inv.Name,
						Role: "investigator", SignedAt: sg.At})
				}
			}
		}
	}
	return out, nil
}

func contains(xs []workflow.Step, x workflow.Step) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func itemEntry(a auth.Actor, it *Item, action string, before, after any) audit.Entry {
	return audit.Entry{County: it.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "check_sample",
		EntityID: fmt.Sprintf("%d/%d", it.SampleID, it.Seq), Region: it.Region, Before: audit.JSON(before), After: audit.JSON(after)}
}

func actorName(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}
