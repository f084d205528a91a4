package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// signInAs signs out whoever is signed in and signs user in.
func signInAs(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	// A navigation the page still has in flight (after a form, or the
	// end of a phone's emulation) aborts the first one: try again.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/?lang=zh")); err != nil {
		run(t, ctx, "the home page", chromedp.Navigate(base+"/?lang=zh"))
	}
	run(t, ctx, "the home page", chromedp.WaitReady(chromedp.CSS("main")))
	if n := get(t, ctx, chromedp.Evaluate[float64](`document.querySelectorAll('form[action="/logout"]').length`)); n > 0 {
		run(t, ctx, "sign out",
			chromedp.Submit(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("username")),
		)
	} else {
		run(t, ctx, "the sign-in page", chromedp.Navigate(base+"/login?lang=zh"), chromedp.WaitVisible(chromedp.ID("username")))
	}
	run(t, ctx, "sign in as "+user,
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
}

// TestBrowserSpecialFamily follows the main journey of the special
// families' care in headless chromium: the county builds the register from
// the registry (a couple whose only child died) and names the family's
// contacts; the village doctor, on a phone-sized screen, records a visit
// and the family-doctor signing; the township records the green channel
// and sees the full coverage rise from none to every family.
func TestBrowserSpecialFamily(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	base := ts.URL
	ts.AddStaff(t, auth.NewUser{Username: "township", Name: "城关镇计生办", Role: auth.RoleTownship, Region: "341523100000", Password: "township1234"})
	ts.AddStaff(t, auth.NewUser{Username: "doctor", Name: "王村医", Role: auth.RoleVillage, Region: "341523100001", Password: "doctor1234"})

	// The registry: a couple of 东苑社区 whose only son died in 2023.
	actx := app.WithRequest(context.Background(), app.Request{Door: "test"})
	reg := func(name, sex, birth string, seq int) registry.Key {
		b := date.MustParse(birth)
		r, err := ts.App.RegisterPerson(actx, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), seq)), Name: name,
			Sex: sex, Birth: b, Region: "341523100001", HukouType: registry.Rural})
		if err != nil {
			t.Fatal(err)
		}
		return registry.Key{County: r.County, ID: r.ID}
	}
	wife, husband, son := reg("赵桂芳", registry.Female, "1965-04-01", 62), reg("钱国强", registry.Male, "1963-08-01", 63), reg("钱小军", registry.Male, "1990-02-01", 65)
	if _, err := ts.App.AddMarriage(actx, auth.System, husband, app.Relative{ID: wife.ID, Field: "spouse"}, registry.Marriage{From: date.MustParse("1988-10-01")}, ""); err != nil {
		t.Fatal(err)
	}
	for _, p := range []registry.Key{wife, husband} {
		if _, err := ts.App.AddChild(actx, auth.System, p, app.Relative{ID: son.ID, Field: "child"}, registry.ParentChild{Kind: registry.Birth}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.App.RecordDeath(actx, auth.System, son, date.MustParse("2023-11-02"), "police"); err != nil {
		t.Fatal(err)
	}

	// The county builds the register and names the contacts.
	signInAs(t, ctx, base, "county", "county1234")
	run(t, ctx, "sweep",
		chromedp.Navigate(base+"/special"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/special/sweep"]`)),
		chromedp.Submit(chromedp.CSS(`form[action="/special/sweep"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if n := textOf(t, ctx, ".notice"); !strings.Contains(n, "新增 1 户") {
		t.Fatalf("the sweep says %q", n)
	}
	run(t, ctx, "open the file",
		chromedp.Click(chromedp.CSS(`table.list a[href^="/special/341523/"]`)),
		chromedp.WaitVisible(chromedp.ID("c-kind")),
	)
	file := get(t, ctx, chromedp.Location())
	file, _, _ = strings.Cut(file, "?")
	if body := textOf(t, ctx, "main"); !strings.Contains(body, "子女均已死亡") || strings.Contains(body, "child_died") {
		t.Errorf("the file does not give the reason in Chinese:\n%.600s", body)
	}
	for _, c := range []struct{ kind, user string }{{"township_cadre", "township"}, {"village_doctor", "doctor"}} {
		run(t, ctx, "contact "+c.kind,
			chromedp.Navigate(file),
			chromedp.WaitVisible(chromedp.ID("c-kind")),
			chromedp.SetValue(chromedp.ID("c-kind"), c.kind),
			chromedp.SendKeys(chromedp.ID("c-user"), c.user),
			chromedp.Submit(chromedp.ID("c-user")),
			chromedp.WaitVisible(chromedp.CSS(".notice")),
		)
	}

	// The township sees the family not yet covered.
	signInAs(t, ctx, base, "township", "township1234")
	run(t, ctx, "coverage before", chromedp.Navigate(base+"/special/coverage"), chromedp.WaitVisible(chromedp.ID("gap-h")))
	if gaps := textOf(t, ctx, "#gap-h"); !strings.Contains(gaps, "（1）") {
		t.Errorf("gaps before: %q", gaps)
	}

	// The village doctor, on a phone, records a visit and the signing.
	signInAs(t, ctx, base, "doctor", "doctor1234")
	run(t, ctx, "the doctor's families", chromedp.Navigate(base+"/special"), chromedp.WaitReady(chromedp.CSS(`a[href$="/visit"]`)))
	visit := get(t, ctx, chromedp.AttributeValue(chromedp.CSS(`a[href$="/visit"]`), "href"))
	run(t, ctx, "visit on a phone",
		chromedp.EmulateViewport(375, 740),
		chromedp.Navigate(base+visit.Value),
		chromedp.WaitVisible(chromedp.ID("v-found")),
		chromedp.SendKeys(chromedp.ID("v-found"), "老两口身体尚可，情绪平稳"),
		chromedp.SendKeys(chromedp.ID("v-help"), "测量血压"),
		shot("special-visit-phone"),
		chromedp.Submit(chromedp.ID("v-found")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	width := get(t, ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if width > 380 {
		t.Errorf("the file is %v px wide on a 375 px screen", width)
	}
	run(t, ctx, "family doctor",
		chromedp.SetValue(chromedp.ID("s-kind"), "doctor"),
		chromedp.SendKeys(chromedp.ID("s-by"), "王村医"),
		leave,
		chromedp.Submit(chromedp.ID("s-by")),
		arrived(".notice"),
		chromedp.EmulateReset(),
	)

	// The township records the green channel and sees the coverage rise.
	signInAs(t, ctx, base, "township", "township1234")
	run(t, ctx, "green channel",
		chromedp.Navigate(file),
		chromedp.WaitVisible(chromedp.ID("s-kind")),
		chromedp.SetValue(chromedp.ID("s-kind"), "green"),
		chromedp.SendKeys(chromedp.ID("s-by"), "舒城县人民医院"),
		leave,
		chromedp.Submit(chromedp.ID("s-by")),
		arrived(".notice"),
		chromedp.Navigate(base+"/special/coverage"),
		chromedp.WaitVisible(chromedp.ID("gap-h")),
		shot("special-coverage"),
	)
	body := textOf(t, ctx, "main")
	if !strings.Contains(body, "1（100%）") {
		t.Errorf("the coverage did not rise to every family:\n%.1200s", body)
	}
	if gaps := textOf(t, ctx, "#gap-h"); !strings.Contains(gaps, "（1）") { // the insurance is still missing
		t.Errorf("gaps after: %q", gaps)
	}
}
