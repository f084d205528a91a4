package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The registry's quarterly data quality (docs/statistics.md): the checks'
// counts and the score by unit, and the persons each check names.

// qualityQuery reads ?region= (default: the actor's region) and ?quarter=
// (default: the last quarter that is over).
func (h *Handler) qualityQuery(r *http.Request) (reg, quarter string, err error) {
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
	quarter = strings.TrimSpace(q.Get("quarter"))
	if quarter == "" {
		quarter = stats.QuarterOf(date.Today(h.now())).Add(-1).String()
	}
	qq, err := stats.ParseQuarter(quarter)
	if err != nil {
		return "", "", err
	}
	return reg, qq.String(), nil
}

// qualityPage is the quality report of ?region= and ?quarter=.
func (h *Handler) qualityPage(w http.ResponseWriter, r *http.Request) error {
	reg, quarter, err := h.qualityQuery(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "dq_title")
	v.Form.Set("region", reg)
	v.Form.Set("quarter", quarter)
	if reg == "" {
		v.Data = map[string]any{}
		return h.render(w, http.StatusOK, "quality.html", v)
	}
	q, err := h.app.DataQuality(r.Context(), web.Actor(r), reg, quarter)
	if err != nil {
		return err
	}
	list := func(check, unit string) string {
		u := url.Values{"region": {reg}, "quarter": {quarter}}
		if check != "" {
			u.Set("check", check)
		}
		if unit != "" {
			u.Set("unit", unit)
		}
		return "/reports/quality/persons?" + u.Encode()
	}
	type row struct {
		Name, Href, Score, List string
		Population, Flagged     int64
		Cells                   []cell
	}
	mk := func(u stats.UnitQuality, unit string) row {
		rw := row{Name: u.Name, Population: u.Population, Flagged: u.Flagged, Score: strconv.FormatFloat(u.Score, 'f', 1, 64), List: list("", unit)}
		if unit != "" {
			rw.Href = "/reports/quality?" + url.Values{"region": {unit}, "quarter": {quarter}}.Encode()
		}
		for _, c := range stats.Checks {
			n := u.ByCheck[c.Code]
			cl := cell{Text: strconv.Itoa(n)}
			if n > 0 {
				cl.Href = list(c.Code, unit)
			}
			rw.Cells = append(rw.Cells, cl)
		}
		return rw
	}
	var rows []row
	for _, u := range q.Units {
		rows = append(rows, mk(u, u.Code))
	}
	total := mk(q.Total, "")
	total.Name = v.T["total"]
	rows = append(rows, total)
	var names []string
	for _, c := range stats.Checks {
		names = append(names, c.Name(v.Lang))
	}
	qq, _ := stats.ParseQuarter(quarter)
	v.Data = map[string]any{"Q": q, "Rows": rows, "Checks": names, "Prev": qq.Add(-1).String(), "Next": qq.Add(1).String(), "Region": reg}
	return h.render(w, http.StatusOK, "quality.html", v)
}

// qualityPersonsPage lists the persons a check names.
func (h *Handler) qualityPersonsPage(w http.ResponseWriter, r *http.Request) error {
	reg, quarter, err := h.qualityQuery(r)
	if err != nil {
		return err
	}
	const size = 100
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	check, unit := q.Get("check"), q.Get("unit")
	rows, total, err := h.app.QualityPersons(r.Context(), web.Actor(r), reg, quarter, check, unit, (page-1)*size, size)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "dq_persons_title")
	pageURL := func(p int) string {
		return "/reports/quality/persons?" + url.Values{"region": {reg}, "quarter": {quarter}, "check": {check}, "unit": {unit}, "page": {strconv.Itoa(p)}}.Encode()
	}
	var prev, next string
	if page > 1 {
		prev = pageURL(page - 1)
	}
	if page*size < total {
		next = pageURL(page + 1)
	}
	what := v.T["dq_all_checks"]
	if check != "" {
		what = stats.Checks.Name(check, v.Lang)
	}
	where := reg
	if unit != "" {
		where = unit
	}
	v.Data = map[string]any{"Rows": rows, "Total": total, "Figure": what, "Region": h.tree.FullName(region.Code(where)), "Month": quarter,
		"Back": "/reports/quality?" + url.Values{"region": {reg}, "quarter": {quarter}}.Encode(), "Prev": prev, "Next": next, "BackKey": "dq_title"}
	return h.render(w, http.StatusOK, "report_persons.html", v)
}
