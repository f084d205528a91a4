package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

var _ registry.RosterStore = (*Tx)(nil)

// idChunk bounds the placeholders of one IN list (SQLite allows 32766,
// PostgreSQL 65535).
const idChunk = 500

// IDNumbersTaken returns those of numbers that are registered anywhere,
// whatever the scope: an ID number is unique nationally.
func (tx *Tx) IDNumbersTaken(ctx context.Context, numbers []string) (map[string]bool, error) {
	taken := map[string]bool{}
	for len(numbers) > 0 {
		chunk := numbers[:min(idChunk, len(numbers))]
		numbers = numbers[len(chunk):]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		marks := strings.Repeat(", ?", len(chunk))[2:]
		rows, err := tx.Query(ctx, `SELECT DISTINCT id_number FROM persons WHERE id_number IN (`+marks+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return nil, err
			}
			taken[n] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return taken, nil
}

// EachPerson calls fn for every person within scope, in the order of
// county, division and id, reading row by row so that a county of any
// size streams through in constant memory. It stops at fn's first error.
func (tx *Tx) EachPerson(ctx context.Context, scope region.Code, fn func(*registry.Record) error) error {
	if _, ok := scope.Prefix(); !ok {
		return apperr.Invalidf("region", "区划代码 %s 无效", "invalid division code %s", scope)
	}
	where, args := scopeClause("", scope)
	rows, err := tx.Query(ctx, `SELECT `+personColumns+` FROM persons WHERE `+where+` ORDER BY county, region, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanPerson(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PersonIDRange returns the least and the greatest person id of county,
// both 0 when it has no person.
func (tx *Tx) PersonIDRange(ctx context.Context, county string) (lo, hi int64, err error) {
	err = tx.QueryRow(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM persons WHERE county = ?`, county).Scan(&lo, &hi)
	return lo, hi, err
}

// NumberedPersonFrom returns the person of county with the least id not
// below id among those that have an ID number (NotFound when none has).
func (tx *Tx) NumberedPersonFrom(ctx context.Context, county string, id int64) (*registry.Record, error) {
	r, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM persons WHERE county = ? AND id >= ? AND id_number IS NOT NULL
		ORDER BY id LIMIT 1`, county, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errPersonNotFound
	}
	return r, err
}
