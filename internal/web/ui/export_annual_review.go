package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"
)

// annualReviewExport writes a run of the annual review as its printable
// page shows it: every recipient whose situation changed, with the ID
// number masked, the reason and the clauses that failed, and the run's
// counts below the rows.
func (h *Handler) annualReviewExport(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermCaseRead, app.Target{Entity: "annual_review", ID: r.PathValue("id")}); err != nil {
		return err
	}
	county, id, err := caseKey(r)
	if err != nil {
		return err
	}
	run, err := h.app.AnnualReviewRun(r.Context(), web.Actor(r), county, id, "zh")
	if err != nil {
		return err
	}
	ar, names := run.Run, run.Names
	x, err := h.newListExport(w, r, exportSpec{
		File: "annual-review-" + strconv.FormatInt(id, 10), Title: "年审结果", Sheet: "年审结果",
		Header: []string{"人员编号", "姓名", "身份证号（脱敏）", "项目代码", "项目", "原因", "未满足的条款"},
		Widths: []float64{10, 10, 22, 14, 30, 24, 60},
		Action: "annual_review.export", Entity: "annual_review", EntityID: strconv.FormatInt(id, 10), Region: region.Code(ar.Region),
	})
	if err != nil {
		return err
	}
	x.total = len(ar.Changed)
	for _, c := range ar.Changed {
		clauses := make([]string, len(c.Clauses))
		for i, cl := range c.Clauses {
			clauses[i] = cl.Text
		}
		if err = x.write(strconv.FormatInt(c.PersonID, 10), c.Name, maskedID(c.IDNumber), c.Program, label(names, c.Program),
			roll.ExitReasons.Chinese(c.Reason), strings.Join(clauses, "；")); err != nil {
			break
		}
	}
	x.note("年审区划", h.tree.FullName(region.Code(ar.Region)))
	x.note("年度", strconv.Itoa(ar.Year))
	x.note("年审时间", ar.At.In(date.Beijing).Format("2006-01-02 15:04"))
	x.note("审核人数", strconv.Itoa(ar.Reviewed))
	x.note("确认人数", strconv.Itoa(ar.Confirmed))
	x.note("情况变化人数", strconv.Itoa(len(ar.Changed)))
	return x.finish(err)
}
