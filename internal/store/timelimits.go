package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The time limits of single cases (stats.AddTimeliness): the cases of a
// region with the days their steps were signed.

// CaseStepTimes returns the cases within reg still open, or changed since
// the first day of year, with the day each step was signed and the state
// it left, in the steps' order.
func (tx *Tx) CaseStepTimes(ctx context.Context, reg region.Code, year int) ([]stats.CaseSteps, error) {
	where, args := statScope("c.", reg)
	since := ts(time.Date(year, time.January, 1, 0, 0, 0, 0, time.UTC))
	rows, err := tx.Query(ctx, `SELECT c.county, c.id, c.region, c.state, c.submitted, s.signed_at, s.from_state
		FROM cases c LEFT JOIN case_steps s ON s.county = c.county AND s.case_id = c.id
		WHERE `+where+` AND (c.updated_at >= ? OR c.state NOT IN ('enrolled', 'deferred', 'rejected', 'withdrawn'))
		ORDER BY c.county, c.id, s.seq`, append(args, since)...)
	if err != nil {
		return nil, fmt.Errorf("case step times: %w", err)
	}
	defer rows.Close()
	var out []stats.CaseSteps
	for rows.Next() {
		var c stats.CaseSteps
		var signed any
		var from *string
		if err := rows.Scan(&c.County, &c.ID, &c.Region, &c.State, &c.Submitted, &signed, &from); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].County != c.County || out[n-1].ID != c.ID {
			out = append(out, c)
		}
		if from != nil && signed != nil {
			t, err := timeValue(signed)
			if err != nil {
				return nil, err
			}
			last := &out[len(out)-1]
			last.Signed = append(last.Signed, date.Today(t))
			last.From = append(last.From, workflow.State(*from))
		}
	}
	return out, rows.Err()
}

// ComplaintAnswers returns the complaints, enquiries and petitions within
// reg due in year, with the day each was answered.
func (tx *Tx) ComplaintAnswers(ctx context.Context, reg region.Code, year int) ([]stats.Answer, error) {
	where, args := statScope("", reg)
	rows, err := tx.Query(ctx, `SELECT region, deadline, replied FROM complaints WHERE `+where+` AND deadline >= ? AND deadline <= ?`,
		append(args, date.Of(year, time.January, 1), date.Of(year, time.December, 31))...)
	if err != nil {
		return nil, fmt.Errorf("complaint answers: %w", err)
	}
	defer rows.Close()
	var out []stats.Answer
	for rows.Next() {
		var a stats.Answer
		if err := rows.Scan(&a.Region, &a.Deadline, &a.Replied); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
