package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestRetiredDivisionAPI merges 晓天镇 into 城关镇 through the API, on
// both engines: the picker's children of the county no longer offer
// 晓天镇; a person registered in a village of 晓天 is refused with a
// message naming its successor; the staff user of 晓天 signs in scoped
// to 城关 and finds the person who followed; the monthly report of April
// prints as a PDF from the API, by April's townships, and not for a
// region outside the reader's scope.
func TestRetiredDivisionAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.AddStaff(t, auth.NewUser{Username: "xtz", Name: "晓天乡干", Role: auth.RoleTownship, Region: "341523101000", Password: "xt123456"})
			b := date.MustParse("2024-04-21")
			if _, err := ts.App.RegisterPerson(context.Background(), auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), 901)),
				Name: "晓天男婴", Sex: registry.Male, Birth: b, Region: "341523101200", HukouType: registry.Rural}); err != nil {
				t.Fatal(err)
			}
			c := ts.Login("county", "county1234")
			code, body := ts.Call(c, "POST", "/api/v1/divisions/341523/changes", map[string]any{"kind": "merge", "code": "341523101000",
				"target": "341523100000", "day": "2024-05-01", "basis": "皖民区〔2024〕5号"})
			if code != 201 && code != 200 {
				t.Fatalf("the merger: %d %v", code, body)
			}
			code, body = ts.Call(c, "GET", "/api/v1/regions/341523/children", nil)
			if s := fmt.Sprint(body); code != 200 || strings.Contains(s, "341523101000") || !strings.Contains(s, "341523100000") {
				t.Errorf("the county's townships offered: %d %v", code, body)
			}
			code, body = ts.Call(c, "GET", "/api/v1/regions?q=%E6%99%93%E5%A4%A9&within=341523", nil)
			if s := fmt.Sprint(body); code != 200 || strings.Contains(s, "341523101") {
				t.Errorf("a search for 晓天 offers: %d %v", code, body)
			}
			id := idcard.Make("341523", date.MustParse("1990-01-01").Time(), 903)
			code, body = ts.Call(c, "POST", "/api/v1/persons", map[string]any{"id_number": string(id), "name": "新来者", "sex": "M",
				"birth": "1990-01-01", "region": "341523101200", "hukou_type": "rural"})
			if s := fmt.Sprint(body); code != 400 || !strings.Contains(s, "晓天镇已于2024年5月1日并入城关镇") || !strings.Contains(s, "请选择城关镇") {
				t.Errorf("a person in the retired village: %d %v", code, body)
			}

			x := ts.Login("xtz", "xt123456")
			code, body = ts.Call(x, "GET", "/api/v1/me", nil)
			if s := fmt.Sprint(body); code != 200 || !strings.Contains(s, "341523100000") {
				t.Errorf("晓天's user after the merger: %d %v", code, body)
			}
			code, body = ts.Call(x, "GET", "/api/v1/persons?name="+"%E6%99%93%E5%A4%A9%E7%94%B7%E5%A9%B4", nil)
			if s := fmt.Sprint(body); code != 200 || !strings.Contains(s, "晓天男婴") {
				t.Errorf("晓天's user searches the person who followed: %d %v", code, body)
			}

			ts.pdfText(t, c, "/api/v1/reports/341523/2024-04/print.pdf", "计划生育统计月报", "晓天镇", "2024年4月")
			ts.wantStatus(t, x, "/api/v1/reports/341523/2024-04/print.pdf", 403)
			ts.wantStatus(t, c, "/api/v1/reports/341523/20x4-04/print.pdf", 400)
		})
	}
}
