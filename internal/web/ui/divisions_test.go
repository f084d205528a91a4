package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestUIDivisions walks the divisions' pages on both engines: the county
// merges 晓天镇 into 城关镇 on its form (a mistake first, shown next to
// the field); 晓天's history says it was retired and where it went; the
// county's divisions on a day before and after differ; the person of 晓天
// is counted in 晓天 in April's report and is now 城关's township's to
// read; the township cannot record a change.
func TestUIDivisions(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			b := date.MustParse("2024-04-21")
			if _, err := ts.App.RegisterPerson(context.Background(), auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), 901)),
				Name: "晓天男婴", Sex: registry.Male, Birth: b, Region: "341523101200", HukouType: registry.Rural}); err != nil {
				t.Fatal(err)
			}
			c := ts.Browser().Login("county", "county1234")
			x := ts.Browser().Login("xzs", "xz123456")
			c.Get("/divisions?region=341523").Want(200, "区划沿革", "登记区划变更", "晓天镇", "该区划没有变更记录")
			x.Get("/divisions").Want(200, "城关镇", "现行区划")
			if strings.Contains(x.Body, "登记区划变更") {
				t.Error("the township is offered the form")
			}
			x.Post("/divisions/changes", url.Values{"kind": {"merge"}, "code": {"341523101000"}, "target": {"341523100000"}, "day": {"2024-05-01"}, "region": {"341523100000"}}).Want(403)

			form := url.Values{"kind": {"merge"}, "code": {"341523101000"}, "target": {"341523101000"}, "day": {"2024-05-01"}, "basis": {"皖民区〔2024〕5号"}, "region": {"341523"}}
			c.Post("/divisions/changes", form).Want(422, "只能并入本县同级的另一区划")
			form.Set("target", "341523100000")
			c.Post("/divisions/changes", form)
			c.WantRedirect("/divisions?region=341523&done=division_changed")
			c.Get(c.Loc).Want(200, "区划变更已登记", "“晓天镇”并入“城关镇”")
			c.Get("/divisions?region=341523101000").Want(200, "已撤销", "现属", "城关镇", "撤并", "皖民区〔2024〕5号", "2024年5月1日", "人员1条")
			c.Get("/divisions?region=341523&on=2024-04-30").Want(200, "晓天镇")
			on := c.Body[strings.Index(c.Body, `id="dv-on-list"`):]
			if !strings.Contains(on, "晓天镇") {
				t.Error("the divisions of 2024-04-30 lack 晓天镇")
			}
			c.Get("/divisions?region=341523&on=2024-05-01").Want(200)
			on = c.Body[strings.Index(c.Body, `id="dv-on-list"`):]
			if strings.Contains(on, "晓天镇") {
				t.Error("the divisions of 2024-05-01 list 晓天镇")
			}
			// A person registered in a village of the former 晓天 is refused
			// next to the field, naming where it went; the person list's
			// divisions are today's.
			c.Post("/persons/new", url.Values{"id_number": {string(idcard.Make("341523", date.MustParse("1962-03-01").Time(), 11))}, "name": {"张三"},
				"sex": {"M"}, "birth": {"1962-03-01"}, "region": {"341523101200"}, "hukou_type": {"rural"}, "pension": {"none"}}).
				Want(422, `id="region-error"`, "晓天镇已于2024年5月1日并入城关镇", "请选择城关镇")
			c.Get("/persons?region=341523").Want(200, "城关镇")
			if strings.Contains(c.Body, "晓天镇") {
				t.Error("the person list offers 晓天镇")
			}
			// April's report keeps the birth in 晓天; the person is now 城关's.
			c.Get("/reports/persons?region=341523&month=2024-04&figure=births.all.all%40341523101000").Want(200, "晓天男婴")
			x.Get("/reports/persons?region=341523100000&month=2024-04&figure=births.all.all").Want(200, "共0人")
			x.Get("/persons?q="+url.QueryEscape("晓天男婴")).Want(200, "晓天男婴")
			// The report printed for filing: a PDF of April, by April's
			// townships.
			c.Get("/reports/print.pdf?region=341523&month=2024-04").Want(200, "%PDF-")
			text := pdftest.Text(t, []byte(c.Body))
			if !strings.Contains(text, "晓天镇") || !strings.Contains(text, "2024年4月") {
				t.Errorf("the printed April lacks 晓天镇 or its month:\n%s", text)
			}
		})
	}
}
