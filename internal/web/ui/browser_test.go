package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// chromiumPath is Debian's chromium, which the browser tests drive.
const chromiumPath = "/usr/bin/chromium"

// browserSession starts headless chromium with a fresh profile and returns
// a chromedp context bound to it. The test is skipped when chromium is not
// installed or with -short.
func browserSession(t *testing.T) context.Context {
	t.Helper()
	return session(t, 1280, 900, 180*time.Second)
}

// sizedSession is browserSession with a window of width × height (a
// phone's, 390 × 844, for the citizen's pages).
func sizedSession(t *testing.T, width, height int) context.Context {
	t.Helper()
	return session(t, width, height, 180*time.Second)
}

// browserSessionFor is browserSession for a journey that may take up to
// limit.
func browserSessionFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	return session(t, 1280, 900, limit)
}

// chromium is the one browser the tests of the package share: it starts
// with the first journey and stops when the tests end (TestMain). Each
// journey opens a tab in a browser context of its own, so that journeys
// share no cookie, storage or cache; starting chromium costs about two
// seconds of CPU, which every journey paid when each started its own.
var chromium struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.cancel != nil {
		chromium.cancel()
	}
	os.Exit(code)
}

// session opens a tab with a viewport of width × height, in a browser
// context of its own, for a journey that may take up to limit.
func session(t *testing.T, width, height int, limit time.Duration) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is not installed", chromiumPath)
	}
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "jiahe-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromiumPath),
			chromedp.UserDataDir(dir),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("lang", "zh-CN"),
			chromedp.WindowSize(1280, 900),
		}
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelB := chromedp.NewContext(actx)
		chromium.ctx = ctx
		chromium.cancel = func() { cancelB(); cancelA(); os.RemoveAll(dir) }
		chromium.err = chromedp.Do(ctx)
	})
	if chromium.err != nil {
		t.Fatalf("start chromium: %v", chromium.err)
	}
	ctx, cancelB := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelC := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelC(); cancelB() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// shot saves a full-page PNG screenshot of the page as name.png in the
// directory JIAHE_SCREENSHOTS names (docs/screenshots), and does nothing
// without it: encoding a page as PNG costs chromium more than loading it,
// and a test's own directory is gone when it ends.
func shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		out := os.Getenv("JIAHE_SCREENSHOTS")
		if out == "" {
			return nil
		}
		buf, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, name+".png"), buf, 0o644)
	})
}

// run runs actions and fails the test with the step's name.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		url, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
		t.Fatalf("%s: %v\nat %s\n%.1500s", step, err, url, body)
	}
}

// get runs one action that reads a value.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// script runs JavaScript in the page.
// leave marks the page as left: after it, arrived waits for an element of
// the next page, not of this one (a notice both pages show, say).
var leave = script(`document.body.setAttribute("data-left", "1")`)

// arrived waits for sel on a page loaded after leave.
func arrived(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.CSS("body:not([data-left]) " + sel))
}

func script(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](js)(ctx, tg)
		return err
	})
}

// textOf returns the text of the first element matching sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, chromedp.Text(chromedp.CSS(sel)))
}

