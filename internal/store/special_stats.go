package store

import (
	"context"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/stats"
)

// statSpecial reads the special families within reg on the register on
// month m's last day, each with what reaches it then (stats.SpecialFamily):
// a contact named, a visit in the quarter up to that day, its head or
// her spouse on the roll of the special assistance (tf_death,
// tf_disability: confirmed by the day, not exited by it, not suspended).
func (tx *Tx) statSpecial(ctx context.Context, reg region.Code, m stats.Month) ([]stats.SpecialFamily, error) {
	last := m.Last()
	q := stats.QuarterOf(last)
	first := q.Add(-1).Last().AddDays(1)
	where, args := statScope("f.", reg)
	rows, err := tx.Query(ctx, `SELECT f.county, f.id, f.anchor_id, f.region,
		CASE WHEN EXISTS (SELECT 1 FROM special_contacts c WHERE c.county = f.county AND c.family_id = f.id
			AND c.from_date <= ? AND (c.to_date IS NULL OR c.to_date > ?)) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM special_visits v WHERE v.county = f.county AND v.family_id = f.id
			AND v.visited >= ? AND v.visited <= ?) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM recipients r WHERE r.county = f.county AND (r.person_id = f.anchor_id OR r.person_id = f.spouse_id)
			AND r.program IN (?, ?) AND r.confirmed <= ? AND r.status <> 'suspended' AND (r.exit_date IS NULL OR r.exit_date > ?)) THEN 1 ELSE 0 END
		FROM special_families f WHERE `+where+` AND f.since <= ? AND (f.closed IS NULL OR f.closed > ?)
		ORDER BY f.county, f.id`,
		append(append([]any{last, last, first, last, policy.ProgramTFDeath, policy.ProgramTFDisability, last, last}, args...), last, last)...)
	if err != nil {
		return nil, fmt.Errorf("special families of %s: %w", reg, err)
	}
	defer rows.Close()
	out := []stats.SpecialFamily{}
	for rows.Next() {
		var f stats.SpecialFamily
		var contact, visited, tf int
		if err := rows.Scan(&f.County, &f.ID, &f.Anchor, &f.Region, &contact, &visited, &tf); err != nil {
			return nil, err
		}
		f.Contact, f.Visited, f.TF = contact == 1, visited == 1, tf == 1
		out = append(out, f)
	}
	return out, rows.Err()
}
