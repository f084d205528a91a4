package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/idcard"
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

func TestAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			anon := ts.Client()

			if code, body := ts.Call(anon, "GET", "/healthz", nil); code != 200 || body["status"] != "ok" {
				t.Errorf("healthz = %d %v", code, body)
			}
			if code, body := ts.Call(anon, "GET", "/api/v1/me", nil); code != 401 || webtest.ErrKind(body) != "unauthenticated" {
				t.Errorf("me without session = %d %v, want 401 unauthenticated", code, body)
			}
			code, body := ts.Call(anon, "POST", "/api/v1/login", map[string]string{"username": "county", "password": "wrong1234"})
			if code != 401 || webtest.ErrMessage(body) != "用户名或密码错误" {
				t.Errorf("bad password = %d %v, want 401 with a Chinese message", code, body)
			}
			code, body = ts.Call(anon, "POST", "/api/v1/login?lang=en", map[string]string{"username": "nobody", "password": "wrong1234"})
			if code != 401 || webtest.ErrMessage(body) != "wrong username or password" {
				t.Errorf("unknown user, English = %d %v", code, body)
			}

			// Session cookie attributes.
			req, _ := http.NewRequest("POST", ts.URL+"/api/v1/login", strings.NewReader(`{"username":"county","password":"county1234"}`))
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

			county := ts.Login("county", "county1234")
			code, body = ts.Call(county, "GET", "/api/v1/me", nil)
			user, _ := body["user"].(map[string]any)
			if code != 200 || user["username"] != "county" || user["region"] != "341523" || !strings.Contains(body["region_name"].(string), "舒城县") {
				t.Errorf("me = %d %v", code, body)
			}

			// Users: only the administrator; refusals are audited.
			denied := ts.DeniedCount()
			if code, body := ts.Call(county, "GET", "/api/v1/users", nil); code != 403 || webtest.ErrKind(body) != "forbidden" {
				t.Errorf("county lists users = %d %v, want 403", code, body)
			}
			if got := ts.DeniedCount(); got != denied+1 {
				t.Errorf("access.denied entries = %d, want %d", got, denied+1)
			}
			admin := ts.Login("admin", "admin1234")
			code, body = ts.Call(admin, "GET", "/api/v1/users", nil)
			if users, _ := body["users"].([]any); code != 200 || len(users) != 4 {
				t.Errorf("admin lists users = %d %v, want 4 users", code, body)
			}
			code, body = ts.Call(admin, "POST", "/api/v1/users", map[string]string{"username": "town", "name": "乡镇", "role": "township", "region": "341523100000", "password": "harbor7lantern"})
			created, _ := body["user"].(map[string]any)
			if code != 201 || created["role"] != "township" {
				t.Fatalf("create user = %d %v", code, body)
			}
			code, body = ts.Call(admin, "POST", "/api/v1/users", map[string]string{"username": "town2", "name": "乡镇", "role": "township", "region": "341523", "password": "harbor7lantern"})
			if code != 400 || webtest.ErrKind(body) != "invalid" || body["error"].(map[string]any)["field"] != "region" {
				t.Errorf("create user with a county scope for a township = %d %v, want 400 on region", code, body)
			}
			code, body = ts.Call(admin, "POST", "/api/v1/users", map[string]string{"username": "town", "name": "乡镇", "role": "township", "region": "341523100000", "password": "harbor7lantern"})
			if code != 409 {
				t.Errorf("duplicate username = %d %v, want 409", code, body)
			}
			town := ts.Login("town", "harbor7lantern")
			id := int(created["id"].(float64))
			idPath := "/api/v1/users/" + itoa(id)
			if code, body := ts.Call(admin, "POST", idPath+"/disable", nil); code != 200 || body["user"].(map[string]any)["disabled"] != true {
				t.Errorf("disable = %d %v", code, body)
			}
			if code, _ := ts.Call(town, "GET", "/api/v1/me", nil); code != 401 {
				t.Errorf("disabled user's session still works: %d", code)
			}
			if code, body := ts.Call(ts.Client(), "POST", "/api/v1/login", map[string]string{"username": "town", "password": "harbor7lantern"}); code != 401 || webtest.ErrMessage(body) != "用户名或密码错误" {
				t.Errorf("disabled user signs in: %d %v, want 401 as for a wrong password", code, body)
			}
			ts.Call(admin, "POST", idPath+"/enable", nil)
			if code, _ := ts.Call(admin, "POST", idPath+"/password", map[string]string{"password": "short"}); code != 400 {
				t.Errorf("weak password reset = %d, want 400", code)
			}
			if code, _ := ts.Call(admin, "POST", idPath+"/password", map[string]string{"password": "ledger5tide"}); code != 204 {
				t.Errorf("password reset = %d, want 204", code)
			}
			ts.Login("town", "ledger5tide")

			// Scope: the county officer reads audit of their own county only.
			denied = ts.DeniedCount()
			if code, body := ts.Call(county, "GET", "/api/v1/audit?county=341522", nil); code != 403 {
				t.Errorf("audit of another county = %d %v, want 403", code, body)
			}
			if got := ts.DeniedCount(); got != denied+1 {
				t.Errorf("out-of-scope audit read not audited: %d entries, want %d", got, denied+1)
			}
			code, body = ts.Call(admin, "GET", "/api/v1/audit?entity=user", nil)
			if entries, _ := body["entries"].([]any); code != 200 || len(entries) < 5 {
				t.Errorf("admin audit = %d, %d entries; want ≥ 5", code, len(entries))
			}
			code, body = ts.Call(admin, "GET", "/api/v1/audit/verify", nil)
			if code != 200 || body["ok"] != true || body["checked"].(float64) < 5 {
				t.Errorf("audit verify = %d %v", code, body)
			}
			if code, _ := ts.Call(county, "GET", "/api/v1/audit/verify", nil); code != 403 {
				t.Errorf("county verifies audit = %d, want 403", code)
			}

			// Regions and ID numbers.
			code, body = ts.Call(county, "GET", "/api/v1/regions/341523", nil)
			if reg, _ := body["region"].(map[string]any); code != 200 || reg["name"] != "舒城县" || reg["level"] != "county" {
				t.Errorf("region = %d %v", code, body)
			}
			code, body = ts.Call(county, "GET", "/api/v1/regions/341523/ancestors", nil)
			if regs, _ := body["regions"].([]any); code != 200 || len(regs) != 2 {
				t.Errorf("ancestors = %d %v, want province and city", code, body)
			}
			code, body = ts.Call(county, "GET", "/api/v1/regions/341523/children", nil)
			if regs, _ := body["regions"].([]any); code != 200 || len(regs) < 10 {
				t.Errorf("children = %d, %d regions", code, len(regs))
			}
			code, body = ts.Call(county, "GET", "/api/v1/regions?q=城关&within=341523", nil)
			if regs, _ := body["regions"].([]any); code != 200 || len(regs) == 0 {
				t.Errorf("search = %d %v", code, body)
			}
			if code, body := ts.Call(county, "GET", "/api/v1/regions/34x", nil); code != 400 || body["error"].(map[string]any)["field"] != "code" {
				t.Errorf("bad code = %d %v", code, body)
			}
			if code, _ := ts.Call(county, "GET", "/api/v1/regions/349999", nil); code != 404 {
				t.Errorf("unknown code = %d, want 404", code)
			}
			valid := "34152319620301011" + string(idcard.CheckChar("34152319620301011"))
			code, body = ts.Call(county, "POST", "/api/v1/idcard/validate", map[string]string{"id_number": valid})
			if code != 200 || body["birth"] != "1962-03-01" || body["sex"] != "M" || body["masked"] != "341523********"+valid[14:] {
				t.Errorf("idcard %s = %d %v", valid, code, body)
			}
			wrong := valid[:17] + map[bool]string{true: "0", false: "1"}[valid[17] != '0']
			code, body = ts.Call(county, "POST", "/api/v1/idcard/validate?lang=en", map[string]string{"id_number": wrong})
			if code != 400 || body["error"].(map[string]any)["field"] != "id_number" || !strings.Contains(webtest.ErrMessage(body), "check") {
				t.Errorf("bad check digit = %d %v", code, body)
			}

			// CSRF: a cross-site POST is refused.
			if code, _ := ts.Call(county, "POST", "/api/v1/logout", nil, "Sec-Fetch-Site", "cross-site"); code != 403 {
				t.Errorf("cross-site POST = %d, want 403", code)
			}

			// Idle timeout, then logout.
			ts.Clock.Add(29 * time.Minute)
			if code, _ := ts.Call(county, "GET", "/api/v1/me", nil); code != 200 {
				t.Errorf("me after 29 idle minutes = %d, want 200", code)
			}
			ts.Clock.Add(29 * time.Minute)
			if code, _ := ts.Call(county, "GET", "/api/v1/me", nil); code != 200 {
				t.Errorf("me 29 minutes after the last use = %d, want 200 (idle deadline moved)", code)
			}
			ts.Clock.Add(31 * time.Minute)
			if code, _ := ts.Call(county, "GET", "/api/v1/me", nil); code != 401 {
				t.Errorf("me after 31 idle minutes = %d, want 401", code)
			}
			fin := ts.Login("finance", "finance1234")
			if code, _ := ts.Call(fin, "POST", "/api/v1/logout", nil); code != 204 {
				t.Errorf("logout = %d", code)
			}
			if code, _ := ts.Call(fin, "GET", "/api/v1/me", nil); code != 401 {
				t.Errorf("me after logout = %d, want 401", code)
			}

			// Throttling: five free failures, then 429 even with the right password.
			for i := 0; i < 5; i++ {
				ts.Call(anon, "POST", "/api/v1/login", map[string]string{"username": "village", "password": "bad12345"})
			}
			req, _ = http.NewRequest("POST", ts.URL+"/api/v1/login", strings.NewReader(`{"username":"village","password":"village1234"}`))
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("login with the right password after 5 failures = %d, want 200 (lock starts after the sixth)", resp.StatusCode)
			}
			for i := 0; i < 6; i++ {
				ts.Call(anon, "POST", "/api/v1/login", map[string]string{"username": "village", "password": "bad12345"})
			}
			code, body = ts.Call(anon, "POST", "/api/v1/login", map[string]string{"username": "village", "password": "village1234"})
			if code != 429 {
				t.Errorf("login while locked = %d %v, want 429", code, body)
			}

			// Metrics by route pattern; unknown paths are 404 JSON.
			if code, body := ts.Call(anon, "GET", "/nope", nil); code != 404 || webtest.ErrKind(body) != "not_found" {
				t.Errorf("unknown path = %d %v", code, body)
			}
			resp, err = http.Get(ts.URL + "/metrics")
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
