package ui_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestUIBudget: the finance officer reads the year's budget by level and
// the payment calendar with the 8月底 deadline, records funds received
// (a bad amount is shown next to its field), and the budget shows them;
// the county approver reads the page without the form and cannot post.
func TestUIBudget(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	f := ts.Browser().Login("finance", "finance1234")
	c := ts.Browser().Login("county", "county1234")

	f.Get("/payments/budget?year=2024").Want(200, "2024 年度资金预算", "中央", "省级", "享受人数", "发放日历", "2024-08-31", `action="/payments/budget/funds"`)
	c.Get("/payments/budget?year=2024").Want(200, "2024 年度资金预算")
	if strings.Contains(c.Body, `action="/payments/budget/funds"`) {
		t.Error("the county approver sees the funds form")
	}
	form := url.Values{"county": {"341523"}, "year": {"2024"}, "program": {"jf"}, "level": {"central"}, "amount": {"12.345"},
		"received": {"2024-03-01"}, "document": {"财社〔2024〕12号"}}
	f.Post("/payments/budget/funds", form).Want(422, `id="amount-error"`)
	form.Set("amount", "1200.00")
	f.Post("/payments/budget/funds", form)
	f.WantRedirect("/payments/budget?year=2024&county=341523&done=fund_recorded")
	f.Get("/payments/budget?year=2024").Want(200, "财社〔2024〕12号", "1,200.00")
	c.Post("/payments/budget/funds", form).Want(403)
}
