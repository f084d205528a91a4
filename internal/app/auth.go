package app

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// Sign-in, sessions and one's own password. The doors keep only the
// cookie: they hand the token to Authenticate and SignOut, and set what
// SignIn returns.

var (
	errBadLogin = &apperr.Error{Kind: apperr.Unauthenticated, ZH: "用户名或密码错误", EN: "wrong username or password"}
	errSignIn   = &apperr.Error{Kind: apperr.Unauthenticated, ZH: "未登录或登录已过期，请重新登录", EN: "not signed in, or the session has expired: please sign in"}
)

// ThrottledError refuses a password check without making it: too many
// failed attempts for the username or the client address, or too many
// checks at once. Wait is how long to wait before trying again.
type ThrottledError struct {
	Wait time.Duration
	err  *apperr.Error
}

func (e *ThrottledError) Error() string { return e.err.Error() }
func (e *ThrottledError) Unwrap() error { return e.err }

func seconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// throttled refuses an attempt on a locked key.
func throttled(wait time.Duration) error {
	return &ThrottledError{Wait: wait, err: &apperr.Error{Kind: apperr.Forbidden,
		ZH: fmt.Sprintf("登录失败次数过多，请在%d秒后再试", seconds(wait)),
		EN: fmt.Sprintf("too many failed sign-ins: try again in %d seconds", seconds(wait))}}
}

// busy refuses a password check that found no free hash slot in time.
func busy() error {
	const wait = time.Second
	return &ThrottledError{Wait: wait, err: &apperr.Error{Kind: apperr.Forbidden,
		ZH: fmt.Sprintf("同时登录的人数过多，请在%d秒后再试", seconds(wait)),
		EN: fmt.Sprintf("too many sign-ins at once: try again in %d seconds", seconds(wait))}}
}

// gate guards the password hashes: the throttle counts attempts per
// username and per client address before any hash is computed, and slots
// bound how many hashes (argon2id, Config.Password.Memory each) run at
// once. The counts live in memory, in one process (see auth.Throttle).
type gate struct {
	throttle *auth.Throttle
	slots    chan struct{}
	wait     time.Duration
	hashes   atomic.Int64 // password hashes computed, verified or new

	dummyOnce sync.Once
	dummy     string
	dummyErr  error
}

func newGate(cfg Config) *gate {
	n, wait := cfg.Hashes, cfg.HashWait
	if n <= 0 {
		n = 2
	}
	if wait <= 0 {
		wait = 2 * time.Second
	}
	return &gate{throttle: auth.NewThrottle(), slots: make(chan struct{}, n), wait: wait}
}

// hashing runs fn, which computes one password hash, in a free slot. It
// waits for one up to Config.HashWait and is refused as throttled after.
func (a *App) hashing(ctx context.Context, fn func() error) error {
	g := a.gate
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return busy()
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	g.hashes.Add(1)
	return fn()
}

// verify reports whether password matches the stored hash, in a slot.
func (a *App) verify(ctx context.Context, hash, password string) (ok bool, err error) {
	err = a.hashing(ctx, func() error {
		ok, err = auth.VerifyPassword(hash, password)
		return err
	})
	return ok, err
}

// hashNew hashes a new password under Config.Password, in a slot.
func (a *App) hashNew(ctx context.Context, password string) (hash string, err error) {
	err = a.hashing(ctx, func() error {
		hash, err = auth.HashPassword(password, a.cfg.Password)
		return err
	})
	return hash, err
}

// dummyHash is what an unknown username's password is checked against, so
// that a wrong username costs as long as a wrong password.
func (a *App) dummyHash() (string, error) {
	g := a.gate
	g.dummyOnce.Do(func() { g.dummy, g.dummyErr = auth.HashPassword("jiahe-unknown-user-0", a.cfg.Password) })
	return g.dummy, g.dummyErr
}

// throttleKeys are the throttle's keys of a username and a client address.
func throttleKeys(username, addr string) (user, client string) {
	return "u:" + strings.ToLower(username), "ip:" + addr
}

