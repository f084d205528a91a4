package app_test

import (
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestDivisionMerger merges 晓天镇 into 城关镇 on 2026-02-01 in the
// monthly report's hand-built county, on both engines: January's report
// keeps its two townships and its figures; February's has one, and counts
// the persons of the former 晓天 there; the persons followed without being
// edited one by one (their codes re-keyed in one statement per table),
// 城关's township sees them, and records may be made in the new codes; the
// history of both codes is listed; a rename shows in the months after it;
// the refusals are audited.
func TestDivisionMerger(t *testing.T) {
	const cg, xt = "341523100000", "341523101000"
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := statsCounty(t, engine)
			jan, err := e.a.MonthlyReport(e.ctx, county, "341523", "2026-01", "zh")
			if err != nil {
				t.Fatal(err)
			}

			before := denied(t, e.a)
			merge := app.DivisionChangeInput{Kind: region.ChangeMerge, Code: xt, Target: cg, Day: "2026-02-01", Basis: "皖政秘〔2026〕1号"}
			_, err = e.a.ChangeDivision(e.ctx, township, merge)
			wantKind(t, "a township records a merger", err, apperr.Forbidden)
			_, err = e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeRename, Code: "341523", Name: "舒城区", Day: "2026-02-01"})
			wantKind(t, "a county renames itself", err, apperr.Invalid)
			_, err = e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeMerge, Code: xt, Target: cg, Day: "2026-03-01"})
			wantKind(t, "a merger dated after today", err, apperr.Invalid)
			if got := denied(t, e.a) - before; got != 1 {
				t.Errorf("%d refusals audited, want 1", got)
			}

			ch, err := e.a.ChangeDivision(e.ctx, county, merge)
			if err != nil {
				t.Fatal(err)
			}
			var moved region.Code
			for _, k := range ch.Keys {
				if k.Old == xiaotian {
					moved = k.New
				}
			}
			if !region.Code(cg).Contains(moved) || moved.Level() != region.Village {
				t.Fatalf("the village of 晓天 was re-keyed to %q: %+v", moved, ch.Keys)
			}
			rows := map[string]int64{}
			for _, r := range ch.Rekeyed {
				rows[r.Table] = r.Rows
			}
			var left, now int64
			if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error {
				if err := tx.QueryRow(e.ctx, `SELECT COUNT(*) FROM persons WHERE region LIKE '341523101%'`).Scan(&left); err != nil {
					return err
				}
				return tx.QueryRow(e.ctx, `SELECT COUNT(*) FROM persons WHERE region = ?`, string(moved)).Scan(&now)
			}); err != nil {
				t.Fatal(err)
			}
			if left != 0 || now == 0 || rows["persons"] != now {
				t.Errorf("persons left in 晓天 %d, in %s %d, re-keyed %v", left, moved, now, ch.Rekeyed)
			}
			// January, computed again: the same figures, by the townships of
			// January.
			jan2, err := e.a.MonthlyReport(e.ctx, county, "341523", "2026-01", "zh")
			if err != nil {
				t.Fatal(err)
			}
			if len(jan2.Report.Units) != len(jan.Report.Units) {
				t.Errorf("January's units %d, were %d", len(jan2.Report.Units), len(jan.Report.Units))
			}
			for k, v := range jan.Report.Figures {
				if jan2.Report.Figures[k] != v {
					t.Errorf("January's %s = %d after the merger, was %d", k, jan2.Report.Figures[k], v)
				}
			}
			if jan2.Report.Figures["births.all.all@"+xt] != 2 || jan2.Report.Figures["divorces@"+xt] != 1 {
				t.Errorf("January's 晓天: %v", jan2.Report.Figures)
			}
			// A birth of February in the new code, and a township report of
			// January for 晓天, which no longer exists.
			e.clock.set("2026-03-05")
			mother := e.person("新村母", registry.Female, "1995-01-01", string(moved))
			e.tie(mother, e.person("新村女", registry.Female, "2026-02-03", string(moved)), true)
			feb, err := e.a.MonthlyReport(e.ctx, county, "341523", "2026-02", "zh")
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range feb.Report.Units {
				if u.Code == xt {
					t.Errorf("February lists 晓天: %v", feb.Report.Units)
				}
			}
			if feb.Report.Figures["births.all.all@"+cg] != 1 || feb.Report.Figures["births.all.all"] != 1 || feb.Report.Figures["pop@"+cg] != feb.Report.Figures["pop"] {
				t.Errorf("February: births in 城关 %d, in all %d, pop %d of %d", feb.Report.Figures["births.all.all@"+cg], feb.Report.Figures["births.all.all"],
					feb.Report.Figures["pop@"+cg], feb.Report.Figures["pop"])
			}
			old, err := e.a.MonthlyReport(e.ctx, county, xt, "2026-01", "zh")
			if err != nil || old.Report.Figures["births.all.all"] != 2 || old.Report.RegionName == "" {
				t.Errorf("晓天's January after the merger: %v %v", old, err)
			}
			list, n, err := e.a.ReportPersons(e.ctx, county, "341523", "2026-01", "births.all.all@"+xt, 0, 0)
			if err != nil || n != 2 || list[0].Region != string(moved) {
				t.Errorf("the persons behind January's births of 晓天: %+v %d %v", list, n, err)
			}
			// 城关's township now sees the persons of the former 晓天.
			if _, err := e.a.MonthlyReport(e.ctx, township, cg, "2026-02", "zh"); err != nil {
				t.Fatal(err)
			}
			list, n, err = e.a.ReportPersons(e.ctx, township, cg, "2026-02", "births.all.all", 0, 0)
			if err != nil || n != 1 || list[0].Name != "新村女" {
				t.Errorf("城关's township reads February's births: %+v %d %v", list, n, err)
			}

			// A rename of 仁和村 from 2026-03-01: February keeps the old name.
			if _, err := e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeRename, Code: renhe, Name: "仁和社区", Day: "2026-03-01"}); err != nil {
				t.Fatal(err)
			}
			_, err = e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeRename, Code: renhe, Name: "仁和新村", Day: "2026-02-15"})
			wantKind(t, "a change dated before the last one", err, apperr.Invalid)
			names := func(month string) string {
				r, err := e.a.MonthlyReport(e.ctx, county, cg, month, "zh")
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range r.Report.Units {
					if u.Code == renhe {
						return u.Name
					}
				}
				return ""
			}
			if a, b := names("2026-02"), names("2026-03"); a != "仁和村委会" || b != "仁和社区" {
				t.Errorf("仁和 in February %q, in March %q", a, b)
			}

			// A new township split from 城关 takes 孔集村; 付圩村 moves under
			// 千人桥镇: each gets a code under its new township.
			sp, err := e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeSplit, Code: "341523130000", Name: "新城镇",
				Target: cg, Day: "2026-03-01", Villages: []string{"341523100214"}})
			if err != nil || len(sp.Keys) != 1 || sp.Keys[0].New != "341523130214" {
				t.Fatalf("split: %+v %v", sp, err)
			}
			mv, err := e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeMove, Code: "341523100215", Target: "341523102000", Day: "2026-03-01"})
			if err != nil || len(mv.Keys) != 1 || !region.Code("341523102000").Contains(mv.Keys[0].New) {
				t.Fatalf("move: %+v %v", mv, err)
			}
			_, err = e.a.ChangeDivision(e.ctx, county, app.DivisionChangeInput{Kind: region.ChangeSplit, Code: "341523130000", Name: "又一镇", Target: cg, Day: "2026-03-02"})
			wantKind(t, "a code used before", err, apperr.Invalid)
			ds, err := e.a.DivisionsOn(e.ctx, county, "341523130000", "2026-03-01")
			if err != nil || len(ds) != 1 || ds[0].Name != "孔集村委会" {
				t.Errorf("the new township's villages: %+v %v", ds, err)
			}
			ds, err = e.a.DivisionsOn(e.ctx, county, "341523", "2026-02-28")
			if err != nil || slices.ContainsFunc(ds, func(d region.Division) bool { return d.Code == "341523130000" }) {
				t.Errorf("the new township before it was made: %+v %v", ds, err)
			}

			// The history of both codes.
			h, err := e.a.DivisionHistory(e.ctx, county, xt)
			if err != nil {
				t.Fatal(err)
			}
			if h.InForce || h.Now != cg || len(h.Versions) != 1 || h.Versions[0].To != "2026-02-01" || len(h.Changes) != 1 ||
				h.Changes[0].Kind != region.ChangeMerge || h.Changes[0].Basis != "皖政秘〔2026〕1号" || h.Names[cg] != "城关镇" {
				t.Errorf("晓天's history: %+v", h)
			}
			h, err = e.a.DivisionHistory(e.ctx, county, string(moved))
			if err != nil || !h.InForce || len(h.Versions) != 1 || h.Versions[0].From != "2026-02-01" || len(h.Changes) != 1 {
				t.Errorf("the new village's history: %+v %v", h, err)
			}
			h, err = e.a.DivisionHistory(e.ctx, county, renhe)
			if err != nil || len(h.Versions) != 2 || h.Name != "仁和社区" || h.Versions[0].Name != "仁和村委会" {
				t.Errorf("仁和's history: %+v %v", h, err)
			}
			all, err := e.a.DivisionChanges(e.ctx, county, "341523")
			if err != nil || len(all) != 4 {
				t.Errorf("the county's changes: %+v %v", all, err)
			}
			if n := auditCount(t, e.a.DB(), "division.merge"); n != 1 {
				t.Errorf("%d merger audited, want 1", n)
			}
			_, err = e.a.DivisionHistory(e.ctx, auth.Actor{UserID: 9, Username: "x", Role: auth.RoleCounty, Scope: "341522"}, xt)
			wantKind(t, "another county reads the history", err, apperr.Forbidden)
		})
	}
}

func auditCount(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	if err := db.View(t.Context(), func(tx *store.Tx) error {
		return tx.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = ?`, action).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
