package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestRulesEditorAPI covers the rules editor's routes on both engines: a
// misspelt or out-of-range parameter and a truncated body are refused in
// plain Chinese naming the field (no decoder text); the form lists each
// program's parameters with labels and values in force; a layer saved is
// superseded and then withdrawn with reasons; two versions are compared.
func TestRulesEditorAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			county := ts.Login("county", "county1234")
			raw := func(path, body string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := county.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				var out map[string]any
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatalf("%s: %v in %s", path, err, b)
				}
				return resp.StatusCode, out
			}
			field := func(body map[string]any) string {
				e, _ := body["error"].(map[string]any)
				s, _ := e["field"].(string)
				return s
			}
			layer := func(version, params string) string {
				return `{"region": "341523", "version": ` + version + `, "from": "2024-01-01", "title": "舒城县：特扶领取年龄",
				  "programs": [{"code": "tf_death", "params": {` + params + `}}]}`
			}

			for _, tt := range []struct{ body, field, msg string }{
				{layer("2", `"min_agee": 50`), "programs[0].params.min_agee", "没有名为“min_agee”的参数，是否应为“min_age”"},
				{layer("2", `"min_age": 500`), "programs[0].params.min_age", "应在0–120周岁之间"},
				{layer("2", `"min_age": 50`)[:60], "body", "请求体不完整"},
			} {
				for _, path := range []string{"/api/v1/policy/layers", "/api/v1/policy/impact?region=341523&year=2024"} {
					code, body := raw(path, tt.body)
					msg := webtest.ErrMessage(body)
					if code != 400 || field(body) != tt.field || !strings.Contains(msg, tt.msg) || strings.Contains(msg, "EOF") {
						t.Errorf("%s %.40s: %d %v", path, tt.body, code, body)
					}
				}
			}

			// The form.
			code, form := ts.Call(county, "GET", "/api/v1/policy/params?region=341523&year=2024", nil)
			progs, _ := form["programs"].([]any)
			if code != 200 || len(progs) == 0 {
				t.Fatalf("params: %d %v", code, form)
			}
			found := false
			for _, p := range progs {
				p := p.(map[string]any)
				for _, f := range p["params"].([]any) {
					f := f.(map[string]any)
					if p["code"] == "tf_death" && f["name"] == "min_age" {
						found = f["label"] == "领取年龄" && f["unit"] == "周岁" && webtest.Num(f["value"]) == 49 && webtest.Num(f["max"]) == 120
					}
				}
			}
			if !found {
				t.Errorf("no min_age of tf_death in the form: %v", progs)
			}

			// Save, supersede, withdraw, compare.
			if code, body := raw("/api/v1/policy/layers", layer("2", `"min_age": 50`)); code != 201 {
				t.Fatalf("save: %d %v", code, body)
			}
			if code, body := raw("/api/v1/policy/layers/341523/2/supersede", `{"reason": "", "layer": `+layer("3", `"min_age": 51`)+`}`); code != 400 || field(body) != "reason" {
				t.Errorf("supersede without a reason: %d %v", code, body)
			}
			if code, body := raw("/api/v1/policy/layers/341523/2/supersede", `{"reason": "改为51周岁", "layer": `+layer("3", `"min_age": 51`)+`}`); code != 201 || body["superseded"] != "341523@2" {
				t.Errorf("supersede: %d %v", code, body)
			}
			if code, body := raw("/api/v1/policy/layers/341523/1/withdraw", `{"reason": "试"}`); code != 400 || field(body) != "version" {
				t.Errorf("withdraw an embedded layer: %d %v", code, body)
			}
			if code, body := raw("/api/v1/policy/layers/341523/3/withdraw", `{"reason": "恢复省定标准"}`); code != 200 || body["withdrawn"] != "341523@3" {
				t.Errorf("withdraw: %d %v", code, body)
			}
			if code, body := raw("/api/v1/policy/layers/341523/3/withdraw", `{"reason": "恢复省定标准"}`); code != 409 {
				t.Errorf("withdraw twice: %d %v", code, body)
			}
			code, list := ts.Call(county, "GET", "/api/v1/policy/layers?region=341523", nil)
			withdrawn := 0
			for _, l := range list["layers"].([]any) {
				if l.(map[string]any)["withdrawn"] == true {
					withdrawn++
				}
			}
			if code != 200 || withdrawn != 2 {
				t.Errorf("layers: %d, %d withdrawn", code, withdrawn)
			}
			code, diff := ts.Call(county, "GET", "/api/v1/policy/diff?region=341523&a=2&b=3", nil)
			changed := 0
			for _, l := range diff["lines"].([]any) {
				if l := l.(map[string]any); l["changed"] == true {
					changed++
					if l["a"] != "50 周岁" || l["b"] != "51 周岁" {
						t.Errorf("changed line %v", l)
					}
				}
			}
			if code != 200 || changed != 1 {
				t.Errorf("diff: %d, %d changed: %v", code, changed, diff)
			}
		})
	}
}
