package ui

import (
	"net/http"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// caseRow is one line of the worklist.
type caseRow struct {
	workflow.Case
	Name     string
	IDMasked string
}

// casesPage is the worklist: the open cases within the actor's scope that
// wait for the actor's role (workflow.WorklistPage), or those in one
// state, sorted by the day applied, the state or the applicant's name, a
// page at a time.
func (h *Handler) casesPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "cases.title")
	data := map[string]any{"States": workflow.States}
	v.Data = data
	var q workflow.CaseQuery
	if s := r.URL.Query().Get("state"); s != "" {
		q.States = []workflow.State{workflow.State(s)}
		v.Form.Set("state", s)
	}
	list, err := h.app.ProgramList(r.Context(), a)
	if err != nil {
		return err
	}
	data["Programs"], data["Names"] = list.Codes(), programNames(list, v.Lang)
	if s := strings.TrimSpace(r.URL.Query().Get("program")); s != "" {
		if !slices.Contains(list.Codes(), s) {
			formError(v, invalid("program", "项目无效", "invalid program"))
			return h.render(w, http.StatusBadRequest, "cases.html", v)
		}
		q.Program = s
		v.Form.Set("program", s)
	}
	v.Form.Set("q", r.URL.Query().Get("q"))
	if q.Who, err = registry.ParseWho("q", r.URL.Query().Get("q")); err != nil {
		formError(v, err)
		return h.render(w, http.StatusBadRequest, "cases.html", v)
	}
	ls, err := web.SortOf(r.URL.Query(), workflow.CaseSortKeys)
	if err != nil {
		formError(v, err)
		return h.render(w, http.StatusBadRequest, "cases.html", v)
	}
	page, offset := pageOf(r)
	q.Sort, q.Desc, q.Limit, q.Offset = ls.Key, ls.Desc, pageSize, offset
	items, total, err := h.app.Worklist(r.Context(), a, q, true)
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "cases.html", v)
		}
		return err
	}
	rows := make([]caseRow, len(items))
	for i, it := range items {
		rows[i] = caseRow{Case: it.Case, Name: it.Name, IDMasked: maskedID(it.IDNumber)}
	}
	data["Rows"] = rows
	data["Pager"] = newPager(r, total, page)
	data["Sort"] = sortHeaders(r.URL.Path, r.URL.Query(), workflow.CaseSortKeys, ls)
	data["Keep"] = sortFields(ls, workflow.CaseSortKeys)
	return h.render(w, http.StatusOK, "cases.html", v)
}

func maskedID(s string) string { return idcard.Number(s).Masked() }
