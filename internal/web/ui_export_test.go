package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// workbook is a downloaded export.
type workbook struct {
	code   int
	header http.Header
	raw    []byte
	rows   [][]string
}

// export downloads path and reads it with sheet.Open when it is a workbook.
func (p *page) export(path string) *workbook {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.ts.srv.URL+path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	wb := &workbook{code: resp.StatusCode, header: resp.Header, raw: b}
	if resp.StatusCode != http.StatusOK {
		return wb
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		p.t.Fatalf("GET %s: content type %q", path, ct)
	}
	tb, err := sheet.Open(bytes.NewReader(b), "")
	if err != nil || tb.Format() != sheet.FormatXLSX {
		p.t.Fatalf("GET %s: not a workbook: %v", path, err)
	}
	if err := tb.Each(func(_ int, cells []string) bool {
		wb.rows = append(wb.rows, slices.Clone(cells))
		return true
	}); err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	return wb
}

// want checks the status and, for a workbook, its header row.
func (wb *workbook) want(t *testing.T, code int, header ...string) *workbook {
	t.Helper()
	if wb.code != code {
		t.Fatalf("status %d, want %d\n%.1500s", wb.code, code, wb.raw)
	}
	if len(header) > 0 {
		if len(wb.rows) == 0 || !slices.Equal(wb.rows[0][:min(len(header), len(wb.rows[0]))], header) {
			t.Fatalf("header %q, want it to start %q", wb.rows, header)
		}
	}
	return wb
}

// row returns the first data row holding cell, or fails.
func (wb *workbook) row(t *testing.T, cell string) []string {
	t.Helper()
	for _, r := range wb.rows[1:] {
		if slices.Contains(r, cell) {
			return r
		}
	}
	t.Fatalf("no row holds %q: %q", cell, wb.rows)
	return nil
}

// has reports whether any cell of the workbook contains s.
func (wb *workbook) has(s string) bool {
	for _, r := range wb.rows {
		for _, c := range r {
			if strings.Contains(c, s) {
				return true
			}
		}
	}
	return false
}

// exportAudits returns the audit actions of the exports recorded on the
// county's chain.
func (ts *testServer) exportAudits(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := ts.db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: "341523", Limit: 1000})
		for _, e := range es {
			if strings.HasSuffix(e.Action, ".export") {
				out[e.Action]++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUIExports downloads each list export as the page's users would:
// the notice list, the worklist, a cycle's lines, the funds ledger, an
// annual review run and the audit trail. Each is a workbook with the
// page's rows, masks what the page masks, refuses a user outside the
// page's scope or permission, and is recorded in the audit trail.
func TestUIExports(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testUIExports(t, engine) })
	}
}

