package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// paySeed adds a second finance officer and two 奖扶 recipients, each
// with a rural husband and one son: the roll rows are written with SQL as
// the procedure would leave them, and no batch evaluation is run, since a
// cycle decides what the roll is due when it is generated (960 yuan a
// year each under Anhui's rules for 2024).
func (ts *testServer) paySeed() {
	ts.t.Helper()
	ctx := context.Background()
	u := auth.NewUser{Username: "finance2", Name: "复核", Role: auth.RoleFinance, Region: "341523", Password: "finance1234"}
	built, err := u.Build(region.Default(), auth.TestParams)
	if err != nil {
		ts.t.Fatal(err)
	}
	err = ts.db.Update(ctx, func(tx *store.Tx) error {
		if _, err := auth.CreateUser(ctx, tx, auth.System, built); err != nil {
			return err
		}
		for i, p := range []struct {
			id        int64
			name, idn string
		}{{501, "张秀英", "341523196001010023"}, {502, "李桂兰", "341523196001020015"}} {
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO persons (county, id, id_number, name, sex, birth, region, hukou_type, created_at, updated_at)
					VALUES ('341523', ?, ?, ?, 'F', '1960-01-01', '341523100201', 'rural', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
					[]any{p.id, p.idn, p.name}},
				{`INSERT INTO recipients (county, id, person_id, program, region, confirmed, start_year, status, created_at, updated_at)
					VALUES ('341523', ?, ?, 'jf', '341523100201', '2020-03-01', 2020, 'active', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
					[]any{p.id, p.id}},
			} {
				if _, err := tx.Exec(ctx, q.sql, q.args...); err != nil {
					return err
				}
			}
			wife := registry.Key{County: "341523", ID: p.id}
			if err := tx.InsertHukouSpell(ctx, "341523", p.id, registry.HukouSpell{Type: registry.Rural, Region: "341523100201",
				From: date.MustParse("1960-01-01")}); err != nil {
				return err
			}
			if err := payFamily(ctx, tx, wife, 61+i*4); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		ts.t.Fatal(err)
	}
}

// payFamily registers a rural husband born in 1958 and a son born in
// 1985 to wife, registered in 仁和村; seq, odd, keeps ID numbers apart.
func payFamily(ctx context.Context, tx *store.Tx, wife registry.Key, seq int) error {
	reg := func(name, sex, birth string, seq int) (*registry.Record, error) {
		b := date.MustParse(birth)
		return registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: name, Sex: sex, Birth: b,
			IDNumber: string(idcard.Make("341523", b.Time(), seq)), Region: "341523100201", HukouType: registry.Rural,
			Address: "舒城县城关镇仁和村三组15号"})
	}
	h, err := reg("周德福", "M", "1958-01-01", seq)
	if err != nil {
		return err
	}
	c, err := reg("周小军", "M", "1985-05-01", seq+2)
	if err != nil {
		return err
	}
	if _, err := registry.AddMarriage(ctx, tx, auth.System, registry.Key{County: "341523", ID: h.ID}, wife,
		registry.Marriage{From: date.MustParse("1983-01-01")}, ""); err != nil {
		return err
	}
	yes := true
	for _, p := range []registry.Key{wife, {County: "341523", ID: h.ID}} {
		if _, err := registry.AddChild(ctx, tx, auth.System, p, registry.Key{County: "341523", ID: c.ID},
			registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
			return err
		}
	}
	return nil
}

// raw sends a request with a raw body and returns the status, the
// content type and the body.
func (ts *testServer) raw(c *http.Client, method, path, ctype string, body []byte) (int, string, []byte) {
	ts.t.Helper()
	req, _ := http.NewRequest(method, ts.srv.URL+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func TestPaymentAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.paySeed()
			fin, fin2, county := ts.login("finance", "finance1234"), ts.login("finance2", "finance1234"), ts.login("county", "county1234")
			denied := ts.deniedCount()

			// Accounts: finance only, validated.
			acc := map[string]any{"bank": "103", "account_no": "6228480402564890018", "holder": "张秀英"}
			if code, body := ts.call(county, "PUT", "/api/v1/persons/341523/501/account", acc); code != 403 {
				t.Errorf("county approver edited an account: %d %v", code, body)
			}
			bad := map[string]any{"bank": "103", "account_no": "6228480402564890019", "holder": "张秀英"}
			if code, body := ts.call(fin, "PUT", "/api/v1/persons/341523/501/account?lang=en", bad); code != 400 || !strings.Contains(errMessage(body), "Luhn") {
				t.Errorf("bad card number: %d %v", code, body)
			}
			code, body := ts.call(fin, "PUT", "/api/v1/persons/341523/501/account", acc)
			if code != 200 || body["account"].(map[string]any)["account_no"] != "6228***********0018" {
				t.Fatalf("put account: %d %v", code, body)
			}
			ts.call(fin, "PUT", "/api/v1/persons/341523/502/account", map[string]any{"bank": "403", "account_no": "6217994000000000010", "holder": "李桂兰"})
			if code, body := ts.call(county, "GET", "/api/v1/persons/341523/501/account", nil); code != 200 || body["account"].(map[string]any)["bank_name"] != "中国农业银行" {
				t.Errorf("get account: %d %v", code, body)
			}

			// Parameters are rules: the county sets them, finance cannot.
			if code, _ := ts.call(fin, "PUT", "/api/v1/payment-params/341523", map[string]string{"tf_period": "month"}); code != 403 {
				t.Errorf("finance set a parameter: %d", code)
			}
			if code, body := ts.call(county, "PUT", "/api/v1/payment-params/341523", map[string]string{"enquiry_phone": "0564-8621234"}); code != 200 {
				t.Errorf("set parameter: %d %v", code, body)
			}

			// Cycle.
			req := map[string]string{"county": "341523", "program": "jf", "period": "2024"}
			if code, _ := ts.call(county, "POST", "/api/v1/payment-cycles", req); code != 403 {
				t.Errorf("county approver generated a cycle: %d", code)
			}
			code, body = ts.call(fin, "POST", "/api/v1/payment-cycles", req)
			if code != 201 {
				t.Fatalf("cycle: %d %v", code, body)
			}
			cycle := num(body["cycle"].(map[string]any)["id"])
			if code, body := ts.call(fin, "POST", "/api/v1/payment-cycles", req); code != 409 || errKind(body) != "conflict" {
				t.Errorf("second cycle: %d %v", code, body)
			}
			// A supplementary run: finance only, and nobody is missing yet.
			sup := fmt.Sprintf("/api/v1/payment-cycles/341523/%d/supplement", cycle)
			if code, _ := ts.call(county, "POST", sup, nil); code != 403 {
				t.Errorf("county approver supplemented a cycle: %d", code)
			}
			if code, body := ts.call(fin, "POST", sup, nil); code != 409 || errKind(body) != "conflict" {
				t.Errorf("supplement with nobody missing: %d %v", code, body)
			}
			if code, _ := ts.call(fin, "POST", "/api/v1/payment-cycles/341522/1/supplement", nil); code != 403 {
				t.Errorf("supplement out of the county: %d", code)
			}
			if code, body := ts.call(county, "GET", "/api/v1/payment-cycles?county=341523", nil); code != 200 || len(body["cycles"].([]any)) != 1 {
				t.Errorf("list cycles: %d %v", code, body)
			}
			code, body = ts.call(county, "GET", fmt.Sprintf("/api/v1/payment-cycles/341523/%d", cycle), nil)
			if code != 200 || len(body["lines"].([]any)) != 2 {
				t.Fatalf("get cycle: %d %v", code, body)
			}

			// Batches, maker–checker, file.
			code, body = ts.call(fin, "POST", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/batches", cycle), nil)
			if code != 201 || len(body["batches"].([]any)) != 2 {
				t.Fatalf("batches: %d %v", code, body)
			}
			b := body["batches"].([]any)[0].(map[string]any)
			batch := num(b["id"])
			if it := b["items"].([]any)[0].(map[string]any); it["id_number"] != "341523********0023" {
				t.Errorf("batch item shows %v", it["id_number"])
			}
			appr := map[string]any{"count": b["count"], "total_fen": b["total_fen"]}
			path := fmt.Sprintf("/api/v1/batches/341523/%d", batch)
			if code, _, _ := ts.raw(fin, "GET", path+"/file", "", nil); code != 409 {
				t.Errorf("file before approval: %d", code)
			}
			if code, _ := ts.call(fin, "POST", path+"/approve", appr); code != 403 {
				t.Errorf("maker approved: %d", code)
			}
			if code, _ := ts.call(county, "POST", path+"/approve", appr); code != 403 {
				t.Errorf("county approver released money: %d", code)
			}
			if code, body := ts.call(fin2, "POST", path+"/approve", appr); code != 200 || body["batch"].(map[string]any)["status"] != "approved" {
				t.Fatalf("approve: %d %v", code, body)
			}
			for _, f := range []struct{ query, ctype, contains string }{
				{"", "text/csv; charset=utf-8", "张秀英"},
				{"?format=csv&encoding=gbk", "text/csv; charset=gb18030", "6228480402564890018"},
				{"?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK"},
			} {
				code, ctype, first := ts.raw(fin, "GET", path+"/file"+f.query, "", nil)
				_, _, again := ts.raw(fin, "GET", path+"/file"+f.query, "", nil)
				if code != 200 || ctype != f.ctype || !bytes.Contains(first, []byte(f.contains)) || !bytes.Equal(first, again) {
					t.Errorf("file%s: %d %s, %d bytes, same twice %v", f.query, code, ctype, len(first), bytes.Equal(first, again))
				}
			}
			if code, _, _ := ts.raw(county, "GET", path+"/file", "", nil); code != 403 {
				t.Errorf("county approver took the bank file: %d", code)
			}
			if n := ts.actionCount("341523", "payment_batch.file"); n != 6 {
				t.Errorf("%d downloads of the bank file audited, want 6", n)
			}

			// Return file: bad cells are reported by row and column.
			line := num(b["items"].([]any)[0].(map[string]any)["line_id"])
			code, _, out := ts.raw(fin, "POST", path+"/returns?lang=en", "text/csv", []byte("明细编号,金额,结果\r\n"+fmt.Sprint(line)+",abc,成功\r\n"))
			if code != 400 || !strings.Contains(string(out), "row 2, column 2 (amount)") {
				t.Errorf("bad return file: %d %s", code, out)
			}
			code, _, out = ts.raw(fin, "POST", path+"/returns", "text/csv", []byte("明细编号,金额,结果,入账日期\r\n"+fmt.Sprint(line)+",960.00,成功,2024-06-30\r\n"))
			if code != 200 || !strings.Contains(string(out), `"paid":1`) {
				t.Fatalf("returns: %d %s", code, out)
			}

			if code, body := ts.call(county, "GET", "/api/v1/ledger?year=2024", nil); code != 200 || body["text"] != "2024 年 发放 1 人 0.1 万元，其中县级 0.0 万元" {
				t.Errorf("ledger: %d %v", code, body)
			}
			code, ctype, page := ts.raw(county, "GET", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/letters/501", cycle), "", nil)
			if code != 200 || ctype != "text/html; charset=utf-8" || !strings.Contains(string(page), "0564-8621234") || strings.Contains(string(page), "341523196001010023") {
				t.Errorf("letter: %d %s", code, ctype)
			}
			if code, body := ts.call(county, "GET", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/consistency", cycle), nil); code != 200 || body["consistent"] != true {
				t.Errorf("consistency: %d %v", code, body)
			}
			if code, body := ts.call(fin, "GET", "/api/v1/retries?county=341523", nil); code != 200 || len(body["retries"].([]any)) != 0 {
				t.Errorf("retries: %d %v", code, body)
			}
			if code, _ := ts.call(fin, "POST", "/api/v1/retries/341523/batches", nil); code != 409 {
				t.Errorf("retry with nothing failed: %d", code)
			}

			// A suspected death: raised by finance, verified by the county.
			// 李桂兰's line waits in the draft 邮储 batch: the hold takes it out,
			// leaving the batch empty, which goes.
			if code, body := ts.call(fin, "POST", "/api/v1/persons/341523/502/payment-hold", map[string]string{"reason": "公安死亡注销"}); code != 200 || num(body["lines_held"]) != 1 {
				t.Errorf("hold: %d %v", code, body)
			}
			if code, body := ts.call(fin, "POST", fmt.Sprintf("/api/v1/payment-cycles/341523/%d/batches", cycle), nil); code != 409 {
				t.Errorf("batches after the hold: %d %v", code, body)
			}
			if code, body := ts.call(county, "GET", "/api/v1/batches?county=341523", nil); code != 200 || len(body["batches"].([]any)) != 1 {
				t.Errorf("list batches: %d %v", code, body)
			}
			if ts.deniedCount() <= denied {
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
