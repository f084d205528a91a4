package web

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestTranslationsCoverTemplates fails when a template names a message
// key that i18n/messages.json lacks.
func TestTranslationsCoverTemplates(t *testing.T) {
	u, err := newUI(region.Default())
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("templates/*.html")
	re := regexp.MustCompile(`\.T\.([A-Za-z0-9_]+)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range []string{"zh", "en"} {
				if _, ok := u.msgs[lang][m[1]]; !ok {
					t.Errorf("%s: message %q has no %s text", f, m[1], lang)
				}
			}
		}
	}
}

// page is a browser-like client of the UI: it keeps cookies and sends
// forms as a same-origin browser does.
type page struct {
	t    *testing.T
	ts   *testServer
	c    *http.Client
	body string
	code int
	loc  string
}

func (ts *testServer) browser() *page {
	c := ts.client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &page{t: ts.t, ts: ts, c: c}
}

func (p *page) do(method, path string, form url.Values) *page {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, p.ts.srv.URL+path, body)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", p.ts.srv.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p.body, p.code, p.loc = string(b), resp.StatusCode, resp.Header.Get("Location")
	return p
}

func (p *page) get(path string) *page                { return p.do("GET", path, nil) }
func (p *page) post(path string, f url.Values) *page { return p.do("POST", path, f) }

func (p *page) want(code int, contains ...string) {
	p.t.Helper()
	if p.code != code {
		p.t.Fatalf("status %d, want %d; body:\n%.2000s", p.code, code, p.body)
	}
	for _, s := range contains {
		if !strings.Contains(p.body, s) {
			p.t.Errorf("page lacks %q; body:\n%.3000s", s, p.body)
		}
	}
}

func (p *page) login(user, pass string) *page {
	p.t.Helper()
	p.post("/login", url.Values{"username": {user}, "password": {pass}, "next": {"/"}})
	if p.code != http.StatusSeeOther || p.loc != "/" {
		p.t.Fatalf("login %s: %d %s\n%.1000s", user, p.code, p.loc, p.body)
	}
	return p
}

func testID(t *testing.T, county, birth string, seq int) string {
	t.Helper()
	b, err := time.Parse("2006-01-02", birth)
	if err != nil {
		t.Fatal(err)
	}
	return string(idcard.Make(county, b, seq))
}

func TestUIPagesAndScope(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testUIPagesAndScope(t, engine) })
	}
}

func testUIPagesAndScope(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	anon := ts.browser()
	anon.get("/persons")
	if anon.code != http.StatusSeeOther || !strings.HasPrefix(anon.loc, "/login?next=") {
		t.Fatalf("anonymous /persons: %d %s", anon.code, anon.loc)
	}
	anon.get("/login").want(200, "工作人员登录", `name="password"`)
	anon.get("/login?lang=en").want(200, "Staff sign-in")
	anon.post("/login", url.Values{"username": {"village"}, "password": {"wrong-password"}}).want(401, "wrong username or password")
	ts.browser().post("/login", url.Values{"username": {"village"}, "password": {"wrong-password"}}).want(401, "用户名或密码错误")

	v := ts.browser().login("village", "village1234")
	v.get("/").want(200, "村专干", "人口信息")
	v.get("/persons").want(200, "人口信息查询")

	// Register with a bad check digit: the message is next to the field.
	bad := testID(t, "341523", "1962-03-01", 11)
	bad = bad[:17] + string("0123456789"[(strings.IndexByte("0123456789X", bad[17])+1)%10])
	v.post("/persons/new", url.Values{"id_number": {bad}, "name": {"张三"}, "sex": {"M"}, "birth": {"1962-03-01"},
		"region": {"341523100001"}, "hukou_type": {"rural"}, "pension": {"none"}}).want(422, `id="id_number-error"`, "校验")

	h := testID(t, "341523", "1962-03-01", 11)
	v.post("/persons/new", url.Values{"id_number": {h}, "name": {"张三"}, "sex": {"M"}, "birth": {"1962-03-01"},
		"region": {"341523100001"}, "hukou_type": {"rural"}, "pension": {"none"}})
	if v.code != http.StatusSeeOther || !strings.HasPrefix(v.loc, "/persons/341523/") {
		t.Fatalf("register: %d %s\n%.2000s", v.code, v.loc, v.body)
	}
	personURL := strings.Split(v.loc, "?")[0]
	v.get(v.loc).want(200, "张三", "已登记", h, "政策测算")
	v.get("/persons?name=张").want(200, idcard.Number(h).Masked())
	// The language switch keeps the page's query.
	v.get("/persons?name=%E5%BC%A0&page=1").want(200, `href="/persons?lang=en&amp;name=%E5%BC%A0&amp;page=1"`)
	if strings.Contains(v.body, h) {
		t.Error("the list shows a full ID number")
	}
	v.get(personURL+"/death").want(200, "登记死亡")

	// Outside the village's scope: another village's person is not found,
	// and a search of another township is refused.
	v.get("/persons?region=341523101000").want(403)
	v.post("/persons/new", url.Values{"id_number": {testID(t, "341523", "1970-01-01", 12)}, "name": {"李四"}, "sex": {"F"},
		"birth": {"1970-01-01"}, "region": {"341523101001"}, "hukou_type": {"rural"}}).want(403)

	// Finance may read but not write the registry (separation of duties).
	f := ts.browser().login("finance", "finance1234")
	f.get(personURL).want(200, "张三")
	if strings.Contains(f.body, "/death\"") {
		t.Error("finance sees the event buttons")
	}
	f.post(personURL+"/death", url.Values{"death": {"2024-01-01"}}).want(403)
	f.get("/persons/new").want(403)

	c := ts.browser().login("county", "county1234")
	c.get("/audit").want(200, "登记人员", "拒绝访问")
	c.get("/rules").want(200, "政策规则")
	c.get("/users").want(403)

	a := ts.browser().login("admin", "admin1234")
	a.get("/users").want(200, "village")
	a.get("/persons").want(403)

	// English pages.
	v.get("/persons?lang=en").want(200, "Registry search")
	v.get("/").want(200, "Dashboard")
	v.get("/no-such-page").want(404, "no such page")
	v.post("/logout", url.Values{})
	v.get("/persons")
	if v.code != http.StatusSeeOther {
		t.Errorf("after logout: %d", v.code)
	}
}

// addStaff creates a user for a UI test.
func (ts *testServer) addStaff(t *testing.T, u auth.NewUser) {
	t.Helper()
	built, err := u.Build(region.Default(), auth.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := auth.CreateUser(context.Background(), tx, auth.System, built)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// seedFamily registers, as the village specialist would, a rural couple
// born in 1962 and 1964 with one daughter, and returns the husband's key
// ("county/id").
func (ts *testServer) seedFamily(t *testing.T) string {
	t.Helper()
	var hKey string
	a := auth.Actor{UserID: 0, Username: auth.System.Username, Name: "系统", Role: auth.RoleAdmin}
	err := ts.db.Update(context.Background(), func(tx *store.Tx) error {
		ctx := context.Background()
		reg := func(id, name, sex, birth string) (*registry.Record, error) {
			return registry.Register(ctx, tx, a, registry.NewPerson{IDNumber: id, Name: name, Sex: sex, Birth: date.MustParse(birth),
				Region: "341523100001", HukouType: registry.Rural})
		}
		h, err := reg(testID(t, "341523", "1962-03-01", 11), "王建国", "M", "1962-03-01")
		if err != nil {
			return err
		}
		w, err := reg(testID(t, "341523", "1964-12-31", 22), "李秀英", "F", "1964-12-31")
		if err != nil {
			return err
		}
		d, err := reg(testID(t, "341523", "1988-06-01", 42), "王小红", "F", "1988-06-01")
		if err != nil {
			return err
		}
		hk, wk, dk := registry.Key{County: h.County, ID: h.ID}, registry.Key{County: w.County, ID: w.ID}, registry.Key{County: d.County, ID: d.ID}
		if _, err := registry.AddMarriage(ctx, tx, a, hk, wk, registry.Marriage{From: date.MustParse("1986-01-01")}, ""); err != nil {
			return err
		}
		for _, p := range []registry.Key{hk, wk} {
			if _, err := registry.AddChild(ctx, tx, a, p, dk, registry.ParentChild{Kind: registry.Birth, InPolicy: new(true)}, ""); err != nil {
				return err
			}
		}
		hKey = h.County + "/" + h.Ref()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hKey
}

// upload posts a roster file (or, with content, the confirmation of a
// previewed one) to the import page.
func (p *page) upload(file []byte, confirm string) *page {
	p.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if confirm != "" {
		mw.WriteField("content", confirm)
		mw.WriteField("confirm", "1")
	} else {
		fw, _ := mw.CreateFormFile("file", "roster.csv")
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", p.ts.srv.URL+"/persons/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p.body, p.code = string(b), resp.StatusCode
	return p
}

// TestUIImportPreview checks that an import lists every bad row and saves
// nothing, and that a clean file is previewed and saved only when
// confirmed.
func TestUIImportPreview(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	v := ts.browser().login("village", "village1234")
	good1 := testID(t, "341523", "1960-02-03", 13)
	good2 := testID(t, "341523", "1961-04-05", 24)
	bad := good2[:17] + map[bool]string{true: "1", false: "0"}[good2[17] == '0']
	head := "身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质\n"
	v.upload([]byte(head+good1+",赵甲,男,1960-02-03,341523100001,农业\n"+bad+",钱乙,女,1961-04-05,341523100001,农业\n"+
		good2+",孙丙,女,1961-04-05,341523101001,农业\n"), "").want(422, "校验", "不在您的管辖范围")
	if !strings.Contains(v.body, "<td class=\"num\">3</td>") || !strings.Contains(v.body, "<td class=\"num\">4</td>") {
		t.Errorf("the preview does not list rows 3 and 4:\n%.3000s", v.body)
	}
	v.get("/persons?name=赵").want(200, "没有符合条件的人员")

	v.upload([]byte(head+good1+",赵甲,男,1960-02-03,341523100001,农业\n"+good2+",孙丙,女,1961-04-05,341523100001,农业\n"), "").
		want(200, "赵甲", "孙丙", `name="content"`)
	content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(v.body)
	if content == nil {
		t.Fatal("no confirmation form")
	}
	v.get("/persons?name=赵").want(200, "没有符合条件的人员")
	v.upload(nil, html.UnescapeString(content[1])).want(200, "导入完成", "已登记 2 人")
	v.get("/persons?name=赵").want(200, idcard.Number(good1).Masked())
}
