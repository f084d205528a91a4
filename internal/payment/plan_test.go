package payment

import (
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/roll"
)

var quarterly = Params{TFPeriod: Quarter, LookbackYears: 1}

func recipient(id int64, status string, confirmed string) Recipient {
	return Recipient{ID: id, PersonID: id, Program: "tf_death", Region: "341523100201", Confirmed: date.MustParse(confirmed),
		StartYear: date.MustParse(confirmed).Year(), StartMonth: 1, Status: status, LastMonth: -1,
		PersonState: PersonState{Name: "张秀英", IDNumber: "341523196401010027"}}
}

// tf2024 is a 2024 tf_death determination of 800 yuan a month, split
// 60 % central (on the national base) and the rest provincial.
func tf2024(person int64, months int) *Entitlement {
	amount := money.Fen(80000 * months)
	central := money.Fen(int64(amount) * 6 / 10)
	return &Entitlement{PersonID: person, Year: 2024, Amount: amount, Months: months, Split: Split{central, amount - central, 0, 0}}
}

func TestDueFor(t *testing.T) {
	exited := recipient(1, roll.StatusExited, "2020-03-01")
	exited.LastMonth = 2024*12 + 4 // May 2024
	midYear := recipient(1, roll.StatusActive, "2024-06-20")
	midYear.StartMonth = 7
	odd := &Entitlement{PersonID: 1, Year: 2024, Amount: 100, Months: 12, Split: Split{33, 33, 17, 17}}
	tests := []struct {
		name   string
		r      Recipient
		e      *Entitlement
		period string
		prm    Params
		want   Split
		months int
	}{
		{"whole year quarter", recipient(1, roll.StatusActive, "2020-03-01"), tf2024(1, 12), "2024-Q2", quarterly, Split{144000, 96000, 0, 0}, 3},
		{"year period", recipient(1, roll.StatusActive, "2020-03-01"), tf2024(1, 12), "2024", quarterly, Split{576000, 384000, 0, 0}, 12},
		{"exit in May: Q2 has two months", exited, tf2024(1, 5), "2024-Q2", quarterly, Split{96000, 64000, 0, 0}, 2},
		{"exit in May: Q3 nothing", exited, tf2024(1, 5), "2024-Q3", quarterly, Split{}, 0},
		{"start in July: Q2 nothing", midYear, tf2024(1, 6), "2024-Q2", quarterly, Split{}, 0},
		{"start in July: Q3 full", midYear, tf2024(1, 6), "2024-Q3", quarterly, Split{144000, 96000, 0, 0}, 3},
		{"suspended", recipient(1, roll.StatusSuspended, "2020-03-01"), tf2024(1, 12), "2024-Q2", quarterly, Split{}, 0},
		{"no determination", recipient(1, roll.StatusActive, "2020-03-01"), nil, "2024-Q2", quarterly, Split{}, 0},
		{"confirmed 2025: no back pay", recipient(1, roll.StatusActive, "2025-02-01"), tf2024(1, 12), "2024-Q4", quarterly, Split{}, 0},
		{"confirmed 2025, back pay allowed", recipient(1, roll.StatusActive, "2025-02-01"), tf2024(1, 12), "2024-Q4",
			Params{TFPeriod: Quarter, BackPayYears: 1}, Split{144000, 96000, 0, 0}, 3},
		{"uneven: first month floors", recipient(1, roll.StatusActive, "2020-03-01"), odd, "2024-01", Params{TFPeriod: Month}, Split{2, 2, 1, 1}, 1},
		{"uneven: December takes the rest", recipient(1, roll.StatusActive, "2020-03-01"), odd, "2024-12", Params{TFPeriod: Month}, Split{3, 3, 2, 2}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := DueFor(tt.r, tt.e, MustPeriod(tt.period), tt.prm)
			if d.Split != tt.want || d.Months != tt.months {
				t.Errorf("DueFor = %v (%d months, why %q), want %v (%d months)", d.Split, d.Months, d.Why, tt.want, tt.months)
			}
			if d.Amount() == 0 && d.Why == "" {
				t.Error("nothing due but no reason given")
			}
		})
	}
}

// TestDuePeriodsAddUp checks that the periods of a year add up to the
// year's determination to the fen, level by level, for every period kind
// and awkward amounts.
func TestDuePeriodsAddUp(t *testing.T) {
	r := recipient(1, roll.StatusActive, "2020-03-01")
	for _, months := range []int{1, 5, 7, 11, 12} {
		for _, split := range []Split{{1, 0, 0, 0}, {33, 33, 17, 17}, {57601, 38399, 7, 0}, {9999999, 1, 1, 3}} {
			e := &Entitlement{PersonID: 1, Year: 2024, Amount: split.Total(), Months: months, Split: split}
			for _, kind := range []PeriodKind{Month, Quarter, Half, Year} {
				var sum Split
				for m := 2024 * 12; m < 2025*12; m++ {
					p := PeriodOf(kind, m)
					if first, _ := p.Months(); first != m {
						continue
					}
					d := DueFor(r, e, p, Params{TFPeriod: kind})
					for _, v := range d.Split {
						if v < 0 {
							t.Fatalf("%v over %d months, %s: negative share %v", split, months, p, d.Split)
						}
					}
					sum = sum.Add(d.Split)
				}
				if sum != split {
					t.Errorf("%v over %d months by %s: periods add up to %v", split, months, kind, sum)
				}
			}
		}
	}
}

