// Package app is Jiahe's use-case layer: one exported method for each thing
// a user can do — register a person, take a step of a case, generate a
// payment cycle, save a rule layer, read a person's overview — that both
// doors (the JSON API and the staff pages) and the command line call.
//
// Every method has the same shape. It opens exactly one transaction; it
// checks the actor's permission and the region scope of what it touches
// (reading the target's region without scope first, so that an object
// outside the scope is refused rather than reported missing); it calls the
// domain packages, which check state, separation of duties and content and
// write their audit entries in that transaction; and when it refuses, it
// records the refusal (access.denied, with the user, the door's route and
// the target) in a transaction of its own, on the actor's own audit chain.
//
// The App also holds the compiled rules in force, rebuilt when a rule layer
// is saved, so that no request compiles rules.
package app

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/s3"
)

// Config is the use-case layer's configuration.
type Config struct {
	// Password is the argon2id cost of new passwords.
	Password auth.Params
	// Session bounds session lifetimes.
	Session auth.SessionPolicy
	// Hashes bounds how many password hashes run at once (each takes
	// Password.Memory); a password check that finds no free slot within
	// HashWait is refused as throttled. Zero means 2 and 2 seconds.
	Hashes   int
	HashWait time.Duration
	// Keys are the key file's keys (package keys), without which Open
	// cannot read or write the database.
	Keys *keys.Ring
	// Files is the directory that keeps the bytes of attachments (for an
	// SQLite deployment, one beside the database file); empty keeps them
	// in the database itself.
	Files string
	// S3, when set, is the S3-compatible object store (MinIO, …) that
	// keeps the bytes of new attachments instead; older ones are still
	// read from where they were kept.
	S3 *s3.Store
}

// DefaultConfig is the production configuration.
func DefaultConfig() Config {
	return Config{Password: auth.DefaultParams, Session: auth.DefaultSessionPolicy, Hashes: 2, HashWait: 2 * time.Second}
}

// App is the use-case layer over one database.
type App struct {
	db    *store.DB
	log   *slog.Logger
	cfg   Config
	rules *rulebook
	gate  *gate // the sign-in throttle and the password hash slots
	// matchIx keeps the matcher's index of the county imported last.
	matchIx matchIndexes
}

