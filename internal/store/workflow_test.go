package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// The actors of the procedure tests: 仁和村 (341523100201) of 城关镇
// (341523100000), 舒城县 (341523).
var (
	wfVillage   = auth.Actor{UserID: 101, Username: "cz1", Name: "村专干甲", Role: auth.RoleVillage, Scope: "341523100201"}
	wfVillage2  = auth.Actor{UserID: 102, Username: "cz2", Name: "村专干乙", Role: auth.RoleVillage, Scope: "341523100202"}
	wfTownship  = auth.Actor{UserID: 201, Username: "xz1", Name: "乡审核甲", Role: auth.RoleTownship, Scope: "341523100000"}
	wfTownship2 = auth.Actor{UserID: 202, Username: "xz2", Name: "乡审核乙", Role: auth.RoleTownship, Scope: "341523100000"}
	wfOtherTown = auth.Actor{UserID: 203, Username: "xz3", Name: "他乡审核", Role: auth.RoleTownship, Scope: "341523101000"}
	wfCounty    = auth.Actor{UserID: 301, Username: "xian1", Name: "县审批甲", Role: auth.RoleCounty, Scope: "341523"}
	wfCounty2   = auth.Actor{UserID: 302, Username: "xian2", Name: "县审批乙", Role: auth.RoleCounty, Scope: "341523"}
	wfFinance   = auth.Actor{UserID: 401, Username: "cw", Name: "财政", Role: auth.RoleFinance, Scope: "341523"}
	wfSuper     = auth.Actor{UserID: 501, Username: "jd", Name: "监督", Role: auth.RoleSupervisor, Scope: "341523"}
	// wfSurveyor is the township officer who joins the village specialist
	// in household surveys.
	wfSurveyor = auth.Actor{UserID: 210, Username: "dc1", Name: "李调查", Role: auth.RoleTownship, Scope: "341523100000"}
)

// wfStaff are the procedure tests' officers, stored as users so that
// investigators can be picked by id.
var wfStaff = []auth.Actor{wfVillage, wfVillage2, wfTownship, wfTownship2, wfOtherTown, wfCounty, wfCounty2, wfFinance, wfSuper, wfSurveyor}

// addStaff stores actors as users with their own ids.
func addStaff(t *testing.T, db *store.DB, actors ...auth.Actor) {
	t.Helper()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, a := range actors {
			if _, err := tx.Exec(context.Background(), `INSERT INTO users (id, username, display_name, role, region, password_hash,
				disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?)`, a.UserID, a.Username, a.Name, string(a.Role),
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

// wfClock is a settable clock; the time is 09:00 in Beijing.
type wfClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *wfClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *wfClock) set(day string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = date.MustParse(day).Time().Add(1 * time.Hour) // 01:00 UTC
}

type wfEnv struct {
	t     *testing.T
	db    *store.DB
	clock *wfClock
	eng   *policy.Evaluator
	ctx   context.Context
}

func newWfEnv(t *testing.T, engine store.Engine) *wfEnv {
	t.Helper()
	db := storetest.Open(t, engine)
	c := &wfClock{}
	c.set("2024-01-05")
	db.Now = c.now
	eng, err := policy.NewEvaluator(policy.Options{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	addStaff(t, db, wfStaff...)
	return &wfEnv{t: t, db: db, clock: c, eng: eng, ctx: context.Background()}
}

// do runs fn in one transaction and returns its error.
func (e *wfEnv) do(fn func(tx *store.Tx) error) error {
	return e.db.Update(e.ctx, fn)
}

// must runs fn and fails the test on error.
func (e *wfEnv) must(what string, fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.do(fn); err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
}

// family registers a rural couple of 仁和村 with one daughter and returns
// the wife, the husband and the daughter. seq keeps ID numbers apart.
func (e *wfEnv) family(wifeBirth, husbandBirth, childBirth string, seq int) (w, h, c *registry.Record) {
	e.t.Helper()
	w = register(e.t, e.db, person(e.t, "王秀英", "F", wifeBirth, seq))
	h = register(e.t, e.db, person(e.t, "张建国", "M", husbandBirth, seq+1))
	c = register(e.t, e.db, person(e.t, "张丽", "F", childBirth, seq+2))
	yes := true
	e.must("family", func(tx *store.Tx) error {
		if _, err := registry.AddMarriage(e.ctx, tx, villager, registry.Key{County: w.County, ID: h.ID}, registry.Key{County: w.County, ID: w.ID},
			registry.Marriage{From: date.MustParse(husbandBirth).AddDays(365 * 23)}, ""); err != nil {
			return err
		}
		for _, p := range []*registry.Record{w, h} {
			if _, err := registry.AddChild(e.ctx, tx, villager, registry.Key{County: p.County, ID: p.ID}, registry.Key{County: c.County, ID: c.ID},
				registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
				return err
			}
		}
		return nil
	})
	return w, h, c
}

func wfApplication(p *registry.Record, program string, year int) workflow.NewApplication {
	return workflow.NewApplication{County: p.County, PersonID: p.ID, Program: program, Year: year,
		Application: workflow.Application{
			Declared:    workflow.Declared{HukouType: "rural", Marriage: "1986年初婚", Births: "1987年生育一女", Adoptions: "无", SurvivingChildren: 1},
			Attachments: []string{"身份证复印件", "户口簿复印件", "结婚证复印件"}, Pledge: true}}
}

func wfSurvey(day string, by auth.Actor, conclusion string) workflow.Survey {
	s := workflow.Survey{Date: date.MustParse(day), Visited: true, MetInPerson: true,
		Investigators: []workflow.Investigator{{UserID: by.UserID}, {UserID: wfSurveyor.UserID}},
		Evidence:      []string{"户口簿", "结婚证", "出生医学证明"}, Conclusion: conclusion}
	for _, f := range workflow.Facts {
		s.Findings = append(s.Findings, workflow.Finding{Fact: f, Result: workflow.FindingConsistent})
	}
	return s
}

func wfReview(day string) workflow.VillageReview {
	return workflow.VillageReview{Date: date.MustParse(day), Outcome: workflow.ReviewAgree, Opinion: "同意上报",
		Participants: []workflow.Participant{{Name: "赵一", Role: "同龄村民"}, {Name: "钱二", Role: "老党员"}, {Name: "孙三", Role: "村干部"}}}
}

// caseAt takes an application for p and drives it to state want through
// the normal steps (village specialist, township, county), moving the
// clock through 2024.
func (e *wfEnv) caseAt(p *registry.Record, program string, want workflow.State) *workflow.Case {
	e.t.Helper()
	var c *workflow.Case
	step := func(what string, fn func(tx *store.Tx) (*workflow.Case, error)) bool {
		e.t.Helper()
		e.must(what, func(tx *store.Tx) error {
			var err error
			c, err = fn(tx)
			return err
		})
		return c.State == want
	}
	e.clock.set("2024-01-10")
	if step("apply", func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.Apply(e.ctx, tx, e.eng, wfVillage, wfApplication(p, program, 2024))
	}) {
		return c
	}
	e.clock.set("2024-01-20")
	if step("survey", func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.RecordSurvey(e.ctx, tx, wfVillage, c.County, c.ID, wfSurvey("2024-01-20", wfVillage, workflow.ConclusionEligible))
	}) {
		return c
	}
	e.clock.set("2024-01-25")
	if step("village review", func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.RecordVillageReview(e.ctx, tx, wfVillage, c.County, c.ID, wfReview("2024-01-25"))
	}) {
		return c
	}
	notice := func(what string, a auth.Actor, start string) {
		e.t.Helper()
		e.clock.set(start)
		var n *workflow.Notice
		if step(what+" open", func(tx *store.Tx) (*workflow.Case, error) {
			var err error
			var cc *workflow.Case
			cc, n, err = workflow.OpenNotice(e.ctx, tx, a, c.County, c.ID, workflow.NoticeInput{Place: "公示栏"})
			return cc, err
		}) {
			return
		}
		e.clock.set(n.End.String())
		step(what+" close", func(tx *store.Tx) (*workflow.Case, error) {
			return workflow.CloseNotice(e.ctx, tx, a, c.County, c.ID, n.ID)
		})
	}
	if notice("village notice", wfVillage, "2024-02-01"); c.State == want {
		return c
	}
	e.clock.set("2024-02-20")
	if step("township review", func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.ReviewTownship(e.ctx, tx, e.eng, wfTownship, c.County, c.ID, workflow.Decision{Outcome: workflow.Approve, Opinion: "同意"})
	}) {
		return c
	}
	if notice("township notice", wfTownship, "2024-02-21"); c.State == want {
		return c
	}
	e.clock.set("2024-03-10")
	if step("county approval", func(tx *store.Tx) (*workflow.Case, error) {
		return workflow.ApproveCounty(e.ctx, tx, e.eng, wfCounty, c.County, c.ID, workflow.Decision{Outcome: workflow.Approve, Opinion: "同意"})
	}) {
		return c
	}
	notice("county notice", wfCounty, "2024-03-11")
	if c.State != want {
		e.t.Fatalf("case reached %s, not %s", c.State, want)
	}
	return c
}

