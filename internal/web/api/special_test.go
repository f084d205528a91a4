package api_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestAPISpecialFamilies builds a special family through the API, reads
// its file with the ID numbers masked, issues its certificate as a PDF
// and verifies it publicly, and answers a partner's checks with yes or no
// and nothing else; other roles are refused the file and the check, and
// the refusals audited.
func TestAPISpecialFamilies(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.apiAddUser(auth.NewUser{Username: "jyj", Name: "县教育局", Role: auth.RolePartner, Region: "341523", Password: "partner1234"})
			ctx := app.WithRequest(context.Background(), app.Request{Door: "test"})
			reg := func(name, sex, birth string, seq int) (registry.Key, string) {
				b := date.MustParse(birth)
				id := string(idcard.Make("341523", b.Time(), seq))
				r, err := ts.App.RegisterPerson(ctx, auth.System, registry.NewPerson{IDNumber: id, Name: name, Sex: sex, Birth: b,
					Region: "341523100001", HukouType: registry.Rural})
				if err != nil {
					t.Fatal(err)
				}
				return registry.Key{County: r.County, ID: r.ID}, id
			}
			mother, motherID := reg("孙玉兰", registry.Female, "1962-05-01", 70)
			child, _ := reg("周明", registry.Male, "1986-09-01", 71)
			if _, err := ts.App.AddChild(ctx, auth.System, mother, app.Relative{ID: child.ID, Field: "child"}, registry.ParentChild{Kind: registry.Birth}, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := ts.App.RecordDeath(ctx, auth.System, child, date.MustParse("2015-03-01"), "police"); err != nil {
				t.Fatal(err)
			}
			county := ts.Login("county", "county1234")
			if code, body := ts.Call(county, "POST", "/api/v1/special/341523/sweep", nil); code != 200 || body["added"] != float64(1) {
				t.Fatalf("sweep %d %v", code, body)
			}
			code, body := ts.Call(county, "GET", "/api/v1/special/341523/families", nil)
			fams, _ := body["families"].([]any)
			if code != 200 || len(fams) != 1 {
				t.Fatalf("families %d %v", code, body)
			}
			fam := fams[0].(map[string]any)
			if fam["id_masked"] != idcard.Number(motherID).Masked() || fam["reason"] != "child_died" {
				t.Errorf("family %v", fam)
			}
			path := "/api/v1/special/341523/families/" + jsonNum(fam["id"])
			code, body = ts.Call(county, "GET", path, nil)
			if code != 200 {
				t.Fatalf("file %d %v", code, body)
			}
			for _, who := range []string{"village", "finance"} {
				c := ts.Login(who, who+"1234")
				before := ts.DeniedCount()
				if code, _ := ts.Call(c, "GET", path, nil); code != 403 && code != 404 {
					t.Errorf("%s read the file: %d", who, code)
				}
				if ts.DeniedCount() != before+1 {
					t.Errorf("%s's refusal not audited", who)
				}
			}

			// The certificate and its public verification.
			st, ctype, pdfBytes := ts.Raw(county, "POST", "/api/v1/persons/341523/"+jsonNum(float64(mother.ID))+"/family-certificate", "application/json", []byte(`{}`))
			if st != 200 || ctype != "application/pdf" {
				t.Fatalf("certificate %d %s %s", st, ctype, pdfBytes)
			}
			codes := pdftest.QRCodes(t, pdfBytes, 1)
			if len(codes) != 1 || !strings.Contains(codes[0], "/verify/family?serial=341523-JS") {
				t.Fatalf("QR %q", codes)
			}
			q := codes[0][strings.Index(codes[0], "?"):]
			anon := ts.Client()
			code, body = ts.Call(anon, "GET", "/api/v1/family-certificates/verify"+q, nil)
			if code != 200 || body["name"] != "孙**" || !slices.Contains(body["categories"].([]any), any("special")) {
				t.Errorf("verify %d %v", code, body)
			}

			// The partner's check: yes or no, nothing more.
			partner := ts.Login("jyj", "partner1234")
			for _, tc := range []struct {
				cat  string
				want bool
			}{{"special", true}, {"one_child", false}} {
				code, body := ts.Call(partner, "POST", "/api/v1/family-check", map[string]any{"id_number": motherID, "category": tc.cat})
				if code != 200 || body["answer"] != tc.want || len(body) != 3 {
					t.Errorf("check %s: %d %v", tc.cat, code, body)
				}
				for k := range body {
					if k != "answer" && k != "category" && k != "date" {
						t.Errorf("the check discloses %q", k)
					}
				}
			}
			before := ts.DeniedCount()
			if code, _ := ts.Call(partner, "GET", path, nil); code != 403 {
				t.Errorf("the partner read the file: %d", code)
			}
			if code, _ := ts.Call(county, "POST", "/api/v1/family-check", map[string]any{"id_number": motherID, "category": "special"}); code != 403 {
				t.Errorf("the county used the partners' check: %d", code)
			}
			if ts.DeniedCount() != before+2 {
				t.Errorf("%d refusals audited, want 2", ts.DeniedCount()-before)
			}
			if n := ts.ActionCount("341523", "family.check"); n != 2 {
				t.Errorf("%d checks audited, want 2", n)
			}
		})
	}
}

func jsonNum(v any) string {
	f, _ := v.(float64)
	return strconv.FormatInt(int64(f), 10)
}
