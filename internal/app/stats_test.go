package app_test

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

var updateStats = flag.Bool("stats.update", false, "rewrite the monthly report's golden file")

var city = auth.Actor{UserID: 501, Username: "shi", Name: "市统计", Role: auth.RoleCity, Scope: "341500"}

// The hand-built county of the monthly report's tests: 舒城县 (341523)
// with 城关镇 (341523100: 东苑社区 341523100001, 仁和村 341523100201) and
// 晓天镇 (341523101: 341523101200). The report is January 2026's.
const (
	dongyuan = "341523100001"
	renhe    = "341523100201"
	xiaotian = "341523101200"
)

// statsCounty builds the county. In January 2026 (worked by hand):
//
//	births: 仁和 a girl, the mother's 2nd (her 1st born 2020);
//	        东苑 a boy, the mother's 1st;
//	        晓天 a boy, the mother's 3rd (her elder two 2019, 2022);
//	        晓天 a girl whose mother is not in the registry.
//	        → 4 births: p1 M 1, p2 F 1, p3 M 1, p0 F 1; ratio 100.
//	rolling 12 months (2025-02..2026-01): also a boy born 2025-06-01 in
//	        东苑, his mother's 1st → 5 births, 3 boys, 2 girls: 150.
//	deaths: 1 (东苑, 2026-01-05); marriages: 1 (both 仁和, 2026-01-08);
//	divorces: 1 (晓天, 2026-01-20); moves: a woman of 仁和 to 晓天 on
//	        2026-01-12 (within the county: none for the county, one out of
//	        城关, one into 晓天).
//	registrations: 1 (仁和, 2026-01-09, parity 2).
//	paid: jf 2 persons (仁和 960 yuan, 晓天 960 yuan), central 80%,
//	      province 20%; tf_death 1 person (东苑 5,400 yuan: central 4,000,
//	      province 1,400); paid in December: not counted.
//	aged: one recipient born 1924-05-01 (101), one born 1926-02-01
//	      (99 at the month's end).
func statsCounty(t *testing.T, engine store.Engine) *bornEnv {
	e := newBornEnv(t, engine, "2026-01-05")
	addStaff(t, e.a.DB(), city)
	r2020 := e.person("仁和母", registry.Female, "1994-03-01", renhe)
	kid := e.person("仁和长子", registry.Male, "2020-05-01", renhe)
	e.tie(r2020, kid, true)
	old := e.person("东苑老人", registry.Male, "1940-01-01", dongyuan)
	if _, err := e.a.RecordDeath(e.ctx, auth.System, old, date.MustParse("2026-01-05"), "family"); err != nil {
		t.Fatal(err)
	}
	e.clock.set("2026-02-10")
	girl := e.person("仁和次女", registry.Female, "2026-01-10", renhe)
	e.tie(r2020, girl, true)
	d1 := e.person("东苑母", registry.Female, "1996-01-01", dongyuan)
	boy := e.person("东苑子", registry.Male, "2026-01-15", dongyuan)
	e.tie(d1, boy, true)
	d2 := e.person("东苑母二", registry.Female, "1995-01-01", dongyuan)
	boy2 := e.person("东苑去年子", registry.Male, "2025-06-01", dongyuan)
	e.tie(d2, boy2, true)
	x := e.person("晓天母", registry.Female, "1990-01-01", xiaotian)
	for i, b := range []string{"2019-02-01", "2022-03-01", "2026-01-20"} {
		sex := registry.Female
		if i > 0 {
			sex = registry.Male
		}
		e.tie(x, e.person("晓天孩"+fmt.Sprint(i), sex, b, xiaotian), true)
	}
	e.person("晓天无母女", registry.Female, "2026-01-25", xiaotian)

	w := e.person("仁和新娘", registry.Female, "1998-01-01", renhe)
	h := e.person("仁和新郎", registry.Male, "1997-01-01", renhe)
	if _, err := e.a.AddMarriage(e.ctx, auth.System, h, app.Relative{ID: w.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse("2026-01-08")}, ""); err != nil {
		t.Fatal(err)
	}
	w2 := e.person("晓天妻", registry.Female, "1985-01-01", xiaotian)
	h2 := e.person("晓天夫", registry.Male, "1984-01-01", xiaotian)
	mid, err := e.a.AddMarriage(e.ctx, auth.System, h2, app.Relative{ID: w2.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse("2010-01-01")}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.a.EndMarriage(e.ctx, auth.System, "341523", mid, date.MustParse("2026-01-20"), registry.EndDivorce); err != nil {
		t.Fatal(err)
	}
	mover := e.person("迁出者", registry.Female, "1980-01-01", renhe)
	if _, err := e.a.ChangeHukou(e.ctx, auth.System, mover, registry.HukouChange{Type: registry.Rural, From: date.MustParse("2026-01-12"),
		Reason: "婚迁", Region: xiaotian}); err != nil {
		t.Fatal(err)
	}
	aged := e.person("百岁老人", registry.Male, "1924-05-01", renhe)
	young := e.person("九九老人", registry.Male, "1926-02-01", renhe)
	sqls(t, e.a.DB(),
		`INSERT INTO birth_registrations (county, id, serial, code, region, mother_id, applicant_id, channel, registered, parity, policy_status,
			in_policy, status, created_at, updated_at) VALUES ('341523', 1, '341523-2026-000001', 'ABCDEFGH', '`+renhe+`', ?, ?, 'counter', '2026-01-09', 2,
			'registration', TRUE, 'registered', '2026-01-09T00:00:00Z', '2026-01-09T00:00:00Z')`, r2020.ID, r2020.ID)
	line := `INSERT INTO payment_lines (county, id, cycle_id, person_id, recipient_id, program, period, kind, region, months, amount_fen, central_fen,
		province_fen, city_fen, county_fen, status, paid_on, updated_at) VALUES ('341523', ?, 1, ?, ?, ?, '2026', 'regular', ?, 12, ?, ?, ?, 0, 0, 'paid', ?,
		'2026-01-15T00:00:00Z')`
	sqls(t, e.a.DB(), line, 1, r2020.ID, 1, "jf", renhe, 96000, 76800, 19200, "2026-01-15")
	sqls(t, e.a.DB(), line, 2, x.ID, 2, "jf", xiaotian, 96000, 76800, 19200, "2026-01-16")
	sqls(t, e.a.DB(), line, 3, d1.ID, 3, "tf_death", dongyuan, 540000, 400000, 140000, "2026-01-31")
	sqls(t, e.a.DB(), line, 4, d2.ID, 4, "jf", dongyuan, 96000, 76800, 19200, "2025-12-31")
	rec := `INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, created_at, updated_at)
		VALUES ('341523', ?, ?, 'jf', ?, '2020-01-01', 2020, '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')`
	sqls(t, e.a.DB(), rec, 1, aged.ID, renhe)
	sqls(t, e.a.DB(), rec, 2, young.ID, renhe)
	specialFamilies(t, e, d1, x, w2, mover)
	e.clock.set("2026-02-10")
	return e
}

// specialFamilies puts four families on the register of special families
// (worked by hand for 2026-01-31):
//
//	1 东苑母 (东苑, since 2025-06-01): a contact since 2025-07-01, visited
//	  2026-01-20, on the roll of tf_death since 2025-06-01 → counted in
//	  every figure of 城关镇;
//	2 晓天母 (晓天, since 2025-01-01): her contact left on 2025-12-31, last
//	  visited 2025-12-20 (the quarter before) → counted as registered only;
//	3 晓天妻 (晓天, closed 2025-12-01) and 4 迁出者 (since 2026-02-05): not
//	  on the register on the day.
//
//	→ special.families 2 (城关 1, 晓天 1), .contact 1, .visited 1, .tf 1
//	  (all 城关).
func specialFamilies(t *testing.T, e *bornEnv, d1, x, w2, mover registry.Key) {
	t.Helper()
	fam := `INSERT INTO special_families (county, id, anchor_id, region, category, source, reason, since, status, closed, created_at, updated_at)
		VALUES ('341523', ?, ?, ?, 'died', 'manual', '矩阵', ?, ?, ?, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')`
	sqls(t, e.a.DB(), fam, 1, d1.ID, dongyuan, "2025-06-01", "active", nil)
	sqls(t, e.a.DB(), fam, 2, x.ID, xiaotian, "2025-01-01", "active", nil)
	sqls(t, e.a.DB(), fam, 3, w2.ID, xiaotian, "2024-01-01", "closed", "2025-12-01")
	sqls(t, e.a.DB(), fam, 4, mover.ID, xiaotian, "2026-02-05", "active", nil)
	contact := `INSERT INTO special_contacts (county, id, family_id, kind, name, from_date, to_date, created_at)
		VALUES ('341523', ?, ?, 'cadre', '联系人', ?, ?, '2025-01-01T00:00:00Z')`
	sqls(t, e.a.DB(), contact, 1, 1, "2025-07-01", nil)
	sqls(t, e.a.DB(), contact, 2, 2, "2025-01-01", "2025-12-31")
	sqls(t, e.a.DB(), contact, 3, 3, "2024-01-01", nil)
	visit := `INSERT INTO special_visits (county, id, family_id, region, visited, mode, visitor, found, next_due, created_at)
		VALUES ('341523', ?, ?, ?, ?, 'home', '走访人', '良好', '2026-06-01', '2025-01-01T00:00:00Z')`
	sqls(t, e.a.DB(), visit, 1, 1, dongyuan, "2026-01-20")
	sqls(t, e.a.DB(), visit, 2, 2, xiaotian, "2025-12-20")
	sqls(t, e.a.DB(), `INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, created_at, updated_at)
		VALUES ('341523', 3, ?, 'tf_death', ?, '2025-06-01', 2025, '2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z')`, d1.ID, dongyuan)
}

func sqls(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestMonthlyReport checks the figures of the hand-built county's January
// against the hand count and the golden file, on both engines; the list
// behind a figure; and the warnings.
func TestMonthlyReport(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := statsCounty(t, engine)
			r, err := e.a.MonthlyReport(e.ctx, county, "341523", "2026-01", "zh")
			if err != nil {
				t.Fatal(err)
			}
			f := r.Report.Figures
			const cg, xt = "341523100000", "341523101000"
			want := map[string]int64{
				"births.all.all": 4, "births.p1.M": 1, "births.p2.F": 1, "births.p3.M": 1, "births.p0.F": 1, "births.all.M": 2, "births.all.F": 2,
				"births.p2.M": 0, "births.all.all@" + cg: 2, "births.all.all@" + xt: 2, "births.p3.M@" + xt: 1,
				"r12.all.all": 5, "r12.all.M": 3, "r12.p1.M": 2, "r12.p1.M@" + cg: 2,
				"deaths": 1, "deaths@" + cg: 1, "marriages": 1, "marriages@" + cg: 1, "divorces": 1, "divorces@" + xt: 1,
				"moves_in": 0, "moves_out": 0, "moves_out@" + cg: 1, "moves_in@" + xt: 1,
				"regs.all": 1, "regs.p2": 1, "regs.p2@" + cg: 1,
				"paid.jf.persons": 2, "paid.jf.fen": 192000, "paid.jf.central": 153600, "paid.jf.province": 38400,
				"paid.tf_death.persons": 1, "paid.tf_death.fen": 540000, "paid.all.fen": 732000, "paid.jf.persons@" + xt: 1,
				"aged": 1, "aged@" + cg: 1,
				"special.families": 2, "special.families@" + cg: 1, "special.families@" + xt: 1, "special.contact": 1, "special.contact@" + cg: 1,
				"special.contact@" + xt: 0, "special.visited": 1, "special.visited@" + xt: 0, "special.tf": 1, "special.tf@" + cg: 1,
			}
			for k, v := range want {
				if f[k] != v {
					t.Errorf("%s = %d, want %d", k, f[k], v)
				}
			}
			if ratio, ok := f.Ratio("births", "all", ""); !ok || ratio != 100 {
				t.Errorf("sex ratio %v %v, want 100", ratio, ok)
			}
			if ratio, ok := f.Ratio("r12", "all", ""); !ok || ratio != 150 {
				t.Errorf("rolling sex ratio %v %v, want 150", ratio, ok)
			}
			// Population: every person registered, less the dead man, on
			// 2026-01-31 (none is born later).
			var all int64
			if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error {
				return tx.QueryRow(e.ctx, `SELECT COUNT(*) FROM persons WHERE death IS NULL`).Scan(&all)
			}); err != nil {
				t.Fatal(err)
			}
			if f["pop"] != all || f["pop"] == 0 {
				t.Errorf("pop = %d, want %d", f["pop"], all)
			}
			if sf := r.Report.SpecialFamilies; sf == nil || *sf != (stats.SpecialCoverage{Families: 2, Contact: 1, Visited: 1, TF: 1}) {
				t.Errorf("special families %+v", sf)
			}
			golden(t, r.Report)

			// The families behind a coverage figure: only for those who
			// care for them, within their scope; the village only its own.
			fams, n, err := e.a.ReportFamilies(e.ctx, county, "341523", "2026-01", "special.families", 0, 0)
			if err != nil || n != 2 || fams[0].Name != "东苑母" || fams[1].Name != "晓天母" || !strings.Contains(fams[0].IDNumber, "*") {
				t.Fatalf("families behind special.families: %+v %d %v", fams, n, err)
			}
			if _, n, err = e.a.ReportFamilies(e.ctx, township, "341523100000", "2026-01", "special.tf@"+dongyuan, 0, 0); err != nil || n != 1 {
				t.Errorf("the township's families on special assistance in 东苑社区: %d %v", n, err)
			}
			_, _, err = e.a.ReportFamilies(e.ctx, township, "341523100000", "2026-01", "special.tf@"+xiaotian, 0, 0)
			wantKind(t, "a unit not of the township's report", err, apperr.Invalid)
			if fams, n, err = e.a.ReportFamilies(e.ctx, township, "341523100000", "2026-01", "special.tf", 0, 0); err != nil || n != 1 || fams[0].Family != 1 {
				t.Errorf("the township's families on special assistance: %+v %d %v", fams, n, err)
			}
			if _, n, err = e.a.ReportFamilies(e.ctx, villager, renhe, "2026-01", "special.families", 0, 0); err != nil || n != 0 {
				t.Errorf("仁和村 has no family of its own: %d %v", n, err)
			}
			before0 := denied(t, e.a)
			_, _, err = e.a.ReportFamilies(e.ctx, city, "341500", "2026-01", "special.families", 0, 0)
			wantKind(t, "the city opens the families", err, apperr.Forbidden)
			_, _, err = e.a.ReportPersons(e.ctx, county, "341523", "2026-01", "special.families", 0, 0)
			wantKind(t, "the special families as persons", err, apperr.Invalid)
			if got := denied(t, e.a) - before0; got != 1 {
				t.Errorf("%d refusals audited, want 1", got)
			}
			if cr, err := e.a.MonthlyReport(e.ctx, city, "341500", "2026-01", "zh"); err != nil || cr.Report.Figures["special.families"] != 2 {
				t.Errorf("the city reads the count: %v", err)
			}

			// The list behind a figure, within the reader's scope.
			rows, n, err := e.a.ReportPersons(e.ctx, county, "341523", "2026-01", "births.p2.all", 0, 0)
			if err != nil || n != 1 || rows[0].Name != "仁和次女" || !strings.Contains(rows[0].IDNumber, "*") {
				t.Fatalf("persons behind births.p2.all: %+v %d %v", rows, n, err)
			}
			rows, n, err = e.a.ReportPersons(e.ctx, county, "341523", "2026-01", "paid.jf.persons@341523101000", 0, 0)
			if err != nil || n != 1 || rows[0].Name != "晓天母" {
				t.Fatalf("persons behind paid.jf.persons in 晓天: %+v %d %v", rows, n, err)
			}
			rows, n, err = e.a.ReportPersons(e.ctx, county, "341523", "2026-01", "moves_in@341523101000", 0, 0)
			if err != nil || n != 1 || rows[0].Name != "迁出者" {
				t.Fatalf("persons behind moves_in of 晓天: %+v %d %v", rows, n, err)
			}
			_, _, err = e.a.ReportPersons(e.ctx, county, "341523", "2026-01", "pop", 0, 0)
			wantKind(t, "the list behind the population", err, apperr.Invalid)
			before := denied(t, e.a)
			_, _, err = e.a.ReportPersons(e.ctx, villager, "341523", "2026-01", "births.all.all", 0, 0)
			wantKind(t, "a village reads the county's list", err, apperr.Forbidden)
			_, err = e.a.MonthlyReport(e.ctx, township, "341523101000", "2026-01", "zh")
			wantKind(t, "a township reads another's report", err, apperr.Forbidden)
			if got := denied(t, e.a) - before; got != 2 {
				t.Errorf("%d refusals audited, want 2", got)
			}
			vr, err := e.a.MonthlyReport(e.ctx, villager, renhe, "2026-01", "zh")
			if err != nil || vr.Report.Figures["births.all.all"] != 1 || vr.Report.Figures["aged"] != 1 {
				t.Fatalf("the village's report: %v %v", vr, err)
			}

			// The city's report sums its counties: 舒城县 is its only county
			// with records.
			cr, err := e.a.MonthlyReport(e.ctx, city, "341500", "2026-01", "zh")
			if err != nil || cr.Report.Figures["births.all.all"] != 4 || cr.Report.Figures["births.all.all@341523"] != 4 ||
				cr.Report.Figures["paid.all.fen@341523"] != 732000 || cr.Report.Figures["deaths"] != 1 {
				t.Errorf("the city's report: %v %v", cr, err)
			}

			// The pyramid on the month's last day: every living resident
			// in a band (under 5: four boys, two girls; 5–9: the eldest son of
			// 仁和 and the eldest daughter of 晓天; 100+: the man born 1924); the
			// dead man is not one.
			py, err := e.a.Pyramid(e.ctx, county, "341523", "2026-01-31")
			if err != nil || py.Male+py.Female != all || py.Bands[0].Male != 4 || py.Bands[0].Female != 2 || py.Bands[1].Male != 1 || py.Bands[1].Female != 1 || py.Bands[20].Male != 1 {
				t.Errorf("pyramid %+v %v", py, err)
			}
			// Warnings: the rolling ratio (150) above the band once 5
			// births are enough to judge; the birth without a mother; the
			// aged recipient.
			if err := e.a.SetReportThreshold(e.ctx, county, "341523", stats.ParamMinBirths, "5"); err != nil {
				t.Fatal(err)
			}
			err = e.a.SetReportThreshold(e.ctx, county, "341523", stats.ParamSRBLow, "120")
			wantKind(t, "a lower bound above the upper", err, apperr.Invalid)
			r, err = e.a.MonthlyReport(e.ctx, county, "341523", "2026-01", "zh")
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, w := range r.Warnings {
				kinds = append(kinds, w.Kind+"@"+w.Unit)
			}
			for _, k := range []string{"srb_high@", "no_mother@", "no_mother@341523101000", "aged@", "aged@341523100000"} {
				if !slices.Contains(kinds, k) {
					t.Errorf("warning %s missing: %v", k, kinds)
				}
			}
		})
	}
}

