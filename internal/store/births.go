package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

var _ birth.Store = (*Tx)(nil)

// Serial kinds: the sequences the serials table keeps per county and
// year.
const (
	serialBirth     = "birth_registration"
	serialChildcare = "childcare_filing"
)

// nextSerial returns the next number of the county's sequence kind in
// year, from 1. The county's writes run one after another (LockChain), so
// the numbers have no gaps.
func (tx *Tx) nextSerial(ctx context.Context, county, kind string, year int) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `INSERT INTO serials (county, kind, year, next) VALUES (?, ?, ?, 2)
		ON CONFLICT (county, kind, year) DO UPDATE SET next = serials.next + 1 RETURNING next`, county, kind, year).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next serial %s %s %d: %w", county, kind, year, err)
	}
	return n - 1, nil
}

// NextSerial returns the next number of the county's birth registrations
// of year.
func (tx *Tx) NextSerial(ctx context.Context, county string, year int) (int, error) {
	return tx.nextSerial(ctx, county, serialBirth, year)
}

const registrationColumns = `county, id, serial, code, region, mother_id, father_id, applicant_id, channel, registered, expected,
	expecting, parity, statistical, policy_status, in_policy, approval_id, decision, status, phone, note, born, hospital, cert_no,
	hospital_birth, source, children, cancel_reason, cancel_note, cancelled, created_by, version, created_at, updated_at`

func scanRegistration(s scanner) (*birth.Registration, error) {
	var r birth.Registration
	var mother, father, approval sql.NullInt64
	var decision, children string
	var created, updated any
	err := s.Scan(&r.County, &r.ID, &r.Serial, &r.Code, &r.Region, &mother, &father, &r.Applicant, &r.Channel, &r.Registered,
		&r.Expected, &r.Expecting, &r.Parity, &r.Statistical, &r.PolicyStatus, &r.InPolicy, &approval, &decision, &r.Status,
		&r.Phone, &r.Note, &r.Born, &r.Hospital, &r.CertNo, &r.HospitalBirth, &r.Source, &children, &r.CancelReason,
		&r.CancelNote, &r.Cancelled, &r.CreatedBy, &r.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	r.Mother, r.Father, r.ApprovalID = mother.Int64, father.Int64, approval.Int64
	if decision != "" {
		if err := json.Unmarshal([]byte(decision), &r.Decision); err != nil {
			return nil, fmt.Errorf("birth registration %s/%d decision: %w", r.County, r.ID, err)
		}
	}
	if children != "" {
		if err := json.Unmarshal([]byte(children), &r.Children); err != nil {
			return nil, fmt.Errorf("birth registration %s/%d children: %w", r.County, r.ID, err)
		}
	}
	r.CreatedAt, _ = timeValue(created)
	r.UpdatedAt, _ = timeValue(updated)
	return &r, nil
}

// registrationArgs returns the values of registrationColumns of r.
func registrationArgs(r *birth.Registration) ([]any, error) {
	decision := ""
	if r.Decision != nil {
		b, err := json.Marshal(r.Decision)
		if err != nil {
			return nil, err
		}
		decision = string(b)
	}
	children := ""
	if len(r.Children) > 0 {
		b, err := json.Marshal(r.Children)
		if err != nil {
			return nil, err
		}
		children = string(b)
	}
	return []any{r.County, r.ID, r.Serial, r.Code, r.Region, nullInt(r.Mother), nullInt(r.Father), r.Applicant, r.Channel, r.Registered,
		r.Expected, r.Expecting, r.Parity, r.Statistical, r.PolicyStatus, r.InPolicy, nullInt(r.ApprovalID), decision, r.Status,
		r.Phone, r.Note, r.Born, r.Hospital, r.CertNo, r.HospitalBirth, r.Source, children, r.CancelReason, r.CancelNote, r.Cancelled,
		r.CreatedBy, r.Version, ts(r.CreatedAt), ts(r.UpdatedAt)}, nil
}

// InsertRegistration writes a new birth registration.
func (tx *Tx) InsertRegistration(ctx context.Context, r *birth.Registration) error {
	args, err := registrationArgs(r)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO birth_registrations (`+registrationColumns+`) VALUES (`+placeholders(len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("insert birth registration %s: %w", r.Serial, err)
	}
	return nil
}

// UpdateRegistration writes r over the stored version r.Version-1.
func (tx *Tx) UpdateRegistration(ctx context.Context, r *birth.Registration) error {
	args, err := registrationArgs(r)
	if err != nil {
		return err
	}
	cols := strings.Split(registrationColumns, ",")
	var sets []string
	for _, c := range cols[2:] { // not county and id
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE birth_registrations SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], r.County, r.ID, r.Version-1)...)
	if err != nil {
		return fmt.Errorf("update birth registration %s: %w", r.Serial, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该生育登记已被他人修改，请刷新后重试", "the registration was changed by someone else; reload and try again")
	}
	return nil
}

var errRegistrationNotFound = apperr.NotFoundf("未找到该生育登记，或不在您的管辖范围内", "no such birth registration in your scope")

// Registration returns registration id of county if its region lies
// within scope.
func (tx *Tx) Registration(ctx context.Context, scope region.Code, county string, id int64) (*birth.Registration, error) {
	where, args := scopeClause("", scope)
	r, err := scanRegistration(tx.QueryRow(ctx, `SELECT `+registrationColumns+` FROM birth_registrations WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRegistrationNotFound
	}
	return r, err
}

// RegistrationBySerial returns the registration of a slip number.
func (tx *Tx) RegistrationBySerial(ctx context.Context, serial string) (*birth.Registration, error) {
	r, err := scanRegistration(tx.QueryRow(ctx, `SELECT `+registrationColumns+` FROM birth_registrations WHERE serial = ?`, serial))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRegistrationNotFound
	}
	return r, err
}

