package app

import (
	"context"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
)

// demoComplaints fills the register of complaints, enquiries and
// petitions of the demo: an enquiry by phone answered and closed, a
// complaint made at the office left unanswered past its deadline (and so
// escalated to the county), a petition by letter not yet due, and an
// enquiry the citizen citizen2 filed online, waiting for the township. It
// returns how many items it recorded.
func (a *App) demoComplaints(ctx context.Context, staff map[string]auth.Actor, citizens []auth.User, about OutreachRow) (int, error) {
	today := date.Today(a.db.Now())
	village, township := staff["village"], staff["township"]
	if village.UserID == 0 || township.UserID == 0 {
		return 0, nil
	}
	county := about.County
	rec := func(who auth.Actor, in complaint.New) (*complaint.Item, error) {
		it, err := a.FileComplaint(ctx, who, county, in)
		if err != nil {
			return nil, fmt.Errorf("demo complaint: %w", err)
		}
		return it, nil
	}
	n := 0
	enq, err := rec(village, complaint.New{Kind: complaint.KindEnquiry, Source: complaint.SourcePhone, Received: today.AddDays(-20),
		Name: about.Name, Phone: "13800001111", Content: "咨询农村部分计划生育家庭奖励扶助金今年的发放时间。", PersonID: about.PersonID})
	if err != nil {
		return n, err
	}
	n++
	if _, err := a.ReplyComplaint(ctx, village, county, enq.ID, 0, today.AddDays(-18), "已电话告知：本年度资金于8月底前打卡到户，可凭社保卡查询。"); err != nil {
		return n, err
	}
	if _, err := a.CloseComplaint(ctx, village, county, enq.ID, 0, "explained", "群众表示清楚"); err != nil {
		return n, err
	}
	if _, err := rec(township, complaint.New{Kind: complaint.KindComplaint, Source: complaint.SourceVisit, Received: today.AddDays(-25),
		Name: "王德明", Phone: "13900002222", Content: "反映本村公示名单张贴位置偏僻，群众看不到，要求重新张贴。", Region: village.Scope.String()}); err != nil {
		return n, err
	}
	n++
	if _, err := rec(township, complaint.New{Kind: complaint.KindPetition, Source: complaint.SourceLetter, Received: today.AddDays(-10),
		Name: "刘秀珍", Content: "来信反映其独生子女伤残等级评定后，特别扶助金未按新等级调整。", Region: township.Scope.String()}); err != nil {
		return n, err
	}
	n++
	for _, c := range citizens {
		if c.Username != "citizen2" {
			continue
		}
		if _, err := a.SelfComplain(ctx, c.Actor(), complaint.Online{Kind: complaint.KindEnquiry, Phone: "13700003333",
			Content: "我今年搬到县城居住，户口未迁，奖励扶助金还能在原村领取吗？"}); err != nil {
			return n, fmt.Errorf("demo complaint online: %w", err)
		}
		n++
	}
	// The complaint made at the office is past its 15 days: it escalates.
	if _, err := a.EscalateComplaints(ctx, auth.System); err != nil {
		return n, err
	}
	return n, nil
}
