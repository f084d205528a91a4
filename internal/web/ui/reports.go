package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The monthly report's pages (计划生育统计月报, docs/statistics.md): the
// report of a region and a month with its approval, warnings, tables and
// charts; the persons behind a figure; the steps of the approval; and the
// Excel download of the figures.

// reportQuery reads ?region= (default: the actor's region) and ?month=
// (default: last month in Beijing).
func (h *Handler) reportQuery(r *http.Request) (reg, month string, err error) {
	q := r.URL.Query()
	reg = strings.TrimSpace(q.Get("region"))
	if reg == "" {
		reg = string(web.Actor(r).Scope)
	}
	if reg != "" {
		c, err := web.ParseRegion("region", reg)
		if err != nil {
			return "", "", err
		}
		reg = string(c)
	}
	month = strings.TrimSpace(q.Get("month"))
	if month == "" {
		month = stats.MonthOf(date.Today(h.now())).Add(-1).String()
	}
	if _, err := stats.ParseMonth(month); err != nil {
		return "", "", err
	}
	return reg, month, nil
}

// cell is a number of a report's table, linking to the persons behind it
// when it has a list.
type cell struct {
	Text string
	Href string
}

type tableRow struct {
	Label string
	Href  string // the unit's own report
	Cells []cell
}

// reportTables lays out the report's tables.
type reportTables struct {
	Parity []tableRow
	Units  []tableRow
	Paid   []tableRow
}

