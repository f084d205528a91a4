package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The demo's year. After the synthetic county is loaded and evaluated,
// StageDemo lets the demo's own users live through the year before today
// with the same use cases the pages call, on a clock set back in time: a
// cohort of last year's applicants goes through the whole procedure onto
// the roll and is paid (one bank line failing, waiting for a retry), and
// this year's applicants stand at every stage, some of them with notices
// that have run their days so that the next step can be taken at once.
// Nothing is written around the use cases.

// DemoProgram is the program the demo's cases claim (农村部分计划生育家庭奖励扶助).
const DemoProgram = policy.ProgramJF

// DemoVillage picks the demo's village in county: the rural village (村)
// with the most persons whom this year's evaluation found eligible for
// the demo's program and who have not applied. It returns the village
// and those persons, oldest first within the village's list order.
func (a *App) DemoVillage(ctx context.Context, who auth.Actor, county region.Code) (region.Code, []OutreachRow, error) {
	o, err := a.Outreach(ctx, who, OutreachQuery{Region: county, Program: DemoProgram, Limit: 100000}, "zh")
	if err != nil {
		return "", nil, err
	}
	by := map[string][]OutreachRow{}
	best := ""
	for _, r := range o.Rows {
		d, ok := a.tree().Lookup(region.Code(r.Region))
		if !ok || !strings.Contains(d.Name, "村") {
			continue
		}
		by[r.Region] = append(by[r.Region], r)
		if best == "" || len(by[r.Region]) > len(by[best]) || (len(by[r.Region]) == len(by[best]) && r.Region < best) {
			best = r.Region
		}
	}
	if best == "" {
		return "", nil, apperr.Conflictf("演示县没有符合条件的农村人员", "the demo county has no eligible rural person")
	}
	return region.Code(best), by[best], nil
}

// DemoCast are the demo's users as actors: the first and second user of
// each staff role that the staging needs.
type DemoCast struct {
	Village, Village2   auth.Actor
	Township, Township2 auth.Actor
	County              auth.Actor
	Finance, Finance2   auth.Actor
}

// DemoStage is what StageDemo made.
type DemoStage struct {
	Cohort    []OutreachRow // last year's applicants, on the roll and paid
	Cases     []OutreachRow // this year's applicants
	Rest      []OutreachRow // eligible, and left for the outreach list
	PaidCycle int64         // last year's cycle
	Failed    string        // the name on the failed bank line
}

