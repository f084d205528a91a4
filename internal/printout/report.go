package printout

import (
	"fmt"
	"io"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/pdf"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/stats"
)

// The monthly report for printing and filing (计划生育统计月报). No
// province's current monthly layout is documented (docs/statistics.md):
// the paper follows the national tables as best known — 国人口统1表's
// births by parity by region, continued as the three tables proposed in
// the policy notes (births by parity and sex; population and its
// changes; recipients and funds) — one row per unit and a total row,
// A4 landscape, with the unit filing it, the status and the signatures.

// ReportPaper is what the printed report shows.
type ReportPaper struct {
	Report *stats.Report
	// Status names the report's approval status (已审核锁定, …); Names
	// the programs by code.
	Status string
	Names  map[string]string
	// Issuer is the unit filing it (the region's health commission);
	// Printed the day it is printed.
	Issuer  string
	Printed date.Date
	// Figure names a figure's key in words, for the adjustments' table
	// (left out when nil).
	Figure func(key string) string
}

// MonthlyReport writes the report as PDF.
func MonthlyReport(w io.Writer, p *ReportPaper) error {
	r := p.Report
	m, err := stats.ParseMonth(r.Month)
	if err != nil {
		return err
	}
	d, err := newDoc("计划生育统计月报", 1, pdf.Options{Landscape: true, Table: pdf.SizeXiaoWu})
	if err != nil {
		return err
	}
	f := r.Figures
	n := func(key string) string { return strconv.FormatInt(f[key], 10) }
	ratio := func(measure, unit string) string {
		if v, ok := f.Ratio(measure, "all", unit); ok {
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return "—"
	}
	type row struct{ code, name string }
	rows := make([]row, 0, len(r.Units)+1)
	for _, u := range r.Units {
		rows = append(rows, row{u.Code, u.Name})
	}
	d.Title("计划生育统计月报")
	d.Line("填报单位："+p.Issuer, m.Chinese()+"　单位：人、元", pdf.SizeXiaoSi)
	d.Line("区划："+r.RegionName, "状态："+p.Status, pdf.SizeXiaoSi)
	d.Space(2)

	d.Text(pdf.T("表一　出生情况（按母亲的统计孩次、性别）"))
	births := []pdf.Column{{Title: "单位", Width: 5, Keep: true}, {Title: "出生合计", Width: 2, Align: pdf.Right}, {Title: "男", Width: 1.5, Align: pdf.Right},
		{Title: "女", Width: 1.5, Align: pdf.Right}}
	for _, pc := range []string{"一孩", "二孩", "三孩及以上", "母亲不在库"} {
		births = append(births, pdf.Column{Title: pc + "男", Width: 1.6, Align: pdf.Right}, pdf.Column{Title: pc + "女", Width: 1.6, Align: pdf.Right})
	}
	births = append(births, pdf.Column{Title: "出生性别比", Width: 2, Align: pdf.Right}, pdf.Column{Title: "近12个月出生", Width: 2, Align: pdf.Right},
		pdf.Column{Title: "近12个月性别比", Width: 2.2, Align: pdf.Right})
	birthRow := func(unit string) []string {
		k := func(parts ...string) string { return n(stats.Key(unit, parts...)) }
		out := []string{k("births", "all", "all"), k("births", "all", stats.Male), k("births", "all", stats.Female)}
		for _, pc := range stats.Parities {
			out = append(out, k("births", pc, stats.Male), k("births", pc, stats.Female))
		}
		return append(out, ratio("births", unit), k("r12", "all", "all"), ratio("r12", unit))
	}
	t := pdf.Table{Columns: births}
	for _, u := range rows {
		t.Rows = append(t.Rows, append([]string{u.name}, birthRow(u.code)...))
	}
	t.Foot = [][]pdf.Cell{cells("合计", birthRow(""))}
	d.Table(t)
	d.Space(3)

	d.Text(pdf.T("表二　人口与变动"))
	t = pdf.Table{Columns: []pdf.Column{{Title: "单位", Width: 5, Keep: true}, {Title: "期末户籍人口", Width: 2.2, Align: pdf.Right},
		{Title: "死亡", Width: 1.4, Align: pdf.Right}, {Title: "结婚", Width: 1.4, Align: pdf.Right}, {Title: "离婚", Width: 1.4, Align: pdf.Right},
		{Title: "迁入", Width: 1.4, Align: pdf.Right}, {Title: "迁出", Width: 1.4, Align: pdf.Right}, {Title: "生育登记", Width: 1.6, Align: pdf.Right},
		{Title: "百岁以上在册对象", Width: 2.2, Align: pdf.Right}, {Title: "托位", Width: 1.4, Align: pdf.Right}, {Title: "千人口托位数", Width: 2, Align: pdf.Right}}}
	popRow := func(unit string) []string {
		k := func(parts ...string) string { return n(stats.Key(unit, parts...)) }
		per := "—"
		if v, ok := f.PerThousand(unit); ok {
			per = strconv.FormatFloat(v, 'f', 2, 64)
		}
		return []string{k("pop"), k("deaths"), k("marriages"), k("divorces"), k("moves_in"), k("moves_out"), k("regs", "all"), k("aged"), k("places"), per}
	}
	for _, u := range rows {
		t.Rows = append(t.Rows, append([]string{u.name}, popRow(u.code)...))
	}
	t.Foot = [][]pdf.Cell{cells("合计", popRow(""))}
	d.Table(t)
	d.Space(3)

	d.Text(pdf.T("表三　奖励扶助对象和资金（本月银行发放）"))
	cols := []pdf.Column{{Title: "项目", Width: 6}, {Title: "发放人数", Width: 1.6, Align: pdf.Right}, {Title: "发放金额（元）", Width: 2.4, Align: pdf.Right}}
	for _, lv := range policy.FundingLevels {
		cols = append(cols, pdf.Column{Title: lv.ZH + "（元）", Width: 2.2, Align: pdf.Right})
	}
	t = pdf.Table{Columns: cols}
	paidRow := func(prog string) []string {
		out := []string{n(stats.Key("", "paid", prog, "persons")), yuan(f[stats.Key("", "paid", prog, "fen")])}
		for _, lv := range policy.FundingLevels {
			out = append(out, yuan(f[stats.Key("", "paid", prog, lv.Code)]))
		}
		return out
	}
	for _, prog := range r.Programs {
		name := p.Names[prog]
		if name == "" {
			name = prog
		}
		t.Rows = append(t.Rows, append([]string{name}, paidRow(prog)...))
	}
	t.Foot = [][]pdf.Cell{cells("合计", paidRow("all"))}
	d.Table(t)
	d.Space(3)

	if len(r.Adjustments) > 0 && p.Figure != nil {
		d.Text(pdf.T("表四　以前月份的调整（迟报记录）"))
		t = pdf.Table{Columns: []pdf.Column{{Title: "所属月份", Width: 2}, {Title: "指标", Width: 6}, {Title: "调整数", Width: 1.5, Align: pdf.Right}}}
		for _, a := range r.Adjustments {
			am, _ := stats.ParseMonth(a.Month)
			t.Rows = append(t.Rows, []string{am.Chinese(), p.Figure(a.Figure), fmt.Sprintf("%+d", a.Delta)})
		}
		d.Table(t)
		d.Space(3)
	}
	d.Para(pdf.Para{Size: pdf.SizeXiaoWu, Runs: []pdf.Run{pdf.T("说明：按户籍所在区划统计，单位为报表所属月份当时的区划；出生孩次为母亲的统计孩次（含与任何配偶所生子女）；" +
		"出生性别比为每100名女婴对应的男婴数，女婴为0时不计算；近12个月为本月及之前11个月；资金为本月银行实际发放数。")}})
	d.Space(4)
	d.Signatures([]string{"单位负责人："}, []string{"统计负责人："}, []string{"填表人："}, []string{"报出日期：" + p.Printed.Chinese()})
	return d.Write(w)
}

// cells turns a total row into table cells, the label first.
func cells(label string, vals []string) []pdf.Cell {
	out := []pdf.Cell{{Text: label, Head: true}}
	for _, v := range vals {
		out = append(out, pdf.Cell{Text: v, Align: pdf.Right})
	}
	return out
}

// yuan writes fen as yuan with two decimals.
func yuan(fen int64) string { return money.Fen(fen).String() }
