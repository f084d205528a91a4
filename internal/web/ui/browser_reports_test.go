package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserReportApproval drives the monthly report's approval in
// headless chromium: the township submits its April, the county returns it
// with a reason, the township reads the reason and submits again, the
// county approves and the month is locked; the report page draws its
// charts with the numbers in tables beside them.
func TestBrowserReportApproval(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.WFUsers()
	b := date.MustParse("2024-04-03")
	if _, err := ts.App.RegisterPerson(context.Background(), auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), 801)),
		Name: "四月男婴", Sex: registry.Male, Birth: b, Region: "341523100201", HukouType: registry.Rural}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL
	page := base + "/reports?region=341523100000&month=2024-04"
	signIn := func(user, pass string) {
		t.Helper()
		run(t, ctx, "sign in "+user,
			chromedp.Navigate(base+"/login?lang=zh"),
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), pass),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.CSS("header .who")),
		)
	}
	signOut := func() {
		t.Helper()
		run(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("username")))
	}
	status := func() string { return textOf(t, ctx, ".st-status") }

	signIn("xzs", "xz123456")
	run(t, ctx, "the township's report",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID("st-submit")),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
		shot("report"),
	)
	if s := textOf(t, ctx, "#st-parity"); !strings.Contains(s, "一孩") || !strings.Contains(s, "1") {
		t.Errorf("the parity table beside the charts: %q", s)
	}
	if s := textOf(t, ctx, "#st-trend"); !strings.Contains(s, "2024-04") {
		t.Errorf("the trend's numbers: %q", s)
	}
	run(t, ctx, "submit", chromedp.Click(chromedp.ID("st-submit")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if s := status(); !strings.Contains(s, "已上报待审核") {
		t.Errorf("after the submission: %q", s)
	}
	signOut()

	signIn("county", "county1234")
	run(t, ctx, "return with a reason",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID("st-return")),
		chromedp.SendKeys(chromedp.ID("st-reason"), "出生数与医院报告不符"),
		chromedp.Click(chromedp.ID("st-return")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	signOut()

	signIn("xzs", "xz123456")
	run(t, ctx, "the township reads the reason", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.ID("st-submit")))
	if s := status(); !strings.Contains(s, "被退回") || !strings.Contains(s, "出生数与医院报告不符") {
		t.Errorf("the returned report: %q", s)
	}
	run(t, ctx, "submit again", chromedp.Click(chromedp.ID("st-submit")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	signOut()

	signIn("county", "county1234")
	run(t, ctx, "approve",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.ID("st-approve")),
		chromedp.Click(chromedp.ID("st-approve")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		shot("report-locked"),
	)
	if s := status(); !strings.Contains(s, "已审核锁定") {
		t.Errorf("after the approval: %q", s)
	}
	run(t, ctx, "the county's charts",
		chromedp.Navigate(base+"/reports?region=341523&month=2024-04"),
		chromedp.WaitVisible(chromedp.CSS("svg.chart")),
		chromedp.WaitVisible(chromedp.ID("st-units")),
	)
	if s := textOf(t, ctx, "#st-units"); !strings.Contains(s, "城关镇") {
		t.Errorf("the table by unit: %q", s)
	}
}
