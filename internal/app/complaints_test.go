package app_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestComplaints follows the register on both engines: the village records
// a call about a person (the deadline from the county's days for the
// kind, which the county sets), a citizen files online and reads the
// township's reply, another county and the supervisor are refused (and
// audited); an item unanswered past its deadline escalates once to the
// county, on its history and on the county's home page; the outcome
// closes it; and the supervision counts the complaints answered in time
// and the case waiting past its step's time limit.
func TestComplaints(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			ctx := e.ctx
			e.clock.set("2026-03-02")
			w := e.family("李桂兰", "1962-04-01", 1)

			// The county sets the days of an enquiry; another county may not.
			if _, err := e.a.SetTimeLimit(ctx, county, "341523", complaint.KindEnquiry, "7"); err != nil {
				t.Fatal(err)
			}
			_, err := e.a.SetTimeLimit(ctx, otherCounty, "341523", complaint.KindEnquiry, "7")
			wantKind(t, "another county sets the days", err, apperr.Forbidden)
			_, err = e.a.SetTimeLimit(ctx, county, "341523", "nothing", "7")
			wantKind(t, "an unknown time limit", err, apperr.Invalid)
			if _, err := e.a.SetTimeLimit(ctx, county, "341523", string(workflow.Applied), "0"); fieldsOf(err) != "days" {
				t.Errorf("a limit of 0 days: %v", err)
			}

			// The village records a call about the woman.
			in := complaint.New{Kind: complaint.KindEnquiry, Source: complaint.SourcePhone, Received: date.MustParse("2026-03-02"),
				Name: "李桂兰", Phone: "13800000000", Content: "奖励扶助金何时发放？", PersonID: w.ID}
			it, err := e.a.FileComplaint(ctx, villager, "341523", in)
			if err != nil {
				t.Fatal(err)
			}
			if it.Region != "341523100201" || it.Deadline != date.MustParse("2026-03-09") || it.Handler != villager.Name || it.Status != complaint.StatusOpen {
				t.Errorf("the call recorded: %+v", it)
			}
			bad := in
			bad.Kind, bad.Content, bad.Source = "", " ", complaint.SourceOnline
			if _, err := e.a.FileComplaint(ctx, villager, "341523", bad); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("staff filing as online: %v", err)
			}
			bad.Source = complaint.SourceVisit
			if _, err := e.a.FileComplaint(ctx, villager, "341523", bad); fieldsOf(err) != "kind,content" {
				t.Errorf("an empty item: %v (%q)", err, fieldsOf(err))
			}
			before := denied(t, e.a)
			_, err = e.a.FileComplaint(ctx, otherCounty, "341523", in)
			wantKind(t, "another county records about the woman", err, apperr.NotFound)
			_, err = e.a.Complaint(ctx, otherCounty, "341523", it.ID)
			wantKind(t, "another county reads it", err, apperr.NotFound)
			_, err = e.a.ReplyComplaint(ctx, supervisor, "341523", it.ID, 0, date.Date{}, "x")
			wantKind(t, "the supervisor replies", err, apperr.Forbidden)
			if got := denied(t, e.a) - before; got != 3 {
				t.Errorf("%d refusals audited, want 3", got)
			}
			if got, err := e.a.Complaint(ctx, supervisor, "341523", it.ID); err != nil || len(got.History) != 1 || got.History[0].Action != complaint.ActFiled {
				t.Errorf("the supervisor reads it: %+v %v", got, err)
			}

			// A citizen files online; the township answers; she reads it.
			me := auth.Actor{UserID: 901, Username: "ligl", Name: "李桂兰", Role: auth.RoleCitizen, Scope: "341523100201", PersonCounty: "341523", PersonID: w.ID}
			on, err := e.a.SelfComplain(ctx, me, complaint.Online{Kind: complaint.KindComplaint, Content: "村里未告知年审时间", Phone: "13800000001"})
			if err != nil {
				t.Fatal(err)
			}
			if on.Source != complaint.SourceOnline || on.Region != "341523100201" || on.Name != "李桂兰" || on.Deadline != date.MustParse("2026-03-17") {
				t.Errorf("filed online: %+v", on)
			}
			if _, err := e.a.SelfComplain(ctx, me, complaint.Online{Kind: complaint.KindComplaint}); fieldsOf(err) != "content" {
				t.Errorf("an empty complaint: %v", err)
			}
			_, err = e.a.Complaint(ctx, me, "341523", on.ID)
			wantKind(t, "a citizen reads the register", err, apperr.Forbidden)
			e.clock.set("2026-03-05")
			if _, err := e.a.ReplyComplaint(ctx, township, "341523", on.ID, on.Version, date.Date{}, "已通知村专干于3月10日入户告知年审安排。"); err != nil {
				t.Fatal(err)
			}
			mine, err := e.a.SelfComplaints(ctx, me)
			if err != nil || len(mine) != 1 || mine[0].Reply == "" || mine[0].Status != complaint.StatusReplied || len(mine[0].History) != 2 {
				t.Fatalf("her items: %+v %v", mine, err)
			}
			if _, err := e.a.CloseComplaint(ctx, township, "341523", on.ID, 1, "resolved", ""); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("a stale version closes it: %v", err)
			}
			if _, err := e.a.CloseComplaint(ctx, township, "341523", on.ID, 0, "nothing", ""); fieldsOf(err) != "outcome" {
				t.Errorf("an unknown outcome: %v", err)
			}
			if c, err := e.a.CloseComplaint(ctx, township, "341523", on.ID, 0, "resolved", "群众满意"); err != nil || c.Status != complaint.StatusClosed {
				t.Errorf("closed: %+v %v", c, err)
			}

			// The call is not answered by 2026-03-09: on the 10th it is
			// overdue, escalated once to the county.
			e.clock.set("2026-03-10")
			d, err := e.a.Dashboard(ctx, township, "zh")
			if err != nil || d.ComplaintsOverdue != 1 || d.ComplaintsEscalated != 0 {
				t.Errorf("the township's home page before the escalation: %+v %v", d, err)
			}
			n, err := e.a.EscalateComplaints(ctx, auth.System)
			if err != nil || n != 1 {
				t.Fatalf("escalated %d %v", n, err)
			}
			if n, err := e.a.EscalateComplaints(ctx, auth.System); err != nil || n != 0 {
				t.Errorf("escalated again %d %v", n, err)
			}
			got, err := e.a.Complaint(ctx, county, "341523", it.ID)
			if err != nil || got.EscalatedTo != "341523" || got.Escalated != date.MustParse("2026-03-10") || got.History[len(got.History)-1].Action != complaint.ActEscalated {
				t.Errorf("the escalated call: %+v %v", got, err)
			}
			if d, err := e.a.Dashboard(ctx, county, "zh"); err != nil || d.ComplaintsEscalated != 1 || d.ComplaintsOverdue != 1 {
				t.Errorf("the county's home page: %+v %v", d, err)
			}
			for _, q := range []struct {
				who    auth.Actor
				status string
				want   int
			}{{county, complaint.FilterEscalated, 1}, {county, complaint.FilterOverdue, 1}, {township, "", 2}, {villager, "", 2},
				{county, complaint.StatusClosed, 1}, {otherCounty, "", 0}} {
				items, err := e.a.Complaints(ctx, q.who, complaint.Query{Status: q.status})
				if err != nil || len(items) != q.want {
					t.Errorf("%s lists %q: %d %v, want %d", q.who.Username, q.status, len(items), err, q.want)
				}
			}
			if _, err := e.a.Complaints(ctx, county, complaint.Query{Status: "nothing"}); fieldsOf(err) != "status" {
				t.Errorf("an unknown status: %v", err)
			}
			if _, err := e.a.ReplyComplaint(ctx, villager, "341523", it.ID, 0, date.MustParse("2026-03-11"), "答复"); fieldsOf(err) != "replied" {
				t.Errorf("a reply dated tomorrow: %v", err)
			}
			if _, err := e.a.ReplyComplaint(ctx, villager, "341523", it.ID, 0, date.Date{}, "4月底前发放到卡。"); err != nil {
				t.Fatal(err)
			}

			// A case waits in the survey past its 10 days.
			if _, err := e.a.Apply(ctx, villager, workflow.NewApplication{County: w.County, PersonID: w.ID, Program: "jf", Year: 2026,
				Application: workflow.Application{Declared: workflow.Declared{HukouType: "rural", Marriage: "1983年初婚", Births: "1985年生育一子",
					Adoptions: "无", SurvivingChildren: 1}, Attachments: []string{"结婚证"}, Pledge: true}}); err != nil {
				t.Fatal(err)
			}
			e.clock.set("2026-03-25")
			s, err := e.a.Supervision(ctx, county, "341523", 2026)
			if err != nil {
				t.Fatal(err)
			}
			var cg stats.UnitProgress
			for _, u := range s.Units {
				if u.Code == "341523100000" {
					cg = u
				}
			}
			// Complaints due in 2026: the call answered a day late, the
			// online complaint in time → 1 of 2, 50%.
			if cg.Complaints != (stats.Tally{Due: 2, OnTime: 1}) || cg.ComplaintRate != 50 {
				t.Errorf("城关镇's complaints %+v %v", cg.Complaints, cg.ComplaintRate)
			}
			if cg.StepsOverdue != 1 || cg.Steps != (stats.Tally{Due: 1}) || len(s.Overdue) != 1 || s.Overdue[0].State != workflow.Applied ||
				s.Overdue[0].Days != 5 || s.StepLimits[string(workflow.Applied)] != 10 {
				t.Errorf("城关镇's steps %+v overdue %+v limits %v", cg, s.Overdue, s.StepLimits)
			}
			if tl, err := e.a.TimeLimits(ctx, township, "341523100000"); err != nil || tl.Complaints[complaint.KindEnquiry] != 7 || tl.Complaints[complaint.KindPetition] != 60 {
				t.Errorf("the time limits: %+v %v", tl, err)
			}
		})
	}
}

