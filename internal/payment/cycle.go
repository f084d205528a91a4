package payment

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/roll"
)

// Due is what a recipient is owed for one period, and if nothing, why.
type Due struct {
	Split  Split
	Months int    // accrual months of the period
	Why    string // why nothing is due (Chinese), when Split is zero
}

// Amount returns the total due.
func (d Due) Amount() money.Fen { return d.Split.Total() }

// DueFor computes what r is owed for period p, given e, the eligible
// determination of p's year (nil when there is none).
//
// A determination gives the year's amount over e.Months accrual months.
// Those months run consecutively from January, or from the roll's start
// month in the start year, and stop at the roll's last month after an
// exit. A period receives the months of the year that fall in it; each
// level's share of the first k months is ⌊level × k / e.Months⌋, so the
// periods of a year add up to the year's amount to the fen. Nothing is due
// for a year before the confirmation year unless back_pay_years allows it,
// nor while the recipient is suspended.
func DueFor(r Recipient, e *Entitlement, p Period, prm Params) Due {
	y := p.Year()
	switch {
	case r.Status == roll.StatusSuspended:
		return Due{Why: "名册中暂停发放"}
	case y < r.Confirmed.Year()-prm.BackPayYears:
		return Due{Why: fmt.Sprintf("资格确认于 %s，确认年度前不补发", r.Confirmed)}
	case e == nil || e.Amount <= 0:
		return Due{Why: fmt.Sprintf("无 %d 年的资格认定", y)}
	}
	start := y * 12
	if r.StartYear == y && r.StartMonth > 1 {
		start += r.StartMonth - 1
	}
	end := y*12 + 11
	if r.Status == roll.StatusExited {
		last := start - 1
		switch {
		case r.LastMonth >= 0:
			last = r.LastMonth
		case !r.ExitDate.IsZero():
			last = r.ExitDate.MonthIndex()
		}
		end = min(end, last)
	}
	m := e.Months
	if m <= 0 { // paid once: the whole amount falls in the first month
		m = 1
	}
	// A roll entry handed over in its start year takes the year's
	// schedule up where the old county left it.
	skip := 0
	if r.StartYear == y && r.Carried > 0 {
		skip = min(r.Carried, m)
	}
	n := min(start+m-skip-1, end) - start + 1
	if n <= 0 {
		return Due{Why: fmt.Sprintf("已于 %s 退出，此后不再发放", monthName(end))}
	}
	a, b := p.Months()
	k1 := clamp(a-start, 0, n) + skip
	k2 := clamp(b-start+1, 0, n) + skip
	if k2 == k1 {
		return Due{Why: fmt.Sprintf("%d 年计发月份（%s 起 %d 个月）不在本期", y, monthName(start), n)}
	}
	var d Due
	for i, lv := range e.Split {
		d.Split[i] = money.Fen(int64(lv)*int64(k2)/int64(m) - int64(lv)*int64(k1)/int64(m))
	}
	d.Months = k2 - k1
	if e.Months <= 0 {
		d.Months = 0
	}
	return d
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// PlanInput is everything Plan needs to compute a cycle's lines.
type PlanInput struct {
	County  string
	Program string
	Period  Period
	Params  Params
	// PaymentCycles are the earlier cycles of the program in the county within
	// the look-back years; arrears and corrections are computed for their
	// periods only (periods paid outside Jiahe are never back paid).
	Cycles       []Cycle
	Roll         []Recipient
	Entitlements []Entitlement
	// PaymentLines are the existing lines of the program for the periods of
	// PaymentCycles (and of Period, if any).
	Lines []Line
}

// Plan computes the lines of a new cycle: a regular line for every
// recipient due something for the period; an arrears line for each
// earlier cycled period in which a recipient was due something but has no
// line; and a correction line for each earlier period whose lines no
// longer add up to what is due. A negative correction is money to recover
// and is never sent to a bank. The lines of a person with a recorded or
// suspected death are held. Lines come out in region, person, period and
// revision order, without ids.
func Plan(in PlanInput) []Line {
	ents := map[[2]int64]*Entitlement{}
	for i := range in.Entitlements {
		e := &in.Entitlements[i]
		ents[[2]int64{e.PersonID, int64(e.Year)}] = e
	}
	type key struct {
		person int64
		period string
	}
	existing := map[key][]Line{}
	for _, l := range in.Lines {
		k := key{l.PersonID, l.Period.String()}
		existing[k] = append(existing[k], l)
	}
	prior := make([]Cycle, 0, len(in.Cycles))
	for _, c := range in.Cycles {
		if c.Period.Before(in.Period) && c.Period.Year() >= in.Period.Year()-in.Params.LookbackYears {
			prior = append(prior, c)
		}
	}
	sort.Slice(prior, func(i, j int) bool { return prior[i].Period.Before(prior[j].Period) })

	var out []Line
	for _, r := range in.Roll {
		hold := r.holdReason()
		mk := func(p Period, kind LineKind, rev int, d Due, split Split, note string) Line {
			l := Line{County: in.County, PersonID: r.PersonID, RecipientID: r.ID, Program: in.Program, Period: p,
				Revision: rev, Kind: kind, Tier: r.Tier, Region: r.Region, Months: d.Months, Amount: split.Total(),
				Split: split, Note: note, Status: Pending}
			switch {
			case l.Amount < 0:
				l.Status = Recovery
			case hold != "":
				l.Status, l.HoldReason = Held, hold
			}
			return l
		}
		for _, c := range prior {
			p := c.Period
			d := DueFor(r, ents[[2]int64{r.PersonID, int64(p.Year())}], p, in.Params)
			lines := existing[key{r.PersonID, p.String()}]
			base, hasBase := baseLine(lines)
			switch {
			case !hasBase:
				if d.Amount() > 0 {
					note := fmt.Sprintf("补发%s %d 个月：该期于 %s 发放时未发（资格确认 %s）",
						p.Chinese(), d.Months, c.CreatedAt.Format("2006-01-02"), r.Confirmed)
					out = append(out, mk(p, Arrears, 0, d, d.Split, note))
				}
			case base.Status == Cancelled || base.Status == Held:
				// A cancelled period was verified not due; a held one
				// waits for its verification.
			default:
				var paid Split
				rev := 0
				for _, l := range lines {
					rev = max(rev, l.Revision)
					if l.Status != Cancelled {
						paid = paid.Add(l.Split)
					}
				}
				diff := d.Split.Sub(paid)
				if diff.Total() == 0 {
					continue
				}
				verb := "补差"
				if diff.Total() < 0 {
					verb = "多发，应追回"
				}
				note := fmt.Sprintf("更正%s：现应发 %s 元，已发 %s 元，%s %s 元",
					p.Chinese(), d.Amount(), paid.Total(), verb, absFen(diff.Total()))
				out = append(out, mk(p, Correction, rev+1, d, diff, note))
			}
		}
		if _, has := baseLine(existing[key{r.PersonID, in.Period.String()}]); has {
			continue
		}
		e := ents[[2]int64{r.PersonID, int64(in.Period.Year())}]
		d := DueFor(r, e, in.Period, in.Params)
		if d.Amount() <= 0 {
			continue
		}
		note := fmt.Sprintf("%s应发 %d 个月（%d 年认定全年 %s 元，计 %d 个月）",
			in.Period.Chinese(), d.Months, e.Year, e.Amount, e.Months)
		if e.Months <= 0 {
			note = fmt.Sprintf("%s一次性发放 %s 元", in.Period.Chinese(), e.Amount)
		}
		out = append(out, mk(in.Period, Regular, 0, d, d.Split, note))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Region != b.Region {
			return a.Region < b.Region
		}
		if a.PersonID != b.PersonID {
			return a.PersonID < b.PersonID
		}
		if a.Period != b.Period {
			return a.Period.Before(b.Period)
		}
		return a.Revision < b.Revision
	})
	return out
}

