package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestCitizenSelfService runs the citizen's path end to end: an account
// linked to the citizen's person through the admin API, the own view and
// application, acceptance by the village specialist on the worklist, and
// the refusals, each audited.
func TestCitizenSelfService(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			wife := ts.WFFamily()
			admin, err := auth.NewUser{Username: "adm", Name: "管理员", Role: auth.RoleAdmin, Region: "341523", Password: "adm123456"}.
				Build(region.Default(), auth.TestParams)
			if err != nil {
				t.Fatal(err)
			}
			if err := ts.DB.Update(context.Background(), func(tx *store.Tx) error {
				_, err := auth.CreateUser(context.Background(), tx, auth.System, admin)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			adm := ts.Login("adm", "adm123456")
			person := fmt.Sprintf("341523/%d", wife.ID)
			newCitizen := map[string]any{"username": "wxy", "name": "王秀英", "role": "citizen", "region": "341523100201", "password": "orchid3valley"}
			if code, out := ts.Call(adm, "POST", "/api/v1/users", newCitizen); code != 400 {
				t.Fatalf("citizen without a person = %d %v", code, out)
			}
			newCitizen["person"] = "341523/999999"
			if code, out := ts.Call(adm, "POST", "/api/v1/users", newCitizen); code != 400 {
				t.Fatalf("citizen with an unknown person = %d %v", code, out)
			}
			newCitizen["person"] = person
			if code, out := ts.Call(adm, "POST", "/api/v1/users", newCitizen); code != 201 || webtest.Field(out, "user", "person") != person {
				t.Fatalf("create citizen = %d %v", code, out)
			}

			cit := ts.Login("wxy", "orchid3valley")
			code, out := ts.Call(cit, "GET", "/api/v1/self", nil)
			if code != 200 || webtest.Field(out, "person", "name") != "王秀英" || strings.Contains(fmt.Sprint(out), wife.IDNumber) {
				t.Fatalf("self = %d %v", code, out)
			}
			app := map[string]any{"program": "jf", "year": 2024,
				"declared":    map[string]any{"hukou_type": "rural", "marriage": "1986年初婚", "births": "1987年生育一女", "adoptions": "无", "surviving_children": 1},
				"attachments": []string{"身份证", "户口簿"}, "pledge": true}
			code, out = ts.Call(cit, "POST", "/api/v1/self/applications", app)
			if code != 201 || webtest.Field(out, "case", "intake") != "pending" {
				t.Fatalf("self application = %d %v", code, out)
			}
			id := int64(webtest.Field(out, "case", "id").(float64))
			base := fmt.Sprintf("/api/v1/cases/341523/%d", id)

			// The citizen reads no cases and signs no step; staff have no self.
			denied := ts.DeniedCount()
			for p, body := range map[string]map[string]any{"/accept": {}, "/survey": {}, "/withdraw": {"reason": "x"}} {
				if code, out := ts.Call(cit, "POST", base+p, body); code != 403 {
					t.Errorf("citizen POST %s = %d %v", p, code, out)
				}
			}
			cz := ts.Login("czg", "cz123456")
			if code, out := ts.Call(cz, "GET", "/api/v1/self", nil); code != 403 {
				t.Errorf("staff self = %d %v", code, out)
			}
			if code, out := ts.Call(cz, "POST", "/api/v1/self/applications", app); code != 403 {
				t.Errorf("staff self application = %d %v", code, out)
			}
			xz := ts.Login("xzs", "xz123456")
			if code, out := ts.Call(xz, "POST", base+"/accept", map[string]any{}); code != 403 {
				t.Errorf("township accepts = %d %v", code, out)
			}
			if got := ts.DeniedCount(); got != denied+6 {
				t.Errorf("denied audited %d times, want %d", got-denied, 6)
			}

			// The village worklist shows it, with accept and return.
			if code, body := ts.Fetch(cz, "/cases"); code != 200 || !strings.Contains(body, "群众申请待受理") {
				t.Errorf("worklist = %d, no pending citizen application", code)
			}
			if code, body := ts.Fetch(cz, fmt.Sprintf("/cases/341523/%d", id)); code != 200 || !strings.Contains(body, "/accept") || !strings.Contains(body, "/return") {
				t.Errorf("case page = %d, no accept/return actions", code)
			}
			if code, out := ts.Call(cz, "POST", base+"/survey", map[string]any{}); code != 409 {
				t.Errorf("survey of a pending case = %d %v", code, out)
			}
			if code, out := ts.Call(cz, "POST", base+"/accept", map[string]any{"note": "材料齐全"}); code != 200 ||
				webtest.Field(out, "case", "intake") != "accepted" || webtest.Field(out, "case", "state") != "applied" {
				t.Fatalf("accept = %d %v", code, out)
			}
			if code, out := ts.Call(cz, "POST", base+"/return", map[string]any{"reason": "x"}); code != 409 {
				t.Errorf("return after acceptance = %d %v", code, out)
			}
			code, out = ts.Call(cit, "GET", "/api/v1/self", nil)
			cases, _ := out["cases"].([]any)
			if code != 200 || len(cases) != 1 || webtest.Field(cases[0].(map[string]any), "status_zh") != "已申报，待入户调查" {
				t.Errorf("self after acceptance = %d %v", code, out)
			}

			// The page: status list and form, submitted as a browser does.
			p := ts.Browser().Login("wxy", "orchid3valley")
			p.Get("/").Want(303)
			p.Get("/self").Want(200, "已申报，待入户调查", `name="viewport"`, `action="/self"`)
			p.Post("/self", url.Values{"program": {"jf"}, "year": {"2024"}, "hukou_type": {"rural"}, "children": {"1"},
				"attachments": {"身份证"}, "pledge": {"1"}}).Want(422, "该申请人已有该项目正在办理的申请")
		})
	}
}
