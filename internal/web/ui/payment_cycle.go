package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// lineRow is one payment line with its person, the ID number masked.
type lineRow struct {
	payment.Line
	Name     string
	IDMasked string
}

// lineRows masks the ID numbers of rows.
func lineRows(rows []app.LineRow) []lineRow {
	out := make([]lineRow, len(rows))
	for i, l := range rows {
		out[i] = lineRow{Line: l.Line, Name: l.Name, IDMasked: idcard.Number(l.IDNumber).Masked()}
	}
	return out
}

// lineTab is one filter of the lines of a cycle.
type lineTab struct {
	Key, Label, Href string
	Count            int
	Current          bool
}

// lineTabs are the filters of a cycle's lines: all, by status, and the
// arrears and corrections.
var lineTabs = append(append([]string{""}, payment.StatusNames.Codes()...), "extra")

// lineFilterOf reads the tab ?show= of a cycle page.
func lineFilterOf(show string, cycleID int64) (payment.LineFilter, error) {
	f := payment.LineFilter{CycleID: cycleID}
	switch show {
	case "":
	case "extra":
		f.Kinds = []payment.LineKind{payment.Arrears, payment.Correction}
	default:
		if !slices.Contains(lineTabs, show) {
			return f, apperr.Invalidf("show", "筛选条件无效", "invalid filter")
		}
		f.Statuses = []payment.Status{payment.Status(show)}
	}
	return f, nil
}

// cyclePage shows a cycle: its totals by status, a page of its lines (all,
// by status, or the arrears and corrections), the held lines with the
// verification form for the roles that verify, the batches made of it and
// the actions of the finance officer: make batches, and supplement the
// cycle with the persons enrolled since.
func (h *Handler) cyclePage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_cycle_title")
	if err := h.cycleData(r, v, county, id); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_cycle.html", v)
}

func (h *Handler) cycleData(r *http.Request, v *view, county string, id int64) error {
	show := r.URL.Query().Get("show")
	f, err := lineFilterOf(show, id)
	if err != nil {
		return err
	}
	order, err := web.SortOf(r.URL.Query(), payment.LineSortKeys)
	if err != nil {
		return err
	}
	page, offset := pageOf(r)
	f.Sort, f.Desc, f.Limit, f.Offset = order.Key, order.Desc, pageSize, offset
	cv, err := h.app.Cycle(r.Context(), web.Actor(r), county, id, app.CycleQuery{Lines: f, Held: true, Lang: v.Lang})
	if err != nil {
		return err
	}
	c := cv.Cycle
	byStatus := map[string]int{}
	extra, total := 0, 0
	for _, n := range cv.Counts {
		byStatus[string(n.Status)] += n.Lines
		total += n.Lines
		if n.Kind != payment.Regular {
			extra += n.Lines
		}
	}
	base := payPath("cycles", county, id)
	var tabs []lineTab
	for _, k := range lineTabs {
		n := byStatus[k]
		switch k {
		case "":
			n = total
		case "extra":
			n = extra
		}
		if n == 0 && k != "" && k != show {
			continue
		}
		tq := url.Values{}
		for name, val := range sortFields(order, payment.LineSortKeys) {
			tq.Set(name, val)
		}
		if k != "" {
			tq.Set("show", k)
		}
		href := base
		if len(tq) > 0 {
			href += "?" + tq.Encode()
		}
		label := v.T["pay_tab_all"]
		switch k {
		case "":
		case "extra":
			label = v.T["pay_tab_extra"]
		default:
			label = payment.StatusNames.Name(k, v.Lang)
		}
		tabs = append(tabs, lineTab{Key: k, Label: label, Href: href, Count: n, Current: k == show})
	}
	v.Title = v.T["pay_cycle_title"] + " #" + strconv.FormatInt(c.ID, 10)
	v.Data = map[string]any{
		"C": c, "Key": county + "/" + strconv.FormatInt(id, 10), "Program": cv.Program,
		"Tabs": tabs, "Rows": lineRows(cv.Lines), "Pager": newPager(r, cv.Matched, page), "Held": lineRows(cv.Held), "Batches": cv.Batches,
		"Pending": byStatus[string(payment.Pending)], "BankNames": bankNames(v.Lang),
		"Sort": sortHeaders(base, r.URL.Query(), payment.LineSortKeys, order),
		// The bulk print of letters is by township.
		"Townships": h.tree.Children(region.Code(county)),
	}
	return nil
}

// cycleFormError re-renders the cycle page with the problems of a form
// posted on it, or returns err when it is no form error.
func (h *Handler) cycleFormError(w http.ResponseWriter, r *http.Request, v *view, county string, id int64, err error) error {
	if !formError(v, err) {
		return err
	}
	if derr := h.cycleData(r, v, county, id); derr != nil {
		return derr
	}
	return h.render(w, http.StatusUnprocessableEntity, "pay_cycle.html", v)
}

// cycleSupplementSubmit tops up a cycle with the persons on the roll who
// have no line for its period, enrolled since it was generated.
func (h *Handler) cycleSupplementSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	if _, err := h.app.SupplementCycle(r.Context(), web.Actor(r), county, id); err != nil {
		return h.cycleFormError(w, r, h.newView(w, r, "pay_cycle_title"), county, id, err)
	}
	redirectDone(w, r, payPath("cycles", county, id), "cycle_supplemented")
	return nil
}

// batchesCreateSubmit puts a cycle's pending lines into one batch per
// bank.
func (h *Handler) batchesCreateSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	if _, err := h.app.GenerateBatches(r.Context(), web.Actor(r), county, id); err != nil {
		return h.cycleFormError(w, r, h.newView(w, r, "pay_cycle_title"), county, id, err)
	}
	redirectDone(w, r, "/payments/batches?cycle="+strconv.FormatInt(id, 10), "batches_made")
	return nil
}

// lineVerifySubmit settles a held line: the roles that confirm
// eligibility release it or cancel it.
func (h *Handler) lineVerifySubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	l, err := h.app.VerifyLine(r.Context(), web.Actor(r), county, id, payment.Verdict{Pay: r.PostFormValue("pay") == "1", Note: r.PostFormValue("note")})
	if err != nil {
		cycle, cerr := strconv.ParseInt(r.PostFormValue("cycle"), 10, 64)
		if cerr != nil {
			return err
		}
		return h.cycleFormError(w, r, h.newView(w, r, "pay_cycle_title"), county, cycle, err)
	}
	redirectDone(w, r, payPath("cycles", county, l.CycleID)+"?show=held", "line_verified")
	return nil
}
