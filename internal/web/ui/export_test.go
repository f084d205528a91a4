package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/ui"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// exportAudits returns the audit actions of the exports recorded on the
// county's chain.
func (ts *testServer) exportAudits(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := ts.DB.View(context.Background(), func(tx *store.Tx) error {
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
	ts.WFUsers()
	ts.PaySeed()
	ts.AddStaff(t, auth.NewUser{Username: "fin22", Name: "邻县财政", Role: auth.RoleFinance, Region: "341522", Password: "finance1234"})
	wife := ts.WFFamily()
	masked := idcard.Number(wife.IDNumber).Masked()
	ctx := context.Background()
	logins := map[string][2]string{"cz": {"czg", "cz123456"}, "xz": {"xzs", "xz123456"}, "county": {"county", "county1234"},
		"finance": {"finance", "finance1234"}, "village": {"village", "village1234"}, "jd": {"jdu", "jd123456"},
		"fin22": {"fin22", "finance1234"}}
	as := func(who string) *webtest.Page { return ts.Browser().Login(logins[who][0], logins[who][1]) }
	api := func(who, path string, body any) map[string]any {
		t.Helper()
		code, out := ts.Call(ts.Login(logins[who][0], logins[who][1]), "POST", path, body)
		if code != 200 && code != 201 {
			t.Fatalf("%s POST %s = %d %v", who, path, code, out)
		}
		return out
	}

	// A case up to its village notice.
	out := api("cz", "/api/v1/cases", map[string]any{"county": "341523", "person_id": wife.ID, "program": "jf", "year": 2024,
		"declared":    map[string]any{"hukou_type": "rural", "marriage": "1986年初婚", "births": "1987年生育一女", "adoptions": "无", "surviving_children": 1},
		"attachments": []string{"身份证"}, "pledge": true})
	id := int64(webtest.Field(out, "case", "id").(float64))
	base := fmt.Sprintf("/api/v1/cases/341523/%d", id)
	facts := []map[string]string{}
	for _, f := range []string{"hukou", "birth", "marriage", "births", "adoptions", "children"} {
		facts = append(facts, map[string]string{"fact": f, "result": "consistent"})
	}
	api("cz", base+"/survey", map[string]any{"date": "2024-05-06", "visited": true, "met_in_person": true,
		"investigators": ts.Surveyors(), "evidence": []string{"户口簿"},
		"conclusion": "eligible", "findings": facts})
	api("cz", base+"/village-review", map[string]any{"date": "2024-05-06", "outcome": "agree",
		"participants": []map[string]string{{"name": "赵一", "role": "同龄村民"}, {"name": "钱二", "role": "老党员"}, {"name": "孙三", "role": "村干部"}}})
	out = api("cz", base+"/notices", map[string]any{"place": "村部公示栏"})
	nid := int64(webtest.Field(out, "notice", "id").(float64))

	// The notice list: a public document, ID number and address masked.
	cz := as("cz")
	noticePath := fmt.Sprintf("/cases/341523/%d/notices/%d", id, nid)
	cz.Get(noticePath).Want(200, noticePath+"/export.xlsx")
	cz.Get("/notices").Want(200, noticePath+"/export.xlsx")
	wb := cz.Export(noticePath+"/export.xlsx").Want(t, 200, "序号", "姓名", "性别", "年龄", "公民身份号码（脱敏）", "住址（脱敏）", "扶助项目")
	r := wb.Row(t, "王秀英")
	if r[4] != masked || r[5] != "舒城县城关镇仁和村****" || r[1] != "王秀英" || r[2] != "女" {
		t.Errorf("notice row %q", r)
	}
	if wb.Has(wife.IDNumber) || wb.Has("15号") || !wb.Has("村部公示栏") || !wb.Has("村级公示") {
		t.Errorf("notice list: full ID or address, or no place and title: %q", wb.Rows)
	}
	if !strings.Contains(wb.Header.Get("Content-Disposition"), "notice-") || wb.Header.Get("X-Exported-Rows") != "1" {
		t.Errorf("notice list headers %v", wb.Header)
	}
	as("village").Export(noticePath+"/export.xlsx").Want(t, 404)
	as("finance").Export(noticePath+"/export.xlsx").Want(t, 403)
	cz.Export(fmt.Sprintf("/cases/341523/%d/notices/%d/export.xlsx", id, nid+1000)).Want(t, 404)

	// The worklist: the same filter as the page, masked.
	cz.Get("/cases?state=village_notice").Want(200, "/cases/export.xlsx?state=village_notice")
	header := []string{"县区划代码", "申请编号", "申请人", "身份证号（脱敏）"}
	wb = cz.Export("/cases/export.xlsx?state=village_notice").Want(t, 200, header...)
	if r := wb.Row(t, "王秀英"); r[1] != fmt.Sprint(id) || r[3] != masked || r[9] != "村级公示中" {
		t.Errorf("worklist row %q", r)
	}
	if wb.Has(wife.IDNumber) {
		t.Error("the worklist export shows a full ID number")
	}
	if wb = cz.Export("/cases/export.xlsx?state=applied").Want(t, 200, header...); len(wb.Rows) != 1 {
		t.Errorf("worklist filtered to applied: %q", wb.Rows)
	}
	if wb = as("village").Export("/cases/export.xlsx?state=village_notice").Want(t, 200, header...); wb.Has("王秀英") {
		t.Error("another village exports the case")
	}
	as("jd").Export("/cases/export.xlsx?state=village_notice").Want(t, 200, header...).Row(t, "王秀英")
	cz.Export("/cases/export.xlsx?state=bogus").Want(t, 400)
	cz.Export("/cases/export.xlsx?sort=name&order=desc").Want(t, 200, header...)
	cz.Export("/cases/export.xlsx?sort=bogus").Want(t, 400)
	as("finance").Export("/cases/export.xlsx").Want(t, 403)

	// A payment cycle's lines, by status tab.
	fin := as("finance")
	fin.Post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}})
	cycle := strings.Split(fin.WantRedirect("/payments/cycles/341523/"), "?")[0]
	fin.Get(cycle+"?show=pending").Want(200, cycle+"/export.xlsx?show=pending")
	header = []string{"明细编号", "姓名", "身份证号（脱敏）"}
	wb = fin.Export(cycle+"/export.xlsx?show=pending").Want(t, 200, header...)
	if r := wb.Row(t, "张秀英"); r[2] != "341523********0023" || r[9] != "960.00" || r[10] != "待发" {
		t.Errorf("cycle line %q", r)
	}
	if len(wb.Rows) != 3 || wb.Has("341523196001010023") || wb.Header.Get("X-Total-Rows") != "2" {
		t.Errorf("cycle lines %q, headers %v", wb.Rows, wb.Header)
	}
	if wb = fin.Export(cycle+"/export.xlsx?show=paid").Want(t, 200, header...); len(wb.Rows) != 1 {
		t.Errorf("no line is paid yet: %q", wb.Rows)
	}
	fin.Export(cycle+"/export.xlsx?show=bogus").Want(t, 400)
	fin.Export(cycle+"/export.xlsx?sort=bogus").Want(t, 400)
	names := func(wb *webtest.Workbook) (out []string) {
		for _, r := range wb.Rows[1:] {
			out = append(out, r[1])
		}
		return out
	}
	asc := names(fin.Export(cycle+"/export.xlsx?sort=name").Want(t, 200, header...))
	desc := names(fin.Export(cycle+"/export.xlsx?sort=name&order=desc").Want(t, 200, header...))
	if slices.Reverse(desc); len(asc) != 2 || !slices.Equal(asc, desc) {
		t.Errorf("lines by name %q, the other way round %q", asc, desc)
	}
	as("county").Export(cycle+"/export.xlsx").Want(t, 200, header...).Row(t, "李桂兰")
	as("fin22").Export(cycle+"/export.xlsx").Want(t, 403)
	as("village").Export(cycle+"/export.xlsx").Want(t, 403)
	fin.Export("/payments/cycles/341523/99999/export.xlsx").Want(t, 404)

	// The funds ledger, once a line is paid.
	if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE payment_lines SET status = ?, paid_on = ? WHERE county = ? AND person_id = ?`,
			"paid", date.MustParse("2024-06-30"), "341523", 501)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	fin.Get("/payments/ledger?year=2024").Want(200, "/payments/ledger/export.xlsx?year=2024")
	wb = fin.Export("/payments/ledger/export.xlsx?year=2024").Want(t, 200, "分组", "代码", "名称", "发放人数", "金额（元）", "中央（元）")
	if r := wb.Row(t, "合计"); r[1] != "341523" || r[3] != "1" || r[4] != "960.00" || r[5] != "576.00" {
		t.Errorf("ledger total %q", r)
	}
	wb.Row(t, "按项目")
	fin.Export("/payments/ledger/export.xlsx?year=2024&region=341522").Want(t, 403)
	as("village").Export("/payments/ledger/export.xlsx").Want(t, 403)

	// An annual review run: 张秀英's son is struck from the registry (a
	// record entered in error), so she no longer qualifies and changes;
	// the ID numbers are masked.
	if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM parent_child WHERE county = ? AND child_id IN
			(SELECT child_id FROM parent_child WHERE county = ? AND parent_id = ?)`, "341523", "341523", 501)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	xz := as("xz")
	xz.Post("/roll/annual-review", url.Values{"region": {"341523100000"}, "year": {"2024"}})
	if xz.Code != http.StatusSeeOther || !strings.HasPrefix(xz.Loc, "/roll/annual-review/341523/") {
		t.Fatalf("annual review: %d %s\n%.2000s", xz.Code, xz.Loc, xz.Body)
	}
	run, _, _ := strings.Cut(xz.Loc, "?")
	xz.Get(run).Want(200, run+"/export.xlsx")
	wb = xz.Export(run+"/export.xlsx").Want(t, 200, "人员编号", "姓名", "身份证号（脱敏）", "项目代码", "项目", "原因", "未满足的条款")
	if r := wb.Row(t, "张秀英"); r[2] != "341523********0023" || r[5] == "" {
		t.Errorf("annual review row %q", r)
	}
	if wb.Has("341523196001010023") || !wb.Has("审核人数") {
		t.Errorf("annual review export %q", wb.Rows)
	}
	cz.Export(run+"/export.xlsx").Want(t, 404)
	fin.Export(run+"/export.xlsx").Want(t, 403)

	// The audit trail with the page's filter; the changes masked. Every
	// export above is in it.
	county := as("county")
	county.Get("/audit?entity=person").Want(200, "/audit/export.xlsx?entity=person")
	wb = county.Export("/audit/export.xlsx?entity=person").Want(t, 200, "序号", "时间", "用户编号", "用户", "操作")
	wb.Row(t, "person.create")
	if wb.Has(wife.IDNumber) || !wb.Has(wife.IDNumber[:6]+"************") || wb.Has("case.export") {
		t.Errorf("audit export of persons: %q", wb.Rows)
	}
	wb = county.Export("/audit/export.xlsx").Want(t, 200, "序号")
	for _, a := range []string{"notice.export", "case.export", "payment.cycle.export", "payment.ledger.export", "annual_review.export"} {
		wb.Row(t, a)
	}
	county.Export("/audit/export.xlsx?county=341522").Want(t, 403)
	county.Export("/audit/export.xlsx?user_id=x").Want(t, 400)
	cz.Export("/audit/export.xlsx").Want(t, 403)
	got := ts.exportAudits(t)
	want := map[string]int{"notice.export": 1, "case.export": 5, "payment.cycle.export": 5, "payment.ledger.export": 1,
		"annual_review.export": 1, "audit.export": 2}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("%d %s entries, want %d (%v)", got[a], a, n, got)
		}
	}

	// The English page offers the same link.
	county.Get("/audit?lang=en").Want(200, "Export to Excel")

	// A list longer than the cap: the first rows, and a line saying so.
	*ui.ExportRowCap = 1
	t.Cleanup(func() { *ui.ExportRowCap = ui.MaxExportRows })
	wb = fin.Export(cycle+"/export.xlsx").Want(t, 200, "明细编号")
	if len(wb.Rows) != 4 || len(wb.Rows[2]) != 0 && wb.Rows[2][0] != "" || !strings.HasPrefix(wb.Rows[3][0], "仅导出前 1 行（共 2 行）") ||
		wb.Header.Get("X-Exported-Rows") != "1" || wb.Header.Get("X-Total-Rows") != "2" || wb.Header.Get("X-Export-Truncated") != "true" {
		t.Errorf("capped cycle export %q, headers %v", wb.Rows, wb.Header)
	}
	wb = county.Export("/audit/export.xlsx").Want(t, 200, "序号")
	if !wb.Has("其后还有记录") || wb.Header.Get("X-Total-Rows") != "" {
		t.Errorf("capped audit export %q, headers %v", wb.Rows, wb.Header)
	}
}
