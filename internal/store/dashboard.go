package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The read-only summaries of the staff pages: the dashboard's counts and
// sums, the notice board, the runs of the annual review, and a person's
// marriages and certificates with their ids (which the forms that end or
// cancel them name). Every query is limited to a region scope; the caller
// checks the actor's permission.

// RollCount is the number of roll rows of one program in one status.
type RollCount struct {
	Program string
	Status  string
	N       int
}

// RollCounts counts the roll rows within scope by program and status,
// ordered by program and status.
func (tx *Tx) RollCounts(ctx context.Context, scope region.Code) ([]RollCount, error) {
	where, args := scopeClause("", scope)
	rows, err := tx.Query(ctx, `SELECT program, status, COUNT(*) FROM recipients WHERE `+where+`
		GROUP BY program, status ORDER BY program, status`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RollCount{}
	for rows.Next() {
		var c RollCount
		if err := rows.Scan(&c.Program, &c.Status, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RollTotal counts the roll rows within scope that q selects (q.Limit is
// ignored): the length of the list workflow.Roll pages through.
func (tx *Tx) RollTotal(ctx context.Context, scope region.Code, q roll.Query) (int, error) {
	cond, args, err := tx.rollWhere(ctx, "", scope, q)
	if err != nil {
		return 0, err
	}
	var n int
	err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM recipients WHERE `+cond, args...).Scan(&n)
	return n, err
}

// FundsRow is what the bank paid for one program in a year: the persons
// paid and the money by paying level (policy.FundingLevels order).
type FundsRow struct {
	Program string
	Persons int
	Amount  money.Fen
	Split   payment.Split
}

// FundsByProgram sums the payment ledger within scope for year by
// program: the lines the bank paid in that year, as payment.GetLedger
// counts them, ordered by program.
func (tx *Tx) FundsByProgram(ctx context.Context, scope region.Code, year int) ([]FundsRow, error) {
	where, args := scopeClause("", scope)
	args = append(args, string(payment.Paid), date.Of(year, 1, 1), date.Of(year, 12, 31))
	rows, err := tx.Query(ctx, `SELECT program, COUNT(DISTINCT person_id), SUM(amount_fen), SUM(central_fen), SUM(province_fen),
		SUM(city_fen), SUM(county_fen) FROM payment_lines WHERE `+where+` AND status = ? AND paid_on >= ? AND paid_on <= ?
		GROUP BY program ORDER BY program`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FundsRow{}
	for rows.Next() {
		var r FundsRow
		var v [5]int64
		if err := rows.Scan(&r.Program, &r.Persons, &v[0], &v[1], &v[2], &v[3], &v[4]); err != nil {
			return nil, err
		}
		r.Amount = money.Fen(v[0])
		for i := range r.Split {
			r.Split[i] = money.Fen(v[i+1])
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// NoticeQuery selects notices for the notice board.
type NoticeQuery struct {
	Status string // workflow.NoticeOpen, workflow.NoticeClosed or "" for both
	Level  workflow.Level
	Limit  int // default 50, at most 1000
	Offset int
}

// NoticeRow is one notice on the board, with its case, the applicant and
// the number of objections still pending.
type NoticeRow struct {
	Notice   workflow.Notice
	Program  string
	State    workflow.State
	Person   registry.Key
	Name     string
	IDNumber string
	Pending  int
}

// NoticeList lists the notices of the cases within scope (a notice is in
// scope when its case is, so a village sees the township and county
// notices of its own applicants) and their total. Running notices come
// first, the soonest to end first; then closed ones, the latest first.
func (tx *Tx) NoticeList(ctx context.Context, scope region.Code, q NoticeQuery) ([]NoticeRow, int, error) {
	where, args := scopeClause("c.", scope)
	conds := []string{where}
	if q.Status != "" {
		conds, args = append(conds, "n.status = ?"), append(args, q.Status)
	}
	if q.Level != "" {
		conds, args = append(conds, "n.level = ?"), append(args, string(q.Level))
	}
	from := ` FROM case_notices n JOIN cases c ON c.county = n.county AND c.id = n.case_id
		JOIN persons p ON p.county = c.county AND p.id = c.person_id WHERE ` + strings.Join(conds, " AND ")
	var total int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := tx.Query(ctx, `SELECT n.county, n.id, n.case_id, n.level, n.region, n.place, n.start_date, n.end_date, n.status,
		n.opened_by, n.closed_by, c.program, c.state, c.person_id, p.name, p.id_number,
		(SELECT COUNT(*) FROM case_objections o WHERE o.county = n.county AND o.notice_id = n.id AND o.status = 'pending')`+from+`
		ORDER BY CASE WHEN n.status = 'open' THEN 0 ELSE 1 END,
		CASE WHEN n.status = 'open' THEN n.end_date END, n.start_date DESC, n.county, n.id DESC
		LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(q.Offset, 0)), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []NoticeRow{}
	for rows.Next() {
		var r NoticeRow
		var opened, closed string
		var idn sql.NullString
		n := &r.Notice
		if err := rows.Scan(&n.County, &n.ID, &n.CaseID, &n.Level, &n.Region, &n.Place, &n.Start, &n.End, &n.Status, &opened, &closed,
			&r.Program, &r.State, &r.Person.ID, &r.Name, &idn, &r.Pending); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(opened), &n.OpenedBy); err != nil {
			return nil, 0, err
		}
		if closed != "" {
			n.ClosedBy = new(workflow.Signature)
			if err := json.Unmarshal([]byte(closed), n.ClosedBy); err != nil {
				return nil, 0, err
			}
		}
		n.Objections = []workflow.Objection{}
		r.Person.County = n.County
		var err error
		if r.IDNumber, err = tx.openIDNumber(n.County, r.Person.ID, idn.String); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

const annualReviewColumns = `county, id, region, year, user_id, run_at, reviewed, confirmed, changed`

func scanAnnualReview(s scanner) (*workflow.AnnualReview, error) {
	var r workflow.AnnualReview
	var at any
	var changed string
	if err := s.Scan(&r.County, &r.ID, &r.Region, &r.Year, &r.UserID, &at, &r.Reviewed, &r.Confirmed, &changed); err != nil {
		return nil, err
	}
	r.At, _ = timeValue(at)
	if err := json.Unmarshal([]byte(changed), &r.Changed); err != nil {
		return nil, err
	}
	return &r, nil
}

// AnnualReviews lists the latest runs of the annual review of regions
// within scope, newest first, at most limit of them.
func (tx *Tx) AnnualReviews(ctx context.Context, scope region.Code, limit int) ([]workflow.AnnualReview, error) {
	where, args := scopeClause("", scope)
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	rows, err := tx.Query(ctx, `SELECT `+annualReviewColumns+` FROM annual_reviews WHERE `+where+`
		ORDER BY run_at DESC, county, id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []workflow.AnnualReview{}
	for rows.Next() {
		r, err := scanAnnualReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// AnnualReviewByID returns run id of county's annual review if its region
// lies within scope.
func (tx *Tx) AnnualReviewByID(ctx context.Context, scope region.Code, county string, id int64) (*workflow.AnnualReview, error) {
	where, args := scopeClause("", scope)
	r, err := scanAnnualReview(tx.QueryRow(ctx, `SELECT `+annualReviewColumns+` FROM annual_reviews WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该次年审，或不在您的管辖范围内", "no such annual review in your scope")
	}
	return r, err
}

// MarriageRecord is a marriage of a person with its id.
type MarriageRecord struct {
	ID     int64
	Spouse int64
	CertNo string
	registry.Marriage
}

// PersonMarriages returns the marriages of person k, oldest first. A and
// B of each are the persons' ids as text.
func (tx *Tx) PersonMarriages(ctx context.Context, k registry.Key) ([]MarriageRecord, error) {
	rows, err := tx.Query(ctx, `SELECT id, a_id, b_id, from_date, to_date, end_reason, cert_no FROM marriages
		WHERE county = ? AND (a_id = ? OR b_id = ?) ORDER BY from_date, id`, k.County, k.ID, k.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []MarriageRecord{}
	for rows.Next() {
		var m MarriageRecord
		var a, b int64
		if err := rows.Scan(&m.ID, &a, &b, &m.From, &m.To, &m.End, &m.CertNo); err != nil {
			return nil, err
		}
		m.A, m.B = ref(a), ref(b)
		m.Spouse = b
		if b == k.ID {
			m.Spouse = a
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CertificateRecord is a certificate of a person with its id.
type CertificateRecord struct {
	ID           int64
	CancelReason string
	registry.Certificate
}

// PersonCertificates returns the certificates person k holds, by issue date.
func (tx *Tx) PersonCertificates(ctx context.Context, k registry.Key) ([]CertificateRecord, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, number, issued, cancelled, cancel_reason FROM certificates
		WHERE county = ? AND holder_id = ? ORDER BY issued, id`, k.County, k.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []CertificateRecord{}
	for rows.Next() {
		var c CertificateRecord
		if err := rows.Scan(&c.ID, &c.Kind, &c.Number, &c.Issued, &c.Cancelled, &c.CancelReason); err != nil {
			return nil, err
		}
		c.Holder = ref(k.ID)
		out = append(out, c)
	}
	return out, rows.Err()
}
