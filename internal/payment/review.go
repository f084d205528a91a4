package payment

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
)

// The annual face-to-face review (年审人人见面, package inperson) holds the
// money of those it has not seen: once the county's review deadline of a
// year has passed, a recipient who was on the roll before that year and
// has no record of the year's review — seen, or the reason why not — nor
// of a later one has the lines of the next batch held, and they stay held
// until somebody records the review (ReleaseReviewHold).

// deadlineIn returns the day MM-DD of year.
func deadlineIn(mmdd string, year int) (date.Date, bool) {
	m, d, ok := strings.Cut(mmdd, "-")
	if !ok || len(m) != 2 || len(d) != 2 {
		return date.Date{}, false
	}
	mi, err1 := strconv.Atoi(m)
	di, err2 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || mi < 1 || mi > 12 || di < 1 || di > 28+3 {
		return date.Date{}, false
	}
	day, err := date.Parse(fmt.Sprintf("%04d-%s-%s", year, m, d))
	return day, err == nil
}

// ReviewDeadlineOf returns the deadline of the review of year under p,
// and false when the county sets none.
func (p Params) ReviewDeadlineOf(year int) (date.Date, bool) {
	if p.ReviewDeadline == "" {
		return date.Date{}, false
	}
	return deadlineIn(p.ReviewDeadline, year)
}

// ReviewYearDue returns the latest year whose review deadline has passed
// on today, or 0 when the county sets no deadline.
func (p Params) ReviewYearDue(today date.Date) int {
	d, ok := p.ReviewDeadlineOf(today.Year())
	if !ok {
		return 0
	}
	if today.After(d) {
		return today.Year()
	}
	return today.Year() - 1
}

// UnseenHoldReason is the hold reason of the lines of a recipient not
// seen at the review of year.
func UnseenHoldReason(year int) string {
	return fmt.Sprintf("%d年度年审未见面，待见面或说明原因", year)
}

// reviewHolds marks in states the persons the review holds today.
func reviewHolds(ctx context.Context, s Store, county string, states map[int64]PersonState) error {
	if len(states) == 0 {
		return nil
	}
	prm, err := countyParams(ctx, s, county)
	if err != nil {
		return err
	}
	year := prm.ReviewYearDue(date.Today(s.Now()))
	if year == 0 {
		return nil
	}
	ids := make([]int64, 0, len(states))
	for id := range states {
		ids = append(ids, id)
	}
	unseen, err := s.UnseenAtReview(ctx, county, ids, year)
	if err != nil {
		return err
	}
	for id := range unseen {
		st := states[id]
		st.Unseen = year
		states[id] = st
	}
	return nil
}

// ReleaseReviewHold puts back to pending the lines of person personID of
// county that the review of year or an earlier one held, now that the
// review of year is recorded, and returns how many. The recording of the
// review is the caller's, in the same transaction.
func ReleaseReviewHold(ctx context.Context, s Store, a auth.Actor, county string, personID int64, year int) (int, error) {
	lines, err := s.PaymentLines(ctx, county, LineFilter{PersonID: personID, Statuses: []Status{Held}})
	if err != nil {
		return 0, err
	}
	var ids []int64
	for _, l := range lines {
		for y := year; y >= year-10; y-- {
			if l.HoldReason == UnseenHoldReason(y) {
				ids = append(ids, l.ID)
				break
			}
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := moveLines(ctx, s, county, ids, LineUpdate{Status: Pending, At: s.Now()}); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := s.Audit(ctx, lineEntry(a, county, "payment.line.release", id, map[string]any{"status": Pending, "by": "inperson_review", "year": year})); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
