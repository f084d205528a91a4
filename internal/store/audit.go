package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Audit appends e to its county's hash chain in the same transaction as
// the change it records. It fills Seq, At (the transaction's instant),
// PrevHash and Hash. The chain head row is updated in the same statement
// sequence, which serialises writers of one county's chain: on PostgreSQL
// the row lock (and SERIALIZABLE) makes a concurrent appender wait or
// retry; on SQLite there is one writer.
func (tx *Tx) Audit(ctx context.Context, e audit.Entry) error {
	e.At = tx.now
	var head audit.Entry
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE county = ?`, e.County).Scan(&head.Seq, &head.Hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.Seq, e.PrevHash = 1, audit.Genesis
		e.Hash = audit.ComputeHash(e)
		if _, err := tx.Exec(ctx, `INSERT INTO audit_head (county, seq, hash) VALUES (?, ?, ?)`, e.County, e.Seq, e.Hash); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
	case err != nil:
		return fmt.Errorf("audit head: %w", err)
	default:
		e.Seq, e.PrevHash = head.Seq+1, head.Hash
		e.Hash = audit.ComputeHash(e)
		res, err := tx.Exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE county = ? AND seq = ?`, e.Seq, e.Hash, e.County, head.Seq)
		if err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errors.New("audit head moved concurrently")
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log
		(county, seq, at, user_id, username, action, entity, entity_id, region, before, after, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.County, e.Seq, e.At.Format(time.RFC3339Nano), e.UserID, e.Username, e.Action, e.Entity, e.EntityID,
		e.Region, e.Before, e.After, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// AuditFilter selects audit entries. Counties limits the chains read
// (the actor's scope decides them); empty Entity means any.
type AuditFilter struct {
	County    string
	Entity    string
	EntityID  string
	UserID    int64
	Limit     int
	BeforeSeq int64 // page backwards from this sequence (0: newest)
}

const auditColumns = `county, seq, at, user_id, username, action, entity, entity_id, region, before, after, prev_hash, hash`

func scanAudit(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var at string
	err := rows.Scan(&e.County, &e.Seq, &at, &e.UserID, &e.Username, &e.Action, &e.Entity, &e.EntityID,
		&e.Region, &e.Before, &e.After, &e.PrevHash, &e.Hash)
	if err != nil {
		return e, err
	}
	e.At, err = parseTimestamp(at)
	return e, err
}

// parseTimestamp reads a timestamp column: RFC 3339 text (SQLite) or the
// text PostgreSQL returns for a TIMESTAMPTZ read into a string.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z07", "2006-01-02 15:04:05.999999999-07:00:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad timestamp %q", s)
}

// AuditEntries returns entries of one county's chain matching f, newest
// first, keeping only those whose region lies within scope (the actor's).
// An entry without a region (a sign-in, a user change) lies within the
// whole country's scope only. The scope is applied in SQL, so every page
// holds f.Limit entries while enough match.
func (tx *Tx) AuditEntries(ctx context.Context, scope region.Code, f AuditFilter) ([]audit.Entry, error) {
	where, args := "county = ?", []any{f.County}
	prefix, ok := scope.Prefix()
	if !ok {
		return nil, apperr.Invalidf("scope", "区划代码 %s 无效", "invalid division code %s", scope)
	}
	if prefix != "" {
		where += " AND region LIKE ?"
		args = append(args, prefix+"%")
	}
	if f.Entity != "" {
		where += " AND entity = ?"
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		where += " AND entity_id = ?"
		args = append(args, f.EntityID)
	}
	if f.UserID != 0 {
		where += " AND user_id = ?"
		args = append(args, f.UserID)
	}
	if f.BeforeSeq > 0 {
		where += " AND seq < ?"
		args = append(args, f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := tx.Query(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE `+where+` ORDER BY seq DESC LIMIT `+fmt.Sprint(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks every chain (or one county's, when county is not nil)
// in order in a transaction of its own; see Tx.VerifyAudit.
func (db *DB) VerifyAudit(ctx context.Context, county *string) (v *audit.Verifier, err error) {
	err = db.View(ctx, func(tx *Tx) error {
		v, err = tx.VerifyAudit(ctx, county)
		return err
	})
	return v, err
}

// VerifyAudit walks every chain (or one county's, when county is not nil)
// in order and checks each link and the recorded heads. It streams, so it
// runs in constant memory whatever the size of the log.
func (tx *Tx) VerifyAudit(ctx context.Context, county *string) (*audit.Verifier, error) {
	q, args := `SELECT `+auditColumns+` FROM audit_log ORDER BY county, seq`, []any(nil)
	hq, hargs := `SELECT county, seq, hash FROM audit_head`, []any(nil)
	if county != nil {
		q, args = `SELECT `+auditColumns+` FROM audit_log WHERE county = ? ORDER BY seq`, []any{*county}
		hq, hargs = `SELECT county, seq, hash FROM audit_head WHERE county = ?`, []any{*county}
	}
	v := audit.NewVerifier()
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		v.Add(e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	heads := map[string]audit.Entry{}
	hrows, err := tx.Query(ctx, hq, hargs...)
	if err != nil {
		return nil, err
	}
	defer hrows.Close()
	for hrows.Next() {
		var h audit.Entry
		if err := hrows.Scan(&h.County, &h.Seq, &h.Hash); err != nil {
			return nil, err
		}
		heads[h.County] = h
	}
	if err := hrows.Err(); err != nil {
		return nil, err
	}
	v.Finish(heads)
	return v, nil
}
