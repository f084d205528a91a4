package ui

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// outreachPage is the outreach list (应享未享): the persons of the actor's
// region (or of ?region=) the rules find eligible for a program who have
// not applied, each with a link to the application form. It is the first
// page a village specialist opens.
func (h *Handler) outreachPage(w http.ResponseWriter, r *http.Request) error {
	a := web.Actor(r)
	v := h.newView(w, r, "outreach.title")
	q := r.URL.Query()
	page, offset := pageOf(r)
	oq := app.OutreachQuery{Region: region.Code(q.Get("region")), Program: q.Get("program"), Limit: pageSize, Offset: offset}
	if y, err := strconv.Atoi(q.Get("year")); err == nil {
		oq.Year = y
	}
	o, err := h.app.Outreach(r.Context(), a, oq, v.Lang)
	if err != nil {
		return err
	}
	progs, err := h.app.ProgramList(r.Context(), a)
	if err != nil {
		return err
	}
	v.Form = q
	v.Data = map[string]any{"Rows": o.Rows, "Year": o.Year, "Total": o.Total, "Pager": newPager(r, o.Total, page), "Programs": progs,
		"CanApply": a.Role == "village"}
	return h.render(w, http.StatusOK, "outreach.html", v)
}
