package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/inperson"
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
		rows, err := tx.Query(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE county = ? AND owner = ? AND owner_id IN (`+
			idList(ids)+`) ORDER BY added_at, id`, county, owner)
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