// registerPerson fills the registration form, typing the ID number first
// so that the page fills in the birth date and sex, and returns the new
// person's page path.
func registerPerson(t *testing.T, ctx context.Context, base, id, name string) string {
	t.Helper()
	run(t, ctx, "register "+name,
		chromedp.Navigate(base+"/persons/new"),
		chromedp.WaitVisible(chromedp.ID("id_number")),
		chromedp.SendKeys(chromedp.ID("id_number"), id),
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.Submit(chromedp.ID("name")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	path := strings.TrimPrefix(get(t, ctx, chromedp.Location()), base)
	path, _, _ = strings.Cut(path, "?")
	return path
}

// TestBrowserRegisterFamily drives the UI in headless chromium against the
// real handler on 127.0.0.1: the village specialist signs in, sees an ID
// number checked as it is typed, registers a family (husband, wife, their
// daughter) and records the marriage and the births, and the family tree,
// the list with masked ID numbers and the English pages appear; the county
// approver then reads the audit trail.
func TestBrowserRegisterFamily(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	base := ts.URL

	run(t, ctx, "sign in",
		chromedp.Navigate(base+"/login?lang=zh"),
		chromedp.Navigate(base+"/persons"),
		chromedp.WaitVisible(chromedp.ID("username")),
		shot("login"),
		chromedp.SendKeys(chromedp.ID("username"), "village"),
		chromedp.SendKeys(chromedp.ID("password"), "village1234"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`form[role="search"]`)),
	)

	husband := testID(t, "341523", "1962-03-01", 11)
	wife := testID(t, "341523", "1964-12-31", 22)
	daughter := testID(t, "341523", "1988-06-01", 42)

	// A wrong check digit is reported while typing, before any request.
	wrong := husband[:17] + map[bool]string{true: "1", false: "0"}[husband[17] == '0']
	run(t, ctx, "check digit as you type",
		chromedp.Navigate(base+"/persons/new"),
		chromedp.WaitVisible(chromedp.ID("id_number")),
		chromedp.SendKeys(chromedp.ID("id_number"), wrong),
		chromedp.WaitVisible(chromedp.ID("id_number-error")),
	)
	if msg := textOf(t, ctx, "#id_number-error"); !strings.Contains(msg, "校验位") {
		t.Errorf("error next to the ID number = %q, want the check-digit message", msg)
	}
	run(t, ctx, "fill from a valid number",
		script(`document.getElementById("id_number").value = ""`),
		chromedp.SendKeys(chromedp.ID("id_number"), husband),
		shot("register"),
	)
	birth := get(t, ctx, chromedp.Value(chromedp.ID("birth")))
	sex := get(t, ctx, chromedp.Value(chromedp.ID("sex")))
	if birth != "1962-03-01" || sex != "M" {
		t.Errorf("filled birth %q sex %q from the ID number, want 1962-03-01 M", birth, sex)
	}

	hPath := registerPerson(t, ctx, base, husband, "王建国")
	registerPerson(t, ctx, base, wife, "李秀英")
	registerPerson(t, ctx, base, daughter, "王小红")

	run(t, ctx, "record the marriage",
		chromedp.Navigate(base+hPath+"/marriage"),
		chromedp.WaitVisible(chromedp.ID("spouse")),
		chromedp.SendKeys(chromedp.ID("spouse"), wife),
		chromedp.SetValue(chromedp.ID("from"), "1986-01-01"),
		chromedp.Submit(chromedp.ID("from")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	run(t, ctx, "record the daughter's birth",
		chromedp.Navigate(base+hPath+"/child"),
		chromedp.WaitVisible(chromedp.ID("child")),
		chromedp.SendKeys(chromedp.ID("child"), daughter),
		chromedp.Click(chromedp.CSS(`input[name="in_policy"][value="yes"]`)),
		chromedp.Submit(chromedp.ID("child")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	// The wife's tie, from her own page found through the list.
	run(t, ctx, "find the wife",
		chromedp.Navigate(base+"/persons?name="+"李"),
		chromedp.WaitVisible(chromedp.CSS("table.list")),
	)
	wPath := get(t, ctx, chromedp.AttributeValue(chromedp.CSS("table.list tbody a"), "href")).Value
	list := textOf(t, ctx, "table.list")
	if strings.Contains(list, wife) || !strings.Contains(list, wife[:6]+"********"+wife[14:]) {
		t.Errorf("the list shows %q; want the masked ID number only", list)
	}
	run(t, ctx, "record the daughter for the mother",
		chromedp.Navigate(base+wPath+"/child"),
		chromedp.WaitVisible(chromedp.ID("child")),
		chromedp.SendKeys(chromedp.ID("child"), daughter),
		chromedp.Submit(chromedp.ID("child")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	// The same tie twice is refused, with the message on the form.
	run(t, ctx, "duplicate tie",
		chromedp.Navigate(base+wPath+"/child"),
		chromedp.WaitVisible(chromedp.ID("child")),
		chromedp.SendKeys(chromedp.ID("child"), daughter),
		chromedp.Submit(chromedp.ID("child")),
		chromedp.WaitVisible(chromedp.ID("problems")),
	)
	if p := textOf(t, ctx, "#problems"); !strings.Contains(p, "已登记") {
		t.Errorf("duplicate tie: problems = %q", p)
	}

	run(t, ctx, "the family on the husband's page",
		chromedp.Navigate(base+hPath),
		chromedp.WaitVisible(chromedp.CSS("ul.family")),
		shot("person"),
	)
	fam := textOf(t, ctx, "ul.family")
	for _, want := range []string{"王建国", "李秀英", "王小红", "亲生", "政策内"} {
		if !strings.Contains(fam, want) {
			t.Errorf("family tree lacks %q: %q", want, fam)
		}
	}
	if s := textOf(t, ctx, "#ben-h"); !strings.Contains(s, "政策测算") {
		t.Errorf("benefits heading = %q", s)
	}

	run(t, ctx, "the village list",
		chromedp.Navigate(base+"/persons?region=341523100001"),
		chromedp.WaitVisible(chromedp.CSS("table.list")),
		shot("persons"),
		chromedp.Click(chromedp.CSS(`a[lang="en"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.list")),
	)
	if h := textOf(t, ctx, "h1"); h != "Registry search" {
		t.Errorf("English heading = %q", h)
	}
	run(t, ctx, "back to Chinese, sign out",
		chromedp.Click(chromedp.CSS(`a[lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.list")),
		chromedp.Click(chromedp.CSS(`button.link`)),
		chromedp.WaitVisible(chromedp.ID("username")),
	)

	run(t, ctx, "the county reads the audit trail",
		chromedp.SendKeys(chromedp.ID("username"), "county"),
		chromedp.SendKeys(chromedp.ID("password"), "county1234"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".welcome")),
		chromedp.Navigate(base+"/audit"),
		chromedp.WaitVisible(chromedp.CSS("table.audit")),
		shot("audit"),
	)
	if a := textOf(t, ctx, "table.audit"); !strings.Contains(a, "登记亲子关系") || !strings.Contains(a, "登记结婚") {
		t.Errorf("audit trail lacks the family's entries: %.500q", a)
	}
}

// signIn signs in through the form (again after a session has expired).
func signIn(t *testing.T, ctx context.Context, base, user, pass string) {
	t.Helper()
	run(t, ctx, "sign in as "+user,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), pass),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".welcome")),
	)
}

// openSteps opens every step form of a case page.
var openSteps = script(`document.querySelectorAll("details.stepform").forEach(function (d) { d.open = true })`)

// signStep submits the form of one step on the case page at path and
// waits for the confirmation.
func signStep(t *testing.T, ctx context.Context, base, path, step string, fill ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + path),
		chromedp.WaitVisible(chromedp.CSS("#s-h")),
		openSteps,
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/` + step + `"] button`)),
	}
	actions = append(actions, fill...)
	actions = append(actions,
		chromedp.Click(chromedp.CSS(`form[action$="/`+step+`"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	run(t, ctx, "sign "+step, actions...)
}

// TestBrowserProcedure takes a family through the qualification procedure
// in the browser: the village specialist applies for the husband, records
// the survey and the village review and runs the village notice; the
// township office reviews and runs its notice; the county approves and
// publishes; the case ends on the roll, every step signed.
func TestBrowserProcedure(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	ts.AddStaff(t, auth.NewUser{Username: "township", Name: "乡镇审核", Role: auth.RoleTownship, Region: "341523100000", Password: "township1234"})
	ts.AddStaff(t, auth.NewUser{Username: "surveyor", Name: "李调查", Role: auth.RoleTownship, Region: "341523100000", Password: "surveyor1234"})
	hKey := ts.seedFamily(t)
	base := ts.URL

	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"))
	signIn(t, ctx, base, "village", "village1234")
	run(t, ctx, "apply",
		chromedp.Navigate(base+"/persons/"+hKey),
		chromedp.Click(chromedp.CSS(`a[href$="/apply"]`)),
		chromedp.WaitVisible(chromedp.ID("program")),
		chromedp.SetValue(chromedp.ID("program"), "jf"),
		chromedp.SendKeys(chromedp.ID("marriage"), "1986年初婚"),
		chromedp.SendKeys(chromedp.ID("births"), "1988年生育一女"),
		chromedp.SendKeys(chromedp.ID("attachments"), "身份证复印件\n户口簿复印件\n结婚证复印件"),
		chromedp.Click(chromedp.ID("pledge")),
		chromedp.Submit(chromedp.ID("pledge")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	casePath, _, _ := strings.Cut(strings.TrimPrefix(get(t, ctx, chromedp.Location()), base), "?")

	// Investigators are picked from the region's officers, never typed.
	signStep(t, ctx, base, casePath, "survey",
		chromedp.SetValue(chromedp.ID("inv1"), strconv.FormatInt(ts.UID("village"), 10)),
		chromedp.SetValue(chromedp.ID("inv2"), strconv.FormatInt(ts.UID("surveyor"), 10)),
		chromedp.Click(chromedp.ID("visited")), chromedp.Click(chromedp.ID("met")),
		script(`document.querySelectorAll('select[id^="fact_"]').forEach(function (s) { s.value = "consistent" }); document.querySelectorAll('select[id^="chk_"]').forEach(function (s) { s.value = "1" })`),
		chromedp.SetValue(chromedp.ID("conclusion"), "eligible"),
		chromedp.SendKeys(chromedp.ID("evidence"), "户口簿"),
	)
	signStep(t, ctx, base, casePath, "village_review",
		chromedp.SendKeys(chromedp.ID("p1"), "赵一"), chromedp.SendKeys(chromedp.CSS(`input[name="prole1"]`), "同龄村民"),
		chromedp.SendKeys(chromedp.ID("p2"), "钱二"), chromedp.SendKeys(chromedp.CSS(`input[name="prole2"]`), "老党员"),
		chromedp.SendKeys(chromedp.ID("p3"), "孙三"), chromedp.SendKeys(chromedp.CSS(`input[name="prole3"]`), "村干部"),
		chromedp.SetValue(chromedp.ID("outcome"), "agree"),
		chromedp.SendKeys(chromedp.ID("opinion"), "同意上报"),
	)
	// Each of the three notices runs its period (seven days) before it is
	// closed; the clock jumps, and sessions expire with it.
	notice := func(user, pass string) {
		signStep(t, ctx, base, casePath, "notice_open", chromedp.SendKeys(chromedp.ID("place"), "村务公开栏"))
		ts.Clock.Add(8 * 24 * time.Hour)
		signIn(t, ctx, base, user, pass)
		signStep(t, ctx, base, casePath, "notice_close")
	}
	notice("village", "village1234")

	signIn(t, ctx, base, "township", "township1234")
	run(t, ctx, "the township's worklist",
		chromedp.Navigate(base+"/cases"),
		chromedp.WaitVisible(chromedp.CSS("table.list")),
	)
	if w := textOf(t, ctx, "table.list"); !strings.Contains(w, "王建国") {
		t.Errorf("the township's worklist lacks the case: %q", w)
	}
	run(t, ctx, "the engine's decision before signing",
		chromedp.Navigate(base+casePath),
		chromedp.WaitVisible(chromedp.CSS("#e-h")),
	)
	if e := textOf(t, ctx, "#e-h"); !strings.Contains(e, "签署前请核对") {
		t.Errorf("the township reviewer does not see the engine's decision before signing: %q", e)
	}
	signStep(t, ctx, base, casePath, "township_review", chromedp.SetValue(chromedp.ID("outcome-township_review"), "approve"),
		chromedp.SendKeys(chromedp.ID("opinion-township_review"), "同意"))
	notice("township", "township1234")

	signIn(t, ctx, base, "county", "county1234")
	signStep(t, ctx, base, casePath, "county_approval", chromedp.SetValue(chromedp.ID("outcome-county_approval"), "approve"),
		chromedp.SendKeys(chromedp.ID("opinion-county_approval"), "同意"))
	notice("county", "county1234")

	run(t, ctx, "the case on the roll",
		chromedp.Navigate(base+casePath),
		chromedp.WaitVisible(chromedp.CSS("ol.steps")),
		shot("case"),
	)
	if s := textOf(t, ctx, "#c-h"); !strings.Contains(s, "名册") && !strings.Contains(s, "终结") {
		t.Errorf("case state = %q, want enrolled", s)
	}
	if steps := textOf(t, ctx, "ol.steps"); strings.Count(steps, "签名") != 11 {
		t.Errorf("signed steps: %q", steps)
	}
	run(t, ctx, "print the county notice",
		chromedp.Click(chromedp.CSS(`table.list a[href*="/notices/"]`)),
		chromedp.WaitVisible(chromedp.CSS("article.printable")),
		shot("notice"),
	)
	if n := textOf(t, ctx, "article.printable"); !strings.Contains(n, "********") || !strings.Contains(n, "王建国") {
		t.Errorf("notice = %q, want the name and a masked ID number", n)
	}

	// After approval the husband is on the roll, and the dashboard's
	// chart of the roll counts him.
	run(t, ctx, "the roll",
		chromedp.Click(chromedp.CSS(`header nav a[href="/roll"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.roll")),
		shot("roll"),
	)
	if roll := textOf(t, ctx, "table.roll tbody"); !strings.Contains(roll, "王建国") || !strings.Contains(roll, "********") || !strings.Contains(roll, "奖励扶助") {
		t.Errorf("the roll = %q, want the husband with a masked ID number on 奖励扶助 (jf)", roll)
	}
	run(t, ctx, "the dashboard",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#roll-chart rect")),
		shot("dashboard"),
	)
	if row := textOf(t, ctx, "#home-roll table.chart-data tbody tr"); !strings.Contains(row, "奖励扶助") || !strings.Contains(row, "1") {
		t.Errorf("the dashboard's roll table = %q, want 奖励扶助 (jf) counted once", row)
	}
	if bar := get(t, ctx, chromedp.TextContent(chromedp.CSS("#roll-chart .value"))); strings.TrimSpace(bar) != "1" {
		t.Errorf("the roll chart's bar = %q, want 1", bar)
	}
}