// golden compares the report's figures with testdata/stats_monthly.golden.
func golden(t *testing.T, r *stats.Report) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\n", r.Region, r.RegionName, r.Month)
	for _, k := range slices.Sorted(mapsKeys(r.Figures)) {
		if r.Figures[k] != 0 {
			fmt.Fprintf(&b, "%s = %d\n", k, r.Figures[k])
		}
	}
	for _, tr := range r.Trend {
		fmt.Fprintf(&b, "trend %s boys %v girls %v\n", tr.Month, tr.Boys, tr.Girls)
	}
	const path = "testdata/stats_monthly.golden"
	if *updateStats {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("the report differs from %s:\n%s", path, b.String())
	}
}

func mapsKeys(f stats.Figures) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range f {
			if !yield(k) {
				return
			}
		}
	}
}

// TestReportApproval runs a township's month up: submitted, returned with
// a reason, submitted again, approved and locked; a late birth leaves the
// locked month unchanged and appears in the next month as an adjustment
// and in the revisions; the county unlocks with a reason. Every step is
// audited, and steps out of turn are refused.
func TestReportApproval(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := statsCounty(t, engine)
			const cg = "341523100000"
			step := func(reg, month string, version int, reason string) app.ReportStep {
				return app.ReportStep{Region: reg, Month: month, Version: version, Reason: reason}
			}
			_, err := e.a.SubmitReport(e.ctx, villager, step(cg, "2026-01", 0, ""))
			wantKind(t, "a village submits the township's", err, apperr.Forbidden)
			_, err = e.a.SubmitReport(e.ctx, township, step(cg, "2026-02", 0, ""))
			wantKind(t, "a month not over", err, apperr.Invalid)
			x, err := e.a.SubmitReport(e.ctx, township, step(cg, "2026-01", 0, ""))
			if err != nil || x.Status != stats.StatusSubmitted || x.Version != 1 {
				t.Fatalf("submit: %+v %v", x, err)
			}
			_, err = e.a.ApproveReport(e.ctx, township, step(cg, "2026-01", 1, ""))
			wantKind(t, "the township approves its own", err, apperr.Forbidden)
			_, err = e.a.SubmitReport(e.ctx, county, step("341523", "2026-01", 0, ""))
			wantKind(t, "the county submits while a township waits", err, apperr.Conflict)
			_, err = e.a.ReturnReport(e.ctx, county, step(cg, "2026-01", 1, " "))
			wantKind(t, "a return without a reason", err, apperr.Invalid)
			x, err = e.a.ReturnReport(e.ctx, county, step(cg, "2026-01", 1, "出生数与医院报告不符，请核实"))
			if err != nil || x.Status != stats.StatusReturned || x.Note == "" {
				t.Fatalf("return: %+v %v", x, err)
			}
			x, err = e.a.SubmitReport(e.ctx, township, step(cg, "2026-01", 2, ""))
			if err != nil || x.Status != stats.StatusSubmitted {
				t.Fatalf("resubmit: %+v %v", x, err)
			}
			_, err = e.a.ApproveReport(e.ctx, county, step(cg, "2026-01", 2, ""))
			wantKind(t, "a stale version", err, apperr.Conflict)
			x, err = e.a.ApproveReport(e.ctx, county, step(cg, "2026-01", 3, ""))
			if err != nil || x.Status != stats.StatusApproved {
				t.Fatalf("approve: %+v %v", x, err)
			}
			// The county's own month goes to the city.
			if _, err := e.a.SubmitReport(e.ctx, county, step("341523", "2026-01", 0, "")); err != nil {
				t.Fatal(err)
			}
			if x, err := e.a.ApproveReport(e.ctx, city, step("341523", "2026-01", 1, "")); err != nil || x.Status != stats.StatusApproved {
				t.Fatalf("the city approves: %+v %v", x, err)
			}

			// A birth of January registered in February: the locked month
			// does not change; February carries it.
			e.clock.set("2026-02-20")
			late := e.person("迟报女", registry.Female, "2026-01-28", renhe)
			r, err := e.a.MonthlyReport(e.ctx, township, cg, "2026-01", "zh")
			if err != nil || r.Live || r.Report.Figures["births.all.all"] != 2 {
				t.Fatalf("the locked month: live %v births %d %v", r.Live, r.Report.Figures["births.all.all"], err)
			}
			e.clock.set("2026-03-02")
			r, err = e.a.MonthlyReport(e.ctx, township, cg, "2026-02", "zh")
			if err != nil || !r.Live {
				t.Fatal(err)
			}
			pend, err := e.a.ReportAdjustments(e.ctx, township, cg, "2026-02")
			if err != nil {
				t.Fatal(err)
			}
			adj := map[string]int64{}
			for _, a := range pend {
				if a.Month == "2026-01" {
					adj[a.Figure] = a.Delta
				}
			}
			if adj["births.all.all"] != 1 || adj["births.p0.F"] != 1 || adj["births.all.all@341523100201"] != 1 {
				t.Errorf("adjustments %v", pend)
			}
			if _, err := e.a.SubmitReport(e.ctx, township, step(cg, "2026-02", 0, "")); err != nil {
				t.Fatal(err)
			}
			revs, err := e.a.ReportRevisions(e.ctx, county, cg)
			if err != nil || !slices.ContainsFunc(revs, func(r stats.Revision) bool {
				return r.Month == "2026-01" && r.Figure == "births.all.all" && r.Delta == 1 && r.In == "2026-02"
			}) {
				t.Fatalf("revisions %+v %v", revs, err)
			}
			// Once recorded, the change is not carried again.
			r, err = e.a.MonthlyReport(e.ctx, township, cg, "2026-02", "zh")
			if err != nil || r.Live || len(r.Report.Adjustments) == 0 {
				t.Fatalf("the submitted February: %+v %v", r, err)
			}

			// The county unlocks January with a reason: live again.
			_, err = e.a.UnlockReport(e.ctx, county, step(cg, "2026-01", 4, ""))
			wantKind(t, "an unlock without a reason", err, apperr.Invalid)
			if _, err := e.a.UnlockReport(e.ctx, county, step(cg, "2026-01", 4, "补录迟报出生")); err != nil {
				t.Fatal(err)
			}
			r, err = e.a.MonthlyReport(e.ctx, township, cg, "2026-01", "zh")
			if err != nil || !r.Live || r.Report.Figures["births.all.all"] != 3 {
				t.Fatalf("unlocked: %+v %v", r, err)
			}
			_ = late

			// The audit trail holds every step, with the reasons.
			var acts []string
			if err := e.a.DB().View(e.ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEntries(e.ctx, "", store.AuditFilter{County: "341523", Entity: "report", EntityID: cg + "/2026-01", Limit: 50})
				for _, en := range slices.Backward(es) {
					acts = append(acts, en.Action)
					if en.Action == "report.return" && !strings.Contains(auditAfter(en), "出生数与医院报告不符") {
						t.Errorf("the return's reason is not audited: %s", auditAfter(en))
					}
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// The refusals of the village's submission and the township's
			// approval of its own month are audited on the report too.
			want := []string{"access.denied", "report.submit", "access.denied", "report.return", "report.submit", "report.approve", "report.unlock"}
			if !slices.Equal(acts, want) {
				t.Errorf("audit %v, want %v", acts, want)
			}
		})
	}
}

