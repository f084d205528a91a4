package printout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
	"github.com/jiahe-project/jiahe/internal/stats"
)

// reportPaper is January 2026 of a county with two townships: three
// births (a first boy and a second girl in 城关, a third boy in 晓天),
// one death, a move from 城关 to 晓天, money paid for jf, and a late
// birth of December carried as an adjustment.
func reportPaper() *ReportPaper {
	units := []stats.Unit{{Code: "341523100000", Name: "城关镇"}, {Code: "341523101000", Name: "晓天镇"}}
	day := date.MustParse
	f := &stats.Facts{
		Births: []stats.Birth{
			{County: "341523", ID: 1, Sex: stats.Male, Region: "341523100201", Born: day("2026-01-03"), Parity: 1},
			{County: "341523", ID: 2, Sex: stats.Female, Region: "341523100001", Born: day("2026-01-10"), Parity: 2},
			{County: "341523", ID: 3, Sex: stats.Male, Region: "341523101200", Born: day("2026-01-20"), Parity: 3},
			{County: "341523", ID: 4, Sex: stats.Female, Region: "341523101200", Born: day("2025-07-20"), Parity: 1},
		},
		Deaths:     []stats.Event{{County: "341523", ID: 5, Region: "341523100201", Day: day("2026-01-05")}},
		Moves:      []stats.Move{{County: "341523", ID: 6, From: "341523100201", To: "341523101200", Day: day("2026-01-12")}},
		Paid:       []stats.Paid{{Program: "jf", Region: "341523100201", Persons: 2, Amount: 192000, Split: [4]money.Fen{153600, 38400, 0, 0}}},
		Population: map[string]int64{"341523100201": 1200, "341523101200": 800},
		Places:     map[string]int64{"341523100201": 6},
	}
	r := stats.Compute("341523", "安徽省六安市舒城县", stats.Month{Year: 2026, Month: 1}, units, f)
	r.Adjustments = []stats.Revision{{Month: "2025-12", Figure: "births.all.all", Delta: 1, In: "2026-01"}}
	return &ReportPaper{Report: r, Status: "已审核锁定", Names: map[string]string{"jf": "农村部分计划生育家庭奖励扶助"},
		Issuer: "舒城县卫生健康委员会", Printed: day("2026-02-08"), Figure: func(string) string { return "出生 · 合计 · 合计" }}
}

// TestMonthlyReportPaper reads the printed report back: the three tables
// with a row per township and a total, the figures, the sex ratio, the
// money in yuan by funding level, the adjustment, Chinese dates only,
// and the golden file.
func TestMonthlyReportPaper(t *testing.T) {
	var buf bytes.Buffer
	if err := MonthlyReport(&buf, reportPaper()); err != nil {
		t.Fatal(err)
	}
	text := squeeze(pdftest.Text(t, buf.Bytes()))
	for _, want := range []string{"计划生育统计月报", "填报单位：舒城县卫生健康委员会", "2026年1月", "安徽省六安市舒城县", "已审核锁定",
		"表一", "表二", "表三", "表四", "城关镇", "晓天镇", "合计", "农村部分计划生育家庭奖励扶助", "1920.00", "1536.00", "384.00",
		"2025年12月", "+1", "报出日期：2026年2月8日", "200.0"} {
		if !strings.Contains(text, squeeze(want)) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	if d := isoDate.FindString(text); d != "" {
		t.Errorf("prints the ISO date %s", d)
	}
	if strings.Contains(text, "341523") || strings.Contains(text, "births.") {
		t.Errorf("prints a code:\n%s", text)
	}
	golden(t, "monthly_report", pdftest.Text(t, buf.Bytes(), "-layout"))
}
