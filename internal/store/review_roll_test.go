package store_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestReviewHoldsPayment: a 特扶 recipient who takes in a child without
// adoption papers (a de-facto adoption after 1992) cannot be decided by
// the engine; the roll suspends the payment instead of paying on or
// exiting, and resumes it once staff rule the child does not count.
func TestReviewHoldsPayment(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newWfEnv(t, engine)
			e.clock.set("2024-01-05")
			w, h, c := e.family("1966-02-01", "1964-03-01", "1990-04-12", 300)
			e.must("child's death", func(tx *store.Tx) error {
				_, err := registry.RecordDeath(e.ctx, tx, villager, registry.Key{County: c.County, ID: c.ID}, date.MustParse("2015-05-10"), "公安")
				return err
			})
			r := e.putOnRoll(w, "tf_death", "", 2016, 1)
			kid := register(t, e.db, person(t, "张小", "F", "2022-01-01", 310))
			e.clock.set("2024-07-01")
			e.must("de-facto adoption", func(tx *store.Tx) error {
				for _, p := range []*registry.Record{w, h} {
					if _, err := registry.AddChild(e.ctx, tx, villager, registry.Key{County: p.County, ID: p.ID}, registry.Key{County: kid.County, ID: kid.ID},
						registry.ParentChild{Kind: registry.AdoptionDeFacto, From: date.MustParse("2024-03-01")}, ""); err != nil {
						return err
					}
				}
				return nil
			})
			res, err := e.event(wfTownship, w, workflow.Event{Kind: "adoption", Date: date.MustParse("2024-03-01"), Evidence: "入户调查"})
			if err != nil {
				t.Fatal(err)
			}
			got := e.recipient(r.ID)
			if got.Status != roll.StatusSuspended || len(res.Changes) != 1 || res.Changes[0].Kind != roll.ChangeSuspend {
				t.Fatalf("after a doubtful adoption: %+v, changes %+v; want suspended", got, res.Changes)
			}
			// Applying it again changes nothing while nobody has decided.
			if res, err := e.event(wfTownship, w, workflow.Event{Kind: "adoption", Date: date.MustParse("2024-03-01")}); err != nil || len(res.Changes) != 0 {
				t.Errorf("second application: %v %+v, want no changes", err, res)
			}
			e.must("ruling", func(tx *store.Tx) error {
				return registry.RuleOnAdoption(e.ctx, tx, wfTownship, registry.Key{County: kid.County, ID: kid.ID}, registry.RulingNotCounted, "寄养，非收养")
			})
			res, err = e.event(wfTownship, w, workflow.Event{Kind: "other", Date: date.MustParse("2024-07-01"), Note: "认定不计入子女"})
			if err != nil {
				t.Fatal(err)
			}
			if got := e.recipient(r.ID); got.Status != roll.StatusActive || len(res.Changes) != 1 || res.Changes[0].Kind != roll.ChangeResume {
				t.Errorf("after the ruling: %+v, changes %+v; want active again", got, res.Changes)
			}
		})
	}
}
