package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Audit appends e to its county's hash chain in the same transaction as
// the change it records. It fills Seq, At (the transaction's instant),
// PrevHash, KeyID and Hash; see AuditMany.
func (tx *Tx) Audit(ctx context.Context, e audit.Entry) error {
	return tx.AuditMany(ctx, []audit.Entry{e})
}

// AuditMany appends entries to their chains, in order within each chain.
// The heads of the chains are locked first, in county order (SELECT …
// FOR UPDATE on PostgreSQL; SQLite has one writer), so that no two
// transactions ever read the same head: a concurrent appender waits for
// the commit and then reads the head it left. Each entry is keyed with
// the audit key and each head sealed with it (package audit); the states
// before and after are stored encrypted. A county's first entry opens its
// chain on the system chain (audit.ActionOpen), in the same transaction.
func (tx *Tx) AuditMany(ctx context.Context, entries []audit.Entry) error {
	byCounty := map[string][]audit.Entry{}
	for _, e := range entries {
		byCounty[e.County] = append(byCounty[e.County], e)
	}
	counties := make([]string, 0, len(byCounty))
	for c := range byCounty {
		counties = append(counties, c)
	}
	slices.Sort(counties)
	for _, c := range counties {
		if err := tx.appendChain(ctx, c, byCounty[c]); err != nil {
			return err
		}
	}
	return nil
}

// LockChain locks the head of county's chain until the transaction ends
// (PostgreSQL). The use-case layer calls it first in a transaction on a
// county, so that the county's writes run one after another, each seeing
// what the one before committed: checks that read before they write
// (overlapping payment periods, one open case per program) hold without
// SERIALIZABLE. A chain that does not exist yet is not locked; its
// creation is serialised by the head row's key.
func (tx *Tx) LockChain(ctx context.Context, county string) error {
	if tx.db.Engine != Postgres {
		return nil
	}
	if _, ok := tx.heads[county]; ok {
		return nil
	}
	h := audit.Head{County: county}
	err := tx.QueryRow(ctx, `SELECT seq, hash, key_id, mac FROM audit_head WHERE county = ? FOR UPDATE`, county).
		Scan(&h.Seq, &h.Hash, &h.KeyID, &h.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lock chain %s: %w", county, err)
	}
	tx.keepHead(h)
	return nil
}

// keepHead remembers a head the transaction holds locked (or, on SQLite,
// as the one writer), so that an append need not read it again.
func (tx *Tx) keepHead(h audit.Head) {
	if tx.heads == nil {
		tx.heads = map[string]audit.Head{}
	}
	tx.heads[h.County] = h
}

// lockHead reads county's head under a row lock, creating an empty one
// (sequence 0) when the chain does not exist yet.
func (tx *Tx) lockHead(ctx context.Context, county string) (audit.Head, error) {
	if h, ok := tx.heads[county]; ok {
		return h, nil
	}
	h := audit.Head{County: county}
	q := `SELECT seq, hash, key_id, mac FROM audit_head WHERE county = ?`
	if tx.db.Engine == Postgres {
		q += ` FOR UPDATE`
	}
	err := tx.QueryRow(ctx, q, county).Scan(&h.Seq, &h.Hash, &h.KeyID, &h.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.Exec(ctx, `INSERT INTO audit_head (county, seq, hash, key_id, mac) VALUES (?, 0, ?, 0, '')
			ON CONFLICT (county) DO NOTHING`, county, audit.Genesis); err != nil {
			return h, fmt.Errorf("audit head: %w", err)
		}
		err = tx.QueryRow(ctx, q, county).Scan(&h.Seq, &h.Hash, &h.KeyID, &h.MAC)
	}
	if err != nil {
		return h, fmt.Errorf("audit head: %w", err)
	}
	tx.keepHead(h)
	return h, nil
}

var errNoKeys = errors.New("no key file was given: the database cannot be read or written without its keys")

func (tx *Tx) appendChain(ctx context.Context, county string, es []audit.Entry) error {
	if tx.db.keys == nil {
		return errNoKeys
	}
	kr := tx.db.keys.Audit()
	head, err := tx.lockHead(ctx, county)
	if err != nil {
		return err
	}
	if head.Seq == 0 && county != "" {
		open := audit.Entry{County: "", UserID: es[0].UserID, Username: es[0].Username, Action: audit.ActionOpen,
			Entity: audit.EntityChain, EntityID: county, Region: county}
		if err := tx.appendChain(ctx, "", []audit.Entry{open}); err != nil {
			return err
		}
	}
	for i := range es {
		e := &es[i]
		e.County, e.At = county, tx.now
		e.Seq, e.PrevHash = head.Seq+1, head.Hash
		if err := kr.Seal(e); err != nil {
			return err
		}
		head.Seq, head.Hash = e.Seq, e.Hash
	}
	if err := kr.SealHead(&head); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = ?, hash = ?, key_id = ?, mac = ? WHERE county = ?`,
		head.Seq, head.Hash, head.KeyID, head.MAC, county); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	tx.keepHead(head)
	const cols, per = 14, 1000
	for len(es) > 0 {
		n := min(per, len(es))
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_log (` + auditColumns + `) VALUES `)
		args := make([]any, 0, n*cols)
		for i, e := range es[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(" + placeholders(cols) + ")")
			args = append(args, e.County, e.Seq, e.At.Format(time.RFC3339Nano), e.UserID, e.Username, e.Action, e.Entity,
				e.EntityID, e.Region, tx.db.keys.Seal(e.Before, auditAAD(&e, "before")), tx.db.keys.Seal(e.After, auditAAD(&e, "after")),
				e.PrevHash, e.Hash, e.KeyID)
		}
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("audit append: %w", err)
		}
		es = es[n:]
	}
	return nil
}

