package api_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

func TestPaymentAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.PaySeed()
			fin, fin2, county := ts.Login("finance", "finance1234"), ts.Login("finance2", "finance1234"), ts.Login("county", "county1234")
			denied := ts.DeniedCount()

			// Accounts: finance only, validated.
			acc := map[string]any{"bank": "103", "account_no": "6228480402564890018", "holder": "张秀英"}
			if code, body := ts.Call(county, "PUT", "/api/v1/persons/341523/501/account", acc); code != 403 {
				t.Errorf("county approver edited an account: %d %v", code, body)
			}
			bad := map[string]any{"bank": "103", "account_no": "6228480402564890019", "holder": "张秀英"}
			if code, body := ts.Call(fin, "PUT", "/api/v1/persons/341523/501/account?lang=en", bad); code != 400 || !strings.Contains(webtest.ErrMessage(body), "Luhn") {
				t.Errorf("bad card number: %d %v", code, body)
			}
			code, body := ts.Call(fin, "PUT", "/api/v1/persons/341523/501/account", acc)
			if code != 200 || body["account"].(map[string]any)["account_no"] != "6228***********0018" {
				t.Fatalf("put account: %d %v", code, body)
			}
			ts.Call(fin, "PUT", "/api/v1/persons/341523/502/account", map[string]any{"bank": "403", "account_no": "6217994000000000010", "holder": "李桂兰"})
			if code, body := ts.Call(county, "GET", "/api/v1/persons/341523/501/account", nil); code != 200 || body["account"].(map[string]any)["bank_name"] != "中国农业银行" {
				t.Errorf("get account: %d %v", code, body)
			}

			// Parameters are rules: the county sets them, finance cannot.
			if code, _ := ts.Call(fin, "PUT", "/api/v1/payment-params/341523", map[string]string{"tf_period": "month"}); code != 403 {
				t.Errorf("finance set a parameter: %d", code)
			}
			if code, body := ts.Call(county, "PUT", "/api/v1/payment-params/341523", map[string]string{"enquiry_phone": "0564-8621234"}); code != 200 {
				t.Errorf("set parameter: %d %v", code, body)
			}

			// Cycle.
			req := map[string]string{"county": "341523", "program": "jf", "period": "2024"}
			if code, _ := ts.Call(county, "POST", "/api/v1/payment-cycles", req); code != 403 {
				t.Errorf("county approver generated a cycle: %d", code)
			}
			code, body = ts.Call(fin, "POST", "/api/v1/payment-cycles", req)
			if code != 201 {
				t.Fatalf("cycle: %d %v", code, body)
			}
			cycle := webtest.Num(body["cycle"].(map[string]any)["id"])
			if code, body := ts.Call(fin, "POST", "/api/v1/payment-cycles", req); code != 409 || webtest.ErrKind(body) != "conflict" {
				t.Errorf("second cycle: %d %v", code, body)
			}
			// A supplementary run: finance only, and nobody is missing yet.
			sup := fmt.Sprintf("/api/v1/payment-cycles/341523/%d/supplement", cycle)
			if code, _ := ts.Call(county, "POST", sup, nil); code != 403 {
				t.Errorf("county approver supplemented a cycle: %d", code)
			}
			if code, body := ts.Call(fin, "POST", sup, nil); code != 409 || webtest.ErrKind(body) != "conflict" {
				t.Errorf("supplement with nobody missing: %d %v", code, body)
			}
			if code, _ := ts.Call(fin, "POST", "/api/v1/payment-cycles/341522/1/supplement", nil); code != 403 {
				t.Errorf("supplement out of the county: %d", code)
			}
			if code, body := ts.Call(county, "GET", "/api/v1/payment-cycles?county=341523", nil); code != 200 || len(body["cycles"].([]any)) != 1 {
				t.Errorf("list cycles: %d %v", code, body)
			}
			code, body = ts.Call(county, "GET", fmt.Sprintf("/api/v1/payment-cycles/341523/%d", cycle), nil)
			if code != 200 || len(body["lines"].([]any)) != 2 {
				t.Fatalf("get cycle: %d %v", code, body)
			}

			// Batches, maker–checker, file.
			code, body = ts.Call(fin, "POST", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/batches", cycle), nil)
			if code != 201 || len(body["batches"].([]any)) != 2 {
				t.Fatalf("batches: %d %v", code, body)
			}
			b := body["batches"].([]any)[0].(map[string]any)
			batch := webtest.Num(b["id"])
			if it := b["items"].([]any)[0].(map[string]any); it["id_number"] != "341523********0023" {
				t.Errorf("batch item shows %v", it["id_number"])
			}
			appr := map[string]any{"count": b["count"], "total_fen": b["total_fen"]}
			path := fmt.Sprintf("/api/v1/batches/341523/%d", batch)
			if code, _, _ := ts.Raw(fin, "GET", path+"/file", "", nil); code != 409 {
				t.Errorf("file before approval: %d", code)
			}
			if code, _ := ts.Call(fin, "POST", path+"/approve", appr); code != 403 {
				t.Errorf("maker approved: %d", code)
			}
			if code, _ := ts.Call(county, "POST", path+"/approve", appr); code != 403 {
				t.Errorf("county approver released money: %d", code)
			}
			if code, body := ts.Call(fin2, "POST", path+"/approve", appr); code != 200 || body["batch"].(map[string]any)["status"] != "approved" {
				t.Fatalf("approve: %d %v", code, body)
			}
			for _, f := range []struct{ query, ctype, contains string }{
				{"", "text/csv; charset=utf-8", "张秀英"},
				{"?format=csv&encoding=gbk", "text/csv; charset=gb18030", "6228480402564890018"},
				{"?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
			} {
				code, ctype, first := ts.Raw(fin, "GET", path+"/file"+f.query, "", nil)
				_, _, again := ts.Raw(fin, "GET", path+"/file"+f.query, "", nil)
				if code != 200 || ctype != f.ctype || !bytes.Contains(first, []byte(f.contains)) || !bytes.Equal(first, again) {
					t.Errorf("file%s: %d %s, %d bytes, same twice %v", f.query, code, ctype, len(first), bytes.Equal(first, again))
				}
			}
			if code, _, _ := ts.Raw(county, "GET", path+"/file", "", nil); code != 403 {
				t.Errorf("county approver took the bank file: %d", code)
			}
			if n := ts.ActionCount("341523", "payment_batch.file"); n != 6 {
				t.Errorf("%d downloads of the bank file audited, want 6", n)
			}

			// Return file: bad cells are reported by row and column.
			line := webtest.Num(b["items"].([]any)[0].(map[string]any)["line_id"])
			code, _, out := ts.Raw(fin, "POST", path+"/returns?lang=en", "text/csv", []byte("明细编号,金额,结果\r\n"+fmt.Sprint(line)+",abc,成功\r\n"))
			if code != 400 || !strings.Contains(string(out), "row 2, column 2 (amount)") {
				t.Errorf("bad return file: %d %s", code, out)
			}
			code, _, out = ts.Raw(fin, "POST", path+"/returns", "text/csv", []byte("明细编号,金额,结果,入账日期\r\n"+fmt.Sprint(line)+",960.00,成功,2024-06-30\r\n"))
			if code != 200 || !strings.Contains(string(out), `"paid":1`) {
				t.Fatalf("returns: %d %s", code, out)
			}

			if code, body := ts.Call(county, "GET", "/api/v1/ledger?year=2024", nil); code != 200 || body["text"] != "2024 年 发放 1 人 0.1 万元，其中县级 0.0 万元" {
				t.Errorf("ledger: %d %v", code, body)
			}
			code, ctype, page := ts.Raw(county, "GET", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/letters/501", cycle), "", nil)
			if code != 200 || ctype != "text/html; charset=utf-8" || !strings.Contains(string(page), "0564-8621234") || strings.Contains(string(page), "341523196001010023") {
				t.Errorf("letter: %d %s", code, ctype)
			}
			if code, body := ts.Call(county, "GET", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/consistency", cycle), nil); code != 200 || body["consistent"] != true {
				t.Errorf("consistency: %d %v", code, body)
			}
			if code, body := ts.Call(fin, "GET", "/api/v1/retries?county=341523", nil); code != 200 || len(body["retries"].([]any)) != 0 {
				t.Errorf("retries: %d %v", code, body)
			}
			if code, _ := ts.Call(fin, "POST", "/api/v1/retries/341523/batches", nil); code != 409 {
				t.Errorf("retry with nothing failed: %d", code)
			}

			// A suspected death: raised by finance, verified by the county.
			// 李桂兰's line waits in the draft 邮储 batch: the hold takes it out,
			// leaving the batch empty, which goes.
			if code, body := ts.Call(fin, "POST", "/api/v1/persons/341523/502/payment-hold", map[string]string{"reason": "公安死亡注销"}); code != 200 || webtest.Num(body["lines_held"]) != 1 {
				t.Errorf("hold: %d %v", code, body)
			}
			if code, body := ts.Call(fin, "POST", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/batches", cycle), nil); code != 409 {
				t.Errorf("batches after the hold: %d %v", code, body)
			}
			if code, body := ts.Call(county, "GET", "/api/v1/batches?county=341523", nil); code != 200 || len(body["batches"].([]any)) != 1 {
				t.Errorf("list batches: %d %v", code, body)
			}
			if ts.DeniedCount() <= denied {
				t.Error("refusals were not audited")
			}
		})
	}
}

func countAction(es []audit.Entry, action string) int {
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}
