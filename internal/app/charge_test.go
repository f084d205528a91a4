package app_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestPeopleInCharge: the township puts two recipients in the charge of
// its village specialist and of itself, the county puts one in its own;
// each cadre's list shows theirs; the board counts by township who has
// nobody at each level and lists them; a batch with one bad row changes
// nothing; the village, the supervisor and the neighbouring county may
// not assign, the township may not assign the county's level, a cadre of
// the wrong level is refused; unassigning leaves nobody; every change is
// audited.
func TestPeopleInCharge(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			addStaff(t, e.a.DB(), supervisor)
			var ids []int64
			for i, n := range []string{"王秀英", "李桂兰", "张玉梅"} {
				r, _ := e.enrol(e.family(n, "1960-03-01", i+1), 2024, "2024-02-01")
				ids = append(ids, r.ID)
			}
			open, err := e.a.Apply(ctx, villager, workflow.NewApplication{County: "341523", PersonID: e.family("赵淑珍", "1962-04-01", 9).ID,
				Program: "jf", Year: 2024, Application: workflow.Application{Declared: workflow.Declared{HukouType: "rural", Marriage: "1983年初婚",
					Births: "1985年生育一子", Adoptions: "无", SurvivingChildren: 1}, Attachments: []string{"身份证复印件"}, Pledge: true}})
			if err != nil {
				t.Fatal(err)
			}
			batch := func(level workflow.Level, user int64, ids ...int64) charge.Batch {
				return charge.Batch{Region: "341523100000", Kind: charge.KindRecipient, Level: level, UserID: user, IDs: ids}
			}

			// Refusals.
			for _, c := range []struct {
				who  auth.Actor
				b    charge.Batch
				kind apperr.Kind
			}{
				{villager, batch(workflow.LevelVillage, villager.UserID, ids[0]), apperr.Forbidden},
				{supervisor, batch(workflow.LevelVillage, villager.UserID, ids[0]), apperr.Forbidden},
				{township, batch(workflow.LevelCounty, county.UserID, ids[0]), apperr.Forbidden},
				{neighbour, batch(workflow.LevelVillage, villager.UserID, ids[0]), apperr.Forbidden},
				{township, batch(workflow.LevelVillage, township.UserID, ids[0]), apperr.Invalid},      // a township officer is no village cadre
				{township, batch(workflow.LevelVillage, villager.UserID, ids[0], 999), apperr.Invalid}, // no such recipient: nothing changes
				{township, batch(workflow.LevelVillage, villager.UserID, ids[0], ids[0]), apperr.Invalid},
				{county, batch("city", county.UserID, ids[0]), apperr.Invalid},
			} {
				if _, err := e.a.AssignCharges(ctx, c.who, c.b); apperr.KindOf(err) != c.kind {
					t.Errorf("%s assigns %+v: %v, want %s", c.who.Username, c.b, err, c.kind)
				}
			}
			if _, err := e.a.AssignCharges(ctx, township, batch(workflow.LevelVillage, villager.UserID, ids[0], 999)); fieldsOf(err) != "ids[2]" {
				t.Errorf("the bad row is not named: %v (%q)", err, fieldsOf(err))
			}

			// Assignments.
			for _, c := range []struct {
				who  auth.Actor
				b    charge.Batch
				want int
			}{
				{township, batch(workflow.LevelVillage, villager.UserID, ids[0], ids[1]), 2},
				{township, batch(workflow.LevelTownship, township.UserID, ids[0], ids[1]), 2},
				{county, batch(workflow.LevelCounty, county.UserID, ids[0]), 1},
				{county, batch(workflow.LevelCounty, county.UserID, ids[0]), 0}, // already theirs
				{township, charge.Batch{Region: "341523100201", Kind: charge.KindCase, Level: workflow.LevelVillage, UserID: villager.UserID, IDs: []int64{open.ID}}, 1},
			} {
				d, err := e.a.AssignCharges(ctx, c.who, c.b)
				if err != nil || d.Changed != c.want {
					t.Fatalf("%s assigns %+v: %+v, %v", c.who.Username, c.b, d, err)
				}
			}
			mine, err := e.a.MyCharges(ctx, villager)
			if err != nil || len(mine) != 3 || mine[0].Kind != charge.KindRecipient || mine[2].Kind != charge.KindCase || mine[2].ID != open.ID {
				t.Fatalf("the village specialist's list: %+v, %v", mine, err)
			}
			if mine[0].IDNumber == "" || mine[0].IDNumber[6] != '*' {
				t.Errorf("an ID number in the list is not masked: %q", mine[0].IDNumber)
			}
			if c := mine[0].Cadre(workflow.LevelCounty); c == nil || c.Name != county.Name {
				t.Errorf("the county cadre of the first: %+v", c)
			}
			if mine, _ := e.a.MyCharges(ctx, county); len(mine) != 1 {
				t.Errorf("the county officer's list: %+v", mine)
			}

			// The board: nobody at each level, by township.
			b, err := e.a.ChargeBoard(ctx, township, charge.Query{Region: "341523100000", Kind: charge.KindRecipient, Level: workflow.LevelVillage, Nobody: true})
			if err != nil || len(b.Rows) != 1 || b.Rows[0].ID != ids[2] || !b.MayAssign || len(b.Cadres) != 1 || b.Cadres[0].ID != villager.UserID {
				t.Fatalf("the township's board: %+v, %v", b, err)
			}
			if tw := b.Townships; len(tw) != 1 || tw[0].Total != 3 || tw[0].Nobody[workflow.LevelVillage] != 1 || tw[0].Nobody[workflow.LevelCounty] != 2 {
				t.Errorf("the townships: %+v", tw)
			}
			if b, err := e.a.ChargeBoard(ctx, township, charge.Query{Region: "341523", Kind: charge.KindRecipient}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the township reads the whole county: %+v, %v", b, err)
			}
			if b, err := e.a.ChargeBoard(ctx, supervisor, charge.Query{Region: "341523", Kind: charge.KindCase, Level: workflow.LevelCounty}); err != nil || b.MayAssign || !hasTarget(b.Rows, open.ID) {
				t.Errorf("the supervisor's board of cases: %+v, %v", b, err)
			}

			// Unassigning.
			if d, err := e.a.AssignCharges(ctx, township, batch(workflow.LevelVillage, 0, ids[1], ids[2])); err != nil || d.Changed != 1 || d.Unchanged != 1 {
				t.Fatalf("unassign: %+v, %v", d, err)
			}
			if mine, _ := e.a.MyCharges(ctx, villager); len(mine) != 2 {
				t.Errorf("after unassigning, the village specialist's list: %+v", mine)
			}
			var n int
			_ = e.a.DB().View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEntries(ctx, "", store.AuditFilter{County: "341523", Entity: "charge", Limit: 100})
				for _, x := range es {
					if x.Action == "charge.assign" || x.Action == "charge.unassign" {
						n++
					}
				}
				return err
			})
			if n != 7 {
				t.Errorf("%d changes audited, want 7", n)
			}
			if d := deniedCount(t, e.a.DB(), "341523", supervisor.UserID); d != 1 {
				t.Errorf("%d refusals of the supervisor audited, want 1", d)
			}
		})
	}
}

func hasTarget(ts []charge.Target, id int64) bool {
	for _, t := range ts {
		if t.ID == id {
			return true
		}
	}
	return false
}
