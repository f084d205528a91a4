package server_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// pngBytes is the start of a PNG file and a few bytes more.
var pngBytes = append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, []byte("IHDR-photo-of-a-hukou-booklet")...)

// upload posts a document as the browser does and returns the status and
// the Location.
func upload(t *testing.T, c *http.Client, base, path, name string, data []byte, back string) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("back", back)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	c2 := *c
	c2.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c2.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// TestCitizenPortal runs the portal's paths on both engines: the family
// as the registry has it and a report of an error, which the village
// specialist finds among their tasks and resolves, the citizen then seeing
// the reply; an online birth registration with a photo of a document
// uploaded with it (type and size checked), which the village specialist
// reads and another citizen cannot; and "may I qualify?".
func TestCitizenPortal(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			wife := ts.WFFamily()
			ts.AddStaff(t, auth.NewUser{Username: "wxy", Name: "王秀英", Role: auth.RoleCitizen, Region: "341523100201",
				Person: fmt.Sprintf("341523/%d", wife.ID), Password: "orchid3valley"})
			cit := ts.Browser().Login("wxy", "orchid3valley")
			cit.Get("/self/family").Want(200, "王秀英", "张建国", "张丽", "配偶", "子女")
			if strings.Contains(cit.Body, wife.IDNumber) {
				t.Error("the family page shows the whole ID number")
			}
			cit.Post("/self/family", url.Values{"text": {"短"}}).Want(422, "至少5个字")
			cit.Post("/self/family", url.Values{"text": {"女儿张丽的出生日期应为1987年4月21日"}, "phone": {"13905641234"}})
			if cit.Code != 303 {
				t.Fatalf("report = %d %s", cit.Code, cit.Body)
			}
			staff := ts.Browser().Login("czg", "cz123456")
			staff.Get("/family-reports").Want(200, "女儿张丽的出生日期应为1987年4月21日", "王秀英")
			other := ts.Browser().Login("village", "village1234") // 东苑社区: not this village
			other.Get("/family-reports").Want(200)
			if strings.Contains(other.Body, "张丽的出生日期") {
				t.Error("another village's specialist sees the report")
			}
			reports, err := ts.App.FamilyReports(t.Context(), auth.System, "341523", "open")
			if err != nil || len(reports) != 1 {
				t.Fatalf("reports %v %v", reports, err)
			}
			path := fmt.Sprintf("/family-reports/341523/%d", reports[0].ID)
			other.Post(path, url.Values{"version": {"1"}, "note": {"已核实并更正出生日期"}})
			if other.Code != 404 && other.Code != 403 {
				t.Errorf("another village resolves = %d", other.Code)
			}
			staff.Post(path, url.Values{"version": {"1"}, "note": {"已核实户口簿，更正出生日期"}})
			if staff.Code != 303 {
				t.Fatalf("resolve = %d %s", staff.Code, staff.Body)
			}
			cit.Get("/self/family").Want(200, "已核实户口簿，更正出生日期")
			if n := ts.ActionCount("341523", "family_report.resolve"); n != 1 {
				t.Errorf("%d resolutions audited", n)
			}

			cit.Get("/self/qualify").Want(200, "为什么")
			cit.Get("/self/birth").Want(200, "张建国")
			cit.Post("/self/birth", url.Values{"spouse": {fmt.Sprint(wife.ID + 1)}, "expected": {"2024-09-01"}, "expecting": {"1"}})
			loc := cit.WantRedirect("/self/births/341523/")
			regPath := strings.SplitN(strings.TrimPrefix(loc, "/self/births/"), "?", 2)[0]
			cit.Get("/self/births/"+regPath).Want(200, "下载生育登记服务单")
			docPath := "/documents/birth_registration/" + regPath
			c := cit.C
			if code, to := upload(t, c, ts.URL, docPath, "户口簿.png", pngBytes, "/self/births/"+regPath); code != 303 || !strings.Contains(to, "done=document_uploaded") {
				t.Fatalf("upload = %d %s", code, to)
			}
			if code, to := upload(t, c, ts.URL, docPath, "说明.txt", []byte("not a photo"), "/self/track"); code != 303 || !strings.Contains(to, "upload_error=type") {
				t.Errorf("a text file = %d %s", code, to)
			}
			big := append(append([]byte{}, pngBytes...), make([]byte, 5<<20)...)
			if code, to := upload(t, c, ts.URL, docPath, "大.png", big, "/self/track"); code != 303 || !strings.Contains(to, "upload_error=size") {
				t.Errorf("a file over 5 MB = %d %s", code, to)
			}
			cit.Get("/self/track?upload_error=type").Want(200, "户口簿.png", "只能上传照片")
			cit.Get("/self/track?upload_error=<script>").Want(200)
			if strings.Contains(cit.Body, "<script>") {
				t.Error("the tracking page shows text of its address")
			}
			// A photo with the citizen's reward case (the tracking page's
			// form), which the village reads on the case page.
			code, out := ts.Call(c, "POST", "/api/v1/self/applications", map[string]any{"program": "jf", "year": 2024,
				"declared":    map[string]any{"hukou_type": "rural", "marriage": "1986年初婚", "births": "1987年生育一女", "adoptions": "无", "surviving_children": 1},
				"attachments": []string{"身份证"}, "pledge": true})
			if code != 201 {
				t.Fatalf("application = %d %v", code, out)
			}
			casePath := fmt.Sprintf("341523/%d", webtest.Num(webtest.Field(out, "case", "id")))
			if code, to := upload(t, c, ts.URL, "/documents/case/"+casePath, "结婚证.png", pngBytes, "/self/track"); code != 303 || !strings.Contains(to, "document_uploaded") {
				t.Fatalf("upload with the case = %d %s", code, to)
			}
			staff.Get("/cases/"+casePath).Want(200, "结婚证.png")
			// The village accepts it: the tracking page shows the step, its
			// office and its day.
			if code, out := ts.Call(staff.C, "POST", "/api/v1/cases/"+casePath+"/accept", map[string]any{"note": "材料齐全"}); code != 200 {
				t.Fatalf("accept = %d %v", code, out)
			}
			cit.Get("/self/track").Want(200, "（村专干） · 2024-05-06")
			if code, to := upload(t, stranger0(t, ts), ts.URL, "/documents/case/"+casePath, "x.png", pngBytes, "/self/track"); code == 303 && strings.Contains(to, "document_uploaded") {
				t.Errorf("another village's specialist uploads with the case: %d %s", code, to)
			}
			docs, err := ts.App.Documents(t.Context(), auth.System, "birth_registration", "341523", mustID(t, regPath))
			if err != nil || len(docs) != 1 {
				t.Fatalf("documents %v %v", docs, err)
			}
			get := fmt.Sprintf("%s/%d", docPath, docs[0].ID)
			code, ctype, body := ts.Raw(staff.C, "GET", get, "", nil)
			if code != 200 || ctype != "image/png" || !bytes.Equal(body, pngBytes) {
				t.Errorf("the village reads the document: %d %s %d bytes", code, ctype, len(body))
			}
			// The mother cancels her registration from her own page.
			cit.Get("/self/births/"+regPath).Want(200, `action="/births/`+regPath+`/cancel"`)
			cit.Post("/births/"+regPath+"/cancel", url.Values{"version": {"1"}, "reason": {"duplicate"}})
			if cit.Code != 303 || !strings.HasPrefix(cit.Loc, "/self/births/"+regPath) {
				t.Errorf("cancel = %d %s", cit.Code, cit.Loc)
			}
			stranger := ts.Browser().Login("village", "village1234")
			if code, _, _ := ts.Raw(stranger.C, "GET", get, "", nil); code != 404 && code != 403 {
				t.Errorf("another village reads the document: %d", code)
			}
		})
	}
}

// stranger0 is the client of the village specialist of 东苑社区, outside
// the family's village.
func stranger0(t *testing.T, ts *testServer) *http.Client {
	t.Helper()
	return ts.Browser().Login("village", "village1234").C
}

func mustID(t *testing.T, countyID string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(strings.SplitN(countyID, "/", 2)[1], "%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}
