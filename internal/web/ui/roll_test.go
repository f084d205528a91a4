package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestUIRollNoticesAndForms drives the staff pages added around the roll:
// objections recorded and resolved on the case page, the notice board,
// the dashboard's charts, the roll with its filter and Excel export, the
// annual review, applying a death to the roll from the person page, the
// person forms (edit with version, complication, retirement, end of a
// marriage, cancelling a certificate) and the administrator's password
// reset, each refusing what the server refuses.
func TestUIRollNoticesAndForms(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testUIRollNoticesAndForms(t, engine) })
	}
}

func testUIRollNoticesAndForms(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	ts.WFUsers()
	wife := ts.WFFamily()
	ctx := context.Background()
	logins := map[string][2]string{"cz": {"czg", "cz123456"}, "xz": {"xzs", "xz123456"}, "county": {"county", "county1234"},
		"finance": {"finance", "finance1234"}, "admin": {"admin", "admin1234"}}
	api := func(who, path string, body any, want int) map[string]any {
		t.Helper()
		code, out := ts.Call(ts.Login(logins[who][0], logins[who][1]), "POST", path, body)
		if code != want {
			t.Fatalf("%s POST %s = %d %v, want %d", who, path, code, out, want)
		}
		return out
	}
	ui := func(who string) *webtest.Page { return ts.Browser().Login(logins[who][0], logins[who][1]) }
	days := func(n int) { ts.Clock.Add(time.Duration(n) * 24 * time.Hour) }

	out := api("cz", "/api/v1/cases", map[string]any{"county": "341523", "person_id": wife.ID, "program": "jf", "year": 2024,
		"declared":    map[string]any{"hukou_type": "rural", "marriage": "1986年初婚", "births": "1987年生育一女", "adoptions": "无", "surviving_children": 1},
		"attachments": []string{"身份证"}, "pledge": true}, 201)
	id := int64(webtest.Field(out, "case", "id").(float64))
	base := fmt.Sprintf("/api/v1/cases/341523/%d", id)
	casePage := fmt.Sprintf("/cases/341523/%d", id)
	facts := []map[string]string{}
	for _, f := range []string{"hukou", "birth", "marriage", "births", "adoptions", "children"} {
		facts = append(facts, map[string]string{"fact": f, "result": "consistent"})
	}
	api("cz", base+"/survey", map[string]any{"date": "2024-05-06", "visited": true, "met_in_person": true,
		"investigators": ts.Surveyors(), "evidence": []string{"户口簿"},
		"conclusion": "eligible", "findings": facts}, 200)
	api("cz", base+"/village-review", map[string]any{"date": "2024-05-06", "outcome": "agree",
		"participants": []map[string]string{{"name": "赵一", "role": "同龄村民"}, {"name": "钱二", "role": "老党员"}, {"name": "孙三", "role": "村干部"}}}, 200)
	out = api("cz", base+"/notices", map[string]any{"place": "村部公示栏"}, 200)
	n1 := int64(webtest.Field(out, "notice", "id").(float64))

	// The notice board and an objection recorded on the case page.
	cz := ui("cz")
	cz.Get("/notices").Want(200, "王秀英", "村部公示栏", "2024-05-13", idcard.Number(wife.IDNumber).Masked(), fmt.Sprintf("#objection-%d", n1))
	if strings.Contains(cz.Body, wife.IDNumber) {
		t.Error("the notice board shows a full ID number")
	}
	cz.Get("/").Want(200, "正在进行的公示", "村部公示栏")
	cz.Get(casePage).Want(200, fmt.Sprintf(`id="objection-%d"`, n1))
	nid := strconv.FormatInt(n1, 10)
	cz.Post(casePage+"/objection", url.Values{"notice": {nid}, "obj_objector": {"村民"}}).
		Want(422, fmt.Sprintf(`id="obj_content-%d-error" aria-live="polite">请填写异议内容`, n1))
	cz.Post(casePage+"/objection", url.Values{"notice": {nid}, "obj_objector": {"村民"}, "obj_content": {"另有一子"}})
	if cz.Code != http.StatusSeeOther {
		t.Fatalf("record objection: %d\n%.2000s", cz.Code, cz.Body)
	}
	cz.Get(casePage).Want(200, "另有一子", "待处理")
	if strings.Contains(cz.Body, `action="/cases/341523/`+strconv.FormatInt(id, 10)+`/objection_resolve"`) {
		t.Error("the village specialist is offered the resolution form")
	}
	xz := ui("xz")
	xz.Get(casePage).Want(200, "处理异议")
	oid := regexp.MustCompile(`name="objection" value="(\d+)"`).FindStringSubmatch(xz.Body)
	if oid == nil {
		t.Fatal("no resolution form for the township")
	}
	xz.Post(casePage+"/objection_resolve", url.Values{"objection": {oid[1]}, "res_outcome": {"dismissed"}}).
		Want(422, fmt.Sprintf(`id="res_note-%s-error" aria-live="polite">请填写核查情况`, oid[1]))
	cz.Post(casePage+"/objection_resolve", url.Values{"objection": {oid[1]}, "res_outcome": {"dismissed"}, "res_note": {"经核查系侄子"}}).Want(403)
	xz.Post(casePage+"/objection_resolve", url.Values{"objection": {oid[1]}, "res_outcome": {"dismissed"}, "res_note": {"经核查系侄子"}})
	if xz.Code != http.StatusSeeOther {
		t.Fatalf("resolve: %d\n%.2000s", xz.Code, xz.Body)
	}
	xz.Get(casePage).Want(200, "不成立", "经核查系侄子", "村级公示中")

	// The rest of the procedure through the API.
	days(7)
	api("cz", fmt.Sprintf("%s/notices/%d/close", base, n1), nil, 200)
	api("xz", base+"/township-review", map[string]any{"outcome": "approve", "opinion": "同意"}, 200)
	out = api("xz", base+"/notices", map[string]any{"place": "镇政府公示栏"}, 200)
	n2 := int64(webtest.Field(out, "notice", "id").(float64))
	days(7)
	api("xz", fmt.Sprintf("%s/notices/%d/close", base, n2), nil, 200)
	api("county", base+"/county-approval", map[string]any{"outcome": "approve", "opinion": "同意"}, 200)
	out = api("county", base+"/notices", map[string]any{"place": "县卫健委网站"}, 200)
	n3 := int64(webtest.Field(out, "notice", "id").(float64))
	days(7)
	api("county", fmt.Sprintf("%s/notices/%d/close", base, n3), nil, 200)

	// The dashboard counts her on the roll; the roll lists her, masked.
	county := ui("county")
	county.Get("/").Want(200, `id="roll-chart"`, "在册扶助对象", `<title id="roll-chart-t">`)
	if !regexp.MustCompile(`program=jf">[^<]*奖励扶助[^<]*</a></th><td class="num">1</td>`).MatchString(county.Body) {
		t.Errorf("the dashboard does not count one jf recipient:\n%.4000s", county.Body)
	}
	county.Get("/roll").Want(200, "王秀英", idcard.Number(wife.IDNumber).Masked(), "2024-01", "/roll/export.xlsx?")
	if strings.Contains(county.Body, wife.IDNumber) {
		t.Error("the roll shows a full ID number")
	}
	county.Get("/roll?program=jf&status=exited").Want(200, "名册中没有符合条件的对象")
	county.Get("/roll?region=341524").Want(403)
	county.Get("/roll?status=gone").Want(400, `id="status-error"`)
	req, _ := http.NewRequest("GET", ts.URL+"/roll/export.xlsx?program=jf", nil)
	resp, err := county.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Exported-Rows") != "1" || !strings.HasPrefix(string(b), "PK") {
		t.Errorf("roll export = %d, %s rows, %d bytes", resp.StatusCode, resp.Header.Get("X-Exported-Rows"), len(b))
	}
	// The export is in the audit trail.
	var exports int
	if err := ts.DB.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'roll.export'`).Scan(&exports)
	}); err != nil || exports != 1 {
		t.Errorf("roll exports audited = %d (%v), want 1", exports, err)
	}
	fin := ui("finance")
	fin.Get("/roll").Want(200, "王秀英")
	fin.Get("/").Want(200, `id="home-funds"`, "本年度尚无发放记录")
	// A line the bank paid this year appears in the funds chart by level.
	if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		p, _ := payment.ParsePeriod("2024")
		return tx.InsertPaymentLines(ctx, []payment.Line{{County: "341523", ID: 1, CycleID: 1, PersonID: wife.ID, RecipientID: 1, Program: "jf",
			Period: p, Kind: payment.Regular, Region: "341523100201", Months: 12, Amount: 96000, Split: payment.Split{57600, 38400, 0, 0},
			Status: payment.Paid, PaidOn: date.MustParse("2024-05-20"), UpdatedAt: ts.Clock.Now()}})
	}); err != nil {
		t.Fatal(err)
	}
	fin.Get("/").Want(200, `id="funds-chart"`, `class="lvl0"`, `<td class="num">960.00</td><td class="num">576.00</td><td class="num">384.00</td>`)
	fin.Get("/notices").Want(403)

	// The annual review: the township runs it; the village may not.
	xz = ui("xz")
	xz.Get("/roll/annual-review").Want(200, `action="/roll/annual-review"`)
	xz.Post("/roll/annual-review", url.Values{"region": {"341523100000"}, "year": {"1999"}}).Want(422, `id="year-error"`)
	xz.Post("/roll/annual-review", url.Values{"region": {"341523100000"}, "year": {"2024"}})
	if xz.Code != http.StatusSeeOther || !strings.HasPrefix(xz.Loc, "/roll/annual-review/341523/") {
		t.Fatalf("annual review: %d %s\n%.2000s", xz.Code, xz.Loc, xz.Body)
	}
	xz.Get(xz.Loc).Want(200, `id="annual-confirmed">1<`, "年审已完成")
	ui("cz").Post("/roll/annual-review", url.Values{"region": {"341523100201"}, "year": {"2024"}}).Want(403)

	// A death applied to the roll from the person page.
	if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := registry.RecordDeath(ctx, tx, auth.System, registry.Key{County: "341523", ID: wife.ID}, date.MustParse("2024-05-20"), "公安")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	wifePage := fmt.Sprintf("/persons/341523/%d", wife.ID)
	xz.Get(wifePage).Want(200, "/roll-event", `id="person-roll"`)
	xz.Get(wifePage+"/roll-event").Want(200, `value="death" selected`)
	xz.Post(wifePage+"/roll-event", url.Values{"kind": {"birth"}, "date": {"2030-01-01"}}).Want(422, `id="date-error" aria-live="polite">`)
	xz.Post(wifePage+"/roll-event", url.Values{"kind": {"death"}, "date": {"2024-05-20"}, "evidence": {"死亡证明"}}).
		Want(200, `id="event-result"`, "本人死亡", "2025-01-01")
	ui("cz").Get(wifePage + "/roll-event").Want(403)
	county.Get("/roll?status=exited").Want(200, "王秀英", "2024-12")

	// The person forms.
	var husband *registry.Record
	err = ts.DB.Update(ctx, func(tx *store.Tx) error {
		rs, _, err := tx.FindPersons(ctx, "", registry.Query{Name: "张建国", Limit: 1})
		if err != nil || len(rs) != 1 {
			return fmt.Errorf("husband: %v", err)
		}
		husband = &rs[0]
		second, err := registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: "刘芳", Sex: "F", Birth: date.MustParse("1966-02-02"),
			Region: "341523100201", HukouType: registry.Rural})
		if err != nil {
			return err
		}
		hk := registry.Key{County: "341523", ID: husband.ID}
		if _, err := registry.AddMarriage(ctx, tx, auth.System, hk, registry.Key{County: "341523", ID: second.ID},
			registry.Marriage{From: date.MustParse("2024-05-22")}, ""); err != nil {
			return err
		}
		_, err = registry.AddCertificate(ctx, tx, auth.System, hk, registry.Certificate{Kind: registry.CertOneChild, Number: "皖独0001", Issued: date.MustParse("1988-01-01")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	hPage := fmt.Sprintf("/persons/341523/%d", husband.ID)
	cz = ui("cz")
	cz.Get(hPage).Want(200, hPage+"/edit", hPage+"/complication", hPage+"/retirement")
	cz.Get(hPage+"/edit").Want(200, `name="version" value="`+strconv.Itoa(husband.Version)+`"`)
	cz.Post(hPage+"/edit", url.Values{"version": {strconv.Itoa(husband.Version + 5)}, "name": {"张建国"}, "pension": {"none"}}).Want(422, "已被他人修改")
	cz.Post(hPage+"/edit", url.Values{"version": {strconv.Itoa(husband.Version)}, "name": {""}, "pension": {"none"}}).Want(422, `id="name-error"`)
	cz.Post(hPage+"/edit", url.Values{"version": {strconv.Itoa(husband.Version)}, "name": {"张建国"}, "pension": {"resident"}, "phone": {"13800000000"}})
	if cz.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%.2000s", cz.Code, cz.Body)
	}
	cz.Get(hPage).Want(200, "13800000000", "城乡居民")
	cz.Post(hPage+"/complication", url.Values{"grade": {"5"}, "from": {"1990-01-01"}}).Want(422, `id="grade-error"`)
	cz.Post(hPage+"/complication", url.Values{"grade": {"2"}, "from": {"1990-01-01"}, "document": {"鉴字12号"}}).Want(http.StatusSeeOther)
	cz.Post(hPage+"/retirement", url.Values{"date": {"2022-03-01"}, "employer": {"enterprise"}}).Want(http.StatusSeeOther)
	cz.Get(hPage+"/marriage_end").Want(200, "刘芳")
	mid := regexp.MustCompile(`<option value="(\d+)">刘芳`).FindStringSubmatch(cz.Body)
	if mid == nil {
		t.Fatalf("no open marriage offered:\n%.3000s", cz.Body)
	}
	cz.Post(hPage+"/marriage_end", url.Values{"marriage": {"999999"}, "to": {"2024-05-25"}, "reason": {"divorce"}}).Want(422, `id="marriage-error"`)
	cz.Post(hPage+"/marriage_end", url.Values{"marriage": {mid[1]}, "to": {"2024-05-25"}, "reason": {"divorce"}}).Want(http.StatusSeeOther)
	cz.Get(hPage+"/certificate_cancel").Want(200, "皖独0001")
	cid := regexp.MustCompile(`<option value="(\d+)">`).FindAllStringSubmatch(cz.Body, -1)
	if len(cid) == 0 {
		t.Fatal("no certificate offered")
	}
	cz.Post(hPage+"/certificate_cancel", url.Values{"certificate": {cid[len(cid)-1][1]}, "cancelled": {"2024-05-25"}}).Want(422, `id="reason-error" aria-live="polite">请填写注销原因`)
	cz.Post(hPage+"/certificate_cancel", url.Values{"certificate": {cid[len(cid)-1][1]}, "cancelled": {"2024-05-25"}, "reason": {"再生育"}}).Want(http.StatusSeeOther)
	cz.Get(hPage).Want(200, "离婚", "注销证件", "手术并发症", "退休")
	ui("finance").Post(hPage+"/retirement", url.Values{"date": {"2022-03-01"}}).Want(403)

	// The administrator resets a password.
	var czID int64
	if err := ts.DB.View(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, "czg")
		czID = u.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	adm := ui("admin")
	adm.Get("/users").Want(200, fmt.Sprintf(`action="/users/%d/password"`, czID))
	adm.Post(fmt.Sprintf("/users/%d/password", czID), url.Values{"password": {"short"}}).Want(422, fmt.Sprintf(`id="password-%d-error" aria-live="polite">密码至少`, czID))
	adm.Post(fmt.Sprintf("/users/%d/password", czID), url.Values{"password": {"renewed2024"}}).Want(http.StatusSeeOther)
	ts.Browser().Login("czg", "renewed2024")
	ui("county").Post(fmt.Sprintf("/users/%d/password", czID), url.Values{"password": {"renewed2025"}}).Want(403)
}
