package ui_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// bornFamily is the family of the births' journeys: a couple of 东苑社区
// married in 2019 with a son born 2024-03-10, the mother with a citizen
// account ("mama"), and a township officer of 城关镇 ("township").
type bornFamily struct {
	wife, husband, son registry.Key
}

func seedBornFamily(t *testing.T, ts *testServer) bornFamily {
	t.Helper()
	ctx := app.WithRequest(context.Background(), app.Request{Door: "test"})
	reg := func(name, sex, born string, n int) registry.Key {
		b := date.MustParse(born)
		r, err := ts.App.RegisterPerson(ctx, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), n)),
			Name: name, Sex: sex, Birth: b, Region: "341523100001", HukouType: registry.Rural})
		if err != nil {
			t.Fatalf("register %s: %v", name, err)
		}
		return registry.Key{County: r.County, ID: r.ID}
	}
	f := bornFamily{wife: reg("李秀梅", registry.Female, "1995-04-01", 62), husband: reg("王志强", registry.Male, "1993-02-01", 71),
		son: reg("王小宝", registry.Male, "2024-03-10", 81)}
	if _, err := ts.App.AddMarriage(ctx, auth.System, f.husband, app.Relative{ID: f.wife.ID, Field: "spouse"},
		registry.Marriage{From: date.MustParse("2019-10-01")}, ""); err != nil {
		t.Fatal(err)
	}
	yes := true
	for _, p := range []registry.Key{f.wife, f.husband} {
		if _, err := ts.App.AddChild(ctx, auth.System, p, app.Relative{ID: f.son.ID, Field: "child"},
			registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
			t.Fatal(err)
		}
	}
	ts.AddStaff(t, auth.NewUser{Username: "mama", Name: "李秀梅", Role: auth.RoleCitizen, Region: "341523100001",
		Person: "341523/" + strconv.FormatInt(f.wife.ID, 10), Password: "mama1234"})
	ts.AddStaff(t, auth.NewUser{Username: "township", Name: "乡镇计生办", Role: auth.RoleTownship, Region: "341523100000", Password: "township1234"})
	return f
}

// setDay moves the test server's clock to 09:00 UTC of day.
func setDay(ts *testServer, day string) {
	d := date.MustParse(day)
	want := time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, time.UTC)
	ts.Clock.Add(want.Sub(ts.Clock.Now()))
}

// citizenSignIn signs in on the sign-in page and waits for the portal's
// menu.
func citizenSignIn(t *testing.T, ctx context.Context, base, user, pass string) {
	t.Helper()
	run(t, ctx, "sign in as "+user,
		chromedp.Navigate(base+"/login?lang=zh"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), pass),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("ul.menu")),
	)
}

