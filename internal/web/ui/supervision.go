package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The supervision of the year's work (docs/statistics.md): the calendar of
// deadlines, each unit's progress and what is overdue, and the year-end
// assessment indicators with their Excel download.

func (h *Handler) supervisionQuery(r *http.Request) (reg string, year int, err error) {
	q := r.URL.Query()
	reg = strings.TrimSpace(q.Get("region"))
	if reg == "" {
		reg = string(web.Actor(r).Scope)
	}
	if reg != "" {
		c, err := web.ParseRegion("region", reg)
		if err != nil {
			return "", 0, err
		}
		reg = string(c)
	}
	year = date.Today(h.now()).Year()
	if s := q.Get("year"); s != "" {
		if year, err = strconv.Atoi(s); err != nil {
			return "", 0, apperr.Invalidf("year", "年度无效", "invalid year")
		}
	}
	return reg, year, nil
}

// supervisionPage is the year's supervision of ?region= and ?year=.
func (h *Handler) supervisionPage(w http.ResponseWriter, r *http.Request) error {
	reg, year, err := h.supervisionQuery(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "sv_title")
	v.Form.Set("region", reg)
	v.Form.Set("year", strconv.Itoa(year))
	if reg == "" {
		v.Data = map[string]any{}
		return h.render(w, http.StatusOK, "supervision.html", v)
	}
	s, err := h.app.Supervision(r.Context(), web.Actor(r), reg, year)
	if err != nil {
		return err
	}
	type cal struct{ Kind, Period, Due string }
	var calendar []cal
	for _, d := range s.Calendar {
		calendar = append(calendar, cal{Kind: stats.DeadlineKinds.Name(d.Kind, v.Lang), Period: d.Period, Due: d.Due.String()})
	}
	type row struct {
		Name, Href   string
		Reports      []map[string]string
		P            stats.UnitProgress
		Payment      string
		PaymentClass string
		Quality      string
	}
	var rows []row
	for _, u := range s.Units {
		rw := row{Name: u.Name, P: u, Payment: stats.ProgressNames.Name(u.Payment, v.Lang), PaymentClass: u.Payment, Quality: "—",
			Href: "/reports/supervision?" + url.Values{"region": {u.Code}, "year": {strconv.Itoa(year)}}.Encode()}
		if u.Quality >= 0 {
			rw.Quality = strconv.FormatFloat(u.Quality, 'f', 1, 64)
		}
		for i, st := range u.Reports {
			m := stats.Month{Year: year, Month: i + 1}
			rw.Reports = append(rw.Reports, map[string]string{"Class": st, "Title": m.String() + " " + stats.ProgressNames.Name(st, v.Lang),
				"Mark": v.T["sv_mark_"+st], "Href": "/reports?" + url.Values{"region": {u.Code}, "month": {m.String()}}.Encode()})
		}
		rows = append(rows, rw)
	}
	var legend []string
	for _, p := range stats.ProgressNames {
		legend = append(legend, v.T["sv_mark_"+p.Code]+" "+p.Name(v.Lang))
	}
	overdue, limits := h.timeliness(s, v.Lang)
	v.Data = map[string]any{"S": s, "Calendar": calendar, "Overdue": overdue, "Limits": limits, "Rows": rows, "Legend": legend, "Prev": year - 1, "Next": year + 1, "Region": reg,
		"Export": "/reports/supervision/export.xlsx?" + url.Values{"region": {reg}, "year": {strconv.Itoa(year)}}.Encode()}
	return h.render(w, http.StatusOK, "supervision.html", v)
}

// supervisionExport writes the year's assessment indicators by unit.
func (h *Handler) supervisionExport(w http.ResponseWriter, r *http.Request) error {
	reg, year, err := h.supervisionQuery(r)
	if err != nil {
		return err
	}
	if reg == "" {
		return apperr.Invalidf("region", "请指定区划", "name a region")
	}
	s, err := h.app.Supervision(r.Context(), web.Actor(r), reg, year)
	if err != nil {
		return err
	}
	x, err := h.newListExport(w, r, exportSpec{
		File: "assessment-" + reg + "-" + strconv.Itoa(year), Title: "目标管理考评指标", Sheet: "考评指标",
		Header: []string{"单位代码", "单位", "月报按时", "月报逾期完成", "月报逾期未报", "月报及时率（%）", "名册在册人数", "8月底前已打卡人数", "打卡率（%）", "打卡进度", "数据质量得分",
			"案件环节应办结数", "案件环节按时办结数", "案件环节按时率（%）", "超时在办案件数", "投诉咨询应答复数", "按时答复数", "投诉咨询按时答复率（%）"},
		Widths: []float64{14, 24, 10, 12, 12, 14, 14, 16, 12, 14, 12, 14, 16, 16, 14, 14, 12, 18},
		Action: "report.assessment_export", Entity: "supervision", EntityID: reg + "/" + strconv.Itoa(year), Region: region.Code(reg),
		Filter: map[string]string{"region": reg, "year": strconv.Itoa(year)},
	})
	if err != nil {
		return err
	}
	x.total = len(s.Units)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	for _, u := range s.Units {
		if err == nil {
			q := ""
			if u.Quality >= 0 {
				q = f(u.Quality)
			}
			err = x.write(u.Code, u.Name, strconv.Itoa(u.OnTime), strconv.Itoa(u.Late), strconv.Itoa(u.Overdue), f(u.Timeliness),
				strconv.FormatInt(u.PaymentDue, 10), strconv.FormatInt(u.PaymentPaid, 10), f(u.PaymentRate), stats.ProgressNames.Chinese(u.Payment), q,
				strconv.FormatInt(u.Steps.Due, 10), strconv.FormatInt(u.Steps.OnTime, 10), f(u.StepRate), strconv.Itoa(u.StepsOverdue),
				strconv.FormatInt(u.Complaints.Due, 10), strconv.FormatInt(u.Complaints.OnTime, 10), f(u.ComplaintRate))
		}
	}
	x.note("区划", s.Name)
	x.note("年度", strconv.Itoa(year))
	x.note("统计日", s.Today.Chinese())
	x.note("说明", "月报报送日为次月"+strconv.Itoa(s.ReportDay)+"日；打卡率按名册在册人员中8月31日前银行已发放本年度资金的人数计；数据质量得分取本年度已结束的最近一个季度"+s.Quarter)
	return x.finish(err)
}
