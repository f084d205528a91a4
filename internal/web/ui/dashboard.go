package ui

import (
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/stats"
)

// The dashboard's summaries of the actor's region (app.Dashboard): the
// cases waiting for the actor, the notices running now, the recipients on
// the roll by program and the funds the bank paid this year by program
// and level of government. The roll and the funds are shown as bar charts
// drawn on the server (SVG, no script) above tables with the same numbers.

// chartBar is one bar of a horizontal bar chart: its label above it, its
// segments (one, or one per funding level) and the value at its end.
type chartBar struct {
	Label      string
	LabelY     int
	BarY       int
	Segments   []chartSegment
	Value      string
	ValueX     int
	ValueTextY int
}

type chartSegment struct {
	X, Y, W int
	Class   string
	Title   string
}

// barChart is a chart's geometry, computed here so that the template only
// draws it.
type barChart struct {
	ID     string
	Title  string
	Width  int
	Height int
	Bars   []chartBar
	Legend []chartLegend
}

type chartLegend struct {
	X, Y  int
	Class string
	Label string
}

// Chart layout, in SVG user units.
const (
	chartWidth   = 640
	chartLeft    = 4
	chartBarArea = 470 // the longest bar; the value is written after it
	chartRow     = 42
	chartBarH    = 16
)

// newBarChart lays out bars whose segments are values (all bars share one
// scale); labels and value texts are given, classes name the segments'
// colours in app.css.
func newBarChart(id, title string, labels []string, values [][]int64, texts []string, classes []string, segTitles []string) barChart {
	c := barChart{ID: id, Title: title, Width: chartWidth}
	var top int64
	for _, vs := range values {
		var sum int64
		for _, v := range vs {
			sum += max(v, 0)
		}
		top = max(top, sum)
	}
	y := 4
	for i, label := range labels {
		b := chartBar{Label: label, LabelY: y + 12, BarY: y + 18, Value: texts[i], ValueTextY: y + 18 + chartBarH - 3}
		x := chartLeft
		for j, v := range values[i] {
			w := 0
			if top > 0 && v > 0 {
				w = max(int(v*chartBarArea/top), 1)
			}
			if w > 0 {
				b.Segments = append(b.Segments, chartSegment{X: x, Y: b.BarY, W: w, Class: classes[j%len(classes)], Title: segTitles[j%len(segTitles)]})
			}
			x += w
		}
		b.ValueX = x + 6
		c.Bars = append(c.Bars, b)
		y += chartRow
	}
	if len(classes) > 1 {
		for j, cl := range classes {
			c.Legend = append(c.Legend, chartLegend{X: chartLeft + j*130, Y: y + 6, Class: cl, Label: segTitles[j]})
		}
		y += 24
	}
	c.Height = y + 4
	return c
}

// rollSummary is one program's line of the roll counts.
type rollSummary struct {
	Program, Name             string
	Active, Suspended, Exited int
}

// OnRoll counts the recipients still on the roll (paid or held).
func (s rollSummary) OnRoll() int { return s.Active + s.Suspended }

// fundsSummary is one program's line of the funds of the year.
type fundsSummary struct {
	app.FundsRow
	Name string
}

// dashboardSections are the sections of the dashboard the actor may read,
// from d.
func dashboardSections(a auth.Actor, v *view, d *app.Dashboard) []homeSection {
	var out []homeSection
	if auth.Can(a, auth.PermCaseRead) {
		var rows []caseRow
		for _, it := range d.Work {
			rows = append(rows, caseRow{Case: it.Case, Name: it.Name, IDMasked: maskedID(it.IDNumber)})
		}
		out = append(out, homeSection{Key: "home_cases", Data: rows})
		out = append(out, homeSection{Key: "home_notices", Data: map[string]any{"Rows": noticeRows(d.Notices, d.Names), "Total": d.NoticeTotal}})
	}
	if auth.Can(a, auth.PermCaseRead) || auth.Can(a, auth.PermPaymentRead) {
		out = append(out, rollSection(v, d))
	}
	if auth.Can(a, auth.PermPaymentRead) {
		out = append(out, fundsSection(v, d))
	}
	if d.WarningsMonth != "" {
		out = append(out, warningsSection(v, d))
	}
	if len(d.Missing) > 0 {
		out = append(out, homeSection{Key: "home_missing", Data: map[string]any{"Month": d.Missing[0].Month, "Rows": d.Missing}})
	}
	if d.ComplaintsOverdue > 0 || d.ComplaintsEscalated > 0 {
		out = append(out, homeSection{Key: "home_complaints", Data: map[string]any{"Overdue": d.ComplaintsOverdue, "Escalated": d.ComplaintsEscalated}})
	}
	return out
}

