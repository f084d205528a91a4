package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// uploadPhoto posts data as the multipart part "file" named name.
func uploadPhoto(ts *testServer, c *http.Client, path, name string, data []byte) (int, map[string]any) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	code, _, b := ts.Raw(c, "POST", path, mw.FormDataContentType(), body.Bytes())
	var out map[string]any
	if code == 201 {
		out = map[string]any{"raw": string(b)}
	}
	return code, out
}

// TestSelfPortalAPI runs the citizen portal's JSON routes on both engines,
// as a phone app would: a mother reads her family (the ID numbers masked)
// and reports an error in it, asks whether she may qualify (her son's
// childcare subsidy decided), registers her second birth and applies for
// her son's subsidy, adds a photo to the claim, follows both applications
// and reads her payments. The village's specialist lists and downloads the
// photo; the specialist of another village, another citizen and staff on
// the citizen's routes are refused, and every refusal is audited.
func TestSelfPortalAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			d := date.MustParse("2025-10-10")
			ts.Clock.Add(time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, time.UTC).Sub(ts.Clock.Now()))
			ctx := app.WithRequest(context.Background(), app.Request{Door: "test"})
			var ids []string
			reg := func(name, sex, born string, n int) registry.Key {
				b := date.MustParse(born)
				r, err := ts.App.RegisterPerson(ctx, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), n)),
					Name: name, Sex: sex, Birth: b, Region: "341523100001", HukouType: registry.Rural})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.IDNumber)
				return registry.Key{County: r.County, ID: r.ID}
			}
			wife, husband, son := reg("李秀梅", registry.Female, "1995-04-01", 62), reg("王志强", registry.Male, "1993-02-01", 71),
				reg("王小宝", registry.Male, "2024-03-10", 81)
			other := reg("周芳", registry.Female, "1990-05-01", 92)
			if _, err := ts.App.AddMarriage(ctx, auth.System, husband, app.Relative{ID: wife.ID, Field: "spouse"},
				registry.Marriage{From: date.MustParse("2019-10-01")}, ""); err != nil {
				t.Fatal(err)
			}
			yes := true
			for _, p := range []registry.Key{wife, husband} {
				if _, err := ts.App.AddChild(ctx, auth.System, p, app.Relative{ID: son.ID, Field: "child"},
					registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, ""); err != nil {
					t.Fatal(err)
				}
			}
			ts.AddStaff(t, auth.NewUser{Username: "mama", Name: "李秀梅", Role: auth.RoleCitizen, Region: "341523100001",
				Person: "341523/" + strconv.FormatInt(wife.ID, 10), Password: "mama1234"})
			ts.AddStaff(t, auth.NewUser{Username: "zhoufang", Name: "周芳", Role: auth.RoleCitizen, Region: "341523100001",
				Person: "341523/" + strconv.FormatInt(other.ID, 10), Password: "zhou1234"})
			ts.AddStaff(t, auth.NewUser{Username: "renhe", Name: "仁和村专干", Role: auth.RoleVillage, Region: "341523100201", Password: "renhe1234"})
			mama, zhou := ts.Login("mama", "mama1234"), ts.Login("zhoufang", "zhou1234")
			village, renhe := ts.Login("village", "village1234"), ts.Login("renhe", "renhe1234")

			code, out := ts.Call(mama, "GET", "/api/v1/self/family", nil)
			if code != 200 || webtest.Field(out, "me", "name") != "李秀梅" || len(webtest.Field(out, "relatives").([]any)) != 2 {
				t.Fatalf("family = %d %v", code, out)
			}
			raw, _ := json.Marshal(out)
			b := string(raw)
			for _, id := range ids[:3] {
				if strings.Contains(b, id) || !strings.Contains(b, idcard.Number(id).Masked()) {
					t.Errorf("the family shows %s unmasked, or not at all", idcard.Number(id).Masked())
				}
			}
			if code, out := ts.Call(mama, "POST", "/api/v1/self/family-reports", map[string]any{"text": "我儿子的出生日期登记有误", "phone": "13905641234"}); code != 201 ||
				webtest.Field(out, "report", "status") != "open" {
				t.Errorf("report = %d %v", code, out)
			}
			if code, out := ts.Call(mama, "GET", "/api/v1/self/family", nil); code != 200 || len(webtest.Field(out, "reports").([]any)) != 1 {
				t.Errorf("family after the report = %d %v", code, out)
			}
			if code, out := ts.Call(mama, "POST", "/api/v1/self/family-reports", map[string]any{"text": ""}); code != 400 {
				t.Errorf("an empty report = %d %v, want 400", code, out)
			}

			code, out = ts.Call(mama, "GET", "/api/v1/self/qualify", nil)
			children, _ := webtest.Field(out, "children").([]any)
			if code != 200 || webtest.Num(webtest.Field(out, "year")) != 2025 || len(children) != 1 ||
				webtest.Field(children[0].(map[string]any), "decision", "eligible") != true {
				t.Fatalf("qualify = %d %v", code, out)
			}

			code, out = ts.Call(mama, "POST", "/api/v1/self/births", map[string]any{"spouse_id": husband.ID, "expected": "2026-03-20", "phone": "13905641234"})
			if code != 201 || webtest.Num(webtest.Field(out, "registration", "parity")) != 2 ||
				webtest.Num(webtest.Field(out, "registration", "mother_id")) != wife.ID {
				t.Fatalf("register = %d %v", code, out)
			}
			code, out = ts.Call(mama, "POST", "/api/v1/self/subsidy-claims", map[string]any{"child_id": son.ID, "year": 2025, "phone": "13905641234"})
			if code != 201 || webtest.Field(out, "claim", "relation") != "mother" {
				t.Fatalf("claim = %d %v", code, out)
			}
			claim := webtest.Num(webtest.Field(out, "claim", "id"))
			if code, out := ts.Call(zhou, "POST", "/api/v1/self/subsidy-claims", map[string]any{"child_id": son.ID, "year": 2025}); code < 400 {
				t.Errorf("another citizen claims the son = %d %v", code, out)
			}

			var photo bytes.Buffer
			png.Encode(&photo, image.NewGray(image.Rect(0, 0, 4, 4)))
			docs := fmt.Sprintf("/api/v1/documents/subsidy_claim/341523/%d", claim)
			if code, _ := uploadPhoto(ts, mama, docs, "出生医学证明.png", photo.Bytes()); code != 201 {
				t.Fatalf("upload = %d", code)
			}
			if code, _ := uploadPhoto(ts, mama, docs, "x.png", []byte("not an image")); code != 400 {
				t.Errorf("a file that is no photo = %d, want 400", code)
			}

			code, out = ts.Call(mama, "GET", "/api/v1/self/applications", nil)
			apps, _ := webtest.Field(out, "applications").([]any)
			if code != 200 || len(apps) != 2 {
				t.Fatalf("applications = %d %v", code, out)
			}
			kinds := map[string]int{}
			for _, a := range apps {
				m := a.(map[string]any)
				kinds[m["entity"].(string)] = len(m["documents"].([]any))
			}
			if d, ok := kinds["subsidy_claim"]; !ok || d != 1 {
				t.Errorf("applications' documents = %v", kinds)
			}
			if _, ok := kinds["birth_registration"]; !ok {
				t.Errorf("applications = %v, want the registration", kinds)
			}

			code, out = ts.Call(village, "GET", docs, nil)
			list, _ := webtest.Field(out, "documents").([]any)
			if code != 200 || len(list) != 1 {
				t.Fatalf("the village's documents = %d %v", code, out)
			}
			doc := webtest.Num(list[0].(map[string]any)["id"])
			if code, ctype, body := ts.Raw(village, "GET", fmt.Sprintf("%s/%d", docs, doc), "", nil); code != 200 || ctype != "image/png" || !bytes.Equal(body, photo.Bytes()) {
				t.Errorf("download = %d %s", code, ctype)
			}

			code, out = ts.Call(mama, "GET", "/api/v1/self/payments", nil)
			if code != 200 || webtest.Field(out, "years") == nil {
				t.Errorf("payments = %d %v", code, out)
			}
			if code, _, _ := ts.Raw(mama, "GET", fmt.Sprintf("/api/v1/self/letters/341523/1/%d", other.ID), "", nil); code != 403 && code != 404 {
				t.Errorf("another's letter = %d, want a refusal", code)
			}

			// Refusals: the specialist of another village, another citizen,
			// staff on the citizen's own routes.
			for _, c := range []struct {
				who          *http.Client
				method, path string
			}{
				{renhe, "GET", docs},
				{renhe, "GET", fmt.Sprintf("%s/%d", docs, doc)},
				{zhou, "GET", docs},
				{zhou, "GET", fmt.Sprintf("%s/%d", docs, doc)},
				{village, "GET", "/api/v1/self/family"},
				{village, "GET", "/api/v1/self/qualify"},
				{village, "POST", "/api/v1/self/subsidy-claims"},
			} {
				before := ts.DeniedCount()
				code, out := ts.Call(c.who, c.method, c.path, map[string]any{})
				if code != 403 && code != 404 {
					t.Errorf("%s %s = %d %v, want a refusal", c.method, c.path, code, out)
				}
				if ts.DeniedCount() != before+1 {
					t.Errorf("%s %s: the refusal is not audited", c.method, c.path)
				}
			}
			if code, _ := uploadPhoto(ts, renhe, docs, "x.png", photo.Bytes()); code != 403 && code != 404 {
				t.Errorf("another village uploads = %d", code)
			}
		})
	}
}