// ratioText writes a sex ratio, "—" when no girl was born.
func ratioText(f stats.Figures, measure, parity, unit string) string {
	if r, ok := f.Ratio(measure, parity, unit); ok {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return "—"
}

func (h *Handler) buildTables(rep *stats.Report, t map[string]string, names map[string]string) reportTables {
	f := rep.Figures
	link := func(key string) cell {
		n := f[stats.Key("", key)]
		c := cell{Text: strconv.FormatInt(n, 10)}
		if n > 0 && stats.Drillable(key) {
			c.Href = "/reports/persons?" + url.Values{"region": {rep.Region}, "month": {rep.Month}, "figure": {key}}.Encode()
		}
		return c
	}
	var out reportTables
	for _, p := range append(append([]string{}, stats.Parities...), "all") {
		out.Parity = append(out.Parity, tableRow{Label: t["st_"+p], Cells: []cell{
			link(stats.Key("", "births", p, stats.Male)), link(stats.Key("", "births", p, stats.Female)), link(stats.Key("", "births", p, "all")),
			{Text: ratioText(f, "births", p, "")},
			link(stats.Key("", "r12", p, stats.Male)), link(stats.Key("", "r12", p, stats.Female)), link(stats.Key("", "r12", p, "all")),
			{Text: ratioText(f, "r12", p, "")},
		}})
	}
	units := append(append([]stats.Unit{}, rep.Units...), stats.Unit{Name: t["total"]})
	for _, u := range units {
		k := func(parts ...string) cell { return link(stats.Key(u.Code, parts...)) }
		per := "—"
		if v, ok := f.PerThousand(u.Code); ok {
			per = strconv.FormatFloat(v, 'f', 2, 64)
		}
		row := tableRow{Label: u.Name, Cells: []cell{
			k("births", "all", "all"), k("births", "all", stats.Male), k("births", "all", stats.Female), {Text: ratioText(f, "births", "all", u.Code)},
			k("r12", "all", "all"), {Text: ratioText(f, "r12", "all", u.Code)},
			k("deaths"), k("marriages"), k("divorces"), k("moves_in"), k("moves_out"), k("regs", "all"),
			{Text: strconv.FormatInt(f[stats.Key(u.Code, "pop")], 10)}, {Text: strconv.FormatInt(f[stats.Key(u.Code, "places")], 10)}, {Text: per},
		}}
		if u.Code != "" {
			row.Href = "/reports?" + url.Values{"region": {u.Code}, "month": {rep.Month}}.Encode()
		}
		out.Units = append(out.Units, row)
	}
	for _, p := range append(append([]string{}, rep.Programs...), "all") {
		name := t["total"]
		if p != "all" {
			name = label(names, p)
		}
		row := tableRow{Label: name, Cells: []cell{link(stats.Key("", "paid", p, "persons")),
			{Text: groupDigits(money.Fen(f[stats.Key("", "paid", p, "fen")]).String())}}}
		for _, lv := range policy.FundingLevels.Codes() {
			row.Cells = append(row.Cells, cell{Text: groupDigits(money.Fen(f[stats.Key("", "paid", p, lv)]).String())})
		}
		out.Paid = append(out.Paid, row)
	}
	return out
}

// figureName names a figure's key in words: the measure, the parity, the
// sex, the program or level, and the unit.
func (h *Handler) figureName(key string, t, names map[string]string, lang string) string {
	parts, unit := stats.SplitKey(key)
	var words []string
	for i, p := range parts {
		switch {
		case i == 1 && parts[0] == "paid":
			if p == "all" {
				words = append(words, t["st_all_programs"])
			} else {
				words = append(words, label(names, p))
			}
		case i == 1 && parts[0] == "special":
			words = append(words, t["st_special_"+p])
		case i == 2 && parts[0] == "paid" && policy.FundingLevels.Has(p):
			words = append(words, policy.FundingLevels.Name(p, lang))
		default:
			if s, ok := t["st_"+p]; ok {
				words = append(words, s)
			} else {
				words = append(words, p)
			}
		}
	}
	if unit != "" {
		words = append(words, h.tree.FullName(region.Code(unit)))
	}
	return strings.Join(words, " · ")
}

// srbChart is the bar chart of the rolling sex ratio by unit, with the
// band's bounds drawn as lines.
type srbChart struct {
	Width, Height  int
	Bars           []srbBar
	LowX, HighX    int
	Low, High      string
	AxisY, AxisTop int
}

type srbBar struct {
	Label        string
	Y, W, TextY  int
	Value        string
	Class        string
	LabelY, ValX int
}

func newSRBChart(rep *stats.Report, th stats.Thresholds) srbChart {
	const width, left, area, row = 680, 170, 440, 24
	scale := func(v float64) int { return left + int(v*float64(area)/160) } // 0–160 boys per 100 girls
	c := srbChart{Width: width, LowX: scale(th.Low), HighX: scale(th.High),
		Low: strconv.FormatFloat(th.Low, 'f', -1, 64), High: strconv.FormatFloat(th.High, 'f', -1, 64)}
	y := 18
	for _, u := range rep.Units {
		v, ok := rep.Figures.Ratio("r12", "all", u.Code)
		if !ok {
			continue
		}
		w := max(scale(min(v, 160))-left, 1)
		class := "bar"
		if v > th.High || v < th.Low {
			class = "bar2"
		}
		c.Bars = append(c.Bars, srbBar{Label: u.Name, Y: y, W: w, TextY: y + 12, LabelY: y + 12, ValX: left + w + 4,
			Value: strconv.FormatFloat(v, 'f', 1, 64), Class: class})
		y += row
	}
	c.AxisTop, c.AxisY = 10, y
	c.Height = y + 20
	return c
}

// trendChart is the stacked bar chart of the births month by month over
// the rolling window, by parity.
type trendChart struct {
	Width, Height int
	Bars          []trendBar
	Legend        []ledgerKey
	BaseY         int
}

type trendBar struct {
	X, LabelX, TextY int
	Label, Total     string
	Segments         []trendSegment
}

type trendSegment struct {
	X, Y, W, H int
	Class      string
	Title      string
}

func newTrendChart(rep *stats.Report, t map[string]string) trendChart {
	const width, height, top, base, barW, step = 680, 220, 16, 170, 36, 54
	c := trendChart{Width: width, Height: height, BaseY: base}
	var most int64 = 1
	for _, r := range rep.Trend {
		most = max(most, r.Total())
	}
	x := 8
	for _, r := range rep.Trend {
		b := trendBar{X: x, LabelX: x + barW/2, TextY: base + 16, Label: r.Month[2:], Total: strconv.FormatInt(r.Total(), 10)}
		y := base
		for i, p := range stats.Parities {
			n := r.Boys[i] + r.Girls[i]
			if n == 0 {
				continue
			}
			h := max(int(n*int64(base-top)/most), 1)
			y -= h
			b.Segments = append(b.Segments, trendSegment{X: x, Y: y, W: barW, H: h, Class: "lvl" + strconv.Itoa(i), Title: t["st_"+p] + " " + strconv.FormatInt(n, 10)})
		}
		c.Bars = append(c.Bars, b)
		x += step
	}
	for i, p := range stats.Parities {
		c.Legend = append(c.Legend, ledgerKey{X: 8 + i*120, Y: base + 26, Class: "lvl" + strconv.Itoa(i), Label: t["st_"+p]})
	}
	return c
}

// reportPage is the monthly report of ?region= and ?month=.
func (h *Handler) reportPage(w http.ResponseWriter, r *http.Request) error {
	reg, month, err := h.reportQuery(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "st_title")
	v.Form.Set("region", reg)
	v.Form.Set("month", month)
	if reg == "" {
		// Above every region (the administrator): name one first.
		v.Data = map[string]any{}
		return h.render(w, http.StatusOK, "report.html", v)
	}
	return h.renderReport(w, r, v, http.StatusOK, reg, month)
}

func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, v *view, status int, reg, month string) error {
	rep, err := h.app.MonthlyReport(r.Context(), web.Actor(r), reg, month, v.Lang)
	if err != nil {
		return err
	}
	var parent string
	a := web.Actor(r)
	if p := region.Code(reg).Parent(); p != "" && a.CanSee(p) && region.Code(reg) != a.Scope {
		parent = string(p)
	}
	checked := !rep.Live
	if rep.Live && r.URL.Query().Get("adjust") == "1" {
		if rep.Report.Adjustments, err = h.app.ReportAdjustments(r.Context(), web.Actor(r), reg, month); err != nil {
			return err
		}
		checked = true
	}
	var adjustments []map[string]string
	for _, x := range rep.Report.Adjustments {
		adjustments = append(adjustments, map[string]string{"Month": x.Month, "Figure": h.figureName(x.Figure, v.T, rep.Names, v.Lang), "Delta": fmt.Sprintf("%+d", x.Delta)})
	}
	var warnings []map[string]string
	for _, x := range rep.Warnings {
		unit := x.UnitName
		href := ""
		if stats.Drillable(x.Figure) {
			href = "/reports/persons?" + url.Values{"region": {reg}, "month": {month}, "figure": {x.Figure}}.Encode()
		}
		warnings = append(warnings, map[string]string{"Kind": stats.WarningKinds.Name(x.Kind, v.Lang), "Unit": unit,
			"Value": strconv.FormatFloat(x.Value, 'f', -1, 64), "Bound": strconv.FormatFloat(x.Bound, 'f', -1, 64),
			"Count": strconv.FormatInt(x.Count, 10), "Href": href})
	}
	var units []map[string]string
	for _, u := range rep.Units {
		units = append(units, map[string]string{"Name": h.tree.FullName(region.Code(u.Region)), "Status": stats.Statuses.Name(u.Status, v.Lang),
			"By": u.SubmittedName, "Decider": u.DecidedName, "Note": u.Note})
	}
	m, _ := stats.ParseMonth(month)
	v.Data = map[string]any{"R": rep, "Rep": rep.Report, "Tables": h.buildTables(rep.Report, v.T, rep.Names),
		"Status": stats.Statuses.Name(rep.Approval.Status, v.Lang), "Parent": parent, "Adjustments": adjustments, "Warnings": warnings,
		"UnitApprovals": units, "SRB": newSRBChart(rep.Report, rep.Thresholds), "Trend": newTrendChart(rep.Report, v.T),
		"Prev": m.Add(-1).String(), "Next": m.Add(1).String(), "Levels": policy.FundingLevels.Codes(),
		"Export":   "/reports/export.xlsx?" + url.Values{"region": {reg}, "month": {month}}.Encode(),
		"Print":    "/reports/print.pdf?" + url.Values{"region": {reg}, "month": {month}}.Encode(),
		"StepPath": "/reports/" + reg + "/" + month + "/", "Checked": checked,
		"AdjustURL": "/reports?" + url.Values{"region": {reg}, "month": {month}, "adjust": {"1"}}.Encode(),
		"Special":   specialTable(rep.Report, v.T, v.Can(string(auth.PermSpecialCare)))}
	return h.render(w, status, "report.html", v)
}

