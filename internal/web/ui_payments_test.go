package web

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// multipart posts fields and, unless file is nil, a file named file.csv
// as a multipart form.
func (p *page) multipart(path string, fields map[string]string, file []byte) *page {
	p.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "file.csv")
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", p.ts.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p.body, p.code, p.loc = string(b), resp.StatusCode, resp.Header.Get("Location")
	return p
}

// wantRedirect checks that the last answer sent the browser on to a path
// starting with prefix, and returns that location.
func (p *page) wantRedirect(prefix string) string {
	p.t.Helper()
	if p.code != http.StatusSeeOther || !strings.HasPrefix(p.loc, prefix) {
		p.t.Fatalf("status %d to %q, want a redirect to %s…; body:\n%.2000s", p.code, p.loc, prefix, p.body)
	}
	return p.loc
}

// TestUIPayments walks the finance officer's pages: accounts on the person
// page, a cycle, batches per bank, the maker–checker approval, the bank
// file, a return file previewed before it is recorded, the ledger, the
// 库册一致 report and a letter; and the refusals of the roles that may not.
func TestUIPayments(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	ts.paySeed()
	f := ts.browser().login("finance", "finance1234")
	f2 := ts.browser().login("finance2", "finance1234")
	c := ts.browser().login("county", "county1234")

	// Accounts: a bad card number is shown next to its field; finance saves,
	// the county reads the account masked and has no form.
	f.get("/persons/341523/501").want(200, "一卡通账户", "尚未登记一卡通账户", `action="/persons/341523/501/account"`)
	f.post("/persons/341523/501/account", url.Values{"bank": {"103"}, "kind": {"card"}, "account_no": {"6228480402564890019"}, "holder": {"张秀英"}}).
		want(422, `id="account_no-error"`, "校验位")
	f.post("/persons/341523/501/account", url.Values{"bank": {"103"}, "kind": {"card"}, "account_no": {"6228480402564890018"}, "holder": {"张秀英"}})
	f.wantRedirect("/persons/341523/501?done=account_saved")
	f.post("/persons/341523/502/account", url.Values{"bank": {"403"}, "kind": {"card"}, "account_no": {"6217994000000000010"}, "holder": {"李桂兰"}})
	f.wantRedirect("/persons/341523/502")
	c.get("/persons/341523/501").want(200, "6228***********0018", "中国农业银行")
	if strings.Contains(c.body, `/account"`) {
		t.Error("the county approver sees the account form")
	}
	c.post("/persons/341523/501/account", url.Values{"bank": {"103"}, "account_no": {"6228480402564890018"}, "holder": {"张秀英"}}).want(403)

	// A cycle: the period is checked, the cycle generated once.
	f.get("/payments").want(200, "生成发放周期", "还没有发放周期")
	c.get("/payments").want(200, "发放周期")
	if strings.Contains(c.body, `action="/payments/cycles"`) {
		t.Error("the county approver sees the form that generates a cycle")
	}
	c.post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}}).want(403)
	f.post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024-Q5"}}).want(422, "期间")
	f.post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}})
	cycle := strings.Split(f.wantRedirect("/payments/cycles/341523/"), "?")[0]
	f.post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}}).want(422, "2024")
	f.get(cycle).want(200, "张秀英", "李桂兰", "待发", "按开户银行生成批次（待发 2 笔）", "341523********0023")
	f.get(cycle).want(200, `action="`+cycle+`/supplement"`, "补充生成")
	f.post(cycle+"/supplement", url.Values{}).want(422, "没有需补充的人员")
	c.get(cycle).want(200, "发放周期")
	if strings.Contains(c.body, cycle+"/supplement") {
		t.Error("the county approver sees the supplementary run")
	}
	c.post(cycle+"/supplement", url.Values{}).want(403)
	f.get(cycle+"?show=extra").want(200, "没有符合条件的明细")
	f.get(cycle + "?show=bogus").want(400)

	// Batches per bank; the maker cannot approve, a second officer can
	// when the figures match.
	f.post(cycle+"/batches", url.Values{})
	f.wantRedirect("/payments/batches?cycle=")
	f.get(f.loc).want(200, "中国农业银行", "中国邮政储蓄银行", "待审批", "960.00")
	ids := regexp.MustCompile(`/payments/batches/341523/(\d+)`).FindAllStringSubmatch(f.body, -1)
	if len(ids) == 0 {
		t.Fatal("no batch in the list")
	}
	var abc string
	for _, m := range ids {
		f.get("/payments/batches/341523/" + m[1])
		if strings.Contains(f.body, "中国农业银行") {
			abc = "/payments/batches/341523/" + m[1]
			break
		}
	}
	f.get(abc).want(200, "此批次由您生成", "6228***********0018")
	if strings.Contains(f.body, `name="total"`) || strings.Contains(f.body, "6228480402564890018") {
		t.Error("the maker sees the approval form, or a full account number")
	}
	f.post(abc+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}}).want(403, "另一名财务人员")
	c.post(abc+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}}).want(403)
	f.get(abc + "/file").want(409)
	f2.get(abc).want(200, `name="total"`)
	f2.post(abc+"/approve", url.Values{"count": {"1"}, "total": {"961"}}).want(422, "核对不符")
	f2.post(abc+"/approve", url.Values{"count": {"x"}, "total": {"9.999"}}).want(422, `id="count-error"`, `id="total-error"`)
	f2.post(abc+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}})
	f2.wantRedirect(abc + "?done=batch_approved")
	f2.get(f2.loc).want(200, "已审批", "CSV（GBK）")

	// The bank file is the API's, byte for byte.
	path := strings.Replace(abc, "/payments/batches/", "/api/v1/batches/", 1)
	for _, q := range []string{"?format=csv&encoding=utf8", "?format=csv&encoding=gbk", "?format=xlsx"} {
		f.get(abc + "/file" + q).want(200)
		_, _, api := ts.raw(f.c, "GET", path+"/file"+q, "", nil)
		if f.body != string(api) {
			t.Errorf("file%s differs from the API's", q)
		}
	}
	c.get(abc + "/file").want(403)

	// A return file with a wrong amount is refused row by row and records
	// nothing; a good one is previewed, then recorded on confirmation.
	line := regexp.MustCompile(`<td class="mono">(\d+)</td><td>张秀英`).FindStringSubmatch(f2.body)
	if line == nil {
		t.Fatalf("no line id on the batch page:\n%.3000s", f2.body)
	}
	bad := "明细编号,金额,结果,入账日期\r\n" + line[1] + ",96.00,成功,2024-06-30\r\n"
	f.multipart(abc+"/returns", nil, []byte(bad)).want(422, "第 2 行", "整份文件未入账")
	f.get(abc).want(200, "已审批")
	good := "明细编号,金额,结果,入账日期\r\n" + line[1] + ",960.00,成功,2024-06-30\r\n"
	f.multipart(abc+"/returns", nil, []byte(good)).want(200, "确认入账", `name="content"`)
	content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(f.body)
	f.get(abc).want(200, "已审批")
	f.multipart(abc+"/returns", map[string]string{"content": html.UnescapeString(content[1]), "confirm": "1"}, nil)
	f.wantRedirect(abc + "?done=reconciled")
	f.get(abc).want(200, "已对账", "已发放", "2024-06-30")

	// The ledger with its chart, the report, a letter, the retries.
	f.get("/payments/ledger?year=2024").want(200, "<svg", `class="lv-central"`, "发放人数", "960.00")
	f.get(cycle+"/consistency").want(200, "库册")
	f.get(cycle+"/letters/501").want(200, "发放告知书", "341523********0023", "2024-06-30", "6228***********0018")
	if strings.Contains(f.body, "341523196001010023") {
		t.Error("the letter shows the full ID number")
	}
	f.get("/payments/retries").want(200, "没有发放失败的明细")

	// Roles without payment.read see neither the menu nor the pages.
	v := ts.browser().login("village", "village1234")
	v.get("/").want(200)
	if strings.Contains(v.body, `href="/payments"`) {
		t.Error("the village specialist sees the payments menu")
	}
	v.get("/payments").want(403)
	v.get("/payments/ledger").want(403)
	f.get("/payments?lang=en").want(200, "Payment cycles", "Generate a payment cycle")

	// A city reads: it picks one of its counties first.
	ts.addStaff(t, auth.NewUser{Username: "city", Name: "市卫健委", Role: auth.RoleCity, Region: "341500", Password: "city12345678"})
	city := ts.browser().login("city", "city12345678")
	city.get("/payments").want(200, "请选择县（区）", `href="/payments?county=341523"`)
	city.get("/payments?county=341523").want(200, "农村部分计划生育家庭奖励扶助")
	if strings.Contains(city.body, `action="/payments/cycles"`) {
		t.Error("the city sees the form that generates a cycle")
	}
	city.get("/payments/ledger?year=2024").want(200, "舒城县", "<svg")
}