func (e *wfEnv) get(c *workflow.Case) *workflow.History {
	e.t.Helper()
	var h *workflow.History
	err := e.db.View(e.ctx, func(tx *store.Tx) error {
		var err error
		h, err = workflow.Get(e.ctx, tx, wfCounty, c.County, c.ID)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return h
}

func (e *wfEnv) countAudit(county, action string) int {
	e.t.Helper()
	n := 0
	err := e.db.View(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(e.ctx, `SELECT COUNT(*) FROM audit_log WHERE county = ? AND action = ?`, county, action).Scan(&n)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestCaseProcedureToRoll(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 10)
			c := e.caseAt(w, "jf", workflow.Enrolled)

			h := e.get(c)
			var steps []workflow.Step
			for _, s := range h.Steps {
				steps = append(steps, s.Step)
				if s.Signature.UserID == 0 || s.Signature.At.IsZero() {
					t.Errorf("step %s is not signed: %+v", s.Step, s.Signature)
				}
			}
			wantSteps := []workflow.Step{workflow.StepApply, workflow.StepSurvey, workflow.StepVillageReview,
				workflow.StepNoticeOpen, workflow.StepNoticeClose, workflow.StepTownshipReview, workflow.StepNoticeOpen,
				workflow.StepNoticeClose, workflow.StepCountyApproval, workflow.StepNoticeOpen, workflow.StepNoticeClose}
			if len(steps) != len(wantSteps) {
				t.Fatalf("history = %v, want %v", steps, wantSteps)
			}
			for i := range steps {
				if steps[i] != wantSteps[i] {
					t.Errorf("step %d = %s, want %s", i, steps[i], wantSteps[i])
				}
			}
			if len(h.Notices) != 3 || h.Notices[0].Level != workflow.LevelVillage || h.Notices[2].Level != workflow.LevelCounty {
				t.Errorf("notices = %+v, want village, township and county", h.Notices)
			}
			for _, n := range h.Notices {
				if got := n.End.Time().Sub(n.Start.Time()); got != 7*24*time.Hour || n.Status != workflow.NoticeClosed {
					t.Errorf("notice %s: %s–%s %s, want 7 days and closed", n.Level, n.Start, n.End, n.Status)
				}
			}
			if h.Case.Engine == nil || !h.Case.Engine.Eligible || h.Case.Engine.AmountFen != 120000 || len(h.Case.Engine.Clauses) == 0 {
				t.Errorf("engine decision = %+v, want eligible 1,200 yuan (Anhui only daughter) with clauses", h.Case.Engine)
			}
			r := h.Recipient
			if r == nil {
				t.Fatal("no recipient after county approval")
			}
			if r.Program != "jf" || r.Status != roll.StatusActive || r.StartYear != 2024 || r.StartMonth != 1 ||
				r.Confirmed != date.MustParse("2024-03-10") || r.CaseID != c.ID || r.PersonID != w.ID {
				t.Errorf("recipient = %+v, want jf active from 2024-01 confirmed 2024-03-10", r)
			}
			if h.Applicant.IDNumber == w.IDNumber || len(h.Applicant.IDNumber) != 18 {
				t.Errorf("applicant ID number %q is not masked", h.Applicant.IDNumber)
			}
			// Every step is in the audit chain, which verifies.
			for action, want := range map[string]int{"case.apply": 1, "case.survey": 1, "case.notice_open": 3,
				"case.notice_close": 3, "case.county_approval": 1, "recipient.create": 1} {
				if got := e.countAudit(w.County, action); got != want {
					t.Errorf("audit %s: %d entries, want %d", action, got, want)
				}
			}
			v, err := e.db.VerifyAudit(e.ctx, nil)
			if err != nil || len(v.Problems) > 0 {
				t.Errorf("audit chain: %v %v", err, v.Problems)
			}
			// A second application for the same program is refused.
			err = e.do(func(tx *store.Tx) error {
				_, err := workflow.Apply(e.ctx, tx, e.eng, wfVillage, wfApplication(w, "jf", 2025))
				return err
			})
			if apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("second application: %v, want Conflict", err)
			}
		})
	}
}

// TestIllegalTransitions checks that each step is refused with a Conflict
// from a state that does not allow it, and that the refusal changes
// nothing.
func TestIllegalTransitions(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 20)
			c := e.caseAt(w, "jf", workflow.Applied)
			e.clock.set("2024-02-20")
			tests := []struct {
				name string
				fn   func(tx *store.Tx) error
			}{
				{"village review before the survey", func(tx *store.Tx) error {
					_, err := workflow.RecordVillageReview(e.ctx, tx, wfVillage, c.County, c.ID, wfReview("2024-01-25"))
					return err
				}},
				{"notice before the review", func(tx *store.Tx) error {
					_, _, err := workflow.OpenNotice(e.ctx, tx, wfVillage, c.County, c.ID, workflow.NoticeInput{Place: "村部"})
					return err
				}},
				{"township review now", func(tx *store.Tx) error {
					_, err := workflow.ReviewTownship(e.ctx, tx, e.eng, wfTownship, c.County, c.ID, workflow.Decision{Outcome: workflow.Approve})
					return err
				}},
				{"county approval now", func(tx *store.Tx) error {
					_, err := workflow.ApproveCounty(e.ctx, tx, e.eng, wfCounty, c.County, c.ID, workflow.Decision{Outcome: workflow.Approve})
					return err
				}},
				{"resolve without an objection", func(tx *store.Tx) error {
					_, err := workflow.ResolveObjection(e.ctx, tx, wfTownship, c.County, c.ID, 1, workflow.Resolved{Outcome: "dismissed", Note: "x"})
					return err
				}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := e.do(tt.fn)
					ae, _ := apperr.As(err)
					if apperr.KindOf(err) != apperr.Conflict || ae == nil || ae.ZH == "" || ae.EN == "" {
						t.Fatalf("got %v, want a Conflict with zh and en messages", err)
					}
				})
			}
			h := e.get(c)
			if h.Case.State != workflow.Applied || h.Case.Version != 1 || len(h.Steps) != 1 {
				t.Errorf("after refusals: state %s version %d steps %d, want applied 1 1", h.Case.State, h.Case.Version, len(h.Steps))
			}
		})
	}
}

