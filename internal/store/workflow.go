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
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

var _ workflow.Store = (*Tx)(nil)

const caseColumns = `county, id, person_id, spouse_id, program, year, region, state, suspended_from, submitted,
	application, engine, recipient_id, version, created_at, updated_at, intake`

func scanCase(s scanner) (*workflow.Case, error) {
	var c workflow.Case
	var spouse, recipient sql.NullInt64
	var app, engine string
	var created, updated any
	err := s.Scan(&c.County, &c.ID, &c.PersonID, &spouse, &c.Program, &c.Year, &c.Region, &c.State, &c.SuspendedFrom,
		&c.Submitted, &app, &engine, &recipient, &c.Version, &created, &updated, &c.Intake)
	if err != nil {
		return nil, err
	}
	c.SpouseID, c.RecipientID = spouse.Int64, recipient.Int64
	if err := json.Unmarshal([]byte(app), &c.Application); err != nil {
		return nil, fmt.Errorf("case %s/%d application: %w", c.County, c.ID, err)
	}
	if engine != "" {
		c.Engine = new(workflow.EngineDecision)
		if err := json.Unmarshal([]byte(engine), c.Engine); err != nil {
			return nil, fmt.Errorf("case %s/%d engine: %w", c.County, c.ID, err)
		}
	}
	c.CreatedAt, _ = timeValue(created)
	c.UpdatedAt, _ = timeValue(updated)
	return &c, nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

var errCaseNotFound = apperr.NotFoundf("未找到该案件，或不在您的管辖范围内", "no such case in your scope")

// Case returns case id of county if its region lies within scope.
func (tx *Tx) Case(ctx context.Context, scope region.Code, county string, id int64) (*workflow.Case, error) {
	where, args := scopeClause("", scope)
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errCaseNotFound
	}
	return c, err
}

// Cases lists the cases within scope in the given states and region, in
// the order of q.Sort (one of workflow.CaseSortKeys; "" for the day
// submitted) then county and id, q.Offset cases skipped.
func (tx *Tx) Cases(ctx context.Context, scope region.Code, q workflow.CaseQuery) ([]workflow.Case, error) {
	order, err := caseSorts.orderBy(tx.Engine(), q.Sort, q.Desc)
	if err != nil {
		return nil, err
	}
	cond, args, err := tx.caseWhere(ctx, "c.", scope, q)
	if err != nil {
		return nil, err
	}
	from := ` FROM cases c`
	if q.Sort == workflow.CaseSortName {
		from += ` JOIN persons p ON p.county = c.county AND p.id = c.person_id`
	}
	limit := q.Limit
	if limit <= 0 || limit > 5000 {
		limit = 500
	}
	return tx.queryCases(ctx, `SELECT `+prefixed("c.", caseColumns)+from+` WHERE `+cond+
		order+` LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(q.Offset, 0)), args...)
}

// CountCases counts the cases within scope in the given states and region.
func (tx *Tx) CountCases(ctx context.Context, scope region.Code, q workflow.CaseQuery) (int, error) {
	cond, args, err := tx.caseWhere(ctx, "", scope, q)
	if err != nil {
		return 0, err
	}
	var n int
	err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE `+cond, args...).Scan(&n)
	return n, err
}

// caseWhere returns the condition selecting the cases within scope that q
// selects on cases aliased p ("c." or ""), and its arguments.
func (tx *Tx) caseWhere(ctx context.Context, p string, scope region.Code, q workflow.CaseQuery) (string, []any, error) {
	where, args := scopeClause(p, scope)
	conds := []string{where}
	if len(q.States) > 0 {
		conds = append(conds, p+"state IN (?"+strings.Repeat(", ?", len(q.States)-1)+")")
		for _, s := range q.States {
			args = append(args, string(s))
		}
	}
	if q.Region != "" {
		w, a := scopeClause(p, region.Code(q.Region))
		conds = append(conds, w)
		args = append(args, a...)
	}
	if q.Program != "" {
		conds, args = append(conds, p+"program = ?"), append(args, q.Program)
	}
	w, a, err := tx.personsOf(ctx, p, scope, q.Who)
	if err != nil {
		return "", nil, err
	}
	conds, args = append(conds, w), append(args, a...)
	return strings.Join(conds, " AND "), args, nil
}

