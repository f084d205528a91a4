package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
)

// StoredLayer is a rule layer a region added, with who added it and when,
// and, once withdrawn, who withdrew it, when, why, and the version that
// superseded it (0 for none).
type StoredLayer struct {
	policy.Layer
	AuthorID     int64
	Author       string
	CreatedAt    time.Time
	Withdrawn    bool
	WithdrawnAt  time.Time
	WithdrawnBy  string
	Reason       string
	SupersededBy int
}

// StoredPolicyLayers returns the layers regions have added, withdrawn or
// not, in region and version order, with their authors.
func (tx *Tx) StoredPolicyLayers(ctx context.Context) ([]StoredLayer, error) {
	rows, err := tx.Query(ctx, `SELECT region, version, body, author_id, author, created_at, withdrawn_at, withdrawn_by_name, withdraw_reason, superseded_by
		FROM policy_layers ORDER BY region, version`)
	if err != nil {
		return nil, fmt.Errorf("policy layers: %w", err)
	}
	defer rows.Close()
	var out []StoredLayer
	for rows.Next() {
		var reg, body string
		var v int
		var s StoredLayer
		var created, withdrawn any
		var sup sql.NullInt64
		if err := rows.Scan(&reg, &v, &body, &s.AuthorID, &s.Author, &created, &withdrawn, &s.WithdrawnBy, &s.Reason, &sup); err != nil {
			return nil, err
		}
		l, err := policy.ParseLayer([]byte(body))
		if err != nil {
			return nil, fmt.Errorf("policy layer %s v%d: %w", reg, v, err)
		}
		s.Layer = *l
		if s.CreatedAt, err = timeValue(created); err != nil {
			return nil, err
		}
		if withdrawn != nil {
			s.Withdrawn = true
			if s.WithdrawnAt, err = timeValue(withdrawn); err != nil {
				return nil, err
			}
		}
		s.SupersededBy = int(sup.Int64)
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeterminationFilter selects stored determinations.
type DeterminationFilter struct {
	Region  region.Code // a county, township or village (required)
	Year    int
	Program string // optional
	Limit   int
	Offset  int
}

// DeterminationRow is a stored determination with the person's name and
// region.
type DeterminationRow struct {
	policy.Determination
	Name   string
	Region string
}

// ListDeterminations returns a page of the stored determinations of the
// persons of f.Region within scope, by county, person and program, and
// the total number that match.
func (tx *Tx) ListDeterminations(ctx context.Context, scope region.Code, f DeterminationFilter) ([]DeterminationRow, int, error) {
	sw, args := scopeClause("p.", scope)
	rw, rargs := scopeClause("p.", f.Region)
	conds := []string{sw, rw, "d.year = ?"}
	args = append(append(args, rargs...), f.Year)
	if f.Program != "" {
		conds = append(conds, "d.program = ?")
		args = append(args, f.Program)
	}
	from := ` FROM determinations d JOIN persons p ON p.county = d.county AND p.id = d.person_id WHERE ` + strings.Join(conds, " AND ")
	var total int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count determinations: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT d.county, d.year, d.program, d.person_id, d.eligible, d.amount_fen, d.months, d.central_fen,
		d.province_fen, d.city_fen, d.county_fen, d.rule_version, d.explanation, p.name, p.region`+from+
		` ORDER BY d.county, d.person_id, d.program LIMIT `+strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list determinations: %w", err)
	}
	defer rows.Close()
	out := []DeterminationRow{}
	for rows.Next() {
		var d DeterminationRow
		var ex sql.NullString
		if err := rows.Scan(&d.County, &d.Year, &d.Program, &d.PersonID, &d.Eligible, &d.AmountFen, &d.Months,
			&d.Funding[0], &d.Funding[1], &d.Funding[2], &d.Funding[3], &d.RuleVersion, &ex, &d.Name, &d.Region); err != nil {
			return nil, 0, err
		}
		d.Explanation = ex.String
		out = append(out, d)
	}
	return out, total, rows.Err()
}
