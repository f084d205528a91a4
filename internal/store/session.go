package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
)

// CreateSession stores s. Only the token's hash is stored.
func (tx *Tx) CreateSession(ctx context.Context, s auth.Session) error {
	_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent) VALUES (?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, formatTimestamp(s.CreatedAt), formatTimestamp(s.ExpiresAt), s.UserAgent)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// errNoSession is returned for an unknown or expired session token.
var errNoSession = &apperr.Error{Kind: apperr.Unauthenticated, ZH: "未登录或登录已过期", EN: "not signed in, or the session has expired"}

// Session returns the session stored under tokenHash and its user. An
// unknown token is Unauthenticated; expiry is the caller's to judge with
// auth.SessionPolicy, against its own clock.
func (tx *Tx) Session(ctx context.Context, tokenHash string) (auth.Session, auth.User, error) {
	var s auth.Session
	var created, expires string
	row := tx.QueryRow(ctx, `SELECT s.token_hash, s.user_id, s.created_at, s.expires_at, s.user_agent,
		u.id, u.username, u.display_name, u.role, u.region, u.password_hash, u.disabled, u.created_at, u.updated_at,
		u.person_county, u.person_id
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash)
	user, err := scanUser(row, &s.TokenHash, &s.UserID, &created, &expires, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return s, auth.User{}, errNoSession
	}
	if err != nil {
		return s, auth.User{}, fmt.Errorf("session: %w", err)
	}
	if s.CreatedAt, err = parseTimestamp(created); err != nil {
		return s, auth.User{}, err
	}
	if s.ExpiresAt, err = parseTimestamp(expires); err != nil {
		return s, auth.User{}, err
	}
	return s, user, nil
}

// TouchSession moves the session's expiry to expires (the idle timeout
// counted from now).
func (tx *Tx) TouchSession(ctx context.Context, tokenHash string, expires time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE sessions SET expires_at = ? WHERE token_hash = ?`, formatTimestamp(expires), tokenHash)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session (sign-out). Deleting an unknown session
// is not an error.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now and
// returns how many.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, formatTimestamp(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}
