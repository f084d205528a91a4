package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type testServer struct {
	t     *testing.T
	db    *store.DB
	srv   *httptest.Server
	clock *clock
}

func newTestServer(t *testing.T, engine store.Engine) *testServer {
	t.Helper()
	db := storetest.Open(t, engine)
	c := &clock{t: time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)}
	db.Now = c.now
	cfg := app.DefaultConfig()
	cfg.Password = auth.TestParams
	h, err := New(app.New(db, cfg, nil), slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.Routes())
	t.Cleanup(srv.Close)
	ts := &testServer{t: t, db: db, srv: srv, clock: c}
	for _, u := range []auth.NewUser{
		{Username: "admin", Name: "管理员", Role: auth.RoleAdmin, Region: "", Password: "admin1234"},
		{Username: "county", Name: "县审批", Role: auth.RoleCounty, Region: "341523", Password: "county1234"},
		{Username: "village", Name: "村专干", Role: auth.RoleVillage, Region: "341523100001", Password: "village1234"},
		{Username: "finance", Name: "财政", Role: auth.RoleFinance, Region: "341523", Password: "finance1234"},
	} {
		built, err := u.Build(region.Default(), auth.TestParams)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			_, err := auth.CreateUser(context.Background(), tx, auth.System, built)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	return ts
}

// client returns an HTTP client with its own cookie jar.
func (ts *testServer) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// call sends a request and decodes a JSON answer into a map.
func (ts *testServer) call(c *http.Client, method, path string, body any, hdr ...string) (int, map[string]any) {
	ts.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ts.srv.URL+path, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		ts.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func (ts *testServer) login(username, password string) *http.Client {
	ts.t.Helper()
	c := ts.client()
	if code, body := ts.call(c, "POST", "/api/v1/login", map[string]string{"username": username, "password": password}); code != 200 {
		ts.t.Fatalf("login %s: %d %v", username, code, body)
	}
	return c
}

func errKind(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["kind"].(string)
	return s
}

func errMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

func (ts *testServer) deniedCount() int {
	ts.t.Helper()
	n := 0
	err := ts.db.View(context.Background(), func(tx *store.Tx) error {
		for _, county := range []string{"", "341523", "341522"} {
			es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: county, Limit: 1000})
			if err != nil {
				return err
			}
			for _, e := range es {
				if e.Action == "access.denied" {
					n++
				}
			}
		}
		return nil
	})
	if err != nil {
		ts.t.Fatal(err)
	}
	return n
}

func TestAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			anon := ts.client()

			if code, body := ts.call(anon, "GET", "/healthz", nil); code != 200 || body["status"] != "ok" {
				t.Errorf("healthz = %d %v", code, body)
			}
			if code, body := ts.call(anon, "GET", "/api/v1/me", nil); code != 401 || errKind(body) != "unauthenticated" {
				t.Errorf("me without session = %d %v, want 401 unauthenticated", code, body)
			}
			code, body := ts.call(anon, "POST", "/api/v1/login", map[string]string{"username": "county", "password": "wrong1234"})
			if code != 401 || errMessage(body) != "用户名或密码错误" {
				t.Errorf("bad password = %d %v, want 401 with a Chinese message", code, body)
			}
			code, body = ts.call(anon, "POST", "/api/v1/login?lang=en", map[string]string{"username": "nobody", "password": "wrong1234"})
			if code != 401 || errMessage(body) != "wrong username or password" {
				t.Errorf("unknown user, English = %d %v", code, body)
			}

			// Session cookie attributes.
			req, _ := http.NewRequest("POST", ts.srv.URL+"/api/v1/login", strings.NewReader(`{"username":"county","password":"county1234"}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var cookie *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == auth.SessionCookie {
					cookie = c
				}
			}
			if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || len(cookie.Value) != 43 {
				t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Lax, 43-character token", cookie)
			}

			county := ts.login("county", "county1234")
			code, body = ts.call(county, "GET", "/api/v1/me", nil)
			user, _ := body["user"].(map[string]any)
			if code != 200 || user["username"] != "county" || user["region"] != "341523" || !strings.Contains(body["region_name"].(string), "舒城县") {
				t.Errorf("me = %d %v", code, body)
			}

			// Users: only the administrator; refusals are audited.
			denied := ts.deniedCount()
			if code, body := ts.call(county, "GET", "/api/v1/users", nil); code != 403 || errKind(body) != "forbidden" {
				t.Errorf("county lists users = %d %v, want 403", code, body)
			}
			if got := ts.deniedCount(); got != denied+1 {
				t.Errorf("access.denied entries = %d, want %d", got, denied+1)
			}
			admin := ts.login("admin", "admin1234")
			code, body = ts.call(admin, "GET", "/api/v1/users", nil)
			if users, _ := body["users"].([]any); code != 200 || len(users) != 4 {
				t.Errorf("admin lists users = %d %v, want 4 users", code, body)
			}
			code, body = ts.call(admin, "POST", "/api/v1/users", map[string]string{"username": "town", "name": "乡镇", "role": "township", "region": "341523100000", "password": "harbor7lantern"})
			created, _ := body["user"].(map[string]any)
			if code != 201 || created["role"] != "township" {
				t.Fatalf("create user = %d %v", code, body)
			}
			code, body = ts.call(admin, "POST", "/api/v1/users", map[string]string{"username": "town2", "name": "乡镇", "role": "township", "region": "341523", "password": "harbor7lantern"})
			if code != 400 || errKind(body) != "invalid" || body["error"].(map[string]any)["field"] != "region" {
				t.Errorf("create user with a county scope for a township = %d %v, want 400 on region", code, body)
			}
			code, body = ts.call(admin, "POST", "/api/v1/users", map[string]string{"username": "town", "name": "乡镇", "role": "township", "region": "341523100000", "password": "harbor7lantern"})
			if code != 409 {
				t.Errorf("duplicate username = %d %v, want 409", code, body)
			}
			town := ts.login("town", "harbor7lantern")
			id := int(created["id"].(float64))
			idPath := "/api/v1/users/" + itoa(id)
			if code, body := ts.call(admin, "POST", idPath+"/disable", nil); code != 200 || body["user"].(map[string]any)["disabled"] != true {
				t.Errorf("disable = %d %v", code, body)
			}
			if code, _ := ts.call(town, "GET", "/api/v1/me", nil); code != 401 {
				t.Errorf("disabled user's session still works: %d", code)
			}
			if code, body := ts.call(ts.client(), "POST", "/api/v1/login", map[string]string{"username": "town", "password": "harbor7lantern"}); code != 401 || errMessage(body) != "用户名或密码错误" {
				t.Errorf("disabled user signs in: %d %v, want 401 as for a wrong password", code, body)
			}
			ts.call(admin, "POST", idPath+"/enable", nil)
			if code, _ := ts.call(admin, "POST", idPath+"/password", map[string]string{"password": "short"}); code != 400 {
				t.Errorf("weak password reset = %d, want 400", code)
			}
			if code, _ := ts.call(admin, "POST", idPath+"/password", map[string]string{"password": "ledger5tide"}); code != 204 {
				t.Errorf("password reset = %d, want 204", code)
			}
			ts.login("town", "ledger5tide")

			// Scope: the county officer reads audit of their own county only.
			denied = ts.deniedCount()
			if code, body := ts.call(county, "GET", "/api/v1/audit?county=341522", nil); code != 403 {
				t.Errorf("audit of another county = %d %v, want 403", code, body)
			}
			if got := ts.deniedCount(); got != denied+1 {
				t.Errorf("out-of-scope audit read not audited: %d entries, want %d", got, denied+1)
			}
			code, body = ts.call(admin, "GET", "/api/v1/audit?entity=user", nil)
			if entries, _ := body["entries"].([]any); code != 200 || len(entries) < 5 {
				t.Errorf("admin audit = %d, %d entries; want ≥ 5", code, len(entries))
			}
			code, body = ts.call(admin, "GET", "/api/v1/audit/verify", nil)
			if code != 200 || body["ok"] != true || body["checked"].(float64) < 5 {
				t.Errorf("audit verify = %d %v", code, body)
			}
			if code, _ := ts.call(county, "GET", "/api/v1/audit/verify", nil); code != 403 {
				t.Errorf("county verifies audit = %d, want 403", code)
			}

			// Regions and ID numbers.
			code, body = ts.call(county, "GET", "/api/v1/regions/341523", nil)
			if reg, _ := body["region"].(map[string]any); code != 200 || reg["name"] != "舒城县" || reg["level"] != "county" {
				t.Errorf("region = %d %v", code, body)
			}
			code, body = ts.call(county, "GET", "/api/v1/regions/341523/ancestors", nil)
			if regs, _ := body["regions"].([]any); code != 200 || len(regs) != 2 {
				t.Errorf("ancestors = %d %v, want province and city", code, body)
			}
			code, body = ts.call(county, "GET", "/api/v1/regions/341523/children", nil)
			if regs, _ := body["regions"].([]any); code != 200 || len(regs) < 10 {
				t.Errorf("children = %d, %d regions", code, len(regs))
			}
			code, body = ts.call(county, "GET", "/api/v1/regions?q=城关&within=341523", nil)
			if regs, _ := body["regions"].([]any); code != 200 || len(regs) == 0 {
				t.Errorf("search = %d %v", code, body)
			}
			if code, body := ts.call(county, "GET", "/api/v1/regions/34x", nil); code != 400 || body["error"].(map[string]any)["field"] != "code" {
				t.Errorf("bad code = %d %v", code, body)
			}
			if code, _ := ts.call(county, "GET", "/api/v1/regions/349999", nil); code != 404 {
				t.Errorf("unknown code = %d, want 404", code)
			}
			valid := "34152319620301011" + string(idcard.CheckChar("34152319620301011"))
			code, body = ts.call(county, "POST", "/api/v1/idcard/validate", map[string]string{"id_number": valid})
			if code != 200 || body["birth"] != "1962-03-01" || body["sex"] != "M" || body["masked"] != "341523********"+valid[14:] {
				t.Errorf("idcard %s = %d %v", valid, code, body)
			}
			wrong := valid[:17] + map[bool]string{true: "0", false: "1"}[valid[17] != '0']
			code, body = ts.call(county, "POST", "/api/v1/idcard/validate?lang=en", map[string]string{"id_number": wrong})
			if code != 400 || body["error"].(map[string]any)["field"] != "id_number" || !strings.Contains(errMessage(body), "check") {
				t.Errorf("bad check digit = %d %v", code, body)
			}

			// CSRF: a cross-site POST is refused.
			if code, _ := ts.call(county, "POST", "/api/v1/logout", nil, "Sec-Fetch-Site", "cross-site"); code != 403 {
				t.Errorf("cross-site POST = %d, want 403", code)
			}

			// Idle timeout, then logout.
			ts.clock.add(29 * time.Minute)
			if code, _ := ts.call(county, "GET", "/api/v1/me", nil); code != 200 {
				t.Errorf("me after 29 idle minutes = %d, want 200", code)
			}
			ts.clock.add(29 * time.Minute)
			if code, _ := ts.call(county, "GET", "/api/v1/me", nil); code != 200 {
				t.Errorf("me 29 minutes after the last use = %d, want 200 (idle deadline moved)", code)
			}
			ts.clock.add(31 * time.Minute)
			if code, _ := ts.call(county, "GET", "/api/v1/me", nil); code != 401 {
				t.Errorf("me after 31 idle minutes = %d, want 401", code)
			}
			fin := ts.login("finance", "finance1234")
			if code, _ := ts.call(fin, "POST", "/api/v1/logout", nil); code != 204 {
				t.Errorf("logout = %d", code)
			}
			if code, _ := ts.call(fin, "GET", "/api/v1/me", nil); code != 401 {
				t.Errorf("me after logout = %d, want 401", code)
			}

			// Throttling: five free failures, then 429 even with the right password.
			for i := 0; i < 5; i++ {
				ts.call(anon, "POST", "/api/v1/login", map[string]string{"username": "village", "password": "bad12345"})
			}
			req, _ = http.NewRequest("POST", ts.srv.URL+"/api/v1/login", strings.NewReader(`{"username":"village","password":"village1234"}`))
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("login with the right password after 5 failures = %d, want 200 (lock starts after the sixth)", resp.StatusCode)
			}
			for i := 0; i < 6; i++ {
				ts.call(anon, "POST", "/api/v1/login", map[string]string{"username": "village", "password": "bad12345"})
			}
			code, body = ts.call(anon, "POST", "/api/v1/login", map[string]string{"username": "village", "password": "village1234"})
			if code != 429 {
				t.Errorf("login while locked = %d %v, want 429", code, body)
			}

			// Metrics by route pattern; unknown paths are 404 JSON.
			if code, body := ts.call(anon, "GET", "/nope", nil); code != 404 || errKind(body) != "not_found" {
				t.Errorf("unknown path = %d %v", code, body)
			}
			resp, err = http.Get(ts.srv.URL + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, want := range []string{`route="GET /api/v1/me"`, `jiahe_http_request_duration_seconds_bucket`, `jiahe_db_open_connections`} {
				if !strings.Contains(string(b), want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestRedactIDs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"duplicate 34152319620301011X here", "duplicate 341523************ here"},
		{"no numbers", "no numbers"},
		{"old 341523620301011", "old 341523*********"},
	}
	for _, tt := range tests {
		if got := redactIDs(tt.in); got != tt.want {
			t.Errorf("redactIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
