package ui_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
)

// postForm posts a multipart form with repeated fields, as the mapping
// form sends them.
func postForm(t *testing.T, p *webtest.Page, path string, fields [][2]string, file []byte) *webtest.Page {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "deaths.csv")
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", p.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := p.C.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	p.Body, p.Code, p.Loc = b.String(), resp.StatusCode, resp.Header.Get("Location")
	return p
}

// TestUIMatchJourney: the county uploads a police death extract whose
// death column is named otherwise, maps the column, previews and runs the
// import; the result page lists the row; the village finds the task on its
// worklist, sees the department's record beside the registry's, and
// confirms it; the person's record has the death.
func TestUIMatchJourney(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ctx := context.Background()
			idn := testID(t, "341523", "1950-04-09", 72)
			var rec *registry.Record
			if err := ts.DB.Update(ctx, func(tx *store.Tx) (err error) {
				rec, err = registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: "周桂芳", Sex: "F", Birth: date.MustParse("1950-04-09"),
					IDNumber: idn, Region: "341523100001", HukouType: registry.Rural})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			file := []byte("身份证号,姓名,性别,出生日期,注销时间点,户籍地址\n" + idn + ",周桂芳,女,1950年4月9日,2024-03-02,舒城县城关镇东苑社区\n")

			county := ts.Browser().Login("county", "county1234")
			county.Get("/match").Want(200, "部门比对核查", "尚无导入记录")
			county.Get("/match/import").Want(200, "公安死亡注销", `name="file"`)
			// The death column is unknown: the mapping form.
			county.Multipart("/match/import", map[string]string{"kind": "police-deaths"}, file).Want(422, "对应列名", "注销时间点")
			content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(county.Body)
			if content == nil {
				t.Fatalf("no content carried:\n%.2000s", county.Body)
			}
			fields := [][2]string{{"kind", "police-deaths"}, {"content", html.UnescapeString(content[1])}, {"save_mapping", "1"}}
			for i, h := range []string{"身份证号", "姓名", "性别", "出生日期", "注销时间点", "户籍地址"} {
				col := map[string]string{"身份证号": "id_number", "姓名": "name", "性别": "sex", "出生日期": "birth", "注销时间点": "death_date", "户籍地址": "address"}[h]
				fields = append(fields, [2]string{"header", h}, [2]string{"map." + string(rune('0'+i)), col})
			}
			postForm(t, county, "/match/import", fields, nil).Want(200, "预览", "共 1 行", "已匹配 1 人次", "生成核查任务 1 件", `id="match-run"`)
			if county.Body == "" || strings.Contains(county.Body, idn) {
				t.Error("the preview shows a full ID number")
			}
			content = regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(county.Body)
			run := append([][2]string{{"confirm", "1"}}, fields[:1]...)
			run = append(run, [2]string{"content", html.UnescapeString(content[1])})
			for _, m := range regexp.MustCompile(`name="(header|map\.\d+|save_mapping)" value="([^"]*)"`).FindAllStringSubmatch(county.Body, -1) {
				run = append(run, [2]string{m[1], html.UnescapeString(m[2])})
			}
			postForm(t, county, "/match/import", run, nil)
			if county.Code != http.StatusSeeOther || !strings.HasPrefix(county.Loc, "/match/imports/341523/") {
				t.Fatalf("run: %d %s\n%.2000s", county.Code, county.Loc, county.Body)
			}
			county.Get(county.Loc).Want(200, "已导入", "周桂芳", "已匹配", "新记录")
			// The mapping was saved: the same file reads without the form,
			// and creates nothing twice.
			county.Multipart("/match/import", map[string]string{"kind": "police-deaths"}, file).Want(200, "此前已导入 1 行", "生成核查任务 0 件")
			county.Get("/match").Want(200, "公安死亡注销", "接收")
			county.Get("/persons/341523/"+itoa(rec.ID)).Want(200, "部门比对核查任务", "已死亡但仍在库")

			village := ts.Browser().Login("village", "village1234")
			village.Get("/match/tasks").Want(200, "已死亡但仍在库", "周桂芳", "共 1 件")
			href := regexp.MustCompile(`href="(/match/tasks/341523/\d+)"`).FindStringSubmatch(village.Body)
			if href == nil {
				t.Fatal("no task link")
			}
			village.Get(href[1]).Want(200, "部门记录", "人口库记录", "注销时间点", "2024-03-02", "周桂芳", `id="match-confirm"`)
			version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(village.Body)[1]
			village.Post(href[1]+"/reject", url.Values{"version": {version}, "note": {""}}).Want(422, "请填写理由")
			village.Post(href[1]+"/confirm", url.Values{"version": {version}, "note": {"入户核实"}})
			if village.Code != http.StatusSeeOther {
				t.Fatalf("confirm: %d\n%.2000s", village.Code, village.Body)
			}
			village.Get(village.Loc).Want(200, "已确认", "村级已核实并登记")
			village.Get("/persons/341523/"+itoa(rec.ID)).Want(200, "2024-03-02")
			village.Get("/match/tasks?lang=en").Want(200, "Worklist")
			village.Get("/?lang=zh").Want(200, "逾期核查任务：0 件")
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestUIMatchRegistersChild: a vaccination record of a child the registry
// lacks, without a name; the village's task page asks for the name, and
// the confirmation registers the child.
func TestUIMatchRegistersChild(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ctx := context.Background()
			idn := testID(t, "341523", "1993-02-03", 84)
			if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
				_, err := registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: "吴晓燕", Sex: "F", Birth: date.MustParse("1993-02-03"),
					IDNumber: idn, Region: "341523100001", HukouType: registry.Rural})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			file := []byte("儿童姓名,性别,出生日期,母亲姓名,母亲身份证号,接种单位\n女婴,女,2023-03-04,吴晓燕," + idn + ",城关镇卫生院\n")
			county := ts.Browser().Login("county", "county1234")
			county.Multipart("/match/import", map[string]string{"kind": "vaccination"}, file).Want(200, "生成核查任务 1 件")
			content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(county.Body)
			postForm(t, county, "/match/import", [][2]string{{"confirm", "1"}, {"kind", "vaccination"}, {"content", html.UnescapeString(content[1])}}, nil)
			if county.Code != http.StatusSeeOther {
				t.Fatalf("run: %d\n%.2000s", county.Code, county.Body)
			}

			village := ts.Browser().Login("village", "village1234")
			village.Get("/match/tasks").Want(200, "新生儿未在库", "共 1 件")
			href := regexp.MustCompile(`href="(/match/tasks/341523/\d+)"`).FindStringSubmatch(village.Body)
			village.Get(href[1]).Want(200, "女婴", `name="name"`, "确认后按部门记录将新生儿登记入人口库")
			version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(village.Body)[1]
			village.Post(href[1]+"/confirm", url.Values{"version": {version}}).Want(422, "请填写姓名")
			village.Post(href[1]+"/confirm", url.Values{"version": {version}, "name": {"郑小雨"}, "note": {"入户核实"}})
			if village.Code != http.StatusSeeOther {
				t.Fatalf("confirm: %d\n%.2000s", village.Code, village.Body)
			}
			village.Get(village.Loc).Want(200, "已确认")
			village.Get("/persons?q="+url.QueryEscape("郑小雨")).Want(200, "郑小雨")
		})
	}
}

