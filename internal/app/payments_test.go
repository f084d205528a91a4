package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The staff of 仁和村 (341523100201), 城关镇 and 舒城县, and a finance
// officer of the neighbouring county.
var (
	villager  = auth.Actor{UserID: 101, Username: "cz", Name: "村专干", Role: auth.RoleVillage, Scope: "341523100201"}
	township  = auth.Actor{UserID: 201, Username: "xz", Name: "乡审核", Role: auth.RoleTownship, Scope: "341523100000"}
	county    = auth.Actor{UserID: 301, Username: "xian", Name: "县审批", Role: auth.RoleCounty, Scope: "341523"}
	finance   = auth.Actor{UserID: 401, Username: "cw", Name: "财政", Role: auth.RoleFinance, Scope: "341523"}
	neighbour = auth.Actor{UserID: 402, Username: "cw2", Name: "邻县财政", Role: auth.RoleFinance, Scope: "341522"}
	surveyor  = auth.Actor{UserID: 210, Username: "dc", Name: "李调查", Role: auth.RoleTownship, Scope: "341523100000"}
)

// addStaff stores the officers as users with their own ids, so that
// investigators can be picked by id.
func addStaff(t *testing.T, db *store.DB, actors ...auth.Actor) {
	t.Helper()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, a := range actors {
			if _, err := tx.Exec(context.Background(), `INSERT INTO users (id, username, display_name, role, region, password_hash,
				disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?) ON CONFLICT DO NOTHING`, a.UserID, a.Username, a.Name, string(a.Role),
				string(a.Scope), false, "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// clock is a settable clock at 09:00 in Beijing.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(day string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = date.MustParse(day).Time().Add(time.Hour)
}

type payEnv struct {
	t     *testing.T
	ctx   context.Context
	a     *app.App
	clock *clock
}

func newPayEnv(t *testing.T, db *store.DB) *payEnv {
	c := &clock{}
	c.set("2024-01-05")
	a := app.New(db, app.DefaultConfig(), nil)
	a.SetClock(c.now)
	addStaff(t, db, villager, township, county, finance, neighbour, surveyor)
	return &payEnv{t: t, ctx: context.Background(), a: a, clock: c}
}

// family registers a rural couple of 仁和村 with one son born in 1985 and
// returns the wife; seq keeps ID numbers apart.
func (e *payEnv) family(name, wifeBirth string, seq int) *registry.Record {
	e.t.Helper()
	var wife *registry.Record
	err := e.a.DB().Update(e.ctx, func(tx *store.Tx) error {
		reg := func(name, sex, birth string, n int) (*registry.Record, error) {
			b := date.MustParse(birth)
			return registry.Register(e.ctx, tx, auth.System, registry.NewPerson{Name: name, Sex: sex, Birth: b,
				IDNumber: string(idcard.Make("341523", b.Time(), n)), Region: "341523100201", HukouType: registry.Rural})
		}
		w, err := reg(name, "F", wifeBirth, seq*4)
		if err != nil {
			return err
		}
		h, err := reg("丈夫"+name, "M", "1958-01-01", seq*4+1)
		if err != nil {
			return err
		}
		c, err := reg("儿子"+name, "M", "1985-05-01", seq*4+3)
		if err != nil {
			return err
		}
		wk, hk := registry.Key{County: "341523", ID: w.ID}, registry.Key{County: "341523", ID: h.ID}
		if _, err := registry.AddMarriage(e.ctx, tx, auth.System, hk, wk, registry.Marriage{From: date.MustParse("1983-01-01")}, ""); err != nil {
			return err
		}
		yes := true
		for _, p := range []registry.Key{wk, hk} {
			if _, err := registry.AddChild(e.ctx, tx, auth.System, p, registry.Key{County: "341523", ID: c.ID},
				registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
				return err
			}
		}
		wife = w
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return wife
}

// enrol takes p's application for jf in year through the procedure's use
// cases, from the village's intake to the county's approval, starting on
// day, and returns the roll entry the approval made and the amount the
// engine decided for the year at the approval.
func (e *payEnv) enrol(p *registry.Record, year int, day string) (*roll.Recipient, money.Fen) {
	e.t.Helper()
	must := func(what string, err error) {
		e.t.Helper()
		if err != nil {
			e.t.Fatalf("%s: %v", what, err)
		}
	}
	start := date.MustParse(day)
	at := func(days int) date.Date {
		d := start.AddDays(days)
		e.clock.set(d.String())
		return d
	}
	at(0)
	c, err := e.a.Apply(e.ctx, villager, workflow.NewApplication{County: p.County, PersonID: p.ID, Program: "jf", Year: year,
		Application: workflow.Application{
			Declared:    workflow.Declared{HukouType: "rural", Marriage: "1983年初婚", Births: "1985年生育一子", Adoptions: "无", SurvivingChildren: 1},
			Attachments: []string{"身份证复印件", "户口簿复印件"}, Pledge: true}})
	must("apply", err)
	k := app.CaseKey{County: c.County, ID: c.ID}
	s := workflow.Survey{Date: at(1), Visited: true, MetInPerson: true, Conclusion: workflow.ConclusionEligible,
		Investigators: []workflow.Investigator{{UserID: villager.UserID}, {UserID: surveyor.UserID}},
		Evidence:      []string{"户口簿", "结婚证", "出生医学证明"}}
	for _, f := range workflow.Facts {
		s.Findings = append(s.Findings, workflow.Finding{Fact: f, Result: workflow.FindingConsistent})
	}
	_, err = e.a.Survey(e.ctx, villager, k, s)
	must("survey", err)
	_, err = e.a.VillageReview(e.ctx, villager, k, workflow.VillageReview{Date: at(2), Outcome: workflow.ReviewAgree, Opinion: "同意上报",
		Participants: []workflow.Participant{{Name: "赵一", Role: "同龄村民"}, {Name: "钱二", Role: "老党员"}, {Name: "孙三", Role: "村干部"}}})
	must("village review", err)
	notice := func(who auth.Actor, day int) {
		e.t.Helper()
		at(day)
		_, n, err := e.a.OpenNotice(e.ctx, who, k, workflow.NoticeInput{Place: "公示栏"})
		must("open notice", err)
		e.clock.set(n.End.String())
		_, err = e.a.CloseNotice(e.ctx, who, k, n.ID)
		must("close notice", err)
	}
	notice(villager, 3)
	at(12)
	_, err = e.a.ReviewTownship(e.ctx, township, k, workflow.Decision{Outcome: workflow.Approve, Opinion: "同意"})
	must("township review", err)
	notice(township, 13)
	at(22)
	ap, err := e.a.ApproveCounty(e.ctx, county, k, workflow.Decision{Outcome: workflow.Approve, Opinion: "同意"})
	must("county approval", err)
	if ap.Recipient == nil {
		e.t.Fatalf("the approval enrolled nobody: %+v", ap.Case)
	}
	if !ap.Case.Engine.Eligible {
		e.t.Fatalf("the engine finds %s ineligible: %+v", p.Name, ap.Case.Engine)
	}
	return ap.Recipient, ap.Case.Engine.AmountFen
}

func (e *payEnv) count(q string, args ...any) int {
	e.t.Helper()
	n := 0
	if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(e.ctx, q, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func linesOf(ls []payment.Line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = fmt.Sprintf("p%d %s %s %s %v %s", l.PersonID, l.Period, l.Kind, l.Amount, l.Split, l.Status)
	}
	return out
}

func diffsOf(r *payment.Consistency) []string {
	var out []string
	for _, d := range r.Differences {
		out = append(out, fmt.Sprintf("p%d %s %s/%s", d.PersonID, d.Kind, d.Due, d.Paid))
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// TestNeedsReviewIsNotPaid: a recipient on the roll whose family gains a
// child taken in without adoption papers after the 1992 adoption law can
// no longer be decided by the engine; a payment cycle, which decides each
// recipient with the family reader the batch uses, pays her nothing and
// the 库册一致 report gives the reason. Once the township rules the child
// does not count, a supplementary run pays her.
func TestNeedsReviewIsNotPaid(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w := e.family("王秀英", "1960-03-01", 1)
			e.enrol(w, 2024, "2024-02-01")
			var kid *registry.Record
			if err := e.a.DB().Update(ctx, func(tx *store.Tx) (err error) {
				b := date.MustParse("2003-05-01")
				kid, err = registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: "王小妹", Sex: "F", Birth: b,
					IDNumber: string(idcard.Make("341523", b.Time(), 50)), Region: "341523100201", HukouType: registry.Rural})
				if err != nil {
					return err
				}
				_, err = registry.AddChild(ctx, tx, auth.System, registry.Key{County: w.County, ID: w.ID}, registry.Key{County: kid.County, ID: kid.ID},
					registry.ParentChild{Kind: registry.AdoptionDeFacto, From: date.MustParse("2004-03-01")}, "")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			pd, err := e.a.PersonDecisions(ctx, auth.System, registry.Key{County: w.County, ID: w.ID}, 2024, "zh", false)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range pd.Decisions {
				if d.Program == "jf" && d.Status != policy.StatusReview {
					t.Fatalf("jf with a doubtful adoption: %s, want %s", d.Status, policy.StatusReview)
				}
			}

			e.clock.set("2024-06-20")
			c, lines, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "cycle", linesOf(lines), nil)
			rep, err := e.a.Consistency(ctx, finance, "341523", c.ID, "zh")
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "consistency", diffsOf(rep.Consistency), []string{fmt.Sprintf("p%d not_eligible 0.00/0.00", w.ID)})
			if len(rep.Differences) == 1 && !strings.Contains(rep.Differences[0].Detail, "收养") {
				t.Errorf("the report does not give the doubtful adoption as the reason: %q", rep.Differences[0].Detail)
			}

			if err := e.a.RuleOnAdoption(ctx, township, registry.Key{County: kid.County, ID: kid.ID}, registry.RulingNotCounted, "寄养，非收养，已核实"); err != nil {
				t.Fatal(err)
			}
			sup, err := e.a.SupplementCycle(ctx, finance, "341523", c.ID)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "supplement", linesOf(sup.Lines), []string{fmt.Sprintf("p%d 2024 regular 960.00 [576.00 230.40 76.80 76.80] pending", w.ID)})
		})
	}
}

// TestEnrolmentIsPaid follows the journey from the procedure to the bank:
// a person enrolled through the use cases is paid by the next cycle, in
// the amount the policy engine decides then, with no batch evaluation in
// between; a person enrolled after the cycle shows in the 库册一致 report
// and is added by a supplementary run, once.
func TestEnrolmentIsPaid(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w1 := e.family("王秀英", "1960-03-01", 1)
			r1, due := e.enrol(w1, 2024, "2024-02-01")
			if n := e.count(`SELECT COUNT(*) FROM determinations`); n != 0 {
				t.Fatalf("%d determinations stored: the journey must not need them", n)
			}

			// The cycle pays her what the engine decides: 960 yuan, 60 %
			// central and the rest shared 60:20:20 by Anhui's province,
			// city and county.
			e.clock.set("2024-06-20")
			c, lines, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "cycle", linesOf(lines), []string{fmt.Sprintf("p%d 2024 regular 960.00 [576.00 230.40 76.80 76.80] pending", w1.ID)})
			if c.Lines != 1 || c.Total != due || lines[0].Amount != due || lines[0].RecipientID != r1.ID {
				t.Errorf("cycle %+v, line %+v", c, lines[0])
			}
			if _, _, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second generation: %v", err)
			}

			// A second person is enrolled after the cycle, and a third
			// stands on the roll without the family the rules ask for.
			w2 := e.family("李桂兰", "1962-07-01", 2)
			e.enrol(w2, 2024, "2024-07-01")
			var w3 *registry.Record
			if err := e.a.DB().Update(ctx, func(tx *store.Tx) error {
				b := date.MustParse("1961-02-01")
				w3, err = registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: "赵玉珍", Sex: "F", Birth: b,
					IDNumber: string(idcard.Make("341523", b.Time(), 40)), Region: "341523100201", HukouType: registry.Rural})
				if err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, start_month,
					status, created_at, updated_at) VALUES ('341523', 900, ?, 'jf', '341523100201', '2023-03-01', 2023, 1, 'active', ?, ?)`,
					w3.ID, tx.Now(), tx.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			rep, err := e.a.Consistency(ctx, finance, "341523", c.ID, "zh")
			if err != nil {
				t.Fatal(err)
			}
			// Every roll entry without a line is there, with the reason.
			equal(t, "before the supplement", diffsOf(rep.Consistency), []string{
				fmt.Sprintf("p%d no_account 960.00/960.00", w1.ID),
				fmt.Sprintf("p%d not_paid 960.00/0.00", w2.ID),
				fmt.Sprintf("p%d not_eligible 0.00/0.00", w3.ID),
			})
			kinds := map[string]payment.Difference{}
			for _, d := range rep.Differences {
				kinds[fmt.Sprintf("p%d %s", d.PersonID, d.Kind)] = d
			}
			if d, ok := kinds[fmt.Sprintf("p%d not_paid", w2.ID)]; !ok || d.Due != 96000 || !strings.Contains(d.Detail, "补充生成") {
				t.Errorf("the second enrolment is not reported as due: %v", rep.Differences)
			}
			if d, ok := kinds[fmt.Sprintf("p%d not_eligible", w3.ID)]; !ok || !strings.Contains(d.Detail, "子女") {
				t.Errorf("the roll entry the rules refuse is not reported with the failing clause: %v", rep.Differences)
			}
			if rep.Consistent || rep.NoLine != 2 || rep.OnRoll != 2 || rep.Program == "" {
				t.Errorf("report = %+v", rep.Consistency)
			}

			// The supplementary run adds her, once.
			sup, err := e.a.SupplementCycle(ctx, finance, "341523", c.ID)
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "supplement", linesOf(sup.Lines), []string{fmt.Sprintf("p%d 2024 regular 960.00 [576.00 230.40 76.80 76.80] pending", w2.ID)})
			if sup.Cycle.Lines != 2 || sup.Cycle.Total != 192000 || sup.Lines[0].CycleID != c.ID {
				t.Errorf("supplemented cycle %+v", sup.Cycle)
			}
			if _, err := e.a.SupplementCycle(ctx, finance, "341523", c.ID); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second supplement: %v", err)
			}
			v, err := e.a.Cycle(ctx, finance, "341523", c.ID, app.CycleQuery{})
			if err != nil {
				t.Fatal(err)
			}
			if v.Cycle.Lines != 2 || v.Cycle.Total != 192000 || v.Matched != 2 {
				t.Errorf("stored cycle %+v, %d lines", v.Cycle, v.Matched)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'payment.cycle.supplement'`); n != 1 {
				t.Errorf("%d supplement audit entries", n)
			}
			rep, err = e.a.Consistency(ctx, finance, "341523", c.ID, "zh")
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "after the supplement", diffsOf(rep.Consistency), []string{
				fmt.Sprintf("p%d no_account 960.00/960.00", w1.ID),
				fmt.Sprintf("p%d no_account 960.00/960.00", w2.ID),
				fmt.Sprintf("p%d not_eligible 0.00/0.00", w3.ID),
			})
			if rep.Consistent || rep.NoLine != 1 {
				t.Errorf("after the supplement: %+v", rep.Consistency)
			}
			// Once the roll drops the entry the rules refuse, the rolls agree.
			if err := e.a.DB().Update(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE recipients SET status = 'exited', last_month = ? WHERE county = '341523' AND id = 900`, 2023*12+11)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			rep, err = e.a.Consistency(ctx, finance, "341523", c.ID, "zh")
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Consistent || rep.NoLine != 1 || rep.PaidLines != 2 {
				t.Errorf("after the exit: %+v %v", rep.Consistency, diffsOf(rep.Consistency))
			}
			for _, d := range rep.Differences {
				if d.PersonID == w3.ID && (d.Kind != payment.DiffNotDue || !strings.Contains(d.Detail, "退出")) {
					t.Errorf("the exited entry: %+v", d)
				}
			}
		})
	}
}

// TestSupplementRefusals checks who may run a supplementary run: a
// finance officer of another county is refused and the refusal audited;
// the county approver may read the report but not pay.
func TestSupplementRefusals(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			w := e.family("王秀英", "1960-03-01", 1)
			e.enrol(w, 2024, "2024-02-01")
			e.clock.set("2024-06-20")
			c, _, err := e.a.GenerateCycle(e.ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"})
			if err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				who  auth.Actor
				kind apperr.Kind
			}{
				{neighbour, apperr.Forbidden},
				{county, apperr.Forbidden},
				{finance, apperr.Conflict}, // nobody to add
			}
			for _, tt := range tests {
				_, err := e.a.SupplementCycle(app.WithRequest(e.ctx, app.Request{Door: "api", Method: "POST", Route: "/api/v1/payment-cycles/{county}/{id}/supplement"}),
					tt.who, "341523", c.ID)
				if apperr.KindOf(err) != tt.kind {
					t.Errorf("%s: err %v, want %s", tt.who.Username, err, tt.kind)
				}
			}
			// Each refusal is on the refused officer's own chain.
			n := 0
			for _, chain := range []string{"341522", "341523"} {
				var es []audit.Entry
				if err := e.a.DB().View(e.ctx, func(tx *store.Tx) (err error) {
					es, err = tx.AuditEntries(e.ctx, "", store.AuditFilter{County: chain, Entity: "payment_cycle", Limit: 1000})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				for _, en := range es {
					if en.Action == "access.denied" && en.Region == "341523" && strings.Contains(en.After, "payment.cycle.supplement") {
						n++
					}
				}
			}
			if n != 2 {
				t.Errorf("%d refusals audited, want 2", n)
			}
			if _, err := e.a.Consistency(e.ctx, county, "341523", c.ID, "zh"); err != nil {
				t.Errorf("the county approver reads the report: %v", err)
			}
		})
	}
}

// TestConcurrentSupplements runs two supplementary runs of one cycle at
// once, each on its own connection: the missing lines are added once.
func TestConcurrentSupplements(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := storetest.URL(t, engine)
			ctx := context.Background()
			var envs [2]*payEnv
			for i := range envs {
				db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if i == 0 {
					if err := db.Migrate(ctx); err != nil {
						t.Fatal(err)
					}
				}
				envs[i] = newPayEnv(t, db)
			}
			e := envs[0]
			w := e.family("王秀英", "1960-03-01", 1)
			e.enrol(w, 2024, "2024-02-01")
			e.clock.set("2024-06-20")
			c, _, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2024"})
			if err != nil {
				t.Fatal(err)
			}
			for round, names := range [][]string{{"李桂兰", "赵玉珍", "钱秀兰"}, {"孙桂芳"}} {
				var added []int64
				for i, name := range names {
					p := e.family(name, "1961-01-01", 2+round*10+i)
					e.enrol(p, 2024, "2024-07-01")
					added = append(added, p.ID)
				}
				envs[0].clock.set("2024-09-01")
				envs[1].clock.set("2024-09-01")
				start := make(chan struct{})
				errs := make(chan error, len(envs))
				var mu sync.Mutex
				var got []payment.Line
				for _, env := range envs {
					go func(env *payEnv) {
						<-start
						sup, err := env.a.SupplementCycle(ctx, finance, "341523", c.ID)
						if err == nil {
							mu.Lock()
							got = append(got, sup.Lines...)
							mu.Unlock()
						}
						errs <- err
					}(env)
				}
				close(start)
				var ok, conflict int
				for range envs {
					switch err := <-errs; {
					case err == nil:
						ok++
					case apperr.KindOf(err) == apperr.Conflict:
						conflict++
					default:
						t.Errorf("round %d: %v", round, err)
					}
				}
				if ok != 1 || conflict != 1 || len(got) != len(added) {
					t.Errorf("round %d: %d succeeded, %d conflicted, %d lines added; want 1, 1, %d", round, ok, conflict, len(got), len(added))
				}
				want := 1 + round*3 + len(added)
				lines := e.count(`SELECT COUNT(*) FROM payment_lines WHERE county = '341523' AND cycle_id = ?`, c.ID)
				dup := e.count(`SELECT COUNT(*) FROM (SELECT person_id FROM payment_lines WHERE county = '341523' AND revision = 0
					GROUP BY person_id, program, period HAVING COUNT(*) > 1) d`)
				counted := e.count(`SELECT line_count FROM payment_cycles WHERE county = '341523' AND id = ?`, c.ID)
				total := e.count(`SELECT total_fen FROM payment_cycles WHERE county = '341523' AND id = ?`, c.ID)
				if lines != want || dup != 0 || counted != want || money.Fen(total) != money.Fen(want)*96000 {
					t.Errorf("round %d: %d lines, %d duplicated, cycle counts %d lines %d fen; want %d lines", round, lines, dup, counted, total, want)
				}
			}
		})
	}
}
