package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

var _ childcare.Store = (*Tx)(nil)

// NextFilingNo returns the next number of the county's childcare filings
// of year.
func (tx *Tx) NextFilingNo(ctx context.Context, county string, year int) (int, error) {
	return tx.nextSerial(ctx, county, serialChildcare, year)
}

const institutionColumns = `county, id, filing_no, name, credit_code, operator, reg_type, type, inclusive, places, places_infant,
	places_toddler, places_older, region, address, area, outdoor_area, fire_safety, fire_doc, fire_date, staff, filed, phone, status,
	closed, close_reason, last_inspection, created_by, version, created_at, updated_at`

func scanInstitution(s scanner) (*childcare.Institution, error) {
	var x childcare.Institution
	var staff string
	var created, updated any
	err := s.Scan(&x.County, &x.ID, &x.FilingNo, &x.Name, &x.CreditCode, &x.Operator, &x.RegType, &x.Type, &x.Inclusive, &x.Places,
		&x.PlacesInfant, &x.PlacesToddler, &x.PlacesOlder, &x.Region, &x.Address, &x.Area, &x.OutdoorArea, &x.FireSafety, &x.FireDoc,
		&x.FireDate, &staff, &x.Filed, &x.Phone, &x.Status, &x.Closed, &x.CloseReason, &x.LastInspection, &x.CreatedBy, &x.Version,
		&created, &updated)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(staff), &x.Staff); err != nil {
		return nil, fmt.Errorf("childcare institution %s/%d staff: %w", x.County, x.ID, err)
	}
	x.CreatedAt, _ = timeValue(created)
	x.UpdatedAt, _ = timeValue(updated)
	return &x, nil
}

func institutionArgs(x *childcare.Institution) ([]any, error) {
	staff, err := jsonText(x.Staff)
	if err != nil {
		return nil, err
	}
	return []any{x.County, x.ID, x.FilingNo, x.Name, x.CreditCode, x.Operator, x.RegType, x.Type, x.Inclusive, x.Places,
		x.PlacesInfant, x.PlacesToddler, x.PlacesOlder, x.Region, x.Address, x.Area, x.OutdoorArea, x.FireSafety, x.FireDoc,
		x.FireDate, staff, x.Filed, x.Phone, x.Status, x.Closed, x.CloseReason, x.LastInspection, x.CreatedBy, x.Version,
		ts(x.CreatedAt), ts(x.UpdatedAt)}, nil
}

// InsertInstitution writes a new filing.
func (tx *Tx) InsertInstitution(ctx context.Context, x *childcare.Institution) error {
	args, err := institutionArgs(x)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO childcare_institutions (`+institutionColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return fmt.Errorf("insert childcare institution %s: %w", x.FilingNo, err)
	}
	return nil
}

// UpdateInstitution writes x over the stored version x.Version-1.
func (tx *Tx) UpdateInstitution(ctx context.Context, x *childcare.Institution) error {
	args, err := institutionArgs(x)
	if err != nil {
		return err
	}
	var sets []string
	for _, c := range strings.Split(institutionColumns, ",")[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE childcare_institutions SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], x.County, x.ID, x.Version-1)...)
	if err != nil {
		return fmt.Errorf("update childcare institution %s: %w", x.FilingNo, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该备案已被他人修改，请刷新后重试", "the filing was changed by someone else; reload and try again")
	}
	return nil
}

var errInstitutionNotFound = apperr.NotFoundf("未找到该托育机构，或不在您的管辖范围内", "no such childcare institution in your scope")

// Institution returns filing id of county if its region lies within scope.
func (tx *Tx) Institution(ctx context.Context, scope region.Code, county string, id int64) (*childcare.Institution, error) {
	where, args := scopeClause("", scope)
	x, err := scanInstitution(tx.QueryRow(ctx, `SELECT `+institutionColumns+` FROM childcare_institutions WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errInstitutionNotFound
	}
	return x, err
}

func institutionWhere(scope region.Code, county string, q childcare.Query) (string, []any) {
	where, args := scopeClause("", scope)
	conds := []string{where}
	if county != "" {
		conds, args = append(conds, "county = ?"), append(args, county)
	}
	if q.Region != "" {
		w, a := scopeClause("", region.Code(q.Region))
		conds, args = append(conds, w), append(args, a...)
	}
	if q.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, q.Status)
	}
	if q.Type != "" {
		conds, args = append(conds, "type = ?"), append(args, q.Type)
	}
	if q.Inclusive != nil {
		conds, args = append(conds, "inclusive = ?"), append(args, *q.Inclusive)
	}
	return strings.Join(conds, " AND "), args
}

