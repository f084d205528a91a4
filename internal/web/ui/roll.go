package ui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The recipient roll (名册), read through the use-case layer as the JSON
// API reads it. Its Excel export is in roll_export.go, the annual review
// (年审) in annual_review.go and the notice board (公示) in notices.go.

// requireRollRead admits the roles that may read the roll: the staff of
// the procedure, readers, and finance, who pay from it.
func (h *Handler) requireRollRead(r *http.Request) error {
	if a := web.Actor(r); auth.Can(a, auth.PermCaseRead) || auth.Can(a, auth.PermPaymentRead) {
		return nil
	}
	return web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "recipient"})
}

// parseRollQuery reads the roll's filter from the query string; a region
// outside the actor's scope is refused (and audited).
func (h *Handler) parseRollQuery(r *http.Request, v *view) (roll.Query, error) {
	q := r.URL.Query()
	rq := roll.Query{Program: strings.TrimSpace(q.Get("program")), Status: q.Get("status")}
	for _, k := range []string{"q", "program", "status", "region"} {
		v.Form.Set(k, strings.TrimSpace(q.Get(k)))
	}
	var errs apperr.List
	if w, err := registry.ParseWho("q", q.Get("q")); err != nil {
		errs = append(errs, err.(*apperr.Error))
	} else {
		rq.Who = w
	}
	if ls, err := web.SortOf(q, roll.SortKeys); err != nil {
		errs = append(errs, err.(*apperr.Error))
	} else {
		rq.Sort, rq.Desc = ls.Key, ls.Desc
	}
	if rq.Status != "" && !slices.Contains(roll.Statuses.Codes(), rq.Status) {
		errs = append(errs, invalid("status", "状态无效", "invalid status"))
	}
	if s := v.F("region"); s != "" {
		c, err := region.ParseCode(s)
		if err != nil {
			e := err.(*region.Error)
			errs = append(errs, invalid("region", e.ZH, e.EN))
		} else if !c.IsCountry() {
			if err := web.InScope(h.app, r, c, app.Target{Entity: "recipient"}); err != nil {
				return rq, err
			}
			rq.Region = string(c)
		}
	}
	return rq, errs.Err()
}

// rollRow is a line of the roll page.
type rollRow struct {
	roll.Entry
	ProgramName string
}

// rollPage lists the roll within the actor's scope, filtered by program,
// status and region, a page at a time.
func (h *Handler) rollPage(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireRollRead(r); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "roll.title")
	data := map[string]any{"Statuses": roll.Statuses.Codes(), "Root": string(a.Scope)}
	v.Data = data
	rq, err := h.parseRollQuery(r, v)
	var p *app.RollPage
	page, offset := pageOf(r)
	if err == nil {
		rq.Limit, rq.Offset = pageSize, offset
		p, err = h.app.RollPage(r.Context(), a, rq, v.Lang)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		list, lerr := h.app.ProgramList(r.Context(), a)
		if lerr != nil {
			return lerr
		}
		data["Programs"], data["Names"] = list.Codes(), programNames(list, v.Lang)
		return h.render(w, http.StatusBadRequest, "roll.html", v)
	}
	names, entries, total := p.Names, p.Entries, p.Total
	data["Programs"], data["Names"] = p.Programs, names
	rows := make([]rollRow, len(entries))
	for i, e := range entries {
		rows[i] = rollRow{Entry: e, ProgramName: label(names, e.Program)}
	}
	data["Rows"] = rows
	data["Pager"] = newPager(r, total, page)
	ls := web.ListSort{Key: rq.Sort, Desc: rq.Desc}
	data["Sort"] = sortHeaders(r.URL.Path, r.URL.Query(), roll.SortKeys, ls)
	data["Keep"] = sortFields(ls, roll.SortKeys)
	eq := r.URL.Query()
	eq.Del("page")
	eq.Del("done")
	eq.Del("lang")
	data["ExportHref"] = "/roll/export.xlsx?" + eq.Encode()
	data["CanReview"] = auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove)
	return h.render(w, http.StatusOK, "roll.html", v)
}