// Credentials are what a sign-in presents, and where it comes from.
type Credentials struct {
	Username string
	Password string
	// Addr is the client's address: attempts are throttled per username
	// and per address, and it is recorded with the sign-in.
	Addr string
	// UserAgent is recorded with the session.
	UserAgent string
}

// SignedIn is a session just started.
type SignedIn struct {
	User auth.User
	// Token goes into the session cookie; only its hash is stored.
	Token     string
	ExpiresAt time.Time
	// Lifetime is the longest the session may last: the cookie's age.
	Lifetime time.Duration
}

// SignIn checks a username and password and starts a session.
//
// Each attempt is counted against the username and the client address
// before its password is hashed (auth.Throttle.Attempt), attempts under
// way included, so that no more guesses are hashed, however many arrive at
// once, than could fail before the lock; an attempt on a locked key is
// refused (ThrottledError) unchecked. At most Config.Hashes hashes run at
// once. An unknown username is checked against a dummy hash, and a
// disabled account gets the answer of a wrong password, so that neither
// can be told from a wrong password. A failed attempt is recorded
// (user.login_failed, with the reason) on the system chain; a sign-in is
// recorded (user.login) with its session in one transaction. The user is
// read by one statement outside any transaction, and no transaction is
// open while the password is hashed.
func (a *App) SignIn(ctx context.Context, in Credentials) (*SignedIn, error) {
	username := strings.TrimSpace(in.Username)
	if username == "" {
		return nil, apperr.Invalidf("username", "请输入用户名", "the username is required")
	}
	th := a.gate.throttle
	ukey, ckey := throttleKeys(username, in.Addr)
	if wait := th.Attempt(a.Now(), ukey, ckey); wait > 0 {
		return nil, throttled(wait)
	}
	release := func() { th.Release(ukey); th.Release(ckey) }
	var u auth.User
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		u, err = tx.UserByUsername(ctx, username)
		return err
	})
	found := err == nil
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		release()
		return nil, err
	}
	hash := u.PasswordHash
	if !found {
		if hash, err = a.dummyHash(); err != nil {
			release()
			return nil, err
		}
	}
	ok, err := a.verify(ctx, hash, in.Password)
	if err != nil {
		release()
		return nil, err
	}
	if !found || !ok || u.Disabled {
		now := a.Now()
		th.Fail(ukey, now)
		th.Fail(ckey, now)
		switch {
		case !found:
			return nil, a.signInFailed(ctx, in, username, nil, "unknown_user")
		case !ok:
			return nil, a.signInFailed(ctx, in, username, &u, "wrong_password")
		}
		return nil, a.signInFailed(ctx, in, username, &u, "disabled")
	}
	th.Succeed(ukey)
	th.Release(ckey)
	return a.startSession(ctx, u, in)
}

// signInFailed records a failed sign-in on the system chain, against the
// account when there is one, and returns the answer of every failure.
func (a *App) signInFailed(ctx context.Context, in Credentials, username string, u *auth.User, reason string) error {
	e := audit.Entry{Username: clip(username, 64), Action: "user.login_failed", Entity: "user",
		After: audit.JSON(map[string]string{"ip": in.Addr, "reason": reason})}
	if u != nil {
		e.UserID, e.Username, e.EntityID, e.Region = u.ID, u.Username, strconv.FormatInt(u.ID, 10), string(u.Region)
	}
	ctx = context.WithoutCancel(ctx)
	if err := a.db.Update(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	return errBadLogin
}

// startSession opens a session for u and records the sign-in, in one
// transaction.
func (a *App) startSession(ctx context.Context, u auth.User, in Credentials) (*SignedIn, error) {
	token, tokenHash, err := auth.NewSessionToken()
	if err != nil {
		return nil, err
	}
	now := a.Now()
	s := auth.Session{TokenHash: tokenHash, UserID: u.ID, CreatedAt: now, ExpiresAt: a.cfg.Session.Expiry(now, now), UserAgent: clip(in.UserAgent, 200)}
	err = a.db.Update(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{UserID: u.ID, Username: u.Username, Action: "user.login",
			Entity: "user", EntityID: strconv.FormatInt(u.ID, 10), Region: string(u.Region),
			After: audit.JSON(map[string]string{"ip": in.Addr})})
	})
	if err != nil {
		return nil, err
	}
	return &SignedIn{User: u, Token: token, ExpiresAt: s.ExpiresAt, Lifetime: a.cfg.Session.Absolute}, nil
}

