package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// creditCode returns a valid unified social credit code ending in n.
func creditCode(n string) string {
	first := "52341523MJ" + n // 民办非企业单位, 舒城县
	first = first[:17]
	return first + string(childcare.CreditCheck(first))
}

func nursery(name, village string, places int, n string) childcare.NewInstitution {
	return childcare.NewInstitution{Name: name, CreditCode: creditCode(n), Operator: "舒城县某某教育咨询有限公司", RegType: childcare.RegSocial,
		Type: childcare.TypeFullDay, Inclusive: true, Places: places, PlacesToddler: places, Region: village, Address: "城关镇梅河路8号",
		Area: 12 * places, OutdoorArea: 3 * places, FireSafety: true, FireDoc: "舒消验字〔2024〕12号", FireDate: date.MustParse("2024-06-01"),
		Staff: []childcare.Staff{{Name: "周园长", Role: childcare.RoleDirector, Qualification: "幼儿园教师资格证"},
			{Name: "吴保育", Role: childcare.RoleCarer, Qualification: "保育师（四级）", CertNo: "BY2024001"}},
		Filed: date.MustParse("2024-09-01")}
}

// TestChildcare files two institutions, changes one, records an inspection
// with a rectification that fails its first check and passes its second,
// reads the places per 1,000 by township against a target the county sets,
// and closes a filing; and checks who may do what.
func TestChildcare(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newBornEnv(t, engine, "2025-06-10")
			for i := 0; i < 8; i++ {
				e.person("居民"+string(rune('甲'+i)), registry.Female, "1980-01-01", "341523100201")
			}
			for i := 0; i < 4; i++ {
				e.person("晓天"+string(rune('甲'+i)), registry.Male, "1981-01-01", "341523101200")
			}
			before := denied(t, e.a)
			_, err := e.a.FileChildcare(e.ctx, township, "341523", nursery("城关托育园", "341523100201", 60, "0000001"))
			wantKind(t, "the township files", err, apperr.Forbidden)
			_, err = e.a.FileChildcare(e.ctx, villager, "341523", nursery("城关托育园", "341523100201", 60, "0000001"))
			wantKind(t, "the village files", err, apperr.Forbidden)
			bad := nursery("城关托育园", "341523100201", 60, "0000001")
			bad.CreditCode = bad.CreditCode[:17] + "0"
			if bad.CreditCode == nursery("", "", 1, "0000001").CreditCode {
				bad.CreditCode = bad.CreditCode[:17] + "1"
			}
			_, err = e.a.FileChildcare(e.ctx, county, "341523", bad)
			wantKind(t, "a wrong credit code", err, apperr.Invalid)
			if got := denied(t, e.a) - before; got != 2 {
				t.Errorf("%d refusals audited, want 2", got)
			}

			x, err := e.a.FileChildcare(e.ctx, county, "341523", nursery("城关托育园", "341523100201", 60, "0000001"))
			if err != nil {
				t.Fatal(err)
			}
			if x.FilingNo != "341523-TY-2024-0001" || x.Status != childcare.StatusFiled {
				t.Fatalf("filed %+v", x)
			}
			y, err := e.a.FileChildcare(e.ctx, county, "341523", nursery("东苑社区托育点", "341523100001", 20, "0000002"))
			if err != nil {
				t.Fatal(err)
			}

			// A change of places is kept with its reason.
			in := nursery("城关托育园", "341523100201", 80, "0000001")
			x, err = e.a.AmendChildcare(e.ctx, county, "341523", x.ID, x.Version, in, date.MustParse("2025-03-01"), "扩建后增加托位")
			if err != nil || x.Places != 80 {
				t.Fatalf("amend: %+v %v", x, err)
			}
			_, err = e.a.AmendChildcare(e.ctx, county, "341523", x.ID, x.Version, in, date.MustParse("2025-03-01"), "无变化")
			wantKind(t, "a change that changes nothing", err, apperr.Invalid)

			// The township inspects; the rectification fails its first
			// check and passes its second.
			r, err := e.a.InspectChildcare(e.ctx, township, "341523", x.ID, childcare.NewInspection{Date: date.MustParse("2025-04-10"),
				Kind: childcare.InspectJoint, Inspectors: []string{"李检查", "王卫监"}, Findings: "消毒记录不全；一名保育人员无健康证",
				Grade: "C", Rectify: true, Requirement: "补齐消毒记录，保育人员持健康证上岗", Deadline: date.MustParse("2025-05-10")})
			if err != nil || r.Status != childcare.InspectionRectifying {
				t.Fatalf("inspect: %+v %v", r, err)
			}
			_, err = e.a.InspectChildcare(e.ctx, otherVillager, "341523", x.ID, childcare.NewInspection{Date: date.MustParse("2025-04-10"),
				Kind: childcare.InspectRoutine, Inspectors: []string{"某人"}, Findings: "无", Grade: "A"})
			wantKind(t, "a village inspects", err, apperr.Forbidden)
			open, err := e.a.OpenChildcareInspections(e.ctx, township, "341523")
			if err != nil || len(open) != 1 {
				t.Fatalf("open inspections %v %v", open, err)
			}
			r, err = e.a.CheckChildcareRectification(e.ctx, township, "341523", r.ID, r.Version, childcare.RectificationCheck{
				Date: date.MustParse("2025-05-12"), Checkers: []string{"李检查"}, Passed: false, Note: "健康证仍未办理",
				Deadline: date.MustParse("2025-06-01")})
			if err != nil || r.Status != childcare.InspectionRectifying || r.Deadline != date.MustParse("2025-06-01") {
				t.Fatalf("first check: %+v %v", r, err)
			}
			r, err = e.a.CheckChildcareRectification(e.ctx, township, "341523", r.ID, r.Version, childcare.RectificationCheck{
				Date: date.MustParse("2025-06-02"), Checkers: []string{"李检查", "王卫监"}, Passed: true})
			if err != nil || r.Status != childcare.InspectionClosed {
				t.Fatalf("second check: %+v %v", r, err)
			}
			f, err := e.a.ChildcareInstitution(e.ctx, township, "341523", x.ID)
			if err != nil || len(f.Changes) != 1 || len(f.Inspections) != 1 || f.Institution.LastInspection != date.MustParse("2025-04-10") {
				t.Fatalf("filing %+v %v", f, err)
			}

			// Places per 1,000: the county's 8 registered residents of 城关镇
			// have 100 places; the target is the county's.
			if err := e.a.SetChildcareTarget(e.ctx, township, "341523", "5"); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("the township sets the target: %v", err)
			}
			if err := e.a.SetChildcareTarget(e.ctx, county, "341523", "5.2"); err != nil {
				t.Fatal(err)
			}
			rep, err := e.a.ChildcarePlaces(e.ctx, township, "341523")
			if err != nil {
				t.Fatal(err)
			}
			if rep.Target != 5.2 || rep.Total.Places != 100 || rep.Total.Institutions != 2 || len(rep.Townships) < 2 {
				t.Fatalf("report %+v", rep)
			}
			first, last := rep.Townships[0], rep.Townships[len(rep.Townships)-1]
			if !first.Below || first.Township != "341523101000" || first.Population != 4 || first.Gap != 1 ||
				last.Township != "341523100000" || last.Below || last.Population != 8 || last.Places != 100 {
				t.Errorf("townships below the target come first: first %+v, last %+v", first, last)
			}
			list, n, err := e.a.ChildcareInstitutions(e.ctx, township, "341523", childcare.Query{})
			if err != nil || n != 2 || len(list) != 2 {
				t.Fatalf("list %d %v", n, err)
			}

			// A closed institution's places no longer count.
			if _, err := e.a.CloseChildcare(e.ctx, county, "341523", y.ID, y.Version, date.MustParse("2025-06-01"), "举办者申请停办"); err != nil {
				t.Fatal(err)
			}
			rep, err = e.a.ChildcarePlaces(e.ctx, county, "341523")
			if err != nil || rep.Total.Places != 80 {
				t.Fatalf("after the closure: %+v %v", rep, err)
			}
			before = denied(t, e.a)
			_, err = e.a.ChildcarePlaces(e.ctx, auth.Actor{UserID: 5, Username: "x", Role: auth.RoleCounty, Scope: "341524"}, "341523")
			wantKind(t, "another county's report", err, apperr.Forbidden)
			_, err = e.a.CloseChildcare(e.ctx, township, "341523", x.ID, x.Version, date.MustParse("2025-06-01"), "试图注销")
			wantKind(t, "the township closes a filing", err, apperr.Forbidden)
			_, err = e.a.ChildcareInstitution(e.ctx, otherVillager, "341523", x.ID)
			wantKind(t, "a village reads another village's filing", err, apperr.NotFound)
			_, err = e.a.CheckChildcareRectification(e.ctx, villager, "341523", r.ID, r.Version, childcare.RectificationCheck{})
			wantKind(t, "a village checks a rectification", err, apperr.Forbidden)
			if got := denied(t, e.a) - before; got != 4 {
				t.Errorf("%d refusals audited, want 4", got)
			}
		})
	}
}

