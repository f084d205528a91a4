package api

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/web"
)

// getLedger is GET /api/v1/ledger?year=&region=&program=: the funds
// ledger by level of government.
func (h *Handler) getLedger(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil {
		return apperr.Invalidf("year", "缺少或无效的年度", "year is missing or invalid")
	}
	reg := q.Get("region")
	if reg != "" {
		if _, err := web.ParseRegion("region", reg); err != nil {
			return err
		}
	}
	l, err := h.app.Ledger(r.Context(), web.Actor(r), year, reg, q.Get("program"), "")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, l.Ledger)
	return nil
}
