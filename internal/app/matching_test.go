package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// deathsFile is a police death extract of the persons given as name, ID
// number, birth and death, with the usual headers.
func deathsFile(rows ...[4]string) string {
	var b strings.Builder
	b.WriteString("身份证号,姓名,性别,出生日期,死亡日期,户籍地址\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,女,%s,%s,舒城县城关镇仁和村\n", r[1], r[0], r[2], r[3])
	}
	return b.String()
}

func (e *payEnv) importDeaths(who auth.Actor, file string, dry bool) (*app.MatchImportResult, error) {
	return e.a.ImportExtract(e.ctx, who, app.MatchImport{County: "341523", Kind: "police-deaths", FileName: "deaths.csv",
		File: strings.NewReader(file), DryRun: dry})
}

// TestPoliceDeathStopsTheMoney is the journey of issue 15's acceptance: a
// police death extract is imported; the person's line of the next batch
// is held before the batch is approved; the village confirms, the
// township confirms, the person leaves the roll with the right last
// period, and what was paid beyond it becomes a recovery line, explained,
// on the person and the cycle. Importing the file again creates nothing.
func TestPoliceDeathStopsTheMoney(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			addStaff(t, e.a.DB(), approver)
			dies := e.family("王秀英", "1960-03-01", 1)
			lives := e.family("李桂兰", "1962-07-01", 2)
			for i, w := range []*registry.Record{dies, lives} {
				e.enrol(w, 2024, "2024-02-01")
				if _, err := e.a.SetAccount(ctx, finance, registry.Key{County: w.County, ID: w.ID},
					payment.AccountInput{Bank: "103", Number: fmt.Sprintf("622848040256489%04d", i*8+18), Holder: w.Name}); err != nil {
					t.Fatal(err)
				}
			}
			// 2024 and 2025 are paid in full.
			pay := func(period, day string) *payment.Cycle {
				t.Helper()
				e.clock.set(day)
				c, _, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: period})
				if err != nil {
					t.Fatal(err)
				}
				run, err := e.a.GenerateBatches(ctx, finance, "341523", c.ID)
				if err != nil || len(run.Batches) == 0 {
					t.Fatalf("%s batches %+v: %v", period, run, err)
				}
				for _, b := range run.Batches {
					if _, err := e.a.ApproveBatch(ctx, approver, "341523", b.ID, payment.Approval{Count: b.Count, Total: b.Total}); err != nil {
						t.Fatal(err)
					}
				}
				return c
			}
			pay("2024", "2024-06-20")
			c25 := pay("2025", "2025-01-20")
			// 2026's cycle and its draft batch.
			e.clock.set("2026-01-10")
			c26, _, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2026"})
			if err != nil {
				t.Fatal(err)
			}
			run, err := e.a.GenerateBatches(ctx, finance, "341523", c26.ID)
			if err != nil || len(run.Batches) != 1 || run.Batches[0].Count != 2 {
				t.Fatalf("2026 batches %+v: %v", run, err)
			}
			draft := run.Batches[0]

			// The police report, late, her death in August 2024.
			file := deathsFile([4]string{"王秀英", dies.IDNumber, "1960年3月1日", "2024-08-10"})
			dry, err := e.importDeaths(county, file, true)
			if err != nil {
				t.Fatal(err)
			}
			if dry.Import.ID != 0 || dry.Import.New != 1 || dry.Import.Tasks != 1 || dry.Import.Held != 1 {
				t.Errorf("dry run %+v", dry.Import)
			}
			if n := e.count(`SELECT COUNT(*) FROM match_imports`); n != 0 {
				t.Errorf("a dry run saved %d imports", n)
			}
			if _, err := e.importDeaths(villager, file, false); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("a village imports a county's extract: %v", err)
			}
			res, err := e.importDeaths(county, file, false)
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Import; got.Rows != 1 || got.New != 1 || got.Matched != 1 || got.Tasks != 1 || got.Held != 1 {
				t.Fatalf("import %+v", got)
			}
			if r := res.Results[0]; r.Outcome != matching.Matched || r.Person.ID != dies.ID {
				t.Fatalf("result %+v", r)
			}
			// Her 2026 line is held and out of the draft batch, before
			// anyone approves it or confirms the task.
			var held []payment.Line
			err = e.a.DB().View(ctx, func(tx *store.Tx) (err error) {
				held, err = tx.PaymentLines(ctx, "341523", payment.LineFilter{PersonID: dies.ID, Periods: []string{"2026"}})
				return err
			})
			if err != nil || len(held) != 1 || held[0].Status != payment.Held || held[0].BatchID != 0 {
				t.Fatalf("her 2026 line after the import: %+v %v", held, err)
			}
			b, err := e.a.Batch(ctx, finance, "341523", draft.ID)
			if err != nil || b.Count != 1 {
				t.Fatalf("the draft batch after the import: %+v %v", b, err)
			}
			if _, err := e.a.ApproveBatch(ctx, approver, "341523", b.ID, payment.Approval{Count: b.Count, Total: b.Total}); err != nil {
				t.Fatalf("approving the batch without her: %v", err)
			}

			// The same file again, and a file with the same fact written
			// otherwise, create nothing.
			again, err := e.importDeaths(county, file, false)
			if err != nil {
				t.Fatal(err)
			}
			other := deathsFile([4]string{"王秀英", strings.ToLower(dies.IDNumber), "1960/03/01", "2024年8月10日"}, [4]string{"李桂兰", lives.IDNumber, "1962-07-01", "2025-12-01"})
			overlap, err := e.importDeaths(county, other, false)
			if err != nil {
				t.Fatal(err)
			}
			if again.Import.New != 0 || again.Import.Repeated != 1 || again.Import.Tasks != 0 || overlap.Import.New != 1 || overlap.Import.Repeated != 1 {
				t.Errorf("again %+v, overlapping %+v", again.Import, overlap.Import)
			}
			if n := e.count(`SELECT COUNT(*) FROM match_tasks WHERE person_id = ?`, dies.ID); n != 1 {
				t.Errorf("%d tasks for her, want 1", n)
			}

			// The village's worklist, then its confirmation.
			tasks, n, err := e.a.MatchWorklist(ctx, villager, "341523", matching.TaskQuery{Status: matching.TaskOpen})
			if err != nil || n != 2 {
				t.Fatalf("village worklist %d %+v: %v", n, tasks, err)
			}
			var task app.TaskRow
			for _, x := range tasks {
				if x.Person.ID == dies.ID {
					task = x
				}
			}
			if task.Reason != matching.TaskDeath || task.Level != matching.AtVillage || !task.OnRoll || !task.Held || task.Name != "王秀英" {
				t.Fatalf("task %+v", task)
			}
			view, err := e.a.MatchTask(ctx, villager, "341523", task.ID)
			if err != nil || view.Row.Cells[1] != "王秀英" || view.Persons[dies.ID] == nil {
				t.Fatalf("task view %+v: %v", view, err)
			}
			if _, err := e.a.MatchTask(ctx, neighbour, "341523", task.ID); err == nil {
				t.Error("another county reads the task")
			}
			out, err := e.a.ConfirmMatchTask(ctx, villager, "341523", task.ID, task.Version, "已入户核实，死亡属实")
			if err != nil {
				t.Fatal(err)
			}
			if !out.Applied || out.Roll != nil || out.Task.Status != matching.TaskOpen || out.Task.Level != matching.AtTownship {
				t.Fatalf("village confirmation %+v %+v", out, out.Task)
			}
			rec, err := e.a.Person(ctx, villager, registry.Key{County: "341523", ID: dies.ID})
			if err != nil || rec.Person.Death.String() != "2024-08-10" {
				t.Fatalf("her record after the village's confirmation: %+v %v", rec, err)
			}
			// The township's confirmation takes her off the roll at the end
			// of 2024 (the year of a death is paid) and recomputes 2025.
			out, err = e.a.ConfirmMatchTask(ctx, township, "341523", task.ID, out.Task.Version, "同意")
			if err != nil {
				t.Fatal(err)
			}
			if out.Task.Status != matching.TaskConfirmed || out.Roll == nil || !out.Roll.Exited || out.Payments == nil {
				t.Fatalf("township confirmation %+v roll %+v payments %+v", out.Task, out.Roll, out.Payments)
			}
			entries, err := e.a.Roll(ctx, county, roll.Query{Region: "341523", Program: "jf"})
			if err != nil {
				t.Fatal(err)
			}
			for _, en := range entries {
				if en.PersonID != dies.ID {
					continue
				}
				if en.Status != roll.StatusExited || en.ExitDate.String() != "2024-08-10" || en.LastMonth != 2024*12+11 {
					t.Errorf("her roll entry %+v, want exited on 2024-08-10, last paid month 2024-12", en.Recipient)
				}
			}
			if len(out.Payments.Lines) != 1 {
				t.Fatalf("recomputed lines %+v", out.Payments.Lines)
			}
			line := out.Payments.Lines[0]
			if line.Period.String() != "2025" || line.Status != payment.Recovery || line.Kind != payment.Correction ||
				line.Amount != money.Fen(-96000) || !strings.Contains(line.Note, "追回") || line.CycleID != c26.ID || out.Payments.Recover != 96000 {
				t.Fatalf("the 2025 recovery %+v (recover %s)", line, out.Payments.Recover)
			}
			_ = c25
			// On the person's overview, with the engine's note.
			ov, err := e.a.PersonOverview(ctx, county, registry.Key{County: "341523", ID: dies.ID}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, l := range ov.Lines {
				found = found || l.Status == payment.Recovery && l.Amount == -96000 && strings.Contains(l.Note, "追回")
			}
			if !found || len(ov.Tasks) != 1 {
				t.Errorf("overview lines %+v tasks %+v", ov.Lines, ov.Tasks)
			}
			// On the ledger of 2026, the year of the cycle that recorded it.
			if lv, err := e.a.Ledger(ctx, finance, 2026, "341523", "", "zh"); err != nil || lv.Ledger.Recover.Amount != 96000 || lv.Ledger.Recover.Persons != 1 {
				t.Errorf("ledger 2026: %+v %v", lv, err)
			}
			// Nothing is recovered twice: the 2027 cycle finds nothing left
			// to correct for her.
			e.clock.set("2027-01-10")
			_, lines, err := e.a.GenerateCycle(ctx, finance, payment.CycleRequest{County: "341523", Program: "jf", Period: "2027"})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range lines {
				if l.PersonID == dies.ID {
					t.Errorf("2027 line for her: %+v", l)
				}
			}
			if _, err := e.a.ConfirmMatchTask(ctx, township, "341523", task.ID, 0, ""); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("confirming twice: %v", err)
			}
			// The other task, left open, is overdue by now.
			if n, err := e.a.MatchOverdue(ctx, villager); err != nil || n != 1 {
				t.Errorf("overdue for the village: %d %v", n, err)
			}
			if d, err := e.a.Dashboard(ctx, township, "zh"); err != nil || d.MatchOverdue != 1 {
				t.Errorf("the township's dashboard: %+v %v", d, err)
			}
			// Audited, and the exchange log has the four files received.
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'match.task.confirm'`); n != 2 {
				t.Errorf("%d confirmations audited", n)
			}
			log, err := e.a.MatchExchanges(ctx, county, "341523", "", "")
			if err != nil || len(log) != 3 || log[0].Direction != matching.Received || log[0].Month != "2026-01" {
				t.Errorf("exchange log %+v: %v", log, err)
			}
		})
	}
}

// TestReviewDecision: a police death without an ID number, with the
// thresholds set so that no scored match is automatic, goes to review; the
// village sees the candidates side by side, cannot pick someone else, and
// picks the person; the death then makes its task as an automatic match
// would have.
func TestReviewDecision(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w := e.family("孙秀兰", "1958-09-09", 1)
			stranger := e.family("钱桂英", "1961-02-02", 2)
			file := "身份证号,姓名,性别,出生日期,死亡日期,户籍地址\n,孙秀兰,女,1958-09-09,2023-12-01,舒城县城关镇仁和村\n"
			strict := matching.Params{Match: 1, Review: 0.05, Outside: 0.1}
			res, err := e.a.ImportExtract(ctx, county, app.MatchImport{County: "341523", Kind: "police-deaths", File: strings.NewReader(file), Params: &strict})
			if err != nil {
				t.Fatal(err)
			}
			if r := res.Results[0]; r.Outcome != matching.Review || r.Person.ID != w.ID || len(res.Tasks) != 1 || res.Tasks[0].Reason != matching.TaskIdentity {
				t.Fatalf("result %+v tasks %+v problems %+v", r, res.Tasks, res.Problems)
			}
			tasks, _, err := e.a.MatchWorklist(ctx, villager, "341523", matching.TaskQuery{Reason: matching.TaskIdentity})
			if err != nil || len(tasks) != 1 {
				t.Fatalf("identity tasks %+v: %v", tasks, err)
			}
			task := tasks[0]
			view, err := e.a.MatchTask(ctx, villager, "341523", task.ID)
			if err != nil || view.Persons[w.ID] == nil {
				t.Fatalf("side by side: %+v %v", view, err)
			}
			if _, err := e.a.ConfirmMatchTask(ctx, villager, "341523", task.ID, task.Version, ""); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("confirming an identity task: %v", err)
			}
			if _, err := e.a.DecideMatchReview(ctx, villager, "341523", task.ID, task.Version, stranger.ID, ""); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("picking someone not among the candidates: %v", err)
			}
			out, err := e.a.DecideMatchReview(ctx, villager, "341523", task.ID, task.Version, w.ID, "核对出生日期、住址一致")
			if err != nil {
				t.Fatal(err)
			}
			if out.Task.Status != matching.TaskConfirmed || len(out.New) != 1 || out.New[0].Reason != matching.TaskDeath || out.New[0].Person.ID != w.ID {
				t.Fatalf("decision %+v new %+v", out.Task, out.New)
			}
			v, err := e.a.MatchImportDetail(ctx, county, "341523", res.Import.ID, 0, 0)
			if err != nil || v.Rows[0].Results[0].Outcome != matching.Matched || v.Rows[0].Results[0].Person.ID != w.ID {
				t.Errorf("the stored result after the decision: %+v %v", v, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'match.task.decide'`); n != 1 {
				t.Errorf("%d decisions audited", n)
			}
		})
	}
}

