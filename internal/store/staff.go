package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

// StaffIn returns the active users of the given roles whose region is one
// of codes, by role order then name: the officers of a division and of the
// divisions above it.
func (tx *Tx) StaffIn(ctx context.Context, codes []region.Code, roles []auth.Role) ([]auth.User, error) {
	if len(codes) == 0 || len(roles) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(codes)+len(roles)+1)
	for _, c := range codes {
		args = append(args, string(c))
	}
	for _, r := range roles {
		args = append(args, string(r))
	}
	args = append(args, false)
	rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE region IN (?`+strings.Repeat(", ?", len(codes)-1)+
		`) AND role IN (?`+strings.Repeat(", ?", len(roles)-1)+`) AND disabled = ? ORDER BY region DESC, display_name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("staff: %w", err)
	}
	defer rows.Close()
	var out []auth.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("staff: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
