package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestDashboardQueries checks the summaries of the staff pages on both
// engines: roll counts, the roll's length for paging, the funds of a
// year by program and level, the notice board, the runs of the annual
// review and a person's marriages and certificates, each within a scope.
func TestDashboardQueries(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testDashboardQueries(t, engine) })
	}
}

func testDashboardQueries(t *testing.T, engine store.Engine) {
	db := storetest.Open(t, engine)
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	sys := auth.System
	const v1, v2, other = "341523100201", "341523100202", "341523101001" // two villages of one township, one of another
	var ids []int64
	must := func(what string, fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Update(ctx, fn); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("persons", func(tx *store.Tx) error {
		for i, reg := range []string{v1, v1, v2, other} {
			r, err := registry.Register(ctx, tx, sys, registry.NewPerson{Name: "人员" + string(rune('甲'+i)), Sex: "F",
				Birth: date.Of(1960, 1, 1+i), Region: reg, HukouType: registry.Rural})
			if err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		return nil
	})
	// The roll: jf active ×3 (one in the other township), tf_death
	// active and exited.
	must("roll", func(tx *store.Tx) error {
		rows := []struct {
			person  int
			program string
			region  string
			status  string
		}{{0, "jf", v1, "active"}, {1, "jf", v1, "active"}, {2, "jf", v2, "suspended"}, {3, "jf", other, "active"},
			{0, "tf_death", v1, "active"}, {1, "tf_death", v1, "exited"}}
		for i, r := range rows {
			rec := &roll.Recipient{County: "341523", ID: int64(i + 1), PersonID: ids[r.person], Program: r.program, Region: r.region,
				Confirmed: date.Of(2024, 1, 1), StartYear: 2024, StartMonth: 1, Status: r.status, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertRecipient(ctx, rec); err != nil {
				return err
			}
		}
		return nil
	})
	// Paid lines: jf in 2024 for persons 0 and 3, tf_death twice for
	// person 0 (two months), and one line paid in 2023 and one unpaid,
	// which do not count.
	must("payment lines", func(tx *store.Tx) error {
		line := func(id int64, person int, program, period, reg string, split payment.Split, status payment.Status, paid date.Date) payment.Line {
			p, err := payment.ParsePeriod(period)
			if err != nil {
				t.Fatal(err)
			}
			var sum money.Fen
			for _, f := range split {
				sum += f
			}
			return payment.Line{County: "341523", ID: id, CycleID: 1, PersonID: ids[person], RecipientID: 1, Program: program, Period: p,
				Kind: payment.Regular, Region: reg, Months: 1, Amount: sum, Split: split, Status: status, PaidOn: paid, UpdatedAt: now}
		}
		return tx.InsertPaymentLines(ctx, []payment.Line{
			line(1, 0, "jf", "2024", v1, payment.Split{57600, 38400, 0, 0}, payment.Paid, date.Of(2024, 3, 1)),
			line(2, 3, "jf", "2024", other, payment.Split{57600, 38400, 0, 0}, payment.Paid, date.Of(2024, 3, 1)),
			line(3, 0, "tf_death", "2024-01", v1, payment.Split{0, 30000, 10000, 10000}, payment.Paid, date.Of(2024, 1, 20)),
			line(4, 0, "tf_death", "2024-02", v1, payment.Split{0, 30000, 10000, 10000}, payment.Paid, date.Of(2024, 2, 20)),
			line(5, 0, "tf_death", "2023-12", v1, payment.Split{0, 30000, 10000, 10000}, payment.Paid, date.Of(2023, 12, 20)),
			line(6, 1, "jf", "2024", v1, payment.Split{57600, 38400, 0, 0}, payment.Pending, date.Date{}),
		})
	})
	// Cases with notices: an open village notice in v1 with a pending
	// objection, a closed one in v2, an open township notice of the case
	// in the other township.
	must("notices", func(tx *store.Tx) error {
		sig := workflow.Signature{UserID: 1, Username: "u", Name: "U", Role: auth.RoleVillage, At: now}
		for i, c := range []struct {
			person        int
			region        string
			level         workflow.Level
			status        string
			start, end    string
			noticeRegion  string
			withObjection bool
		}{
			{0, v1, workflow.LevelVillage, "open", "2024-05-28", "2024-06-04", v1, true},
			{2, v2, workflow.LevelVillage, "closed", "2024-05-01", "2024-05-08", v2, false},
			{3, other, workflow.LevelTownship, "open", "2024-05-30", "2024-06-06", "341523101000", false},
		} {
			cs := &workflow.Case{County: "341523", ID: int64(i + 1), PersonID: ids[c.person], Program: "jf", Year: 2024, Region: c.region,
				State: workflow.VillageNotice, Submitted: date.Of(2024, 5, 1), Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertCase(ctx, cs); err != nil {
				return err
			}
			n := &workflow.Notice{County: "341523", ID: int64(i + 1), CaseID: cs.ID, Level: c.level, Region: c.noticeRegion, Place: "公示栏",
				Start: date.MustParse(c.start), End: date.MustParse(c.end), Status: c.status, OpenedBy: sig}
			if c.status == "closed" {
				n.ClosedBy = &sig
			}
			if err := tx.InsertNotice(ctx, n); err != nil {
				return err
			}
			if c.withObjection {
				if err := tx.InsertObjection(ctx, &workflow.Objection{County: "341523", ID: 1, CaseID: cs.ID, NoticeID: n.ID,
					Received: date.Of(2024, 5, 30), Objector: "匿名", Content: "有误", Status: workflow.ObjectionPending, RecordedBy: sig}); err != nil {
					return err
				}
			}
		}
		for i, reg := range []string{"341523100000", "341523101000"} {
			if err := tx.InsertAnnualReview(ctx, &workflow.AnnualReview{County: "341523", ID: int64(i + 1), Region: reg, Year: 2024, UserID: 1,
				At: now.Add(time.Duration(i) * time.Minute), Reviewed: 3, Confirmed: 2,
				Changed: []workflow.ReviewLine{{RecipientID: 2, PersonID: ids[1], Name: "人员乙", Program: "jf", Reason: "died"}}}); err != nil {
				return err
			}
		}
		a, b := registry.Key{County: "341523", ID: ids[0]}, registry.Key{County: "341523", ID: ids[1]}
		if _, err := registry.AddMarriage(ctx, tx, sys, a, b, registry.Marriage{From: date.Of(1985, 1, 1)}, "M-1"); err != nil {
			return err
		}
		_, err := registry.AddCertificate(ctx, tx, sys, a, registry.Certificate{Kind: registry.CertOneChild, Number: "C-1", Issued: date.Of(1988, 1, 1)})
		return err
	})

	township := region.Code("341523100000")
	err := db.View(ctx, func(tx *store.Tx) error {
		counts, err := tx.RollCounts(ctx, township)
		if err != nil {
			return err
		}
		want := []store.RollCount{{"jf", "active", 2}, {"jf", "suspended", 1}, {"tf_death", "active", 1}, {"tf_death", "exited", 1}}
		if diff := cmp.Diff(want, counts); diff != "" {
			t.Errorf("RollCounts(township) (-want +got):\n%s", diff)
		}
		if all, _ := tx.RollCounts(ctx, "341523"); len(all) != 4 || all[0].N != 3 {
			t.Errorf("RollCounts(county) = %v", all)
		}
		if none, _ := tx.RollCounts(ctx, "341524"); len(none) != 0 {
			t.Errorf("RollCounts(other county) = %v", none)
		}

		for _, tt := range []struct {
			scope region.Code
			q     roll.Query
			want  int
		}{
			{"341523", roll.Query{}, 6},
			{"341523", roll.Query{Program: "jf"}, 4},
			{township, roll.Query{Program: "jf", Status: "active"}, 2},
			{"341523", roll.Query{Region: v2}, 1},
			{v1, roll.Query{Region: v2}, 0},
		} {
			if n, err := tx.RollTotal(ctx, tt.scope, tt.q); err != nil || n != tt.want {
				t.Errorf("RollTotal(%s, %+v) = %d, %v; want %d", tt.scope, tt.q, n, err, tt.want)
			}
		}
		// Paging through workflow's roll query.
		page, err := tx.Roll(ctx, "341523", roll.Query{Limit: 4, Offset: 4})
		if err != nil || len(page) != 2 {
			t.Errorf("Roll page 2 = %d rows, %v; want 2", len(page), err)
		}

		funds, err := tx.FundsByProgram(ctx, township, 2024)
		if err != nil {
			return err
		}
		wantFunds := []store.FundsRow{
			{Program: "jf", Persons: 1, Amount: 96000, Split: payment.Split{57600, 38400, 0, 0}},
			{Program: "tf_death", Persons: 1, Amount: 100000, Split: payment.Split{0, 60000, 20000, 20000}},
		}
		if diff := cmp.Diff(wantFunds, funds); diff != "" {
			t.Errorf("FundsByProgram(township, 2024) (-want +got):\n%s", diff)
		}
		if all, _ := tx.FundsByProgram(ctx, "341523", 2024); len(all) != 2 || all[0].Persons != 2 || all[0].Amount != 192000 {
			t.Errorf("FundsByProgram(county, 2024) = %+v", all)
		}

		rows, total, err := tx.NoticeList(ctx, "341523", store.NoticeQuery{})
		if err != nil {
			return err
		}
		var got []int64
		for _, r := range rows {
			got = append(got, r.Notice.ID)
		}
		// Open first, ending soonest first; then closed.
		if total != 3 || !cmp.Equal(got, []int64{1, 3, 2}) {
			t.Errorf("NoticeList(county) = %v (total %d), want [1 3 2] of 3", got, total)
		}
		if rows[0].Pending != 1 || rows[0].Name != "人员甲" || rows[0].Person.ID != ids[0] || rows[0].Program != "jf" {
			t.Errorf("first notice row = %+v", rows[0])
		}
		open, total, err := tx.NoticeList(ctx, township, store.NoticeQuery{Status: workflow.NoticeOpen})
		if err != nil || total != 1 || len(open) != 1 || open[0].Notice.ID != 1 {
			t.Errorf("NoticeList(township, open) = %+v (total %d), %v", open, total, err)
		}
		if paged, total, _ := tx.NoticeList(ctx, "341523", store.NoticeQuery{Limit: 1, Offset: 1}); total != 3 || len(paged) != 1 || paged[0].Notice.ID != 3 {
			t.Errorf("NoticeList page 2 = %+v (total %d)", paged, total)
		}

		runs, err := tx.AnnualReviews(ctx, "341523", 10)
		if err != nil || len(runs) != 2 || runs[0].ID != 2 {
			t.Errorf("AnnualReviews(county) = %+v, %v", runs, err)
		}
		if runs, _ := tx.AnnualReviews(ctx, township, 10); len(runs) != 1 || runs[0].Region != "341523100000" || len(runs[0].Changed) != 1 {
			t.Errorf("AnnualReviews(township) = %+v", runs)
		}
		if r, err := tx.AnnualReviewByID(ctx, township, "341523", 1); err != nil || r.Confirmed != 2 || r.Changed[0].Reason != "died" {
			t.Errorf("AnnualReviewByID = %+v, %v", r, err)
		}
		if _, err := tx.AnnualReviewByID(ctx, township, "341523", 2); err == nil {
			t.Error("AnnualReviewByID found a run outside the scope")
		}

		ms, err := tx.PersonMarriages(ctx, registry.Key{County: "341523", ID: ids[1]})
		if err != nil || len(ms) != 1 || ms[0].Spouse != ids[0] || ms[0].CertNo != "M-1" || ms[0].ID == 0 {
			t.Errorf("PersonMarriages = %+v, %v", ms, err)
		}
		cs, err := tx.PersonCertificates(ctx, registry.Key{County: "341523", ID: ids[0]})
		if err != nil || len(cs) != 1 || cs[0].Number != "C-1" || cs[0].ID == 0 || !cs[0].Cancelled.IsZero() {
			t.Errorf("PersonCertificates = %+v, %v", cs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
