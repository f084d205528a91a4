package ui

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/web"
)

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
