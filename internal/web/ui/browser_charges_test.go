package ui_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserCharges is the township's assignment of cadres in headless
// chromium: the township officer lists 仁和村's recipients with nobody in
// charge at the village level, ticks both, puts them in the charge of the
// village's specialist, and the list of those with nobody is then empty;
// the specialist signs in and finds both on her own list (我负责的对象),
// with her name as their village cadre.
func TestBrowserCharges(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	ts.AddStaff(t, auth.NewUser{Username: "renhe", Name: "仁和村专干", Role: auth.RoleVillage, Region: "341523100201", Password: "renhe1234"})
	ts.AddStaff(t, auth.NewUser{Username: "xiang", Name: "乡镇干部", Role: auth.RoleTownship, Region: "341523100000", Password: "xiang1234"})
	base := ts.URL
	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "xiang", "xiang1234")
	run(t, ctx, "the recipients with nobody at the village level",
		chromedp.Navigate(base+"/charges?region=341523100201&kind=recipient&level=village&nobody=1"),
		chromedp.WaitVisible(chromedp.CSS("table.charges")),
	)
	if n := get(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('table.charges input[name="id"]').length`)); n != 2 {
		t.Fatalf("%v recipients with nobody, want 2", n)
	}
	if s := textOf(t, ctx, "#tw-h + .table-wrap tbody"); !strings.Contains(s, "2") {
		t.Errorf("the township's count: %q", s)
	}
	run(t, ctx, "put both in the specialist's charge",
		script(`document.querySelectorAll('table.charges input[name="id"]').forEach(function (c) { c.checked = true })`),
		script(`var s = document.getElementById("user_id"); for (var i = 0; i < s.options.length; i++) { if (s.options[i].text.indexOf("仁和村专干") === 0) { s.selectedIndex = i } }`),
		leave,
		chromedp.Click(chromedp.CSS(`button[name="op"][value="assign"]`)),
		arrived(".notice"),
		shot("charges"),
	)
	if n := get(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('table.charges input[name="id"]').length`)); n != 0 {
		t.Errorf("%v recipients still with nobody", n)
	}
	run(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("username")))
	signIn(t, ctx, base, "renhe", "renhe1234")
	run(t, ctx, "the specialist's own list", chromedp.Navigate(base+"/charges/mine"), chromedp.WaitVisible(chromedp.CSS("table.charges")))
	list := textOf(t, ctx, "table.charges tbody")
	for _, want := range []string{"张秀英", "李桂兰", "仁和村专干"} {
		if !strings.Contains(list, want) {
			t.Errorf("the specialist's list lacks %s: %q", want, list)
		}
	}
}
