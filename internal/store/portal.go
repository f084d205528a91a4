package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/region"
)

var _ portal.Store = (*Tx)(nil)

const familyReportColumns = `county, id, person_id, region, text, phone, status, filed, resolved, resolved_by, resolved_name, note, version,
	created_at, updated_at`

var errReportNotFound = apperr.NotFoundf("未找到该报告，或不在您的管辖范围内", "no such report in your scope")

func scanReport(s scanner) (*portal.Report, error) {
	var r portal.Report
	var by sql.NullInt64
	var created, updated any
	if err := s.Scan(&r.County, &r.ID, &r.Person, &r.Region, &r.Text, &r.Phone, &r.Status, &r.Filed, &r.Resolved, &by, &r.ResolvedName,
		&r.Note, &r.Version, &created, &updated); err != nil {
		return nil, err
	}
	r.ResolvedBy = by.Int64
	r.CreatedAt, _ = timeValue(created)
	r.UpdatedAt, _ = timeValue(updated)
	return &r, nil
}

// InsertReport stores a new family report.
func (tx *Tx) InsertReport(ctx context.Context, r *portal.Report) error {
	_, err := tx.Exec(ctx, `INSERT INTO family_reports (`+familyReportColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.County, r.ID, r.Person, r.Region, r.Text, r.Phone, r.Status, r.Filed, r.Resolved, nullInt(r.ResolvedBy), r.ResolvedName, r.Note,
		r.Version, ts(r.CreatedAt), ts(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert family report: %w", err)
	}
	return nil
}

// UpdateReport writes r over the stored version r.Version-1.
func (tx *Tx) UpdateReport(ctx context.Context, r *portal.Report) error {
	res, err := tx.Exec(ctx, `UPDATE family_reports SET status = ?, resolved = ?, resolved_by = ?, resolved_name = ?, note = ?, version = ?,
		updated_at = ? WHERE county = ? AND id = ? AND version = ?`,
		r.Status, r.Resolved, nullInt(r.ResolvedBy), r.ResolvedName, r.Note, r.Version, ts(r.UpdatedAt), r.County, r.ID, r.Version-1)
	if err != nil {
		return fmt.Errorf("update family report %s/%d: %w", r.County, r.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.Conflictf("该报告已被他人更新，请刷新后重试", "the report was changed meanwhile: reload and try again")
	}
	return nil
}

// Report returns report id of county within scope.
func (tx *Tx) Report(ctx context.Context, scope region.Code, county string, id int64) (*portal.Report, error) {
	where, args := scopeClause("", scope)
	r, err := scanReport(tx.QueryRow(ctx, `SELECT `+familyReportColumns+` FROM family_reports WHERE county = ? AND id = ? AND `+where,
		append([]any{county, id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errReportNotFound
	}
	return r, err
}

// Reports returns the reports of county within scope with status ("" any)
// and, when person is not 0, of that person, oldest first (at most 500).
func (tx *Tx) Reports(ctx context.Context, scope region.Code, county, status string, person int64) ([]portal.Report, error) {
	where, args := scopeClause("", scope)
	q := `SELECT ` + familyReportColumns + ` FROM family_reports WHERE county = ? AND ` + where
	args = append([]any{county}, args...)
	if status != "" {
		q, args = q+` AND status = ?`, append(args, status)
	}
	if person != 0 {
		q, args = q+` AND person_id = ?`, append(args, person)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY filed, id LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("family reports: %w", err)
	}
	defer rows.Close()
	out := []portal.Report{}
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

const documentColumns = `county, id, entity, entity_id, region, name, ctype, size, uploaded_by, created_at, storage, blob_id, sha256`

func scanDocument(s scanner, data *string) (*portal.Document, error) {
	var d portal.Document
	var created any
	var blob sql.NullInt64
	dest := []any{&d.County, &d.ID, &d.Entity, &d.EntityID, &d.Region, &d.Name, &d.Type, &d.Size, &d.UploadedBy, &created, &d.Storage, &blob, &d.SHA256}
	if data != nil {
		dest = append(dest, data)
	}
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	d.CreatedAt, _ = timeValue(created)
	d.BlobID = blob.Int64
	return &d, nil
}

// InsertDocument stores the record of an uploaded document; its bytes
// go into its own row only when d.Storage is portal.StorageInline (or
// empty), and are otherwise kept by the file store under d.BlobID.
func (tx *Tx) InsertDocument(ctx context.Context, d *portal.Document) error {
	storage, data, blob := d.Storage, "", any(nil)
	if storage == "" || storage == portal.StorageInline {
		storage, data = portal.StorageInline, base64.StdEncoding.EncodeToString(d.Data)
	} else {
		blob = d.BlobID
	}
	_, err := tx.Exec(ctx, `INSERT INTO documents (`+documentColumns+`, data) VALUES (`+placeholders(14)+`)`,
		d.County, d.ID, d.Entity, d.EntityID, d.Region, d.Name, d.Type, d.Size, d.UploadedBy, ts(d.CreatedAt), storage, blob, d.SHA256, data)
	if err != nil {
		return fmt.Errorf("insert document: %w", err)
	}
	return nil
}

// Documents returns the documents stored with an entity, without their
// data, oldest first.
func (tx *Tx) Documents(ctx context.Context, county, entity string, id int64) ([]portal.Document, error) {
	rows, err := tx.Query(ctx, `SELECT `+documentColumns+` FROM documents WHERE county = ? AND entity = ? AND entity_id = ? ORDER BY id`,
		county, entity, id)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	defer rows.Close()
	out := []portal.Document{}
	for rows.Next() {
		d, err := scanDocument(rows, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// Document returns a document with its data when the row keeps it
// (portal.StorageInline); the caller reads the others from the file
// store.
func (tx *Tx) Document(ctx context.Context, county string, id int64) (*portal.Document, error) {
	var data string
	d, err := scanDocument(tx.QueryRow(ctx, `SELECT `+documentColumns+`, data FROM documents WHERE county = ? AND id = ?`, county, id), &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("未找到该材料", "no such document")
	}
	if err != nil {
		return nil, err
	}
	if d.Storage != portal.StorageInline {
		return d, nil
	}
	if d.Data, err = base64.StdEncoding.DecodeString(data); err != nil {
		return nil, fmt.Errorf("document %s/%d: %w", county, id, err)
	}
	return d, nil
}

// CitizenUserOf returns the enabled citizen account linked to person id
// of county.
func (tx *Tx) CitizenUserOf(ctx context.Context, county string, id int64) (auth.User, error) {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE role = 'citizen' AND person_county = ? AND person_id = ?
		AND disabled = FALSE ORDER BY id LIMIT 1`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, apperr.NotFoundf("没有关联此人的群众账号", "no citizen account is linked to this person")
	}
	return u, err
}
