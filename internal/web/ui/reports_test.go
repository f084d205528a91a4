package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestUIReports walks the monthly report's pages on both engines: the
// township reads its April with the tables and the charts, opens the
// persons behind a figure and submits; the county returns it with a
// reason; the township submits again; the county approves and downloads
// the figures; steps out of turn are refused.
func TestUIReports(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			ctx := context.Background()
			for i, p := range []struct{ name, sex, birth, village string }{
				{"四月男婴", registry.Male, "2024-04-03", "341523100201"},
				{"四月女婴", registry.Female, "2024-04-20", "341523100001"},
				{"晓天男婴", registry.Male, "2024-04-21", "341523101200"},
			} {
				b, seq := date.MustParse(p.birth), 700+4*i
				if p.sex == registry.Male {
					seq++
				}
				if _, err := ts.App.RegisterPerson(ctx, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), seq)),
					Name: p.name, Sex: p.sex, Birth: b, Region: p.village, HukouType: registry.Rural}); err != nil {
					t.Fatal(err)
				}
			}
			x := ts.Browser().Login("xzs", "xz123456")
			c := ts.Browser().Login("county", "county1234")
			v := ts.Browser().Login("village", "village1234")

			x.Get("/reports?month=2024-04").Want(200, "计划生育统计月报", "城关镇", "未上报", "<svg", "出生人口（按孩次、性别）", `id="st-submit"`)
			if strings.Contains(x.Body, "晓天男婴") || strings.Contains(x.Body, "Sex ratio") {
				t.Error("the township's report page names a person or speaks English")
			}
			x.Get("/reports/persons?region=341523100000&month=2024-04&figure=births.all.all").Want(200, "四月男婴", "四月女婴")
			if strings.Contains(x.Body, "晓天男婴") {
				t.Error("the township sees a birth of another township")
			}
			x.Get("/reports?region=341523&month=2024-04").Want(403)
			v.Post("/reports/341523100000/2024-04/submit", url.Values{"version": {"0"}}).Want(403)

			x.Post("/reports/341523100000/2024-04/submit", url.Values{"version": {"0"}})
			x.WantRedirect("/reports?month=2024-04&region=341523100000&done=report_submit")
			x.Get(x.Loc).Want(200, "月报已上报", "已上报待审核")

			c.Get("/reports?region=341523100000&month=2024-04").Want(200, `id="st-approve"`, `id="st-return"`)
			c.Post("/reports/341523100000/2024-04/return", url.Values{"version": {"1"}, "reason": {""}}).Want(422, "请填写原因")
			c.Post("/reports/341523100000/2024-04/return", url.Values{"version": {"1"}, "reason": {"出生数待核实"}})
			c.WantRedirect("/reports?month=2024-04&region=341523100000&done=report_return")
			x.Get("/reports?region=341523100000&month=2024-04").Want(200, "被退回", "出生数待核实", `id="st-submit"`)
			x.Post("/reports/341523100000/2024-04/submit", url.Values{"version": {"2"}})
			x.WantRedirect("/reports?")
			c.Post("/reports/341523100000/2024-04/approve", url.Values{"version": {"3"}})
			c.WantRedirect("/reports?")
			c.Get("/reports?region=341523&month=2024-04").Want(200, "下级上报情况", "已审核锁定", "乡审核", "<svg")
			x.Get("/reports?region=341523100000&month=2024-04").Want(200, "已审核锁定")
			// The township's home page shows the warnings of its locked
			// April: two of its three births (a boy and a girl) have no
			// mother in the registry.
			x.Get("/").Want(200, "统计预警（2024-04月报）", "母亲不在人口库的出生")
			if strings.Contains(x.Body, `id="st-submit"`) {
				t.Error("a locked month offers the submission")
			}
			x.Get("/reports?region=341523100000&month=2024-05").Want(200, `id="st-check-adjust"`)
			x.Get("/reports?region=341523100000&month=2024-05&adjust=1").Want(200, "之前已锁定的月份没有需要调整的数字")
			// The quarter's data quality: the township's villages scored, and
			// the list of a check.
			x.Get("/reports/quality?quarter=2024-Q2").Want(200, "人口数据质量季度检查", "东苑社区", "得分", "疑似重复人员")
			c.Get("/reports/quality/persons?region=341523&quarter=2024-Q2&check=stale").Want(200, "共0人")
			x.Get("/reports/quality?region=341523&quarter=2024-Q2").Want(403)
			// The year's supervision: 城关镇's April on time, and the export
			// of the assessment indicators.
			c.Get("/reports/supervision?region=341523&year=2024").Want(200, "工作督查与目标考评", "城关镇", "年度工作时限", "打卡到户", `title="2024-04 按时完成"`)
			ab := c.Export("/reports/supervision/export.xlsx?region=341523&year=2024")
			if len(ab.Rows) < 3 || ab.Rows[0][5] != "月报及时率（%）" {
				t.Errorf("the assessment workbook: %v", ab.Rows[:min(2, len(ab.Rows))])
			}
			// The pyramid of the county: the three babies of April in the
			// first band, beside the chart.
			c.Get("/reports/pyramid?region=341523&on=2024-04-30").Want(200, "人口金字塔", "<svg", `id="py-bands"`, "0–4", "95–99")
			wb := c.Export("/reports/export.xlsx?region=341523&month=2024-04")
			if !strings.Contains(strings.Join(wb.Rows[0], "|"), "指标") || len(wb.Rows) < 10 {
				t.Fatalf("the workbook: %v", wb.Rows[:min(3, len(wb.Rows))])
			}
			found := false
			for _, r := range wb.Rows {
				if len(r) >= 5 && r[3] == "births.all.all" && r[0] == "341523" {
					found = r[4] == "3"
				}
			}
			if !found {
				t.Error("the workbook lacks the county's 3 births")
			}
		})
	}
}
