package server_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// The county's journey, whole: a family registered by the village
// specialist, an application taken through the survey, the village review,
// the three notices, the township review and the county approval onto the
// roll; the next payment cycle pays the new recipient with the amount the
// engine decides, a second finance officer releases the batch, the bank's
// return file fails the line, the account is corrected, the retry is paid,
// and the ledger counts the person. No command-line step, no SQL.

// journeyStaff adds the officers of the journey to ts: 仁和村's specialist,
// the township's reviewer and surveyor (wfUsers), and a second finance
// officer.
func (ts *testServer) journeyStaff(t *testing.T) {
	ts.WFUsers()
	ts.AddStaff(t, auth.NewUser{Username: "finance2", Name: "复核", Role: auth.RoleFinance, Region: "341523", Password: "finance1234"})
}

// journeyID returns the ID number of a person of the journey's family.
func journeyID(birth string, seq int) string {
	return string(idcard.Make("341523", date.MustParse(birth).Time(), seq))
}

// TestJourneyAPI walks the journey through the JSON API on both engines.
func TestJourneyAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.journeyStaff(t)
			// The clock sits in January 2024, so that the notices end and
			// the 2024 cycle comes after the approval.
			ts.Clock.Add(-120 * 24 * time.Hour)
			logins := map[string][2]string{"cz": {"czg", "cz123456"}, "xz": {"xzs", "xz123456"}, "county": {"county", "county1234"},
				"finance": {"finance", "finance1234"}, "finance2": {"finance2", "finance1234"}}
			clients := map[string]*http.Client{}
			as := func(who string) *http.Client {
				if c, ok := clients[who]; ok {
					return c
				}
				clients[who] = ts.Login(logins[who][0], logins[who][1])
				return clients[who]
			}
			// days moves the clock; sessions end with the jump.
			days := func(n int) {
				ts.Clock.Add(time.Duration(n) * 24 * time.Hour)
				clear(clients)
			}
			call := func(who, method, path string, body any, want int) map[string]any {
				t.Helper()
				code, out := ts.Call(as(who), method, path, body)
				if code != want {
					t.Fatalf("%s %s %s = %d %v, want %d", who, method, path, code, out, want)
				}
				return out
			}

			// The village specialist registers the family: a rural couple
			// born in 1962 and 1964 with their one daughter.
			reg := func(name, sex, birth string, seq int) int64 {
				out := call("cz", "POST", "/api/v1/persons", map[string]any{"id_number": journeyID(birth, seq), "name": name, "sex": sex,
					"birth": birth, "region": "341523100201", "hukou_type": "rural", "address": "舒城县城关镇仁和村三组15号"}, 201)
				return webtest.Num(webtest.Field(out, "person", "id"))
			}
			wife, husband, daughter := reg("王秀英", "F", "1964-01-15", 22), reg("张建国", "M", "1962-03-01", 31), reg("张丽", "F", "1987-04-12", 42)
			call("cz", "POST", fmt.Sprintf("/api/v1/persons/341523/%d/marriages", husband), map[string]any{"spouse": wife, "from": "1986-01-01"}, 201)
			for _, p := range []int64{husband, wife} {
				call("cz", "POST", fmt.Sprintf("/api/v1/persons/341523/%d/children", p), map[string]any{"child": daughter, "kind": "birth", "in_policy": true}, 201)
			}

			// The application, surveyed by two officers picked by id.
			out := call("cz", "POST", "/api/v1/cases", map[string]any{"county": "341523", "person_id": wife, "program": "jf", "year": 2024,
				"declared":    map[string]any{"hukou_type": "rural", "marriage": "1986年初婚", "births": "1987年生育一女", "adoptions": "无", "surviving_children": 1},
				"attachments": []string{"身份证", "户口簿", "结婚证"}, "pledge": true}, 201)
			base := fmt.Sprintf("/api/v1/cases/341523/%d", webtest.Num(webtest.Field(out, "case", "id")))
			facts := []map[string]string{}
			for _, f := range []string{"hukou", "birth", "marriage", "births", "adoptions", "children"} {
				facts = append(facts, map[string]string{"fact": f, "result": "consistent"})
			}
			applied := date.Today(ts.Clock.Now())
			today := applied.String()
			call("cz", "POST", base+"/survey", map[string]any{"date": today, "visited": true, "met_in_person": true,
				"investigators": ts.Surveyors(), "evidence": []string{"户口簿", "结婚证"}, "conclusion": "eligible", "findings": facts}, 200)
			call("cz", "POST", base+"/village-review", map[string]any{"date": today, "outcome": "agree",
				"participants": []map[string]string{{"name": "赵一", "role": "同龄村民"}, {"name": "钱二", "role": "老党员"}, {"name": "孙三", "role": "村干部"}}}, 200)
			notice := func(who string) {
				t.Helper()
				out := call(who, "POST", base+"/notices", map[string]any{"place": "公示栏"}, 200)
				nid := webtest.Num(webtest.Field(out, "notice", "id"))
				days(8)
				call(who, "POST", fmt.Sprintf("%s/notices/%d/close", base, nid), nil, 200)
			}
			notice("cz")
			// The township reviewer reads the engine's decision before signing.
			if out := call("xz", "GET", base, nil, 200); webtest.Field(out, "engine_preview", "eligible") != true {
				t.Fatalf("the township reviewer sees no engine decision before signing: %v", out["engine_preview"])
			}
			call("xz", "POST", base+"/township-review", map[string]any{"outcome": "approve", "opinion": "同意"}, 200)
			notice("xz")
			out = call("county", "POST", base+"/county-approval", map[string]any{"outcome": "approve", "opinion": "同意"}, 200)
			if out["recipient"] == nil {
				t.Fatalf("the approval put nobody on the roll: %v", out)
			}
			notice("county")
			if out := call("county", "GET", base, nil, 200); webtest.Field(out, "case", "state") != "enrolled" {
				t.Fatalf("case state %v, want enrolled", webtest.Field(out, "case", "state"))
			}

			// The next cycle pays her, with no evaluation run beforehand.
			out = call("finance", "POST", "/api/v1/payment-cycles", map[string]string{"county": "341523", "program": "jf", "period": "2024"}, 201)
			cycle := fmt.Sprintf("/api/v1/payment-cycles/341523/%d", webtest.Num(webtest.Field(out, "cycle", "id")))
			lines := call("finance", "GET", cycle, nil, 200)["lines"].([]any)
			if len(lines) != 1 || webtest.Num(lines[0].(map[string]any)["person_id"]) != wife || webtest.Num(lines[0].(map[string]any)["amount_fen"]) <= 0 {
				t.Fatalf("the cycle's lines = %v, want one paid line for the new recipient", lines)
			}
			amount := webtest.Num(lines[0].(map[string]any)["amount_fen"])
			if out := call("county", "GET", cycle+"/consistency", nil, 200); out["consistent"] != true {
				t.Errorf("consistency: %v", out)
			}

			// Her card, a batch, released by a second officer; the bank
			// fails the line.
			call("finance", "PUT", fmt.Sprintf("/api/v1/persons/341523/%d/account", wife),
				map[string]any{"bank": "103", "account_no": "6228480402564890018", "holder": "王秀英"}, 200)
			out = call("finance", "POST", cycle+"/batches", nil, 201)
			b := out["batches"].([]any)[0].(map[string]any)
			batch := fmt.Sprintf("/api/v1/batches/341523/%d", webtest.Num(b["id"]))
			appr := map[string]any{"count": b["count"], "total_fen": b["total_fen"]}
			call("finance", "POST", batch+"/approve", appr, 403)
			call("finance2", "POST", batch+"/approve", appr, 200)
			code, _, file := ts.Raw(as("finance"), "GET", batch+"/file", "", nil)
			if code != 200 || !strings.Contains(string(file), "王秀英") {
				t.Fatalf("bank file: %d %s", code, file)
			}
			line := webtest.Num(b["items"].([]any)[0].(map[string]any)["line_id"])
			yuan := fmt.Sprintf("%d.%02d", amount/100, amount%100)
			code, _, res := ts.Raw(as("finance"), "POST", batch+"/returns", "text/csv",
				[]byte(fmt.Sprintf("明细编号,金额,结果,失败原因,入账日期\r\n%d,%s,失败,账户已销户,\r\n", line, yuan)))
			if code != 200 || !strings.Contains(string(res), `"failed":1`) {
				t.Fatalf("return file: %d %s", code, res)
			}
			if out := call("finance", "GET", "/api/v1/retries?county=341523", nil, 200); len(out["retries"].([]any)) != 1 {
				t.Fatalf("retries = %v, want the failed line", out["retries"])
			}

			// The next morning the account is corrected; the retry batch
			// pays.
			days(1)
			acct := fmt.Sprintf("/api/v1/persons/341523/%d/account", wife)
			version := webtest.Field(call("finance", "GET", acct, nil, 200), "account", "version")
			call("finance", "PUT", acct, map[string]any{"bank": "403", "account_no": "6217994000000000010", "holder": "王秀英", "version": version}, 200)
			out = call("finance", "POST", "/api/v1/retries/341523/batches", nil, 201)
			rb := out["batches"].([]any)[0].(map[string]any)
			retry := fmt.Sprintf("/api/v1/batches/341523/%d", webtest.Num(rb["id"]))
			call("finance2", "POST", retry+"/approve", map[string]any{"count": rb["count"], "total_fen": rb["total_fen"]}, 200)
			rline := webtest.Num(rb["items"].([]any)[0].(map[string]any)["line_id"])
			code, _, res = ts.Raw(as("finance"), "POST", retry+"/returns", "text/csv",
				[]byte(fmt.Sprintf("明细编号,金额,结果,入账日期\r\n%d,%s,成功,%s\r\n", rline, yuan, date.Today(ts.Clock.Now()))))
			if code != 200 || !strings.Contains(string(res), `"paid":1`) {
				t.Fatalf("retry return file: %d %s", code, res)
			}

			// The ledger counts her once, with her amount.
			out = call("county", "GET", "/api/v1/ledger?year=2024", nil, 200)
			if text, _ := out["text"].(string); !strings.HasPrefix(text, "2024 年 发放 1 人") {
				t.Errorf("ledger = %q, want one person paid", text)
			}

			// Her papers as PDF: the application form with her full ID
			// number, the survey record, the village notice (masked), her
			// letter alone and among the cycle's, and the township's
			// village notices of the day.
			id := journeyID("1964-01-15", 22)
			masked := id[:6] + "********" + id[14:]
			paidOn := date.Today(ts.Clock.Now()).Chinese()
			ts.pdfText(t, as("cz"), base+"/documents/application?format=pdf", "王秀英", id, applied.Chinese(), "1987年生育一女")
			ts.pdfText(t, as("cz"), base+"/documents/survey?format=pdf", "王秀英", id, applied.Chinese(), "李调查")
			ts.pdfText(t, as("cz"), base+"/documents/notice?level=village&format=pdf", "王秀英", masked, applied.Chinese())
			letter := fmt.Sprintf("%s/letters/%d", cycle, wife)
			ts.pdfText(t, as("finance"), letter+"?format=pdf", "王秀英", yuan, paidOn, masked)
			ts.pdfText(t, as("county"), cycle+"/letters", "王秀英", yuan, paidOn)
			ts.pdfText(t, as("finance"), cycle+"/letters?township=341523100000", "王秀英", yuan, paidOn)
			ts.wantStatus(t, as("finance"), cycle+"/letters?township=341523101000", 404)
			ts.wantStatus(t, as("finance"), cycle+"/letters?township=341522100000", 400)
			ts.wantStatus(t, as("finance"), letter+"?format=doc", 400)
			ts.pdfText(t, as("xz"), "/api/v1/notice-lists?region=341523100000&level=village&day="+today, "王秀英", masked, applied.Chinese(), "仁和村")
			ts.wantStatus(t, as("cz"), "/api/v1/notice-lists?region=341523100000&level=village&day="+today, 403)
			ts.wantStatus(t, as("xz"), "/api/v1/notice-lists?region=341523100000&level=county&day="+today, 404)
			prints := 0
			for _, e := range ts.AuditEntries("341523") {
				if e.Action == "payment.letters.print" {
					prints++
				}
			}
			if prints != 2 {
				t.Errorf("%d bulk letter prints audited, want 2", prints)
			}
		})
	}
}

