package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserTransfer is a move between counties in headless chromium:
// the county officer of 舒城县 starts the transfer of a recipient from
// her residence page; the officer of 霍邱县 finds it among the transfers
// coming in, names the village and signs for it; the hand-over shows the
// month each county pays to and from, and the person now lives in 霍邱县.
func TestBrowserTransfer(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	ts.AddStaff(t, auth.NewUser{Username: "county2", Name: "霍邱县审批", Role: auth.RoleCounty, Region: "341522", Password: "county21234"})
	base := ts.URL
	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "county", "county1234")
	run(t, ctx, "start the transfer",
		chromedp.Navigate(base+"/persons/341523/501/residence"),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/transfers/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/transfers/new"]`)),
		chromedp.WaitVisible(chromedp.ID("to_county")),
		chromedp.SendKeys(chromedp.ID("to_county"), "341522"),
		chromedp.Blur(chromedp.ID("to_county")),
		named("to_county"),
		chromedp.SetValue(chromedp.ID("source"), "hand"),
		chromedp.SendKeys(chromedp.ID("note"), "随子女迁居霍邱县"),
		leave,
		chromedp.Click(chromedp.CSS(`form[action="/transfers"] button[type="submit"]`)),
		arrived(".notice"),
		chromedp.WaitVisible(chromedp.ID("transfer-state")),
	)
	if s := textOf(t, ctx, "#transfer-state"); s != "待迁入地接收" {
		t.Errorf("the transfer's state = %q", s)
	}
	signInAs(t, ctx, base, "county2", "county21234")
	run(t, ctx, "find it coming in",
		chromedp.Navigate(base+"/transfers"),
		chromedp.WaitVisible(chromedp.CSS("table.transfers a")),
	)
	if row := textOf(t, ctx, "table.transfers tbody tr"); !strings.Contains(row, "张秀英") || !strings.Contains(row, "待迁入地接收") {
		t.Errorf("the incoming row = %q", row)
	}
	run(t, ctx, "accept it",
		chromedp.Click(chromedp.CSS("table.transfers a")),
		chromedp.WaitVisible(chromedp.ID("to_region")),
		chromedp.SendKeys(chromedp.ID("to_region"), "341522100002"),
		chromedp.Blur(chromedp.ID("to_region")),
		named("to_region"),
		leave,
		chromedp.Click(chromedp.CSS(`form[action$="/accept"] button[type="submit"]`)),
		arrived(".notice"),
		chromedp.WaitVisible(chromedp.CSS("table.handover")),
		shot("transfer_accepted"),
	)
	if s := textOf(t, ctx, "#transfer-state"); s != "已接收" {
		t.Errorf("the transfer's state after acceptance = %q", s)
	}
	if h := textOf(t, ctx, "table.handover tbody"); !strings.Contains(h, "发放至") || !strings.Contains(h, "起发放") {
		t.Errorf("the hand-over = %q", h)
	}
	var n int
	if err := ts.DB.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM persons WHERE county = '341522' AND name = '张秀英' AND region = '341522100002'`).Scan(&n)
	}); err != nil || n != 1 {
		t.Errorf("%d persons moved to the new village (%v)", n, err)
	}
}

// named waits until the division field id shows the name of the code
// typed into it (the page looks it up when the field is left), as a user
// sees it before going on.
func named(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](`document.getElementById("`+id+`-name").textContent !== ""`)(ctx, tg)
		return err
	})
}
