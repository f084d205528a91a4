package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestCaseNeedingReview takes a case the engine cannot decide — a couple
// whose only child was taken in without adoption papers after the 1992
// adoption law — to the township review, on both engines. The reviewer
// sees 需人工审核 with the reason on the case page and in the API's
// preview; an approval without a reason and the second confirmation is
// refused naming the field; with them it is signed, and the supervisor's
// list shows it with the engine's status.
func TestCaseNeedingReview(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			ts.Clock.Add(-120 * 24 * time.Hour)
			cz, xz, jd := ts.Login("czg", "cz123456"), ts.Login("xzs", "xz123456"), ts.Login("jdu", "jd123456")
			call := func(c *http.Client, method, path string, body any, want int) map[string]any {
				t.Helper()
				code, out := ts.Call(c, method, path, body)
				if code != want {
					t.Fatalf("%s %s = %d %v, want %d", method, path, code, out, want)
				}
				return out
			}
			reg := func(name, sex, birth string, seq int) int64 {
				out := call(cz, "POST", "/api/v1/persons", map[string]any{"id_number": journeyID(birth, seq), "name": name, "sex": sex,
					"birth": birth, "region": "341523100201", "hukou_type": "rural", "address": "舒城县城关镇仁和村五组3号"}, 201)
				return webtest.Num(webtest.Field(out, "person", "id"))
			}
			wife, husband, child := reg("李秀兰", "F", "1962-05-01", 52), reg("赵建华", "M", "1960-03-01", 61), reg("赵小红", "F", "1993-01-01", 72)
			call(cz, "POST", fmt.Sprintf("/api/v1/persons/341523/%d/marriages", husband), map[string]any{"spouse": wife, "from": "1985-01-01"}, 201)
			for _, p := range []int64{husband, wife} {
				call(cz, "POST", fmt.Sprintf("/api/v1/persons/341523/%d/children", p), map[string]any{"child": child, "kind": "adoption_defacto", "from": "1994-06-01"}, 201)
			}
			out := call(cz, "POST", "/api/v1/cases", map[string]any{"county": "341523", "person_id": wife, "program": "jf", "year": 2024,
				"declared":    map[string]any{"hukou_type": "rural", "marriage": "1985年初婚", "births": "无", "adoptions": "1994年收养一女，未办登记", "surviving_children": 1},
				"attachments": []string{"身份证", "户口簿", "结婚证"}, "pledge": true}, 201)
			id := webtest.Num(webtest.Field(out, "case", "id"))
			base := fmt.Sprintf("/api/v1/cases/341523/%d", id)
			facts := []map[string]string{}
			for _, f := range []string{"hukou", "birth", "marriage", "births", "adoptions", "children"} {
				facts = append(facts, map[string]string{"fact": f, "result": "consistent"})
			}
			today := date.Today(ts.Clock.Now()).String()
			call(cz, "POST", base+"/survey", map[string]any{"date": today, "visited": true, "met_in_person": true,
				"investigators": ts.Surveyors(), "evidence": []string{"户口簿", "结婚证"}, "conclusion": "eligible", "findings": facts}, 200)
			call(cz, "POST", base+"/village-review", map[string]any{"date": today, "outcome": "agree",
				"participants": []map[string]string{{"name": "赵一", "role": "同龄村民"}, {"name": "钱二", "role": "老党员"}, {"name": "孙三", "role": "村干部"}}}, 200)
			out = call(cz, "POST", base+"/notices", map[string]any{"place": "公示栏"}, 200)
			nid := webtest.Num(webtest.Field(out, "notice", "id"))
			ts.Clock.Add(8 * 24 * time.Hour)
			cz, xz, jd = ts.Login("czg", "cz123456"), ts.Login("xzs", "xz123456"), ts.Login("jdu", "jd123456")
			call(cz, "POST", fmt.Sprintf("%s/notices/%d/close", base, nid), nil, 200)

			// The reviewer sees that the engine could not decide, and why.
			reason := func(out map[string]any) string {
				r, _ := webtest.Field(out, "engine_preview", "review").(string)
				return r
			}
			out = call(xz, "GET", base, nil, 200)
			if webtest.Field(out, "engine_preview", "status") != "needs_review" || webtest.Field(out, "engine_preview", "eligible") != false || reason(out) == "" {
				t.Fatalf("engine preview %v, want needs_review with the reason", out["engine_preview"])
			}
			ts.Browser().Login("xzs", "xz123456").Get(fmt.Sprintf("/cases/341523/%d", id)).Want(200, "签署前请核对", `<span class="tag warn">需人工审核</span>`)

			// A yes needs the reason and the confirmation.
			code, body := ts.Call(xz, "POST", base+"/township-review", map[string]any{"outcome": "approve", "opinion": "同意"})
			if code != 400 || webtest.Field(body, "error", "field") != "override_reason" || !strings.Contains(fmt.Sprint(webtest.Field(body, "error", "message")), "需人工审核") {
				t.Fatalf("approval without a reason: %d %v, want 400 on override_reason saying the engine needs review", code, body)
			}
			call(xz, "POST", base+"/township-review", map[string]any{"outcome": "approve", "opinion": "同意",
				"override_reason": "民政部门出具收养登记补办证明，经入户核实该子女自幼随申请人生活", "override_confirmed": true}, 200)

			out = call(jd, "GET", "/api/v1/overrides", nil, 200)
			rows, _ := out["overrides"].([]any)
			if len(rows) != 1 || rows[0].(map[string]any)["engine_status"] != "needs_review" || webtest.Num(rows[0].(map[string]any)["case_id"]) != id {
				t.Fatalf("overrides %v, want the approval with the engine's needs_review", out)
			}
			ts.Browser().Login("jdu", "jd123456").Get("/overrides").Want(200, "李秀兰", `<span class="tag warn">需人工审核</span>`)
		})
	}
}