func baseLine(lines []Line) (Line, bool) {
	for _, l := range lines {
		if l.Revision == 0 {
			return l, true
		}
	}
	return Line{}, false
}

func absFen(f money.Fen) money.Fen {
	if f < 0 {
		return -f
	}
	return f
}

var programRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// CycleRequest asks for a new payment cycle.
type CycleRequest struct {
	County  string `json:"county"`
	Program string `json:"program"`
	Period  string `json:"period"`
}

// parseCounty checks a six-digit county code and the actor's scope.
func parseCounty(a auth.Actor, s string) (string, error) {
	c, err := region.ParseCode(s)
	if err != nil || c.Level() != region.County {
		return "", apperr.Invalidf("county", "应为 6 位县级区划代码", "must be a six-digit county code")
	}
	if err := a.CheckScope(c); err != nil {
		return "", err
	}
	return string(c), nil
}

// GenerateCycle runs a program for a period in a county: it decides what
// every person on the program's roll is due, with the rules in force now
// (as), and computes and stores the lines (Plan). Enrolment on the roll is
// all it takes to be paid: no batch evaluation need run first. There is one
// cycle per county, program and period; a second request, even a concurrent
// one, fails with Conflict and adds no line (SupplementCycle tops up a
// cycle with the persons enrolled since). Within a year every cycle of a
// program has the same period kind, so periods never overlap.
func GenerateCycle(ctx context.Context, s Store, as Assessor, a auth.Actor, req CycleRequest) (*Cycle, []Line, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, nil, err
	}
	county, err := parseCounty(a, req.County)
	if err != nil {
		return nil, nil, err
	}
	if !programRE.MatchString(req.Program) {
		return nil, nil, apperr.Invalidf("program", "项目代码 %q 无效", "invalid program code %q", req.Program)
	}
	p, err := ParsePeriod(req.Period)
	if err != nil {
		return nil, nil, err
	}
	prm, err := countyParams(ctx, s, county)
	if err != nil {
		return nil, nil, err
	}
	cycles, err := s.PaymentCycles(ctx, county, CycleFilter{Program: req.Program})
	if err != nil {
		return nil, nil, err
	}
	want := prm.PeriodKindOf(req.Program)
	for _, c := range cycles {
		if c.Period.Year() == p.Year() {
			want = c.Period.Kind() // the year's first cycle fixed its kind
		}
		if c.Period.Overlaps(p) {
			return nil, nil, apperr.Conflictf("%s %s 已生成发放周期（%s，编号 %d）；新纳入名册的人员请用补充生成",
				"a payment cycle for %s %s already exists (%s, id %d); supplement it with the persons enrolled since",
				req.Program, p, c.Period, c.ID)
		}
	}
	if p.Kind() != want {
		return nil, nil, &apperr.Error{Kind: apperr.Invalid, Field: "period",
			ZH: fmt.Sprintf("%s 在 %d 年按%s发放，期间应为该类型", req.Program, p.Year(), kindChinese(want)),
			EN: fmt.Sprintf("%s is paid per %s in %d", req.Program, want, p.Year())}
	}
	lines, err := planPeriod(ctx, s, as, county, req.Program, p, prm, cycles)
	if err != nil {
		return nil, nil, err
	}

	id, err := s.NextIDs(ctx, "payment_cycle", 1)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	c := &Cycle{County: county, ID: id, Program: req.Program, Period: p, CreatedBy: a.UserID, CreatedByName: actorName(a), CreatedAt: now}
	if err := s.InsertPaymentCycle(ctx, c); err != nil {
		return nil, nil, err
	}
	counts, err := insertLines(ctx, s, c, lines, now)
	if err != nil {
		return nil, nil, err
	}
	return c, lines, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username,
		Action: "payment.cycle.create", Entity: "payment_cycle", EntityID: strconv.FormatInt(id, 10), Region: county,
		After: audit.JSON(map[string]any{"program": c.Program, "period": c.Period.String(), "lines": c.Lines,
			"total_fen": c.Total, "by_kind_status": counts})})
}

