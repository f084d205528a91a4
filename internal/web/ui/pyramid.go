package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/web"
)

// pyramidChart lays out the population pyramid: one row per age band, the
// oldest on top, men to the left of the axis and women to the right.
type pyramidChart struct {
	Width, Height, Mid int
	Rows               []pyramidRow
}

type pyramidRow struct {
	Label              string
	Y, TextY           int
	MX, MW, FW         int
	Male, Female       int64
	MaleTextX, FemaleX int
}

func newPyramidChart(p *stats.Pyramid) pyramidChart {
	const width, mid, half, row = 680, 340, 280, 18
	c := pyramidChart{Width: width, Mid: mid}
	var most int64 = 1
	for _, b := range p.Bands {
		most = max(most, b.Male, b.Female)
	}
	y := 6
	for i := len(p.Bands) - 1; i >= 0; i-- {
		b := p.Bands[i]
		mw, fw := int(b.Male*half/most), int(b.Female*half/most)
		c.Rows = append(c.Rows, pyramidRow{Label: b.Label, Y: y, TextY: y + 12, MX: mid - mw - 1, MW: mw, FW: fw, Male: b.Male, Female: b.Female,
			MaleTextX: mid - mw - 6, FemaleX: mid + fw + 6})
		y += row
	}
	c.Height = y + 6
	return c
}

// pyramidPage is the population pyramid of ?region= on ?on= (default
// today).
func (h *Handler) pyramidPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg := strings.TrimSpace(q.Get("region"))
	if reg == "" {
		reg = string(web.Actor(r).Scope)
	}
	v := h.newView(w, r, "py_title")
	v.Form.Set("region", reg)
	v.Form.Set("on", q.Get("on"))
	if reg == "" {
		v.Data = map[string]any{}
		return h.render(w, http.StatusOK, "pyramid.html", v)
	}
	if _, err := web.ParseRegion("region", reg); err != nil {
		return err
	}
	p, err := h.app.Pyramid(r.Context(), web.Actor(r), reg, q.Get("on"))
	if err != nil {
		return err
	}
	v.Form.Set("on", p.On.String())
	v.Data = map[string]any{"P": p, "Chart": newPyramidChart(p), "Total": strconv.FormatInt(p.Male+p.Female, 10)}
	return h.render(w, http.StatusOK, "pyramid.html", v)
}
