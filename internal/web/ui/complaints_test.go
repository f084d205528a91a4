package ui_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestUIComplaints walks the register's pages on both engines: the county
// sets the days of an enquiry; the village records a call about a person
// of its village, with its deadline from those days; the township replies
// and closes it; a bad form is answered next to its fields; the
// supervisor reads the list without the forms; the finance officer is
// refused.
func TestUIComplaints(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ts := newTestServer(t, engine)
			ts.WFUsers()
			b := date.MustParse("1961-05-01")
			p, err := ts.App.RegisterPerson(context.Background(), auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), 802)),
				Name: "周素华", Sex: registry.Female, Birth: b, Region: "341523100201", HukouType: registry.Rural})
			if err != nil {
				t.Fatal(err)
			}
			c := ts.Browser().Login("county", "county1234")
			c.Get("/complaints").Want(200, "投诉、咨询、信访登记", "办理时限（天）", `id="lim-enquiry"`, "待乡镇审核")
			c.Post("/complaints/limits", url.Values{"of": {"enquiry"}, "days": {"0"}}).Want(422, "1–180")
			c.Post("/complaints/limits", url.Values{"of": {"enquiry"}, "days": {"7"}})
			c.WantRedirect("/complaints?done=cp_limit_saved#cp-limits")

			v := ts.Browser().Login("czg", "cz123456")
			v.Get("/complaints/new?person=341523/"+itoa(p.ID)).Want(200, "登记来电来访来信", `value="`+itoa(p.ID)+`"`)
			today := date.Today(ts.Clock.Now())
			v.Post("/complaints/new", url.Values{"kind": {"enquiry"}, "source": {"phone"}, "received": {today.String()}, "name": {""}, "content": {""}}).
				Want(422, "请填写反映人姓名", "请填写反映的内容")
			v.Post("/complaints/new", url.Values{"kind": {"enquiry"}, "source": {"phone"}, "received": {today.String()}, "name": {"周素华"},
				"phone": {"13811112222"}, "content": {"咨询年审时间"}, "person": {itoa(p.ID)}})
			if !strings.Contains(v.Loc, "done=cp_filed") {
				t.Fatalf("filed: %d %s", v.Code, v.Loc)
			}
			item, _, _ := strings.Cut(v.Loc, "?")
			v.Get(v.Loc).Want(200, "已登记", "咨询", "电话", "周素华", today.AddDays(7).String(), "仁和")

			x := ts.Browser().Login("xzs", "xz123456")
			x.Post(item+"/reply", url.Values{"version": {"1"}, "reply": {"已告知"}, "replied": {today.String()}})
			x.WantRedirect(item + "?done=cp_replied")
			x.Post(item+"/close", url.Values{"version": {"2"}, "outcome": {""}}).Want(422, "请选择办理结果")
			x.Post(item+"/close", url.Values{"version": {"2"}, "outcome": {"explained"}})
			x.WantRedirect(item + "?done=cp_closed")
			x.Get(item).Want(200, "已结案", "已解释说明", "登记", "答复", "结案")

			s := ts.Browser().Login("jdu", "jd123456")
			s.Get("/complaints?status=closed").Want(200, "周素华")
			s.Get(item).Want(200, "周素华")
			if strings.Contains(s.Body, `action="`+item+`/reply"`) {
				t.Error("the supervisor is shown the reply form")
			}
			f := ts.Browser().Login("finance", "finance1234")
			f.Get("/complaints").Want(403)
			f.Get("/complaints/new").Want(403)
		})
	}
}