// reportStepSubmit takes a step of the report's approval from the page's
// forms: submit, approve, return or unlock.
func (h *Handler) reportStepSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	reg, month, step := r.PathValue("region"), r.PathValue("month"), r.PathValue("step")
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return apperr.Invalidf("version", "表单无效", "invalid form")
	}
	st := app.ReportStep{Region: reg, Month: month, Version: version, Reason: r.PostFormValue("reason")}
	a := web.Actor(r)
	switch step {
	case "submit":
		_, err = h.app.SubmitReport(r.Context(), a, st)
	case "approve":
		_, err = h.app.ApproveReport(r.Context(), a, st)
	case "return":
		_, err = h.app.ReturnReport(r.Context(), a, st)
	case "unlock":
		_, err = h.app.UnlockReport(r.Context(), a, st)
	default:
		return h.notFound(w, r)
	}
	if err != nil {
		v := h.newView(w, r, "st_title")
		if !formError(v, err) {
			return err
		}
		v.Form.Set("region", reg)
		v.Form.Set("month", month)
		v.Form.Set("reason", st.Reason)
		return h.renderReport(w, r, v, http.StatusUnprocessableEntity, reg, month)
	}
	redirectDone(w, r, "/reports?"+url.Values{"region": {reg}, "month": {month}}.Encode(), "report_"+step)
	return nil
}