// auditAAD binds an entry's encrypted state to its chain, place and column.
func auditAAD(e *audit.Entry, column string) string {
	return fmt.Sprintf("audit_log.%s %s/%d", column, e.County, e.Seq)
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

const auditColumns = `county, seq, at, user_id, username, action, entity, entity_id, region, before, after, prev_hash, hash, key_id`

func (tx *Tx) scanAudit(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	var at string
	err := rows.Scan(&e.County, &e.Seq, &at, &e.UserID, &e.Username, &e.Action, &e.Entity, &e.EntityID,
		&e.Region, &e.Before, &e.After, &e.PrevHash, &e.Hash, &e.KeyID)
	if err != nil {
		return e, err
	}
	if e.At, err = parseTimestamp(at); err != nil {
		return e, err
	}
	if e.Before, err = tx.open(e.Before, auditAAD(&e, "before")); err != nil {
		return e, fmt.Errorf("audit entry %s/%d: %w", e.County, e.Seq, err)
	}
	if e.After, err = tx.open(e.After, auditAAD(&e, "after")); err != nil {
		return e, fmt.Errorf("audit entry %s/%d: %w", e.County, e.Seq, err)
	}
	return e, nil
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
		e, err := tx.scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyAudit walks every chain (or one county's, when county is not nil)
// in order in a transaction of its own; see Tx.VerifyAudit.
func (db *DB) VerifyAudit(ctx context.Context, county *string, anchors ...*audit.Anchor) (v *audit.Verifier, err error) {
	err = db.View(ctx, func(tx *Tx) error {
		v, err = tx.VerifyAudit(ctx, county, anchors...)
		return err
	})
	return v, err
}

// VerifyAudit walks every chain (or one county's, when county is not nil)
// in order and checks each link, each keyed hash and the sealed heads;
// over every chain it also checks that the chains are those the system
// chain opened. Each anchor's heads must still be in the log (the caller
// checks the anchors' signatures and that they belong to this database).
// It streams, so it runs in constant memory whatever the size of the log.
func (tx *Tx) VerifyAudit(ctx context.Context, county *string, anchors ...*audit.Anchor) (*audit.Verifier, error) {
	if tx.db.keys == nil {
		return nil, errNoKeys
	}
	q, args := `SELECT `+auditColumns+` FROM audit_log ORDER BY county, seq`, []any(nil)
	hq, hargs := `SELECT county, seq, hash, key_id, mac FROM audit_head`, []any(nil)
	if county != nil {
		q, args = `SELECT `+auditColumns+` FROM audit_log WHERE county = ? ORDER BY seq`, []any{*county}
		hq, hargs = `SELECT county, seq, hash, key_id, mac FROM audit_head WHERE county = ?`, []any{*county}
	}
	v := audit.NewVerifier(tx.db.keys.Audit())
	for _, a := range anchors {
		v.Expect(a)
	}
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		e, err := tx.scanAudit(rows)
		if errors.Is(err, errCorrupt) {
			// The stored state was altered or moved: report it as an
			// edit, and check the link with what is there.
			v.Problems = append(v.Problems, audit.Problem{County: e.County, Seq: e.Seq, Reason: "encrypted content does not decrypt (edited or moved)"})
		} else if err != nil {
			rows.Close()
			return nil, err
		}
		v.Add(e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	heads, err := tx.auditHeads(ctx, hq, hargs...)
	if err != nil {
		return nil, err
	}
	m := map[string]audit.Head{}
	for _, h := range heads {
		m[h.County] = h
	}
	v.Finish(m, county == nil)
	return v, nil
}

func (tx *Tx) auditHeads(ctx context.Context, q string, args ...any) ([]audit.Head, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Head
	for rows.Next() {
		var h audit.Head
		if err := rows.Scan(&h.County, &h.Seq, &h.Hash, &h.KeyID, &h.MAC); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// AuditHeads returns the head of every chain, in county order.
func (tx *Tx) AuditHeads(ctx context.Context) ([]audit.Head, error) {
	return tx.auditHeads(ctx, `SELECT county, seq, hash, key_id, mac FROM audit_head WHERE seq > 0 ORDER BY county`)
}

// ChainSeq returns the sequence number of the head of county's audit
// chain as the transaction sees it (with its own entries; 0 when the
// chain does not exist). Every audited change of the county moves it on.
func (tx *Tx) ChainSeq(ctx context.Context, county string) (int64, error) {
	if h, ok := tx.heads[county]; ok {
		return h.Seq, nil
	}
	var seq int64
	err := tx.QueryRow(ctx, `SELECT seq FROM audit_head WHERE county = ?`, county).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}