// TestImportAfterKeyRotation: the stored fact keys are keyed hashes; after
// a key rotation retires the generation they were made with, the same
// file still creates nothing twice, and the rows still read.
func TestImportAfterKeyRotation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w := e.family("林秀珍", "1957-07-07", 1)
			file := deathsFile([4]string{"林秀珍", w.IDNumber, "1957-07-07", "2023-10-10"})
			first, err := e.importDeaths(county, file, false)
			if err != nil || first.Import.New != 1 {
				t.Fatalf("first import %+v: %v", first, err)
			}
			ring := e.a.DB().Keys()
			other := keys.AESGCM
			if ring.Current().Cipher == keys.AESGCM {
				other = keys.SM4GCM
			}
			if err := ring.Add(other); err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.DB().RotateKeys(ctx); err != nil {
				t.Fatal(err)
			}
			again, err := e.importDeaths(county, file, false)
			if err != nil || again.Import.New != 0 || again.Import.Repeated != 1 || again.Import.Tasks != 0 {
				t.Fatalf("after the rotation %+v: %v", again.Import, err)
			}
			v, err := e.a.MatchImportDetail(ctx, county, "341523", first.Import.ID, 0, 0)
			if err != nil || v.Rows[0].Cells[0] != w.IDNumber {
				t.Errorf("the first import's row after the rotation: %+v %v", v, err)
			}
		})
	}
}

// TestMatchIndexFollowsTheRegistry: the matcher's index is kept between
// imports of a county, and a person registered between two imports is
// found by the second.
func TestMatchIndexFollowsTheRegistry(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			first := e.family("周玉梅", "1956-04-04", 1)
			for i, tc := range []struct {
				who  *registry.Record
				died string
			}{{first, "2023-05-05"}, {nil, "2023-06-06"}, {first, "2023-05-05"}} {
				w := tc.who
				if w == nil {
					w = e.family("吴凤英", "1959-11-11", 2) // registered after the first import
				}
				res, err := e.importDeaths(county, deathsFile([4]string{w.Name, w.IDNumber, w.Birth.String(), tc.died}), false)
				if err != nil {
					t.Fatal(err)
				}
				if r := res.Results[0]; r.Outcome != matching.Matched || r.Person.ID != w.ID {
					t.Errorf("import %d: %+v, want %s matched", i+1, r, w.Name)
				}
			}
		})
	}
}
