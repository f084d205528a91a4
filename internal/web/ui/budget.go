package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/web"
)

// budgetPage shows a county's budget for a year (by program and level,
// against the funds received), the form that records funds (finance),
// and the payment calendar with the on-card deadline by township.
func (h *Handler) budgetPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "budget_title")
	year := date.Today(h.now()).Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= year+1 {
		year = y
	}
	v.Form.Set("year", strconv.Itoa(year))
	v.Form.Set("received", date.Today(h.now()).String())
	if err := h.budgetData(r, v, year); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "budget.html", v)
}

func (h *Handler) budgetData(r *http.Request, v *view, year int) error {
	a := web.Actor(r)
	county, err := web.County(r, h.app.Tree())
	if err != nil {
		return err
	}
	b, err := h.app.Budget(r.Context(), a, county, year)
	if err != nil {
		return err
	}
	c, err := h.app.PaymentCalendar(r.Context(), a, county, year)
	if err != nil {
		return err
	}
	list, err := h.app.ProgramList(r.Context(), a)
	if err != nil {
		return err
	}
	type missing struct {
		payment.Line
		Reason string
	}
	reasons := map[int64]string{}
	for _, t := range c.Townships {
		for _, l := range t.Missing {
			reasons[l.ID] = payment.MissReason(l)
		}
	}
	v.Data = map[string]any{"B": b, "C": c, "Names": programNames(list, v.Lang), "Programs": list.Codes(), "Reasons": reasons,
		"Levels": policy.FundingLevels.Codes(), "CanRecord": auth.Can(a, auth.PermPaymentManage), "County": county, "Year": year}
	return nil
}

// fundSubmit records money received.
func (h *Handler) fundSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "budget_title")
	for _, f := range []string{"county", "year", "program", "level", "amount", "received", "document", "note"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	f := payment.Fund{County: v.F("county"), Program: v.F("program"), Level: v.F("level"), Document: v.F("document"), Note: v.F("note")}
	f.Year, _ = strconv.Atoi(v.F("year"))
	var errs apperr.List
	if v.F("amount") != "" {
		amt, err := money.ParseYuan(v.F("amount"))
		if err != nil {
			errs = append(errs, invalid("amount", "金额格式应为 1234.56（元）", "the amount must be like 1234.56 (yuan)"))
		}
		f.Amount = amt
	}
	if s := v.F("received"); s != "" {
		d, err := date.Parse(s)
		if err != nil {
			errs = append(errs, invalid("received", "日期格式应为 2024-05-10", "the day must be like 2024-05-10"))
		}
		f.Received = d
	}
	err := errs.Err()
	if err == nil {
		_, err = h.app.RecordFund(r.Context(), web.Actor(r), f)
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.budgetData(r, v, f.Year); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "budget.html", v)
	}
	redirectDone(w, r, "/payments/budget?year="+strconv.Itoa(f.Year)+"&county="+f.County, "fund_recorded")
	return nil
}

// policySheetPDF prints the 政策明白纸 of a county and year.
func (h *Handler) policySheetPDF(w http.ResponseWriter, r *http.Request) error {
	county, year, err := web.PolicySheetRequest(h.app, r)
	if err != nil {
		return err
	}
	return web.ServePolicySheet(h.app, w, r, county, year)
}