// clip makes s safe to store as short text: valid UTF-8 without control
// characters, at most n bytes, cut between characters.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// Authenticate returns the actor of the session whose token is token. It
// moves the session's idle deadline forward when that is due (at most
// about once a minute), in a transaction of its own; the session is read
// by one statement outside any transaction. No token, an unknown, expired
// or ended session, and a disabled user are all Unauthenticated.
func (a *App) Authenticate(ctx context.Context, token string) (auth.Actor, error) {
	if token == "" {
		return auth.Actor{}, errSignIn
	}
	hash := auth.HashToken(token)
	var s auth.Session
	var u auth.User
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		s, u, err = tx.Session(ctx, hash)
		return err
	})
	if apperr.KindOf(err) == apperr.Unauthenticated {
		return auth.Actor{}, errSignIn
	}
	if err != nil {
		return auth.Actor{}, err
	}
	now := a.Now()
	if !a.cfg.Session.Valid(s, now) || u.Disabled {
		return auth.Actor{}, errSignIn
	}
	if a.cfg.Session.NeedsTouch(s, now) {
		err := a.db.Update(ctx, func(tx *store.Tx) error {
			return tx.TouchSession(ctx, hash, a.cfg.Session.Expiry(s.CreatedAt, now))
		})
		if err != nil {
			return auth.Actor{}, err
		}
	}
	return u.Actor(), nil
}

// SignOut ends the session whose token is token and records it
// (user.logout). No token or an unknown one is not an error.
func (a *App) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	hash := auth.HashToken(token)
	return a.db.Update(ctx, func(tx *store.Tx) error {
		s, u, err := tx.Session(ctx, hash)
		if apperr.KindOf(err) == apperr.Unauthenticated {
			return nil
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteSession(ctx, s.TokenHash); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Entry{UserID: u.ID, Username: u.Username, Action: "user.logout",
			Entity: "user", EntityID: strconv.FormatInt(u.ID, 10), Region: string(u.Region)})
	})
}

// SweepSessions removes the sessions that have expired and returns how
// many.
func (a *App) SweepSessions(ctx context.Context) (int64, error) {
	var n int64
	err := a.db.Update(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.DeleteExpiredSessions(ctx, tx.Now())
		return err
	})
	return n, err
}

// Profile is the signed-in user as they see themselves.
type Profile struct {
	User auth.User
	// RegionName is the full name of the user's region.
	RegionName string
	// Permissions are what the user's role may do.
	Permissions []auth.Permission
}

// Me returns the actor's own account, with what their role may do.
func (a *App) Me(ctx context.Context, who auth.Actor) (*Profile, error) {
	return look(a, ctx, who, selfUserOp("user.me", who), func(tx *store.Tx) (*Profile, error) {
		u, err := tx.UserByID(ctx, "", who.UserID)
		if err != nil {
			return nil, err
		}
		p := &Profile{User: u, RegionName: a.tree().FullName(u.Region), Permissions: []auth.Permission{}}
		for _, perm := range auth.Permissions {
			if auth.Can(who, perm) {
				p.Permissions = append(p.Permissions, perm)
			}
		}
		return p, nil
	})
}

// selfUserOp is the access rule of a use case on the actor's own account:
// anyone signed in.
func selfUserOp(name string, who auth.Actor) op {
	return op{name: name, target: Target{Entity: "user", ID: strconv.FormatInt(who.UserID, 10)}}
}

