package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserChecks is the county officer's re-check in headless
// chromium: she draws a sample of the year's new recipients with a seed,
// the sample's page shows the seed, and she records for the first
// recipient a discrepancy that reopens the case; the recipient's payments
// are then suspended.
func TestBrowserChecks(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	if err := ts.DB.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE recipients SET confirmed = '2024-03-01', start_year = 2024 WHERE county = '341523'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL
	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "county", "county1234")
	run(t, ctx, "draw the re-check sample",
		chromedp.Navigate(base+"/checks"),
		chromedp.WaitVisible(chromedp.ID("size")),
		chromedp.SendKeys(chromedp.ID("size"), "2"),
		chromedp.SendKeys(chromedp.ID("seed"), "12345"),
		chromedp.Click(chromedp.CSS(`form[action="/checks"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitVisible(chromedp.ID("seed-value")),
	)
	if seed := textOf(t, ctx, "#seed-value"); seed != "12345" {
		t.Errorf("the sample's seed = %q", seed)
	}
	if n := get(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll("section.check-item").length`)); n != 2 {
		t.Fatalf("%v recipients drawn, want 2", n)
	}
	name := textOf(t, ctx, "#item-1-h a")
	run(t, ctx, "record a discrepancy that reopens the case",
		script(`document.querySelector("#item-1 details").open = true`),
		chromedp.WaitVisible(chromedp.ID("finding-1")),
		chromedp.SetValue(chromedp.ID("finding-1"), "discrepancy"),
		chromedp.SendKeys(chromedp.ID("note-1"), "入户发现子女情况与申报不符"),
		chromedp.Click(chromedp.CSS(`#item-1 input[name="reopen"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/items/1/finding"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitVisible(chromedp.CSS("#item-1 .finding .tag")),
		shot("check_sample"),
	)
	if f := textOf(t, ctx, "#item-1 .finding"); !strings.Contains(f, "情况不符") || !strings.Contains(f, "已重新核查") || !strings.Contains(f, "子女情况与申报不符") {
		t.Errorf("the finding shown = %q", f)
	}
	var status string
	if err := ts.DB.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT r.status FROM recipients r JOIN persons p ON p.county = r.county AND p.id = r.person_id
			WHERE r.county = '341523' AND p.name = ?`, name).Scan(&status)
	}); err != nil || status != "suspended" {
		t.Errorf("the recipient %s is %q after the case was reopened (%v)", name, status, err)
	}
}
