package auth

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Store is what user management needs from storage, inside one
// transaction. *store.Tx implements it.
type Store interface {
	// Now returns the transaction's instant.
	Now() time.Time
	// CreateUser inserts u, assigning u.ID, CreatedAt and UpdatedAt. A
	// taken username is a Conflict.
	CreateUser(ctx context.Context, u *User) error
	// UserByID returns the user with id whose region lies within scope;
	// NotFound otherwise.
	UserByID(ctx context.Context, scope region.Code, id int64) (User, error)
	// UpdateUser saves u's name, role, region, disabled flag and password
	// hash, and sets u.UpdatedAt.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUserSessions signs the user out everywhere.
	DeleteUserSessions(ctx context.Context, userID int64) error
	// Audit appends an entry to the audit log.
	Audit(ctx context.Context, e audit.Entry) error
}

// NewUser is the input for creating a user.
type NewUser struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Role     Role        `json:"role"`
	Region   region.Code `json:"region"`
	Password string      `json:"password"`
}

// Build validates n against tree and the password policy and returns the
// user to create, with its password hashed under p. Hashing is slow on
// purpose, so call Build before opening the transaction.
func (n NewUser) Build(tree *region.Tree, p Params) (User, error) {
	var errs apperr.List
	username := strings.TrimSpace(n.Username)
	if err := ValidateUsername(username); err != nil {
		errs = append(errs, err.(*apperr.Error))
	}
	name := strings.TrimSpace(n.Name)
	if err := ValidateName(name); err != nil {
		errs = append(errs, err.(*apperr.Error))
	}
	code, err := ValidateScope(n.Role, n.Region, tree)
	if err != nil {
		errs = append(errs, err.(*apperr.Error))
	}
	if err := CheckPassword(n.Password); err != nil {
		errs = append(errs, err.(*apperr.Error))
	}
	if len(errs) == 1 {
		return User{}, errs[0]
	}
	if err := errs.Err(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password, p)
	if err != nil {
		return User{}, err
	}
	return User{Username: username, Name: name, Role: n.Role, Region: code, PasswordHash: hash}, nil
}

// userAudit is the audited view of a user: never the password hash.
type userAudit struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Role     Role        `json:"role"`
	Region   region.Code `json:"region"`
	Disabled bool        `json:"disabled"`
}

func auditView(u User) userAudit {
	return userAudit{u.Username, u.Name, u.Role, u.Region, u.Disabled}
}

func userEntry(by Actor, action string, u User, before, after any) audit.Entry {
	return audit.Entry{
		County: "", UserID: by.UserID, Username: by.Username, Action: action,
		Entity: "user", EntityID: strconv.FormatInt(u.ID, 10), Region: string(u.Region),
		Before: audit.JSON(before), After: audit.JSON(after),
	}
}

// CreateUser creates u (from NewUser.Build) on behalf of by, who must
// manage users and may create them only within their own scope.
func CreateUser(ctx context.Context, s Store, by Actor, u User) (User, error) {
	if err := Require(by, PermUsersManage); err != nil {
		return User{}, err
	}
	if err := by.CheckScope(u.Region); err != nil {
		return User{}, err
	}
	u.Disabled = false
	if err := s.CreateUser(ctx, &u); err != nil {
		return User{}, err
	}
	if err := s.Audit(ctx, userEntry(by, "user.create", u, nil, auditView(u))); err != nil {
		return User{}, err
	}
	return u, nil
}

// SetDisabled disables (or enables again) the user id on behalf of by.
// Disabling signs the user out everywhere. Nobody disables themselves.
func SetDisabled(ctx context.Context, s Store, by Actor, id int64, disabled bool) (User, error) {
	if err := Require(by, PermUsersManage); err != nil {
		return User{}, err
	}
	if disabled && id == by.UserID {
		return User{}, apperr.Conflictf("不能停用自己的账号", "you cannot disable your own account")
	}
	u, err := s.UserByID(ctx, by.Scope, id)
	if err != nil {
		return User{}, err
	}
	if u.Disabled == disabled {
		return u, nil
	}
	before := auditView(u)
	u.Disabled = disabled
	if err := s.UpdateUser(ctx, &u); err != nil {
		return User{}, err
	}
	action := "user.enable"
	if disabled {
		action = "user.disable"
		if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
			return User{}, err
		}
	}
	if err := s.Audit(ctx, userEntry(by, action, u, before, auditView(u))); err != nil {
		return User{}, err
	}
	return u, nil
}

// ResetPassword sets the password of user id to the one hashed in hash
// (validate and hash it with CheckPassword and HashPassword first) and
// signs the user out everywhere. An administrator may reset anyone's
// password within scope; anyone may reset their own.
func ResetPassword(ctx context.Context, s Store, by Actor, id int64, hash string) error {
	scope := by.Scope
	if id != by.UserID {
		if err := Require(by, PermUsersManage); err != nil {
			return err
		}
	} else {
		scope = ""
	}
	u, err := s.UserByID(ctx, scope, id)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	if err := s.UpdateUser(ctx, &u); err != nil {
		return err
	}
	if err := s.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	return s.Audit(ctx, userEntry(by, "user.password", u, nil, nil))
}