// PasswordChange is a user's change of their own password.
type PasswordChange struct {
	Old string
	New string
	// Addr is the client's address, for the throttle.
	Addr string
}

// ChangeOwnPassword sets the actor's password, given the current one, and
// ends every session of the actor. The check of the current password is
// counted, throttled and bounded as a sign-in is (SignIn), on the same
// keys; the user is read by one statement, and the new password is saved
// and audited in one transaction.
func (a *App) ChangeOwnPassword(ctx context.Context, who auth.Actor, in PasswordChange) error {
	th := a.gate.throttle
	ukey, ckey := throttleKeys(who.Username, in.Addr)
	if wait := th.Attempt(a.Now(), ukey, ckey); wait > 0 {
		return throttled(wait)
	}
	release := func() { th.Release(ukey); th.Release(ckey) }
	var u auth.User
	err := a.db.Read(ctx, func(tx *store.Tx) (err error) {
		u, err = tx.UserByID(ctx, "", who.UserID)
		return err
	})
	if err != nil {
		release()
		return err
	}
	ok, err := a.verify(ctx, u.PasswordHash, in.Old)
	var te *ThrottledError
	if errors.As(err, &te) {
		release()
		return err
	}
	if ctx.Err() != nil {
		release()
		return ctx.Err()
	}
	if err != nil || !ok { // a malformed stored hash matches nothing
		now := a.Now()
		th.Fail(ukey, now)
		th.Fail(ckey, now)
		return apperr.Invalidf("old_password", "原密码错误", "the current password is wrong")
	}
	th.Succeed(ukey)
	th.Release(ckey)
	if err := auth.CheckNewPassword(who.Username, in.New); err != nil {
		return err
	}
	hash, err := a.hashNew(ctx, in.New)
	if err != nil {
		return err
	}
	return a.update(ctx, who, selfUserOp("user.password_change", who), func(tx *store.Tx) error {
		return auth.ResetPassword(ctx, tx, who, who.UserID, hash)
	})
}

// Identity is who the province's unified identity service (OpenID
// Connect) says signed in: the issuer, the subject, and the ID number it
// vouches for, which links the sign-in to a person of the registry.
type Identity struct {
	Issuer   string
	Subject  string
	IDNumber string
}

// errNoCitizenAccount answers a verified identity that no account of
// Jiahe is linked to.
var errNoCitizenAccount = apperr.New(apperr.Unauthenticated, "您的身份已核验，但尚未开通本系统的群众账号，请联系村（居）计生专干",
	"your identity is verified but has no citizen account here: ask the village specialist")

// SignInVerified starts a session for the citizen account linked to the
// person whose ID number the identity service vouched for (the door has
// verified the ID token): the seam for the province's unified identity,
// beside passwords. The sign-in is recorded (user.login, via oidc); an
// identity without an account is recorded as a failed sign-in.
func (a *App) SignInVerified(ctx context.Context, id Identity, in Credentials) (*SignedIn, error) {
	var u auth.User
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		p, err := tx.PersonByIDNumber(ctx, "", strings.TrimSpace(id.IDNumber))
		if err != nil {
			return err
		}
		u, err = tx.CitizenUserOf(ctx, p.County, p.ID)
		return err
	})
	if apperr.KindOf(err) == apperr.NotFound || apperr.KindOf(err) == apperr.Invalid {
		e := audit.Entry{Username: "oidc", Action: "user.login_failed", Entity: "user",
			After: audit.JSON(map[string]string{"ip": in.Addr, "reason": "no_citizen_account", "issuer": clip(id.Issuer, 200)})}
		if uerr := a.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.Audit(ctx, e) }); uerr != nil {
			return nil, uerr
		}
		return nil, errNoCitizenAccount
	}
	if err != nil {
		return nil, err
	}
	return a.startSession(ctx, u, in)
}
