package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The dashboard's summaries of the actor's region: the notices running
// now, the recipients on the roll by program and the funds the bank paid
// this year by program and level of government. Each is a store query
// limited to the actor's scope, shown as a bar chart drawn on the server
// (SVG, no script) above a table with the same numbers.

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
	store.FundsRow
	Name string
}

// programLabels names the programs in lang: the rule layers' names, else
// the fixed Chinese names.
func (h *Handler) programLabels(ctx context.Context, tx *store.Tx, lang string) (map[string]string, error) {
	layers, err := tx.PolicyRules(ctx)
	if err != nil {
		return nil, err
	}
	return programNames(layers, lang), nil
}

func label(names map[string]string, code string) string {
	if n := names[code]; n != "" {
		return n
	}
	return workflow.ProgramName(code)
}

// dashboardSections adds the notices, roll and funds sections the actor
// may read to the dashboard.
func (h *Handler) dashboardSections(r *http.Request, v *view) ([]homeSection, error) {
	a := actor(r)
	ctx := r.Context()
	year := h.now().In(beijing).Year()
	var out []homeSection
	err := h.db.View(ctx, func(tx *store.Tx) error {
		names, err := h.programLabels(ctx, tx, v.Lang)
		if err != nil {
			return err
		}
		if auth.Can(a, auth.PermCaseRead) {
			rows, total, err := tx.NoticeList(ctx, a.Scope, store.NoticeQuery{Status: workflow.NoticeOpen, Limit: 10})
			if err != nil {
				return err
			}
			out = append(out, homeSection{Key: "home_notices", Data: map[string]any{"Rows": noticeRows(rows, names), "Total": total}})
		}
		if auth.Can(a, auth.PermCaseRead) || auth.Can(a, auth.PermPaymentRead) {
			counts, err := tx.RollCounts(ctx, a.Scope)
			if err != nil {
				return err
			}
			var sums []rollSummary
			for _, c := range counts {
				if len(sums) == 0 || sums[len(sums)-1].Program != c.Program {
					sums = append(sums, rollSummary{Program: c.Program, Name: label(names, c.Program)})
				}
				s := &sums[len(sums)-1]
				switch c.Status {
				case workflow.StatusActive:
					s.Active = c.N
				case workflow.StatusSuspended:
					s.Suspended = c.N
				case workflow.StatusExited:
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
			out = append(out, homeSection{Key: "home_roll", Data: map[string]any{"Rows": sums, "Chart": chart, "Total": total}})
		}
		if auth.Can(a, auth.PermPaymentRead) {
			funds, err := tx.FundsByProgram(ctx, a.Scope, year)
			if err != nil {
				return err
			}
			var rows []fundsSummary
			var labels, texts []string
			var values [][]int64
			var total fundsSummary
			for _, f := range funds {
				rows = append(rows, fundsSummary{FundsRow: f, Name: label(names, f.Program)})
				labels = append(labels, label(names, f.Program))
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
			for _, l := range payment.Levels {
				levelNames = append(levelNames, v.T["level."+l])
			}
			chart := newBarChart("funds-chart", v.T["home_funds"], labels, values, texts, []string{"lvl0", "lvl1", "lvl2", "lvl3"}, levelNames)
			out = append(out, homeSection{Key: "home_funds", Data: map[string]any{"Rows": rows, "Chart": chart, "Total": total,
				"Year": year, "Levels": levelNames}})
		}
		return nil
	})
	return out, err
}

// noticeRow is one line of a notice list: the applicant's ID number masked.
type noticeRow struct {
	store.NoticeRow
	ProgramName string
	IDMasked    string
}

func noticeRows(rows []store.NoticeRow, names map[string]string) []noticeRow {
	out := make([]noticeRow, len(rows))
	for i, r := range rows {
		out[i] = noticeRow{NoticeRow: r, ProgramName: label(names, r.Program), IDMasked: maskedID(r.IDNumber)}
		out[i].IDNumber = ""
	}
	return out
}

func sortedPrograms(names map[string]string) []string {
	codes := make([]string, 0, len(names))
	for c := range names {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}
