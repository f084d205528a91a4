package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

var _ charge.Store = (*Tx)(nil)

// chargeFrom is the FROM clause and the open condition of kind's targets
// (alias t), joined with the person (alias p).
func chargeFrom(kind string) (from, open string, err error) {
	switch kind {
	case charge.KindRecipient:
		return `recipients t JOIN persons p ON p.county = t.county AND p.id = t.person_id`, `t.status <> 'exited'`, nil
	case charge.KindCase:
		return `cases t JOIN persons p ON p.county = t.county AND p.id = t.person_id`,
			`t.state NOT IN ('enrolled', 'deferred', 'rejected', 'withdrawn')`, nil
	}
	return "", "", fmt.Errorf("charge: unknown kind %q", kind)
}

func chargeState(kind string) string {
	if kind == charge.KindCase {
		return "t.state"
	}
	return "t.status"
}

// chargeTargets runs the query of kind's targets with the condition where
// and attaches their cadres.
func (tx *Tx) chargeTargets(ctx context.Context, county, kind, where string, args ...any) ([]charge.Target, error) {
	from, open, err := chargeFrom(kind)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT t.id, t.person_id, p.name, p.id_number, t.program, `+chargeState(kind)+`, t.region
		FROM `+from+` WHERE t.county = ? AND `+open+` AND `+where+` ORDER BY t.region, t.id`, append([]any{county}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("charge targets: %w", err)
	}
	var out []charge.Target
	at := map[int64]int{}
	for rows.Next() {
		t := charge.Target{County: county, Kind: kind}
		var idn sql.NullString
		if err := rows.Scan(&t.ID, &t.PersonID, &t.Name, &idn, &t.Program, &t.State, &t.Region); err != nil {
			rows.Close()
			return nil, err
		}
		if t.IDNumber, err = tx.openIDNumber(county, t.PersonID, idn.String); err != nil {
			rows.Close()
			return nil, err
		}
		at[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	for i, t := range out {
		ids[i] = t.ID
	}
	for _, part := range chunks(ids) {
		in, args := tx.oneOf(part)
		rows, err := tx.Query(ctx, `SELECT c.target_id, c.level, c.user_id, COALESCE(u.display_name, ''), c.assigned_by, c.assigned_by_name,
				c.assigned_at
			FROM charges c LEFT JOIN users u ON u.id = c.user_id
			WHERE c.county = ? AND c.kind = ? AND c.target_id `+in+` ORDER BY c.target_id, c.level`, append([]any{county, kind}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("charges: %w", err)
		}
		for rows.Next() {
			var id int64
			var c charge.Cadre
			var when any
			if err := rows.Scan(&id, &c.Level, &c.UserID, &c.Name, &c.AssignedBy, &c.AssignedByName, &when); err != nil {
				rows.Close()
				return nil, err
			}
			c.AssignedAt, _ = timeValue(when)
			t := &out[at[id]]
			t.Cadres = append(t.Cadres, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ChargeTargets returns the open targets of kind in county within scope
// with their cadres.
func (tx *Tx) ChargeTargets(ctx context.Context, scope region.Code, county, kind string) ([]charge.Target, error) {
	where, args := scopeClause("t.", scope)
	return tx.chargeTargets(ctx, county, kind, where, args...)
}

// ChargeTarget returns open target id of kind in county with its cadres.
func (tx *Tx) ChargeTarget(ctx context.Context, county, kind string, id int64) (*charge.Target, error) {
	out, err := tx.chargeTargets(ctx, county, kind, `t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.NotFoundf("对象 %d 不存在", "no target %d", id)
	}
	return &out[0], nil
}

// ChargedTo returns the open targets in county that userID is in charge of.
func (tx *Tx) ChargedTo(ctx context.Context, county string, userID int64) ([]charge.Target, error) {
	var out []charge.Target
	for _, kind := range charge.Kinds.Codes() {
		ts, err := tx.chargeTargets(ctx, county, kind,
			`t.id IN (SELECT target_id FROM charges WHERE county = ? AND kind = ? AND user_id = ?)`, county, kind, userID)
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	return out, nil
}

// SaveCharge puts c in charge of target id at c.Level.
func (tx *Tx) SaveCharge(ctx context.Context, county, kind string, id int64, c charge.Cadre) error {
	if err := tx.DeleteCharge(ctx, county, kind, id, c.Level); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO charges (county, kind, target_id, level, user_id, assigned_by, assigned_by_name, assigned_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, county, kind, id, string(c.Level), c.UserID, c.AssignedBy, c.AssignedByName, ts(c.AssignedAt))
	if err != nil {
		return fmt.Errorf("save charge %s/%s/%d: %w", county, kind, id, err)
	}
	return nil
}

// DeleteCharge leaves target id with nobody at level.
func (tx *Tx) DeleteCharge(ctx context.Context, county, kind string, id int64, level workflow.Level) error {
	_, err := tx.Exec(ctx, `DELETE FROM charges WHERE county = ? AND kind = ? AND target_id = ? AND level = ?`, county, kind, id, string(level))
	return err
}
