package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// The register of complaints, enquiries and petitions (package complaint)
// and each item's history.

var _ complaint.Store = (*Tx)(nil)

const complaintColumns = `county, id, region, kind, source, received, name, phone, content, person_id, case_id, citizen_id,
	handler_id, handler, deadline, reply, replied, outcome, closed, status, escalated, escalated_to, version, created_by,
	created_at, updated_at`

func scanComplaint(s scanner) (*complaint.Item, error) {
	var it complaint.Item
	var person, kase, citizen sql.NullInt64
	var created, updated any
	if err := s.Scan(&it.County, &it.ID, &it.Region, &it.Kind, &it.Source, &it.Received, &it.Name, &it.Phone, &it.Content,
		&person, &kase, &citizen, &it.HandlerID, &it.Handler, &it.Deadline, &it.Reply, &it.Replied, &it.Outcome, &it.Closed,
		&it.Status, &it.Escalated, &it.EscalatedTo, &it.Version, &it.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	it.PersonID, it.CaseID, it.CitizenID = person.Int64, kase.Int64, citizen.Int64
	it.CreatedAt, _ = timeValue(created)
	it.UpdatedAt, _ = timeValue(updated)
	return &it, nil
}

func complaintArgs(it *complaint.Item) []any {
	return []any{it.County, it.ID, it.Region, it.Kind, it.Source, it.Received, it.Name, it.Phone, it.Content, nullInt(it.PersonID),
		nullInt(it.CaseID), nullInt(it.CitizenID), it.HandlerID, it.Handler, it.Deadline, it.Reply, it.Replied, it.Outcome, it.Closed,
		it.Status, it.Escalated, it.EscalatedTo, it.Version, it.CreatedBy, ts(it.CreatedAt), ts(it.UpdatedAt)}
}

// InsertComplaint writes a new item.
func (tx *Tx) InsertComplaint(ctx context.Context, it *complaint.Item) error {
	args := complaintArgs(it)
	if _, err := tx.Exec(ctx, `INSERT INTO complaints (`+complaintColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return fmt.Errorf("insert complaint: %w", err)
	}
	return nil
}

// UpdateComplaint writes it over the stored version it.Version-1.
func (tx *Tx) UpdateComplaint(ctx context.Context, it *complaint.Item) error {
	args := complaintArgs(it)
	var sets []string
	for _, c := range strings.Split(complaintColumns, ",")[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE complaints SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], it.County, it.ID, it.Version-1)...)
	if err != nil {
		return fmt.Errorf("update complaint: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该事项已被他人修改，请刷新后重试", "the item was changed by someone else; reload and try again")
	}
	return nil
}

// Complaint returns item id of county if its region lies within scope.
func (tx *Tx) Complaint(ctx context.Context, scope region.Code, county string, id int64) (*complaint.Item, error) {
	where, args := scopeClause("", scope)
	it, err := scanComplaint(tx.QueryRow(ctx, `SELECT `+complaintColumns+` FROM complaints WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该事项，或不在您的管辖范围内", "no such item in your scope")
	}
	return it, err
}

// Complaints lists the items of q, by deadline then id.
func (tx *Tx) Complaints(ctx context.Context, q complaint.Query) ([]complaint.Item, error) {
	where, args := statScope("", q.Scope)
	if q.County != "" {
		where, args = where+` AND county = ?`, append(args, q.County)
	}
	switch q.Status {
	case "":
	case complaint.FilterOverdue:
		where, args = where+` AND status = ? AND deadline < ?`, append(args, complaint.StatusOpen, q.Today)
	case complaint.FilterEscalated:
		where, args = where+` AND escalated IS NOT NULL AND status <> ?`, append(args, complaint.StatusClosed)
	default:
		where, args = where+` AND status = ?`, append(args, q.Status)
	}
	if q.Kind != "" {
		where, args = where+` AND kind = ?`, append(args, q.Kind)
	}
	if q.CitizenID != 0 {
		where, args = where+` AND citizen_id = ?`, append(args, q.CitizenID)
	}
	if !q.From.IsZero() {
		where, args = where+` AND received >= ?`, append(args, q.From)
	}
	if !q.To.IsZero() {
		where, args = where+` AND received <= ?`, append(args, q.To)
	}
	limit := ""
	if q.Limit > 0 {
		limit = ` LIMIT ` + strconv.Itoa(q.Limit)
	}
	rows, err := tx.Query(ctx, `SELECT `+complaintColumns+` FROM complaints WHERE `+where+` ORDER BY deadline, county, id`+limit, args...)
	if err != nil {
		return nil, fmt.Errorf("complaints: %w", err)
	}
	defer rows.Close()
	out := []complaint.Item{}
	for rows.Next() {
		it, err := scanComplaint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *it)
	}
	return out, rows.Err()
}

// AddComplaintEvent appends e to the history of item id of county.
func (tx *Tx) AddComplaintEvent(ctx context.Context, county string, id int64, e complaint.Event) error {
	_, err := tx.Exec(ctx, `INSERT INTO complaint_events (county, complaint_id, seq, at, action, user_id, username, name, note)
		SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM complaint_events WHERE county = ? AND complaint_id = ?`,
		county, id, ts(e.At), e.Action, e.UserID, e.Username, e.Name, e.Note, county, id)
	if err != nil {
		return fmt.Errorf("complaint event: %w", err)
	}
	return nil
}

// ComplaintEvents returns the history of item id of county, oldest first.
func (tx *Tx) ComplaintEvents(ctx context.Context, county string, id int64) ([]complaint.Event, error) {
	rows, err := tx.Query(ctx, `SELECT seq, at, action, user_id, username, name, note FROM complaint_events
		WHERE county = ? AND complaint_id = ? ORDER BY seq`, county, id)
	if err != nil {
		return nil, fmt.Errorf("complaint events: %w", err)
	}
	defer rows.Close()
	var out []complaint.Event
	for rows.Next() {
		var e complaint.Event
		var at any
		if err := rows.Scan(&e.Seq, &at, &e.Action, &e.UserID, &e.Username, &e.Name, &e.Note); err != nil {
			return nil, err
		}
		e.At, _ = timeValue(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountComplaints counts the items within scope open past their deadline
// on today, and those escalated to the region to itself, not yet closed
// (the dashboard).
func (tx *Tx) CountComplaints(ctx context.Context, scope region.Code, today date.Date) (overdue, escalated int, err error) {
	where, args := statScope("", scope)
	err = tx.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN status = ? AND deadline < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN escalated_to = ? AND status <> ? THEN 1 ELSE 0 END), 0) FROM complaints WHERE `+where+` AND status <> ?`,
		append([]any{complaint.StatusOpen, today, string(scope), complaint.StatusClosed}, append(args, complaint.StatusClosed)...)...).Scan(&overdue, &escalated)
	return overdue, escalated, err
}
