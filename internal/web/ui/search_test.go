package ui_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestUISearchBox finds persons on the person list, the roll and the
// worklist by the one search box: pinyin initials, the beginning of a
// name, the last digits of an ID number; a bad entry is explained next to
// the box.
func TestUISearchBox(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testUISearchBox(t, engine) })
	}
}

func testUISearchBox(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 2, 0, 0, 0, time.UTC)
	ids := map[string]string{"张建国": testID(t, "341523", "1960-03-12", 11), "李华": testID(t, "341523", "1961-04-02", 23)}
	err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		i := int64(0)
		for name, idn := range ids {
			i++
			r, err := registry.Register(ctx, tx, auth.System, registry.NewPerson{IDNumber: idn, Name: name, Sex: idcard.Number(idn).Sex(),
				Birth: date.Of(idcard.Number(idn).Birth()), Region: "341523100001", HukouType: registry.Rural})
			if err != nil {
				return err
			}
			if err := tx.InsertRecipient(ctx, &roll.Recipient{County: "341523", ID: 900 + i, PersonID: r.ID, Program: "jf",
				Region: r.Region, Confirmed: date.Of(2024, 1, 1), StartYear: 2024, StartMonth: 1, Status: roll.StatusActive, Version: 1,
				CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			if err := tx.InsertCase(ctx, &workflow.Case{County: "341523", ID: 900 + i, PersonID: r.ID, Program: "jf", Year: 2024,
				Region: r.Region, State: workflow.VillageNotice, Submitted: date.Of(2024, 5, 1), Version: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	masked := func(name string) string { return idcard.Number(ids[name]).Masked() }
	c := ts.Browser().Login("county", "county1234")
	state := url.QueryEscape(string(workflow.VillageNotice))
	for _, page := range []string{"/persons?q=", "/roll?q=", "/cases?state=" + state + "&q="} {
		for _, q := range []string{"zjg", "ZJ", url.QueryEscape("张建"), ids["张建国"][13:]} {
			c.Get(page+q).Want(200, "张建国")
			if strings.Contains(c.Body, "李华") {
				t.Errorf("%s%s also shows 李华", page, q)
			}
			if page == "/persons?q=" {
				c.Want(200, masked("张建国"))
			}
		}
		c.Get(page+"123").Want(400, "末尾4至6位", `id="q-error"`)
	}
	c.Get("/cases?program=jf&state="+state+"&q=lh").Want(200, "李华")
	c.Get("/cases?program=nosuch").Want(400, "项目无效")
	// An old link to a page past the last says so, and leads back to the
	// last page.
	for _, page := range []string{"/persons?q=zjg&page=9", "/roll?q=zjg&page=9"} {
		c.Get(page).Want(200, "第 9 页没有记录：共 1 条，1 页", "回到最后一页")
		if !regexp.MustCompile(`<a href="[^"]*page=1[^"]*" rel="prev">回到最后一页</a>`).MatchString(c.Body) {
			t.Errorf("%s: no link to the last page", page)
		}
		if strings.Contains(c.Body, "第 161–") {
			t.Errorf("%s counts rows past the last", page)
		}
	}
	c.Get("/roll?q=lh&lang=en").Want(200, "李华", "Find a person")
	c.Get("/roll?q=zjg&page=9").Want(200, "Page 9 has no rows: 1 rows in 1 pages", "Go to the last page")
}

// TestUISearchCountsAhead pages through a search shared by more persons
// than its first page counts: the first page says "more than 200" and
// leads on, and a later page counts further, to the exact number once it
// is within reach.
func TestUISearchCountsAhead(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.Namesakes("欧阳测", registry.SearchCountAhead+30)
			c := ts.Browser().Login("county", "county1234")
			q := "/persons?q=" + url.QueryEscape("欧阳测")
			c.Get(q).Want(200, "第 1–20 条，共 200 条以上（请缩小查询范围）", "欧阳测000")
			if !regexp.MustCompile(`href="[^"]*page=10(&amp;[^"]*)?"`).MatchString(c.Body) || !strings.Contains(c.Body, `rel="next"`) {
				t.Errorf("the first page of more than 200 does not lead to page 10 and on")
			}
			c.Get(q+"&page=10").Want(200, "第 181–200 条，共 230 条", "欧阳测180")
			c.Get(q+"&page=12").Want(200, "第 221–230 条，共 230 条", "欧阳测229")
		})
	}
}