func testUIExports(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	ts.wfUsers()
	ts.paySeed()
	ts.addStaff(t, auth.NewUser{Username: "fin22", Name: "邻县财政", Role: auth.RoleFinance, Region: "341522", Password: "finance1234"})
	wife := ts.wfFamily()
	masked := idcard.Number(wife.IDNumber).Masked()
	ctx := context.Background()
	logins := map[string][2]string{"cz": {"czg", "cz123456"}, "xz": {"xzs", "xz123456"}, "county": {"county", "county1234"},
		"finance": {"finance", "finance1234"}, "village": {"village", "village1234"}, "jd": {"jdu", "jd123456"},
		"fin22": {"fin22", "finance1234"}}
	ui := func(who string) *page { return ts.browser().login(logins[who][0], logins[who][1]) }
	api := func(who, path string, body any) map[string]any {
		t.Helper()
		code, out := ts.call(ts.login(logins[who][0], logins[who][1]), "POST", path, body)
		if code != 200 && code != 201 {
			t.Fatalf("%s POST %s = %d %v", who, path, code, out)
		}
		return out
	}

	// A case up to its village notice.
	out := api("cz", "/api/v1/cases", map[string]any{"county": "341523", "person_id": wife.ID, "program": "jf", "year": 2024,
		"declared":    map[string]any{"hukou_type": "rural", "marriage": "1986年初婚", "births": "1987年生育一女", "adoptions": "无", "surviving_children": 1},
		"attachments": []string{"身份证"}, "pledge": true})
	id := int64(field(out, "case", "id").(float64))
	base := fmt.Sprintf("/api/v1/cases/341523/%d", id)
	facts := []map[string]string{}
	for _, f := range []string{"hukou", "birth", "marriage", "births", "adoptions", "children"} {
		facts = append(facts, map[string]string{"fact": f, "result": "consistent"})
	}
	api("cz", base+"/survey", map[string]any{"date": "2024-05-06", "visited": true, "met_in_person": true,
		"investigators": ts.surveyors(), "evidence": []string{"户口簿"},
		"conclusion": "eligible", "findings": facts})
	api("cz", base+"/village-review", map[string]any{"date": "2024-05-06", "outcome": "agree",
		"participants": []map[string]string{{"name": "赵一", "role": "同龄村民"}, {"name": "钱二", "role": "老党员"}, {"name": "孙三", "role": "村干部"}}})
	out = api("cz", base+"/notices", map[string]any{"place": "村部公示栏"})
	nid := int64(field(out, "notice", "id").(float64))

	// The notice list: a public document, ID number and address masked.
	cz := ui("cz")
	noticePath := fmt.Sprintf("/cases/341523/%d/notices/%d", id, nid)
	cz.get(noticePath).want(200, noticePath+"/export.xlsx")
	cz.get("/notices").want(200, noticePath+"/export.xlsx")
	wb := cz.export(noticePath+"/export.xlsx").want(t, 200, "序号", "姓名", "性别", "年龄", "公民身份号码（脱敏）", "住址（脱敏）", "扶助项目")
	r := wb.row(t, "王秀英")
	if r[4] != masked || r[5] != "舒城县城关镇仁和村****" || r[1] != "王秀英" || r[2] != "女" {
		t.Errorf("notice row %q", r)
	}
	if wb.has(wife.IDNumber) || wb.has("15号") || !wb.has("村部公示栏") || !wb.has("村级公示") {
		t.Errorf("notice list: full ID or address, or no place and title: %q", wb.rows)
	}
	if !strings.Contains(wb.header.Get("Content-Disposition"), "notice-") || wb.header.Get("X-Exported-Rows") != "1" {
		t.Errorf("notice list headers %v", wb.header)
	}
	ui("village").export(noticePath+"/export.xlsx").want(t, 404)
	ui("finance").export(noticePath+"/export.xlsx").want(t, 403)
	cz.export(fmt.Sprintf("/cases/341523/%d/notices/%d/export.xlsx", id, nid+1000)).want(t, 404)

	// The worklist: the same filter as the page, masked.
	cz.get("/cases?state=village_notice").want(200, "/cases/export.xlsx?state=village_notice")
	header := []string{"县区划代码", "申请编号", "申请人", "身份证号（脱敏）"}
	wb = cz.export("/cases/export.xlsx?state=village_notice").want(t, 200, header...)
	if r := wb.row(t, "王秀英"); r[1] != fmt.Sprint(id) || r[3] != masked || r[9] != "村级公示中" {
		t.Errorf("worklist row %q", r)
	}
	if wb.has(wife.IDNumber) {
		t.Error("the worklist export shows a full ID number")
	}
	if wb = cz.export("/cases/export.xlsx?state=applied").want(t, 200, header...); len(wb.rows) != 1 {
		t.Errorf("worklist filtered to applied: %q", wb.rows)
	}
	if wb = ui("village").export("/cases/export.xlsx?state=village_notice").want(t, 200, header...); wb.has("王秀英") {
		t.Error("another village exports the case")
	}
	ui("jd").export("/cases/export.xlsx?state=village_notice").want(t, 200, header...).row(t, "王秀英")
	cz.export("/cases/export.xlsx?state=bogus").want(t, 400)
	cz.export("/cases/export.xlsx?sort=name&order=desc").want(t, 200, header...)
	cz.export("/cases/export.xlsx?sort=bogus").want(t, 400)
	ui("finance").export("/cases/export.xlsx").want(t, 403)

	// A payment cycle's lines, by status tab.
	fin := ui("finance")
	fin.post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}})
	cycle := strings.Split(fin.wantRedirect("/payments/cycles/341523/"), "?")[0]
	fin.get(cycle+"?show=pending").want(200, cycle+"/export.xlsx?show=pending")
	header = []string{"明细编号", "姓名", "身份证号（脱敏）"}
	wb = fin.export(cycle+"/export.xlsx?show=pending").want(t, 200, header...)
	if r := wb.row(t, "张秀英"); r[2] != "341523********0023" || r[9] != "960.00" || r[10] != "待发" {
		t.Errorf("cycle line %q", r)
	}
	if len(wb.rows) != 3 || wb.has("341523196001010023") || wb.header.Get("X-Total-Rows") != "2" {
		t.Errorf("cycle lines %q, headers %v", wb.rows, wb.header)
	}
	if wb = fin.export(cycle+"/export.xlsx?show=paid").want(t, 200, header...); len(wb.rows) != 1 {
		t.Errorf("no line is paid yet: %q", wb.rows)
	}
	fin.export(cycle+"/export.xlsx?show=bogus").want(t, 400)
	fin.export(cycle+"/export.xlsx?sort=bogus").want(t, 400)
	names := func(wb *workbook) (out []string) {
		for _, r := range wb.rows[1:] {
			out = append(out, r[1])
		}
		return out
	}
	asc := names(fin.export(cycle+"/export.xlsx?sort=name").want(t, 200, header...))
	desc := names(fin.export(cycle+"/export.xlsx?sort=name&order=desc").want(t, 200, header...))
	if slices.Reverse(desc); len(asc) != 2 || !slices.Equal(asc, desc) {
		t.Errorf("lines by name %q, the other way round %q", asc, desc)
	}
	ui("county").export(cycle+"/export.xlsx").want(t, 200, header...).row(t, "李桂兰")
	ui("fin22").export(cycle+"/export.xlsx").want(t, 403)
	ui("village").export(cycle+"/export.xlsx").want(t, 403)
	fin.export("/payments/cycles/341523/99999/export.xlsx").want(t, 404)

	// The funds ledger, once a line is paid.
	if err := ts.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE payment_lines SET status = ?, paid_on = ? WHERE county = ? AND person_id = ?`,
			"paid", date.MustParse("2024-06-30"), "341523", 501)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	fin.get("/payments/ledger?year=2024").want(200, "/payments/ledger/export.xlsx?year=2024")
	wb = fin.export("/payments/ledger/export.xlsx?year=2024").want(t, 200, "分组", "代码", "名称", "发放人数", "金额（元）", "中央（元）")
	if r := wb.row(t, "合计"); r[1] != "341523" || r[3] != "1" || r[4] != "960.00" || r[5] != "576.00" {
		t.Errorf("ledger total %q", r)
	}
	wb.row(t, "按项目")
	fin.export("/payments/ledger/export.xlsx?year=2024&region=341522").want(t, 403)
	ui("village").export("/payments/ledger/export.xlsx").want(t, 403)

	// An annual review run: 张秀英's son is struck from the registry (a
	// record entered in error), so she no longer qualifies and changes;
	// the ID numbers are masked.
	if err := ts.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM parent_child WHERE county = ? AND child_id IN
			(SELECT child_id FROM parent_child WHERE county = ? AND parent_id = ?)`, "341523", "341523", 501)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	xz := ui("xz")
	xz.post("/roll/annual-review", url.Values{"region": {"341523100000"}, "year": {"2024"}})
	if xz.code != http.StatusSeeOther || !strings.HasPrefix(xz.loc, "/roll/annual-review/341523/") {
		t.Fatalf("annual review: %d %s\n%.2000s", xz.code, xz.loc, xz.body)
	}
	run, _, _ := strings.Cut(xz.loc, "?")
	xz.get(run).want(200, run+"/export.xlsx")
	wb = xz.export(run+"/export.xlsx").want(t, 200, "人员编号", "姓名", "身份证号（脱敏）", "项目代码", "项目", "原因", "未满足的条款")
	if r := wb.row(t, "张秀英"); r[2] != "341523********0023" || r[5] == "" {
		t.Errorf("annual review row %q", r)
	}
	if wb.has("341523196001010023") || !wb.has("审核人数") {
		t.Errorf("annual review export %q", wb.rows)
	}
	cz.export(run+"/export.xlsx").want(t, 404)
	fin.export(run+"/export.xlsx").want(t, 403)

	// The audit trail with the page's filter; the changes masked. Every
	// export above is in it.
	county := ui("county")
	county.get("/audit?entity=person").want(200, "/audit/export.xlsx?entity=person")
	wb = county.export("/audit/export.xlsx?entity=person").want(t, 200, "序号", "时间", "用户编号", "用户", "操作")
	wb.row(t, "person.create")
	if wb.has(wife.IDNumber) || !wb.has(wife.IDNumber[:6]+"************") || wb.has("case.export") {
		t.Errorf("audit export of persons: %q", wb.rows)
	}
	wb = county.export("/audit/export.xlsx").want(t, 200, "序号")
	for _, a := range []string{"notice.export", "case.export", "payment.cycle.export", "payment.ledger.export", "annual_review.export"} {
		wb.row(t, a)
	}
	county.export("/audit/export.xlsx?county=341522").want(t, 403)
	county.export("/audit/export.xlsx?user_id=x").want(t, 400)
	cz.export("/audit/export.xlsx").want(t, 403)
	got := ts.exportAudits(t)
	want := map[string]int{"notice.export": 1, "case.export": 5, "payment.cycle.export": 5, "payment.ledger.export": 1,
		"annual_review.export": 1, "audit.export": 2}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("%d %s entries, want %d (%v)", got[a], a, n, got)
		}
	}

	// The English page offers the same link.
	county.get("/audit?lang=en").want(200, "Export to Excel")

	// A list longer than the cap: the first rows, and a line saying so.
	exportRowCap = 1
	t.Cleanup(func() { exportRowCap = maxExportRows })
	wb = fin.export(cycle+"/export.xlsx").want(t, 200, "明细编号")
	if len(wb.rows) != 4 || len(wb.rows[2]) != 0 && wb.rows[2][0] != "" || !strings.HasPrefix(wb.rows[3][0], "仅导出前 1 行（共 2 行）") ||
		wb.header.Get("X-Exported-Rows") != "1" || wb.header.Get("X-Total-Rows") != "2" || wb.header.Get("X-Export-Truncated") != "true" {
		t.Errorf("capped cycle export %q, headers %v", wb.rows, wb.header)
	}
	wb = county.export("/audit/export.xlsx").want(t, 200, "序号")
	if !wb.has("其后还有记录") || wb.header.Get("X-Total-Rows") != "" {
		t.Errorf("capped audit export %q, headers %v", wb.rows, wb.header)
	}
}
