package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestBrowserRulesEditor changes a rule parameter in headless chromium as
// county staff do: the form shows 特扶's minimum age in force, the new
// value is previewed — who loses the benefit, by township and program
// name — and only then saved, on confirmation; the saved version cites its
// document and can be compared with no other before a second one exists.
func TestBrowserRulesEditor(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	if _, err := store.LoadSynthetic(context.Background(), ts.DB, synth.Config{County: "341523", Persons: 800, Seed: 11}, nil); err != nil {
		t.Fatal(err)
	}
	base := ts.URL

	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "county", "county1234")
	run(t, ctx, "open the rules form",
		chromedp.Navigate(base+"/rules"),
		chromedp.WaitVisible(chromedp.ID("preview")),
		shot("rules"),
	)
	if v := get(t, ctx, chromedp.Evaluate[string](`document.getElementById("p.tf_death.min_age").value`)); v != "49" {
		t.Fatalf("the form shows 特扶's minimum age as %q, want 49", v)
	}
	run(t, ctx, "change the minimum age and preview",
		script(`document.querySelectorAll("#rule-form details.program").forEach(function (d) { d.open = true })`),
		script(`document.getElementById("p.tf_death.min_age").value = "70"`),
		chromedp.SendKeys(chromedp.ID("doc_issuer"), "舒城县卫生健康委员会"),
		chromedp.SendKeys(chromedp.ID("doc_number"), "舒卫〔2024〕3号"),
		chromedp.SendKeys(chromedp.ID("doc_title"), "关于调整特别扶助领取年龄的通知"),
		script(`document.getElementById("from").value = "2024-01-01"; document.getElementById("year").value = "2024"`),
		chromedp.Click(chromedp.ID("preview")),
		chromedp.WaitVisible(chromedp.ID("impact")),
		shot("rules_preview"),
	)
	impact := textOf(t, ctx, "#impact")
	for _, want := range []string{"城关镇", "计划生育家庭特别扶助（独生子女死亡）", "合计"} {
		if !strings.Contains(impact, want) {
			t.Errorf("the preview lacks %q: %s", want, impact)
		}
	}
	if strings.Contains(impact, "tf_death") || strings.Contains(impact, "341523") {
		t.Errorf("the preview shows codes: %s", impact)
	}
	run(t, ctx, "confirm",
		chromedp.Click(chromedp.ID("confirm-save")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		shot("rules_saved"),
	)
	main := textOf(t, ctx, "main")
	for _, want := range []string{"舒城县第2版", "舒城县卫生健康委员会《关于调整特别扶助领取年龄的通知》（舒卫〔2024〕3号", "撤回此版本"} {
		if !strings.Contains(main, want) {
			t.Errorf("the rules page after saving lacks %q", want)
		}
	}
	run(t, ctx, "withdraw it: the impact, a reason, then confirm",
		chromedp.Click(chromedp.CSS(`form[action="/rules/withdraw"] button`)),
		chromedp.WaitVisible(chromedp.ID("confirm-withdraw")),
		script(`document.getElementById("year").value = "2024"`),
		// The preview is a new page: wait for it, not the old one.
		leave,
		chromedp.Click(chromedp.CSS(`button[value="preview"]`)),
		arrived("#impact"),
		chromedp.SendKeys(chromedp.ID("reason"), "上级未批准调整"),
		shot("rules_withdraw"),
		chromedp.Click(chromedp.ID("confirm-withdraw")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if main := textOf(t, ctx, "main"); !strings.Contains(main, "已撤回") || !strings.Contains(main, "上级未批准调整") {
		t.Errorf("the withdrawn version is not shown with its reason")
	}
	if impact := textOf(t, ctx, "main"); strings.Contains(impact, "tf_death") {
		t.Errorf("the page shows a program code")
	}
}
