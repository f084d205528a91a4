package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// UnclaimedFilter selects the persons the last batch evaluation found
// eligible for a program who have not claimed it (应享未享).
type UnclaimedFilter struct {
	Region  region.Code // a county, township or village (required)
	Year    int
	Program string   // optional
	Exclude []string // programs claimed otherwise than by application
	Limit   int
	Offset  int
}

// UnclaimedRow is one person found eligible for one program, with what
// the outreach list shows of them.
type UnclaimedRow struct {
	County    string
	PersonID  int64
	Program   string
	AmountFen int64
	Name      string
	Sex       string
	Birth     date.Date
	Region    string
}

// ListUnclaimed returns a page of the living persons of f.Region within
// scope whose stored determination for f.Year is eligible and who are
// neither on the program's roll (active or suspended) nor have a case for
// it open or decided in that year, by village, name and person; and how
// many there are in all.
func (tx *Tx) ListUnclaimed(ctx context.Context, scope region.Code, f UnclaimedFilter) ([]UnclaimedRow, int, error) {
	sw, args := scopeClause("p.", scope)
	rw, rargs := scopeClause("p.", f.Region)
	conds := []string{sw, rw, "d.year = ?", "d.eligible", "p.death IS NULL"}
	args = append(append(args, rargs...), f.Year)
	if f.Program != "" {
		conds = append(conds, "d.program = ?")
		args = append(args, f.Program)
	}
	if len(f.Exclude) > 0 {
		conds = append(conds, "d.program NOT IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.Exclude)), ",")+")")
		for _, p := range f.Exclude {
			args = append(args, p)
		}
	}
	conds = append(conds,
		`NOT EXISTS (SELECT 1 FROM recipients r WHERE r.county = d.county AND r.person_id = d.person_id
			AND r.program = d.program AND r.status <> 'exited')`,
		`NOT EXISTS (SELECT 1 FROM cases c WHERE c.county = d.county AND c.person_id = d.person_id
			AND c.program = d.program AND (c.year = d.year OR c.state NOT IN ('enrolled', 'deferred', 'rejected', 'withdrawn')))`)
	from := ` FROM determinations d JOIN persons p ON p.county = d.county AND p.id = d.person_id WHERE ` + strings.Join(conds, " AND ")
	var total int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count unclaimed: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := tx.Query(ctx, `SELECT d.county, d.person_id, d.program, d.amount_fen, p.name, p.sex, p.birth, p.region`+from+
		` ORDER BY p.region, p.name, d.person_id, d.program LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list unclaimed: %w", err)
	}
	defer rows.Close()
	out := []UnclaimedRow{}
	for rows.Next() {
		var u UnclaimedRow
		if err := rows.Scan(&u.County, &u.PersonID, &u.Program, &u.AmountFen, &u.Name, &u.Sex, &u.Birth, &u.Region); err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}
