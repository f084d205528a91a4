package ui_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestUIPayments walks the finance officer's pages: accounts on the person
// page, a cycle, batches per bank, the maker–checker approval, the bank
// file, a return file previewed before it is recorded, the ledger, the
// 库册一致 report and a letter; and the refusals of the roles that may not.
func TestUIPayments(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	f := ts.Browser().Login("finance", "finance1234")
	f2 := ts.Browser().Login("finance2", "finance1234")
	c := ts.Browser().Login("county", "county1234")

	// Accounts: a bad card number is shown next to its field; finance saves,
	// the county reads the account masked and has no form.
	f.Get("/persons/341523/501").Want(200, "一卡通账户", "尚未登记一卡通账户", `action="/persons/341523/501/account"`)
	f.Post("/persons/341523/501/account", url.Values{"bank": {"103"}, "kind": {"card"}, "account_no": {"6228480402564890019"}, "holder": {"张秀英"}}).
		Want(422, `id="account_no-error"`, "校验位")
	f.Post("/persons/341523/501/account", url.Values{"bank": {"103"}, "kind": {"card"}, "account_no": {"6228480402564890018"}, "holder": {"张秀英"}})
	f.WantRedirect("/persons/341523/501?done=account_saved")
	f.Post("/persons/341523/502/account", url.Values{"bank": {"403"}, "kind": {"card"}, "account_no": {"6217994000000000010"}, "holder": {"李桂兰"}})
	f.WantRedirect("/persons/341523/502")
	c.Get("/persons/341523/501").Want(200, "6228***********0018", "中国农业银行")
	if strings.Contains(c.Body, `/account"`) {
		t.Error("the county approver sees the account form")
	}
	c.Post("/persons/341523/501/account", url.Values{"bank": {"103"}, "account_no": {"6228480402564890018"}, "holder": {"张秀英"}}).Want(403)

	// A cycle: the period is checked, the cycle generated once.
	f.Get("/payments").Want(200, "生成发放周期", "还没有发放周期")
	c.Get("/payments").Want(200, "发放周期")
	if strings.Contains(c.Body, `action="/payments/cycles"`) {
		t.Error("the county approver sees the form that generates a cycle")
	}
	c.Post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}}).Want(403)
	f.Post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024-Q5"}}).Want(422, "期间")
	f.Post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}})
	cycle := strings.Split(f.WantRedirect("/payments/cycles/341523/"), "?")[0]
	f.Post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}}).Want(422, "2024")
	f.Get(cycle).Want(200, "张秀英", "李桂兰", "待发", "按开户银行生成批次（待发 2 笔）", "341523********0023")
	f.Get(cycle).Want(200, `action="`+cycle+`/supplement"`, "补充生成")
	f.Post(cycle+"/supplement", url.Values{}).Want(422, "没有需补充的人员")
	c.Get(cycle).Want(200, "发放周期")
	if strings.Contains(c.Body, cycle+"/supplement") {
		t.Error("the county approver sees the supplementary run")
	}
	c.Post(cycle+"/supplement", url.Values{}).Want(403)
	f.Get(cycle+"?show=extra").Want(200, "没有符合条件的明细")
	// An old link past the last page of lines says so and leads back.
	f.Get(cycle+"?page=5").Want(200, "第 5 页没有记录：共 2 条，1 页", "回到最后一页")
	f.Get(cycle + "?show=bogus").Want(400)

	// Batches per bank; the maker cannot approve, a second officer can
	// when the figures match.
	f.Post(cycle+"/batches", url.Values{})
	f.WantRedirect("/payments/batches?cycle=")
	f.Get(f.Loc).Want(200, "中国农业银行", "中国邮政储蓄银行", "待审批", "960.00")
	ids := regexp.MustCompile(`/payments/batches/341523/(\d+)`).FindAllStringSubmatch(f.Body, -1)
	if len(ids) == 0 {
		t.Fatal("no batch in the list")
	}
	var abc string
	for _, m := range ids {
		f.Get("/payments/batches/341523/" + m[1])
		if strings.Contains(f.Body, "中国农业银行") {
			abc = "/payments/batches/341523/" + m[1]
			break
		}
	}
	f.Get(abc).Want(200, "此批次由您生成", "6228***********0018")
	if strings.Contains(f.Body, `name="total"`) || strings.Contains(f.Body, "6228480402564890018") {
		t.Error("the maker sees the approval form, or a full account number")
	}
	f.Post(abc+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}}).Want(403, "另一名财务人员")
	c.Post(abc+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}}).Want(403)
	f.Get(abc + "/file").Want(409)
	f2.Get(abc).Want(200, `name="total"`)
	f2.Post(abc+"/approve", url.Values{"count": {"1"}, "total": {"961"}}).Want(422, "核对不符")
	f2.Post(abc+"/approve", url.Values{"count": {"x"}, "total": {"9.999"}}).Want(422, `id="count-error"`, `id="total-error"`)
	f2.Post(abc+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}})
	f2.WantRedirect(abc + "?done=batch_approved")
	f2.Get(f2.Loc).Want(200, "已审批", "CSV（GBK）")

	// The bank file is the API's, byte for byte.
	path := strings.Replace(abc, "/payments/batches/", "/api/v1/batches/", 1)
	for _, q := range []string{"?format=csv&encoding=utf8", "?format=csv&encoding=gbk", "?format=xlsx"} {
		f.Get(abc + "/file" + q).Want(200)
		_, _, api := ts.Raw(f.C, "GET", path+"/file"+q, "", nil)
		if f.Body != string(api) {
			t.Errorf("file%s differs from the API's", q)
		}
	}
	c.Get(abc + "/file").Want(403)

	// A return file with a wrong amount is refused row by row and records
	// nothing; a good one is previewed, then recorded on confirmation.
	line := regexp.MustCompile(`<td class="mono">(\d+)</td><td>张秀英`).FindStringSubmatch(f2.Body)
	if line == nil {
		t.Fatalf("no line id on the batch page:\n%.3000s", f2.Body)
	}
	bad := "明细编号,金额,结果,入账日期\r\n" + line[1] + ",96.00,成功,2024-06-30\r\n"
	f.Multipart(abc+"/returns", nil, []byte(bad)).Want(422, "第 2 行", "整份文件未入账")
	f.Get(abc).Want(200, "已审批")
	good := "明细编号,金额,结果,入账日期\r\n" + line[1] + ",960.00,成功,2024-06-30\r\n"
	f.Multipart(abc+"/returns", nil, []byte(good)).Want(200, "确认入账", `name="content"`)
	content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(f.Body)
	f.Get(abc).Want(200, "已审批")
	f.Multipart(abc+"/returns", map[string]string{"content": html.UnescapeString(content[1]), "confirm": "1"}, nil)
	f.WantRedirect(abc + "?done=reconciled")
	f.Get(abc).Want(200, "已对账", "已发放", "2024-06-30")

	// The ledger with its chart, the report, a letter, the retries.
	f.Get("/payments/ledger?year=2024").Want(200, "<svg", `class="lv-central"`, "发放人数", "960.00")
	f.Get(cycle+"/consistency").Want(200, "库册")
	f.Get(cycle+"/letters/501").Want(200, "发放告知书", "341523********0023", "2024-06-30", "6228***********0018")
	if strings.Contains(f.Body, "341523196001010023") {
		t.Error("the letter shows the full ID number")
	}
	f.Get("/payments/retries").Want(200, "没有发放失败的明细")

	// The other bank's batch is released, then recalled before the bank
	// returns anything: a reason is required, its lines are pending again
	// and its file is void; the county approver has no recall.
	var psbc string
	for _, m := range ids {
		if p := "/payments/batches/341523/" + m[1]; p != abc {
			psbc = p
		}
	}
	f.Get(psbc).Want(200, "中国邮政储蓄银行")
	f2.Post(psbc+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}})
	f2.WantRedirect(psbc + "?done=batch_approved")
	f.Get(psbc).Want(200, "撤回此批次", `action="`+psbc+`/recall"`)
	c.Get(psbc).Want(200, "已审批")
	if strings.Contains(c.Body, "/recall") {
		t.Error("the county approver sees the recall form")
	}
	c.Post(psbc+"/recall", url.Values{"reason": {"x"}}).Want(403)
	f.Post(psbc+"/recall", url.Values{"reason": {" "}}).Want(422, `id="reason-error"`, "撤回原因")
	f.Post(psbc+"/recall", url.Values{"reason": {"开户行代码有误"}})
	f.WantRedirect(psbc + "?done=batch_recalled")
	f.Get(f.Loc).Want(200, "已撤回", "开户行代码有误", "批次已撤回")
	if strings.Contains(f.Body, "/recall\"") || strings.Contains(f.Body, psbc+"/file") {
		t.Error("the recalled batch still offers a recall or its file")
	}
	f.Get(psbc+"/file").Want(409, "已撤回")
	f.Get(cycle).Want(200, "按开户银行生成批次（待发 1 笔）")

	// Roles without payment.read see neither the menu nor the pages.
	v := ts.Browser().Login("village", "village1234")
	v.Get("/").Want(200)
	if strings.Contains(v.Body, `href="/payments"`) {
		t.Error("the village specialist sees the payments menu")
	}
	v.Get("/payments").Want(403)
	v.Get("/payments/ledger").Want(403)
	f.Get("/payments?lang=en").Want(200, "Payment cycles", "Generate a payment cycle")

	// A city reads: it picks one of its counties first.
	ts.AddStaff(t, auth.NewUser{Username: "city", Name: "市卫健委", Role: auth.RoleCity, Region: "341500", Password: "city12345678"})
	city := ts.Browser().Login("city", "city12345678")
	city.Get("/payments").Want(200, "请选择县（区）", `href="/payments?county=341523"`)
	city.Get("/payments?county=341523").Want(200, "农村部分计划生育家庭奖励扶助")
	if strings.Contains(city.Body, `action="/payments/cycles"`) {
		t.Error("the city sees the form that generates a cycle")
	}
	city.Get("/payments/ledger?year=2024").Want(200, "舒城县", "<svg")
}
