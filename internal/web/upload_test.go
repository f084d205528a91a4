package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/sheet/sheettest"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// testServer is the whole server over a fresh database (webtest.Server),
// with this package's own fixtures as its methods.
type testServer struct{ *webtest.Server }

func newTestServer(t *testing.T, engine store.Engine) *testServer {
	t.Helper()
	return &testServer{webtest.New(t, engine)}
}

// TestUploadBounds sends a 50 MB file and a zip bomb (2 MB that inflate to
// 2 GiB) to the doors that take a file: each is refused within a second
// and 100 MB of memory, with a message (in English too, on request), and
// nothing is saved. (The return-file page reads its upload as the roster
// page does, after finding the batch.)
func TestUploadBounds(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	village := ts.Login("village", "village1234")
	finance := ts.Login("finance", "finance1234")
	ui := ts.Browser().Login("village", "village1234")

	big := bytes.Repeat([]byte("341523196401010027,张三,女,1964-01-01,341523100001,农业\n"), 50<<20/64)
	bomb := sheettest.ZipBomb(2048, 0)
	type door struct {
		name, path string
		client     *http.Client
		form, page bool
	}
	doors := []door{
		{"API roster, body", "/api/v1/import/persons?dry_run=1", village, false, false},
		{"API roster, form", "/api/v1/import/persons", village, true, false},
		{"roster page", "/persons/import", ui.C, true, true},
		{"API return file", "/api/v1/batches/341523/1/returns", finance, false, false},
	}
	files := []struct {
		name string
		data []byte
		zh   string
	}{
		{"50 MB", big, "文件过大（最大 16 MiB）"},
		{"zip bomb", bomb, "Excel 文件解压后过大"},
	}
	for _, d := range doors {
		for _, f := range files {
			t.Run(d.name+"/"+f.name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				start := time.Now()
				code, body := ts.send(d.client, d.path, f.data, d.form, d.page)
				took := time.Since(start)
				runtime.ReadMemStats(&after)
				alloc := after.TotalAlloc - before.TotalAlloc
				t.Logf("%d in %v, %d MiB allocated", code, took.Round(time.Millisecond), alloc>>20)
				if code < 400 && !(code == 200 && d.page) && !(code == 200 && strings.Contains(d.path, "dry_run")) {
					t.Errorf("answered %d", code)
				}
				if !strings.Contains(body, f.zh) {
					t.Errorf("the answer lacks %q:\n%.1500s", f.zh, body)
				}
				if took > time.Second || alloc > 100<<20 {
					t.Errorf("refusing took %v and %d MiB", took, alloc>>20)
				}
			})
		}
	}
	if n := ts.PersonCount(); n != 0 {
		t.Errorf("%d persons saved", n)
	}
	// English on request.
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/import/persons?lang=en", bytes.NewReader(big))
	resp, err := village.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != 400 || out["error"]["message"] != "the file is too large (at most 16 MiB): split it" || out["error"]["field"] != "file" {
		t.Errorf("English answer: %d %v", resp.StatusCode, out)
	}
}

// send posts data to path as the body, or as the part "file" of a form
// (as a same-origin browser when page is set), and returns the status and
// the body of the answer.
func (ts *testServer) send(c *http.Client, path string, data []byte, form, page bool) (int, string) {
	ts.T.Helper()
	var body io.Reader = bytes.NewReader(data)
	ctype := "application/octet-stream"
	if form {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			mw.WriteField("encoding", "")
			fw, _ := mw.CreateFormFile("file", "roster.xlsx")
			fw.Write(data)
			pw.CloseWithError(mw.Close())
		}()
		body, ctype = pr, mw.FormDataContentType()
	}
	req, _ := http.NewRequest("POST", ts.URL+path, body)
	req.Header.Set("Content-Type", ctype)
	if page {
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Origin", ts.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := c.Do(req)
	if err != nil {
		ts.T.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestUndecodableRoster imports a GBK roster with two bytes GBK cannot
// decode: refused with their row and column, nothing saved.
func TestUndecodableRoster(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	village := ts.Login("village", "village1234")
	enc := simplifiedchinese.GB18030.NewEncoder()
	head, _ := enc.String("身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质\n")
	row1, _ := enc.String(webtest.PersonID("1962-03-01", true, 41) + ",张三,男,1962-03-01," + webtest.HomeVillage + ",农业\n")
	row2, _ := enc.String(webtest.PersonID("1964-03-01", false, 42) + ",李")
	rest, _ := enc.String(",女,1964-03-01," + webtest.HomeVillage + ",农业\n")
	data := []byte(head + row1 + row2 + "\xff\x81" + rest)
	for _, q := range []string{"?encoding=gbk", ""} {
		code, body := ts.Upload(village, "/api/v1/import/persons"+q, data, false)
		e, _ := body["error"].(map[string]any)
		msg, _ := e["message"].(string)
		if code != 400 || !strings.Contains(msg, "第3行") || !strings.Contains(msg, "第 2 列") || !strings.Contains(msg, "GBK/GB18030") {
			t.Errorf("import%s: %d %v", q, code, body)
		}
	}
	if n := ts.PersonCount(); n != 0 {
		t.Errorf("%d persons saved", n)
	}
}
