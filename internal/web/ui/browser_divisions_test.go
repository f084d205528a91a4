package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserDivisionMerger records a merger in headless chromium: the
// county opens its divisions' page, picks 晓天镇, the merger and 城关镇,
// dates it and names the document, and lands on the page with the change
// listed; 晓天镇's history says it was retired into 城关镇, and the
// county's townships of a day before the merger still list it.
func TestBrowserDivisionMerger(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.WFUsers()
	base := ts.URL
	signIn(t, ctx, base, "county", "county1234")
	run(t, ctx, "record the merger",
		chromedp.Navigate(base+"/divisions?region=341523&lang=zh"),
		chromedp.WaitVisible(chromedp.ID("dv-save")),
		chromedp.SetValue(chromedp.ID("dv-kind"), "merge"),
		chromedp.SetValue(chromedp.ID("dv-code"), "341523101000"),
		chromedp.SetValue(chromedp.ID("dv-target"), "341523100000"),
		chromedp.SetValue(chromedp.ID("dv-day"), "2024-05-01"),
		chromedp.SendKeys(chromedp.ID("dv-basis"), "皖民区〔2024〕5号"),
		leave,
		chromedp.Click(chromedp.ID("dv-save")),
		arrived(".notice"),
	)
	if s := textOf(t, ctx, "#dv-changes"); !strings.Contains(s, "“晓天镇”并入“城关镇”") || !strings.Contains(s, "2024年5月1日") {
		t.Errorf("the county's changes: %q", s)
	}
	run(t, ctx, "晓天镇's history",
		chromedp.Navigate(base+"/divisions?region=341523101000"),
		chromedp.WaitVisible(chromedp.ID("dv-state")),
	)
	if s := textOf(t, ctx, "#dv-state"); !strings.Contains(s, "已撤销") || !strings.Contains(s, "城关镇") {
		t.Errorf("晓天镇's state: %q", s)
	}
	run(t, ctx, "the townships of 2024-04-30",
		chromedp.Navigate(base+"/divisions?region=341523&on=2024-04-30"),
		chromedp.WaitVisible(chromedp.ID("dv-on-list")),
	)
	if s := textOf(t, ctx, "#dv-on-list"); !strings.Contains(s, "晓天镇") {
		t.Errorf("the townships of 2024-04-30: %q", s)
	}
}
