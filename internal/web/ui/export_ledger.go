package ui

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// ledgerExport writes the funds ledger the ledger page shows for ?year=,
// ?region= and ?program=: the totals, then the regions one level down and
// the programs, each with the shares of the four paying levels in yuan.
func (h *Handler) ledgerExport(w http.ResponseWriter, r *http.Request) error {
	year, reg, program, err := h.ledgerQuery(r)
	if err != nil {
		return err
	}
	a := web.Actor(r)
	scope := a.Scope
	if reg != "" {
		scope = region.Code(reg)
	}
	lv, err := h.app.Ledger(r.Context(), a, year, reg, program, "zh")
	if err != nil {
		return err
	}
	l, names := lv.Ledger, lv.Names
	header := []string{"分组", "代码", "名称", "发放人数", "金额（元）"}
	for _, l := range policy.FundingLevels {
		header = append(header, l.ZH+"（元）")
	}
	file := "ledger-" + strconv.Itoa(year)
	if l.Region != "" {
		file += "-" + l.Region
	}
	x, err := h.newListExport(w, r, exportSpec{
		File: file, Title: "资金台账", Sheet: "资金台账", Header: header,
		Widths: []float64{8, 14, 30, 10, 14, 14, 14, 14, 14},
		Action: "payment.ledger.export", Entity: "ledger", Region: scope,
		Filter: map[string]string{"year": strconv.Itoa(year), "region": reg, "program": program},
	})
	if err != nil {
		return err
	}
	x.total = 1 + len(l.ByRegion) + len(l.ByProgram)
	row := func(group, key, name string, t payment.Totals) error {
		cells := []string{group, key, name, strconv.Itoa(t.Persons), t.Amount.String()}
		for _, f := range t.Split {
			cells = append(cells, f.String())
		}
		return x.write(cells...)
	}
	err = row("合计", l.Region, l.RegionName, l.Totals)
	for _, g := range l.ByRegion {
		if err == nil {
			err = row("按区划", g.Key, g.Name, g.Totals)
		}
	}
	for _, g := range l.ByProgram {
		if err == nil {
			err = row("按项目", g.Key, label(names, g.Key), g.Totals)
		}
	}
	x.note("年度", strconv.Itoa(year))
	x.note("区划", l.RegionName)
	if program != "" {
		x.note("项目", label(names, program))
	}
	x.note("说明", "按银行入账日期所在年度统计")
	return x.finish(err)
}