// planPeriod decides the program's roll with the rules in force and
// computes the lines of period p (Plan), against the county's cycles of
// the program (all of them; Plan looks back within the look-back years)
// and the lines they made.
func planPeriod(ctx context.Context, s Store, as Assessor, county, program string, p Period, prm Params, cycles []Cycle) ([]Line, error) {
	return planPeriodOf(ctx, s, as, county, program, p, prm, cycles, 0)
}

// planPeriodOf is planPeriod for the recipients of person only (every
// recipient when person is 0).
func planPeriodOf(ctx context.Context, s Store, as Assessor, county, program string, p Period, prm Params, cycles []Cycle, person int64) ([]Line, error) {
	from := p.Year() - prm.LookbackYears
	years := []int{p.Year()}
	var periods []string
	var inRange []Cycle
	for _, c := range cycles {
		if c.Period.Year() >= from {
			inRange = append(inRange, c)
			periods = append(periods, c.Period.String())
			if c.Period.Before(p) {
				years = append(years, c.Period.Year())
			}
		}
	}
	roll, err := s.PaymentRoll(ctx, county, program)
	if err != nil {
		return nil, err
	}
	if person != 0 {
		roll = slices.DeleteFunc(roll, func(r Recipient) bool { return r.PersonID != person })
		if len(roll) == 0 {
			return nil, nil
		}
	}
	decided, err := assess(ctx, as, county, program, roll, years)
	if err != nil {
		return nil, err
	}
	var existing []Line
	if len(periods) > 0 {
		if existing, err = s.PaymentLines(ctx, county, LineFilter{Program: program, Periods: periods, PersonID: person}); err != nil {
			return nil, err
		}
	}
	return Plan(PlanInput{County: county, Program: program, Period: p, Params: prm, Cycles: inRange,
		Roll: roll, Entitlements: decided.entitlements(), Lines: existing}), nil
}