// New returns the use-case layer over db.
func New(db *store.DB, cfg Config, logger *slog.Logger) *App {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The division tree is read in the background (a tenth of a second
	// of unpacking): a command that needs it late, or not at all, does
	// not wait for it first.
	go region.Default()
	return &App{db: db, log: logger, cfg: cfg, rules: newRulebook(), gate: newGate(cfg)}
}

// Open opens the database at url, brings its schema up to date when
// migrate is set, and returns the use-case layer over it. The schema must
// then be exactly the one this binary expects (an old one, or a newer one
// from a later release, is refused) and the key file the database's.
// Close closes the database.
func Open(ctx context.Context, url string, migrate bool, cfg Config, logger *slog.Logger) (*App, error) {
	db, err := store.Open(ctx, url, store.WithKeys(cfg.Keys))
	if err != nil {
		return nil, err
	}
	if migrate {
		err = db.Migrate(ctx)
	}
	if err == nil {
		err = db.CheckSchema(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	a := New(db, cfg, logger)
	// The divisions made by recorded changes are known to the tree, so
	// that records may hold their codes (docs/regions.md).
	if err := a.DeclareDivisions(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// Close closes the database.
func (a *App) Close() error { return a.db.Close() }

// Tree returns the division tree.
func (a *App) Tree() *region.Tree { return a.tree() }

// tree returns the division tree.
func (a *App) tree() *region.Tree { return region.Default() }

// Config returns the configuration.
func (a *App) Config() Config { return a.cfg }

// Now returns the current instant of the database's clock.
func (a *App) Now() time.Time { return a.db.Now() }

// SetClock replaces the clock (tests and the demo's fixed day).
func (a *App) SetClock(now func() time.Time) { a.db.Now = now }

// Engine names the database engine ("sqlite" or "postgres").
func (a *App) Engine() string { return string(a.db.Engine) }

// Ping checks the database connection (for /healthz).
func (a *App) Ping(ctx context.Context) error { return a.db.Ping(ctx) }

// PoolStats returns the statistics of the database's connection pool,
// for the metrics collector.
func (a *App) PoolStats() sql.DBStats { return a.db.Stats() }

// DB returns the database, for the tests that set up fixtures; doors never
// call it.
func (a *App) DB() *store.DB { return a.db }

// Target names what a use case acts on, for the audit entry of a refusal.
type Target struct {
	Entity string
	ID     string
	Region region.Code
}

// op is one use case's access rule: the permission it needs (none when
// empty: the domain decides, e.g. for a citizen's own data), the target,
// and how to find the target's region without scope (nil when the target
// has no region of its own, or Target.Region already says it).
type op struct {
	name   string
	perm   auth.Permission
	target Target
	locate func(ctx context.Context, tx *store.Tx) (region.Code, error)
}

// check runs the op's access rule inside tx: the permission, then the
// region of the target against the actor's scope. A target located
// without scope is refused as not found, so that the answer reveals
// nothing; a region the caller named is refused as forbidden, since
// naming it reveals nothing either.
func (o *op) check(ctx context.Context, tx *store.Tx, who auth.Actor) error {
	if o.perm != "" {
		if err := auth.Require(who, o.perm); err != nil {
			return err
		}
	}
	code := o.target.Region
	if o.locate != nil {
		c, err := o.locate(ctx, tx)
		if err != nil {
			return err
		}
		code, o.target.Region = c, c
	}
	if code != "" && !who.CanSee(code) {
		if o.locate == nil {
			return who.CheckScope(code)
		}
		return outOfScope(o.target.Entity)
	}
	return nil
}

// update runs fn in one read-write transaction after o's access check.
// A refusal is audited. When the target lies in a county, the county's
// audit chain is locked first (store.Tx.LockChain), so that the county's
// writes run one after another.
func (a *App) update(ctx context.Context, who auth.Actor, o op, fn func(tx *store.Tx) error) error {
	err := a.db.Update(ctx, func(tx *store.Tx) error {
		if err := o.check(ctx, tx, who); err != nil {
			return err
		}
		if c := a.tree().County(o.target.Region); c != "" {
			if err := tx.LockChain(ctx, string(c)); err != nil {
				return err
			}
		}
		return fn(tx)
	})
	return a.audited(ctx, who, o, err)
}

// view runs fn in one read-only transaction after o's access check. A
// refusal is audited.
func (a *App) view(ctx context.Context, who auth.Actor, o op, fn func(tx *store.Tx) error) error {
	err := a.db.View(ctx, func(tx *store.Tx) error {
		if err := o.check(ctx, tx, who); err != nil {
			return err
		}
		return fn(tx)
	})
	return a.audited(ctx, who, o, err)
}

// read runs fn without a transaction (single-statement look-ups on the
// hot path) after o's access check. A refusal is audited.
func (a *App) read(ctx context.Context, who auth.Actor, o op, fn func(tx *store.Tx) error) error {
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if err := o.check(ctx, tx, who); err != nil {
			return err
		}
		return fn(tx)
	})
	return a.audited(ctx, who, o, err)
}

// scopeError is a refusal answered as "not found", so that the answer does
// not reveal what exists outside the actor's scope.
type scopeError struct{ err *apperr.Error }

func (e scopeError) Error() string { return e.err.Error() }
func (e scopeError) Unwrap() error { return e.err }

func outOfScope(entity string) error {
	zh, en := "未找到该记录，或不在您的管辖范围内", "no such record in your scope"
	switch entity {
	case "person":
		zh, en = "未找到该人员，或不在您的管辖范围内", "no such person in your scope"
	case "case":
		zh, en = "未找到该案件，或不在您的管辖范围内", "no such case in your scope"
	}
	return scopeError{apperr.New(apperr.NotFound, zh, en)}
}

// IsRefusal reports whether err refuses the actor: a Forbidden error, or a
// target outside the actor's scope.
func IsRefusal(err error) bool {
	var s scopeError
	return apperr.KindOf(err) == apperr.Forbidden || errors.As(err, &s)
}

// audited records err as access.denied when it is a refusal, and returns
// it unchanged.
func (a *App) audited(ctx context.Context, who auth.Actor, o op, err error) error {
	if err == nil || !IsRefusal(err) {
		return err
	}
	if derr := a.deny(ctx, who, o, err); derr != nil {
		a.log.ErrorContext(ctx, "audit refusal", "err", derr)
		return derr
	}
	return err
}

// Refuse records a refusal decided by a door before any use case could
// run (a route the actor's role may not open) and returns refusal.
func (a *App) Refuse(ctx context.Context, who auth.Actor, t Target, refusal error) error {
	if derr := a.deny(ctx, who, op{target: t}, refusal); derr != nil {
		return derr
	}
	return refusal
}

// deny writes the access.denied entry in a transaction of its own (the
// refused work, if any, was rolled back), on the actor's own chain: the
// county of the actor's scope, or the system chain above county level.
// The target's region and the door's route go into the entry.
func (a *App) deny(ctx context.Context, who auth.Actor, o op, refusal error) error {
	chain := ""
	if who.Scope.Level() >= region.County {
		chain = string(a.tree().County(who.Scope))
	}
	req := RequestFrom(ctx)
	detail := map[string]string{"reason": refusal.Error()}
	for k, v := range map[string]string{"door": req.Door, "method": req.Method, "route": req.Route, "use_case": o.name} {
		if v != "" {
			detail[k] = v
		}
	}
	e := audit.Entry{County: chain, UserID: who.UserID, Username: who.Username, Action: "access.denied",
		Entity: o.target.Entity, EntityID: o.target.ID, Region: string(o.target.Region), After: audit.JSON(detail)}
	ctx = context.WithoutCancel(ctx)
	return a.db.Update(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) })
}
