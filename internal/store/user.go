package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

var _ auth.Store = (*Tx)(nil)

// timestampLayout writes instants in UTC with a fixed width, so that
// SQLite, which keeps them as text, orders them correctly.
const timestampLayout = "2006-01-02T15:04:05.000000Z"

func formatTimestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }

const userColumns = `id, username, display_name, role, region, password_hash, disabled, created_at, updated_at, person_county, person_id`

type rowScanner interface{ Scan(dest ...any) error }

// scanUser scans the userColumns of a row, after the destinations in pre
// for any columns selected before them.
func scanUser(r rowScanner, pre ...any) (auth.User, error) {
	var u auth.User
	var role, reg, created, updated string
	var personCounty sql.NullString
	var personID sql.NullInt64
	dest := append(pre, &u.ID, &u.Username, &u.Name, &role, &reg, &u.PasswordHash, &u.Disabled, &created, &updated,
		&personCounty, &personID)
	if err := r.Scan(dest...); err != nil {
		return u, err
	}
	u.Role, u.Region = auth.Role(role), region.Code(reg)
	u.PersonCounty, u.PersonID = personCounty.String, personID.Int64
	var err error
	if u.CreatedAt, err = parseTimestamp(created); err != nil {
		return u, err
	}
	u.UpdatedAt, err = parseTimestamp(updated)
	return u, err
}

// scopeLike returns the LIKE pattern matching every code within scope.
func scopeLike(scope region.Code) (string, error) {
	p, ok := scope.Prefix()
	if !ok {
		return "", apperr.Invalidf("scope", "区划代码 %s 无效", "invalid division code %s", scope)
	}
	return p + "%", nil
}

func userNotFound(what any) error {
	return apperr.NotFoundf("用户 %v 不存在", "no user %v", what)
}

// CreateUser inserts u, assigning its ID and timestamps. A taken username
// is a Conflict on the field "username".
func (tx *Tx) CreateUser(ctx context.Context, u *auth.User) error {
	id, err := tx.NextIDs(ctx, "users", 1)
	if err != nil {
		return err
	}
	now := tx.Now()
	var personCounty any
	if u.PersonCounty != "" {
		personCounty = u.PersonCounty
	}
	_, err = tx.Exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, u.Username, u.Name, string(u.Role), string(u.Region), u.PasswordHash, u.Disabled,
		formatTimestamp(now), formatTimestamp(now), personCounty, nullInt(u.PersonID))
	if IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, Field: "username",
			ZH: fmt.Sprintf("用户名 %s 已被使用", u.Username), EN: fmt.Sprintf("the username %s is taken", u.Username), Err: err}
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, now, now
	return nil
}

// UserByUsername returns the user signing in as username, disabled or not.
// It is not scoped: sign-in happens before there is an actor.
func (tx *Tx) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, userNotFound(username)
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("user %s: %w", username, err)
	}
	return u, nil
}

// UserByID returns the user id if their region lies within scope, and a
// NotFound error otherwise.
func (tx *Tx) UserByID(ctx context.Context, scope region.Code, id int64) (auth.User, error) {
	like, err := scopeLike(scope)
	if err != nil {
		return auth.User{}, err
	}
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND region LIKE ?`, id, like))
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, userNotFound(id)
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// UserFilter selects users in Users.
type UserFilter struct {
	Role            auth.Role // "" for any
	IncludeDisabled bool
	Limit           int // default and maximum 1000
	Offset          int
}

// Users returns the users whose region lies within scope, by username.
func (tx *Tx) Users(ctx context.Context, scope region.Code, f UserFilter) ([]auth.User, error) {
	like, err := scopeLike(scope)
	if err != nil {
		return nil, err
	}
	where, args := "region LIKE ?", []any{like}
	if f.Role != "" {
		where += " AND role = ?"
		args = append(args, string(f.Role))
	}
	if !f.IncludeDisabled {
		where += " AND disabled = ?"
		args = append(args, false)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	args = append(args, limit, max(f.Offset, 0))
	rows, err := tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE `+where+` ORDER BY username LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer rows.Close()
	out := []auth.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers returns how many users there are, disabled ones included.
func (tx *Tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// UpdateUser saves u's name, role, region, disabled flag and password
// hash, and sets u.UpdatedAt.
func (tx *Tx) UpdateUser(ctx context.Context, u *auth.User) error {
	now := tx.Now()
	res, err := tx.Exec(ctx, `UPDATE users SET display_name = ?, role = ?, region = ?, password_hash = ?, disabled = ?, updated_at = ?
		WHERE id = ?`, u.Name, string(u.Role), string(u.Region), u.PasswordHash, u.Disabled, formatTimestamp(now), u.ID)
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return userNotFound(u.ID)
	}
	u.UpdatedAt = now
	return nil
}

// PersonRegion returns the registered region of person id of county, not
// scoped: it serves the check of a citizen account's link.
func (tx *Tx) PersonRegion(ctx context.Context, county string, id int64) (region.Code, error) {
	var code string
	err := tx.QueryRow(ctx, `SELECT region FROM persons WHERE county = ? AND id = ?`, county, id).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("人员 %s/%d 不存在", "no person %s/%d", county, id)
	}
	if err != nil {
		return "", fmt.Errorf("person %s/%d: %w", county, id, err)
	}
	return region.Code(code), nil
}