// insertLines numbers lines, stores them in cycle c and adds them to its
// counts (a recovery is not paid, so it is not in the total). It returns
// the lines by kind and status, for the audit entry.
func insertLines(ctx context.Context, s Store, c *Cycle, lines []Line, now time.Time) (map[string]int, error) {
	counts := map[string]int{}
	var total money.Fen
	for i := range lines {
		lines[i].CycleID = c.ID
		lines[i].UpdatedAt = now
		if lines[i].Status != Recovery {
			total += lines[i].Amount
		}
		counts[string(lines[i].Kind)+"/"+string(lines[i].Status)]++
	}
	if len(lines) == 0 {
		return counts, nil
	}
	first, err := s.NextIDs(ctx, "payment_line", len(lines))
	if err != nil {
		return nil, err
	}
	for i := range lines {
		lines[i].ID = first + int64(i)
	}
	if err := s.InsertPaymentLines(ctx, lines); err != nil {
		return nil, err
	}
	if err := s.AddToPaymentCycle(ctx, c.County, c.ID, len(lines), total); err != nil {
		return nil, err
	}
	c.Lines += len(lines)
	c.Total += total
	return counts, nil
}

// Supplement is the outcome of a supplementary run of a cycle.
type Supplement struct {
	Cycle *Cycle `json:"cycle"`
	Lines []Line `json:"lines"` // the lines added
}

// SupplementCycle tops up cycle cycleID with the persons on the roll who
// have no line for its period — enrolled since it was generated, or left
// out for any other reason — as the rules in force decide now: each gets
// the regular line of the period and the arrears of the earlier periods
// that Plan gives them, exactly as if they had been on the roll when the
// cycle was generated. Nobody is paid twice: a person with a line for the
// period is left alone (a correction of their amount waits for the next
// cycle), and the database refuses a second line for the same person,
// program and period, so concurrent runs add each line once. A run that
// finds nobody to add fails with Conflict.
func SupplementCycle(ctx context.Context, s Store, as Assessor, a auth.Actor, county string, cycleID int64) (*Supplement, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	c, err := s.PaymentCycle(ctx, county, cycleID)
	if err != nil {
		return nil, err
	}
	prm, err := countyParams(ctx, s, county)
	if err != nil {
		return nil, err
	}
	cycles, err := s.PaymentCycles(ctx, county, CycleFilter{Program: c.Program})
	if err != nil {
		return nil, err
	}
	planned, err := planPeriod(ctx, s, as, county, c.Program, c.Period, prm, cycles)
	if err != nil {
		return nil, err
	}
	// Plan leaves out whoever has a line for the period; their other lines
	// (corrections of earlier periods) are the next cycle's.
	newcomer := map[int64]bool{}
	for _, l := range planned {
		if l.Period == c.Period && l.Revision == 0 {
			newcomer[l.PersonID] = true
		}
	}
	var lines []Line
	for _, l := range planned {
		if newcomer[l.PersonID] {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, apperr.Conflictf("%s %s 周期没有需补充的人员：名册上应发本期的人员均已有发放明细",
			"cycle %s %s has nobody to add: everyone on the roll due for the period has a line", c.Program, c.Period)
	}
	before := map[string]any{"lines": c.Lines, "total_fen": c.Total}
	counts, err := insertLines(ctx, s, c, lines, s.Now())
	if err != nil {
		return nil, err
	}
	persons := make([]int64, 0, len(newcomer))
	for _, l := range lines {
		if l.Period == c.Period && l.Revision == 0 {
			persons = append(persons, l.PersonID)
		}
	}
	var added money.Fen
	for _, l := range lines {
		if l.Status != Recovery {
			added += l.Amount
		}
	}
	return &Supplement{Cycle: c, Lines: lines}, s.Audit(ctx, audit.Entry{County: county, UserID: a.UserID, Username: a.Username,
		Action: "payment.cycle.supplement", Entity: "payment_cycle", EntityID: strconv.FormatInt(c.ID, 10), Region: county,
		Before: audit.JSON(before),
		After: audit.JSON(map[string]any{"program": c.Program, "period": c.Period.String(), "lines_added": len(lines),
			"added_fen": added, "persons": persons, "by_kind_status": counts, "lines": c.Lines, "total_fen": c.Total})})
}

func kindChinese(k PeriodKind) string {
	return map[PeriodKind]string{Year: "年", Half: "半年", Quarter: "季度", Month: "月"}[k]
}

// countyParams resolves the county's payment parameters.
func countyParams(ctx context.Context, s Store, county string) (Params, error) {
	stored, err := s.PaymentParams(ctx, county)
	if err != nil {
		return Params{}, err
	}
	return ResolveParams(county, stored)
}