func auditAfter(e audit.Entry) string { return e.After }

// TestDataQuality adds records the checks must find to the hand-built
// county and reads the quarter's report and its lists on both engines.
func TestDataQuality(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := statsCounty(t, engine)
			e.clock.set("2026-04-02")
			girlMother := e.person("少女母", registry.Female, "2012-01-01", renhe)
			baby := e.person("少女母之子", registry.Male, "2026-02-01", renhe)
			father := e.person("亡父", registry.Male, "1980-01-01", xiaotian)
			late := e.person("遗腹子", registry.Female, "2021-06-01", xiaotian)
			e.person("重名", registry.Male, "1990-05-05", xiaotian)
			e.person("重名", registry.Male, "1990-05-05", xiaotian)
			old := e.person("寿星", registry.Female, "1910-03-01", renhe)
			stale := e.person("久未更新", registry.Female, "1970-03-01", dongyuan)
			tie := `INSERT INTO parent_child (county, id, parent_id, child_id, kind) VALUES ('341523', ?, ?, ?, 'birth')`
			sqls(t, e.a.DB(), tie, 9001, girlMother.ID, baby.ID)
			sqls(t, e.a.DB(), tie, 9002, father.ID, late.ID)
			sqls(t, e.a.DB(), `UPDATE persons SET death = '2020-01-01' WHERE county = '341523' AND id = ?`, father.ID)
			sqls(t, e.a.DB(), `UPDATE persons SET updated_at = '2019-01-01T00:00:00Z' WHERE county = '341523' AND id = ?`, stale.ID)
			// The centenarian on the roll dies: dead, still active.
			sqls(t, e.a.DB(), `UPDATE persons SET death = '2026-03-01' WHERE county = '341523' AND id = (SELECT person_id FROM recipients WHERE county = '341523' AND id = 1)`)
			_ = old

			qr, err := e.a.DataQuality(e.ctx, county, "341523", "2026-Q1")
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{stats.CheckYoungMother: 1, stats.CheckPosthumous: 1, stats.CheckDuplicate: 2, stats.CheckOld: 1,
				stats.CheckStale: 1, stats.CheckDeadOnRoll: 1, stats.CheckNoID: 0, stats.CheckNoVillage: 0}
			for k, v := range want {
				if qr.Total.ByCheck[k] != v {
					t.Errorf("%s: %d, want %d (%v)", k, qr.Total.ByCheck[k], v, qr.Total.ByCheck)
				}
			}
			if qr.Total.Flagged != 7 {
				t.Errorf("flagged %d, want 7", qr.Total.Flagged)
			}
			var xt stats.UnitQuality
			for _, u := range qr.Units {
				if u.Code == "341523101000" {
					xt = u
				}
			}
			// 晓天镇: the posthumous daughter and the two namesakes among its
			// living residents (the dead father is not one).
			if xt.Flagged != 3 || xt.Score != math.Round((1-3/float64(xt.Population))*1000)/10 {
				t.Errorf("晓天镇 %+v", xt)
			}
			rows, n, err := e.a.QualityPersons(e.ctx, county, "341523", "2026-Q1", stats.CheckDuplicate, "", 0, 0)
			if err != nil || n != 2 || rows[0].Name != "重名" {
				t.Fatalf("duplicates %+v %d %v", rows, n, err)
			}
			_, n, err = e.a.QualityPersons(e.ctx, township, "341523100000", "2026-Q1", "", "", 0, 0)
			if err != nil || n != 4 { // the young mother's son, the woman past 110, the dead recipient, the stale record
				t.Fatalf("城关镇's list: %d %v", n, err)
			}
			_, err = e.a.DataQuality(e.ctx, township, "341523", "2026-Q1")
			wantKind(t, "a township reads the county's quality", err, apperr.Forbidden)
			_, err = e.a.DataQuality(e.ctx, county, "341523", "2026-Q5")
			wantKind(t, "a fifth quarter", err, apperr.Invalid)
		})
	}
}