// registrationWhere returns the condition selecting the registrations
// within scope (and of county, when given) that q selects.
func registrationWhere(scope region.Code, county string, q birth.Query) (string, []any) {
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
	if q.Year != 0 {
		conds, args = append(conds, "registered >= ? AND registered <= ?"), append(args, date.Of(q.Year, 1, 1), date.Of(q.Year, 12, 31))
	}
	if q.Parity != 0 {
		conds, args = append(conds, "parity = ?"), append(args, q.Parity)
	}
	if q.Person != 0 {
		conds, args = append(conds, "(mother_id = ? OR father_id = ?)"), append(args, q.Person, q.Person)
	}
	return strings.Join(conds, " AND "), args
}

// Registrations lists the registrations within scope that q selects,
// newest first.
func (tx *Tx) Registrations(ctx context.Context, scope region.Code, county string, q birth.Query) ([]birth.Registration, error) {
	where, args := registrationWhere(scope, county, q)
	tail := ` ORDER BY registered DESC, county, id DESC`
	if q.Limit > 0 {
		tail += ` LIMIT ` + strconv.Itoa(q.Limit) + ` OFFSET ` + strconv.Itoa(max(q.Offset, 0))
	}
	rows, err := tx.Query(ctx, `SELECT `+registrationColumns+` FROM birth_registrations WHERE `+where+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("list birth registrations: %w", err)
	}
	defer rows.Close()
	out := []birth.Registration{}
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// CountRegistrations counts the registrations within scope that q selects.
func (tx *Tx) CountRegistrations(ctx context.Context, scope region.Code, county string, q birth.Query) (int, error) {
	where, args := registrationWhere(scope, county, q)
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM birth_registrations WHERE `+where, args...).Scan(&n)
	return n, err
}

const approvalColumns = `county, id, person_id, spouse_id, kind, parity, number, issued, issuer, note, recorded_by, created_at`

// InsertApproval writes a birth approval.
func (tx *Tx) InsertApproval(ctx context.Context, a *birth.Approval) error {
	_, err := tx.Exec(ctx, `INSERT INTO birth_approvals (`+approvalColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.County, a.ID, a.Person, nullInt(a.Spouse), a.Kind, a.Parity, a.Number, a.Issued, a.Issuer, a.Note, a.RecordedBy, ts(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert birth approval: %w", err)
	}
	return nil
}

// Approvals returns the approvals held by or naming the persons, oldest
// first.
func (tx *Tx) Approvals(ctx context.Context, county string, persons []int64) ([]birth.Approval, error) {
	var ids []int64
	for _, id := range persons {
		if id != 0 {
			ids = append(ids, id)
		}
	}
	out := []birth.Approval{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := tx.oneOf(ids)
	rows, err := tx.Query(ctx, `SELECT `+approvalColumns+` FROM birth_approvals WHERE county = ? AND (person_id `+in+` OR spouse_id `+in+`)
		ORDER BY issued, id`, slices.Concat([]any{county}, args, args)...)
	if err != nil {
		return nil, fmt.Errorf("birth approvals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a birth.Approval
		var spouse sql.NullInt64
		var created any
		if err := rows.Scan(&a.County, &a.ID, &a.Person, &spouse, &a.Kind, &a.Parity, &a.Number, &a.Issued, &a.Issuer, &a.Note,
			&a.RecordedBy, &created); err != nil {
			return nil, err
		}
		a.Spouse = spouse.Int64
		a.CreatedAt, _ = timeValue(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

const claimColumns = `county, id, child_id, applicant_id, relation, region, year, filed, channel, phone, status, engine, taken_by,
	checked, checked_by, checked_name, check_note, decided, decided_by, decided_name, decide_note, recipient_id, version,
	created_at, updated_at`

func scanClaim(s scanner) (*birth.Claim, error) {
	var c birth.Claim
	var engine string
	var taken, checkedBy, decidedBy, recipient sql.NullInt64
	var created, updated any
	err := s.Scan(&c.County, &c.ID, &c.Child, &c.Applicant, &c.Relation, &c.Region, &c.Year, &c.Filed, &c.Channel, &c.Phone,
		&c.Status, &engine, &taken, &c.Checked, &checkedBy, &c.CheckedName, &c.CheckNote, &c.Decided, &decidedBy,
		&c.DecidedName, &c.DecideNote, &recipient, &c.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.TakenBy, c.CheckedBy, c.DecidedBy, c.RecipientID = taken.Int64, checkedBy.Int64, decidedBy.Int64, recipient.Int64
	if engine != "" {
		c.Engine = new(birth.ClaimDecision)
		if err := json.Unmarshal([]byte(engine), c.Engine); err != nil {
			return nil, fmt.Errorf("subsidy claim %s/%d engine: %w", c.County, c.ID, err)
		}
	}
	c.CreatedAt, _ = timeValue(created)
	c.UpdatedAt, _ = timeValue(updated)
	return &c, nil
}

func claimArgs(c *birth.Claim) ([]any, error) {
	engine := ""
	if c.Engine != nil {
		b, err := json.Marshal(c.Engine)
		if err != nil {
			return nil, err
		}
		engine = string(b)
	}
	return []any{c.County, c.ID, c.Child, c.Applicant, c.Relation, c.Region, c.Year, c.Filed, c.Channel, c.Phone, c.Status, engine,
		nullInt(c.TakenBy), c.Checked, nullInt(c.CheckedBy), c.CheckedName, c.CheckNote, c.Decided, nullInt(c.DecidedBy),
		c.DecidedName, c.DecideNote, nullInt(c.RecipientID), c.Version, ts(c.CreatedAt), ts(c.UpdatedAt)}, nil
}

// InsertClaim writes a new subsidy claim; a second claim in progress for
// the child is a Conflict.
func (tx *Tx) InsertClaim(ctx context.Context, c *birth.Claim) error {
	args, err := claimArgs(c)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO subsidy_claims (`+claimColumns+`) VALUES (`+placeholders(len(args))+`)`, args...)
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, Field: "child_id", ZH: "该婴幼儿已有正在办理的育儿补贴申请", EN: "the child has a claim in progress", Err: err}
	}
	if err != nil {
		return fmt.Errorf("insert subsidy claim: %w", err)
	}
	return nil
}