// InsertCase writes a new case; a second open case of the same person and
// program is a Conflict.
func (tx *Tx) InsertCase(ctx context.Context, c *workflow.Case) error {
	app, err := jsonText(c.Application)
	if err != nil {
		return err
	}
	engine := ""
	if c.Engine != nil {
		if engine, err = jsonText(c.Engine); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO cases (`+caseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.County, c.ID, c.PersonID, nullInt(c.SpouseID), c.Program, c.Year, c.Region, string(c.State), string(c.SuspendedFrom),
		c.Submitted, app, engine, nullInt(c.RecipientID), c.Version, ts(c.CreatedAt), ts(c.UpdatedAt), string(c.Intake))
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, Field: "program", ZH: "该申请人已有该项目正在办理的申请",
			EN: "the applicant already has an open case for this program", Err: err}
	}
	return err
}

// UpdateCase writes the changing fields of c over version c.Version-1.
func (tx *Tx) UpdateCase(ctx context.Context, c *workflow.Case) error {
	engine := ""
	if c.Engine != nil {
		var err error
		if engine, err = jsonText(c.Engine); err != nil {
			return err
		}
	}
	res, err := tx.Exec(ctx, `UPDATE cases SET state = ?, suspended_from = ?, engine = ?, recipient_id = ?, version = ?, updated_at = ?,
		intake = ? WHERE county = ? AND id = ? AND version = ?`,
		string(c.State), string(c.SuspendedFrom), engine, nullInt(c.RecipientID), c.Version, ts(c.UpdatedAt), string(c.Intake),
		c.County, c.ID, c.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该案件已被他人办理，请刷新后重试", "the case was changed by someone else; reload and try again")
	}
	return nil
}

// CasesOfPerson returns every case of the person, oldest first.
func (tx *Tx) CasesOfPerson(ctx context.Context, county string, personID int64) ([]workflow.Case, error) {
	return tx.queryCases(ctx, `SELECT `+caseColumns+` FROM cases WHERE county = ? AND person_id = ? ORDER BY id`, county, personID)
}

// queryCases runs a query selecting caseColumns and scans every row.
func (tx *Tx) queryCases(ctx context.Context, query string, args ...any) ([]workflow.Case, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []workflow.Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// AddStep appends s to its case's history, numbering it.
func (tx *Tx) AddStep(ctx context.Context, s *workflow.StepRecord) error {
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM case_steps WHERE county = ? AND case_id = ?`,
		s.County, s.CaseID).Scan(&s.Seq); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO case_steps (county, case_id, seq, step, from_state, to_state, user_id, username, signer, role,
		signed_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.County, s.CaseID, s.Seq, string(s.Step), string(s.From), string(s.To), s.Signature.UserID, s.Signature.Username,
		s.Signature.Name, string(s.Signature.Role), ts(s.Signature.At), string(s.Detail))
	return err
}

// Steps returns a case's history in order.
func (tx *Tx) Steps(ctx context.Context, county string, caseID int64) ([]workflow.StepRecord, error) {
	rows, err := tx.Query(ctx, `SELECT county, case_id, seq, step, from_state, to_state, user_id, username, signer, role, signed_at, detail
		FROM case_steps WHERE county = ? AND case_id = ? ORDER BY seq`, county, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []workflow.StepRecord{}
	for rows.Next() {
		var s workflow.StepRecord
		var at any
		var detail string
		if err := rows.Scan(&s.County, &s.CaseID, &s.Seq, &s.Step, &s.From, &s.To, &s.Signature.UserID, &s.Signature.Username,
			&s.Signature.Name, &s.Signature.Role, &at, &detail); err != nil {
			return nil, err
		}
		if s.Signature.At, err = timeValue(at); err != nil {
			return nil, err
		}
		s.Detail = json.RawMessage(detail)
		out = append(out, s)
	}
	return out, rows.Err()
}

const noticeColumns = `county, id, case_id, level, region, place, start_date, end_date, status, opened_by, closed_by`

func scanNotice(s scanner) (*workflow.Notice, error) {
	var n workflow.Notice
	var opened, closed string
	if err := s.Scan(&n.County, &n.ID, &n.CaseID, &n.Level, &n.Region, &n.Place, &n.Start, &n.End, &n.Status, &opened, &closed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(opened), &n.OpenedBy); err != nil {
		return nil, err
	}
	if closed != "" {
		n.ClosedBy = new(workflow.Signature)
		if err := json.Unmarshal([]byte(closed), n.ClosedBy); err != nil {
			return nil, err
		}
	}
	n.Objections = []workflow.Objection{}
	return &n, nil
}

func optionalJSON[T any](v *T) (string, error) {
	if v == nil {
		return "", nil
	}
	return jsonText(v)
}

// InsertNotice writes a new notice.
func (tx *Tx) InsertNotice(ctx context.Context, n *workflow.Notice) error {
	opened, err := jsonText(n.OpenedBy)
	if err != nil {
		return err
	}
	closed, err := optionalJSON(n.ClosedBy)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO case_notices (`+noticeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.County, n.ID, n.CaseID, string(n.Level), n.Region, n.Place, n.Start, n.End, n.Status, opened, closed)
	return err
}

// UpdateNotice writes a notice's status and closing signature.
func (tx *Tx) UpdateNotice(ctx context.Context, n *workflow.Notice) error {
	closed, err := optionalJSON(n.ClosedBy)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE case_notices SET status = ?, closed_by = ? WHERE county = ? AND id = ?`, n.Status, closed, n.County, n.ID)
	return err
}

const objectionColumns = `county, id, case_id, notice_id, received, objector, contact, content, status, recorded_by, resolution, resolved_by`

// Notices returns a case's notices with their objections, in order.
func (tx *Tx) Notices(ctx context.Context, county string, caseID int64) ([]workflow.Notice, error) {
	rows, err := tx.Query(ctx, `SELECT `+noticeColumns+` FROM case_notices WHERE county = ? AND case_id = ? ORDER BY id`, county, caseID)
	if err != nil {
		return nil, err
	}
	out := []workflow.Notice{}
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, *n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	orows, err := tx.Query(ctx, `SELECT `+objectionColumns+` FROM case_objections WHERE county = ? AND case_id = ? ORDER BY id`, county, caseID)
	if err != nil {
		return nil, err
	}
	defer orows.Close()
	for orows.Next() {
		var o workflow.Objection
		var recorded, resolution, resolved string
		if err := orows.Scan(&o.County, &o.ID, &o.CaseID, &o.NoticeID, &o.Received, &o.Objector, &o.Contact, &o.Content, &o.Status,
			&recorded, &resolution, &resolved); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(recorded), &o.RecordedBy); err != nil {
			return nil, err
		}
		if resolution != "" {
			o.Resolution = new(workflow.Resolved)
			if err := json.Unmarshal([]byte(resolution), o.Resolution); err != nil {
				return nil, err
			}
		}
		if resolved != "" {
			o.ResolvedBy = new(workflow.Signature)
			if err := json.Unmarshal([]byte(resolved), o.ResolvedBy); err != nil {
				return nil, err
			}
		}
		for i := range out {
			if out[i].ID == o.NoticeID {
				out[i].Objections = append(out[i].Objections, o)
			}
		}
	}
	return out, orows.Err()
}

// NoticeBoard returns the notices of one level and region starting on
// start, with their cases and applicants, in case order.
func (tx *Tx) NoticeBoard(ctx context.Context, county string, level workflow.Level, reg string, start date.Date) ([]workflow.BoardEntry, error) {
	return tx.noticeEntries(ctx, `SELECT `+noticeColumns+` FROM case_notices WHERE county = ? AND level = ? AND region = ? AND start_date = ?
		ORDER BY case_id, id`, county, string(level), reg, start)
}

// NoticeBoards returns the notices of one level starting on start whose
// cases lie within the division within, with their cases and applicants,
// in the order of the regions posting them, then of the cases.
func (tx *Tx) NoticeBoards(ctx context.Context, county string, level workflow.Level, within region.Code, start date.Date) ([]workflow.BoardEntry, error) {
	prefix, ok := within.Prefix()
	if !ok {
		return nil, fmt.Errorf("notice boards: bad division %q", within)
	}
	return tx.noticeEntries(ctx, `SELECT `+prefixed("n.", noticeColumns)+` FROM case_notices n
		JOIN cases c ON c.county = n.county AND c.id = n.case_id
		WHERE n.county = ? AND n.level = ? AND n.start_date = ? AND c.region LIKE ?
		ORDER BY n.region, n.case_id, n.id`, county, string(level), start, prefix+"%")
}

// noticeEntries reads the notices query q selects with their cases and
// applicants.
func (tx *Tx) noticeEntries(ctx context.Context, q string, args ...any) ([]workflow.BoardEntry, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var notices []workflow.Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		notices = append(notices, *n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []workflow.BoardEntry{}
	for _, n := range notices {
		c, err := tx.Case(ctx, "", n.County, n.CaseID)
		if err != nil {
			return nil, err
		}
		p, err := tx.PersonByKey(ctx, "", registry.Key{County: c.County, ID: c.PersonID})
		if err != nil {
			return nil, err
		}
		out = append(out, workflow.BoardEntry{Notice: n, Case: *c, Person: *p})
	}
	return out, nil
}

// InsertObjection writes a new objection.
func (tx *Tx) InsertObjection(ctx context.Context, o *workflow.Objection) error {
	recorded, err := jsonText(o.RecordedBy)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO case_objections (`+objectionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')`,
		o.County, o.ID, o.CaseID, o.NoticeID, o.Received, o.Objector, o.Contact, o.Content, o.Status, recorded)
	return err
}

// UpdateObjection writes an objection's status and resolution.
func (tx *Tx) UpdateObjection(ctx context.Context, o *workflow.Objection) error {
	resolution, err := optionalJSON(o.Resolution)
	if err != nil {
		return err
	}
	resolved, err := optionalJSON(o.ResolvedBy)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE case_objections SET status = ?, resolution = ?, resolved_by = ? WHERE county = ? AND id = ?`,
		o.Status, resolution, resolved, o.County, o.ID)
	return err
}

const recipientColumns = `county, id, person_id, program, tier, region, case_id, confirmed, start_year, start_month, status,
	exit_reason, exit_date, last_month, reviewed_year, version, created_at, updated_at`

func scanRecipient(s scanner) (*roll.Recipient, error) {
	var r roll.Recipient
	var caseID, lastMonth, reviewed sql.NullInt64
	var created, updated any
	if err := s.Scan(&r.County, &r.ID, &r.PersonID, &r.Program, &r.Tier, &r.Region, &caseID, &r.Confirmed, &r.StartYear, &r.StartMonth,
		&r.Status, &r.ExitReason, &r.ExitDate, &lastMonth, &reviewed, &r.Version, &created, &updated); err != nil {
		return nil, err
	}
	r.CaseID, r.LastMonth, r.ReviewedYear = caseID.Int64, int(lastMonth.Int64), int(reviewed.Int64)
	r.CreatedAt, _ = timeValue(created)
	r.UpdatedAt, _ = timeValue(updated)
	return &r, nil
}

func (tx *Tx) recipients(ctx context.Context, where string, args ...any) ([]roll.Recipient, error) {
	return tx.queryRecipients(ctx, `SELECT `+recipientColumns+` FROM recipients WHERE `+where, args...)
}

// queryRecipients runs a query selecting recipientColumns.
func (tx *Tx) queryRecipients(ctx context.Context, query string, args ...any) ([]roll.Recipient, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []roll.Recipient{}
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// Recipient returns recipient id of county if its region lies within scope.
func (tx *Tx) Recipient(ctx context.Context, scope region.Code, county string, id int64) (*roll.Recipient, error) {
	where, args := scopeClause("", scope)
	rs, err := tx.recipients(ctx, `county = ? AND id = ? AND `+where, append([]any{county, id}, args...)...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, apperr.NotFoundf("未找到该扶助对象，或不在您的管辖范围内", "no such recipient in your scope")
	}
	return &rs[0], nil
}

// RecipientsOf returns every roll row of the persons, by person and program.
func (tx *Tx) RecipientsOf(ctx context.Context, county string, personIDs []int64) ([]roll.Recipient, error) {
	if len(personIDs) == 0 {
		return []roll.Recipient{}, nil
	}
	in, args := tx.oneOf(personIDs)
	return tx.recipients(ctx, `county = ? AND person_id `+in+` ORDER BY person_id, program`, append([]any{county}, args...)...)
}

// Roll lists roll rows within scope matching q, in the order of q.Sort
// (one of roll.SortKeys; "" for region) then county, person and
// program. Limit 0 means all, and Offset counts only with a Limit.
func (tx *Tx) Roll(ctx context.Context, scope region.Code, q roll.Query) ([]roll.Recipient, error) {
	order, err := rollSorts.orderBy(tx.Engine(), q.Sort, q.Desc)
	if err != nil {
		return nil, err
	}
	cond, args, err := tx.rollWhere(ctx, "r.", scope, q)
	if err != nil {
		return nil, err
	}
	from := ` FROM recipients r`
	if q.Sort == roll.SortName {
		from += ` JOIN persons p ON p.county = r.county AND p.id = r.person_id`
	}
	tail := order
	if q.Limit > 0 {
		tail += ` LIMIT ` + strconv.Itoa(q.Limit)
		if q.Offset > 0 {
			tail += ` OFFSET ` + strconv.Itoa(q.Offset)
		}
	}
	return tx.queryRecipients(ctx, `SELECT `+prefixed("r.", recipientColumns)+from+` WHERE `+cond+tail, args...)
}

// rollWhere returns the condition selecting the roll rows within scope
// that q selects (its order and paging aside) on recipients aliased p
// ("r." or ""), and its arguments.
func (tx *Tx) rollWhere(ctx context.Context, p string, scope region.Code, q roll.Query) (string, []any, error) {
	where, args := scopeClause(p, scope)
	conds := []string{where}
	if q.Region != "" {
		w, a := scopeClause(p, region.Code(q.Region))
		conds, args = append(conds, w), append(args, a...)
	}
	if q.Program != "" {
		conds, args = append(conds, p+"program = ?"), append(args, q.Program)
	}
	if q.Status != "" {
		conds, args = append(conds, p+"status = ?"), append(args, q.Status)
	}
	w, a, err := tx.personsOf(ctx, p, scope, q.Who)
	if err != nil {
		return "", nil, err
	}
	conds, args = append(conds, w), append(args, a...)
	return strings.Join(conds, " AND "), args, nil
}

// InsertRecipient writes a new roll row.
func (tx *Tx) InsertRecipient(ctx context.Context, r *roll.Recipient) error {
	_, err := tx.Exec(ctx, `INSERT INTO recipients (`+recipientColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.County, r.ID, r.PersonID, r.Program, r.Tier, r.Region, nullInt(r.CaseID), r.Confirmed, r.StartYear, r.StartMonth, r.Status,
		r.ExitReason, r.ExitDate, nullInt(int64(r.LastMonth)), nullInt(int64(r.ReviewedYear)), r.Version, ts(r.CreatedAt), ts(r.UpdatedAt))
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, ZH: "该人员已在该项目名册中", EN: "the person is already on the roll of this program", Err: err}
	}
	return err
}

// UpdateRecipient writes r over version r.Version-1.
func (tx *Tx) UpdateRecipient(ctx context.Context, r *roll.Recipient) error {
	res, err := tx.Exec(ctx, `UPDATE recipients SET tier = ?, region = ?, case_id = ?, confirmed = ?, start_year = ?, start_month = ?,
		status = ?, exit_reason = ?, exit_date = ?, last_month = ?, reviewed_year = ?, version = ?, updated_at = ?
		WHERE county = ? AND id = ? AND version = ?`,
		r.Tier, r.Region, nullInt(r.CaseID), r.Confirmed, r.StartYear, r.StartMonth, r.Status, r.ExitReason, r.ExitDate,
		nullInt(int64(r.LastMonth)), nullInt(int64(r.ReviewedYear)), r.Version, ts(r.UpdatedAt), r.County, r.ID, r.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该扶助对象信息已被他人修改，请刷新后重试", "the recipient was changed by someone else; reload and try again")
	}
	return nil
}

// InsertChange writes a change record.
func (tx *Tx) InsertChange(ctx context.Context, c *roll.Change) error {
	_, err := tx.Exec(ctx, `INSERT INTO recipient_changes (county, id, recipient_id, kind, before, after, effective, reason, evidence,
		user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.County, c.ID, c.RecipientID, c.Kind, c.Before, c.After, c.Effective, c.Reason, c.Evidence, c.UserID, ts(c.CreatedAt))
	return err
}

// Changes returns the change records of the recipients, in order.
func (tx *Tx) Changes(ctx context.Context, county string, recipientIDs []int64) ([]roll.Change, error) {
	out := []roll.Change{}
	if len(recipientIDs) == 0 {
		return out, nil
	}
	in, args := tx.oneOf(recipientIDs)
	rows, err := tx.Query(ctx, `SELECT county, id, recipient_id, kind, before, after, effective, reason, evidence, user_id, created_at
		FROM recipient_changes WHERE county = ? AND recipient_id `+in+` ORDER BY id`, append([]any{county}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c roll.Change
		var created any
		if err := rows.Scan(&c.County, &c.ID, &c.RecipientID, &c.Kind, &c.Before, &c.After, &c.Effective, &c.Reason, &c.Evidence,
			&c.UserID, &created); err != nil {
			return nil, err
		}
		c.CreatedAt, _ = timeValue(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// MarkReviewed records the annual review of year on the recipients, a
// thousand rows per statement.
func (tx *Tx) MarkReviewed(ctx context.Context, county string, ids []int64, year int) error {
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		in, args := tx.oneOf(ids[:n])
		if _, err := tx.Exec(ctx, `UPDATE recipients SET reviewed_year = ?, version = version + 1, updated_at = ?
			WHERE county = ? AND id `+in, append([]any{year, ts(tx.now), county}, args...)...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// InsertAnnualReview records a run of the annual review.
func (tx *Tx) InsertAnnualReview(ctx context.Context, r *workflow.AnnualReview) error {
	changed, err := jsonText(r.Changed)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO annual_reviews (county, id, region, year, user_id, run_at, reviewed, confirmed, changed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.County, r.ID, r.Region, r.Year, r.UserID, ts(r.At), r.Reviewed, r.Confirmed, changed)
	return err
}

// Param returns the value of the workflow parameter name set for the
// longest division prefix of code, or "".
func (tx *Tx) Param(ctx context.Context, code region.Code, name string) (string, error) {
	p, _ := code.Prefix()
	prefixes := []any{name, ""}
	for _, n := range []int{2, 4, 6} {
		if len(p) >= n {
			prefixes = append(prefixes, p[:n])
		}
	}
	rows, err := tx.Query(ctx, `SELECT region, value FROM workflow_params WHERE name = ? AND region IN (?`+
		strings.Repeat(", ?", len(prefixes)-2)+`)`, prefixes...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	best, value := -1, ""
	for rows.Next() {
		var reg, v string
		if err := rows.Scan(&reg, &v); err != nil {
			return "", err
		}
		if len(reg) > best {
			best, value = len(reg), v
		}
	}
	return value, rows.Err()
}

// SetParam sets a workflow parameter for a division prefix.
func (tx *Tx) SetParam(ctx context.Context, regionPrefix, name, value string) error {
	_, err := tx.Exec(ctx, `INSERT INTO workflow_params (region, name, value) VALUES (?, ?, ?)
		ON CONFLICT (region, name) DO UPDATE SET value = excluded.value`, regionPrefix, name, value)
	return err
}

// Override is a review signed against the policy engine's decision, with
// its case, as the supervisor's list of overrides shows it.
type Override struct {
	Step     workflow.StepRecord
	Case     workflow.Case
	Person   string // the applicant's name
	IDNumber string
}

// Overrides returns the reviews within scope signed against the engine's
// decision, newest first, at most limit.
func (tx *Tx) Overrides(ctx context.Context, scope region.Code, limit int) ([]Override, error) {
	where, args := scopeClause("c.", scope)
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := tx.Query(ctx, `SELECT s.county, s.case_id, s.seq, s.step, s.from_state, s.to_state, s.user_id, s.username, s.signer,
		s.role, s.signed_at, s.detail, `+prefixed("c.", caseColumns)+`, p.name, p.id_number
		FROM case_steps s JOIN cases c ON c.county = s.county AND c.id = s.case_id
		JOIN persons p ON p.county = c.county AND p.id = c.person_id
		WHERE s.step IN ('township_review', 'county_approval') AND s.detail LIKE '%"override":true%' AND `+where+`
		ORDER BY s.signed_at DESC, s.county, s.case_id LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	defer rows.Close()
	var out []Override
	for rows.Next() {
		var o Override
		var signed any
		var detail string
		dest := []any{&o.Step.County, &o.Step.CaseID, &o.Step.Seq, &o.Step.Step, &o.Step.From, &o.Step.To,
			&o.Step.Signature.UserID, &o.Step.Signature.Username, &o.Step.Signature.Name, &o.Step.Signature.Role, &signed, &detail}
		c, err := scanCase(scanFunc(func(caseDest ...any) error {
			return rows.Scan(append(append(dest, caseDest...), &o.Person, &o.IDNumber)...)
		}))
		if err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
		o.Case = *c
		if o.IDNumber, err = tx.openIDNumber(c.County, c.PersonID, o.IDNumber); err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
		o.Step.Detail = json.RawMessage(detail)
		o.Step.Signature.At, _ = timeValue(signed)
		out = append(out, o)
	}
	return out, rows.Err()
}

// scanFunc adapts a scan function to the scanner interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