// TestSyntheticServices loads a synthetic county simulated to the end of
// 2025 and reads its services through the use cases: the places per 1,000
// by township, a registration's slip verified by its number and code, and
// the roll of the childcare subsidy paid by a cycle.
func TestSyntheticServices(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			st, err := store.LoadSynthetic(context.Background(), db, synth.Config{County: synthCounty, Persons: 12000, Seed: 5,
				AsOf: date.MustParse("2025-12-31")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if st.Registrations == 0 || st.Claims == 0 || st.Institutions == 0 {
				t.Fatalf("stats %+v: no registrations, claims or institutions", st)
			}
			a := app.New(db, app.DefaultConfig(), nil)
			a.SetClock(func() time.Time { return time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC) })
			ctx := context.Background()
			rep, err := a.ChildcarePlaces(ctx, countyActor, synthCounty)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Total.Population == 0 || rep.Total.Places == 0 || rep.Target != childcare.DefaultTarget {
				t.Fatalf("report total %+v", rep.Total)
			}
			for i := 1; i < len(rep.Townships); i++ {
				if rep.Townships[i].Below && !rep.Townships[i-1].Below {
					t.Errorf("township %s below the target after one that is not", rep.Townships[i].Name)
				}
			}
			regs, n, err := a.BirthRegistrations(ctx, countyActor, synthCounty, birth.Query{Status: birth.StatusClosed, Limit: 1})
			if err != nil || n == 0 {
				t.Fatalf("registrations %d %v", n, err)
			}
			if v, err := a.VerifyBirthSlip(ctx, regs[0].Serial, regs[0].Code); err != nil || v.Parity != regs[0].Parity || v.Mother == "" {
				t.Fatalf("verify %s: %+v %v", regs[0].Serial, v, err)
			}
			slip, err := a.BirthSlip(ctx, countyActor, birth.Key{County: synthCounty, ID: regs[0].ID})
			if err != nil || len(slip.Born) != 1 || len(slip.Counted) != regs[0].Parity-1 {
				t.Fatalf("slip %+v %v", slip, err)
			}
			claims, n, err := a.SubsidyClaims(ctx, countyActor, synthCounty, birth.ClaimQuery{Status: birth.ClaimApproved})
			if err != nil || n == 0 || claims[0].RecipientID == 0 {
				t.Fatalf("approved claims %d %v", n, err)
			}
			_, lines, err := a.GenerateCycle(ctx, auth.Actor{UserID: 9, Username: "cw", Role: auth.RoleFinance, Scope: synthCounty},
				payment.CycleRequest{County: synthCounty, Program: policy.ProgramChildcareSubsidy, Period: "2025"})
			if err != nil || len(lines) == 0 {
				t.Fatalf("the 2025 cycle: %d lines, %v", len(lines), err)
			}
		})
	}
}
