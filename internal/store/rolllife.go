package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/escalate"
	"github.com/jiahe-project/jiahe/internal/inperson"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/region"
)

var _ inperson.Store = (*Tx)(nil)

const attachmentColumns = `county, id, owner, owner_id, region, kind, name, content_type, size, sha256, storage, added_by,
	added_by_name, added_at, keep_until`

func scanAttachment(s scanner) (*attach.Attachment, error) {
	var x attach.Attachment
	var added any
	if err := s.Scan(&x.County, &x.ID, &x.Owner, &x.OwnerID, &x.Region, &x.Kind, &x.Name, &x.ContentType, &x.Size, &x.SHA256,
		&x.Storage, &x.AddedBy, &x.AddedByName, &added, &x.KeepUntil); err != nil {
		return nil, err
	}
	x.AddedAt, _ = timeValue(added)
	return &x, nil
}

// InsertAttachment writes the record of an attachment.
func (tx *Tx) InsertAttachment(ctx context.Context, x *attach.Attachment) error {
	_, err := tx.Exec(ctx, `INSERT INTO attachments (`+attachmentColumns+`) VALUES (`+placeholders(15)+`)`,
		x.County, x.ID, x.Owner, x.OwnerID, x.Region, x.Kind, x.Name, x.ContentType, x.Size, x.SHA256, x.Storage, x.AddedBy,
		x.AddedByName, ts(x.AddedAt), x.KeepUntil)
	if err != nil {
		return fmt.Errorf("insert attachment %s/%d: %w", x.County, x.ID, err)
	}
	return nil
}

