package ui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBrowserComplaint: on a phone-sized screen a citizen files a
// complaint from the portal and sees it waiting; the township finds it in
// the register, replies, and the citizen reads the reply on her phone.
func TestBrowserComplaint(t *testing.T) {
	ctx := browserSession(t)
	ts := newTestServer(t, store.SQLite)
	base := ts.URL
	actx := app.WithRequest(context.Background(), app.Request{Door: "test"})
	b := date.MustParse("1968-07-01")
	me, err := ts.App.RegisterPerson(actx, auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", b.Time(), 72)), Name: "孙玉兰",
		Sex: registry.Female, Birth: b, Region: "341523100001", HukouType: registry.Rural})
	if err != nil {
		t.Fatal(err)
	}
	ts.AddStaff(t, auth.NewUser{Username: "yulan", Name: "孙玉兰", Role: auth.RoleCitizen, Region: "341523100001",
		Person: "341523/" + strconv.FormatInt(me.ID, 10), Password: "yulan1234"})
	ts.AddStaff(t, auth.NewUser{Username: "township", Name: "城关镇计生办", Role: auth.RoleTownship, Region: "341523100000", Password: "township1234"})

	const text = "今年的奖励扶助金还没有到账，想问问什么时候发放。"
	run(t, ctx, "the phone", chromedp.EmulateViewport(375, 740))
	citizenSignIn(t, ctx, base, "yulan", "yulan1234")
	run(t, ctx, "file a complaint on the phone",
		chromedp.Click(chromedp.CSS(`ul.menu a[href="/self/complaints"]`)),
		chromedp.WaitVisible(chromedp.ID("cp-content")),
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="complaint"]`)),
		chromedp.SendKeys(chromedp.ID("cp-content"), text),
		chromedp.SendKeys(chromedp.ID("cp-phone"), "13912345678"),
		shot("complaint-phone"),
		leave,
		chromedp.Submit(chromedp.ID("cp-content")),
		arrived(".notice"),
	)
	fitsPhone(t, ctx, "the complaints page")
	if mine := textOf(t, ctx, "#cp-mine"); !strings.Contains(mine, text) || !strings.Contains(mine, "待答复") || !strings.Contains(mine, "投诉") {
		t.Fatalf("her complaint: %q", mine)
	}
	run(t, ctx, "the desk", chromedp.EmulateReset())

	// The township replies.
	signInAs(t, ctx, base, "township", "township1234")
	run(t, ctx, "the register",
		chromedp.Navigate(base+"/complaints"),
		chromedp.WaitVisible(chromedp.ID("cp-list")),
	)
	if list := textOf(t, ctx, "#cp-list"); !strings.Contains(list, "孙玉兰") || !strings.Contains(list, "网上") {
		t.Fatalf("the register: %q", list)
	}
	const reply = "您的资金已列入本年度发放名册，将于8月底前打卡到户。"
	run(t, ctx, "reply",
		chromedp.Click(chromedp.CSS(`#cp-list a[href^="/complaints/341523/"]`)),
		chromedp.WaitVisible(chromedp.ID("cp-reply")),
		chromedp.SendKeys(chromedp.ID("cp-reply"), reply),
		leave,
		chromedp.Submit(chromedp.ID("cp-reply")),
		arrived(".notice"),
	)
	if got := textOf(t, ctx, "#cp-reply-text"); !strings.Contains(got, reply) {
		t.Errorf("the reply shown: %q", got)
	}
	if hist := textOf(t, ctx, "#cp-history"); !strings.Contains(hist, "登记") || !strings.Contains(hist, "答复") {
		t.Errorf("the history: %q", hist)
	}

	// She reads the reply on her phone.
	signInAs(t, ctx, base, "yulan", "yulan1234")
	run(t, ctx, "read the reply",
		chromedp.EmulateViewport(375, 740),
		chromedp.Navigate(base+"/self/complaints"),
		chromedp.WaitVisible(chromedp.ID("cp-mine")),
	)
	if mine := textOf(t, ctx, "#cp-mine"); !strings.Contains(mine, reply) || !strings.Contains(mine, "已答复") {
		t.Errorf("the reply she reads: %q", mine)
	}
	fitsPhone(t, ctx, "the reply")
	run(t, ctx, "the desk", chromedp.EmulateReset())
}
