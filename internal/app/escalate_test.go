package app_test

import (
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/escalate"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestSurveyChecklistAndEscalation: a survey answers the 三问、三看、三走访
// item by item (an item not done says why; where the region requires the
// checklist, a survey without it is refused); the village sends the case
// to the township with a question and the township answers, the township
// asks the county, the county the city, each answered by the level asked
// only; the questions and answers are on the case's history.
func TestSurveyChecklistAndEscalation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			e.clock.set("2024-03-01")
			w := e.family("王秀英", "1960-03-01", 1)
			c, err := e.a.Apply(ctx, villager, workflow.NewApplication{County: w.County, PersonID: w.ID, Program: "jf", Year: 2024,
				Application: workflow.Application{Declared: workflow.Declared{HukouType: "rural", Marriage: "1983年初婚", Births: "1985年生育一子",
					Adoptions: "无", SurvivingChildren: 1}, Attachments: []string{"结婚证"}, Pledge: true}})
			if err != nil {
				t.Fatal(err)
			}
			k := app.CaseKey{County: c.County, ID: c.ID}
			sv := workflow.Survey{Date: date.MustParse("2024-03-01"), Visited: true, MetInPerson: true, Conclusion: workflow.ConclusionEligible,
				Investigators: []workflow.Investigator{{UserID: villager.UserID}, {UserID: surveyor.UserID}}, Evidence: []string{"户口簿"}}
			for _, f := range workflow.Facts {
				sv.Findings = append(sv.Findings, workflow.Finding{Fact: f, Result: workflow.FindingConsistent})
			}
			if err := e.a.DB().Update(ctx, func(tx *store.Tx) error { return tx.SetParam(ctx, "341523", workflow.ChecklistParam, "required") }); err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.Survey(ctx, villager, k, sv); fieldsOf(err) != "checklist" {
				t.Errorf("a survey without the required checklist: %v", err)
			}
			for _, item := range workflow.ChecklistItems.Codes()[1:] {
				sv.Checklist = append(sv.Checklist, workflow.CheckAnswer{Item: item, Done: item != "visit_elders"})
			}
			if _, err := e.a.Survey(ctx, villager, k, sv); fieldsOf(err) != "checklist.visit_elders,checklist.ask_applicant" {
				t.Errorf("an incomplete checklist: %v (fields %q)", err, fieldsOf(err))
			}
			sv.Checklist = append(sv.Checklist, workflow.CheckAnswer{Item: "ask_applicant", Done: true})
			sv.Checklist[6].Note = "两位老党员外出务工"
			if _, err := e.a.Survey(ctx, villager, k, sv); err != nil {
				t.Fatalf("the survey with its checklist: %v", err)
			}

			// Questions up the levels.
			if _, err := e.a.Escalate(ctx, supervisor, k, "？"); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the supervisor asks: %v", err)
			}
			if _, err := e.a.Escalate(ctx, villager, k, "  "); fieldsOf(err) != "question" {
				t.Errorf("an empty question: %v", err)
			}
			q1, err := e.a.Escalate(ctx, villager, k, "申请人之子户口已迁往外省，现存子女如何认定？")
			if err != nil || q1.To != escalate.LevelTownship {
				t.Fatalf("the village's question: %+v, %v", q1, err)
			}
			open, err := e.a.OpenEscalations(ctx, township, "341523")
			if err != nil || len(open) != 1 || open[0].ID != q1.ID {
				t.Errorf("the township's open questions: %+v, %v", open, err)
			}
			if open, err := e.a.OpenEscalations(ctx, county, "341523"); err != nil || len(open) != 0 {
				t.Errorf("the county's open questions: %+v, %v", open, err)
			}
			if _, err := e.a.AnswerEscalation(ctx, county, "341523", q1.ID, "按现存子女认定"); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the county answers the township's question: %v", err)
			}
			if _, err := e.a.AnswerEscalation(ctx, otherCounty, "341523", q1.ID, "x"); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("another county answers: %v", err)
			}
			a1, err := e.a.AnswerEscalation(ctx, township, "341523", q1.ID, "户口迁出不影响现存子女认定，按一子认定")
			if err != nil || a1.Open() {
				t.Fatalf("the township's answer: %+v, %v", a1, err)
			}
			if _, err := e.a.AnswerEscalation(ctx, township, "341523", q1.ID, "再答"); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("a second answer: %v", err)
			}
			q2, err := e.a.Escalate(ctx, county, k, "本县是否执行省里新标准？")
			if err != nil || q2.To != escalate.LevelCity {
				t.Fatalf("the county's question: %+v, %v", q2, err)
			}
			if _, err := e.a.AnswerEscalation(ctx, cityOfficer, "341523", q2.ID, "自2024年1月起执行"); err != nil {
				t.Fatalf("the city's answer: %v", err)
			}
			qs, err := e.a.CaseEscalations(ctx, villager, k)
			if err != nil || len(qs) != 2 || qs[0].Answer == "" || qs[1].AnsweredByName != cityOfficer.Name {
				t.Errorf("the case's questions: %+v, %v", qs, err)
			}
			var actions []string
			if err := e.a.DB().View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEntries(ctx, "", store.AuditFilter{County: "341523", Entity: "case", EntityID: c.Ref(), Limit: 100})
				for _, x := range es {
					actions = append(actions, x.Action)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			got := strings.Join(actions, " ")
			if strings.Count(got, "case.escalate ") != 2 || strings.Count(got, "case.escalation_answer") != 2 {
				t.Errorf("the case's history: %s", got)
			}
		})
	}
}
