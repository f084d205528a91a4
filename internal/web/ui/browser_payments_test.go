package ui_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/store"
)

// download clicks the link sel and waits until the browser has saved the
// file in dir; it returns the file's content.
func download(t *testing.T, ctx context.Context, dir, sel string) []byte {
	t.Helper()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	run(t, ctx, "download "+sel,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
				BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
			return err
		}),
		chromedp.Click(chromedp.CSS(sel)),
	)
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download %s: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return b
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("download %s was cancelled", sel)
		}
	}
	t.Fatalf("download %s: no progress", sel)
	return nil
}

// TestBrowserPayments is the finance officer's round in headless chromium:
// finance records a person's account, generates a cycle and makes the
// batches; a second finance officer approves the bank's batch (the maker
// cannot); finance downloads the bank file, uploads the bank's return
// file built from it, checks the preview and confirms it, and reads the
// funds ledger with its chart.
func TestBrowserPayments(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	base := ts.URL
	dir := t.TempDir()

	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "finance", "finance1234")
	run(t, ctx, "record the account on the person page",
		chromedp.Navigate(base+"/persons/341523/501"),
		chromedp.WaitVisible(chromedp.ID("account_no")),
		chromedp.SetValue(chromedp.ID("bank"), "103"),
		chromedp.SendKeys(chromedp.ID("account_no"), "6228480402564890018"),
		chromedp.Click(chromedp.CSS(`form[action$="/account"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if acc := textOf(t, ctx, "#account"); !strings.Contains(acc, "6228***********0018") {
		t.Errorf("account block = %q", acc)
	}

	run(t, ctx, "generate the cycle",
		chromedp.Navigate(base+"/payments"),
		chromedp.WaitVisible(chromedp.ID("period")),
		chromedp.SetValue(chromedp.ID("program"), "jf"),
		script(`document.getElementById("period").value = ""`),
		chromedp.SendKeys(chromedp.ID("period"), "2024"),
		chromedp.Click(chromedp.CSS(`form[action="/payments/cycles"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		shot("payment_cycle"),
	)
	if lines := textOf(t, ctx, "#ln-h + nav.tabs"); !strings.Contains(lines, "待发") {
		t.Errorf("cycle tabs = %q", lines)
	}
	run(t, ctx, "make the batches",
		chromedp.Click(chromedp.CSS(`form[action$="/batches"] button`)),
		chromedp.WaitVisible(chromedp.CSS("select#status")), // the list of batches
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	batch := strings.TrimPrefix(get(t, ctx, chromedp.AttributeValue(chromedp.CSS("table.list tbody a"), "href")).Value, base)
	run(t, ctx, "the maker cannot approve",
		chromedp.Navigate(base+batch),
		chromedp.WaitVisible(chromedp.ID("ap-h")),
	)
	if ap := textOf(t, ctx, "#ap-h + p"); !strings.Contains(ap, "另一名财务人员") {
		t.Errorf("the maker's approval block = %q", ap)
	}

	signIn(t, ctx, base, "finance2", "finance1234")
	run(t, ctx, "a second officer approves",
		chromedp.Navigate(base+batch),
		chromedp.WaitVisible(chromedp.ID("total")),
		chromedp.SendKeys(chromedp.ID("count"), "1"),
		chromedp.SendKeys(chromedp.ID("total"), "960.00"),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitVisible(chromedp.ID("fl-h")),
		shot("payment_batch"),
	)

	signIn(t, ctx, base, "finance", "finance1234")
	run(t, ctx, "the released batch", chromedp.Navigate(base+batch), chromedp.WaitVisible(chromedp.ID("fl-h")))
	file := download(t, ctx, dir, `a[href$="encoding=utf8"]`)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(file), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][2] != "张秀英" || recs[1][5] != "6228480402564890018" || recs[2][0] != "合计" {
		t.Fatalf("bank file = %q (%v)", file, err)
	}
	// The bank answers with the file's columns and its result.
	ret := filepath.Join(dir, "return.csv")
	body := "序号,明细编号,姓名,账号,金额（元）,结果,入账日期\r\n1," + recs[1][1] + ",张秀英," + recs[1][5] + "," + recs[1][6] + ",成功,2024-06-30\r\n"
	if err := os.WriteFile(ret, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "upload the return file",
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{ret}),
		chromedp.Click(chromedp.CSS(`form[action$="/returns"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="confirm"] ~ button`)),
	)
	if p := textOf(t, ctx, "#returns"); !strings.Contains(p, "960.00") {
		t.Errorf("preview = %q", p)
	}
	run(t, ctx, "confirm the return file",
		chromedp.Click(chromedp.CSS(`input[name="confirm"] ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if s := textOf(t, ctx, "#b-h"); !strings.Contains(s, "已对账") {
		t.Errorf("batch state = %q", s)
	}

	run(t, ctx, "the funds ledger",
		chromedp.Navigate(base+"/payments/ledger?year=2024"),
		chromedp.WaitVisible(chromedp.CSS("svg.ledger-chart")),
		shot("ledger"),
	)
	if l := textOf(t, ctx, "#lg-h ~ ul.stats"); !strings.Contains(l, "0.1") {
		t.Errorf("ledger totals = %q", l)
	}
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.ledger-chart rect.lv-central").length`)); n == 0 {
		t.Error("the chart has no bar")
	}
}
