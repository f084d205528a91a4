package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// cycleExport writes the lines of a payment cycle that its page lists
// under the tab ?show= (all, a status, or the arrears and corrections), in
// the page's order (?sort= and ?order=), with the ID numbers masked. The
// workbook is started once the lines are counted, so a refusal or a bad
// filter is an error page.
func (h *Handler) cycleExport(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	show := r.URL.Query().Get("show")
	f, err := lineFilterOf(show, id)
	if err != nil {
		return err
	}
	order, err := web.SortOf(r.URL.Query(), payment.LineSortKeys)
	if err != nil {
		return err
	}
	f.Sort, f.Desc = order.Key, order.Desc
	var x *listExport
	start := func(total int) error {
		var err error
		x, err = h.newListExport(w, r, exportSpec{
			File: "cycle-" + strconv.FormatInt(id, 10), Title: "发放明细", Sheet: "发放明细",
			Header: []string{"明细编号", "姓名", "身份证号（脱敏）", "所在区划代码", "所在区划", "项目代码", "期间", "类型", "月数", "金额（元）",
				"状态", "原因", "备注"},
			Widths: []float64{10, 10, 22, 16, 30, 14, 10, 10, 6, 12, 12, 24, 30},
			Action: "payment.cycle.export", Entity: "payment_cycle", EntityID: strconv.FormatInt(id, 10), Region: region.Code(county),
			Filter: map[string]string{"show": show, "sort": f.Sort, "desc": strconv.FormatBool(f.Desc)},
		})
		if x != nil {
			x.total = total
		}
		return err
	}
	err = h.app.EachCycleLine(r.Context(), web.Actor(r), county, id, f, start, func(l app.LineRow) error {
		period := l.Period.String()
		if l.Revision > 0 {
			period += " r" + strconv.Itoa(l.Revision)
		}
		reason := strings.TrimSpace(l.FailReason + " " + l.HoldReason)
		return x.write(strconv.FormatInt(l.ID, 10), l.Name, maskedID(l.IDNumber), l.Region, h.tree.FullName(region.Code(l.Region)),
			l.Program, period, l.Kind.Chinese(), strconv.Itoa(l.Months), l.Amount.String(),
			l.Status.Chinese(), reason, l.Note)
	})
	if x == nil {
		return err
	}
	return x.finish(err)
}