// StageDemo plays the demo's year (see above) for persons, who must be
// living residents of the cast's village found eligible for DemoProgram
// this year: the first six the rules also find eligible for last year
// become last year's cohort, the next nine others this year's cases. Only the system stages the demo, on a database the demo has just
// filled; the clock is set back while it runs and restored after.
func (a *App) StageDemo(ctx context.Context, who auth.Actor, cast DemoCast, persons []OutreachRow) (*DemoStage, error) {
	if who != auth.System {
		return nil, a.audited(ctx, who, op{name: "demo.stage", perm: auth.PermUsersManage, target: Target{Entity: "case"}},
			apperr.Forbiddenf("只有系统（命令行）可以布置演示", "only the system (the command line) stages the demo"))
	}
	const cohort, current = 6, 9
	today := date.Today(a.db.Now())
	last := today.Year() - 1
	st := &DemoStage{}
	for _, p := range persons {
		if len(st.Cohort) < cohort {
			pd, err := a.PersonDecisions(ctx, who, registry.Key{County: p.County, ID: p.PersonID}, last, "", false)
			if err != nil {
				return nil, err
			}
			if slices.ContainsFunc(pd.Decisions, func(d policy.Decision) bool { return d.Program == DemoProgram && d.Eligible }) {
				st.Cohort = append(st.Cohort, p)
				continue
			}
		}
		if len(st.Cases) < current {
			st.Cases = append(st.Cases, p)
		} else {
			st.Rest = append(st.Rest, p)
		}
	}
	if len(st.Cohort) < cohort || len(st.Cases) < current {
		return nil, fmt.Errorf("demo: too few eligible persons in the village (%d for last year, %d in all)", len(st.Cohort), len(persons))
	}
	realNow := a.db.Now
	defer func() { a.db.Now = realNow }()
	set := func(d date.Date) {
		t := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, date.Beijing)
		a.db.Now = func() time.Time { return t }
	}
	s := &demoRun{a: a, ctx: ctx, cast: cast}

	// Last year: six applications in March, through every step to the
	// roll, then the year's payment in June.
	start := date.Of(last, time.March, 2)
	set(start)
	var old []CaseKey
	for _, p := range st.Cohort {
		k := s.apply(p, last, start)
		s.survey(k, start)
		s.villageReview(k, start)
		old = append(old, k)
	}
	day := start.AddDays(1)
	set(day)
	s.each(old, func(k CaseKey) { s.openNotice(cast.Village, k, day) })
	day = day.AddDays(8)
	set(day)
	s.each(old, func(k CaseKey) { s.closeNotice(cast.Village, k) })
	s.each(old, func(k CaseKey) { s.review(cast.Township, k, true) })
	s.each(old, func(k CaseKey) { s.openNotice(cast.Township, k, day) })
	day = day.AddDays(8)
	set(day)
	s.each(old, func(k CaseKey) { s.closeNotice(cast.Township, k) })
	s.each(old, func(k CaseKey) { s.approve(k) })
	s.each(old, func(k CaseKey) { s.openNotice(cast.County, k, day) })
	day = day.AddDays(8)
	set(day)
	s.each(old, func(k CaseKey) { s.closeNotice(cast.County, k) })
	if s.err != nil {
		return nil, s.err
	}

	set(date.Of(last, time.June, 18))
	for i, p := range st.Cohort {
		bank := []string{"103", "402"}[i%2]
		if _, err := a.SetAccount(ctx, cast.Finance, registry.Key{County: p.County, ID: p.PersonID},
			payment.AccountInput{Bank: bank, Number: demoAccount(bank, i), Holder: p.Name}); err != nil {
			return nil, fmt.Errorf("demo: account of %s: %w", p.Name, err)
		}
	}
	cy, _, err := a.GenerateCycle(ctx, cast.Finance, payment.CycleRequest{County: st.Cohort[0].County, Program: DemoProgram, Period: strconv.Itoa(last)})
	if err != nil {
		return nil, fmt.Errorf("demo: cycle: %w", err)
	}
	st.PaidCycle = cy.ID
	run, err := a.GenerateBatches(ctx, cast.Finance, cy.County, cy.ID)
	if err != nil {
		return nil, fmt.Errorf("demo: batches: %w", err)
	}
	set(date.Of(last, time.June, 20))
	for _, b := range run.Batches {
		if _, err := a.ApproveBatch(ctx, cast.Finance2, b.County, b.ID, payment.Approval{Count: b.Count, Total: b.Total}); err != nil {
			return nil, fmt.Errorf("demo: approve batch: %w", err)
		}
	}
	// The bank pays every line but one, whose account it reports frozen.
	set(date.Of(last, time.June, 28))
	failed := false
	for _, b := range run.Batches {
		full, err := a.Batch(ctx, cast.Finance, b.County, b.ID)
		if err != nil {
			return nil, err
		}
		var rows []payment.ReturnRow
		for i, it := range full.Items {
			r := payment.ReturnRow{Row: i + 2, Seq: it.Seq, LineID: it.LineID, Account: it.Account, Amount: it.Amount,
				Result: payment.ResultPaid, PaidOn: date.Of(last, time.June, 27)}
			if !failed {
				r.Result, r.Reason, r.PaidOn, failed = payment.ResultFailed, "账户已冻结", date.Date{}, true
				st.Failed = it.Name
			}
			rows = append(rows, r)
		}
		if _, err := a.Reconcile(ctx, cast.Finance, b.County, b.ID, rows); err != nil {
			return nil, fmt.Errorf("demo: return file: %w", err)
		}
	}

	// This year: nine applications, each left at a stage of its own.
	// Cases 0–5 started a month ago; their notices have run their days
	// where a case is left before the notice's closing.
	ps := st.Cases
	set(today.AddDays(-30))
	ks := make([]CaseKey, current)
	for i := range 6 {
		d := today.AddDays(-30)
		ks[i] = s.apply(ps[i], today.Year(), d)
		s.survey(ks[i], d)
		s.villageReview(ks[i], d)
	}
	day = today.AddDays(-28)
	set(day)
	s.each(ks[:6], func(k CaseKey) { s.openNotice(cast.Village, k, day) }) // ends 21 days ago; case 0 stays there
	day = today.AddDays(-20)
	set(day)
	s.each(ks[1:6], func(k CaseKey) { s.closeNotice(cast.Village, k) }) // case 1 waits for the township review
	s.each(ks[2:6], func(k CaseKey) { s.review(cast.Township, k, true) })
	s.each(ks[2:6], func(k CaseKey) { s.openNotice(cast.Township, k, day) }) // case 2 stays, ended
	day = today.AddDays(-12)
	set(day)
	s.each(ks[3:6], func(k CaseKey) { s.closeNotice(cast.Township, k) }) // case 3 waits for the county
	s.each(ks[4:6], func(k CaseKey) { s.approve(k) })
	s.each(ks[4:6], func(k CaseKey) { s.openNotice(cast.County, k, day) }) // case 4 stays, ended
	day = today.AddDays(-4)
	set(day)
	s.closeNotice(cast.County, ks[5]) // case 5 is on the roll
	// Cases 6–8 came in this week: one waits for its survey, one for the
	// village review, one is under its village notice.
	day = today.AddDays(-3)
	set(day)
	for i := 6; i < 9; i++ {
		ks[i] = s.apply(ps[i], today.Year(), day)
	}
	s.survey(ks[7], day)
	s.survey(ks[8], day)
	s.villageReview(ks[8], day)
	day = today.AddDays(-1)
	set(day)
	s.openNotice(cast.Village, ks[8], day)
	if s.err != nil {
		return nil, s.err
	}
	return st, nil
}

// demoRun takes cases through the procedure's use cases, keeping the
// first error.
type demoRun struct {
	a       *App
	ctx     context.Context
	cast    DemoCast
	err     error
	notices map[CaseKey]int64
}