// TestRolesScopeAndSeparation checks who may sign which step.
func TestRolesScopeAndSeparation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 30)
			w2, _, _ := e.family("1963-07-01", "1961-03-01", "1988-04-12", 40)
			applied := e.caseAt(w, "jf", workflow.Applied)
			// The second case is surveyed jointly by the township officer 甲.
			e.clock.set("2024-01-10")
			var joint *workflow.Case
			e.must("apply 2", func(tx *store.Tx) error {
				var err error
				joint, err = workflow.Apply(e.ctx, tx, e.eng, wfVillage, wfApplication(w2, "jf", 2024))
				return err
			})
			e.clock.set("2024-01-20")
			e.must("joint survey", func(tx *store.Tx) error {
				_, err := workflow.RecordSurvey(e.ctx, tx, wfTownship, joint.County, joint.ID, wfSurvey("2024-01-20", wfTownship, workflow.ConclusionEligible))
				return err
			})
			e.clock.set("2024-01-25")
			e.must("review 2", func(tx *store.Tx) error {
				_, err := workflow.RecordVillageReview(e.ctx, tx, wfVillage, joint.County, joint.ID, wfReview("2024-01-25"))
				return err
			})
			e.clock.set("2024-02-01")
			var n *workflow.Notice
			e.must("notice 2", func(tx *store.Tx) error {
				var err error
				_, n, err = workflow.OpenNotice(e.ctx, tx, wfVillage, joint.County, joint.ID, workflow.NoticeInput{Place: "村部"})
				return err
			})
			e.clock.set("2024-02-08")
			e.must("close 2", func(tx *store.Tx) error {
				_, err := workflow.CloseNotice(e.ctx, tx, wfVillage, joint.County, joint.ID, n.ID)
				return err
			})
			// The village specialist who took the application, later made a
			// county approver, keeps the same user id.
			promoted := wfVillage
			promoted.Role, promoted.Scope = auth.RoleCounty, "341523"

			survey := func(a auth.Actor) func(tx *store.Tx) error {
				return func(tx *store.Tx) error {
					_, err := workflow.RecordSurvey(e.ctx, tx, a, applied.County, applied.ID, wfSurvey("2024-01-20", a, workflow.ConclusionEligible))
					return err
				}
			}
			township := func(a auth.Actor) func(tx *store.Tx) error {
				return func(tx *store.Tx) error {
					_, err := workflow.ReviewTownship(e.ctx, tx, e.eng, a, joint.County, joint.ID, workflow.Decision{Outcome: workflow.Approve})
					return err
				}
			}
			e.clock.set("2024-02-20")
			tests := []struct {
				name string
				fn   func(tx *store.Tx) error
				want apperr.Kind
			}{
				{"finance cannot survey", survey(wfFinance), apperr.Forbidden},
				{"supervisor cannot survey", survey(wfSuper), apperr.Forbidden},
				{"another village cannot survey", survey(wfVillage2), apperr.NotFound},
				{"another township cannot survey", survey(wfOtherTown), apperr.NotFound},
				{"finance cannot review", township(wfFinance), apperr.Forbidden},
				{"village cannot do the township review", township(wfVillage), apperr.Forbidden},
				{"county cannot do the township review", township(wfCounty), apperr.Forbidden},
				{"the surveyor cannot do the township review", township(wfTownship), apperr.Forbidden},
				{"the applicant-taker cannot review even with another role", township(auth.Actor{UserID: wfVillage.UserID,
					Username: "cz1", Role: auth.RoleTownship, Scope: "341523100000"}), apperr.Forbidden},
				{"another township officer may review", township(wfTownship2), 0},
				{"the taker cannot approve", func(tx *store.Tx) error {
					_, err := workflow.ApproveCounty(e.ctx, tx, e.eng, promoted, joint.County, joint.ID, workflow.Decision{Outcome: workflow.Approve})
					return err
				}, apperr.Conflict}, // after the review above the case awaits the township notice
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := e.do(tt.fn)
					if tt.want == 0 {
						if err != nil {
							t.Fatalf("got %v, want success", err)
						}
						return
					}
					if got := apperr.KindOf(err); got != tt.want || err == nil {
						t.Fatalf("got %v (%v), want %v", got, err, tt.want)
					}
				})
			}
			// Drive the joint case to the county and check the separation
			// there: the township surveyor (now promoted) and the taker.
			e.clock.set("2024-02-21")
			e.must("township notice", func(tx *store.Tx) error {
				var err error
				_, n, err = workflow.OpenNotice(e.ctx, tx, wfTownship2, joint.County, joint.ID, workflow.NoticeInput{Place: "镇政府公示栏"})
				return err
			})
			e.clock.set("2024-02-28")
			e.must("township notice close", func(tx *store.Tx) error {
				_, err := workflow.CloseNotice(e.ctx, tx, wfTownship2, joint.County, joint.ID, n.ID)
				return err
			})
			surveyorPromoted := wfTownship
			surveyorPromoted.Role, surveyorPromoted.Scope = auth.RoleCounty, "341523"
			reviewerPromoted := wfTownship2
			reviewerPromoted.Role, reviewerPromoted.Scope = auth.RoleCounty, "341523"
			for _, a := range []auth.Actor{promoted, surveyorPromoted, reviewerPromoted} {
				err := e.do(func(tx *store.Tx) error {
					_, err := workflow.ApproveCounty(e.ctx, tx, e.eng, a, joint.County, joint.ID, workflow.Decision{Outcome: workflow.Approve})
					return err
				})
				if apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("county approval by user %d, who signed an earlier step: %v, want Forbidden", a.UserID, err)
				}
			}
			e.must("county approval by an unrelated approver", func(tx *store.Tx) error {
				_, err := workflow.ApproveCounty(e.ctx, tx, e.eng, wfCounty2, joint.County, joint.ID, workflow.Decision{Outcome: workflow.Approve})
				return err
			})
		})
	}
}

