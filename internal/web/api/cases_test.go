package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

func TestCasesAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			wife := ts.WFFamily()
			login := map[string][2]string{"cz": {"czg", "cz123456"}, "xz": {"xzs", "xz123456"}, "county": {"county", "county1234"},
				"finance": {"finance", "finance1234"}, "jd": {"jdu", "jd123456"}}
			as := func(who string) *http.Client { return ts.Login(login[who][0], login[who][1]) }
			// days moves the clock; sessions do not survive it, so callers
			// sign in again.
			days := func(n int) { ts.Clock.Add(time.Duration(n) * 24 * time.Hour) }
			post := func(who, path string, body any, want int) map[string]any {
				t.Helper()
				code, out := ts.Call(as(who), "POST", path, body)
				if code != want {
					t.Fatalf("%s POST %s = %d %v, want %d", who, path, code, out, want)
				}
				return out
			}
			state := func(out map[string]any) any { return webtest.Field(out, "case", "state") }

			out := post("cz", "/api/v1/cases", map[string]any{"county": "341523", "person_id": wife.ID, "program": "jf", "year": 2024,
				"declared":    map[string]any{"hukou_type": "rural", "marriage": "1986年初婚", "births": "1987年生育一女", "adoptions": "无", "surviving_children": 1},
				"attachments": []string{"身份证", "户口簿"}, "pledge": true}, 201)
			id := int64(webtest.Field(out, "case", "id").(float64))
			base := fmt.Sprintf("/api/v1/cases/341523/%d", id)

			denied := ts.DeniedCount()
			survey := map[string]any{"date": "2024-05-06", "visited": true, "met_in_person": true,
				"investigators": ts.Surveyors(),
				"evidence":      []string{"户口簿", "结婚证"}, "conclusion": "eligible",
				"findings": []map[string]string{{"fact": "hukou", "result": "consistent"}, {"fact": "birth", "result": "consistent"},
					{"fact": "marriage", "result": "consistent"}, {"fact": "births", "result": "consistent"},
					{"fact": "adoptions", "result": "consistent"}, {"fact": "children", "result": "consistent"}}}
			post("finance", base+"/survey", survey, 403)
			if got := ts.DeniedCount(); got != denied+1 {
				t.Errorf("access.denied entries = %d, want %d", got, denied+1)
			}
			out = post("xz", base+"/township-review", map[string]any{"outcome": "approve"}, 409)
			if !strings.Contains(webtest.ErrMessage(out), "不能进行“乡镇审核”") {
				t.Errorf("conflict message = %q", webtest.ErrMessage(out))
			}
			if _, out := ts.Call(as("xz"), "POST", base+"/township-review?lang=en", map[string]any{"outcome": "approve"}); !strings.Contains(webtest.ErrMessage(out), "not possible now") {
				t.Errorf("English conflict message = %q", webtest.ErrMessage(out))
			}
			if out := post("cz", base+"/survey", survey, 200); state(out) != "surveyed" {
				t.Errorf("after the survey: %v", state(out))
			}
			post("cz", base+"/village-review", map[string]any{"date": "2024-05-06", "outcome": "agree",
				"participants": []map[string]string{{"name": "赵一", "role": "同龄村民"}, {"name": "钱二", "role": "老党员"}, {"name": "孙三", "role": "村干部"}}}, 200)
			out = post("cz", base+"/notices", map[string]any{"place": "村部公示栏"}, 200)
			n1 := int64(webtest.Field(out, "notice", "id").(float64))
			if webtest.Field(out, "notice", "end") != "2024-05-13" {
				t.Errorf("notice = %v, want it to end 2024-05-13", out["notice"])
			}
			post("cz", fmt.Sprintf("%s/notices/%d/close", base, n1), nil, 409)
			out = post("cz", fmt.Sprintf("%s/notices/%d/objections", base, n1), map[string]any{"objector": "村民", "content": "另有一子"}, 200)
			oid := int64(webtest.Field(out, "objection", "id").(float64))
			if state(out) != "suspended" {
				t.Errorf("after an objection: %v", state(out))
			}
			out = post("xz", fmt.Sprintf("%s/objections/%d/resolve", base, oid), map[string]any{"outcome": "dismissed", "note": "经核查系侄子"}, 200)
			if state(out) != "village_notice" {
				t.Errorf("after dismissal: %v", state(out))
			}
			days(7)
			post("cz", fmt.Sprintf("%s/notices/%d/close", base, n1), nil, 200)
			out = post("xz", base+"/township-review", map[string]any{"outcome": "approve", "opinion": "同意"}, 200)
			if state(out) != "township_approved" || webtest.Field(out, "case", "engine", "eligible") != true {
				t.Errorf("township review = %v", out)
			}
			out = post("xz", base+"/notices", map[string]any{"place": "镇政府公示栏"}, 200)
			n2 := int64(webtest.Field(out, "notice", "id").(float64))
			days(7)
			post("xz", fmt.Sprintf("%s/notices/%d/close", base, n2), nil, 200)
			out = post("county", base+"/county-approval", map[string]any{"outcome": "approve", "opinion": "同意"}, 200)
			if state(out) != "approved" || webtest.Field(out, "recipient", "program") != "jf" || webtest.Field(out, "recipient", "status") != "active" {
				t.Errorf("county approval = %v", out)
			}
			out = post("county", base+"/notices", map[string]any{"place": "县卫健委网站"}, 200)
			n3 := int64(webtest.Field(out, "notice", "id").(float64))
			days(7)
			if out := post("county", fmt.Sprintf("%s/notices/%d/close", base, n3), nil, 200); state(out) != "enrolled" {
				t.Errorf("after the county notice: %v", state(out))
			}

			// The whole history in one view.
			code, out := ts.Call(as("jd"), "GET", base, nil)
			steps, _ := out["steps"].([]any)
			audits, _ := out["audit"].([]any)
			if code != 200 || len(steps) != 13 || len(audits) < 13 || webtest.Field(out, "recipient", "status") != "active" {
				t.Errorf("GET case = %d, %d steps, %d audit entries, recipient %v", code, len(steps), len(audits), out["recipient"])
			}
			if code, _ := ts.Call(as("finance"), "GET", base, nil); code != 403 {
				t.Errorf("finance reading a case = %d, want 403", code)
			}

			// Documents.
			cz := as("cz")
			code, html := ts.Fetch(cz, base+"/documents/notice?level=village")
			if code != 200 || strings.Contains(html, wife.IDNumber) || !strings.Contains(html, idcard.Number(wife.IDNumber).Masked()) ||
				strings.Contains(html, "三组15号") || !strings.Contains(html, "@media print") {
				t.Errorf("village notice = %d, masked ID %v, full ID %v", code, strings.Contains(html, idcard.Number(wife.IDNumber).Masked()), strings.Contains(html, wife.IDNumber))
			}
			if code, html := ts.Fetch(cz, base+"/documents/application"); code != 200 || !strings.Contains(html, "申报表") || !strings.Contains(html, wife.IDNumber) {
				t.Errorf("application form = %d", code)
			}
			if code, html := ts.Fetch(cz, base+"/documents/survey"); code != 200 || !strings.Contains(html, "李调查（城关镇）") {
				t.Errorf("survey record = %d", code)
			}
			if code, _ := ts.Fetch(cz, base+"/documents/letter"); code != 400 {
				t.Errorf("unknown document = %d, want 400", code)
			}

			// The roll, the annual review and an exit.
			code, out = ts.Call(as("finance"), "GET", "/api/v1/roll?status=active", nil)
			if rs, _ := out["recipients"].([]any); code != 200 || len(rs) != 1 {
				t.Errorf("roll = %d %v", code, out)
			}
			out = post("xz", "/api/v1/annual-review", map[string]any{"region": "341523100000", "year": 2024}, 200)
			if out["confirmed"] != float64(1) || out["reviewed"] != float64(1) {
				t.Errorf("annual review = %v", out)
			}
			post("cz", "/api/v1/annual-review", map[string]any{"region": "341523100201", "year": 2024}, 403)
			if err := ts.DB.Update(context.Background(), func(tx *store.Tx) error {
				_, err := registry.RecordDeath(context.Background(), tx, auth.System, registry.Key{County: "341523", ID: wife.ID}, date.MustParse("2024-05-20"), "公安")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			out = post("xz", fmt.Sprintf("/api/v1/persons/341523/%d/events", wife.ID), map[string]any{"kind": "death", "evidence": "死亡证明"}, 200)
			if chs, _ := out["changes"].([]any); len(chs) != 1 {
				t.Errorf("event = %v, want one change", out)
			}
			code, out = ts.Call(as("county"), "GET", "/api/v1/roll?status=exited&region=341523100201", nil)
			rs, _ := out["recipients"].([]any)
			if code != 200 || len(rs) != 1 || webtest.Field(rs[0].(map[string]any), "paid_through") != "2024-12" {
				t.Errorf("exited roll = %d %v", code, out)
			}
			code, out = ts.Call(as("cz"), "GET", "/api/v1/cases", nil)
			if cs, ok := out["cases"].([]any); code != 200 || !ok || len(cs) != 0 {
				t.Errorf("worklist = %d %v, want an empty list", code, out)
			}
		})
	}
}
