package ui_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestUIBankTemplates: the finance officer sets the layout of the files
// for a bank on the templates page — starting from a built-in layout,
// previewing it on a sample batch, each problem next to its field — and
// the bank's batch file follows it, from the page and the API alike, one
// file per township in a zip; the county approver reads the page but
// cannot set a template.
func TestUIBankTemplates(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	ts.PaySeed()
	f := ts.Browser().Login("finance", "finance1234")
	f2 := ts.Browser().Login("finance2", "finance1234")
	c := ts.Browser().Login("county", "county1234")

	f.Get("/payments/bank-templates").Want(200, "中国邮政储蓄银行", "通用 CSV", "默认", "bank=403#edit")
	c.Get("/payments/bank-templates?bank=403").Want(200, "中国邮政储蓄银行")
	if strings.Contains(c.Body, "#edit") || strings.Contains(c.Body, `id="edit"`) {
		t.Error("the county approver sees the template form")
	}
	f.Get("/payments/bank-templates?bank=403&from=pipe-fen-township").Want(200, `value="按乡镇分文件`, `<option value="township" selected>`,
		`<option value="amount_fen" selected>`)

	// Each problem next to its field; a preview changes nothing.
	form := url.Values{"name": {"邮储按乡镇"}, "format": {"text"}, "delimiter": {"|"}, "encoding": {"gb18030"}, "line_end": {"crlf"},
		"col1": {"account"}, "col2": {"name"}, "col3": {"amount_fen"}, "col4": {"township"}, "split": {"township"},
		"footer": {"{笔数}|{总金额分}|{乡镇代码}|"}, "trailing": {"1"}, "action": {"preview"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Del("col1")
	bad.Set("footer", "{笔数}|{合计}")
	f.Post("/payments/bank-templates/341523/403", bad).Want(422, `id="columns-error"`, `id="footer-error"`, "{合计}")
	f.Post("/payments/bank-templates/341523/403", form).Want(200, "样例预览", "6228480402564890018|张秀英|96000|城关镇|", "1|96000|341523100000|")
	f.Get("/payments/bank-templates").Want(200, "默认")
	c.Post("/payments/bank-templates/341523/403", form).Want(403)
	form.Set("action", "save")
	f.Post("/payments/bank-templates/341523/403", form)
	f.WantRedirect("/payments/bank-templates?county=341523&done=template_saved")
	f.Get(f.Loc).Want(200, "模板已保存", "邮储按乡镇", "每乡镇一个文件", "第1版")

	// A batch at 邮储 follows it.
	f.Post("/persons/341523/502/account", url.Values{"bank": {"403"}, "kind": {"card"}, "account_no": {"6217994000000000010"}, "holder": {"李桂兰"}})
	f.WantRedirect("/persons/341523/502")
	f.Post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}})
	cycle := strings.Split(f.WantRedirect("/payments/cycles/341523/"), "?")[0]
	f.Post(cycle+"/batches", url.Values{})
	f.WantRedirect("/payments/batches?cycle=")
	batch := regexp.MustCompile(`/payments/batches/341523/\d+`).FindString(f.Get(f.Loc).Body)
	f2.Post(batch+"/approve", url.Values{"count": {"1"}, "total": {"960.00"}})
	f2.WantRedirect(batch)
	f.Get(batch).Want(200, "邮储按乡镇", "下载银行文件（GBK，全部乡镇（ZIP））", `name="township"`)
	if strings.Contains(f.Body, "CSV（GBK）") {
		t.Error("the batch page offers the generic CSV of a bank with a template")
	}
	code, ctype, zipped := ts.Raw(f.C, "GET", batch+"/file", "", nil)
	if code != 200 || ctype != "application/zip" {
		t.Fatalf("file: %d %s", code, ctype)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil || len(zr.File) != 1 || !strings.HasSuffix(zr.File[0].Name, "-341523100000-gbk.txt") {
		t.Fatalf("zip %v: %v", zr, err)
	}
	rc, _ := zr.File[0].Open()
	gbk, _ := io.ReadAll(rc)
	text, _ := simplifiedchinese.GB18030.NewDecoder().String(string(gbk))
	if text != "6217994000000000010|李桂兰|96000|城关镇|\r\n1|96000|341523100000|\r\n" {
		t.Errorf("the township's file: %q", text)
	}
	api := strings.Replace(batch, "/payments/batches/", "/api/v1/batches/", 1)
	_, _, one := ts.Raw(f.C, "GET", api+"/file?township=341523100000", "", nil)
	if !bytes.Equal(one, gbk) {
		t.Errorf("the API's township file %q differs from the zip's %q", one, gbk)
	}
	if code, _, _ := ts.Raw(f.C, "GET", api+"/file?township=341523101000", "", nil); code != 404 {
		t.Errorf("a township the batch does not pay: %d", code)
	}

	// Back to the generic layout.
	f.Post("/payments/bank-templates/341523/403/reset", url.Values{"version": {"1"}})
	f.WantRedirect("/payments/bank-templates?county=341523&done=template_reset")
	f.Get(batch).Want(200, "CSV（GBK）")
}