func TestSurveyAndReviewContent(t *testing.T) {
	c := &workflow.Case{Submitted: date.MustParse("2024-01-10")}
	now := date.MustParse("2024-02-01")
	good := wfSurvey("2024-01-20", wfVillage, workflow.ConclusionEligible)
	tests := []struct {
		name  string
		edit  func(s *workflow.Survey)
		field string
	}{
		{"good", func(s *workflow.Survey) {}, ""},
		{"not visited", func(s *workflow.Survey) { s.Visited = false }, "visited"},
		{"not met", func(s *workflow.Survey) { s.MetInPerson = false }, "met_in_person"},
		{"one investigator", func(s *workflow.Survey) { s.Investigators = s.Investigators[:1] }, "investigators"},
		{"the same investigator twice", func(s *workflow.Survey) { s.Investigators[1].UserID = s.Investigators[0].UserID }, "investigators"},
		{"an investigator typed, not picked", func(s *workflow.Survey) { s.Investigators[1] = workflow.Investigator{Name: "李调查"} }, "investigators[1].user_id"},
		{"no evidence", func(s *workflow.Survey) { s.Evidence = []string{" "} }, "evidence"},
		{"a fact unchecked", func(s *workflow.Survey) { s.Findings = s.Findings[1:] }, "findings"},
		{"doubt unexplained", func(s *workflow.Survey) { s.Findings[0].Result = workflow.FindingDoubtful }, "findings[0].note"},
		{"no conclusion", func(s *workflow.Survey) { s.Conclusion = "" }, "conclusion"},
		{"before the application", func(s *workflow.Survey) { s.Date = date.MustParse("2024-01-09") }, "date"},
		{"in the future", func(s *workflow.Survey) { s.Date = date.MustParse("2024-02-02") }, "date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			s.Investigators = append([]workflow.Investigator{}, good.Investigators...)
			s.Findings = append([]workflow.Finding{}, good.Findings...)
			tt.edit(&s)
			err := s.Validate(c, now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			l, ok := err.(apperr.List)
			found := false
			for _, e := range l {
				found = found || e.Field == tt.field
			}
			if !ok || !found {
				t.Errorf("Validate = %v, want a problem on %s", err, tt.field)
			}
		})
	}
	r := wfReview("2024-01-25")
	r.Participants = r.Participants[:2]
	if err := r.Validate(date.MustParse("2024-01-20"), now); err == nil {
		t.Error("a review with two participants was accepted")
	}
	r = wfReview("2024-01-25")
	r.Outcome = workflow.ReviewDisagree
	if err := r.Validate(date.MustParse("2024-01-20"), now); err == nil {
		t.Error("a disagreement without reasons was accepted")
	}
}

// TestNotices checks notice periods, early closing and objections.
func TestNotices(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 50)
			c := e.caseAt(w, "jf", workflow.VillageReviewed)
			e.clock.set("2024-02-01")
			// The county sets a 10-day notice period.
			e.must("set notice days", func(tx *store.Tx) error {
				return workflow.SetNoticeDays(e.ctx, tx, wfCounty, "341523", 10)
			})
			err := e.do(func(tx *store.Tx) error {
				_, _, err := workflow.OpenNotice(e.ctx, tx, wfVillage, c.County, c.ID, workflow.NoticeInput{Place: "村部", End: date.MustParse("2024-02-08")})
				return err
			})
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("a 7-day notice where 10 days are required: %v, want Invalid", err)
			}
			var n *workflow.Notice
			e.must("open", func(tx *store.Tx) error {
				var err error
				_, n, err = workflow.OpenNotice(e.ctx, tx, wfVillage, c.County, c.ID, workflow.NoticeInput{Place: "村部公示栏"})
				return err
			})
			if n.End != date.MustParse("2024-02-11") || n.Level != workflow.LevelVillage || n.Region != "341523100201" {
				t.Fatalf("notice = %+v, want the village notice to 2024-02-11", n)
			}
			e.clock.set("2024-02-05")
			closeIt := func(a auth.Actor) error {
				return e.do(func(tx *store.Tx) error {
					_, err := workflow.CloseNotice(e.ctx, tx, a, c.County, c.ID, n.ID)
					return err
				})
			}
			if err := closeIt(wfVillage); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("closing before the end date: %v, want Conflict", err)
			}
			// An objection suspends the case.
			var o *workflow.Objection
			e.must("objection", func(tx *store.Tx) error {
				var err error
				_, o, err = workflow.RecordObjection(e.ctx, tx, wfVillage, c.County, c.ID, n.ID, workflow.ObjectionInput{
					Objector: "村民甲", Content: "申请人另有一子在外地"})
				return err
			})
			if got := e.get(c).Case; got.State != workflow.Suspended || got.SuspendedFrom != workflow.VillageNotice {
				t.Fatalf("after an objection the case is %s (from %s), want suspended from village_notice", got.State, got.SuspendedFrom)
			}
			err = e.do(func(tx *store.Tx) error {
				_, _, err := workflow.RecordObjection(e.ctx, tx, wfVillage, c.County, c.ID, n.ID, workflow.ObjectionInput{
					Received: date.MustParse("2024-01-31"), Content: "早于公示"})
				return err
			})
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("an objection before the notice: %v, want Invalid", err)
			}
			resolve := func(a auth.Actor, r workflow.Resolved) error {
				return e.do(func(tx *store.Tx) error {
					_, err := workflow.ResolveObjection(e.ctx, tx, a, c.County, c.ID, o.ID, r)
					return err
				})
			}
			dismiss := workflow.Resolved{Outcome: workflow.ObjectionDismissed, Note: "经核查，所称之子系侄子"}
			if err := resolve(wfVillage, dismiss); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the village resolving an objection: %v, want Forbidden", err)
			}
			if err := resolve(wfTownship, workflow.Resolved{Outcome: workflow.ObjectionDismissed}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("a resolution without findings: %v, want Invalid", err)
			}
			if err := resolve(wfTownship, dismiss); err != nil {
				t.Fatalf("dismiss: %v", err)
			}
			if err := resolve(wfTownship, dismiss); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("resolving twice: %v, want Conflict", err)
			}
			if got := e.get(c).Case.State; got != workflow.VillageNotice {
				t.Errorf("after dismissal the case is %s, want village_notice", got)
			}
			e.clock.set("2024-02-11")
			if err := closeIt(wfTownship); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the township closing the village notice: %v, want Forbidden", err)
			}
			if err := closeIt(wfVillage); err != nil {
				t.Fatalf("close on the end date: %v", err)
			}
			h := e.get(c)
			if h.Case.State != workflow.TownshipReview || h.Notices[0].Objections[0].Status != workflow.ObjectionDismissed ||
				h.Notices[0].Objections[0].ResolvedBy.UserID != wfTownship.UserID {
				t.Errorf("after closing: %s, objections %+v", h.Case.State, h.Notices[0].Objections)
			}
		})
	}
}

