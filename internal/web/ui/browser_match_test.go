package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserMatchWorklist is the village's round of the cross-checks in
// headless chromium: a police death extract was imported by the county;
// the village opens 比对核查 from the navigation, finds the task on its
// worklist, reads the department's record beside the registry's, and
// confirms it with what it verified; the task waits for the township and
// the person's record has the death.
func TestBrowserMatchWorklist(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	bg := context.Background()
	idn := testID(t, "341523", "1948-06-16", 82)
	var rec *registry.Record
	if err := ts.DB.Update(bg, func(tx *store.Tx) (err error) {
		rec, err = registry.Register(bg, tx, auth.System, registry.NewPerson{Name: "冯玉兰", Sex: "F", Birth: date.MustParse("1948-06-16"),
			IDNumber: idn, Region: "341523100001", HukouType: registry.Rural})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	file := "身份证号,姓名,性别,出生日期,死亡日期,户籍地址\n" + idn + ",馮玉蘭,女,1948/6/16,2024年4月1日,舒城县城关镇东苑社区\n"
	if _, err := ts.App.ImportExtract(bg, auth.System, app.MatchImport{County: "341523", Kind: "police-deaths", File: strings.NewReader(file)}); err != nil {
		t.Fatal(err)
	}
	base := ts.URL
	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "village", "village1234")
	run(t, ctx, "the worklist from the navigation",
		chromedp.Click(chromedp.CSS(`nav a[href="/match"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/match/tasks"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/match/tasks"]`)),
		chromedp.WaitVisible(chromedp.ID("match-tasks")),
	)
	if list := textOf(t, ctx, "#match-tasks"); !strings.Contains(list, "已死亡但仍在库") || !strings.Contains(list, "冯玉兰") {
		t.Fatalf("worklist = %q", list)
	}
	run(t, ctx, "open the task",
		chromedp.Click(chromedp.CSS(`#match-tasks a[href^="/match/tasks/341523/"]`)),
		chromedp.WaitVisible(chromedp.ID("match-side")),
	)
	side := textOf(t, ctx, "#match-side")
	for _, want := range []string{"部门记录", "馮玉蘭", "2024年4月1日", "人口库记录", "冯玉兰", "1948-06-16"} {
		if !strings.Contains(side, want) {
			t.Errorf("side by side lacks %q: %q", want, side)
		}
	}
	run(t, ctx, "confirm",
		chromedp.SendKeys(chromedp.ID("confirm-note"), "入户核实，死亡属实"),
		chromedp.Click(chromedp.ID("match-confirm")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if page := textOf(t, ctx, "main"); !strings.Contains(page, "乡镇级") || !strings.Contains(page, "村级已核实并登记") {
		t.Errorf("after the confirmation: %q", page)
	}
	run(t, ctx, "the person's record",
		chromedp.Navigate(base+"/persons/341523/"+itoa(rec.ID)),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	)
	if page := textOf(t, ctx, "main"); !strings.Contains(page, "2024-04-01") {
		t.Errorf("person page lacks the death: %.500q", page)
	}
}