// TestSupervision reads the year's progress of the county's townships:
// a report on time, reports overdue, the payments against the roll.
func TestSupervision(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := statsCounty(t, engine)
			const cg, xt = "341523100000", "341523101000"
			if _, err := e.a.SubmitReport(e.ctx, township, app.ReportStep{Region: cg, Month: "2026-01"}); err != nil {
				t.Fatal(err)
			}
			e.clock.set("2026-03-15")
			s, err := e.a.Supervision(e.ctx, county, "341523", 2026)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]stats.UnitProgress{}
			for _, u := range s.Units {
				got[u.Code] = u
			}
			c, x := got[cg], got[xt]
			if c.Reports[0] != stats.ProgressOnTime || c.Reports[1] != stats.ProgressOverdue || c.Reports[2] != stats.ProgressDue || c.Timeliness != 50 {
				t.Errorf("城关镇 %+v", c)
			}
			if x.Reports[0] != stats.ProgressOverdue || x.Overdue != 2 || x.Timeliness != 0 {
				t.Errorf("晓天镇 %+v", x)
			}
			// The roll: the two aged recipients of 仁和村 and the special
			// family of 东苑社区 on tf_death; paid for 2026:
			// three persons of 城关镇 and one of 晓天镇 (the fixture's lines).
			if c.PaymentDue != 3 || c.PaymentPaid != 3 || c.Payment != stats.ProgressOnTime || x.PaymentDue != 0 || x.PaymentPaid != 1 {
				t.Errorf("payments 城关镇 %+v 晓天镇 %+v", c, x)
			}
			if c.Quality != -1 || s.Quarter != "" {
				t.Errorf("no quarter of 2026 is over, yet quality %v %q", c.Quality, s.Quarter)
			}
			if len(s.Calendar) != 13 || s.Calendar[7].Kind != stats.DeadlinePayment {
				t.Errorf("calendar %+v", s.Calendar)
			}
			_, err = e.a.Supervision(e.ctx, villager, "341523", 2026)
			wantKind(t, "a village reads the county's supervision", err, apperr.Forbidden)
		})
	}
}
