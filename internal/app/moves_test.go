package app_test

import (
	"fmt"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// newVillage is the village of the neighbouring county the family moves to.
const newVillage = "341522100002"

// TestTransferBetweenCounties moves a recipient of 舒城县 to the
// neighbouring county in the middle of 2024: the old county pays 2024
// (the period the move falls in), the new county 2025, each once; the
// new county cannot see the person before it accepts; the ties to the
// husband and the son left behind span the two counties, and the new
// county's rules see them; a second acceptance changes nothing; a
// refused transfer leaves everything in the old county; a migrant living
// in the new county is listed there and paid by the old one.
func TestTransferBetweenCounties(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			w := e.family("王秀英", "1960-03-01", 1)
			r, due := e.enrol(w, 2024, "2024-02-01")
			old := registry.Key{County: "341523", ID: w.ID}

			e.clock.set("2024-05-20")
			start := move.Start{County: "341523", PersonID: w.ID, ToCounty: "341522", MovedOn: date.MustParse("2024-05-10"),
				Source: move.SourcePolice, SourceRef: "皖迁字2024第0512号"}
			for _, c := range []struct {
				name   string
				who    auth.Actor
				in     move.Start
				fields string
				kind   apperr.Kind
			}{
				{"the village", villager, start, "", apperr.Forbidden},
				{"the new county", otherCounty, start, "", apperr.NotFound},
				{"the same county", county, move.Start{County: "341523", PersonID: w.ID, ToCounty: "341523", MovedOn: start.MovedOn, Source: move.SourceHand}, "to_county", apperr.Invalid},
				{"no record number", county, move.Start{County: "341523", PersonID: w.ID, ToCounty: "341522", MovedOn: start.MovedOn, Source: move.SourcePolice}, "source_ref", apperr.Invalid},
				{"a day to come", county, move.Start{County: "341523", PersonID: w.ID, ToCounty: "341522", MovedOn: date.MustParse("2024-06-01"), Source: move.SourceHand}, "moved_on", apperr.Invalid},
			} {
				_, err := e.a.StartTransfer(ctx, c.who, c.in)
				if apperr.KindOf(err) != c.kind || (c.fields != "" && fieldsOf(err) != c.fields) {
					t.Errorf("%s: %v (fields %q), want %v", c.name, err, fieldsOf(err), c.kind)
				}
			}
			tr, err := e.a.StartTransfer(ctx, county, start)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Programs != "jf" || tr.IDMasked == "" || tr.IDMasked == w.IDNumber {
				t.Errorf("the transfer's snapshot: %+v", tr)
			}
			if _, err := e.a.StartTransfer(ctx, county, start); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("a second open transfer: %v", err)
			}

			// Before acceptance the new county sees the transfer, not the person.
			if _, err := e.a.Person(ctx, otherCounty, old); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("the new county reads the person before accepting: %v", err)
			}
			in, err := e.a.Transfers(ctx, otherCounty, "341522", move.SideIn)
			if err != nil || len(in) != 1 || in[0].State != move.StateStarted || in[0].Name != w.Name {
				t.Fatalf("the incoming list: %+v, %v", in, err)
			}
			if _, err := e.a.Transfers(ctx, otherCounty, "341523", move.SideOut); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the new county lists the old county's transfers: %v", err)
			}
			if _, err := e.a.DecideTransfer(ctx, county, "341522", tr.ID, move.Decision{Accept: true, Version: 1}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the old county accepts for the new one: %v", err)
			}
			if _, err := e.a.DecideTransfer(ctx, otherCounty, "341522", tr.ID, move.Decision{Accept: true, Version: 1}); fieldsOf(err) != "to_region" {
				t.Errorf("an acceptance without the place: %v", err)
			}

			e.clock.set("2024-05-25")
			acc, err := e.a.DecideTransfer(ctx, otherCounty, "341522", tr.ID, move.Decision{Accept: true, ToRegion: newVillage, Version: 1})
			if err != nil {
				t.Fatal(err)
			}
			h := acc.Handover
			if acc.State != move.StateAccepted || acc.NewPersonID == 0 || h == nil || len(h.Entries) != 1 || h.Ties != 2 {
				t.Fatalf("the acceptance: %+v %+v", acc, h)
			}
			if got := h.Entries[0]; got.OldID != r.ID || got.OldLast != 2024*12+11 || got.NewFirst != 2025*12 {
				t.Errorf("the hand-over of the roll entry: %+v, want the old county paying 2024 and the new from 2025", got)
			}
			again, err := e.a.DecideTransfer(ctx, otherCounty, "341522", tr.ID, move.Decision{Accept: true, ToRegion: newVillage, Version: 1})
			if err != nil || again.NewPersonID != acc.NewPersonID {
				t.Errorf("a second acceptance: %+v, %v", again, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM persons WHERE county = '341522'`); n != 1 {
				t.Errorf("%d persons in the new county, want 1", n)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'transfer.accept'`); n != 2 {
				t.Errorf("%d acceptance audit entries, want one in each county", n)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'transfer.accept' AND county = '341523'`); n != 1 {
				t.Errorf("the old county's chain holds %d acceptance entries", n)
			}
			nk := registry.Key{County: "341522", ID: acc.NewPersonID}
			if _, err := e.a.Person(ctx, otherCounty, nk); err != nil {
				t.Errorf("the new county reads the person it accepted: %v", err)
			}
			if st := e.recipientStatus(r.ID); st != roll.StatusExited {
				t.Errorf("the old roll entry is %s", st)
			}
			res, err := e.a.Residence(ctx, otherCounty, nk)
			if err != nil || len(res.RemoteTies) != 2 {
				t.Fatalf("the new county's remote ties: %+v, %v", res, err)
			}
			for _, rt := range res.RemoteTies {
				if rt.Name != "" || rt.OtherCounty != "341523" {
					t.Errorf("a relative in the old county shown to the new one: %+v", rt)
				}
			}
			husband := w.ID + 1
			hr, err := e.a.Residence(ctx, county, registry.Key{County: "341523", ID: husband})
			if err != nil || len(hr.RemoteTies) != 1 || hr.RemoteTies[0].Kind != move.TieSpouse || hr.RemoteTies[0].OtherID != acc.NewPersonID {
				t.Errorf("the husband's tie to the new county: %+v, %v", hr, err)
			}
			if mr, err := e.a.Residence(ctx, county, old); err != nil || mr.MovedTo != "341522" {
				t.Errorf("the old row: %+v, %v", mr, err)
			}

			// The year is paid once: 2024 by the old county, 2025 by the new.
			oldFinance := finance
			newFinance := neighbour
			pay := func(who auth.Actor, cnty, period string) []string {
				t.Helper()
				_, lines, err := e.a.GenerateCycle(ctx, who, payment.CycleRequest{County: cnty, Program: "jf", Period: period})
				if err != nil {
					t.Fatalf("%s %s: %v", cnty, period, err)
				}
				return linesOf(lines)
			}
			e.clock.set("2024-06-20")
			equal(t, "the old county's 2024", pay(oldFinance, "341523", "2024"), []string{fmt.Sprintf("p%d 2024 regular 960.00 [576.00 230.40 76.80 76.80] pending", w.ID)})
			equal(t, "the new county's 2024", pay(newFinance, "341522", "2024"), nil)
			e.clock.set("2025-03-20")
			equal(t, "the old county's 2025", pay(oldFinance, "341523", "2025"), nil)
			equal(t, "the new county's 2025", pay(newFinance, "341522", "2025"), []string{fmt.Sprintf("p%d 2025 regular 960.00 [576.00 230.40 76.80 76.80] pending", acc.NewPersonID)})
			if due != 96000 {
				t.Errorf("the year's amount %d", due)
			}
			// The new county's procedure reads the family across the counties:
			// the annual review keeps her, the family view names the son.
			ar, err := e.a.AnnualReview(ctx, otherCounty, "341522", 2025)
			if err != nil || ar.Reviewed != 1 || ar.Confirmed != 1 || len(ar.Changed) != 0 {
				t.Errorf("the new county's annual review: %+v, %v", ar, err)
			}
			fam, err := e.a.Family(ctx, otherCounty, nk)
			if err != nil || len(fam.Persons) != 3 || len(fam.Children) != 2 || len(fam.Marriages) != 1 {
				t.Errorf("the family across the counties: %+v, %v", fam, err)
			}

			// A refusal leaves everything in the old county.
			e.clock.set("2025-03-21")
			w2 := e.family("李桂兰", "1962-07-01", 2)
			e.enrol(w2, 2025, "2025-02-01")
			e.clock.set("2025-04-01")
			tr2, err := e.a.StartTransfer(ctx, county, move.Start{County: "341523", PersonID: w2.ID, ToCounty: "341522", ToRegion: newVillage,
				MovedOn: date.MustParse("2025-03-30"), Source: move.SourceHand})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.DecideTransfer(ctx, otherCounty, "341522", tr2.ID, move.Decision{Version: 1}); fieldsOf(err) != "reason" {
				t.Errorf("a refusal without a reason: %v", err)
			}
			ref, err := e.a.DecideTransfer(ctx, otherCounty, "341522", tr2.ID, move.Decision{Reason: "经核实本人仍在原籍居住，未办理落户", Version: 1})
			if err != nil || ref.State != move.StateRefused {
				t.Fatalf("the refusal: %+v, %v", ref, err)
			}
			outs, err := e.a.Transfers(ctx, county, "341523", move.SideOut)
			if err != nil || len(outs) != 2 || outs[0].State != move.StateRefused && outs[1].State != move.StateRefused {
				t.Errorf("the old county's list after the refusal: %+v, %v", outs, err)
			}
			if n := e.count(`SELECT COUNT(*) FROM persons WHERE county = '341522'`); n != 1 {
				t.Errorf("%d persons in the new county after the refusal", n)
			}
			if n := e.count(`SELECT COUNT(*) FROM recipients WHERE county = '341523' AND person_id = ? AND status = 'active'`, w2.ID); n != 1 {
				t.Errorf("the refused person's roll entry is not active in the old county")
			}
			if _, err := e.a.DecideTransfer(ctx, otherCounty, "341522", tr2.ID, move.Decision{Accept: true, ToRegion: newVillage, Version: 2}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("accepting a refused transfer: %v", err)
			}

			// A migrant: living in the new county, paid by the old one.
			if _, err := e.a.SetResidence(ctx, otherCounty, registry.Key{County: "341523", ID: w2.ID}, move.Residence{Region: newVillage, Version: w2.Version}); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("the new county sets the residence of a person of the old: %v", err)
			}
			p2, err := e.a.Person(ctx, county, registry.Key{County: "341523", ID: w2.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.SetResidence(ctx, county, registry.Key{County: "341523", ID: w2.ID}, move.Residence{Region: "3415", Version: p2.Person.Version}); fieldsOf(err) != "residence" {
				t.Errorf("a bad residence: %v", err)
			}
			if _, err := e.a.SetResidence(ctx, county, registry.Key{County: "341523", ID: w2.ID}, move.Residence{Region: newVillage, Version: p2.Person.Version}); err != nil {
				t.Fatal(err)
			}
			ml, err := e.a.Migrants(ctx, otherCounty, "")
			if err != nil || len(ml.Migrants) != 1 || ml.Migrants[0].PersonID != w2.ID || ml.Migrants[0].OnRoll != "jf" ||
				len(ml.ByTownship) != 1 || ml.ByTownship[0].Township != "341522100000" {
				t.Errorf("the new county's migrants: %+v, %v", ml, err)
			}
			if ml, err := e.a.Migrants(ctx, county, ""); err != nil || len(ml.Migrants) != 0 {
				t.Errorf("the old county's migrants: %+v, %v", ml, err)
			}
			if _, err := e.a.Migrants(ctx, otherCounty, "341523"); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the migrants of a county outside the scope: %v", err)
			}
			if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'person.residence'`); n != 1 {
				t.Errorf("%d residence audit entries", n)
			}
		})
	}
}

