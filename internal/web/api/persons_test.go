package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

func (ts *testServer) apiAddUser(u auth.NewUser) {
	ts.T.Helper()
	built, err := u.Build(region.Default(), auth.TestParams)
	if err != nil {
		ts.T.Fatal(err)
	}
	if err := ts.DB.Update(context.Background(), func(tx *store.Tx) error {
		_, err := auth.CreateUser(context.Background(), tx, auth.System, built)
		return err
	}); err != nil {
		ts.T.Fatal(err)
	}
}

func apiErrField(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

// apiRegister posts a person and returns its path.
func (ts *testServer) apiRegister(c *http.Client, in map[string]any) string {
	ts.T.Helper()
	code, body := ts.Call(c, "POST", "/api/v1/persons", in)
	if code != 201 {
		ts.T.Fatalf("register %v = %d %v", in["name"], code, body)
	}
	p := body["person"].(map[string]any)
	return fmt.Sprintf("/api/v1/persons/%s/%d", p["county"], int64(p["id"].(float64)))
}

func apiIDOf(path string) int64 {
	var id int64
	fmt.Sscanf(path[strings.LastIndex(path, "/")+1:], "%d", &id)
	return id
}

func TestPersonsAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.apiAddUser(auth.NewUser{Username: "super", Name: "监督", Role: auth.RoleSupervisor, Region: "341523", Password: "super1234"})
			county := ts.Login("county", "county1234")
			village := ts.Login("village", "village1234")
			super := ts.Login("super", "super1234")
			admin := ts.Login("admin", "admin1234")

			husbandID := webtest.PersonID("1962-03-01", true, 11)
			husband := ts.apiRegister(village, map[string]any{"id_number": husbandID, "name": "张三", "sex": "M", "birth": "1962-03-01",
				"region": webtest.HomeVillage, "hukou_type": "rural", "phone": "13800138000"})
			wife := ts.apiRegister(village, map[string]any{"id_number": webtest.PersonID("1964-12-31", false, 12), "name": "李四", "sex": "F",
				"birth": "1964-12-31", "region": webtest.HomeVillage, "hukou_type": "rural"})
			child := ts.apiRegister(village, map[string]any{"id_number": webtest.PersonID("1987-04-12", true, 13), "name": "张小三", "sex": "M",
				"birth": "1987-04-12", "region": webtest.HomeVillage, "hukou_type": "rural"})
			outsider := ts.apiRegister(county, map[string]any{"id_number": webtest.PersonID("1970-01-01", false, 14), "name": "王五", "sex": "F",
				"birth": "1970-01-01", "region": webtest.OtherVillage, "hukou_type": "urban"})

			// Life events.
			posts := []struct {
				path string
				body map[string]any
				want int
			}{
				{husband + "/marriages", map[string]any{"spouse": apiIDOf(wife), "from": "1986-01-01", "cert_no": "J-1986-1"}, 201},
				{husband + "/children", map[string]any{"child": apiIDOf(child), "kind": "birth", "in_policy": true}, 201},
				{wife + "/children", map[string]any{"child": apiIDOf(child), "kind": "birth"}, 201},
				{child + "/disabilities", map[string]any{"grade": 3, "category": "limb", "from": "2015-01-01"}, 201},
				{wife + "/complications", map[string]any{"grade": 2, "from": "1990-01-01", "document": "鉴定书"}, 201},
				{husband + "/retirements", map[string]any{"date": "2022-03-01", "employer": "enterprise"}, 201},
				{husband + "/hukou", map[string]any{"type": "urban", "from": "2010-06-01", "reason": "land_requisition"}, 200},
				{child + "/death", map[string]any{"date": "2023-08-10", "source": "公安"}, 200},
				{husband + "/children", map[string]any{"child": apiIDOf(child), "kind": "adoption"}, 409},
				{wife + "/disabilities", map[string]any{"grade": 5, "from": "2015-01-01"}, 400},
			}
			for _, p := range posts {
				if code, body := ts.Call(village, "POST", p.path, p.body); code != p.want {
					t.Errorf("POST %s %v = %d %v, want %d", p.path, p.body, code, body, p.want)
				}
			}
			code, body := ts.Call(village, "POST", husband+"/certificates", map[string]any{"kind": "one_child", "number": "皖-001", "issued": "1988-06-01"})
			if code != 201 {
				t.Fatalf("certificate = %d %v", code, body)
			}
			cid := int64(body["id"].(float64))
			if code, body := ts.Call(village, "POST", fmt.Sprintf("%s/certificates/%d/cancel", husband, cid), map[string]any{"date": "2020-01-01", "reason": "再生育"}); code != 204 {
				t.Errorf("cancel certificate = %d %v", code, body)
			}

			// The full record, then a change with optimistic locking.
			code, body = ts.Call(village, "GET", husband, nil)
			rec, _ := body["person"].(map[string]any)
			if code != 200 || rec["id_number"] != husbandID || rec["hukou_type"] != "urban" || len(body["hukou"].([]any)) != 2 ||
				len(body["certificates"].([]any)) != 1 || len(body["retirements"].([]any)) != 1 {
				t.Fatalf("get person = %d %v", code, body)
			}
			version := rec["version"].(float64)
			if code, body := ts.Call(village, "PATCH", husband, map[string]any{"version": version, "address": "东苑社区1号"}); code != 200 || body["person"].(map[string]any)["address"] != "东苑社区1号" {
				t.Errorf("patch = %d %v", code, body)
			}
			if code, _ := ts.Call(village, "PATCH", husband, map[string]any{"version": version, "address": "x"}); code != 409 {
				t.Errorf("patch with a stale version = %d, want 409", code)
			}
			if code, body := ts.Call(village, "PATCH", husband, map[string]any{"address": "x"}); code != 400 || apiErrField(body) != "version" {
				t.Errorf("patch without a version = %d %v, want 400 on version", code, body)
			}

			// The family view and the marriage's end.
			code, body = ts.Call(village, "GET", husband+"/family", nil)
			fam, _ := body["family"].(map[string]any)
			if code != 200 || len(fam["persons"].([]any)) != 3 || len(fam["marriages"].([]any)) != 1 || len(fam["children"].([]any)) != 2 {
				t.Fatalf("family = %d %v", code, body)
			}
			var marriageID int64
			ts.DB.View(context.Background(), func(tx *store.Tx) error {
				return tx.QueryRow(context.Background(), `SELECT id FROM marriages WHERE county = '341523'`).Scan(&marriageID)
			})
			endPath := fmt.Sprintf("/api/v1/marriages/341523/%d/end", marriageID)
			if code, body := ts.Call(village, "POST", endPath, map[string]any{"date": "2021-05-01", "reason": "divorce"}); code != 204 {
				t.Errorf("end marriage = %d %v", code, body)
			}
			if code, _ := ts.Call(village, "POST", endPath, map[string]any{"date": "2021-05-01", "reason": "divorce"}); code != 409 {
				t.Errorf("end an ended marriage = %d, want 409", code)
			}

			// History: every change to the husband, newest first.
			code, body = ts.Call(village, "GET", husband+"/history", nil)
			var actions []string
			for _, e := range body["entries"].([]any) {
				actions = append(actions, e.(map[string]any)["action"].(string))
			}
			want := []string{"person.update", "certificate.cancel", "certificate.create", "person.hukou", "retirement.create", "person.create"}
			if code != 200 || strings.Join(actions, " ") != strings.Join(want, " ") {
				t.Errorf("history = %d %v, want %v", code, actions, want)
			}

			// Search: masked ID numbers, total for paging.
			code, body = ts.Call(county, "GET", "/api/v1/persons?name=张&limit=1", nil)
			persons, _ := body["persons"].([]any)
			if code != 200 || body["total"].(float64) != 2 || len(persons) != 1 {
				t.Fatalf("search = %d %v", code, body)
			}
			code, body = ts.Call(county, "GET", "/api/v1/persons?id_number="+husbandID, nil)
			persons, _ = body["persons"].([]any)
			if code != 200 || len(persons) != 1 || persons[0].(map[string]any)["id_number"] != idcard.Number(husbandID).Masked() {
				t.Errorf("search by ID number = %d %v, want one person with the number masked", code, body)
			}
			if strings.Contains(fmt.Sprint(body), husbandID) {
				t.Errorf("a list shows a full ID number: %v", body)
			}
			code, body = ts.Call(village, "GET", "/api/v1/persons?alive=true", nil)
			if code != 200 || body["total"].(float64) != 2 {
				t.Errorf("village search of the living = %d %v, want the 2 living persons of the village", code, body)
			}

			// Refusals.
			tests := []struct {
				name      string
				c         *http.Client
				method    string
				path      string
				body      any
				wantCode  int
				wantField string
				denied    bool
			}{
				{"bad check character", county, "POST", "/api/v1/persons", map[string]any{"id_number": husbandID[:17] + map[bool]string{true: "0", false: "1"}[husbandID[17] != '0'],
					"name": "赵六", "sex": "M", "birth": "1962-03-01", "region": webtest.HomeVillage, "hukou_type": "rural"}, 400, "id_number", false},
				{"duplicate ID number", county, "POST", "/api/v1/persons", map[string]any{"id_number": husbandID,
					"name": "赵六", "sex": "M", "birth": "1962-03-01", "region": webtest.HomeVillage, "hukou_type": "rural"}, 409, "id_number", false},
				{"register outside the village", village, "POST", "/api/v1/persons", map[string]any{"name": "赵六", "sex": "M",
					"birth": "1962-03-01", "region": webtest.OtherVillage, "hukou_type": "rural"}, 403, "", true},
				{"read a person outside the village", village, "GET", outsider, nil, 404, "", true},
				{"family outside the village", village, "GET", outsider + "/family", nil, 404, "", true},
				{"death outside the village", village, "POST", outsider + "/death", map[string]any{"date": "2023-01-01"}, 404, "", true},
				{"marry someone outside the village", village, "POST", husband + "/marriages", map[string]any{"spouse": apiIDOf(outsider), "from": "2022-01-01"}, 404, "spouse", true},
				{"search another village", village, "GET", "/api/v1/persons?region=" + webtest.OtherVillage, nil, 403, "", true},
				{"supervisor writes", super, "POST", wife + "/death", map[string]any{"date": "2023-01-01"}, 403, "", true},
				{"supervisor registers", super, "POST", "/api/v1/persons", map[string]any{"name": "赵六"}, 403, "", true},
				{"administrator reads the registry", admin, "GET", husband, nil, 403, "", true},
				{"unknown person", county, "GET", "/api/v1/persons/341523/999999", nil, 404, "", false},
				{"malformed county", county, "GET", "/api/v1/persons/34x/1", nil, 400, "county", false},
				{"bad limit", county, "GET", "/api/v1/persons?limit=501", nil, 400, "limit", false},
			}
			for _, tt := range tests {
				before := ts.DeniedCount()
				code, body := ts.Call(tt.c, tt.method, tt.path, tt.body)
				if code != tt.wantCode || apiErrField(body) != tt.wantField {
					t.Errorf("%s: %d %v, want %d with field %q", tt.name, code, body, tt.wantCode, tt.wantField)
				}
				if got := ts.DeniedCount() - before; got != map[bool]int{true: 1, false: 0}[tt.denied] {
					t.Errorf("%s: %d access.denied entries written, want denied=%v", tt.name, got, tt.denied)
				}
			}
			// The supervisor reads what the county holds, and nothing changed.
			if code, body := ts.Call(super, "GET", wife, nil); code != 200 || body["person"].(map[string]any)["death"] != nil {
				t.Errorf("supervisor reads = %d %v", code, body)
			}
		})
	}
}

func TestRosterAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			county := ts.Login("county", "county1234")
			village := ts.Login("village", "village1234")
			a, b := webtest.PersonID("1962-03-01", true, 21), webtest.PersonID("1964-12-31", false, 22)
			header := "身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质,养老保险,民族,住址,电话\n"
			good := header + a + ",张三,男,1962-03-01," + webtest.HomeVillage + ",农业,无,汉族,东苑社区1号,13800138000\n" +
				b + ",李四,,," + webtest.HomeVillage + ",农业,城乡居民,,,\n"
			bad := good + a + ",张三,男,1962-03-01," + webtest.HomeVillage + ",农业,,,,\n" + ",王五,女,1970-01-01," + webtest.OtherVillage + ",城镇,,,,\n"

			// A dry run lists every problem and saves nothing.
			code, body := ts.Upload(village, "/api/v1/import/persons?dry_run=1", []byte(bad), true)
			res, _ := body["result"].(map[string]any)
			problems, _ := res["problems"].([]any)
			if code != 200 || len(problems) != 2 {
				t.Fatalf("dry run = %d %v, want 200 with 2 problems", code, body)
			}
			p0 := problems[0].(map[string]any)
			if p0["row"].(float64) != 4 || p0["col"].(float64) != 1 || !strings.Contains(p0["zh"].(string), "与第2行") {
				t.Errorf("first problem = %v, want row 4, column 1, a duplicate of row 2", p0)
			}
			p1 := problems[1].(map[string]any)
			if p1["row"].(float64) != 5 || p1["col"].(float64) != 5 || !strings.Contains(p1["zh"].(string), "不在您的管辖范围") {
				t.Errorf("second problem = %v, want row 5, column 5 out of scope", p1)
			}
			// The real import of the same file: 400, the problems, nothing saved.
			code, body = ts.Upload(village, "/api/v1/import/persons", []byte(bad), false)
			e, _ := body["error"].(map[string]any)
			if list, _ := e["problems"].([]any); code != 400 || len(list) != 2 || e["field"] != "rows[4].id_number" ||
				!strings.HasPrefix(e["message"].(string), "第4行 第1列（身份证号）：") {
				t.Errorf("import with problems = %d %v", code, body)
			}
			if n := ts.PersonCount(); n != 0 {
				t.Fatalf("%d persons saved by a failed import", n)
			}
			// A good file: the dry run previews with masked numbers, then the import saves.
			code, body = ts.Upload(village, "/api/v1/import/persons?dry_run=true", []byte(good), false)
			preview, _ := body["preview"].([]any)
			if code != 200 || len(preview) != 2 || preview[0].(map[string]any)["id_number"] != idcard.Number(a).Masked() || ts.PersonCount() != 0 {
				t.Errorf("dry run of a good file = %d %v", code, body)
			}
			code, body = ts.Upload(village, "/api/v1/import/persons", []byte(good), true)
			if res, _ := body["result"].(map[string]any); code != 201 || res["created"].(float64) != 2 || ts.PersonCount() != 2 {
				t.Fatalf("import = %d %v", code, body)
			}
			code, body = ts.Upload(village, "/api/v1/import/persons", []byte(good), true)
			if e, _ := body["error"].(map[string]any); code != 400 || len(e["problems"].([]any)) != 2 || !strings.Contains(e["message"].(string), "已登记") {
				t.Errorf("second import of the same file = %d %v, want both rows already registered", code, body)
			}

			// Export: unmasked, in the import's columns; the round trip holds.
			for _, f := range []string{"csv", "xlsx", "csv&encoding=gbk"} {
				resp, err := county.Get(ts.URL + "/api/v1/export/persons?format=" + f)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("export %s = %d %s", f, resp.StatusCode, data)
				}
				table, err := sheet.Open(bytes.NewReader(data), "")
				if err != nil {
					t.Fatal(err)
				}
				ro, err := registry.ParseRoster(table, registry.RosterOptions{})
				if err != nil || len(ro.Problems) != 0 || len(ro.Rows) != 2 {
					t.Fatalf("export %s read back: %v %+v", f, err, ro)
				}
				if got := ro.Rows[0].Person; got.IDNumber != a || got.Name != "张三" || got.Phone != "13800138000" || got.Address != "东苑社区1号" {
					t.Errorf("export %s first row = %+v", f, got)
				}
			}
			if code, body := ts.Call(county, "GET", "/api/v1/export/persons?format=pdf", nil); code != 400 || apiErrField(body) != "format" {
				t.Errorf("export as pdf = %d %v", code, body)
			}
			before := ts.DeniedCount()
			if code, _ := ts.Call(village, "GET", "/api/v1/export/persons?region="+webtest.OtherVillage, nil); code != 403 || ts.DeniedCount() != before+1 {
				t.Errorf("export of another village = %d, want 403 and an access.denied entry", code)
			}
			var exports int
			ts.DB.View(context.Background(), func(tx *store.Tx) error {
				return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'person.export'`).Scan(&exports)
			})
			if exports != 3 {
				t.Errorf("%d exports audited, want 3", exports)
			}
		})
	}
}

// TestPersonOutsideScopeIsAudited opens, as the officer of one village, a
// person of another village through each door: both answer 404, as for
// a person who does not exist, and both leave an access.denied entry on
// the officer's chain naming the person, their village and the door.
func TestPersonOutsideScopeIsAudited(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			outsider := ts.apiRegister(ts.Login("county", "county1234"), map[string]any{"id_number": webtest.PersonID("1970-01-01", false, 14),
				"name": "王五", "sex": "F", "birth": "1970-01-01", "region": webtest.OtherVillage, "hukou_type": "urban"})
			id := apiIDOf(outsider)
			api := ts.Login("village", "village1234")
			page := ts.Browser().Login("village", "village1234")
			tests := []struct {
				door, route string
				open        func() int
			}{
				{"api", "GET /api/v1/persons/{county}/{id}", func() int { code, _ := ts.Call(api, "GET", outsider, nil); return code }},
				{"ui", "GET /persons/{county}/{id}", func() int { return page.Get(fmt.Sprintf("/persons/341523/%d", id)).Code }},
			}
			for _, tt := range tests {
				before := ts.deniedEntries(t, "village")
				if code := tt.open(); code != http.StatusNotFound {
					t.Errorf("%s: status %d, want 404", tt.door, code)
				}
				after := ts.deniedEntries(t, "village")
				if len(after) != len(before)+1 {
					t.Fatalf("%s: %d access.denied entries of the village officer, want %d", tt.door, len(after), len(before)+1)
				}
				e := after[0]
				var detail map[string]string
				if err := json.Unmarshal([]byte(e.After), &detail); err != nil {
					t.Fatalf("%s: %v in %q", tt.door, err, e.After)
				}
				if e.County != "341523" || e.Entity != "person" || e.EntityID != strconv.FormatInt(id, 10) || e.Region != webtest.OtherVillage ||
					detail["door"] != tt.door || detail["route"] != tt.route || detail["use_case"] == "" {
					t.Errorf("%s: access.denied entry = %+v %v", tt.door, e, detail)
				}
			}
		})
	}
}

// deniedEntries returns the access.denied entries of user on the county's
// chain, newest first.
func (ts *testServer) deniedEntries(t *testing.T, user string) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	err := ts.DB.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: "341523", Limit: 1000})
		for _, e := range es {
			if e.Action == "access.denied" && e.Username == user {
				out = append(out, e)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPersonsSearchCountsPastThePage checks that a search's count never
// stops short of the rows its page returns: a page of 300 of 230 matches
// counts them all, and a page of 100 counts past it.
func TestPersonsSearchCountsPastThePage(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			const n = registry.SearchCountAhead + 30
			ts.Namesakes("欧阳测", n)
			county := ts.Login("county", "county1234")
			for _, c := range []struct {
				query       string
				rows, total int
				totalCapped bool
			}{
				{"limit=300", n, n, false},
				{"limit=100", 100, n, false},
				{"limit=20", 20, registry.SearchCountAhead + 1, true},
				{"limit=20&offset=200", 20, n, false},
			} {
				code, body := ts.Call(county, "GET", "/api/v1/persons?name="+url.QueryEscape("欧阳测")+"&"+c.query, nil)
				persons, _ := body["persons"].([]any)
				if code != 200 || len(persons) != c.rows || body["total"] != float64(c.total) || body["total_capped"] != c.totalCapped {
					t.Errorf("%s: %d, %d persons, total %v, capped %v; want %d persons, total %d, capped %v",
						c.query, code, len(persons), body["total"], body["total_capped"], c.rows, c.total, c.totalCapped)
				}
			}
		})
	}
}
