package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestUISignInAndAuditFilter: a disabled account's sign-in is answered as
// a wrong password; the audit page filters by username, labels actions and
// objects in Chinese, and exports what it shows.
func TestUISignInAndAuditFilter(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			admin := ts.browser().login("admin", "admin1234")
			ts.browser().login("village", "village1234")

			admin.post("/users/3/disable", url.Values{})
			if admin.code != http.StatusSeeOther {
				t.Fatalf("disable: %d\n%.1000s", admin.code, admin.body)
			}
			ts.browser().post("/login", url.Values{"username": {"village"}, "password": {"village1234"}}).want(401, "用户名或密码错误")
			ts.browser().post("/login", url.Values{"username": {"village"}, "password": {"wrong1234"}}).want(401, "用户名或密码错误")

			admin.get("/audit?user=village").want(200, `value="village"`, "登录失败", "登录", "用户 3")
			if strings.Contains(admin.body, "user.login") || strings.Contains(admin.body, "停用用户") {
				t.Errorf("the user filter shows codes or another user's actions:\n%.3000s", admin.body)
			}
			admin.get("/audit?user=3").want(200, "登录失败")
			admin.get("/audit?user_id=3").want(200, `value="3"`, "登录失败")
			admin.get("/audit?user=nobody").want(400, "没有用户名或编号为 nobody 的用户")
			admin.get("/audit?user_id=x").want(400, "用户编号须为非负整数")
			admin.get("/audit?entity=user&lang=en").want(200, "Sign-in failed", "User 3")

			wb := admin.export("/audit/export.xlsx?user=village").want(t, 200, "序号")
			var failed int
			for _, row := range wb.rows {
				if len(row) > 5 && row[4] == "登录失败" && row[5] == "user.login_failed" {
					failed++
				}
			}
			if failed != 2 {
				t.Errorf("export of the user's entries: %d failed sign-ins, want 2; rows %q", failed, wb.rows)
			}
			admin.export("/audit/export.xlsx?user=nobody").want(t, 400)
		})
	}
}