// TestSyntheticMoves generates a synthetic county and checks the share of
// migrants among the living and that its hukou moves to other counties
// of the province were handed over: most accepted, some waiting, persons
// and roll entries copied to the new counties, the old rows closed.
func TestSyntheticMoves(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			e.clock.set("2025-07-01")
			st, err := e.a.GenerateSynthetic(e.ctx, auth.System, synth.Config{County: "341523", Persons: 20000, Seed: 7, Transfers: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			share := float64(st.Migrants) / float64(st.Alive)
			t.Logf("%d migrants among %d living (%.1f%%), %d moves", st.Migrants, st.Alive, 100*share, st.Moves)
			if share < 0.12 || share > 0.30 {
				t.Errorf("%d migrants among %d living (%.1f%%), want 12–30%%", st.Migrants, st.Alive, 100*share)
			}
			if st.Moves < 10 || st.Moves > 200 {
				t.Errorf("%d hukou moves out of the county in a year among %d living", st.Moves, st.Alive)
			}
			moved := e.count(`SELECT COUNT(*) FROM persons WHERE county = '341523' AND moved_to <> ''`)
			accepted := e.count(`SELECT COUNT(*) FROM transfers WHERE county = '341523' AND state = 'accepted'`)
			open := e.count(`SELECT COUNT(*) FROM transfers WHERE county = '341523' AND state = 'started'`)
			elsewhere := e.count(`SELECT COUNT(*) FROM persons WHERE county <> '341523'`)
			if moved != accepted || elsewhere != accepted || accepted < st.Moves/2 || open == 0 {
				t.Errorf("transfers: %d accepted, %d open of %d; %d old rows closed, %d persons in the new counties", accepted, open, st.Moves, moved, elsewhere)
			}
			if n := e.count(`SELECT COUNT(*) FROM transfers WHERE county <> '341523' AND side = 'in'`); n != st.Moves {
				t.Errorf("%d rows in the new counties for %d moves", n, st.Moves)
			}
		})
	}
}
