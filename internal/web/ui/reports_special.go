package ui

import (
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/stats"
)

// specialTable lays out the special families' coverage of the report by
// unit (docs/statistics.md, "Special families"): every reader of reports
// sees the counts, which name no one; only a reader who cares for special
// families (care) gets the links to the families behind them. Nil when
// the report does not count them (a snapshot frozen before it did).
func specialTable(rep *stats.Report, t map[string]string, care bool) []tableRow {
	if rep.SpecialFamilies == nil {
		return nil
	}
	units := append(append([]stats.Unit{}, rep.Units...), stats.Unit{Name: t["total"]})
	var out []tableRow
	for _, u := range units {
		row := tableRow{Label: u.Name}
		for _, m := range stats.SpecialMeasures {
			key := stats.Key(u.Code, "special", m)
			n := rep.Figures[key]
			c := cell{Text: strconv.FormatInt(n, 10)}
			if care && n > 0 {
				c.Href = "/reports/families?" + url.Values{"region": {rep.Region}, "month": {rep.Month}, "figure": {key}}.Encode()
			}
			row.Cells = append(row.Cells, c)
		}
		out = append(out, row)
	}
	return out
}
