package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The recipient roll (名册), its Excel export, the annual review (年审) and
// the notice board (公示). The roll is read through workflow.Roll, the
// review run through workflow.RunAnnualReview, as the JSON API does.

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
	for _, k := range []string{"program", "status", "region"} {
		v.Form.Set(k, strings.TrimSpace(q.Get(k)))
	}
	var errs apperr.List
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

// rollHeader is the header row of the roll export.
var rollHeader = []string{"县区划代码", "名册编号", "姓名", "身份证号（脱敏）", "项目代码", "项目", "档次", "所在区划代码", "所在区划",
	"确认日期", "起始年月", "状态", "发放至", "年审年度", "变更记录数"}

// rollExport writes the roll the page lists (the same filter and order,
// every page, up to exportRowCap rows) as an Excel workbook, through the
// list exporter.
func (h *Handler) rollExport(w http.ResponseWriter, r *http.Request) error {
	if err := h.requireRollRead(r); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "roll.title")
	rq, err := h.parseRollQuery(r, v)
	if err != nil {
		return err
	}
	x, err := h.newListExport(w, r, exportSpec{
		File: "roll", Title: "扶助对象名册", Sheet: "名册", Header: rollHeader,
		Widths: []float64{10, 10, 10, 22, 14, 30, 8, 16, 30, 12, 10, 8, 10, 8, 8},
		Action: "roll.export", Entity: "recipient", Region: a.Scope,
		Filter: map[string]string{"program": rq.Program, "status": rq.Status, "region": rq.Region, "sort": rq.Sort, "desc": strconv.FormatBool(rq.Desc)},
	})
	if err != nil {
		return err
	}
	x.total, err = h.app.ListRoll(r.Context(), a, rq, "zh", func(e *roll.Entry, program string) error {
		reviewed := ""
		if e.ReviewedYear > 0 {
			reviewed = strconv.Itoa(e.ReviewedYear)
		}
		return x.write(e.County, strconv.FormatInt(e.ID, 10), e.Name, e.IDNumber, e.Program, program, e.Tier,
			e.Region, h.tree.FullName(region.Code(e.Region)), e.Confirmed.String(),
			strconv.Itoa(e.StartYear)+"-"+twoDigits(e.StartMonth), roll.Statuses.Chinese(e.Status), e.PaidThrough,
			reviewed, strconv.Itoa(len(e.Changes)))
	})
	return x.finish(err)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// annualReviewPage shows the form of the annual review (township and
// county staff) and the latest runs within the actor's scope.
func (h *Handler) annualReviewPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review"}); err != nil {
		return err
	}
	v := h.newView(w, r, "annual.title")
	a := web.Actor(r)
	if a.Scope.Level() >= region.County {
		v.Form.Set("region", string(a.Scope))
	}
	v.Form.Set("year", strconv.Itoa(date.Today(h.now()).Year()))
	if err := h.annualReviewData(r, v); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "annual_review.html", v)
}

func (h *Handler) annualReviewData(r *http.Request, v *view) error {
	a := web.Actor(r)
	runs, err := h.app.AnnualReviews(r.Context(), a, 20)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Runs": runs, "Root": string(a.Scope),
		"CanRun": !a.ReadOnly() && (auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove))}
	return nil
}

// annualReviewSubmit runs the annual review (workflow.RunAnnualReview) and
// shows the stored run.
func (h *Handler) annualReviewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "annual.title")
	for _, f := range []string{"region", "year"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	year, e := formInt(r, "year", 2000, 2100)
	var ar *workflow.AnnualReview
	var err error
	if e != nil {
		err = e
	} else {
		ar, err = h.app.AnnualReview(r.Context(), web.Actor(r), v.F("region"), year)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.annualReviewData(r, v); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "annual_review.html", v)
	}
	redirectDone(w, r, "/roll/annual-review/"+ar.County+"/"+strconv.FormatInt(ar.ID, 10), "annual_review")
	return nil
}

// annualReviewRunPage shows one run of the annual review for printing:
// how many were reviewed and confirmed, and every recipient whose status
// changed with the reason and the failed clauses.
func (h *Handler) annualReviewRunPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "annual.title")
	run, err := h.app.AnnualReviewRun(r.Context(), web.Actor(r), county, id, v.Lang)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Run": run.Run, "Names": run.Names}
	return h.render(w, http.StatusOK, "annual_review_run.html", v)
}

// noticeLevels are the levels of the notice board's filter.
var noticeLevels = []string{string(workflow.LevelVillage), string(workflow.LevelTownship), string(workflow.LevelCounty)}

// noticesPage is the notice board: the running and closed notices of the
// cases within the actor's scope, a page at a time, each with the link to
// its printable list and to the case, where objections are recorded and
// resolved.
func (h *Handler) noticesPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "notices.title")
	q := r.URL.Query()
	status := q.Get("status")
	if !q.Has("status") {
		status = workflow.NoticeOpen
	}
	if status != workflow.NoticeOpen && status != workflow.NoticeClosed {
		status = ""
	}
	level := q.Get("level")
	if !slices.Contains(noticeLevels, level) {
		level = ""
	}
	v.Form.Set("status", status)
	v.Form.Set("level", level)
	page, offset := pageOf(r)
	b, err := h.app.NoticeBoard(r.Context(), a, app.NoticeQuery{Status: status, Level: workflow.Level(level), Limit: pageSize, Offset: offset}, v.Lang)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"Rows": noticeRows(b.Rows, b.Names), "Pager": newPager(r, b.Total, page), "Levels": noticeLevels,
		"Today":     date.Today(h.now()).String(),
		"CanObject": !a.ReadOnly() && (auth.Can(a, auth.PermCaseApply) || auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove))}
	return h.render(w, http.StatusOK, "notices.html", v)
}
