package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "jiahe_session"

// Session is a signed-in session. Only the SHA-256 of its token is kept;
// the token itself lives in the user's cookie.
type Session struct {
	TokenHash string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time // the earlier of the idle and the absolute deadline
	UserAgent string
}

// SessionPolicy bounds a session's life: it ends Absolute after sign-in,
// or Idle after its last use, whichever comes first.
type SessionPolicy struct {
	Absolute time.Duration
	Idle     time.Duration
}

// DefaultSessionPolicy is a working day with a half-hour idle timeout.
var DefaultSessionPolicy = SessionPolicy{Absolute: 12 * time.Hour, Idle: 30 * time.Minute}

// Expiry returns when a session created at created and last used at now
// expires.
func (p SessionPolicy) Expiry(created, now time.Time) time.Time {
	idle := now.Add(p.Idle)
	abs := created.Add(p.Absolute)
	if idle.Before(abs) {
		return idle
	}
	return abs
}

// NeedsTouch reports whether a session used at now should have its expiry
// pushed forward. To spare a write on every request, it is refreshed only
// when at least a minute (or a tenth of the idle timeout) has passed since
// the last refresh.
func (p SessionPolicy) NeedsTouch(s Session, now time.Time) bool {
	next := p.Expiry(s.CreatedAt, now)
	step := min(time.Minute, p.Idle/10)
	return next.Sub(s.ExpiresAt) >= step
}

// Valid reports whether s is still alive at now.
func (p SessionPolicy) Valid(s Session, now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.CreatedAt.Add(p.Absolute))
}

// NewSessionToken returns a fresh random token (32 bytes, URL-safe base64)
// and the hash under which it is stored.
func NewSessionToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken returns the stored form of a session token: hex SHA-256.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
