package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// ledgerChart is the ledger's bar chart, laid out here so that the
// template only draws it: one bar per region (or program), its segments
// the four paying levels.
type ledgerChart struct {
	Width, Height int
	Bars          []ledgerBar
	Legend        []ledgerKey
}

type ledgerBar struct {
	Label         string
	LabelY, BarY  int
	TextY, ValueX int
	Value         string
	Segments      []ledgerSegment
	Href          string
}

type ledgerSegment struct {
	X, Y, W int
	Class   string
	Title   string
}

type ledgerKey struct {
	X, Y  int
	Class string
	Label string
}

// newLedgerChart lays out groups on one scale: the widest bar is the
// largest amount.
func newLedgerChart(groups []payment.LedgerGroup, t map[string]string, lang string, href func(payment.LedgerGroup) string) ledgerChart {
	const width, left, area, row, barH = 680, 4, 480, 40, 16
	c := ledgerChart{Width: width}
	var top money.Fen
	for _, g := range groups {
		top = max(top, g.Amount)
	}
	y := 4
	for _, g := range groups {
		b := ledgerBar{Label: g.Name, LabelY: y + 12, BarY: y + 17, TextY: y + 17 + barH - 3, Value: payment.Wan(g.Amount) + " " + t["pay_wan"],
			Href: href(g)}
		x := left
		for i, part := range g.Split {
			if top <= 0 || part <= 0 {
				continue
			}
			w := max(int(int64(part)*area/int64(top)), 1)
			lv := policy.FundingLevels[i]
			b.Segments = append(b.Segments, ledgerSegment{X: x, Y: b.BarY, W: w, Class: "lv-" + lv.Code,
				Title: lv.Name(lang) + " " + payment.Wan(part) + " " + t["pay_wan"]})
			x += w
		}
		b.ValueX = x + 6
		c.Bars = append(c.Bars, b)
		y += row
	}
	for i, lv := range policy.FundingLevels {
		c.Legend = append(c.Legend, ledgerKey{X: left + i*110, Y: y + 4, Class: "lv-" + lv.Code, Label: lv.Name(lang)})
	}
	c.Height = y + 24
	return c
}

// ledgerQuery reads the ledger's ?year= (default: this year in Beijing),
// ?region= and ?program= for its page and its export.
func (h *Handler) ledgerQuery(r *http.Request) (year int, reg, program string, err error) {
	q := r.URL.Query()
	year = date.Today(h.now()).Year()
	if s := q.Get("year"); s != "" {
		if year, err = strconv.Atoi(s); err != nil {
			return 0, "", "", apperr.Invalidf("year", "年度无效", "invalid year")
		}
	}
	reg = strings.TrimSpace(q.Get("region"))
	if reg != "" {
		if _, err := web.ParseRegion("region", reg); err != nil {
			return 0, "", "", err
		}
	}
	return year, reg, q.Get("program"), nil
}

// ledgerPage is the funds ledger of a year, a region and a program: totals
// by paying level, a bar chart of the regions one level down, and tables
// by program and by region.
func (h *Handler) ledgerPage(w http.ResponseWriter, r *http.Request) error {
	year, reg, program, err := h.ledgerQuery(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_ledger_title")
	v.Form.Set("year", strconv.Itoa(year))
	v.Form.Set("region", reg)
	v.Form.Set("program", program)
	lv, err := h.app.Ledger(r.Context(), web.Actor(r), year, reg, program, v.Lang)
	if err != nil {
		return err
	}
	l := lv.Ledger
	link := func(g payment.LedgerGroup) string {
		u := url.Values{"year": {strconv.Itoa(year)}, "region": {g.Key}}
		if program != "" {
			u.Set("program", program)
		}
		return "/payments/ledger?" + u.Encode()
	}
	chart := newLedgerChart(l.ByRegion, v.T, v.Lang, link)
	var parent string
	if reg != "" && region.Code(reg) != web.Actor(r).Scope {
		if p := region.Code(reg).Parent(); p != "" && web.Actor(r).CanSee(p) {
			parent = string(p)
		}
	}
	levels := make([]string, len(l.Split))
	for i, f := range l.Split {
		levels[i] = payment.Wan(f)
	}
	v.Data = map[string]any{"L": l, "Chart": chart, "Programs": lv.Programs, "Names": lv.Names,
		"Years": []int{year - 2, year - 1, year, year + 1}, "Parent": parent, "Levels": policy.FundingLevels.Codes(),
		"TotalWan": payment.Wan(l.Amount), "LevelsWan": levels}
	return h.render(w, http.StatusOK, "pay_ledger.html", v)
}