// fitsPhone fails the test when the page is wider than the phone's screen.
func fitsPhone(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	w := get(t, ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	vw := get(t, ctx, chromedp.Evaluate[float64](`window.innerWidth`))
	if w > vw+1 {
		t.Errorf("%s is %.0f px wide on a %.0f px phone screen", page, w, vw)
	}
}

// TestBrowserBirthOnPhone: on a phone-sized screen a mother signs in,
// registers her second birth online, sees the parity explained and
// downloads the slip; the link its QR code holds opens the public
// verification page, signed out, with the number, the parity and the
// parents' names masked. She then applies for the childcare subsidy of
// her son; the township passes the claim on and the county confirms it;
// the next cycle pays the year, and the mother sees the payment.
func TestBrowserBirthOnPhone(t *testing.T) {
	ctx := sizedSession(t, 390, 844)
	ts := newTestServer(t, store.SQLite)
	setDay(ts, "2025-10-10")
	f := seedBornFamily(t, ts)
	base := ts.URL
	dir := t.TempDir()

	citizenSignIn(t, ctx, base, "mama", "mama1234")
	fitsPhone(t, ctx, "/self")
	run(t, ctx, "register the birth",
		chromedp.Click(chromedp.CSS(`ul.menu a[href="/self/birth"]`)),
		chromedp.WaitVisible(chromedp.ID("expected")),
		chromedp.SetValue(chromedp.ID("expected"), "2026-03-20"),
		chromedp.SendKeys(chromedp.ID("phone"), "13905641234"),
		shot("self_birth"),
		chromedp.Submit(chromedp.ID("expected")),
		chromedp.WaitVisible(chromedp.ID("slip-serial")),
		chromedp.WaitVisible(chromedp.ID("parity-h")),
	)
	fitsPhone(t, ctx, "the registration")
	serial := textOf(t, ctx, "#slip-serial")
	if !strings.HasPrefix(serial, "341523-2025-") {
		t.Errorf("slip number %q", serial)
	}
	if p := textOf(t, ctx, "#parity-h"); !strings.Contains(p, "第2孩") {
		t.Errorf("parity heading %q, want the second child", p)
	}
	if cl := textOf(t, ctx, "ol.clauses"); !strings.Contains(cl, "王小宝") {
		t.Errorf("the clauses do not name the elder child: %q", cl)
	}
	pdf := download(t, ctx, dir, "#slip-download")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the slip is not a PDF: %.20q", pdf)
	}

	// The QR code holds the site's address and the slip's verify path.
	regs, _, err := ts.App.BirthRegistrations(context.Background(), auth.System, "341523", birth.Query{Person: f.wife.ID})
	if err != nil || len(regs) != 1 {
		t.Fatalf("registrations %v %v", regs, err)
	}
	slip, err := ts.App.BirthSlip(context.Background(), auth.System, birth.Key{County: "341523", ID: regs[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(`button.link`)),
		chromedp.WaitVisible(chromedp.ID("username")),
	)
	run(t, ctx, "verify by the QR link",
		chromedp.Navigate(base+slip.VerifyPath),
		chromedp.WaitVisible(chromedp.ID("verify-serial")),
		shot("verify"),
	)
	fitsPhone(t, ctx, "the verification")
	page := textOf(t, ctx, "main")
	for _, want := range []string{serial, "第2孩", "李**", "王**"} {
		if !strings.Contains(page, want) {
			t.Errorf("the verification page lacks %q: %q", want, page)
		}
	}
	if strings.Contains(page, "李秀梅") || strings.Contains(page, "王志强") {
		t.Errorf("the verification page shows a full name: %q", page)
	}
	run(t, ctx, "a wrong code",
		chromedp.Navigate(base+"/verify/birth?serial="+serial+"&code=AAAAAAAA"),
		chromedp.WaitVisible(chromedp.CSS(".problems")),
	)

	// The childcare subsidy of the son, born 2024-03-10: 2025 in full.
	citizenSignIn(t, ctx, base, "mama", "mama1234")
	run(t, ctx, "apply for the subsidy",
		chromedp.Click(chromedp.CSS(`ul.menu a[href="/self/subsidy"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/self/subsidy"]`)),
		shot("self_subsidy"),
	)
	if d := textOf(t, ctx, ".decision"); !strings.Contains(d, "3,600.00") {
		t.Errorf("the subsidy decision = %q, want 3,600.00 yuan for 2025", d)
	}
	run(t, ctx, "send the claim",
		chromedp.Click(chromedp.CSS(`form[action="/self/subsidy"] button`)),
		chromedp.WaitVisible(chromedp.CSS("ol.track-steps")),
		shot("self_track"),
	)
	fitsPhone(t, ctx, "the tracking page")
	claims, _, err := ts.App.SubsidyClaims(context.Background(), auth.System, "341523", birth.ClaimQuery{})
	if err != nil || len(claims) != 1 {
		t.Fatalf("claims %v %v", claims, err)
	}
	claimPath := "/subsidy/341523/" + strconv.FormatInt(claims[0].ID, 10)

	signIn(t, ctx, base, "township", "township1234")
	run(t, ctx, "the township passes it on",
		chromedp.Navigate(base+claimPath),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/check"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/check"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	signIn(t, ctx, base, "county", "county1234")
	run(t, ctx, "the county confirms it",
		chromedp.Navigate(base+claimPath),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/confirm"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if s := textOf(t, ctx, "#claim-status"); !strings.Contains(s, "已确认") {
		t.Errorf("claim status after the confirmation = %q", s)
	}

	// The next cycle pays the year into the account on the child's name:
	// the batch is made, approved by another officer, and the bank's
	// return says paid.
	pctx := app.WithRequest(context.Background(), app.Request{Door: "test"})
	if _, err := ts.App.SetAccount(pctx, auth.System, f.son, payment.AccountInput{Bank: "103", Number: "6228480402564890018", Holder: "王小宝"}); err != nil {
		t.Fatal(err)
	}
	cyc, lines, err := ts.App.GenerateCycle(pctx, auth.System,
		payment.CycleRequest{County: "341523", Program: policy.ProgramChildcareSubsidy, Period: "2025"})
	if err != nil || len(lines) != 1 || lines[0].Amount != 360000 || lines[0].PersonID != f.son.ID {
		t.Fatalf("cycle lines %+v %v", lines, err)
	}
	run0, err := ts.App.GenerateBatches(pctx, auth.System, "341523", cyc.ID)
	if err != nil || len(run0.Batches) != 1 {
		t.Fatalf("batches %+v %v", run0, err)
	}
	b := run0.Batches[0]
	finance := auth.Actor{UserID: ts.UID("finance"), Username: "finance", Role: auth.RoleFinance, Scope: "341523"}
	if _, err := ts.App.ApproveBatch(pctx, finance, "341523", b.ID, payment.Approval{Count: 1, Total: 360000}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.App.Reconcile(pctx, auth.System, "341523", b.ID, []payment.ReturnRow{{Row: 1, LineID: lines[0].ID,
		Account: "6228480402564890018", Amount: 360000, Result: "paid", PaidOn: date.MustParse("2025-10-12")}}); err != nil {
		t.Fatal(err)
	}
	citizenSignIn(t, ctx, base, "mama", "mama1234")
	run(t, ctx, "the mother sees the payment",
		chromedp.Click(chromedp.CSS(`ul.menu a[href="/self/payments"]`)),
		chromedp.WaitVisible(chromedp.CSS("li.payment-line")),
		shot("self_payments"),
	)
	fitsPhone(t, ctx, "the payments")
	if p := textOf(t, ctx, "li.payment-line"); !strings.Contains(p, "3,600.00") || !strings.Contains(p, "王小宝") ||
		!strings.Contains(p, "已发放") || !strings.Contains(p, "2025-10-12") {
		t.Errorf("payment line = %q", p)
	}
	letter := download(t, ctx, dir, "li.payment-line a")
	if !bytes.HasPrefix(letter, []byte("%PDF-")) {
		t.Errorf("the letter is not a PDF: %.20q", letter)
	}
}

// TestBrowserChildcare: on the demo county's page the county officer sees
// the places per 1,000 by township (table and chart, the townships below
// the target first), records an inspection asking for a rectification,
// and then its check, which closes it.
func TestBrowserChildcare(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	setDay(ts, "2025-06-10")
	base := ts.URL
	c := app.WithRequest(context.Background(), app.Request{Door: "test"})
	for i, v := range []string{"341523100001", "341523100201", "341523101001"} {
		b := date.MustParse("1980-01-01")
		for n := range 3 {
			if _, err := ts.App.RegisterPerson(c, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), 100+2*(10*i+n))),
				Name: "居民" + strconv.Itoa(10*i+n), Sex: registry.Female, Birth: b, Region: v, HukouType: registry.Rural}); err != nil {
				t.Fatal(err)
			}
		}
	}
	first := "52341523MJ0000001"
	x, err := ts.App.FileChildcare(c, auth.System, "341523", childcare.NewInstitution{Name: "城关托育园", CreditCode: first + string(childcare.CreditCheck(first)),
		Operator: "舒城县城关教育咨询有限公司", RegType: childcare.RegSocial, Type: childcare.TypeFullDay, Inclusive: true, Places: 20,
		Region: "341523100001", Area: 240, FireSafety: true, FireDoc: "舒消验字〔2024〕12号", FireDate: date.MustParse("2024-06-01"),
		Staff: []childcare.Staff{{Name: "周园长", Role: childcare.RoleDirector}}, Filed: date.MustParse("2024-09-01")})
	if err != nil {
		t.Fatal(err)
	}

	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "county", "county1234")
	run(t, ctx, "the childcare page",
		chromedp.Navigate(base+"/childcare"),
		chromedp.WaitVisible(chromedp.ID("places-table")),
		chromedp.WaitVisible(chromedp.CSS("svg.places-chart")),
		shot("childcare"),
	)
	rows := get(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#places-table tbody th")).map(function (e) { return e.textContent })`))
	if len(rows) < 2 || !strings.Contains(rows[0], "低于目标") || strings.Contains(rows[len(rows)-1], "低于目标") || !strings.Contains(rows[len(rows)-1], "城关镇") {
		t.Errorf("townships = %q; want those below the target first and 城关镇 (above it) last", rows)
	}
	if tot := textOf(t, ctx, "#places-total"); tot == "" {
		t.Error("no county figure")
	}
	path := "/childcare/341523/" + strconv.FormatInt(x.ID, 10)
	run(t, ctx, "record an inspection with a rectification",
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.ID("findings")),
		chromedp.SetValue(chromedp.ID("kind"), childcare.InspectJoint),
		chromedp.SendKeys(chromedp.ID("inspectors"), "张检查、李检查"),
		chromedp.SetValue(chromedp.ID("grade"), "C"),
		chromedp.SendKeys(chromedp.ID("findings"), "午睡室消防通道堆放杂物"),
		chromedp.Click(chromedp.ID("rectify")),
		chromedp.SendKeys(chromedp.ID("requirement"), "清理消防通道"),
		chromedp.SetValue(chromedp.ID("deadline"), "2025-06-30"),
		chromedp.Click(chromedp.CSS(`form[action$="/inspect"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/check"]`)),
	)
	if s := textOf(t, ctx, ".inspection-status"); !strings.Contains(s, "整改") {
		t.Errorf("inspection status = %q, want it open for its rectification", s)
	}
	run(t, ctx, "the rectification's check closes it",
		chromedp.SetValue(chromedp.CSS(`form[action$="/check"] input[name="date"]`), "2025-06-10"),
		chromedp.SendKeys(chromedp.CSS(`form[action$="/check"] input[name="checkers"]`), "张检查"),
		leave,
		chromedp.Click(chromedp.CSS(`form[action$="/check"] button`)),
		arrived(".notice"),
		shot("institution"),
	)
	if s := textOf(t, ctx, ".inspection-status"); !strings.Contains(s, "办结") {
		t.Errorf("inspection status after the check = %q", s)
	}
}