// Institutions lists the filings within scope that q selects, by region
// and number.
func (tx *Tx) Institutions(ctx context.Context, scope region.Code, county string, q childcare.Query) ([]childcare.Institution, error) {
	where, args := institutionWhere(scope, county, q)
	tail := ` ORDER BY region, filing_no`
	if q.Limit > 0 {
		tail += ` LIMIT ` + strconv.Itoa(q.Limit) + ` OFFSET ` + strconv.Itoa(max(q.Offset, 0))
	}
	rows, err := tx.Query(ctx, `SELECT `+institutionColumns+` FROM childcare_institutions WHERE `+where+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("list childcare institutions: %w", err)
	}
	defer rows.Close()
	out := []childcare.Institution{}
	for rows.Next() {
		x, err := scanInstitution(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, rows.Err()
}

// CountInstitutions counts the filings within scope that q selects.
func (tx *Tx) CountInstitutions(ctx context.Context, scope region.Code, county string, q childcare.Query) (int, error) {
	where, args := institutionWhere(scope, county, q)
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM childcare_institutions WHERE `+where, args...).Scan(&n)
	return n, err
}

// InsertInstitutionChange writes a change record of a filing.
func (tx *Tx) InsertInstitutionChange(ctx context.Context, c *childcare.Change) error {
	fields, err := jsonText(c.Fields)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO childcare_changes (county, id, institution_id, kind, fields, before, after, effective, reason, user_id,
		created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.County, c.ID, c.InstitutionID, c.Kind, fields, c.Before, c.After, c.Effective, c.Reason, c.UserID, ts(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert childcare change: %w", err)
	}
	return nil
}

// InstitutionChanges returns the change records of filing id, in order.
func (tx *Tx) InstitutionChanges(ctx context.Context, county string, id int64) ([]childcare.Change, error) {
	rows, err := tx.Query(ctx, `SELECT county, id, institution_id, kind, fields, before, after, effective, reason, user_id, created_at
		FROM childcare_changes WHERE county = ? AND institution_id = ? ORDER BY id`, county, id)
	if err != nil {
		return nil, fmt.Errorf("childcare changes: %w", err)
	}
	defer rows.Close()
	out := []childcare.Change{}
	for rows.Next() {
		var c childcare.Change
		var fields string
		var created any
		if err := rows.Scan(&c.County, &c.ID, &c.InstitutionID, &c.Kind, &fields, &c.Before, &c.After, &c.Effective, &c.Reason,
			&c.UserID, &created); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
			return nil, err
		}
		c.CreatedAt, _ = timeValue(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

const inspectionColumns = `county, id, institution_id, region, inspected, kind, inspectors, findings, grade, rectify, requirement,
	deadline, checked_on, checkers, check_passed, check_note, status, recorded_by, version, created_at, updated_at`

func scanInspection(s scanner) (*childcare.Inspection, error) {
	var x childcare.Inspection
	var inspectors, checkers string
	var created, updated any
	err := s.Scan(&x.County, &x.ID, &x.InstitutionID, &x.Region, &x.Date, &x.Kind, &inspectors, &x.Findings, &x.Grade, &x.Rectify,
		&x.Requirement, &x.Deadline, &x.CheckedOn, &checkers, &x.CheckPassed, &x.CheckNote, &x.Status, &x.RecordedBy, &x.Version,
		&created, &updated)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(inspectors), &x.Inspectors); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(checkers), &x.Checkers); err != nil {
		return nil, err
	}
	x.CreatedAt, _ = timeValue(created)
	x.UpdatedAt, _ = timeValue(updated)
	return &x, nil
}

func inspectionArgs(x *childcare.Inspection) ([]any, error) {
	inspectors, err := jsonText(x.Inspectors)
	if err != nil {
		return nil, err
	}
	checkers := "[]"
	if len(x.Checkers) > 0 {
		if checkers, err = jsonText(x.Checkers); err != nil {
			return nil, err
		}
	}
	return []any{x.County, x.ID, x.InstitutionID, x.Region, x.Date, x.Kind, inspectors, x.Findings, x.Grade, x.Rectify,
		x.Requirement, x.Deadline, x.CheckedOn, checkers, x.CheckPassed, x.CheckNote, x.Status, x.RecordedBy, x.Version,
		ts(x.CreatedAt), ts(x.UpdatedAt)}, nil
}

// InsertInspection writes an inspection record.
func (tx *Tx) InsertInspection(ctx context.Context, x *childcare.Inspection) error {
	args, err := inspectionArgs(x)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO childcare_inspections (`+inspectionColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return fmt.Errorf("insert childcare inspection: %w", err)
	}
	return nil
}

// UpdateInspection writes x over the stored version x.Version-1.
func (tx *Tx) UpdateInspection(ctx context.Context, x *childcare.Inspection) error {
	args, err := inspectionArgs(x)
	if err != nil {
		return err
	}
	var sets []string
	for _, c := range strings.Split(inspectionColumns, ",")[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE childcare_inspections SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], x.County, x.ID, x.Version-1)...)
	if err != nil {
		return fmt.Errorf("update childcare inspection %s/%d: %w", x.County, x.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该检查记录已被他人修改，请刷新后重试", "the inspection was changed by someone else; reload and try again")
	}
	return nil
}