// reportPersonsPage lists the persons behind ?figure= of the report of
// ?region= and ?month=, a page at a time.
func (h *Handler) reportPersonsPage(w http.ResponseWriter, r *http.Request) error {
	reg, month, err := h.reportQuery(r)
	if err != nil {
		return err
	}
	const size = 100
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	figure := r.URL.Query().Get("figure")
	rows, total, err := h.app.ReportPersons(r.Context(), web.Actor(r), reg, month, figure, (page-1)*size, size)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "st_persons_title")
	back := "/reports?" + url.Values{"region": {reg}, "month": {month}}.Encode()
	pageURL := func(p int) string {
		return "/reports/persons?" + url.Values{"region": {reg}, "month": {month}, "figure": {figure}, "page": {strconv.Itoa(p)}}.Encode()
	}
	var prev, next string
	if page > 1 {
		prev = pageURL(page - 1)
	}
	if page*size < total {
		next = pageURL(page + 1)
	}
	v.Data = map[string]any{"Rows": rows, "Total": total, "Figure": h.figureName(figure, v.T, nil, v.Lang), "Region": h.tree.FullName(region.Code(reg)),
		"Month": month, "Back": back, "Prev": prev, "Next": next}
	return h.render(w, http.StatusOK, "report_persons.html", v)
}

// reportExport writes the report's figures as a workbook: one row per
// unit and figure, with its words, in the report's order.
func (h *Handler) reportExport(w http.ResponseWriter, r *http.Request) error {
	reg, month, err := h.reportQuery(r)
	if err != nil {
		return err
	}
	if reg == "" {
		return apperr.Invalidf("region", "请指定区划", "name a region")
	}
	a := web.Actor(r)
	rep, err := h.app.MonthlyReport(r.Context(), a, reg, month, "zh")
	if err != nil {
		return err
	}
	x, err := h.newListExport(w, r, exportSpec{
		File: "report-" + reg + "-" + month, Title: "计划生育统计月报", Sheet: "统计月报",
		Header: []string{"单位代码", "单位", "指标", "指标代码", "数值"}, Widths: []float64{14, 30, 40, 36, 14},
		Action: "report.export", Entity: "report", EntityID: reg + "/" + month, Region: region.Code(reg),
		Filter: map[string]string{"region": reg, "month": month},
	})
	if err != nil {
		return err
	}
	t := h.eng.msgs["zh"]
	f := rep.Report.Figures
	keys := reportKeys(rep.Report)
	units := append([]stats.Unit{{Code: rep.Report.Region, Name: rep.Report.RegionName}}, rep.Report.Units...)
	x.total = len(keys) * len(units)
	for i, u := range units {
		unit := u.Code
		if i == 0 {
			unit = ""
		}
		for _, k := range keys {
			if err == nil {
				key := stats.Key(unit, k)
				val := strconv.FormatInt(f[key], 10)
				if strings.HasPrefix(k, "paid.") && !strings.HasSuffix(k, ".persons") {
					val = money.Fen(f[key]).String()
				}
				err = x.write(u.Code, u.Name, h.figureName(k, t, rep.Names, "zh"), k, val)
			}
		}
	}
	x.note("月份", month)
	x.note("状态", stats.Statuses.Chinese(rep.Approval.Status))
	x.note("说明", "金额单位为元；按户籍所在区划统计；出生孩次为母亲的统计孩次")
	return x.finish(err)
}

// reportKeys lists the figures of every unit in the export's order.
func reportKeys(rep *stats.Report) []string {
	var keys []string
	for _, m := range []string{"births", "r12"} {
		for _, p := range append(append([]string{}, stats.Parities...), "all") {
			for _, s := range []string{stats.Male, stats.Female, "all"} {
				keys = append(keys, strings.Join([]string{m, p, s}, "."))
			}
		}
	}
	keys = append(keys, "deaths", "marriages", "divorces", "moves_in", "moves_out")
	for _, p := range append(append([]string{}, stats.Parities...), "all") {
		keys = append(keys, "regs."+p)
	}
	for _, p := range append(append([]string{}, rep.Programs...), "all") {
		keys = append(keys, "paid."+p+".persons", "paid."+p+".fen")
		for _, lv := range policy.FundingLevels.Codes() {
			keys = append(keys, "paid."+p+"."+lv)
		}
	}
	if rep.SpecialFamilies != nil {
		for _, m := range stats.SpecialMeasures {
			keys = append(keys, "special."+m)
		}
	}
	return append(keys, "aged", "pop", "places")
}
