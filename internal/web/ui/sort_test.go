package ui_test

import (
	"bytes"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

func TestUIListSort(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testUIListSort(t, engine) })
	}
}

// inOrder fails unless the body shows the names in this order.
func inOrder(t *testing.T, what, body string, names ...string) {
	t.Helper()
	last := -1
	for _, n := range names {
		i := strings.Index(body, ">"+n+"<")
		if i < 0 || i < last {
			t.Errorf("%s: want %v in that order; %q at %d after %d", what, names, n, i, last)
			return
		}
		last = i
	}
}

// headerLink returns the href of the sortable header whose link text
// starts with label.
func headerLink(t *testing.T, body, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<a class="sort" href="([^"]+)">` + regexp.QuoteMeta(label) + `<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sortable header %q in:\n%.3000s", label, body)
	}
	return html.UnescapeString(m[1])
}

func testUIListSort(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	ts.seedFamily(t) // 王建国 1962-03-01, 李秀英 1964-12-31, 王小红 1988-06-01
	v := ts.Browser().Login("village", "village1234")

	// The default order is by name (code point order: 李 < 王, 小 < 建).
	v.Get("/persons?region=341523100001").Want(200, `aria-sort="ascending"`)
	inOrder(t, "by name", v.Body, "李秀英", "王小红", "王建国")

	// The birth date header sorts by birth date, keeping the filter and
	// leaving the page; a second click reverses the order.
	v.Get("/persons?region=341523100001&alive=1&page=1")
	birth := headerLink(t, v.Body, "出生日期")
	if !strings.Contains(birth, "region=341523100001") || !strings.Contains(birth, "alive=1") || !strings.Contains(birth, "sort=birth") ||
		strings.Contains(birth, "page=") || strings.Contains(birth, "order=desc") {
		t.Errorf("birth header link = %q", birth)
	}
	v.Get(birth).Want(200)
	inOrder(t, "by birth", v.Body, "王建国", "李秀英", "王小红")
	if !regexp.MustCompile(`<th scope="col" aria-sort="ascending"><a class="sort" href="[^"]*">出生日期`).MatchString(v.Body) {
		t.Errorf("the birth column is not marked aria-sort=ascending:\n%.3000s", v.Body)
	}
	desc := headerLink(t, v.Body, "出生日期")
	if !strings.Contains(desc, "order=desc") {
		t.Errorf("second click on birth = %q, want order=desc", desc)
	}
	v.Get(desc).Want(200, `aria-sort="descending"`, "▼", `name="sort" value="birth"`, `name="order" value="desc"`)
	inOrder(t, "by birth, descending", v.Body, "王小红", "李秀英", "王建国")

	// The Excel export of the list keeps the order.
	m := regexp.MustCompile(`href="(/persons/export\.xlsx\?[^"]+)"`).FindStringSubmatch(v.Body)
	if m == nil {
		t.Fatal("no export link")
	}
	if got := exportNames(t, v, html.UnescapeString(m[1])); strings.Join(got, ",") != "王小红,李秀英,王建国" {
		t.Errorf("export rows = %v, want the page's order", got)
	}

	// A key the list does not offer is refused, with the field named.
	v.Get("/persons?region=341523100001&sort=phone").Want(400, "sort")
	v.Get("/persons?region=341523100001&sort=name&order=sideways").Want(400, "order")
	v.Get("/persons/export.xlsx?region=341523100001&sort=phone").Want(400)

	// The roll, the worklist and a cycle's lines sort by their headers too.
	c := ts.Browser().Login("county", "county1234")
	c.Get("/roll?sort=name&order=desc").Want(200)
	c.Get("/roll?sort=id").Want(400, "sort")
	c.Get("/roll/export.xlsx?sort=id").Want(400)
	c.Get("/cases?sort=state&order=desc").Want(200)
	c.Get("/cases?sort=person_id").Want(400, "sort")

	// The API: the same keys, and a bad one is a 400 naming its field.
	api := ts.Login("village", "village1234")
	code, body := ts.Call(api, "GET", "/api/v1/persons?region=341523100001&sort=birth&order=desc", nil)
	if code != 200 || body["sort"] != "birth" || body["order"] != "desc" {
		t.Fatalf("GET /api/v1/persons sorted: %d %v", code, body)
	}
	var names []string
	for _, p := range body["persons"].([]any) {
		names = append(names, p.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "王小红,李秀英,王建国" {
		t.Errorf("API persons by birth, descending: %v", names)
	}
	fin := ts.Login("finance", "finance1234")
	county := ts.Login("county", "county1234")
	for _, tc := range []struct {
		c     *http.Client
		path  string
		field string
	}{
		{api, "/api/v1/persons?sort=phone", "sort"},
		{api, "/api/v1/persons?order=up", "order"},
		{county, "/api/v1/cases?sort=updated_at", "sort"},
		{county, "/api/v1/cases?sort=state&order=DESC", "order"},
		{county, "/api/v1/roll?sort=exit_reason", "sort"},
		{fin, "/api/v1/payment-cycles/341523/1?sort=note", "sort"},
	} {
		code, body := ts.Call(tc.c, "GET", tc.path, nil)
		e, _ := body["error"].(map[string]any)
		if code != http.StatusBadRequest || e["field"] != tc.field {
			t.Errorf("GET %s: %d %v, want 400 naming %s", tc.path, code, body, tc.field)
		}
	}
	for _, path := range []string{"/api/v1/cases?sort=name&order=desc&limit=5", "/api/v1/roll?sort=start_year&offset=0"} {
		if code, body := ts.Call(county, "GET", path, nil); code != 200 {
			t.Errorf("GET %s: %d %v", path, code, body)
		}
	}
}

// exportNames downloads an export of the person list and returns the
// names of its rows in order.
func exportNames(t *testing.T, p *webtest.Page, path string) []string {
	t.Helper()
	req, _ := http.NewRequest("GET", p.URL+path, nil)
	resp, err := p.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %.500s", path, resp.StatusCode, b)
	}
	tab, err := sheet.Open(bytes.NewReader(b), "")
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	var names []string
	err = tab.Each(func(n int, cells []string) bool {
		if col < 0 {
			for i, c := range cells {
				if strings.Contains(c, "姓名") {
					col = i
				}
			}
			return true
		}
		if col < len(cells) && cells[col] != "" {
			names = append(names, cells[col])
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}
