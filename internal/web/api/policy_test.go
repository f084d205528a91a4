package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestPolicyAPI covers the policy routes on both engines: the rules in
// force, adding a layer (refused when invalid or not the user's own
// level, with nothing stored), the case calculator, a person's live
// decisions, the stored determinations within scope, and the impact
// preview.
func TestPolicyAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ctx := context.Background()
			if _, err := store.LoadSynthetic(ctx, ts.DB, synth.Config{County: "341523", Persons: 1500, Seed: 5}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := app.New(ts.DB, app.DefaultConfig(), nil).Evaluate(ctx, auth.System,
				app.EvalOptions{Region: "341523", Year: 2024, Workers: 2}); err != nil {
				t.Fatal(err)
			}
			county := ts.Login("county", "county1234")
			village := ts.Login("village", "village1234")
			raw := func(c *http.Client, method, path, body string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				var out map[string]any
				if err := json.Unmarshal(b, &out); err != nil {
					t.Fatalf("%s %s: %v in %s", method, path, err, b)
				}
				return resp.StatusCode, out
			}
			storedLayers := func() int {
				var n int
				if err := ts.DB.View(ctx, func(tx *store.Tx) error {
					return tx.QueryRow(ctx, `SELECT COUNT(*) FROM policy_layers`).Scan(&n)
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}

			// Programs in force, with their layers.
			code, body := ts.Call(county, "GET", "/api/v1/policy/programs?region=341523&year=2024", nil)
			progs, _ := body["programs"].([]any)
			if code != 200 || body["version"] != "national@1+34@1+3415@1+341523@1" || len(progs) == 0 {
				t.Fatalf("programs = %d %v", code, body)
			}
			jf := progs[0].(map[string]any)
			if jf["code"] != "jf" || jf["layer"] != "national@1" {
				t.Errorf("first program %v", jf)
			}
			if code, body := ts.Call(county, "GET", "/api/v1/policy/programs?region=3415&year=2024", nil); code != 400 || webtest.ErrKind(body) != "invalid" {
				t.Errorf("programs of a prefecture = %d %v", code, body["error"])
			}

			// Adding layers.
			bad := `{"region": "341523", "version": 1, "from": "2024-01-01", "title": "错误",
			  "programs": [{"code": "jf", "params": {"min_age": 61}}, {"code": "jf2", "name": "x", "funding": {"central": false, "local": {"county": 100}},
			    "clauses": [{"id": "age", "expr": "age >= P.nope", "text": "x"}]}]}`
			code, body = raw(county, "POST", "/api/v1/policy/layers", bad)
			if e, _ := body["error"].(map[string]any); code != 400 || e["field"] != "programs[1].clauses[0].expr" {
				t.Errorf("invalid layer = %d %v", code, body)
			}
			denied := ts.DeniedCount()
			code, body = raw(county, "POST", "/api/v1/policy/layers", `{"region": "34", "version": 5, "from": "2024-01-01", "title": "省", "programs": [{"code": "jf", "params": {"min_age": 61}}]}`)
			if code != 403 || ts.DeniedCount() != denied+1 {
				t.Errorf("county adds a province layer = %d %v", code, body)
			}
			if code, body := raw(village, "POST", "/api/v1/policy/layers", bad); code != 403 {
				t.Errorf("village adds a layer = %d %v", code, body)
			}
			if n := storedLayers(); n != 0 {
				t.Fatalf("%d layers stored after refusals", n)
			}
			good := `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "舒城县：奖扶县级加发",
			  "programs": [{"code": "jf", "increments": [{"id": "county_bonus", "from": "2024-01-01", "fen": 10000, "per": "year", "payer": "county"}]}]}`
			// The preview first: nothing is stored.
			code, body = raw(county, "POST", "/api/v1/policy/impact?region=341523&year=2024", good)
			if code != 200 || body["new_version"] != "national@1+34@1+3415@1+341523@1+341523@2" || body["persons"].(float64) == 0 {
				t.Fatalf("impact = %d %v", code, body)
			}
			total := body["total"].(map[string]any)
			if total["gained"].(float64) != 0 || total["lost"].(float64) != 0 || total["change_fen"].(float64) <= 0 {
				t.Errorf("impact total %v", total)
			}
			if code, body := raw(county, "POST", "/api/v1/policy/impact?region=341522&year=2024", good); code != 403 {
				t.Errorf("impact outside scope = %d %v", code, body)
			}
			if code, body := raw(county, "POST", "/api/v1/policy/impact?region=341523&year=2024", bad); code != 400 {
				t.Errorf("impact of an invalid layer = %d %v", code, body)
			}
			if n := storedLayers(); n != 0 {
				t.Fatalf("%d layers stored by previews", n)
			}
			if code, body := raw(county, "POST", "/api/v1/policy/layers", good); code != 201 || body["name"] != "341523@2" {
				t.Fatalf("add layer = %d %v", code, body)
			}
			if code, body := raw(county, "POST", "/api/v1/policy/layers", good); code != 409 {
				t.Errorf("same version again = %d %v", code, body)
			}
			code, body = ts.Call(county, "GET", "/api/v1/policy/layers?region=341523", nil)
			var found bool
			for _, x := range body["layers"].([]any) {
				l := x.(map[string]any)
				if l["name"] == "341523@2" {
					found = l["author"] == "county" && l["builtin"] == false && l["created_at"] != nil
				}
			}
			if code != 200 || !found {
				t.Errorf("layers = %d %v", code, body)
			}
			code, body = ts.Call(county, "GET", "/api/v1/policy/programs?region=341523&year=2024", nil)
			if code != 200 || body["version"] != "national@1+34@1+3415@1+341523@1+341523@2" {
				t.Errorf("programs after the change = %d %v", code, body["version"])
			}
			var audited int
			if err := ts.DB.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?`, "policy.layer.create", "341523@2").Scan(&audited)
			}); err != nil || audited != 1 {
				t.Errorf("audit entries for the layer: %d %v", audited, err)
			}

			// The case calculator.
			example := `{"year": 2024, "region": "341523", "persons": [
			  {"ref": "h", "sex": "M", "birth": "1962-03-01", "hukou": [{"type": "rural"}]},
			  {"ref": "w", "sex": "F", "birth": "1964-12-31", "hukou": [{"type": "rural"}]},
			  {"ref": "c1", "sex": "M", "birth": "1987-04-12", "death": "2023-08-10"}],
			  "marriages": [{"a": "h", "b": "w", "from": "1986-01-01"}],
			  "children": [{"parent": "h", "child": "c1", "kind": "birth"}, {"parent": "w", "child": "c1", "kind": "birth"}]}`
			code, body = raw(village, "POST", "/api/v1/policy/check?lang=en", example)
			decs, _ := body["decisions"].([]any)
			if code != 200 || len(decs) == 0 || decs[0].(map[string]any)["clauses"] == nil {
				t.Errorf("check = %d %v", code, body)
			}
			code, body = raw(village, "POST", "/api/v1/policy/check", strings.Replace(example, `"1962-03-01"`, `"1962-02-30"`, 1))
			if e, _ := body["error"].(map[string]any); code != 400 || e["field"] != "persons[0].birth" {
				t.Errorf("check with a bad date = %d %v", code, body)
			}

			// Stored determinations within scope; a person's live decisions.
			code, body = ts.Call(county, "GET", "/api/v1/determinations?region=341523&year=2024&limit=5", nil)
			dets, _ := body["determinations"].([]any)
			if code != 200 || body["total"].(float64) == 0 || len(dets) == 0 || len(dets) > 5 {
				t.Fatalf("determinations = %d %v", code, body)
			}
			first := dets[0].(map[string]any)
			id := strconv.FormatFloat(first["person_id"].(float64), 'f', 0, 64)
			code, body = ts.Call(village, "GET", "/api/v1/determinations?year=2024&limit=1000", nil)
			for _, x := range body["determinations"].([]any) {
				if r := x.(map[string]any)["region"].(string); !strings.HasPrefix(r, "341523100001") {
					t.Errorf("village sees a determination of %s", r)
				}
			}
			if code != 200 {
				t.Errorf("village determinations = %d %v", code, body)
			}
			if code, body := ts.Call(county, "GET", "/api/v1/determinations?region=341522&year=2024", nil); code != 403 {
				t.Errorf("determinations outside scope = %d %v", code, body)
			}
			code, body = ts.Call(county, "GET", "/api/v1/persons/341523/"+id+"/decisions?year=2024&explain=1", nil)
			decs, _ = body["decisions"].([]any)
			var eligible bool
			for _, x := range decs {
				d := x.(map[string]any)
				if d["program"] == first["program"] {
					eligible = d["eligible"] == true && d["clauses"] != nil
				}
			}
			if code != 200 || !eligible || len(body["stored"].([]any)) == 0 {
				t.Errorf("decisions of %s = %d %v", id, code, body)
			}
			if !strings.HasPrefix(first["region"].(string), "341523100001") {
				if code, _ := ts.Call(village, "GET", "/api/v1/persons/341523/"+id+"/decisions?year=2024", nil); code != 404 {
					t.Errorf("village reads decisions outside its village = %d", code)
				}
			}
		})
	}
}