// TestJourneyUI walks the same journey through the staff pages' forms, as
// each officer's browser would post them, on both engines.
func TestJourneyUI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.journeyStaff(t)
			ts.Clock.Add(-120 * 24 * time.Hour)
			logins := map[string][2]string{"cz": {"czg", "cz123456"}, "xz": {"xzs", "xz123456"}, "county": {"county", "county1234"},
				"finance": {"finance", "finance1234"}, "finance2": {"finance2", "finance1234"}}
			pages := map[string]*webtest.Page{}
			as := func(who string) *webtest.Page {
				if p, ok := pages[who]; ok {
					return p
				}
				pages[who] = ts.Browser().Login(logins[who][0], logins[who][1])
				return pages[who]
			}
			days := func(n int) {
				ts.Clock.Add(time.Duration(n) * 24 * time.Hour)
				clear(pages)
			}
			today := func() string { return date.Today(ts.Clock.Now()).String() }

			// The family, registered and linked through the forms.
			reg := func(name, sex, birth string, seq int) string {
				t.Helper()
				p := as("cz").Post("/persons/new", url.Values{"id_number": {journeyID(birth, seq)}, "name": {name}, "sex": {sex},
					"birth": {birth}, "region": {"341523100201"}, "hukou_type": {"rural"}, "pension": {"none"}, "address": {"舒城县城关镇仁和村三组15号"}})
				return strings.Split(p.WantRedirect("/persons/341523/"), "?")[0]
			}
			wife, husband := reg("王秀英", "F", "1964-01-15", 22), reg("张建国", "M", "1962-03-01", 31)
			reg("张丽", "F", "1987-04-12", 42)
			as("cz").Post(husband+"/marriage", url.Values{"spouse": {journeyID("1964-01-15", 22)}, "from": {"1986-01-01"}}).WantRedirect(husband)
			for _, p := range []string{husband, wife} {
				as("cz").Post(p+"/child", url.Values{"child": {journeyID("1987-04-12", 42)}, "kind": {"birth"}, "in_policy": {"yes"}}).WantRedirect(p)
			}
			as("cz").Get(wife).Want(200, "张丽", "张建国")

			// The application and the village's steps.
			as("cz").Post(wife+"/apply", url.Values{"program": {"jf"}, "year": {"2024"}, "hukou_type": {"rural"}, "marriage": {"1986年初婚"},
				"births": {"1987年生育一女"}, "adoptions": {"无"}, "children": {"1"}, "attachments": {"身份证\n户口簿"}, "pledge": {"1"}})
			casePath := strings.Split(as("cz").WantRedirect("/cases/341523/"), "?")[0]
			as("cz").Get(casePath).Want(200, "李调查")
			survey := url.Values{"date": {today()}, "visited": {"1"}, "met": {"1"}, "conclusion": {"eligible"}, "evidence": {"户口簿"},
				"inv1": {fmt.Sprint(ts.UID("czg"))}, "inv2": {fmt.Sprint(ts.UID("dcy"))}}
			for _, f := range []string{"hukou", "birth", "marriage", "births", "adoptions", "children"} {
				survey.Set("fact_"+f, "consistent")
			}
			applied := date.Today(ts.Clock.Now())
			as("cz").Post(casePath+"/survey", survey).WantRedirect(casePath)
			as("cz").Post(casePath+"/village_review", url.Values{"date": {today()}, "outcome": {"agree"}, "opinion": {"同意上报"},
				"p1": {"赵一"}, "prole1": {"同龄村民"}, "p2": {"钱二"}, "prole2": {"老党员"}, "p3": {"孙三"}, "prole3": {"村干部"}}).WantRedirect(casePath)
			notice := func(who string) {
				t.Helper()
				as(who).Post(casePath+"/notice_open", url.Values{"place": {"公示栏"}}).WantRedirect(casePath)
				body := as(who).Get(casePath).Body
				m := regexp.MustCompile(`name="notice" value="(\d+)"`).FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("no notice to close on the case page:\n%.2000s", body)
				}
				days(8)
				as(who).Post(casePath+"/notice_close", url.Values{"notice": {m[1]}}).WantRedirect(casePath)
			}
			notice("cz")

			// The township reads the engine's decision, then signs.
			as("xz").Get(casePath).Want(200, "签署前请核对")
			as("xz").Post(casePath+"/township_review", url.Values{"outcome": {"approve"}, "opinion": {"同意"}}).WantRedirect(casePath)
			notice("xz")
			as("county").Get(casePath).Want(200, "签署前请核对")
			as("county").Post(casePath+"/county_approval", url.Values{"outcome": {"approve"}, "opinion": {"同意"}}).WantRedirect(casePath)
			notice("county")
			as("county").Get(casePath).Want(200, "已列入名册")

			// Finance: her card, the cycle that pays her, a batch released by
			// a second officer, the bank file.
			as("finance").Post(wife+"/account", url.Values{"bank": {"103"}, "kind": {"card"}, "account_no": {"6228480402564890018"}, "holder": {"王秀英"}}).
				WantRedirect(wife)
			as("finance").Post("/payments/cycles", url.Values{"program": {"jf"}, "period": {"2024"}})
			cycle := strings.Split(as("finance").WantRedirect("/payments/cycles/341523/"), "?")[0]
			as("finance").Get(cycle).Want(200, "王秀英", "待发")
			as("finance").Post(cycle+"/batches", url.Values{}).WantRedirect("/payments/batches")
			batchPath := func(body string) string {
				m := regexp.MustCompile(`/payments/batches/341523/\d+`).FindString(body)
				if m == "" {
					t.Fatalf("no batch in the list:\n%.2000s", body)
				}
				return m
			}
			batch := batchPath(as("finance").Get(as("finance").Loc).Body)
			total := regexp.MustCompile(`(\d[\d,]*\.\d\d)`).FindString(as("finance2").Get(batch).Body)
			as("finance2").Post(batch+"/approve", url.Values{"count": {"1"}, "total": {strings.ReplaceAll(total, ",", "")}}).WantRedirect(batch)
			as("finance").Get(batch+"/file").Want(200, "王秀英")

			// The bank fails the line: previewed, then recorded.
			line := regexp.MustCompile(`<td class="mono">(\d+)</td><td>王秀英`).FindStringSubmatch(as("finance").Get(batch).Body)
			if line == nil {
				t.Fatalf("no line on the batch page:\n%.3000s", as("finance").Body)
			}
			failed := "明细编号,金额,结果,失败原因\r\n" + line[1] + "," + strings.ReplaceAll(total, ",", "") + ",失败,账户已销户\r\n"
			p := as("finance").Multipart(batch+"/returns", nil, []byte(failed)).Want(200, "确认入账")
			content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(p.Body)
			as("finance").Multipart(batch+"/returns", map[string]string{"content": html.UnescapeString(content[1]), "confirm": "1"}, nil).
				WantRedirect(batch)
			as("finance").Get("/payments/retries").Want(200, "账户已销户")

			// The next day the account is corrected, and the retry pays.
			days(1)
			acct := as("finance").Get(wife + "/account").Body
			version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(acct)
			form := url.Values{"bank": {"403"}, "kind": {"card"}, "account_no": {"6217994000000000010"}, "holder": {"王秀英"}}
			if version != nil {
				form.Set("version", version[1])
			}
			as("finance").Post(wife+"/account", form).WantRedirect(wife)
			as("finance").Post("/payments/retries", url.Values{"county": {"341523"}}).WantRedirect("/payments/batches")
			retry := batchPath(as("finance").Get(as("finance").Loc).Body)
			as("finance2").Post(retry+"/approve", url.Values{"count": {"1"}, "total": {strings.ReplaceAll(total, ",", "")}}).WantRedirect(retry)
			rline := regexp.MustCompile(`<td class="mono">(\d+)</td><td>王秀英`).FindStringSubmatch(as("finance").Get(retry).Body)
			paid := "明细编号,金额,结果,入账日期\r\n" + rline[1] + "," + strings.ReplaceAll(total, ",", "") + ",成功," + today() + "\r\n"
			p = as("finance").Multipart(retry+"/returns", nil, []byte(paid)).Want(200, "确认入账")
			content = regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(p.Body)
			as("finance").Multipart(retry+"/returns", map[string]string{"content": html.UnescapeString(content[1]), "confirm": "1"}, nil).
				WantRedirect(retry)

			// The ledger counts her once.
			led := as("county").Get("/payments/ledger?year=2024")
			led.Want(200, total)
			if !strings.Contains(stripTags(led.Body), "合计 1 "+total) {
				t.Errorf("the ledger does not count one person paid:\n%.3000s", stripTags(led.Body))
			}

			// Her papers: the case page links each to its printable page
			// and its PDF; the printable pages stay, with a PDF link.
			id := journeyID("1964-01-15", 22)
			masked := id[:6] + "********" + id[14:]
			paidOn := date.Today(ts.Clock.Now()).Chinese()
			as("cz").Get(casePath).Want(200, casePath+"/documents/application?format=pdf", casePath+"/documents/survey?format=pdf",
				casePath+"/documents/notice?level=village&amp;format=pdf")
			as("cz").Get(casePath+"/documents/application").Want(200, "申报表", id, "下载 PDF", "/documents/application?format=pdf")
			cz := as("cz").C
			ts.pdfText(t, cz, casePath+"/documents/application?format=pdf", "王秀英", id, applied.Chinese())
			ts.pdfText(t, cz, casePath+"/documents/survey?format=pdf", "王秀英", applied.Chinese(), "李调查")
			ts.pdfText(t, cz, casePath+"/documents/notice?level=township&format=pdf", "王秀英", masked, "城关镇")
			nid := regexp.MustCompile(`/notices/(\d+)\?format=pdf`).FindStringSubmatch(as("cz").Get(casePath).Body)
			if nid == nil {
				t.Fatal("the case page links no notice's PDF")
			}
			as("cz").Get(casePath+"/notices/"+nid[1]).Want(200, "?format=pdf", "下载 PDF")
			ts.pdfText(t, cz, casePath+"/notices/"+nid[1]+"?format=pdf", "王秀英", masked)
			as("cz").Get(casePath+"/documents/notes").Want(400, "未知文书类型")
			as("cz").Get("/notices?status=all").Want(200, `action="/notices/print"`, "仁和村")
			ts.pdfText(t, as("xz").C, "/notices/print?region=341523100000&level=village&day="+applied.String(), "王秀英", masked, applied.Chinese())
			as("xz").Get("/notices/print?region=341523100000&level=village&day=2023-01-01").Want(404, "没有村级公示")
			as("xz").Get("/notices/print?region=341523100000&level=x&day=").Want(400, "公示级别")

			person := strings.TrimPrefix(wife, "/persons/341523/")
			as("finance").Get(cycle+"/letters/"+person).Want(200, "下载 PDF", `href="?format=pdf"`)
			ts.pdfText(t, as("finance").C, cycle+"/letters/"+person+"?format=pdf", "王秀英", total, paidOn, masked)
			as("finance").Get(cycle).Want(200, `action="`+cycle+`/letters"`, `<option value="341523100000">城关镇</option>`)
			ts.pdfText(t, as("county").C, cycle+"/letters?township=341523100000", "王秀英", total, paidOn)
			as("county").Get(cycle+"/letters?township=341523101000").Want(404, "没有可打印的告知书")
			as("cz").Get(cycle + "/letters").Want(403)

		})
	}
}

// stripTags reduces an HTML page to its text, for matching figures.
func stripTags(s string) string {
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(s, " ")), " ")
}
