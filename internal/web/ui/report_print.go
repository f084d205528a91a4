package ui

import (
	"io"
	"net/http"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/printout"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/web"
)

// reportPrint is the monthly report of ?region= and ?month= as a PDF for
// printing and filing (printout.MonthlyReport), with the adjustments it
// carries when the month is live.
func (h *Handler) reportPrint(w http.ResponseWriter, r *http.Request) error {
	reg, month, err := h.reportQuery(r)
	if err != nil {
		return err
	}
	if reg == "" {
		return apperr.Invalidf("region", "请指定区划", "name a region")
	}
	return h.PrintReport(w, r, reg, month)
}

// PrintReport sends the monthly report of reg for month as a PDF
// (printout.MonthlyReport), with the figures named as the pages name
// them; the API serves it too.
func (h *Handler) PrintReport(w http.ResponseWriter, r *http.Request, reg, month string) error {
	a := web.Actor(r)
	rep, err := h.app.MonthlyReport(r.Context(), a, reg, month, "zh")
	if err != nil {
		return err
	}
	if rep.Live {
		if rep.Report.Adjustments, err = h.app.ReportAdjustments(r.Context(), a, reg, month); err != nil {
			return err
		}
	}
	t := h.eng.msgs["zh"]
	p := &printout.ReportPaper{Report: rep.Report, Status: stats.Statuses.Chinese(rep.Approval.Status), Names: rep.Names,
		Issuer: issuerOf(h.tree, region.Code(reg)), Printed: date.Today(h.now()),
		Figure: func(key string) string { return h.figureName(key, t, rep.Names, "zh") }}
	return web.ServePDF(w, "计划生育统计月报-"+rep.Report.RegionName+"-"+month+".pdf", "report-"+reg+"-"+month+".pdf",
		func(out io.Writer) error { return printout.MonthlyReport(out, p) })
}

// issuerOf names the unit that files reg's report: the health commission
// of a county and above, the family-planning office of a township or a
// village's committee.
func issuerOf(t *region.Tree, reg region.Code) string {
	d, ok := t.Lookup(reg)
	if !ok {
		return t.FullName(reg)
	}
	switch d.Level {
	case region.Township:
		return d.Name + "计划生育办公室"
	case region.Village:
		return d.Name
	}
	return d.Name + "卫生健康委员会"
}
