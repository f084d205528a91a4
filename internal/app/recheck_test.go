package app_test

import (
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

var (
	cityOfficer = auth.Actor{UserID: 501, Username: "shi", Name: "市抽查", Role: auth.RoleCity, Scope: "341500"}
	supervisor  = auth.Actor{UserID: 601, Username: "jd", Name: "监督", Role: auth.RoleSupervisor, Scope: "341523"}
)

// TestChecksAfterApproval: the county draws a re-check sample of the
// year's new recipients from a seed, and the same seed draws the same
// recipients again; the city draws its spot-check the same way, records
// a discrepancy that reopens a case (the payments are suspended) and then
// confirms it (they resume); the county finds fraud, which ends the
// benefit as never due, computes what was paid as the recovery and
// records who signed which step, which the supervisor reads. The village,
// the township, the supervisor and the finance officer cannot draw or
// record; a level cannot record another's findings; the refusals are
// audited.
func TestChecksAfterApproval(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			var recs []*roll.Recipient
			for i, n := range []string{"王秀英", "李桂兰", "张玉梅", "赵淑珍"} {
				r, _ := e.enrol(e.family(n, "1960-03-01", i+1), 2024, "2024-02-01")
				recs = append(recs, r)
			}
			e.clock.set("2024-06-01")
			draw := recheck.Draw{County: "341523", Year: 2024, Method: recheck.MethodSimple, Size: 2, Seed: 20240601}
			for _, who := range []auth.Actor{villager, township, supervisor, finance} {
				if _, err := e.a.DrawCheckSample(ctx, who, draw); apperr.KindOf(err) != apperr.Forbidden {
					t.Errorf("%s draws: %v", who.Username, err)
				}
			}
			if n := deniedCount(t, e.a.DB(), "341523", finance.UserID); n != 1 {
				t.Errorf("%d refusals of the finance officer audited, want 1", n)
			}
			if _, err := e.a.DrawCheckSample(ctx, county, recheck.Draw{County: "341523", Year: 2024, Method: "all", Size: 0}); fieldsOf(err) != "method,size" {
				t.Errorf("a bad draw: %v (fields %q)", err, fieldsOf(err))
			}
			s1, err := e.a.DrawCheckSample(ctx, county, draw)
			if err != nil {
				t.Fatal(err)
			}
			s2, err := e.a.DrawCheckSample(ctx, county, draw)
			if err != nil {
				t.Fatal(err)
			}
			picked := func(s *recheck.Sample) []int64 {
				var out []int64
				for _, it := range s.Items {
					out = append(out, it.RecipientID)
				}
				return out
			}
			if s1.Level != recheck.LevelCounty || s1.Population != 4 || len(s1.Items) != 2 || !slices.Equal(picked(s1), picked(s2)) {
				t.Fatalf("the re-check samples: %+v and %+v", s1, s2)
			}
			random, err := e.a.DrawCheckSample(ctx, county, recheck.Draw{County: "341523", Year: 2024, Method: recheck.MethodTownship, Size: 4})
			if err != nil || random.Seed == 0 || len(random.Items) != 4 {
				t.Fatalf("a draw with a new seed: %+v, %v", random, err)
			}

			// The city's spot-check: a discrepancy reopens, a confirmation settles.
			spot, err := e.a.DrawCheckSample(ctx, cityOfficer, recheck.Draw{County: "341523", Year: 2024, Method: recheck.MethodSimple, Size: 1, Seed: 5})
			if err != nil || spot.Level != recheck.LevelCity {
				t.Fatalf("the city's sample: %+v, %v", spot, err)
			}
			it := spot.Items[0]
			if _, err := e.a.AssignCheckVisit(ctx, cityOfficer, "341523", spot.ID, 1, recheck.Visit{Assignee: "市抽查组 李明", On: date.MustParse("2024-06-03"), Version: 1}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.a.RecordCheckFinding(ctx, county, "341523", spot.ID, 1, recheck.Result{Finding: recheck.Confirmed, Version: 2}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the county records the city's finding: %v", err)
			}
			if _, err := e.a.RecordCheckFinding(ctx, cityOfficer, "341523", s1.ID, 1, recheck.Result{Finding: recheck.Confirmed, Version: 1}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the city records the county's finding: %v", err)
			}
			if _, err := e.a.RecordCheckFinding(ctx, cityOfficer, "341523", spot.ID, 1, recheck.Result{Finding: recheck.Discrepancy, Reopen: true, Version: 2}); fieldsOf(err) != "note" {
				t.Errorf("a discrepancy without a note: %v", err)
			}
			got, err := e.a.RecordCheckFinding(ctx, cityOfficer, "341523", spot.ID, 1, recheck.Result{Finding: recheck.Discrepancy, Reopen: true,
				Note: "入户发现另有一子随父生活", Version: 2})
			if err != nil || !got.Reopened {
				t.Fatalf("the discrepancy: %+v, %v", got, err)
			}
			if st := e.recipientStatus(it.RecipientID); st != roll.StatusSuspended {
				t.Errorf("after the case was reopened the recipient is %s", st)
			}
			if _, err := e.a.RecordCheckFinding(ctx, cityOfficer, "341523", spot.ID, 1, recheck.Result{Finding: recheck.Confirmed, Note: "经核实该子为继子，情况属实", Version: 3}); err != nil {
				t.Fatal(err)
			}
			if st := e.recipientStatus(it.RecipientID); st != roll.StatusActive {
				t.Errorf("after the confirmation the recipient is %s", st)
			}

			// Fraud: the benefit ends, the recovery, the accountability.
			fraud := s1.Items[1]
			e.paid(fraud.PersonID, fraud.RecipientID, 96000)
			if _, err := e.a.RecordCheckFinding(ctx, supervisor, "341523", s1.ID, 2, recheck.Result{Finding: recheck.Fraud, Note: "x", Version: 1}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the supervisor records a finding: %v", err)
			}
			f, err := e.a.RecordCheckFinding(ctx, county, "341523", s1.ID, 2, recheck.Result{Finding: recheck.Fraud, Note: "伪造独生子女证", Version: 1})
			if err != nil {
				t.Fatal(err)
			}
			if f.Recovery != money.Fen(96000) {
				t.Errorf("recovery %d fen, want 96000", f.Recovery)
			}
			steps := map[string][]string{}
			for _, l := range f.Accountable {
				steps[l.Step] = append(steps[l.Step], l.Username+l.Signer)
			}
			for step, who := range map[string]string{"apply": "cz村专干", "survey": "cz村专干", "village_review": "cz村专干", "township_review": "xz乡审核", "county_approval": "xian县审批"} {
				if !slices.Contains(steps[step], who) {
					t.Errorf("step %s: accountable %v, want %s", step, steps[step], who)
				}
			}
			if len(steps["survey"]) != 2 {
				t.Errorf("the survey's accountable: %v, want the signer and the other investigator", steps["survey"])
			}
			if st := e.recipientStatus(fraud.RecipientID); st != roll.StatusExited {
				t.Errorf("after fraud the recipient is %s", st)
			}
			if _, err := e.a.RecordCheckFinding(ctx, county, "341523", s1.ID, 2, recheck.Result{Finding: recheck.Confirmed, Version: 2}); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("a finding over fraud: %v", err)
			}
			read, err := e.a.CheckSample(ctx, supervisor, "341523", s1.ID)
			if err != nil || read.Items[1].Finding != recheck.Fraud || len(read.Items[1].Accountable) != len(f.Accountable) || read.Items[1].Recovery != 96000 {
				t.Fatalf("the supervisor reads %+v, %v", read, err)
			}
			if _, err := e.a.CheckSample(ctx, otherCounty, "341523", s1.ID); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("another county reads the sample: %v", err)
			}
			list, err := e.a.CheckSamples(ctx, cityOfficer, 10)
			if err != nil || len(list) != 4 {
				t.Errorf("the city lists %d samples, %v", len(list), err)
			}
		})
	}
}

func (e *payEnv) recipientStatus(id int64) string {
	e.t.Helper()
	var st string
	if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(e.ctx, `SELECT status FROM recipients WHERE county = '341523' AND id = ?`, id).Scan(&st)
	}); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// paid records that the person was paid amount fen by the program jf.
func (e *payEnv) paid(person, recipient int64, amount int64) {
	e.t.Helper()
	if err := e.a.DB().Update(e.ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(e.ctx, `INSERT INTO payment_cycles (county, id, program, period, line_count, total_fen, created_by, created_by_name, created_at)
			VALUES ('341523', 800001, 'jf', '2024', 1, ?, 0, 'system', '2024-03-01T00:00:00Z')`, amount); err != nil {
			return err
		}
		_, err := tx.Exec(e.ctx, `INSERT INTO payment_lines (county, id, cycle_id, person_id, recipient_id, program, period, kind, region, months,
			amount_fen, central_fen, province_fen, city_fen, county_fen, status, hold_reason, updated_at)
			VALUES ('341523', 800001, 800001, ?, ?, 'jf', '2024', 'regular', '341523100201', 12, ?, ?, 0, 0, 0, 'paid', '', '2024-03-01T00:00:00Z')`,
			person, recipient, amount, amount)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
}
