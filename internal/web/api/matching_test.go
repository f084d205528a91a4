package api_test

import (
	"context"
	"encoding/json"
	"fmt"
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

// TestMatchAPI: a marriage extract posted to the API is matched; the
// answer has a result line per role; the same file again creates nothing;
// the worklist has the marriage task with both records; a bad file is
// refused with its problem by row and column; the feedback file has the
// row that matched nobody.
func TestMatchAPI(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := webtest.New(t, engine)
			ctx := context.Background()
			reg := func(name, sex, birth string, seq int) *registry.Record {
				b := date.MustParse(birth)
				var r *registry.Record
				if err := ts.DB.Update(ctx, func(tx *store.Tx) (err error) {
					r, err = registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: name, Sex: sex, Birth: b,
						IDNumber: string(idcard.Make("341523", b.Time(), seq)), Region: "341523100001", HukouType: registry.Rural})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return r
			}
			h, w := reg("吴建军", "M", "1990-01-02", 11), reg("郑丽", "F", "1992-03-04", 12)
			other := string(idcard.Make("341522", time.Date(1991, 5, 6, 0, 0, 0, 0, time.UTC), 13))
			file := "登记类型,登记日期,男方姓名,男方身份证号,女方姓名,女方身份证号\n" +
				"结婚,2024-02-14,吴建军," + h.IDNumber + ",郑丽," + w.IDNumber + "\n" +
				"结婚,2024-03-01,王外县," + other + ",郑莉莉,\n"
			county := ts.Login("county", "county1234")
			code, _, body := ts.Raw(county, "POST", "/api/v1/match/imports?source=civil-marriages&file_name=m.csv", "text/csv", []byte(file))
			if code != 201 {
				t.Fatalf("import: %d %s", code, body)
			}
			var res struct {
				Import struct {
					ID                 int64
					Rows, New, Tasks   int
					Matched, Unmatched int
				} `json:"import"`
				Lines [][]string `json:"lines"`
			}
			json.Unmarshal(body, &res)
			if res.Import.Rows != 2 || res.Import.New != 2 || res.Import.Matched != 2 || res.Import.Tasks != 2 || len(res.Lines) != 4 {
				t.Fatalf("import %+v lines %v\n%s", res.Import, res.Lines, body)
			}
			if l := res.Lines[0]; strings.Join(l[:4], ",") != "1,husband,matched,"+h.IDNumber {
				t.Errorf("first line %v", l)
			}
			code, _, body = ts.Raw(county, "POST", "/api/v1/match/imports?source=civil-marriages", "text/csv", []byte(file))
			json.Unmarshal(body, &res)
			if code != 201 || res.Import.New != 0 || res.Import.Tasks != 0 {
				t.Errorf("again: %d %s", code, body)
			}
			code, _, body = ts.Raw(county, "POST", "/api/v1/match/imports?source=civil-marriages", "text/csv", []byte("登记类型,男方姓名\n结婚,张三\n"))
			if code != 400 || !strings.Contains(string(body), "登记日期") {
				t.Errorf("bad file: %d %s", code, body)
			}
			village := ts.Login("village", "village1234")
			code, out := ts.Call(village, "GET", "/api/v1/match/tasks?reason=marriage", nil)
			tasks, _ := out["tasks"].([]any)
			if code != 200 || len(tasks) != 1 {
				t.Fatalf("village tasks: %d %v", code, out)
			}
			task := tasks[0].(map[string]any)
			id := int64(task["id"].(float64))
			code, out = ts.Call(village, "GET", fmt.Sprintf("/api/v1/match/tasks/341523/%d", id), nil)
			if code != 200 || !strings.Contains(fmt.Sprint(out["persons"]), "吴建军") || !strings.Contains(fmt.Sprint(out["row"]), "郑丽") {
				t.Errorf("task: %d %v", code, out)
			}
			if strings.Contains(fmt.Sprint(out["persons"]), h.IDNumber) {
				t.Error("the task shows a full ID number of the registry")
			}
			code, _, body = ts.Raw(county, "GET", fmt.Sprintf("/api/v1/match/imports/341523/%d/feedback", res.Import.ID-1), "", nil)
			if code != 200 || !strings.Contains(string(body), "王外县") || strings.Contains(string(body), "吴建军") || !strings.Contains(string(body), "比对结果") {
				t.Errorf("feedback: %d %s", code, body)
			}
			code, out = ts.Call(county, "GET", "/api/v1/match/exchanges", nil)
			if xs, _ := out["exchanges"].([]any); code != 200 || len(xs) != 3 {
				t.Errorf("exchanges: %d %v", code, out)
			}
		})
	}
}
