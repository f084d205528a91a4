package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// TestBirthsAPI runs the births' routes through the API on both engines:
// the village specialist registers a birth for a mother of the village
// (the parity decided from the family), reads it and its slip as a PDF;
// anyone verifies the slip by its number and check code, and a wrong code
// is no slip; the birth record closes it and adds the child; a historical
// approval is kept on the mother. The county files a childcare institution,
// records an inspection with a rectification and its check, and reads the
// places per 1,000 by township; the village cannot file.
func TestBirthsAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ctx := app.WithRequest(context.Background(), app.Request{Door: "test"})
			reg := func(name, sex, born string, n int) int64 {
				b := date.MustParse(born)
				r, err := ts.App.RegisterPerson(ctx, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), n)),
					Name: name, Sex: sex, Birth: b, Region: "341523100001", HukouType: registry.Rural})
				if err != nil {
					t.Fatal(err)
				}
				return r.ID
			}
			wife, husband := reg("赵丽", registry.Female, "1994-02-01", 12), reg("钱明", registry.Male, "1992-06-01", 13)
			if _, err := ts.App.AddMarriage(ctx, auth.System, registry.Key{County: "341523", ID: husband}, app.Relative{ID: wife, Field: "spouse"},
				registry.Marriage{From: date.MustParse("2018-01-01")}, ""); err != nil {
				t.Fatal(err)
			}
			village := ts.Login("village", "village1234")
			code, out := ts.Call(village, "POST", "/api/v1/births", map[string]any{"county": "341523", "mother_id": wife, "father_id": husband,
				"applicant_id": wife, "expected": "2024-09-20", "phone": "13905641234"})
			if code != 201 || webtest.Num(webtest.Field(out, "registration", "parity")) != 1 {
				t.Fatalf("register = %d %v", code, out)
			}
			id := webtest.Num(webtest.Field(out, "registration", "id"))
			serial, _ := webtest.Field(out, "registration", "serial").(string)
			checkCode, _ := webtest.Field(out, "registration", "code").(string)
			path := fmt.Sprintf("/api/v1/births/341523/%d", id)
			if code, out := ts.Call(village, "GET", path, nil); code != 200 || webtest.Field(out, "registration", "decision", "clauses") == nil {
				t.Errorf("read = %d %v", code, out)
			}
			if code, ctype, body := ts.Raw(village, "GET", path+"/slip", "", nil); code != 200 || ctype != "application/pdf" || !strings.HasPrefix(string(body), "%PDF-") {
				t.Errorf("slip = %d %s", code, ctype)
			}
			anon := ts.Client()
			code, out = ts.Call(anon, "GET", "/api/v1/verify/birth?serial="+serial+"&code="+checkCode, nil)
			if code != 200 || webtest.Field(out, "verification", "mother") != "赵*" || webtest.Num(webtest.Field(out, "verification", "parity")) != 1 {
				t.Errorf("verify = %d %v", code, out)
			}
			if code, _ := ts.Call(anon, "GET", "/api/v1/verify/birth?serial="+serial+"&code=AAAAAAAA", nil); code != 404 {
				t.Errorf("a wrong code = %d, want 404", code)
			}
			code, out = ts.Call(village, "POST", path+"/close", map[string]any{"version": 1, "record": map[string]any{"born": "2024-05-01",
				"hospital": "舒城县人民医院", "cert_no": "Q341234567", "hospital_birth": true, "children": []any{map[string]any{"name": "钱小满", "sex": "F"}}}})
			if code != 200 || webtest.Field(out, "registration", "status") != "closed" {
				t.Fatalf("close = %d %v", code, out)
			}
			code, out = ts.Call(village, "POST", fmt.Sprintf("/api/v1/persons/341523/%d/birth-approvals", wife), map[string]any{"kind": "certificate",
				"parity": 1, "number": "皖生字2015第001号", "issued": "2015-03-01", "issuer": "舒城县卫计委"})
			if code != 201 {
				t.Errorf("approval = %d %v", code, out)
			}
			if code, out := ts.Call(village, "GET", fmt.Sprintf("/api/v1/persons/341523/%d/birth-approvals", wife), nil); code != 200 ||
				len(webtest.Field(out, "approvals").([]any)) != 1 {
				t.Errorf("approvals = %d %v", code, out)
			}

			first := "52341523MJ0000009"
			inst := map[string]any{"name": "东苑托育点", "credit_code": first + string(childcare.CreditCheck(first)), "operator": "东苑社区居委会",
				"reg_type": "social", "type": "community", "inclusive": true, "places": 20, "region": "341523100001", "area": 200,
				"fire_safety": true, "fire_doc": "舒消验字1号", "fire_date": "2024-01-10", "filed": "2024-02-01",
				"staff": []any{map[string]any{"name": "孙园长", "role": "director"}}}
			if code, _ := ts.Call(village, "POST", "/api/v1/childcare/341523/institutions", inst); code != 403 {
				t.Errorf("the village files = %d, want 403", code)
			}
			county := ts.Login("county", "county1234")
			code, out = ts.Call(county, "POST", "/api/v1/childcare/341523/institutions", inst)
			if code != 201 {
				t.Fatalf("file = %d %v", code, out)
			}
			iid := webtest.Num(webtest.Field(out, "institution", "id"))
			code, out = ts.Call(county, "POST", fmt.Sprintf("/api/v1/childcare/341523/institutions/%d/inspections", iid), map[string]any{
				"date": "2024-04-01", "kind": "joint", "inspectors": []string{"张", "李"}, "findings": "晨检记录缺失", "grade": "C",
				"rectify": true, "requirement": "补齐晨检记录", "deadline": "2024-04-30"})
			if code != 201 || webtest.Field(out, "inspection", "status") != "rectifying" {
				t.Fatalf("inspect = %d %v", code, out)
			}
			ins := webtest.Num(webtest.Field(out, "inspection", "id"))
			if code, out := ts.Call(county, "GET", "/api/v1/childcare/341523/inspections", nil); code != 200 || len(webtest.Field(out, "inspections").([]any)) != 1 {
				t.Errorf("open inspections = %d %v", code, out)
			}
			code, out = ts.Call(county, "POST", fmt.Sprintf("/api/v1/childcare/341523/inspections/%d/check", ins), map[string]any{
				"version": 1, "date": "2024-05-02", "checkers": []string{"张"}, "passed": true})
			if code != 200 || webtest.Field(out, "inspection", "status") != "closed" {
				t.Errorf("check = %d %v", code, out)
			}
			code, out = ts.Call(village, "GET", "/api/v1/childcare/341523/places", nil)
			if code != 200 || webtest.Num(webtest.Field(out, "total", "places")) != 20 || webtest.Field(out, "target") != 4.5 {
				t.Errorf("places = %d %v", code, out)
			}
		})
	}
}