// TestCountyObjectionUpheld checks that an objection upheld during the
// county notice takes the person off the roll before anything is paid.
func TestCountyObjectionUpheld(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 60)
			c := e.caseAt(w, "jf", workflow.CountyNotice)
			h := e.get(c)
			n := h.Notices[2]
			e.clock.set("2024-03-12")
			var o *workflow.Objection
			e.must("objection", func(tx *store.Tx) error {
				var err error
				_, o, err = workflow.RecordObjection(e.ctx, tx, wfCounty, c.County, c.ID, n.ID, workflow.ObjectionInput{Content: "户口系农转非"})
				return err
			})
			if r := e.get(c).Recipient; r.Status != roll.StatusSuspended {
				t.Errorf("recipient during the objection: %s, want suspended", r.Status)
			}
			err := e.do(func(tx *store.Tx) error {
				_, err := workflow.ResolveObjection(e.ctx, tx, wfTownship, c.County, c.ID, o.ID, workflow.Resolved{Outcome: "upheld", Decision: "reject", Note: "x"})
				return err
			})
			if apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the township resolving a county objection: %v, want Forbidden", err)
			}
			e.must("uphold", func(tx *store.Tx) error {
				_, err := workflow.ResolveObjection(e.ctx, tx, wfCounty2, c.County, c.ID, o.ID, workflow.Resolved{
					Outcome: workflow.ObjectionUpheld, Decision: "reject", Reasons: []string{"hukou"}, Note: "经公安核实，2020年已转为城镇户口"})
				return err
			})
			h = e.get(c)
			r := h.Recipient
			if h.Case.State != workflow.Rejected || r.Status != roll.StatusExited || r.ExitReason != "objection_upheld" ||
				r.LastMonth != r.StartIndex()-1 || r.PaidThrough() != "—" {
				t.Errorf("after an upheld objection: case %s, recipient %+v; want rejected, exited with nothing paid", h.Case.State, r)
			}
			kinds := []string{}
			for _, ch := range h.Changes {
				kinds = append(kinds, ch.Kind)
			}
			if len(kinds) != 2 || kinds[0] != roll.ChangeSuspend || kinds[1] != roll.ChangeExit {
				t.Errorf("changes = %v, want suspend, exit", kinds)
			}
			if h.Notices[2].Status != workflow.NoticeClosed {
				t.Errorf("the county notice is %s, want closed", h.Notices[2].Status)
			}
		})
	}
}

// TestDecisions checks 疑者从无 and overrides of the engine.
func TestDecisions(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			// A woman of 55 in 2024 is not yet eligible for jf.
			young, _, _ := e.family("1969-05-01", "1967-03-01", "1992-04-12", 70)
			c := e.caseAt(young, "jf", workflow.TownshipReview)
			review := func(d workflow.Decision) error {
				return e.do(func(tx *store.Tx) error {
					_, err := workflow.ReviewTownship(e.ctx, tx, e.eng, wfTownship, c.County, c.ID, d)
					return err
				})
			}
			tests := []struct {
				name  string
				d     workflow.Decision
				field string
			}{
				{"approve against the engine without a reason", workflow.Decision{Outcome: workflow.Approve}, "override_reason"},
				{"approve against the engine with a token reason", workflow.Decision{Outcome: workflow.Approve, OverrideReason: "领导同意。。。。。。。。。。。。。", OverrideConfirmed: true}, "override_reason"},
				{"approve against the engine without the second confirmation", workflow.Decision{Outcome: workflow.Approve,
					OverrideReason: "经核实户籍登记出生日期有误，以县公安局出具的户籍证明为准"}, "override_confirmed"},
				{"doubtful cannot be approved", workflow.Decision{Outcome: workflow.Approve, Doubtful: true, OverrideReason: "x"}, "outcome"},
				{"doubtful cannot be rejected", workflow.Decision{Outcome: workflow.Reject, Doubtful: true, Reasons: []string{"age"}, Opinion: "x"}, "outcome"},
				{"reject without reasons", workflow.Decision{Outcome: workflow.Reject, Opinion: "年龄不足"}, "reasons"},
				{"reject with an unknown reason", workflow.Decision{Outcome: workflow.Reject, Reasons: []string{"bad"}, Opinion: "x"}, "reasons[0]"},
				{"defer without an opinion", workflow.Decision{Outcome: workflow.Defer, Reasons: []string{"evidence_missing"}}, "opinion"},
				{"unknown outcome", workflow.Decision{Outcome: "maybe"}, "outcome"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := review(tt.d)
					if !invalidOn(err, tt.field) {
						t.Fatalf("got %v, want Invalid on %s", err, tt.field)
					}
				})
			}
			if got := e.countAudit(c.County, "case.override"); got != 0 {
				t.Fatalf("refused decisions left %d override entries", got)
			}
			if err := review(workflow.Decision{Outcome: workflow.Approve, Opinion: "同意",
				OverrideReason: "经核实户籍登记出生日期有误，以县公安局出具的户籍证明为准", OverrideConfirmed: true}); err != nil {
				t.Fatalf("approve with an override reason: %v", err)
			}
			h := e.get(c)
			if h.Case.State != workflow.TownshipApproved || h.Case.Engine == nil || h.Case.Engine.Eligible {
				t.Errorf("case %s engine %+v, want township_approved with an ineligible engine decision", h.Case.State, h.Case.Engine)
			}
			if got := e.countAudit(c.County, "case.override"); got != 1 {
				t.Errorf("override entries = %d, want 1", got)
			}
			// The override is on the supervisor's list, with its reason.
			e.must("overrides", func(tx *store.Tx) error {
				os, err := tx.Overrides(e.ctx, wfSuper.Scope, 10)
				if err != nil {
					return err
				}
				if len(os) != 1 || os[0].Case.ID != c.ID || !strings.Contains(string(os[0].Step.Detail), "户籍证明") || os[0].Person != young.Name {
					t.Errorf("overrides = %+v, want the one township review of case %d", os, c.ID)
				}
				if other, err := tx.Overrides(e.ctx, "341523101000", 10); err != nil || len(other) != 0 {
					t.Errorf("another township's overrides = %d %v, want none", len(other), err)
				}
				return nil
			})

			// A doubtful survey forces a deferral.
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 80)
			e.clock.set("2024-01-10")
			var d *workflow.Case
			e.must("apply", func(tx *store.Tx) error {
				var err error
				d, err = workflow.Apply(e.ctx, tx, e.eng, wfVillage, wfApplication(w, "jf", 2024))
				return err
			})
			e.clock.set("2024-01-20")
			doubt := wfSurvey("2024-01-20", wfVillage, workflow.ConclusionDoubtful)
			e.must("survey", func(tx *store.Tx) error {
				_, err := workflow.RecordSurvey(e.ctx, tx, wfVillage, d.County, d.ID, doubt)
				return err
			})
			e.clock.set("2024-01-25")
			e.must("review", func(tx *store.Tx) error {
				_, err := workflow.RecordVillageReview(e.ctx, tx, wfVillage, d.County, d.ID, wfReview("2024-01-25"))
				return err
			})
			e.clock.set("2024-02-01")
			var n *workflow.Notice
			e.must("notice", func(tx *store.Tx) error {
				var err error
				_, n, err = workflow.OpenNotice(e.ctx, tx, wfVillage, d.County, d.ID, workflow.NoticeInput{Place: "村部"})
				return err
			})
			e.clock.set("2024-02-08")
			e.must("close", func(tx *store.Tx) error {
				_, err := workflow.CloseNotice(e.ctx, tx, wfVillage, d.County, d.ID, n.ID)
				return err
			})
			err := e.do(func(tx *store.Tx) error {
				_, err := workflow.ReviewTownship(e.ctx, tx, e.eng, wfTownship, d.County, d.ID, workflow.Decision{Outcome: workflow.Approve})
				return err
			})
			if ae, ok := apperr.As(err); !ok || ae.Field != "outcome" {
				t.Errorf("approving a case the survey doubts: %v, want Invalid on outcome", err)
			}
			e.must("defer", func(tx *store.Tx) error {
				_, err := workflow.ReviewTownship(e.ctx, tx, e.eng, wfTownship, d.County, d.ID,
					workflow.Decision{Outcome: workflow.Defer, Reasons: []string{"doubtful"}, Opinion: "婚姻史待民政核实"})
				return err
			})
			if got := e.get(d).Case.State; got != workflow.Deferred {
				t.Errorf("state = %s, want deferred", got)
			}
		})
	}
}

