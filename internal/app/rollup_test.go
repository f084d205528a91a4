package app_test

import (
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestReportRollsUp checks, on both engines, that the city's and the
// province's January are computed from their counties' records and equal
// the sum of the counties' approved (locked) reports: births by parity
// and sex, deaths, money by program and level, residents. The counties
// are the hand-built 舒城县 and 霍邱县 with two births and a death.
func TestReportRollsUp(t *testing.T) {
	province := auth.Actor{UserID: 601, Username: "sheng", Name: "省统计", Role: auth.RoleProvince, Scope: "340000"}
	huoqiu := auth.Actor{UserID: 302, Username: "hq", Name: "霍邱县", Role: auth.RoleCounty, Scope: "341522"}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := statsCounty(t, engine)
			addStaff(t, e.a.DB(), province, huoqiu)
			const village = "341522100001"
			m := e.person("霍邱母", registry.Female, "1993-01-01", village)
			e.tie(m, e.person("霍邱女", registry.Female, "2026-01-04", village), true)
			e.tie(m, e.person("霍邱子", registry.Male, "2026-01-04", village), true)
			dead := e.person("霍邱老人", registry.Male, "1930-01-01", village)
			if _, err := e.a.RecordDeath(e.ctx, auth.System, dead, date.MustParse("2026-01-09"), "family"); err != nil {
				t.Fatal(err)
			}
			counties := map[string]auth.Actor{"341523": county, "341522": huoqiu}
			snaps := map[string]stats.Figures{}
			for code, who := range counties {
				x, err := e.a.SubmitReport(e.ctx, who, app.ReportStep{Region: code, Month: "2026-01"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.a.ApproveReport(e.ctx, city, app.ReportStep{Region: code, Month: "2026-01", Version: x.Version}); err != nil {
					t.Fatal(err)
				}
				r, err := e.a.MonthlyReport(e.ctx, who, code, "2026-01", "zh")
				if err != nil || r.Approval.Status != stats.StatusApproved {
					t.Fatalf("%s's January: %v %v", code, r, err)
				}
				snaps[code] = r.Report.Figures
			}
			additive := func(k string) bool {
				return strings.HasPrefix(k, "births.") || strings.HasPrefix(k, "r12.") || k == "deaths" || k == "pop" ||
					(strings.HasPrefix(k, "paid.") && !strings.HasSuffix(k, ".persons"))
			}
			for _, reg := range []struct {
				code string
				who  auth.Actor
				unit func(county string) string
			}{
				{"341500", city, func(c string) string { return c }},
				{"340000", province, func(string) string { return "341500" }},
			} {
				r, err := e.a.MonthlyReport(e.ctx, reg.who, reg.code, "2026-01", "zh")
				if err != nil {
					t.Fatal(err)
				}
				sum, units := stats.Figures{}, stats.Figures{}
				for c, f := range snaps {
					for k, v := range f {
						if strings.Contains(k, "@") || !additive(k) {
							continue
						}
						sum[k] += v
						units[stats.Key(reg.unit(c), k)] += v
					}
				}
				for k, v := range sum {
					if k == "pop" {
						continue // residents are counted for a county and below
					}
					if got := r.Report.Figures[k]; got != v {
						t.Errorf("%s: %s = %d, the counties' approved reports sum to %d", reg.code, k, got, v)
					}
				}
				for k, v := range units {
					if strings.HasPrefix(k, "pop@") {
						continue
					}
					if got := r.Report.Figures[k]; got != v {
						t.Errorf("%s: %s = %d, the approved reports give %d", reg.code, k, got, v)
					}
				}
				if r.Report.Figures["births.all.all"] != 6 || r.Report.Figures["deaths"] != 2 {
					t.Errorf("%s: births %d, deaths %d, want 6 and 2", reg.code, r.Report.Figures["births.all.all"], r.Report.Figures["deaths"])
				}
			}
		})
	}
}
