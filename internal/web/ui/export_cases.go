package ui

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// casesExport writes the worklist the cases page shows: the open cases
// within the actor's scope that wait for the actor's role, or those in the
// state of ?state= (workflow.WorklistPage, a page at a time), in the
// page's order (?sort= and ?order=, read by sortOf), with the ID numbers
// masked.
func (h *Handler) casesExport(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "case"}); err != nil {
		return err
	}
	a := web.Actor(r)
	state := r.URL.Query().Get("state")
	cq := workflow.CaseQuery{}
	if state != "" {
		cq.States = []workflow.State{workflow.State(state)}
	}
	order, err := web.SortOf(r.URL.Query(), workflow.CaseSortKeys)
	if err != nil {
		return err
	}
	cq.Sort, cq.Desc = order.Key, order.Desc
	var x *listExport
	start := func(total int) error {
		var err error
		x, err = h.newListExport(w, r, exportSpec{
			File: "cases", Title: "申请工作清单", Sheet: "申请",
			Header: []string{"县区划代码", "申请编号", "申请人", "身份证号（脱敏）", "项目代码", "项目", "申报年度", "所在区划代码", "所在区划", "状态", "申报日期"},
			Widths: []float64{10, 10, 10, 22, 14, 30, 8, 16, 30, 20, 12},
			Action: "case.export", Entity: "case", Region: a.Scope,
			Filter: map[string]string{"state": state, "sort": cq.Sort, "desc": strconv.FormatBool(cq.Desc)},
		})
		if x != nil {
			x.total = total
		}
		return err
	}
	err = h.app.EachCase(r.Context(), a, cq, "zh", start, func(c *app.WorkItem, program string) error {
		return x.write(c.County, c.Ref(), c.Name, maskedID(c.IDNumber), c.Program, program, strconv.Itoa(c.Year),
			c.Region, h.tree.FullName(region.Code(c.Region)), c.State.Chinese(), c.Submitted.String())
	})
	if x == nil {
		return err
	}
	return x.finish(err)
}
