package app

import (
	"context"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// User management: administrators list, create, disable and enable users
// and reset their passwords, within their scope. The command line does the
// same as auth.System.

// UserQuery selects users.
type UserQuery struct {
	Role            auth.Role // "" for any
	IncludeDisabled bool
	Limit           int // default and at most 1000
	Offset          int
}

// UserRef names a user: by id, or by username when ID is zero.
type UserRef struct {
	ID       int64
	Username string
}

func (r UserRef) String() string {
	if r.ID != 0 {
		return strconv.FormatInt(r.ID, 10)
	}
	return r.Username
}

// userOp is the access rule of managing user ref: the permission, and the
// user's region within the actor's scope. The user is found without scope,
// so that one outside the scope is refused (and the refusal audited)
// rather than reported missing; locating it stores its id in *id (and,
// when username is not nil, its username in *username).
func userOp(name string, who auth.Actor, ref UserRef, id *int64, username ...*string) op {
	return op{name: name, perm: auth.PermUsersManage, target: Target{Entity: "user", ID: ref.String()},
		locate: func(ctx context.Context, tx *store.Tx) (region.Code, error) {
			var u auth.User
			var err error
			if ref.ID != 0 {
				u, err = tx.UserByID(ctx, "", ref.ID)
			} else {
				u, err = tx.UserByUsername(ctx, ref.Username)
			}
			if err != nil {
				return "", err
			}
			*id = u.ID
			for _, n := range username {
				*n = u.Username
			}
			if u.Region == "" && who.Scope != "" {
				// A user of the whole country lies outside every
				// narrower scope.
				return "", outOfScope("user")
			}
			return u.Region, nil
		}}
}

// Users lists a page of the users within the actor's scope, by username.
func (a *App) Users(ctx context.Context, who auth.Actor, q UserQuery) ([]auth.User, error) {
	o := op{name: "user.list", perm: auth.PermUsersManage, target: Target{Entity: "user"}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]auth.User, error) {
		return tx.Users(ctx, who.Scope, store.UserFilter{Role: q.Role, IncludeDisabled: q.IncludeDisabled, Limit: q.Limit, Offset: q.Offset})
	})
}

// User returns the user ref.
func (a *App) User(ctx context.Context, who auth.Actor, ref UserRef) (auth.User, error) {
	var id int64
	return look(a, ctx, who, userOp("user.read", who, ref, &id), func(tx *store.Tx) (auth.User, error) {
		return tx.UserByID(ctx, who.Scope, id)
	})
}

// CreateUser creates a user within the actor's scope. The input is
// checked and the password hashed before the transaction opens, after the
// actor's permission is checked.
func (a *App) CreateUser(ctx context.Context, who auth.Actor, in auth.NewUser) (auth.User, error) {
	o := op{name: "user.create", perm: auth.PermUsersManage, target: Target{Entity: "user"}}
	if err := auth.Require(who, o.perm); err != nil {
		return auth.User{}, a.audited(ctx, who, o, err)
	}
	if err := auth.CheckNewPassword(in.Username, in.Password); err != nil {
		return auth.User{}, err
	}
	var u auth.User
	err := a.hashing(ctx, func() (err error) {
		u, err = in.Build(a.tree(), a.cfg.Password)
		return err
	})
	if err != nil {
		return auth.User{}, err
	}
	if err := who.CheckScope(u.Region); err != nil {
		o.target.Region = u.Region
		return auth.User{}, a.audited(ctx, who, o, err)
	}
	return write(a, ctx, who, o, func(tx *store.Tx) (auth.User, error) {
		if err := a.inForce(ctx, tx, "region", string(u.Region)); err != nil {
			return auth.User{}, err
		}
		return auth.CreateUser(ctx, tx, who, u)
	})
}

// SetUserDisabled disables (or enables again) the user ref. Disabling
// ends the user's sessions; nobody disables themselves.
func (a *App) SetUserDisabled(ctx context.Context, who auth.Actor, ref UserRef, disabled bool) (auth.User, error) {
	name := "user.enable"
	if disabled {
		name = "user.disable"
	}
	var id int64
	return write(a, ctx, who, userOp(name, who, ref, &id), func(tx *store.Tx) (auth.User, error) {
		return auth.SetDisabled(ctx, tx, who, id, disabled)
	})
}

// ResetPassword sets a new password for the user ref and ends the user's
// sessions. The password is checked and hashed before the transaction
// opens, after the actor's permission is checked.
func (a *App) ResetPassword(ctx context.Context, who auth.Actor, ref UserRef, password string) error {
	var id int64
	var username string
	o := userOp("user.password", who, ref, &id, &username)
	if err := auth.Require(who, o.perm); err != nil {
		return a.audited(ctx, who, o, err)
	}
	// A user named by id is checked against its username once located.
	if err := auth.CheckNewPassword(ref.Username, password); err != nil {
		return err
	}
	hash, err := a.hashNew(ctx, password)
	if err != nil {
		return err
	}
	return a.update(ctx, who, o, func(tx *store.Tx) error {
		if err := auth.CheckNewPassword(username, password); err != nil {
			return err
		}
		return auth.ResetPassword(ctx, tx, who, id, hash)
	})
}