// warningsSection lists the warnings of the latest report submitted or
// locked (docs/statistics.md), each with the persons behind it.
func warningsSection(v *view, d *app.Dashboard) homeSection {
	var rows []map[string]string
	for _, w := range d.Warnings {
		href := ""
		if stats.Drillable(w.Figure) {
			href = "/reports/persons?" + url.Values{"region": {string(v.Actor.Scope)}, "month": {d.WarningsMonth}, "figure": {w.Figure}}.Encode()
		}
		rows = append(rows, map[string]string{"Kind": stats.WarningKinds.Name(w.Kind, v.Lang), "Unit": w.UnitName,
			"Value": strconv.FormatFloat(w.Value, 'f', -1, 64), "Count": strconv.FormatInt(w.Count, 10), "Href": href})
	}
	return homeSection{Key: "home_warnings", Data: map[string]any{"Month": d.WarningsMonth, "Rows": rows,
		"Report": "/reports?" + url.Values{"region": {string(v.Actor.Scope)}, "month": {d.WarningsMonth}}.Encode()}}
}

// rollSection counts the recipients on the roll by program.
func rollSection(v *view, d *app.Dashboard) homeSection {
	var sums []rollSummary
	for _, c := range d.Roll {
		if len(sums) == 0 || sums[len(sums)-1].Program != c.Program {
			sums = append(sums, rollSummary{Program: c.Program, Name: label(d.Names, c.Program)})
		}
		s := &sums[len(sums)-1]
		switch c.Status {
		case roll.StatusActive:
			s.Active = c.N
		case roll.StatusSuspended:
			s.Suspended = c.N
		case roll.StatusExited:
			s.Exited = c.N
		}
	}
	var labels, texts []string
	var values [][]int64
	total := 0
	for _, s := range sums {
		labels = append(labels, s.Name)
		values = append(values, []int64{int64(s.OnRoll())})
		texts = append(texts, strconv.Itoa(s.OnRoll()))
		total += s.OnRoll()
	}
	chart := newBarChart("roll-chart", v.T["home_roll"], labels, values, texts, []string{"bar"}, []string{v.T["on_roll_count"]})
	return homeSection{Key: "home_roll", Data: map[string]any{"Rows": sums, "Chart": chart, "Total": total}}
}

// fundsSection sums the funds paid this year by program and level.
func fundsSection(v *view, d *app.Dashboard) homeSection {
	var rows []fundsSummary
	var labels, texts []string
	var values [][]int64
	var total fundsSummary
	for _, f := range d.Funds {
		rows = append(rows, fundsSummary{FundsRow: f, Name: label(d.Names, f.Program)})
		labels = append(labels, label(d.Names, f.Program))
		vs := make([]int64, len(f.Split))
		for i, s := range f.Split {
			vs[i] = int64(s)
		}
		values = append(values, vs)
		texts = append(texts, groupDigits(f.Amount.String()))
		total.Amount += f.Amount
		total.Split = total.Split.Add(f.Split)
	}
	var levelNames []string
	for _, l := range policy.FundingLevels {
		levelNames = append(levelNames, l.Name(v.Lang))
	}
	chart := newBarChart("funds-chart", v.T["home_funds"], labels, values, texts, []string{"lvl0", "lvl1", "lvl2", "lvl3"}, levelNames)
	return homeSection{Key: "home_funds", Data: map[string]any{"Rows": rows, "Chart": chart, "Total": total,
		"Year": d.Year, "Levels": levelNames}}
}

// noticeRow is one line of a notice list: the applicant's ID number masked.
type noticeRow struct {
	app.NoticeRow
	ProgramName string
	IDMasked    string
}

func noticeRows(rows []app.NoticeRow, names map[string]string) []noticeRow {
	out := make([]noticeRow, len(rows))
	for i, r := range rows {
		out[i] = noticeRow{NoticeRow: r, ProgramName: label(names, r.Program), IDMasked: maskedID(r.IDNumber)}
		out[i].IDNumber = ""
	}
	return out
}
