package app_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestStaffLists reads the lists of the staff pages after one enrolment:
// the roll's page, the notice board, the runs of the annual review and
// the worklist's export, each with the program's name in the language
// asked for; a list outside the actor's scope or role is refused and the
// refusal audited.
func TestStaffLists(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w := e.family("王秀英", "1960-03-01", 1)
			rec, _ := e.enrol(w, 2024, "2024-02-01")
			const zh, en = "农村部分计划生育家庭奖励扶助", "Rural family-planning reward assistance"

			p, err := e.a.RollPage(ctx, county, roll.Query{Limit: 20}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Entries) != 1 || p.Total != 1 || p.Entries[0].ID != rec.ID || p.Names["jf"] != zh {
				t.Errorf("roll page: %d entries of %d, names %v", len(p.Entries), p.Total, p.Names["jf"])
			}
			if p, err := e.a.RollPage(ctx, finance, roll.Query{Limit: 20}, "en"); err != nil || p.Total != 1 || p.Names["jf"] != en {
				t.Errorf("roll page for finance, in English: %+v, %v", p, err)
			}
			if list, err := e.a.ProgramList(ctx, villager); err != nil || len(list) < 4 || list[0].Code != "jf" || list[0].ZH != zh || list[0].EN != en {
				t.Errorf("program list: %v, %v", list, err)
			}
			if !slices.Equal(p.Programs[:4], []string{"jf", "tf_death", "tf_disability", "tf_complication"}) {
				t.Errorf("roll page programs: %v, want the national programs first", p.Programs)
			}

			b, err := e.a.NoticeBoard(ctx, county, app.NoticeQuery{Status: workflow.NoticeClosed, Limit: 20}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			if b.Total != 2 || len(b.Rows) != 2 || b.Rows[0].Name != w.Name || b.Names["jf"] != zh {
				t.Errorf("notice board: %d of %d, %+v", len(b.Rows), b.Total, b.Rows)
			}

			run, err := e.a.AnnualReview(ctx, county, "341523", 2024)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := e.a.AnnualReviews(ctx, township, 20)
			if err != nil || len(runs) != 0 {
				t.Errorf("the township sees the county's run: %+v, %v", runs, err)
			}
			if runs, err = e.a.AnnualReviews(ctx, county, 20); err != nil || len(runs) != 1 || runs[0].ID != run.ID {
				t.Errorf("annual reviews: %+v, %v", runs, err)
			}
			if v, err := e.a.AnnualReviewRun(ctx, county, run.County, run.ID, "en"); err != nil || v.Run.Reviewed != 1 || v.Names["jf"] != en {
				t.Errorf("annual review run: %+v, %v", v, err)
			}

			var started, rows []string
			err = e.a.EachCase(ctx, county, workflow.CaseQuery{States: []workflow.State{workflow.Approved}}, "zh",
				func(total int) error { started = append(started, strconv.Itoa(total)); return nil },
				func(c *app.WorkItem, program string) error {
					if len(started) != 1 {
						t.Errorf("a case before start")
					}
					rows = append(rows, c.Name+" "+c.IDNumber[:6]+" "+program)
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			equal(t, "started", started, []string{"1"})
			equal(t, "cases", rows, []string{w.Name + " 341523 " + zh})
			if err := e.a.EachCase(ctx, county, workflow.CaseQuery{States: []workflow.State{"nonsense"}}, "zh",
				func(int) error { t.Error("started on a bad query"); return nil }, nil); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("bad state: %v", err)
			}

			refusals := []struct {
				name string
				call func() error
			}{
				{"the roll of another county", func() error {
					_, err := e.a.RollPage(ctx, neighbour, roll.Query{Region: "341523"}, "zh")
					return err
				}},
				{"the notice board, for finance", func() error {
					_, err := e.a.NoticeBoard(ctx, finance, app.NoticeQuery{}, "zh")
					return err
				}},
				{"the annual reviews, for finance", func() error { _, err := e.a.AnnualReviews(ctx, finance, 20); return err }},
				{"the cases of another county", func() error {
					return e.a.EachCase(ctx, neighbour, workflow.CaseQuery{Region: "341523"}, "zh", nil, nil)
				}},
				{"a run of the annual review of another county", func() error {
					_, err := e.a.AnnualReviewRun(ctx, neighbour, run.County, run.ID, "zh")
					return err
				}},
			}
			for _, r := range refusals {
				before := denied(t, e.a)
				if err := r.call(); !app.IsRefusal(err) {
					t.Errorf("%s: %v, want a refusal", r.name, err)
				}
				if n := denied(t, e.a) - before; n != 1 {
					t.Errorf("%s: %d refusals audited, want 1", r.name, n)
				}
			}
		})
	}
}

// TestLocalProgramNames checks that a program a region's layer adds is
// named as the layer names it, in both languages, on every list, from the
// moment the layer is saved.
func TestLocalProgramNames(t *testing.T) {
	const body = `{"region": "341523", "version": 2, "from": "2025-01-01", "title": "舒城县：县级奖励",
	  "programs": [{"code": "sc_award", "name": "舒城县独生子女父母县级奖励", "name_en": "Shucheng county award",
	    "clauses": [{"id": "alive", "expr": "alive", "text": "本人{?健在|已故}"}],
	    "rates": [{"from": "2025-01-01", "fen": 10000, "per": "year"}],
	    "funding": {"central": false, "local": {"county": 100}}}]}`
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			a := app.New(storetest.Open(t, engine), app.DefaultConfig(), nil)
			before, err := a.ProgramList(ctx, countyActor)
			if err != nil || before.Has("sc_award") {
				t.Fatalf("programs before: %v, %v", before, err)
			}
			if err := a.SaveLayer(ctx, countyActor, layer(t, body)); err != nil {
				t.Fatal(err)
			}
			after, err := a.ProgramList(ctx, countyActor)
			if err != nil || len(after) != len(before)+1 || after[len(after)-1] != (term.Term{Code: "sc_award", ZH: "舒城县独生子女父母县级奖励", EN: "Shucheng county award"}) {
				t.Errorf("programs after: %v, %v", after, err)
			}
			if p, err := a.RollPage(ctx, countyActor, roll.Query{Limit: 1}, "en"); err != nil || p.Names["sc_award"] != "Shucheng county award" {
				t.Errorf("the roll page's names: %v, %v", p, err)
			}
		})
	}
}