// Inspection returns inspection id of county if its region lies within
// scope.
func (tx *Tx) Inspection(ctx context.Context, scope region.Code, county string, id int64) (*childcare.Inspection, error) {
	where, args := scopeClause("", scope)
	x, err := scanInspection(tx.QueryRow(ctx, `SELECT `+inspectionColumns+` FROM childcare_inspections WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该检查记录，或不在您的管辖范围内", "no such inspection in your scope")
	}
	return x, err
}

func (tx *Tx) queryInspections(ctx context.Context, query string, args ...any) ([]childcare.Inspection, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("childcare inspections: %w", err)
	}
	defer rows.Close()
	out := []childcare.Inspection{}
	for rows.Next() {
		x, err := scanInspection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, rows.Err()
}

// Inspections returns the inspections of an institution, newest first.
func (tx *Tx) Inspections(ctx context.Context, county string, institution int64) ([]childcare.Inspection, error) {
	return tx.queryInspections(ctx, `SELECT `+inspectionColumns+` FROM childcare_inspections WHERE county = ? AND institution_id = ?
		ORDER BY inspected DESC, id DESC`, county, institution)
}

// OpenInspections lists the inspections within scope whose rectification
// is not checked yet, oldest deadline first.
func (tx *Tx) OpenInspections(ctx context.Context, scope region.Code, county string) ([]childcare.Inspection, error) {
	where, args := scopeClause("", scope)
	return tx.queryInspections(ctx, `SELECT `+inspectionColumns+` FROM childcare_inspections WHERE county = ? AND status = 'rectifying' AND `+
		where+` ORDER BY deadline, id`, append([]any{county}, args...)...)
}

// Population returns the persons of the county's registry alive and born
// on day d, by township (the first nine digits of their hukou division).
func (tx *Tx) Population(ctx context.Context, county string, d date.Date) (map[string]int, error) {
	rows, err := tx.Query(ctx, `SELECT substr(region, 1, 9), COUNT(*) FROM persons WHERE county = ? AND birth <= ? AND (death IS NULL OR death > ?)
		GROUP BY substr(region, 1, 9)`, county, d, d)
	if err != nil {
		return nil, fmt.Errorf("population of %s: %w", county, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] += n
	}
	return out, rows.Err()
}

// FiledPlaces returns the places of the county's institutions filed on or
// before d and not closed by then, by township.
func (tx *Tx) FiledPlaces(ctx context.Context, county string, d date.Date) (map[string]childcare.Places, error) {
	rows, err := tx.Query(ctx, `SELECT substr(region, 1, 9), COUNT(*), SUM(places), SUM(CASE WHEN inclusive THEN places ELSE 0 END)
		FROM childcare_institutions WHERE county = ? AND filed <= ? AND (closed IS NULL OR closed > ?)
		GROUP BY substr(region, 1, 9)`, county, d, d)
	if err != nil {
		return nil, fmt.Errorf("childcare places of %s: %w", county, err)
	}
	defer rows.Close()
	out := map[string]childcare.Places{}
	for rows.Next() {
		var t string
		var p childcare.Places
		if err := rows.Scan(&t, &p.Institutions, &p.Places, &p.Inclusive); err != nil {
			return nil, err
		}
		out[t] = p
	}
	return out, rows.Err()
}