// TestUIMatchDuplicates: a person registered twice, the second time
// without a number and with a homophone, shows on the county's page of
// probable duplicates; a village officer may not open it.
func TestUIMatchDuplicates(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ctx := context.Background()
			idn := testID(t, "341523", "1961-06-07", 93)
			if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
				for _, p := range []registry.NewPerson{
					{Name: "张建国", Sex: "M", Birth: date.MustParse("1961-06-07"), IDNumber: idn, Region: "341523100001", HukouType: registry.Rural},
					{Name: "章建国", Sex: "M", Birth: date.MustParse("1961-06-07"), Region: "341523100001", HukouType: registry.Rural},
					{Name: "李秀兰", Sex: "F", Birth: date.MustParse("1970-01-02"), Region: "341523100001", HukouType: registry.Rural},
				} {
					if _, err := registry.Register(ctx, tx, auth.System, p); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			county := ts.Browser().Login("county", "county1234")
			county.Get("/match").Want(200, `href="/match/duplicates"`)
			county.Get("/match/duplicates").Want(200, "疑似重复登记", "共发现 1 对", "张建国", "章建国")
			if strings.Contains(county.Body, idn) || strings.Contains(county.Body, "李秀兰") {
				t.Error("the page shows a full ID number, or a person without a pair")
			}
			ts.Browser().Login("village", "village1234").Get("/match/duplicates").Want(403)
		})
	}
}

// TestUIMatchMoveOutTransfer: a police record of a move out to the
// neighbouring county; the county's task page says what confirming does,
// and the confirmation starts the transfer, shown on the task with its
// state and a link.
func TestUIMatchMoveOutTransfer(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ctx := context.Background()
			idn := testID(t, "341523", "1961-05-06", 46)
			if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
				_, err := registry.Register(ctx, tx, auth.System, registry.NewPerson{Name: "陈玉兰", Sex: "F", Birth: date.MustParse("1961-05-06"),
					IDNumber: idn, Region: "341523100001", HukouType: registry.Rural})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			moved := date.Today(ts.Clock.Now()).AddDays(-10).String()
			file := []byte("身份证号,姓名,变动类型,变动日期,对方区划代码\n" + idn + ",陈玉兰,迁出," + moved + ",341522100002\n")
			county := ts.Browser().Login("county", "county1234")
			county.Multipart("/match/import", map[string]string{"kind": "police-moves"}, file).Want(200, "生成核查任务 1 件")
			content := regexp.MustCompile(`name="content" value="([^"]+)"`).FindStringSubmatch(county.Body)
			postForm(t, county, "/match/import", [][2]string{{"confirm", "1"}, {"kind", "police-moves"}, {"content", html.UnescapeString(content[1])}}, nil)
			if county.Code != http.StatusSeeOther {
				t.Fatalf("run: %d\n%.2000s", county.Code, county.Body)
			}
			county.Get("/match/tasks").Want(200, "已迁出本县", "共 1 件")
			href := regexp.MustCompile(`href="(/match/tasks/341523/\d+)"`).FindStringSubmatch(county.Body)
			county.Get(href[1]).Want(200, "确认后即按公安记录发起跨县迁移")
			version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(county.Body)[1]
			county.Post(href[1]+"/confirm", url.Values{"version": {version}, "note": {"核实属实"}})
			if county.Code != http.StatusSeeOther {
				t.Fatalf("confirm: %d\n%.2000s", county.Code, county.Body)
			}
			county.Get(county.Loc).Want(200, "已确认", `id="match-transfer"`, "已发起跨县迁移", "待迁入地接收", `href="/transfers/341523/`)
		})
	}
}