// TestMissingReports: after January ends, the township's home page shows
// its January report not submitted, and the county's shows it and its
// townships'; once submitted it is gone.
func TestMissingReports(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			e := newPayEnv(t, storetest.Open(t, engine))
			e.clock.set("2026-02-12")
			d, err := e.a.Dashboard(e.ctx, township, "zh")
			if err != nil || len(d.Missing) != 1 || d.Missing[0].Region != "341523100000" || d.Missing[0].Month != "2026-01" || !d.Missing[0].Late {
				t.Fatalf("the township's missing reports: %+v %v", d.Missing, err)
			}
			if _, err := e.a.SubmitReport(e.ctx, township, app.ReportStep{Region: "341523100000", Month: "2026-01"}); err != nil {
				t.Fatal(err)
			}
			if d, err = e.a.Dashboard(e.ctx, township, "zh"); err != nil || len(d.Missing) != 0 {
				t.Errorf("after the submission: %+v %v", d.Missing, err)
			}
			d, err = e.a.Dashboard(e.ctx, county, "zh")
			if err != nil || len(d.Missing) < 2 || d.Missing[0].Region != "341523" {
				t.Fatalf("the county's missing reports: %+v %v", d.Missing, err)
			}
			for _, m := range d.Missing {
				if m.Region == "341523100000" {
					t.Errorf("城关镇 submitted, yet listed")
				}
			}
			if d, err = e.a.Dashboard(e.ctx, villager, "zh"); err != nil || len(d.Missing) != 0 {
				t.Errorf("a village is not warned: %+v %v", d.Missing, err)
			}
		})
	}
}