// TestDecisionsNeedingReview checks the one rule for decisions the engine
// does not back, on a case it could not decide: a couple whose only child
// was taken in without adoption papers after the 1992 adoption law. A yes
// or a no is the reviewer's own decision and needs, as a decision against
// the engine does, a reason of real length and the second confirmation
// (the messages say the engine could not decide); it is audited and
// listed as an override with the engine's status. A deferral needs
// neither.
func TestDecisionsNeedingReview(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w := register(t, e.db, person(t, "李秀兰", "F", "1962-05-01", 90))
			h := register(t, e.db, person(t, "赵建华", "M", "1960-03-01", 91))
			kid := register(t, e.db, person(t, "赵小红", "F", "1993-01-01", 92))
			key := func(r *registry.Record) registry.Key { return registry.Key{County: r.County, ID: r.ID} }
			e.must("family", func(tx *store.Tx) error {
				if _, err := registry.AddMarriage(e.ctx, tx, villager, key(h), key(w), registry.Marriage{From: date.MustParse("1985-01-01")}, ""); err != nil {
					return err
				}
				for _, p := range []*registry.Record{w, h} {
					if _, err := registry.AddChild(e.ctx, tx, villager, key(p), key(kid),
						registry.ParentChild{Kind: registry.AdoptionDeFacto, From: date.MustParse("1994-06-01")}, ""); err != nil {
						return err
					}
				}
				return nil
			})
			cw := e.caseAt(w, "jf", workflow.TownshipReview)
			ch := e.caseAt(h, "jf", workflow.TownshipReview)
			review := func(c *workflow.Case, d workflow.Decision) error {
				return e.do(func(tx *store.Tx) error {
					_, err := workflow.ReviewTownship(e.ctx, tx, e.eng, wfTownship, c.County, c.ID, d)
					return err
				})
			}
			const reason = "民政部门出具收养登记补办证明，经入户核实该子女自幼随申请人生活"
			tests := []struct {
				name  string
				d     workflow.Decision
				field string
			}{
				{"approve without a reason", workflow.Decision{Outcome: workflow.Approve}, "override_reason"},
				{"approve with a token reason", workflow.Decision{Outcome: workflow.Approve, OverrideReason: "同意。。。。。。。。。。。。。。。", OverrideConfirmed: true}, "override_reason"},
				{"approve without the second confirmation", workflow.Decision{Outcome: workflow.Approve, OverrideReason: reason}, "override_confirmed"},
				{"reject without a reason", workflow.Decision{Outcome: workflow.Reject, Reasons: []string{"children"}, Opinion: "收养关系未经民政登记"}, "override_reason"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := review(cw, tt.d)
					if !invalidOn(err, tt.field) {
						t.Fatalf("got %v, want Invalid on %s", err, tt.field)
					}
					if !strings.Contains(err.Error(), "could not decide") {
						t.Errorf("the refusal %q does not say the engine could not decide", err)
					}
				})
			}
			if got := e.countAudit(cw.County, "case.override"); got != 0 {
				t.Fatalf("refused decisions left %d override entries", got)
			}

			// A deferral is no override.
			if err := review(cw, workflow.Decision{Outcome: workflow.Defer, Reasons: []string{"evidence_missing"}, Opinion: "请补充民政收养登记材料"}); err != nil {
				t.Fatalf("defer: %v", err)
			}
			if got := e.get(cw); got.Case.State != workflow.Deferred || got.Case.Engine == nil || got.Case.Engine.Status != policy.StatusReview {
				t.Errorf("deferred case %s, engine %+v; want deferred with the engine's needs_review", got.Case.State, got.Case.Engine)
			}
			if got := e.countAudit(cw.County, "case.override"); got != 0 {
				t.Errorf("a deferral left %d override entries", got)
			}

			// An approval with the reason and the confirmation is the
			// reviewer's own decision, audited and listed as an override.
			if err := review(ch, workflow.Decision{Outcome: workflow.Approve, Opinion: "同意", OverrideReason: reason, OverrideConfirmed: true}); err != nil {
				t.Fatalf("approve with a reason: %v", err)
			}
			if got := e.get(ch); got.Case.State != workflow.TownshipApproved {
				t.Errorf("case %s, want township_approved", got.Case.State)
			}
			e.must("override entry", func(tx *store.Tx) error {
				entries, err := tx.AuditEntries(e.ctx, "", store.AuditFilter{County: ch.County, Entity: "case"})
				if err != nil {
					return err
				}
				n := 0
				for _, x := range entries {
					if x.Action == "case.override" {
						n++
						if !strings.Contains(string(x.Before), `"engine_status":"needs_review"`) || !strings.Contains(string(x.After), "收养登记") {
							t.Errorf("override entry before %s after %s, want the engine's status and the reason", x.Before, x.After)
						}
					}
				}
				if n != 1 {
					t.Errorf("%d override entries, want 1", n)
				}
				os, err := tx.Overrides(e.ctx, wfSuper.Scope, 10)
				if err != nil {
					return err
				}
				if len(os) != 1 || os[0].Case.ID != ch.ID {
					t.Errorf("overrides = %+v, want the approval of case %d", os, ch.ID)
				}
				return nil
			})
		})
	}
}

// TestConcurrentSteps runs two users on one case at once: exactly one of
// them succeeds, the other gets a Conflict and changes nothing.
func TestConcurrentSteps(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 90)
			for round := 0; round < 3; round++ {
				c := e.caseAt(w, "jf", workflow.Applied)
				e.clock.set("2024-01-20")
				start := make(chan struct{})
				errs := make([]error, 2)
				var wg sync.WaitGroup
				for i, a := range []auth.Actor{wfVillage, wfTownship} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						errs[i] = e.do(func(tx *store.Tx) error {
							_, err := workflow.RecordSurvey(e.ctx, tx, a, c.County, c.ID, wfSurvey("2024-01-20", a, workflow.ConclusionEligible))
							return err
						})
					}()
				}
				close(start)
				wg.Wait()
				ok, conflicts := 0, 0
				for _, err := range errs {
					switch {
					case err == nil:
						ok++
					case apperr.KindOf(err) == apperr.Conflict:
						conflicts++
					default:
						t.Errorf("unexpected error %v", err)
					}
				}
				if ok != 1 || conflicts != 1 {
					t.Fatalf("round %d: %d successes and %d conflicts (%v), want 1 and 1", round, ok, conflicts, errs)
				}
				h := e.get(c)
				if len(h.Steps) != 2 || h.Case.Version != 2 {
					t.Errorf("round %d: %d steps, version %d; want 2 and 2", round, len(h.Steps), h.Case.Version)
				}
				e.must("withdraw", func(tx *store.Tx) error {
					_, err := workflow.Withdraw(e.ctx, tx, wfVillage, c.County, c.ID, "申请人自愿撤回")
					return err
				})
			}
		})
	}
}