// UpdateClaim writes c over the stored version c.Version-1.
func (tx *Tx) UpdateClaim(ctx context.Context, c *birth.Claim) error {
	args, err := claimArgs(c)
	if err != nil {
		return err
	}
	var sets []string
	for _, col := range strings.Split(claimColumns, ",")[2:] {
		sets = append(sets, strings.TrimSpace(col)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE subsidy_claims SET `+strings.Join(sets, ", ")+` WHERE county = ? AND id = ? AND version = ?`,
		append(args[2:], c.County, c.ID, c.Version-1)...)
	if err != nil {
		return fmt.Errorf("update subsidy claim %s/%d: %w", c.County, c.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该申请已被他人处理，请刷新后重试", "the claim was changed by someone else; reload and try again")
	}
	return nil
}

var errClaimNotFound = apperr.NotFoundf("未找到该申请，或不在您的管辖范围内", "no such claim in your scope")

// Claim returns claim id of county if its region lies within scope.
func (tx *Tx) Claim(ctx context.Context, scope region.Code, county string, id int64) (*birth.Claim, error) {
	where, args := scopeClause("", scope)
	c, err := scanClaim(tx.QueryRow(ctx, `SELECT `+claimColumns+` FROM subsidy_claims WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errClaimNotFound
	}
	return c, err
}

func claimWhere(scope region.Code, county string, q birth.ClaimQuery) (string, []any) {
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
	if q.Year != 0 {
		conds, args = append(conds, "year = ?"), append(args, q.Year)
	}
	if q.Applicant != 0 {
		conds, args = append(conds, "applicant_id = ?"), append(args, q.Applicant)
	}
	return strings.Join(conds, " AND "), args
}

func (tx *Tx) queryClaims(ctx context.Context, query string, args ...any) ([]birth.Claim, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list subsidy claims: %w", err)
	}
	defer rows.Close()
	out := []birth.Claim{}
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, rows.Err()
}

// Claims lists the claims within scope that q selects, oldest first.
func (tx *Tx) Claims(ctx context.Context, scope region.Code, county string, q birth.ClaimQuery) ([]birth.Claim, error) {
	where, args := claimWhere(scope, county, q)
	tail := ` ORDER BY filed, county, id`
	if q.Limit > 0 {
		tail += ` LIMIT ` + strconv.Itoa(q.Limit) + ` OFFSET ` + strconv.Itoa(max(q.Offset, 0))
	}
	return tx.queryClaims(ctx, `SELECT `+claimColumns+` FROM subsidy_claims WHERE `+where+tail, args...)
}

// CountClaims counts the claims within scope that q selects.
func (tx *Tx) CountClaims(ctx context.Context, scope region.Code, county string, q birth.ClaimQuery) (int, error) {
	where, args := claimWhere(scope, county, q)
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM subsidy_claims WHERE `+where, args...).Scan(&n)
	return n, err
}

// ClaimsOfChild returns every claim for the child, oldest first.
func (tx *Tx) ClaimsOfChild(ctx context.Context, county string, child int64) ([]birth.Claim, error) {
	return tx.queryClaims(ctx, `SELECT `+claimColumns+` FROM subsidy_claims WHERE county = ? AND child_id = ? ORDER BY filed, id`, county, child)
}
