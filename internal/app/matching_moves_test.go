package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestPoliceMoveStartsTransfer confirms police records of moves out of
// 舒城县: a move to the neighbouring county of the system, verified by
// the village, waits for the county, whose confirmation starts the
// transfer there in one step, prefilled from the record and audited in
// both counties; the task shows the transfer and its state once the new
// county accepts. A record that does not name a county of the division table is
// confirmed as verified and starts nothing.
func TestPoliceMoveStartsTransfer(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w := e.family("王秀英", "1960-03-01", 1)
			e.enrol(w, 2024, "2024-02-01")
			away := e.family("李桂兰", "1962-07-01", 2)
			e.clock.set("2024-05-20")
			var b strings.Builder
			b.WriteString("身份证号,姓名,变动类型,变动日期,对方区划代码\n")
			fmt.Fprintf(&b, "%s,%s,迁出,2024-05-10,%s\n", w.IDNumber, w.Name, newVillage)
			fmt.Fprintf(&b, "%s,%s,迁出,2024-05-11,\n", away.IDNumber, away.Name)
			res, err := e.a.ImportExtract(ctx, county, app.MatchImport{County: "341523", Kind: "police-moves", FileName: "moves.csv",
				File: strings.NewReader(b.String())})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Tasks) != 2 {
				t.Fatalf("tasks %+v", res.Tasks)
			}
			tasks := map[int64]matching.Task{}
			for _, tk := range res.Tasks {
				if tk.Reason != matching.TaskMovedOut {
					t.Fatalf("task %+v", tk)
				}
				tasks[tk.Person.ID] = tk
			}

			// The village verifies: the task waits for the county.
			task := tasks[w.ID]
			out, err := e.a.ConfirmMatchTask(ctx, villager, "341523", task.ID, task.Version, "已入户核实")
			if err != nil {
				t.Fatal(err)
			}
			if out.Transfer != nil || out.Task.Status != matching.TaskOpen || out.Task.Level != matching.AtCounty {
				t.Fatalf("after the village: %+v %+v", out.Task, out.Transfer)
			}
			if n := e.count(`SELECT COUNT(*) FROM transfers`); n != 0 {
				t.Fatalf("the village started %d transfer rows", n)
			}
			// The county confirms: the transfer starts, from the record.
			out, err = e.a.ConfirmMatchTask(ctx, county, "341523", task.ID, out.Task.Version, "同意迁出")
			if err != nil {
				t.Fatal(err)
			}
			tr := out.Transfer
			if out.Task.Status != matching.TaskConfirmed || tr == nil {
				t.Fatalf("after the county: %+v %+v", out.Task, tr)
			}
			if tr.ToCounty != "341522" || tr.ToRegion != newVillage || tr.MovedOn.String() != "2024-05-10" || tr.Source != move.SourcePolice ||
				!strings.Contains(tr.SourceRef, fmt.Sprintf("第%d批第%d行", task.ImportID, task.Row)) || tr.State != move.StateStarted {
				t.Errorf("transfer %+v", tr)
			}
			for _, c := range []string{"341523", "341522"} {
				if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE county = ? AND action = 'transfer.start'`, c); n != 1 {
					t.Errorf("county %s: %d transfer.start entries", c, n)
				}
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE county = '341523' AND action = 'match.task.confirm'`); n != 2 {
				t.Errorf("%d match.task.confirm entries", n)
			}
			// The new county accepts; the task shows it.
			in, err := e.a.Transfers(ctx, otherCounty, "341522", move.SideIn)
			if err != nil || len(in) != 1 {
				t.Fatalf("the new county's transfers %+v %v", in, err)
			}
			if _, err := e.a.DecideTransfer(ctx, otherCounty, "341522", in[0].ID, move.Decision{Accept: true, Version: in[0].Version}); err != nil {
				t.Fatal(err)
			}
			v, err := e.a.MatchTask(ctx, county, "341523", task.ID)
			if err != nil || v.Transfer == nil || v.Transfer.ID != tr.ID || v.Transfer.State != move.StateAccepted {
				t.Fatalf("the task's transfer %+v %v", v, err)
			}

			// A record without the other side: verified, nothing started.
			task = tasks[away.ID]
			out, err = e.a.ConfirmMatchTask(ctx, county, "341523", task.ID, task.Version, "")
			if err != nil || out.Transfer != nil || out.Task.Status != matching.TaskConfirmed {
				t.Fatalf("a move outside the system: %+v %v", out, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM transfers`); n != 2 {
				t.Errorf("%d transfer rows", n)
			}
		})
	}
}
