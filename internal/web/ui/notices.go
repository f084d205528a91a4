package ui

import (
	"net/http"
	"slices"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

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
		"Today":        date.Today(h.now()).String(),
		"PrintRegions": printRegions(h.tree, a.Scope),
		"CanObject":    !a.ReadOnly() && (auth.Can(a, auth.PermCaseApply) || auth.Can(a, auth.PermCaseReview) || auth.Can(a, auth.PermCaseApprove))}
	return h.render(w, http.StatusOK, "notices.html", v)
}

// printRegions are the divisions whose notice lists the actor may print
// together: the scope itself and the divisions below it, down to the
// county for a city or a province.
func printRegions(tree *region.Tree, scope region.Code) []region.Division {
	var out []region.Division
	if d, ok := tree.Lookup(scope); ok && scope.Level() >= region.County {
		out = append(out, d)
	}
	switch scope.Level() {
	case region.County, region.Township:
		out = append(out, tree.Children(scope)...)
	case region.Prefecture:
		out = append(out, tree.Children(scope)...)
	case region.Province:
		for _, c := range tree.Children(scope) {
			out = append(out, tree.Children(c.Code)...)
		}
	}
	return out
}
