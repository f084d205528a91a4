package move_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/roll"
)

// periodsOf returns the periods of kind k in year y.
func periodsOf(k payment.PeriodKind, y int) []payment.Period {
	var out []payment.Period
	seen := map[string]bool{}
	for m := y * 12; m < y*12+12; m++ {
		p := payment.PeriodOf(k, m)
		if !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	return out
}

// TestSplitPaysTheYearOnce pays a year across the two counties of a
// move with the payment engine's own DueFor: the old county's periods up
// to its last month, the new county's from the month after, whatever the
// two counties' period kinds, the day of the move and what the old county
// had already paid. Every month is paid by one county and the two add
// up to the year's amount to the fen.
func TestSplitPaysTheYearOnce(t *testing.T) {
	const amount = 123457 // fen: not divisible by 12, so rounding shows
	e := &payment.Entitlement{PersonID: 1, Year: 2024, Amount: amount, Months: 12, Split: payment.Split{74074, 29630, 9877, 9876}}
	for _, c := range []struct {
		name          string
		oldK, newK    payment.PeriodKind
		moved         string
		paid          int // month index the old county has paid through, -1 for nothing
		wantOld       int // months the old county pays in 2024
		wantNewFirstM int // the new county's first month (1-12, 13 for next January)
	}{
		{"quarters, May", payment.Quarter, payment.Quarter, "2024-05-10", -1, 6, 7},
		{"quarters to halves, May", payment.Quarter, payment.Half, "2024-05-10", -1, 6, 7},
		{"halves to months, February", payment.Half, payment.Month, "2024-02-29", -1, 6, 7},
		{"months, May", payment.Month, payment.Quarter, "2024-05-31", -1, 5, 6},
		{"quarters, Q3 already paid", payment.Quarter, payment.Quarter, "2024-05-10", 2024*12 + 8, 9, 10},
		{"year, May", payment.Year, payment.Year, "2024-05-10", -1, 12, 13},
		{"quarters, December", payment.Quarter, payment.Month, "2024-12-01", -1, 12, 13},
		{"months, January", payment.Month, payment.Month, "2024-01-02", -1, 1, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			last := move.Split(c.oldK, date.MustParse(c.moved), c.paid)
			if got := last - 2024*12 + 1; got != c.wantOld {
				t.Fatalf("old county pays %d months, want %d", got, c.wantOld)
			}
			first := last + 1
			if first-2024*12+1 != c.wantNewFirstM {
				t.Fatalf("new county from month %d, want %d", first-2024*12+1, c.wantNewFirstM)
			}
			confirmed := date.MustParse("2020-03-01")
			oldR := payment.Recipient{ID: 1, PersonID: 1, Confirmed: confirmed, StartYear: 2020, StartMonth: 1, Status: roll.StatusExited,
				ExitDate: date.MustParse(c.moved), LastMonth: last}
			newR := payment.Recipient{ID: 2, PersonID: 1, Confirmed: confirmed, StartYear: first / 12, StartMonth: first%12 + 1, Status: roll.StatusActive, LastMonth: -1, Carried: first % 12}
			var total, months int64
			for _, side := range []struct {
				r payment.Recipient
				k payment.PeriodKind
			}{{oldR, c.oldK}, {newR, c.newK}} {
				for _, p := range periodsOf(side.k, 2024) {
					if side.r.StartYear > 2024 {
						continue // the new county's roll entry begins next year
					}
					d := payment.DueFor(side.r, e, p, payment.Params{TFPeriod: side.k})
					total += int64(d.Split.Total())
					months += int64(d.Months)
				}
			}
			if total != amount || months != 12 {
				t.Errorf("the two counties pay %d fen over %d months, want %d over 12", total, months, amount)
			}
		})
	}
}

func TestIsMigrant(t *testing.T) {
	for _, c := range []struct {
		hukou, residence string
		want             bool
	}{
		{"341523100201", "", false},
		{"341523100201", "341523100202", false}, // another village of the same township
		{"341523100201", "341523101001", true},  // another township
		{"341523100201", "341522100002", true},  // another county
	} {
		if got := move.IsMigrant(c.hukou, c.residence); got != c.want {
			t.Errorf("IsMigrant(%s, %s) = %v", c.hukou, c.residence, got)
		}
	}
}
