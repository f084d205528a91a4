package ui_test

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
			admin := ts.Browser().Login("admin", "admin1234")
			ts.Browser().Login("village", "village1234")

			admin.Post("/users/3/disable", url.Values{})
			if admin.Code != http.StatusSeeOther {
				t.Fatalf("disable: %d\n%.1000s", admin.Code, admin.Body)
			}
			ts.Browser().Post("/login", url.Values{"username": {"village"}, "password": {"village1234"}}).Want(401, "用户名或密码错误")
			ts.Browser().Post("/login", url.Values{"username": {"village"}, "password": {"wrong1234"}}).Want(401, "用户名或密码错误")

			admin.Get("/audit?user=village").Want(200, `value="village"`, "登录失败", "登录", "用户 3")
			if strings.Contains(admin.Body, "user.login") || strings.Contains(admin.Body, "停用用户") {
				t.Errorf("the user filter shows codes or another user's actions:\n%.3000s", admin.Body)
			}
			admin.Get("/audit?user=3").Want(200, "登录失败")
			admin.Get("/audit?user_id=3").Want(200, `value="3"`, "登录失败")
			admin.Get("/audit?user=nobody").Want(400, "没有用户名或编号为 nobody 的用户")
			admin.Get("/audit?user_id=x").Want(400, "用户编号须为非负整数")
			admin.Get("/audit?entity=user&lang=en").Want(200, "Sign-in failed", "User 3")

			wb := admin.Export("/audit/export.xlsx?user=village").Want(t, 200, "序号")
			var failed int
			for _, row := range wb.Rows {
				if len(row) > 5 && row[4] == "登录失败" && row[5] == "user.login_failed" {
					failed++
				}
			}
			if failed != 2 {
				t.Errorf("export of the user's entries: %d failed sign-ins, want 2; rows %q", failed, wb.Rows)
			}
			admin.Export("/audit/export.xlsx?user=nobody").Want(t, 400)
		})
	}
}