// Attachment returns attachment id of county.
func (tx *Tx) Attachment(ctx context.Context, county string, id int64) (*attach.Attachment, error) {
	x, err := scanAttachment(tx.QueryRow(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("附件 %d 不存在", "no attachment %d", id)
	}
	return x, err
}

// Attachments returns the attachments of the owners, oldest first.
func (tx *Tx) Attachments(ctx context.Context, county, owner string, ownerIDs []int64) ([]attach.Attachment, error) {
	var out []attach.Attachment
	for _, ids := range chunks(ownerIDs) {
		in, args := tx.oneOf(ids)
		rows, err := tx.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE county = ? AND owner = ? AND owner_id `+
			in+` ORDER BY added_at, id`, append([]any{county, owner}, args...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			x, err := scanAttachment(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, *x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Blobs returns the database's keeping of attachments' bytes, within tx.
func (tx *Tx) Blobs() attach.Blobs { return dbBlobs{tx} }

type dbBlobs struct{ tx *Tx }

func (dbBlobs) Kind() string { return "db" }

func (b dbBlobs) Put(ctx context.Context, county string, id int64, _ string, data []byte) error {
	_, err := b.tx.Exec(ctx, `INSERT INTO attachment_blobs (county, id, data) VALUES (?, ?, ?)`, county, id, data)
	return err
}

func (b dbBlobs) Get(ctx context.Context, county string, id int64, _ string) ([]byte, error) {
	var data []byte
	err := b.tx.QueryRow(ctx, `SELECT data FROM attachment_blobs WHERE county = ? AND id = ?`, county, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("attachment %s/%d: its bytes are missing from the database", county, id)
	}
	return data, err
}

const reviewColumns = `county, person_id, year, region, status, reason, seen_on, place, proof, attachment_id, note, recorded_by,
	recorded_by_name, recorded_at, version`

func scanReview(s scanner) (*inperson.Review, error) {
	var r inperson.Review
	var att sql.NullInt64
	var at any
	if err := s.Scan(&r.County, &r.PersonID, &r.Year, &r.Region, &r.Status, &r.Reason, &r.SeenOn, &r.Place, &r.Proof, &att, &r.Note,
		&r.RecordedBy, &r.RecordedByName, &at, &r.Version); err != nil {
		return nil, err
	}
	r.AttachmentID = att.Int64
	r.RecordedAt, _ = timeValue(at)
	return &r, nil
}

// InPersonReview returns the face-to-face review of person of year.
func (tx *Tx) InPersonReview(ctx context.Context, county string, personID int64, year int) (*inperson.Review, error) {
	r, err := scanReview(tx.QueryRow(ctx, `SELECT `+reviewColumns+` FROM inperson_reviews WHERE county = ? AND person_id = ? AND year = ?`,
		county, personID, year))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("%d 年度没有该人员的年审见面记录", "no review of %d for the person", year)
	}
	return r, err
}

// SaveInPersonReview inserts r (version 1) or writes it over version-1.
func (tx *Tx) SaveInPersonReview(ctx context.Context, r *inperson.Review) error {
	var att any
	if r.AttachmentID != 0 {
		att = r.AttachmentID
	}
	args := []any{r.County, r.PersonID, r.Year, r.Region, r.Status, r.Reason, r.SeenOn, r.Place, r.Proof, att, r.Note, r.RecordedBy,
		r.RecordedByName, ts(r.RecordedAt), r.Version}
	if r.Version == 1 {
		if _, err := tx.Exec(ctx, `INSERT INTO inperson_reviews (`+reviewColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
			if IsUniqueViolation(err) {
				return apperr.Conflictf("该人员 %d 年度的年审记录已被他人录入，请刷新后重试", "the review of %d was recorded meanwhile", r.Year)
			}
			return err
		}
		return nil
	}
	var sets []string
	for _, c := range strings.Split(reviewColumns, ",")[3:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := tx.Exec(ctx, `UPDATE inperson_reviews SET `+strings.Join(sets, ", ")+` WHERE county = ? AND person_id = ? AND year = ? AND version = ?`,
		append(args[3:], r.County, r.PersonID, r.Year, r.Version-1)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该人员 %d 年度的年审记录已被他人修改，请刷新后重试", "the review of %d was changed meanwhile", r.Year)
	}
	return nil
}

// ActiveRecipient reports whether the person is active on the county's roll.
func (tx *Tx) ActiveRecipient(ctx context.Context, county string, personID int64) (bool, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM recipients WHERE county = ? AND person_id = ? AND status = 'active'`, county, personID).Scan(&n)
	return n > 0, err
}

// ReviewRoll returns the active recipients of county within scope, one
// row per person, with their face-to-face review of year.
func (tx *Tx) ReviewRoll(ctx context.Context, scope region.Code, county string, year int) ([]inperson.Row, error) {
	where, args := scopeClause("r.", scope)
	args = append([]any{year}, append(args, county)...)
	rows, err := tx.Query(ctx, `SELECT r.person_id, r.program, r.confirmed, p.name, p.id_number, p.region,
			v.county, v.person_id, v.year, v.region, v.status, v.reason, v.seen_on, v.place, v.proof, v.attachment_id, v.note,
			v.recorded_by, v.recorded_by_name, v.recorded_at, v.version
		FROM recipients r
		JOIN persons p ON p.county = r.county AND p.id = r.person_id
		LEFT JOIN inperson_reviews v ON v.county = r.county AND v.person_id = r.person_id AND v.year = ?
		WHERE `+where+` AND r.county = ? AND r.status = 'active'
		ORDER BY p.region, r.person_id, r.program`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inperson.Row
	for rows.Next() {
		var pid int64
		var program, name, pregion string
		var idn sql.NullString
		var confirmed, vseen date.Date
		var vc, vr, vs, vreason, vplace, vproof, vnote, vname sql.NullString
		var vpid, vyear, vatt, vby, vver sql.NullInt64
		var vat any
		if err := rows.Scan(&pid, &program, &confirmed, &name, &idn, &pregion,
			&vc, &vpid, &vyear, &vr, &vs, &vreason, &vseen, &vplace, &vproof, &vatt, &vnote, &vby, &vname, &vat, &vver); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].PersonID == pid {
			out[n-1].Programs = append(out[n-1].Programs, program)
			if confirmed.Before(out[n-1].Confirmed) {
				out[n-1].Confirmed = confirmed
			}
			continue
		}
		row := inperson.Row{PersonID: pid, Name: name, Region: pregion, Programs: []string{program}, Confirmed: confirmed}
		if row.IDNumber, err = tx.openIDNumber(county, pid, idn.String); err != nil {
			return nil, err
		}
		if vc.Valid {
			row.Review = &inperson.Review{County: vc.String, PersonID: vpid.Int64, Year: int(vyear.Int64), Region: vr.String,
				Status: vs.String, Reason: vreason.String, SeenOn: vseen, Place: vplace.String, Proof: vproof.String,
				AttachmentID: vatt.Int64, Note: vnote.String, RecordedBy: vby.Int64, RecordedByName: vname.String, Version: int(vver.Int64)}
			row.Review.RecordedAt, _ = timeValue(vat)
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

var _ recheck.Store = (*Tx)(nil)

// NewRecipients returns the recipients of county confirmed in year (of
// program, when not empty) and not exited, in id order.
func (tx *Tx) NewRecipients(ctx context.Context, county string, year int, program string) ([]recheck.Candidate, error) {
	q := `SELECT id, person_id, case_id, program, region FROM recipients
		WHERE county = ? AND confirmed >= ? AND confirmed < ? AND status <> 'exited'`
	args := []any{county, date.Of(year, time.January, 1), date.Of(year+1, time.January, 1)}
	if program != "" {
		q += ` AND program = ?`
		args = append(args, program)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recheck.Candidate
	for rows.Next() {
		var c recheck.Candidate
		var caseID sql.NullInt64
		if err := rows.Scan(&c.RecipientID, &c.PersonID, &caseID, &c.Program, &c.Region); err != nil {
			return nil, err
		}
		c.CaseID = caseID.Int64
		out = append(out, c)
	}
	return out, rows.Err()
}

const sampleColumns = `county, id, level, year, program, method, size, seed, population, drawn_by, drawn_by_name, drawn_at`

// InsertSample writes a sample and its items.
func (tx *Tx) InsertSample(ctx context.Context, x *recheck.Sample) error {
	if _, err := tx.Exec(ctx, `INSERT INTO check_samples (`+sampleColumns+`) VALUES (`+placeholders(12)+`)`,
		x.County, x.ID, x.Level, x.Year, x.Program, x.Method, x.Size, x.Seed, x.Population, x.DrawnBy, x.DrawnByName, ts(x.DrawnAt)); err != nil {
		return fmt.Errorf("insert check sample: %w", err)
	}
	for _, it := range x.Items {
		var caseID any
		if it.CaseID != 0 {
			caseID = it.CaseID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO check_items (county, sample_id, seq, recipient_id, person_id, case_id, program, region, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.County, it.SampleID, it.Seq, it.RecipientID, it.PersonID, caseID, it.Program, it.Region, it.Version); err != nil {
			return fmt.Errorf("insert check item: %w", err)
		}
	}
	return nil
}

func scanSample(s scanner) (*recheck.Sample, error) {
	var x recheck.Sample
	var at any
	if err := s.Scan(&x.County, &x.ID, &x.Level, &x.Year, &x.Program, &x.Method, &x.Size, &x.Seed, &x.Population, &x.DrawnBy,
		&x.DrawnByName, &at); err != nil {
		return nil, err
	}
	x.DrawnAt, _ = timeValue(at)
	return &x, nil
}

// Sample returns sample id of county with its items and their
// accountability lines.
func (tx *Tx) Sample(ctx context.Context, county string, id int64) (*recheck.Sample, error) {
	x, err := scanSample(tx.QueryRow(ctx, `SELECT `+sampleColumns+` FROM check_samples WHERE county = ? AND id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("抽样 %d 不存在", "no sample %d", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT i.seq, i.recipient_id, i.person_id, i.case_id, i.program, i.region, i.assignee, i.visit_on, i.finding,
			i.note, i.reopened, i.recovery_fen, i.found_by, i.found_by_name, i.found_at, i.version, p.name
		FROM check_items i LEFT JOIN persons p ON p.county = i.county AND p.id = i.person_id
		WHERE i.county = ? AND i.sample_id = ? ORDER BY i.seq`, county, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		it := recheck.Item{County: county, SampleID: id}
		var caseID, foundBy sql.NullInt64
		var rec int64
		var at any
		var name sql.NullString
		if err := rows.Scan(&it.Seq, &it.RecipientID, &it.PersonID, &caseID, &it.Program, &it.Region, &it.Assignee, &it.VisitOn,
			&it.Finding, &it.Note, &it.Reopened, &rec, &foundBy, &it.FoundByName, &at, &it.Version, &name); err != nil {
			rows.Close()
			return nil, err
		}
		it.CaseID, it.FoundBy, it.Recovery, it.Name = caseID.Int64, foundBy.Int64, money.Fen(rec), name.String
		if t, err := timeValue(at); err == nil && !t.IsZero() {
			it.FoundAt = &t
		}
		x.Items = append(x.Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT seq, case_id, step, user_id, username, signer, role, signed_at FROM check_accountability
		WHERE county = ? AND sample_id = ? ORDER BY seq, line`, county, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var l recheck.Accountable
		var at any
		if err := rows.Scan(&seq, &l.CaseID, &l.Step, &l.UserID, &l.Username, &l.Signer, &l.Role, &at); err != nil {
			return nil, err
		}
		l.SignedAt, _ = timeValue(at)
		for i := range x.Items {
			if x.Items[i].Seq == seq {
				x.Items[i].Accountable = append(x.Items[i].Accountable, l)
			}
		}
	}
	return x, rows.Err()
}

// Samples lists the samples of the counties within scope, newest first,
// without their items.
func (tx *Tx) Samples(ctx context.Context, scope region.Code, limit int) ([]recheck.Sample, error) {
	where, args := "1=1", []any(nil)
	if p, ok := scope.Prefix(); ok && p != "" {
		if len(p) > 6 {
			p = p[:6]
		}
		where, args = "county LIKE ?", []any{p + "%"}
	}
	rows, err := tx.Query(ctx, `SELECT `+sampleColumns+` FROM check_samples WHERE `+where+` ORDER BY drawn_at DESC, id DESC LIMIT `+
		strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recheck.Sample
	for rows.Next() {
		x, err := scanSample(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *x)
	}
	return out, rows.Err()
}

// UpdateItem writes the visit and the finding of it over version-1.
func (tx *Tx) UpdateItem(ctx context.Context, it *recheck.Item) error {
	var foundBy, foundAt any
	if it.FoundBy != 0 {
		foundBy = it.FoundBy
	}
	if it.FoundAt != nil {
		foundAt = ts(*it.FoundAt)
	}
	res, err := tx.Exec(ctx, `UPDATE check_items SET assignee = ?, visit_on = ?, finding = ?, note = ?, reopened = ?, recovery_fen = ?,
		found_by = ?, found_by_name = ?, found_at = ?, version = ? WHERE county = ? AND sample_id = ? AND seq = ? AND version = ?`,
		it.Assignee, it.VisitOn, it.Finding, it.Note, it.Reopened, int64(it.Recovery), foundBy, it.FoundByName, foundAt, it.Version,
		it.County, it.SampleID, it.Seq, it.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该对象的复查记录已被他人修改，请刷新后重试", "the item was changed meanwhile: reload and try again")
	}
	return nil
}

// InsertAccountable writes the accountability lines of an item.
func (tx *Tx) InsertAccountable(ctx context.Context, county string, sampleID int64, seq int, lines []recheck.Accountable) error {
	for i, l := range lines {
		if _, err := tx.Exec(ctx, `INSERT INTO check_accountability (county, sample_id, seq, line, case_id, step, user_id, username, signer, role, signed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, county, sampleID, seq, i+1, l.CaseID, l.Step, l.UserID, l.Username, l.Signer, l.Role,
			ts(l.SignedAt)); err != nil {
			return err
		}
	}
	return nil
}

var _ payment.BudgetStore = (*Tx)(nil)

// RollPrograms returns the programs on the county's roll, in order.
func (tx *Tx) RollPrograms(ctx context.Context, county string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT program FROM recipients WHERE county = ? ORDER BY program`, county)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const fundColumns = `county, id, year, program, level, amount_fen, received, document, note, recorded_by, recorded_by_name, recorded_at`

// BudgetFunds returns the funds recorded for the county's year, by
// program and day received.
func (tx *Tx) BudgetFunds(ctx context.Context, county string, year int) ([]payment.Fund, error) {
	rows, err := tx.Query(ctx, `SELECT `+fundColumns+` FROM budget_funds WHERE county = ? AND year = ? ORDER BY program, received, id`, county, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []payment.Fund
	for rows.Next() {
		var f payment.Fund
		var amt int64
		var at any
		if err := rows.Scan(&f.County, &f.ID, &f.Year, &f.Program, &f.Level, &amt, &f.Received, &f.Document, &f.Note, &f.RecordedBy,
			&f.RecordedByName, &at); err != nil {
			return nil, err
		}
		f.Amount = money.Fen(amt)
		f.RecordedAt, _ = timeValue(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// InsertBudgetFund writes a fund received.
func (tx *Tx) InsertBudgetFund(ctx context.Context, f *payment.Fund) error {
	_, err := tx.Exec(ctx, `INSERT INTO budget_funds (`+fundColumns+`) VALUES (`+placeholders(12)+`)`, f.County, f.ID, f.Year, f.Program,
		f.Level, int64(f.Amount), f.Received, f.Document, f.Note, f.RecordedBy, f.RecordedByName, ts(f.RecordedAt))
	return err
}

var _ escalate.Store = (*Tx)(nil)

const escalationColumns = `e.county, e.id, e.case_id, e.from_level, e.to_level, e.question, e.asked_by, e.asked_by_name, e.asked_at, e.answer,
	e.answered_by, e.answered_by_name, e.answered_at`

func scanEscalation(s scanner) (*escalate.Escalation, error) {
	var e escalate.Escalation
	var asked, answered any
	var by sql.NullInt64
	if err := s.Scan(&e.County, &e.ID, &e.CaseID, &e.From, &e.To, &e.Question, &e.AskedBy, &e.AskedByName, &asked, &e.Answer, &by,
		&e.AnsweredByName, &answered); err != nil {
		return nil, err
	}
	e.AskedAt, _ = timeValue(asked)
	e.AnsweredBy = by.Int64
	if t, err := timeValue(answered); err == nil && !t.IsZero() {
		e.AnsweredAt = &t
	}
	return &e, nil
}

// InsertEscalation writes a new question.
func (tx *Tx) InsertEscalation(ctx context.Context, e *escalate.Escalation) error {
	_, err := tx.Exec(ctx, `INSERT INTO case_escalations (county, id, case_id, from_level, to_level, question, asked_by, asked_by_name, asked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.County, e.ID, e.CaseID, e.From, e.To, e.Question, e.AskedBy, e.AskedByName, ts(e.AskedAt))
	return err
}

// Escalation returns question id of county.
func (tx *Tx) Escalation(ctx context.Context, county string, id int64) (*escalate.Escalation, error) {
	e, err := scanEscalation(tx.QueryRow(ctx, `SELECT `+escalationColumns+` FROM case_escalations e WHERE e.county = ? AND e.id = ?`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("请示 %d 不存在", "no question %d", id)
	}
	return e, err
}

// Escalations returns the questions of a case, or the open questions of
// the county's cases within scope when caseID is 0, oldest first.
func (tx *Tx) Escalations(ctx context.Context, scope region.Code, county string, caseID int64) ([]escalate.Escalation, error) {
	q := `SELECT ` + escalationColumns + ` FROM case_escalations e WHERE e.county = ? AND e.case_id = ? ORDER BY e.asked_at, e.id`
	args := []any{county, caseID}
	if caseID == 0 {
		where, sargs := scopeClause("c.", scope)
		q = `SELECT ` + escalationColumns + ` FROM case_escalations e JOIN cases c ON c.county = e.county AND c.id = e.case_id
			WHERE e.county = ? AND e.answered_at IS NULL AND ` + where + ` ORDER BY e.asked_at, e.id`
		args = append([]any{county}, sargs...)
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []escalate.Escalation
	for rows.Next() {
		e, err := scanEscalation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// AnswerEscalation writes the answer of e if it has none yet.
func (tx *Tx) AnswerEscalation(ctx context.Context, e *escalate.Escalation) error {
	res, err := tx.Exec(ctx, `UPDATE case_escalations SET answer = ?, answered_by = ?, answered_by_name = ?, answered_at = ?
		WHERE county = ? AND id = ? AND answered_at IS NULL`, e.Answer, e.AnsweredBy, e.AnsweredByName, ts(*e.AnsweredAt), e.County, e.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该请示已经答复", "the question has been answered")
	}
	return nil
}
