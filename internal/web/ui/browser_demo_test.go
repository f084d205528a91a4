package ui_test

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/server"
)

// rawCode matches what a Chinese page must never show people: codes with
// underscores, JSON, and rule versions.
var rawCode = regexp.MustCompile(`[a-z]+_[a-z]+|\{"|@1`)

// demoServer seeds the demo (as jiahe serve --demo does) into a fresh
// SQLite database and serves it; it returns the URL and the logins.
func demoServer(t *testing.T) (string, map[string]string) {
	t.Helper()
	ctx := context.Background()
	url := storetest.URL(t, store.SQLite)
	cfg := app.DefaultConfig()
	cfg.Password = auth.TestParams
	cfg.Keys = storetest.Keys(t, url)
	a, err := app.Open(ctx, url, true, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	start := time.Now()
	r, err := a.SeedDemo(ctx, auth.System, app.DemoConfig{Persons: 5000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("demo seeded in %s", time.Since(start).Round(time.Millisecond))
	s, err := server.New(a, slog.New(slog.NewTextHandler(io.Discard, nil)), web.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	logins := map[string]string{}
	for _, l := range r.Logins {
		logins[l.Username] = l.Password
	}
	return srv.URL, logins
}

// demoTour drives one browser through the demo: it signs in as users of
// each role, takes every step a case still needs and every step of the
// payment, keeps a screenshot of each main page, and checks that no page
// shows a code, JSON or a rule version in its visible Chinese text.
type demoTour struct {
	t      *testing.T
	ctx    context.Context
	base   string
	dir    string
	logins map[string]string
	pages  int
}

// page opens path, waits for sel, checks its words and keeps a
// screenshot named name.
func (d *demoTour) page(name, path, sel string) {
	d.t.Helper()
	run(d.t, d.ctx, "open "+name, chromedp.Navigate(d.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
	d.look(name)
}

// look checks the page shown now and keeps its screenshot.
func (d *demoTour) look(name string) {
	d.t.Helper()
	text := get(d.t, d.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if m := rawCode.FindAllString(text, 5); m != nil {
		url := get(d.t, d.ctx, chromedp.Location())
		d.t.Errorf("%s (%s) shows codes %q in its Chinese text", name, url, m)
	}
	run(d.t, d.ctx, "screenshot "+name, shot("demo_"+name))
	d.pages++
}

// signIn signs in as user; staff land on the dashboard, citizens on /self.
func (d *demoTour) signIn(user string) {
	d.t.Helper()
	wait := ".welcome"
	if strings.HasPrefix(user, "citizen") {
		wait = "#me-h"
	}
	run(d.t, d.ctx, "sign in as "+user,
		chromedp.Navigate(d.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), d.logins[user]),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(wait)),
	)
}

// caseIn returns the path of the first case of the list of state whose
// page offers step (or, with step "", the first case).
func (d *demoTour) caseIn(state, step string) string {
	d.t.Helper()
	run(d.t, d.ctx, "cases in "+state, chromedp.Navigate(d.base+"/cases?state="+state), chromedp.WaitVisible(chromedp.CSS("main h1")))
	hrefs := get(d.t, d.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.list tbody tr td:first-child a")).map(function (a) { return a.getAttribute("href") })`))
	for _, h := range hrefs {
		if step == "" {
			return h
		}
		run(d.t, d.ctx, "open "+h, chromedp.Navigate(d.base+h), chromedp.WaitVisible(chromedp.CSS("#s-h")))
		if n := get(d.t, d.ctx, chromedp.Evaluate[int](`document.querySelectorAll('form[action$="/`+step+`"]').length`)); n > 0 {
			return h
		}
	}
	d.t.Fatalf("no case in %s offers %s (of %d)", state, step, len(hrefs))
	return ""
}

// TestBrowserDemo starts the demo on a fresh database and, as each role,
// reaches every stage of the procedure and of the payment without waiting
// for a notice or touching the database; it keeps screenshots of the main
// pages (in docs/screenshots when JIAHE_SCREENSHOTS names it).
func TestBrowserDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are skipped with -short")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s is not installed", chromiumPath)
	}
	base, logins := demoServer(t) // seeded before the browser's clock starts
	ctx := browserSessionFor(t, 240*time.Second)
	d := &demoTour{t: t, ctx: ctx, base: base, dir: t.TempDir(), logins: logins}
	if len(logins) != len(app.DemoUsers) {
		t.Fatalf("%d demo logins, want %d", len(logins), len(app.DemoUsers))
	}
	start := time.Now()
	run(t, ctx, "Chinese pages", chromedp.Navigate(base+"/login?lang=zh"), chromedp.WaitVisible(chromedp.ID("username")))
	d.look("login")

	// The village specialist opens the outreach list first and takes an
	// application from it, on a form the registry has filled.
	d.signIn("village")
	d.look("home_village")
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#home-outreach tbody tr").length`)); n == 0 {
		t.Error("the village dashboard lists nobody eligible who has not applied")
	}
	d.page("outreach", "/outreach", "table.outreach")
	run(t, ctx, "apply from the outreach list",
		chromedp.Click(chromedp.CSS(`table.outreach tbody tr a.button`)),
		chromedp.WaitVisible(chromedp.ID("attachments")),
	)
	d.look("apply")
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".from-registry").length`)); n < 3 {
		t.Errorf("%d fields marked as from the registry, want the hukou, births, adoptions and children", n)
	}
	if c := get(t, ctx, chromedp.Value(chromedp.ID("children"))); c == "" || c == "0" {
		t.Errorf("surviving children prefilled %q, want the registry's count", c)
	}
	if p := get(t, ctx, chromedp.Value(chromedp.ID("program"))); p == "" {
		t.Error("the program is not chosen from the outreach row")
	}
	run(t, ctx, "submit the application",
		chromedp.SendKeys(chromedp.ID("attachments"), "身份证复印件\n户口簿复印件"),
		chromedp.Click(chromedp.ID("pledge")),
		chromedp.Submit(chromedp.ID("pledge")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	casePath, _, _ := strings.Cut(strings.TrimPrefix(get(t, ctx, chromedp.Location()), base), "?")
	signStep(t, ctx, base, casePath, "survey",
		script(`document.getElementById("inv1").selectedIndex = 1; document.getElementById("inv2").selectedIndex = 2`),
		chromedp.Click(chromedp.ID("visited")), chromedp.Click(chromedp.ID("met")),
		script(`document.querySelectorAll('select[id^="fact_"]').forEach(function (s) { s.value = "consistent" }); document.querySelectorAll('select[id^="chk_"]').forEach(function (s) { s.value = "1" })`),
		chromedp.SetValue(chromedp.ID("conclusion"), "eligible"),
		chromedp.SendKeys(chromedp.ID("evidence"), "户口簿\n结婚证"),
	)
	signStep(t, ctx, base, casePath, "village_review",
		chromedp.SendKeys(chromedp.ID("p1"), "赵一"), chromedp.SendKeys(chromedp.CSS(`input[name="prole1"]`), "同龄村民"),
		chromedp.SendKeys(chromedp.ID("p2"), "钱二"), chromedp.SendKeys(chromedp.CSS(`input[name="prole2"]`), "老党员"),
		chromedp.SendKeys(chromedp.ID("p3"), "孙三"), chromedp.SendKeys(chromedp.CSS(`input[name="prole3"]`), "村干部"),
		chromedp.SetValue(chromedp.ID("outcome"), "agree"),
		chromedp.SendKeys(chromedp.ID("opinion"), "同意上报"),
	)
	signStep(t, ctx, base, casePath, "notice_open", chromedp.SendKeys(chromedp.ID("place"), "村务公开栏"))
	run(t, ctx, "the new notice runs", chromedp.Navigate(base+casePath), chromedp.WaitVisible(chromedp.CSS(".notice-runs")))
	d.look("case_notice_running")
	// A case whose village notice has run its days is closed now.
	ended := d.caseIn("village_notice", "notice_close")
	signStep(t, ctx, base, ended, "notice_close")
	run(t, ctx, "the case's steps", chromedp.Navigate(base+ended), chromedp.WaitVisible(chromedp.CSS("ol.steps")),
		script(`document.querySelectorAll("ol.steps details").forEach(function (d) { d.open = true })`))
	d.look("case_steps")
	if s := textOf(t, ctx, "ol.steps"); !strings.Contains(s, "调查结论") || !strings.Contains(s, "符合条件") {
		t.Errorf("the step records are not in words: %.300q", s)
	}
	d.page("cases_village", "/cases?state=village_notice", "table.list")
	d.page("notices", "/notices", "main h1")

	// The township reviews a case waiting for it and closes a township
	// notice that has run.
	d.signIn("township")
	d.look("home_township")
	c := d.caseIn("township_review", "township_review")
	d.look("case_review")
	signStep(t, ctx, base, c, "township_review", chromedp.SetValue(chromedp.ID("outcome-township_review"), "approve"),
		chromedp.SendKeys(chromedp.ID("opinion-township_review"), "同意"))
	signStep(t, ctx, base, c, "notice_open", chromedp.SendKeys(chromedp.ID("place"), "乡镇政务公开栏"))
	c = d.caseIn("township_notice", "notice_close")
	signStep(t, ctx, base, c, "notice_close")

	// The county approves one case and closes a county notice that has
	// run: the case is on the roll.
	d.signIn("county")
	d.look("home_county")
	c = d.caseIn("county_review", "county_approval")
	signStep(t, ctx, base, c, "county_approval", chromedp.SetValue(chromedp.ID("outcome-county_approval"), "approve"),
		chromedp.SendKeys(chromedp.ID("opinion-county_approval"), "同意"))
	signStep(t, ctx, base, c, "notice_open", chromedp.SendKeys(chromedp.ID("place"), "县卫健委网站"))
	c = d.caseIn("county_notice", "notice_close")
	signStep(t, ctx, base, c, "notice_close")
	run(t, ctx, "enrolled", chromedp.Navigate(base+c), chromedp.WaitVisible(chromedp.CSS("#c-h")))
	if s := textOf(t, ctx, "#c-h"); !strings.Contains(s, "名册") && !strings.Contains(s, "终结") {
		t.Errorf("case state after the county notice = %q, want enrolled", s)
	}
	d.look("case_enrolled")
	d.page("roll", "/roll", "table.roll")
	d.page("persons", "/persons", `form[role="search"]`)
	d.page("audit", "/audit", "table.audit")
	if n := get(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('table.audit a[href^="/cases/"]').length`)); n == 0 {
		t.Errorf("the audit trail links no case: %.600q", textOf(t, ctx, "table.audit tbody"))
	}
	if a := textOf(t, ctx, "table.audit tbody"); !strings.Contains(a, "县卫健委（演示）") {
		t.Errorf("the audit trail does not name its users: %.300q", a)
	}
	// The county's other registers and lists, in words.
	d.page("reports", "/reports", "main h1")
	d.page("supervision", "/reports/supervision", "main h1")
	d.page("complaints", "/complaints", "main h1")
	d.page("divisions", "/divisions", "main h1")
	d.page("charges", "/charges", "main h1")
	d.page("transfers", "/transfers", "main h1")
	d.page("migrants", "/migrants", "main h1")
	d.page("pension_list", "/pension-list", "main h1")
	d.page("duplicates", "/match/duplicates", "main h1")

	// Finance: last year's failed line is fixed and paid again through a
	// retry batch a second officer approves; this year's cycle is made.
	d.signIn("finance")
	d.look("home_finance")
	d.page("payments", "/payments", "main h1")
	d.page("retries", "/payments/retries", "main h1")
	person := get(t, ctx, chromedp.AttributeValue(chromedp.CSS(`table.list tbody a[href*="#account"]`), "href")).Value
	person, _, _ = strings.Cut(person, "#")
	run(t, ctx, "a new account for the failed line",
		chromedp.Navigate(base+person),
		chromedp.WaitReady(chromedp.ID("account_no")),
		script(`document.querySelectorAll("details").forEach(function (d) { if (d.querySelector("#account_no")) { d.open = true } })`),
		chromedp.WaitVisible(chromedp.ID("account_no")),
		script(`document.getElementById("account_no").value = ""`),
		chromedp.SendKeys(chromedp.ID("account_no"), "6228480402564890018"),
		chromedp.Click(chromedp.CSS(`form[action$="/account"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	d.look("person")
	run(t, ctx, "the retry batch",
		chromedp.Navigate(base+"/payments/retries"),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/payments/retries"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/payments/retries"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	run(t, ctx, "the batches", chromedp.Navigate(base+"/payments/batches?status=draft"), chromedp.WaitVisible(chromedp.CSS("table.list")))
	d.look("batches")
	batch := get(t, ctx, chromedp.AttributeValue(chromedp.CSS("table.list tbody a"), "href")).Value
	d.page("batch_draft", batch, "#ap-h")
	run(t, ctx, "generate this year's cycle",
		chromedp.Navigate(base+"/payments"),
		chromedp.WaitVisible(chromedp.ID("period")),
		chromedp.SetValue(chromedp.ID("program"), "jf"),
		script(`document.getElementById("period").value = "`+time.Now().Format("2006")+`"`),
		chromedp.Click(chromedp.CSS(`form[action="/payments/cycles"] button`)),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
	)
	d.look("payment_cycle")

	d.signIn("finance2")
	run(t, ctx, "the second officer reads the batch", chromedp.Navigate(base+batch), chromedp.WaitVisible(chromedp.ID("total")))
	kv := get(t, ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#b-h + dl.kv dd")).map(function (e) { return e.innerText })`))
	if len(kv) < 4 {
		t.Fatalf("batch facts %q", kv)
	}
	d.look("batch_approve")
	run(t, ctx, "the second officer approves the retry batch",
		chromedp.SendKeys(chromedp.ID("count"), kv[2]),
		chromedp.SendKeys(chromedp.ID("total"), kv[3]),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
		chromedp.WaitVisible(chromedp.ID("fl-h")),
	)

	// The maker downloads the bank file and records the bank's answer.
	d.signIn("finance")
	run(t, ctx, "the released batch", chromedp.Navigate(base+batch), chromedp.WaitVisible(chromedp.ID("fl-h")))
	d.look("batch_released")
	file := download(t, ctx, d.dir, `a[href$="encoding=utf8"]`)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(file), "\ufeff"))).ReadAll()
	if err != nil || len(recs) < 3 {
		t.Fatalf("bank file = %q (%v)", file, err)
	}
	ret := filepath.Join(d.dir, "return.csv")
	body := "序号,明细编号,姓名,账号,金额（元）,结果,入账日期\r\n1," + recs[1][1] + "," + recs[1][2] + "," + recs[1][5] + "," + recs[1][6] + ",成功," + time.Now().Format("2006-01-02") + "\r\n"
	if err := os.WriteFile(ret, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "upload the return file",
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{ret}),
		chromedp.Click(chromedp.CSS(`form[action$="/returns"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="confirm"] ~ button`)),
	)
	d.look("returns_preview")
	run(t, ctx, "confirm the return file",
		chromedp.Click(chromedp.CSS(`input[name="confirm"] ~ button`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	if s := textOf(t, ctx, "#b-h"); !strings.Contains(s, "已对账") {
		t.Errorf("retry batch state = %q, want reconciled", s)
	}
	d.page("ledger", "/payments/ledger?year="+time.Now().AddDate(-1, 0, 0).Format("2006"), "svg.ledger-chart")

	d.signIn("supervisor")
	d.look("home_supervisor")
	d.page("overrides", "/overrides", "main h1")
	d.signIn("city")
	d.look("home_city")
	d.signIn("province")
	d.look("home_province")
	d.signIn("admin")
	d.page("users", "/users", "main h1")

	// The citizens: an eligible older parent applies online; a recipient
	// reads their own record.
	d.signIn("citizen")
	d.look("self")
	if c := get(t, ctx, chromedp.Value(chromedp.ID("children"))); c == "" {
		t.Error("the citizen's form is not filled from the registry")
	}
	run(t, ctx, "the citizen applies",
		chromedp.SetValue(chromedp.ID("program"), "jf"),
		chromedp.SendKeys(chromedp.ID("attachments"), "身份证照片"),
		chromedp.Click(chromedp.ID("pledge")),
		chromedp.Submit(chromedp.ID("pledge")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	)
	d.look("self_applied")
	d.signIn("citizen2")
	d.look("self_recipient")
	d.page("self_complaints", "/self/complaints", "main h1")

	t.Logf("%d pages in %s", d.pages, time.Since(start).Round(time.Millisecond))
	if out := os.Getenv("JIAHE_SCREENSHOTS"); out != "" {
		if _, err := os.Stat(filepath.Join(out, "demo_outreach.png")); err != nil {
			t.Errorf("screenshots not kept in %s: %v", out, err)
		}
	}
}
