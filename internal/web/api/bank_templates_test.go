package api_test

import (
	"net/http"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestBankTemplatesAPI: the built-in layouts are listed; the finance
// officer sets one as a bank's template (a bad one refused on its
// field), reads it back and removes it; the county approver reads but
// cannot set; a city user cannot change the county's payment parameters.
func TestBankTemplatesAPI(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	fin, county := ts.Login("finance", "finance1234"), ts.Login("county", "county1234")
	ts.AddStaff(t, auth.NewUser{Username: "city", Name: "市卫健委", Role: auth.RoleCity, Region: "341500", Password: "city12345678"})
	city := ts.Login("city", "city12345678")

	code, body := ts.Call(county, "GET", "/api/v1/bank-templates/341523", nil)
	if code != 200 || len(body["banks"].([]any)) != 7 || len(body["builtins"].([]any)) != 3 {
		t.Fatalf("list: %d %v", code, body)
	}
	var rcc map[string]any
	for _, b := range body["builtins"].([]any) {
		if b.(map[string]any)["code"] == "rcc-caret" {
			rcc = b.(map[string]any)["layout"].(map[string]any)
		}
	}
	if code, _ := ts.Call(county, "PUT", "/api/v1/bank-templates/341523/402", map[string]any{"layout": rcc}); code != 403 {
		t.Errorf("the county approver sets a template: %d", code)
	}
	bad := map[string]any{}
	for k, v := range rcc {
		bad[k] = v
	}
	bad["delimiter"] = "#"
	if code, body := ts.Call(fin, "PUT", "/api/v1/bank-templates/341523/402", map[string]any{"layout": bad}); code != 400 || webtest.ErrKind(body) != "invalid" {
		t.Errorf("a bad delimiter: %d %v", code, body)
	}
	code, body = ts.Call(fin, "PUT", "/api/v1/bank-templates/341523/402", map[string]any{"layout": rcc, "version": 0})
	if code != 200 || webtest.Num(webtest.Field(body, "template", "version")) != 1 {
		t.Fatalf("set: %d %v", code, body)
	}
	_, body = ts.Call(fin, "GET", "/api/v1/bank-templates/341523", nil)
	for _, b := range body["banks"].([]any) {
		v := b.(map[string]any)
		if webtest.Field(v, "bank", "code") == "402" && webtest.Field(v, "layout", "delimiter") != "^" {
			t.Errorf("402 after the set: %v", v)
		}
	}
	if code, _ := ts.Call(fin, "DELETE", "/api/v1/bank-templates/341523/402?version=2", nil); code != 409 {
		t.Errorf("delete over a stale version: %d", code)
	}
	if code, _ := ts.Call(fin, "DELETE", "/api/v1/bank-templates/341523/402?version=1", nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}

	// The back-pay window is the county's own.
	if code, _ := ts.Call(city, "PUT", "/api/v1/payment-params/341523", map[string]string{"back_pay_years": "3"}); code != 403 {
		t.Errorf("the city sets the back-pay window: %d", code)
	}
	if code, _ := ts.Call(county, "PUT", "/api/v1/payment-params/341523", map[string]string{"back_pay_years": "3"}); code != 200 {
		t.Errorf("the county sets the back-pay window: %d", code)
	}
}