func TestPlan(t *testing.T) {
	at := time.Date(2024, 4, 2, 1, 0, 0, 0, time.UTC)
	q1 := Cycle{County: "341523", ID: 1, Program: "tf_death", Period: MustPeriod("2024-Q1"), CreatedAt: at}
	late := recipient(2, roll.StatusActive, "2024-04-15") // confirmed after Q1 was paid: arrears for Q1
	dead := recipient(3, roll.StatusActive, "2020-03-01")
	dead.Death, dead.DeathSource = date.MustParse("2024-05-03"), "公安"
	flagged := recipient(4, roll.StatusActive, "2020-03-01")
	flagged.Hold = "公安死亡注销比对"
	in := PlanInput{
		County: "341523", Program: "tf_death", Period: MustPeriod("2024-Q2"), Params: quarterly,
		Cycles: []Cycle{q1},
		Roll:   []Recipient{recipient(1, roll.StatusActive, "2020-03-01"), late, dead, flagged, recipient(5, roll.StatusActive, "2020-03-01")},
		Entitlements: []Entitlement{*tf2024(1, 12), *tf2024(2, 12), *tf2024(3, 5), *tf2024(4, 12),
			// person 5's determination was raised after Q1 was paid at the old rate
			{PersonID: 5, Year: 2024, Amount: 1080000, Months: 12, Split: Split{648000, 432000, 0, 0}}},
		Lines: []Line{
			{PersonID: 1, Program: "tf_death", Period: MustPeriod("2024-Q1"), Amount: 240000, Split: Split{144000, 96000, 0, 0}, Status: Paid},
			{PersonID: 3, Program: "tf_death", Period: MustPeriod("2024-Q1"), Amount: 240000, Split: Split{144000, 96000, 0, 0}, Status: Paid},
			{PersonID: 4, Program: "tf_death", Period: MustPeriod("2024-Q1"), Amount: 240000, Split: Split{144000, 96000, 0, 0}, Status: Paid},
			{PersonID: 5, Program: "tf_death", Period: MustPeriod("2024-Q1"), Amount: 300000, Split: Split{180000, 120000, 0, 0}, Status: Paid},
		},
	}
	type want struct {
		person   int64
		period   string
		kind     LineKind
		revision int
		amount   money.Fen
		status   Status
	}
	wants := []want{
		{1, "2024-Q2", Regular, 0, 240000, Pending},
		{2, "2024-Q1", Arrears, 0, 240000, Pending},
		{2, "2024-Q2", Regular, 0, 240000, Pending},
		{3, "2024-Q2", Regular, 0, 160000, Held}, // died in May: paid to May, held until verified
		{4, "2024-Q2", Regular, 0, 240000, Held},
		{5, "2024-Q1", Correction, 1, -30000, Recovery}, // paid 3,000 for Q1, now due 2,700
		{5, "2024-Q2", Regular, 0, 270000, Pending},
	}
	got := Plan(in)
	if len(got) != len(wants) {
		for _, l := range got {
			t.Logf("%d %s %s r%d %s %s %s", l.PersonID, l.Period, l.Kind, l.Revision, l.Amount, l.Status, l.Note)
		}
		t.Fatalf("Plan gave %d lines, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		l := got[i]
		if l.PersonID != w.person || l.Period.String() != w.period || l.Kind != w.kind || l.Revision != w.revision ||
			l.Amount != w.amount || l.Status != w.status {
			t.Errorf("line %d = %d %s %s r%d %s %s; want %+v", i, l.PersonID, l.Period, l.Kind, l.Revision, l.Amount, l.Status, w)
		}
		if l.Split.Total() != l.Amount {
			t.Errorf("line %d: split %v does not add up to %s", i, l.Split, l.Amount)
		}
		if l.Note == "" {
			t.Errorf("line %d has no explanation", i)
		}
		if (l.Status == Held) != (l.HoldReason != "") {
			t.Errorf("line %d: status %s with hold reason %q", i, l.Status, l.HoldReason)
		}
	}
	// Planning again with the lines made is a fixed point: nothing more.
	in2 := in
	in2.Lines = append(append([]Line{}, in.Lines...), got...)
	in2.Period = MustPeriod("2024-Q2")
	for _, l := range Plan(in2) {
		t.Errorf("second plan still makes %d %s %s %s", l.PersonID, l.Period, l.Kind, l.Amount)
	}
}
