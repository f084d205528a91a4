package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// testServer is the whole server over a fresh database (webtest.Server),
// with this package's own fixtures as its methods.
type testServer struct{ *webtest.Server }

func newTestServer(t *testing.T, engine store.Engine) *testServer {
	t.Helper()
	return &testServer{webtest.New(t, engine)}
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
	anon := ts.Browser()
	anon.Get("/persons")
	if anon.Code != http.StatusSeeOther || !strings.HasPrefix(anon.Loc, "/login?next=") {
		t.Fatalf("anonymous /persons: %d %s", anon.Code, anon.Loc)
	}
	anon.Get("/login").Want(200, "工作人员和群众都在这里登录", `name="password"`)
	anon.Get("/login?lang=en").Want(200, "Staff and citizens both sign in here")
	anon.Post("/login", url.Values{"username": {"village"}, "password": {"wrong-password"}}).Want(401, "wrong username or password")
	ts.Browser().Post("/login", url.Values{"username": {"village"}, "password": {"wrong-password"}}).Want(401, "用户名或密码错误")

	v := ts.Browser().Login("village", "village1234")
	v.Get("/").Want(200, "村专干", "人口信息")
	v.Get("/persons").Want(200, "人口信息查询")

	// Register with a bad check digit: the message is next to the field.
	bad := testID(t, "341523", "1962-03-01", 11)
	bad = bad[:17] + string("0123456789"[(strings.IndexByte("0123456789X", bad[17])+1)%10])
	v.Post("/persons/new", url.Values{"id_number": {bad}, "name": {"张三"}, "sex": {"M"}, "birth": {"1962-03-01"},
		"region": {"341523100001"}, "hukou_type": {"rural"}, "pension": {"none"}}).Want(422, `id="id_number-error"`, "校验")

	h := testID(t, "341523", "1962-03-01", 11)
	v.Post("/persons/new", url.Values{"id_number": {h}, "name": {"张三"}, "sex": {"M"}, "birth": {"1962-03-01"},
		"region": {"341523100001"}, "hukou_type": {"rural"}, "pension": {"none"}})
	if v.Code != http.StatusSeeOther || !strings.HasPrefix(v.Loc, "/persons/341523/") {
		t.Fatalf("register: %d %s\n%.2000s", v.Code, v.Loc, v.Body)
	}
	personURL := strings.Split(v.Loc, "?")[0]
	v.Get(v.Loc).Want(200, "张三", "已登记", h, "政策测算")
	v.Get("/persons?name=张").Want(200, idcard.Number(h).Masked())
	// The language switch keeps the page's query.
	v.Get("/persons?name=%E5%BC%A0&page=1").Want(200, `href="/persons?lang=en&amp;name=%E5%BC%A0&amp;page=1"`)
	if strings.Contains(v.Body, h) {
		t.Error("the list shows a full ID number")
	}
	v.Get(personURL+"/death").Want(200, "登记死亡")

	// Outside the village's scope: another village's person is not found,
	// and a search of another township is refused.
	v.Get("/persons?region=341523101000").Want(403)
	v.Post("/persons/new", url.Values{"id_number": {testID(t, "341523", "1970-01-01", 12)}, "name": {"李四"}, "sex": {"F"},
		"birth": {"1970-01-01"}, "region": {"341523101001"}, "hukou_type": {"rural"}}).Want(403)

	// Finance may read but not write the registry (separation of duties).
	f := ts.Browser().Login("finance", "finance1234")
	f.Get(personURL).Want(200, "张三")
	if strings.Contains(f.Body, "/death\"") {
		t.Error("finance sees the event buttons")
	}
	f.Post(personURL+"/death", url.Values{"death": {"2024-01-01"}}).Want(403)
	f.Get("/persons/new").Want(403)

	// A death's source is named on the person's page, in either language.
	v.Post(personURL+"/death", url.Values{"death": {"2024-01-01"}, "source": {"police"}})
	if v.Code != http.StatusSeeOther {
		t.Fatalf("record a death: %d\n%.2000s", v.Code, v.Body)
	}
	// And the record's version in words (the death made the second),
	// and the age the person died at, not the age they would be now.
	v.Get(personURL).Want(200, "2024-01-01 公安", "第2版", "享年 61 岁")
	if strings.Contains(v.Body, "police") || strings.Contains(v.Body, "· v2") {
		t.Error("the Chinese person page shows the source's code or the version's")
	}
	v.Get(personURL+"?lang=en").Want(200, "2024-01-01 Police", "version 2", "died aged 61")

	c := ts.Browser().Login("county", "county1234")
	c.Get("/audit").Want(200, "登记人员", "拒绝访问")
	c.Get("/rules").Want(200, "政策规则")
	c.Get("/users").Want(403)

	a := ts.Browser().Login("admin", "admin1234")
	a.Get("/users").Want(200, "village")
	a.Get("/persons").Want(403)

	// English pages.
	v.Get("/persons?lang=en").Want(200, "Registry search")
	v.Get("/").Want(200, "Dashboard")
	v.Get("/no-such-page").Want(404, "no such page")
	v.Post("/logout", url.Values{})
	v.Get("/persons")
	if v.Code != http.StatusSeeOther {
		t.Errorf("after logout: %d", v.Code)
	}
}

// seedFamily registers, as the village specialist would, a rural couple
// born in 1962 and 1964 with one daughter, and returns the husband's key
// ("county/id").
func (ts *testServer) seedFamily(t *testing.T) string {
	t.Helper()
	var hKey string
	a := auth.Actor{UserID: 0, Username: auth.System.Username, Name: "系统", Role: auth.RoleAdmin}
	err := ts.DB.Update(context.Background(), func(tx *store.Tx) error {
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

// TestUIImportPreview checks that an import lists every bad row and saves
// nothing, and that a clean file is previewed and saved only when
// confirmed.
func TestUIImportPreview(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	v := ts.Browser().Login("village", "village1234")
	good1 := testID(t, "341523", "1960-02-03", 13)
	good2 := testID(t, "341523", "1961-04-05", 24)
	bad := good2[:17] + map[bool]string{true: "1", false: "0"}[good2[17] == '0']
	head := "身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质\n"
	v.Upload([]byte(head+good1+",赵甲,男,1960-02-03,341523100001,农业\n"+bad+",钱乙,女,1961-04-05,341523100001,农业\n"+
		good2+",孙丙,女,1961-04-05,341523101001,农业\n"), "").Want(422, "校验", "不在您的管辖范围")
	if !strings.Contains(v.Body, "<td class=\"num\">3</td>") || !strings.Contains(v.Body, "<td class=\"num\">4</td>") {
		t.Errorf("the preview does not list rows 3 and 4:\n%.3000s", v.Body)
	}
	v.Get("/persons?name=赵").Want(200, "没有符合条件的人员")

	v.Upload([]byte(head+good1+",赵甲,男,1960-02-03,341523100001,农业\n"+good2+",孙丙,女,1961-04-05,341523100001,农业\n"), "").
		Want(200, "赵甲", "孙丙", `name="content"`)
	content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(v.Body)
	if content == nil {
		t.Fatal("no confirmation form")
	}
	v.Get("/persons?name=赵").Want(200, "没有符合条件的人员")
	v.Upload(nil, html.UnescapeString(content[1])).Want(200, "导入完成", "已登记 2 人")
	v.Get("/persons?name=赵").Want(200, idcard.Number(good1).Masked())
}