func (s *demoRun) fail(what string, k CaseKey, err error) {
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("demo: %s of case %s/%d: %w", what, k.County, k.ID, err)
	}
}

func (s *demoRun) each(ks []CaseKey, fn func(CaseKey)) {
	for _, k := range ks {
		if s.err == nil {
			fn(k)
		}
	}
}

// apply takes p's application as the village specialist, declaring what
// the registry holds.
func (s *demoRun) apply(p OutreachRow, year int, on date.Date) CaseKey {
	if s.err != nil {
		return CaseKey{}
	}
	form, err := s.a.ApplyForm(s.ctx, s.cast.Village, registry.Key{County: p.County, ID: p.PersonID})
	if err != nil {
		s.fail("application form", CaseKey{County: p.County}, err)
		return CaseKey{}
	}
	c, err := s.a.Apply(s.ctx, s.cast.Village, workflow.NewApplication{County: p.County, PersonID: p.PersonID, Program: DemoProgram,
		Year: year, Submitted: on, Application: workflow.Application{Declared: form.Known,
			Attachments: []string{"身份证复印件", "户口簿复印件", "结婚证复印件"}, Pledge: true}})
	if err != nil {
		s.fail("application", CaseKey{County: p.County}, err)
		return CaseKey{}
	}
	return CaseKey{County: c.County, ID: c.ID}
}

func (s *demoRun) survey(k CaseKey, on date.Date) {
	if s.err != nil {
		return
	}
	sv := workflow.Survey{Date: on, Visited: true, MetInPerson: true, Conclusion: workflow.ConclusionEligible,
		Investigators: []workflow.Investigator{{UserID: s.cast.Village.UserID}, {UserID: s.cast.Township2.UserID}},
		Evidence:      []string{"户口簿", "结婚证", "子女出生医学证明"}}
	for _, f := range workflow.Facts {
		sv.Findings = append(sv.Findings, workflow.Finding{Fact: f, Result: workflow.FindingConsistent})
	}
	_, err := s.a.Survey(s.ctx, s.cast.Village, k, sv)
	s.fail("survey", k, err)
}

func (s *demoRun) villageReview(k CaseKey, on date.Date) {
	if s.err != nil {
		return
	}
	_, err := s.a.VillageReview(s.ctx, s.cast.Village, k, workflow.VillageReview{Date: on, Outcome: workflow.ReviewAgree, Opinion: "同意上报",
		Participants: []workflow.Participant{{Name: "周德明", Role: "同龄村民"}, {Name: "吴长青", Role: "老党员"}, {Name: "郑家宝", Role: "村组干部"}}})
	s.fail("village review", k, err)
}

func (s *demoRun) openNotice(who auth.Actor, k CaseKey, on date.Date) {
	place := map[auth.Role]string{auth.RoleVillage: "村务公开栏", auth.RoleTownship: "乡镇政务公开栏", auth.RoleCounty: "县卫健委网站"}[who.Role]
	_, n, err := s.a.OpenNotice(s.ctx, who, k, workflow.NoticeInput{Start: on, Place: place})
	if err == nil {
		if s.notices == nil {
			s.notices = map[CaseKey]int64{}
		}
		s.notices[k] = n.ID
	}
	s.fail("notice", k, err)
}

func (s *demoRun) closeNotice(who auth.Actor, k CaseKey) {
	if s.err != nil {
		return
	}
	_, err := s.a.CloseNotice(s.ctx, who, k, s.notices[k])
	s.fail("closing the notice", k, err)
}

func (s *demoRun) review(who auth.Actor, k CaseKey, approve bool) {
	d := workflow.Decision{Outcome: workflow.Approve, Opinion: "经审核，符合条件，同意上报"}
	if !approve {
		d = workflow.Decision{Outcome: workflow.Defer, Opinion: "材料不全，暂缓"}
	}
	_, err := s.a.ReviewTownship(s.ctx, who, k, d)
	s.fail("township review", k, err)
}

func (s *demoRun) approve(k CaseKey) {
	_, err := s.a.ApproveCounty(s.ctx, s.cast.County, k, workflow.Decision{Outcome: workflow.Approve, Opinion: "同意，纳入奖励扶助名册"})
	s.fail("county approval", k, err)
}

// demoAccount makes the demo's n-th account number at bank: 19 digits
// ending in a valid Luhn check digit.
func demoAccount(bank string, n int) string {
	prefix := map[string]string{"103": "622848040256", "402": "621779020131"}[bank]
	if prefix == "" {
		prefix = "622700000000"
	}
	body := prefix + fmt.Sprintf("%06d", 100000+n*7919%900000)
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

// DemoPassword is the password of demo user username: derived from the
// key file with a purpose of its own, so that a restart prints the same
// logins without any password being stored.
func (a *App) DemoPassword(username string) string {
	if a.cfg.Keys == nil {
		return ""
	}
	h := a.cfg.Keys.Hash("demo-login", username)
	h = strings.NewReplacer("-", "x", "_", "y").Replace(h)
	return "demo-" + h[:8] + "7"
}