// putOnRoll adds a roll row directly, as county approval would.
func (e *wfEnv) putOnRoll(p *registry.Record, program, tier string, sy, sm int) *roll.Recipient {
	e.t.Helper()
	var r *roll.Recipient
	e.must("roll", func(tx *store.Tx) error {
		id, err := tx.NextIDs(e.ctx, "recipient", 1)
		if err != nil {
			return err
		}
		r = &roll.Recipient{County: p.County, ID: id, PersonID: p.ID, Program: program, Tier: tier, Region: p.Region,
			Confirmed: date.Of(sy, 3, 1), StartYear: sy, StartMonth: sm, Status: roll.StatusActive, Version: 1,
			CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		return tx.InsertRecipient(e.ctx, r)
	})
	return r
}

func (e *wfEnv) recipient(id int64) *roll.Recipient {
	e.t.Helper()
	var r *roll.Recipient
	if err := e.db.View(e.ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.Recipient(e.ctx, "", "341523", id)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *wfEnv) event(a auth.Actor, p *registry.Record, ev workflow.Event) (*workflow.EventResult, error) {
	var res *workflow.EventResult
	err := e.do(func(tx *store.Tx) error {
		var err error
		res, err = workflow.ApplyEvent(e.ctx, tx, e.eng, a, registry.Key{County: p.County, ID: p.ID}, ev)
		return err
	})
	return res, err
}

func TestApplyEvent(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			e.clock.set("2024-01-05")
			// jf: the recipient dies; paid to the end of the year.
			w1, h1, _ := e.family("1958-05-01", "1956-03-01", "1983-04-12", 100)
			jf := e.putOnRoll(w1, "jf", "", 2018, 1)
			// tf_disability: the disabled only child dies; the month of the
			// death is paid at the old status, tf_death from the next.
			w2, h2, c2 := e.family("1970-02-01", "1968-03-01", "1994-04-12", 110)
			e.must("disability", func(tx *store.Tx) error {
				_, err := registry.AddDisability(e.ctx, tx, villager, registry.Key{County: c2.County, ID: c2.ID},
					registry.Disability{Grade: 2, Category: "limb", From: date.MustParse("2015-01-01")}, "")
				return err
			})
			tfd := e.putOnRoll(w2, "tf_disability", "grade2", 2020, 1)
			tfdH := e.putOnRoll(h2, "tf_disability", "grade2", 2020, 1)

			e.clock.set("2024-07-01")
			e.must("deaths", func(tx *store.Tx) error {
				if _, err := registry.RecordDeath(e.ctx, tx, villager, registry.Key{County: w1.County, ID: w1.ID}, date.MustParse("2024-06-15"), "公安"); err != nil {
					return err
				}
				_, err := registry.RecordDeath(e.ctx, tx, villager, registry.Key{County: c2.County, ID: c2.ID}, date.MustParse("2024-05-10"), "公安")
				return err
			})
			if _, err := e.event(wfVillage, w1, workflow.Event{Kind: "death"}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the village applying an event: %v, want Forbidden", err)
			}
			if _, err := e.event(wfFinance, w1, workflow.Event{Kind: "death"}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("finance applying an event: %v, want Forbidden", err)
			}
			if _, err := e.event(wfTownship, h1, workflow.Event{Kind: "death"}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("a death the registry does not know: %v, want Invalid", err)
			}
			res, err := e.event(wfTownship, w1, workflow.Event{Kind: "death", Evidence: "死亡证明"})
			if err != nil {
				t.Fatal(err)
			}
			got := e.recipient(jf.ID)
			if got.Status != roll.StatusExited || got.ExitReason != "died" || got.PaidThrough() != "2024-12" ||
				got.ExitDate != date.MustParse("2024-06-15") || len(res.Changes) != 1 || res.Changes[0].Effective != date.MustParse("2025-01-01") {
				t.Errorf("jf after the death: %+v, changes %+v; want exited, paid through 2024-12", got, res.Changes)
			}
			// Applying it again changes nothing.
			if res, err := e.event(wfTownship, w1, workflow.Event{Kind: "death"}); err != nil || len(res.Changes) != 0 {
				t.Errorf("second application: %v %+v, want no changes", err, res)
			}

			res, err = e.event(wfTownship, c2, workflow.Event{Kind: "death", Evidence: "死亡医学证明"})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{tfd.ID, tfdH.ID} {
				got := e.recipient(id)
				if got.Status != roll.StatusExited || got.PaidThrough() != "2024-05" || got.ExitReason != "children_changed" {
					t.Errorf("tf_disability after the child's death: %+v, want exited, paid through 2024-05", got)
				}
			}
			switched := 0
			var rows []roll.Recipient
			e.db.View(e.ctx, func(tx *store.Tx) error {
				var err error
				rows, err = tx.RecipientsOf(e.ctx, "341523", []int64{w2.ID, h2.ID})
				return err
			})
			for _, r := range rows {
				if r.Program == "tf_death" && r.Status == roll.StatusActive && r.StartYear == 2024 && r.StartMonth == 6 {
					switched++
				}
			}
			if switched != 2 {
				t.Errorf("roll after the child's death: %+v, want both parents on tf_death from 2024-06", rows)
			}
			kinds := map[string]int{}
			for _, ch := range res.Changes {
				kinds[ch.Kind]++
			}
			if kinds[roll.ChangeExit] != 2 || kinds[roll.ChangeSwitch] != 2 {
				t.Errorf("changes = %v, want 2 exits and 2 switches", kinds)
			}
			if got := e.countAudit("341523", "recipient.exit"); got != 3 {
				t.Errorf("recipient.exit audit entries = %d, want 3", got)
			}

			// A jf family whose only child dies: jf goes on, and the mother
			// becomes a tf_death candidate.
			w3, _, c3 := e.family("1960-02-01", "1958-03-01", "1985-04-12", 120)
			jf3 := e.putOnRoll(w3, "jf", "", 2020, 1)
			e.must("death 3", func(tx *store.Tx) error {
				_, err := registry.RecordDeath(e.ctx, tx, villager, registry.Key{County: c3.County, ID: c3.ID}, date.MustParse("2024-04-02"), "公安")
				return err
			})
			res, err = e.event(wfCounty, c3, workflow.Event{Kind: "death"})
			if err != nil {
				t.Fatal(err)
			}
			if got := e.recipient(jf3.ID); got.Status != roll.StatusActive {
				t.Errorf("jf after the child's death: %+v, want still active", got)
			}
			candidate := false
			for _, c := range res.Candidates {
				candidate = candidate || (c.PersonID == w3.ID && c.Program == "tf_death")
			}
			if !candidate {
				t.Errorf("candidates = %+v, want the mother for tf_death", res.Candidates)
			}

			// The roll shows exits and their changes.
			var entries []roll.Entry
			e.db.View(e.ctx, func(tx *store.Tx) error {
				var err error
				entries, err = workflow.Roll(e.ctx, tx, wfTownship, roll.Query{Status: roll.StatusExited})
				return err
			})
			if len(entries) != 3 || len(entries[0].Changes) == 0 || entries[0].IDNumber == "" || entries[0].PaidThrough == "" {
				t.Errorf("exited roll = %+v, want 3 entries with changes", entries)
			}
		})
	}
}

func TestAnnualReview(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			e.clock.set("2024-01-05")
			w1, h1, _ := e.family("1958-05-01", "1956-03-01", "1983-04-12", 200)
			w2, _, _ := e.family("1960-05-01", "1959-03-01", "1986-04-12", 210)
			r1 := e.putOnRoll(w1, "jf", "", 2018, 1)
			r2 := e.putOnRoll(h1, "jf", "", 2016, 1)
			r3 := e.putOnRoll(w2, "jf", "", 2020, 1)
			e.clock.set("2025-02-01")
			e.must("death", func(tx *store.Tx) error {
				_, err := registry.RecordDeath(e.ctx, tx, villager, registry.Key{County: w2.County, ID: w2.ID}, date.MustParse("2024-09-01"), "公安")
				return err
			})
			run := func(a auth.Actor, reg string) (*workflow.AnnualReview, error) {
				var ar *workflow.AnnualReview
				err := e.do(func(tx *store.Tx) error {
					var err error
					ar, err = workflow.RunAnnualReview(e.ctx, tx, e.eng, a, reg, 2025)
					return err
				})
				return ar, err
			}
			for _, a := range []auth.Actor{wfVillage, wfFinance, wfSuper} {
				if _, err := run(a, "341523100201"); apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("annual review by %s: %v, want Forbidden", a.Role, err)
				}
			}
			if _, err := run(wfOtherTown, "341523100201"); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("annual review outside scope: %v, want Forbidden", err)
			}
			ar, err := run(wfTownship, "341523100000")
			if err != nil {
				t.Fatal(err)
			}
			if ar.Reviewed != 3 || ar.Confirmed != 2 || len(ar.Changed) != 1 || ar.Changed[0].RecipientID != r3.ID ||
				ar.Changed[0].Reason != "died" || len(ar.Changed[0].Clauses) == 0 {
				t.Errorf("annual review = %+v, want 3 reviewed, 2 confirmed, %d listed as died", ar, r3.ID)
			}
			for id, want := range map[int64]int{r1.ID: 2025, r2.ID: 2025, r3.ID: 0} {
				if got := e.recipient(id).ReviewedYear; got != want {
					t.Errorf("recipient %d reviewed year = %d, want %d", id, got, want)
				}
			}
			if got := e.countAudit("341523", "roll.annual_review"); got != 1 {
				t.Errorf("annual review audit entries = %d, want one for the batch", got)
			}
		})
	}
}

func TestWorklistAndDocuments(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w1, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 300)
			w2, _, _ := e.family("1963-05-01", "1961-03-01", "1986-04-12", 310)
			a := e.caseAt(w1, "jf", workflow.TownshipReview)
			b := e.caseAt(w2, "jf", workflow.Surveyed)
			list := func(actor auth.Actor, states ...workflow.State) []int64 {
				var cs []workflow.Case
				if err := e.db.View(e.ctx, func(tx *store.Tx) error {
					var err error
					cs, err = workflow.Worklist(e.ctx, tx, actor, states, "")
					return err
				}); err != nil {
					t.Fatal(err)
				}
				ids := []int64{}
				for _, c := range cs {
					ids = append(ids, c.ID)
				}
				return ids
			}
			for _, tt := range []struct {
				name  string
				actor auth.Actor
				state []workflow.State
				want  []int64
			}{
				{"village", wfVillage, nil, []int64{b.ID}},
				{"township", wfTownship, nil, []int64{a.ID}},
				{"county", wfCounty, nil, []int64{}},
				{"other village", wfVillage2, nil, []int64{}},
				{"supervisor sees all open cases", wfSuper, nil, []int64{a.ID, b.ID}},
				{"by state", wfCounty, []workflow.State{workflow.Surveyed}, []int64{b.ID}},
			} {
				if got := list(tt.actor, tt.state...); len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
					t.Errorf("%s: worklist %v, want %v", tt.name, got, tt.want)
				}
			}
			// The village notice lists the cases posted together.
			doc, err := func() (any, error) {
				var d any
				err := e.db.View(e.ctx, func(tx *store.Tx) error {
					var err error
					d, err = workflow.Document(e.ctx, tx, wfTownship, a.County, a.ID, "notice", workflow.LevelVillage)
					return err
				})
				return d, err
			}()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := func() (any, error) {
				var d any
				err := e.db.View(e.ctx, func(tx *store.Tx) error {
					var err error
					d, err = workflow.Document(e.ctx, tx, wfFinance, a.County, a.ID, "notice", "")
					return err
				})
				return d, err
			}(); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("finance reading a notice: %v, want Forbidden", err)
			}
			nl, ok := doc.(*documents.NoticeList)
			if !ok || len(nl.Rows) != 1 || nl.Rows[0].IDNumber != w1.IDNumber || nl.Level != "村级" || nl.Days != 7 {
				t.Errorf("village notice list = %+v", doc)
			}
		})
	}
}

func TestWithdraw(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			w1, _, _ := e.family("1964-05-01", "1962-03-01", "1987-04-12", 400)
			w2, _, _ := e.family("1963-05-01", "1961-03-01", "1986-04-12", 410)
			c := e.caseAt(w1, "jf", workflow.VillageNotice)
			n := e.get(c).Notices[0]
			e.clock.set("2024-02-03")
			e.must("objection", func(tx *store.Tx) error {
				_, _, err := workflow.RecordObjection(e.ctx, tx, wfVillage, c.County, c.ID, n.ID, workflow.ObjectionInput{Content: "有异议"})
				return err
			})
			withdraw := func(a auth.Actor, c *workflow.Case, reason string) error {
				return e.do(func(tx *store.Tx) error {
					_, err := workflow.Withdraw(e.ctx, tx, a, c.County, c.ID, reason)
					return err
				})
			}
			if err := withdraw(wfVillage, c, " "); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("withdrawal without a reason: %v, want Invalid", err)
			}
			if err := withdraw(wfFinance, c, "本人申请"); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("withdrawal by finance: %v, want Forbidden", err)
			}
			if err := withdraw(wfVillage, c, "本人申请撤回"); err != nil {
				t.Fatal(err)
			}
			h := e.get(c)
			if h.Case.State != workflow.Withdrawn || h.Notices[0].Status != workflow.NoticeClosed ||
				h.Notices[0].Objections[0].Status != workflow.ObjectionMoot {
				t.Errorf("after withdrawal: %s, notice %s, objection %s", h.Case.State, h.Notices[0].Status, h.Notices[0].Objections[0].Status)
			}
			a := e.caseAt(w2, "jf", workflow.Approved)
			if err := withdraw(wfVillage, a, "本人申请撤回"); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("withdrawal after county approval: %v, want Conflict", err)
			}
		})
	}
}

// invalidOn reports whether err is an Invalid error, or a list of them,
// naming field.
func invalidOn(err error, field string) bool {
	var list apperr.List
	if errors.As(err, &list) {
		for _, e := range list {
			if e.Kind == apperr.Invalid && e.Field == field {
				return true
			}
		}
		return false
	}
	e, ok := apperr.As(err)
	return ok && e.Kind == apperr.Invalid && e.Field == field
}
