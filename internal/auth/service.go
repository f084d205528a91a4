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
	// PersonRegion returns the registered region (hukou place) of person
	// id of county; NotFound when there is no such person.
	PersonRegion(ctx context.Context, county string, id int64) (region.Code, error)
}

// NewUser is the input for creating a user.
type NewUser struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Role     Role        `json:"role"`
	Region   region.Code `json:"region"`
	Password string      `json:"password"`
	// Person links a citizen to their own person in the registry, as
	// "COUNTY/ID" (citizens only).
	Person string `json:"person,omitempty"`
}

// ParsePerson parses a person reference "COUNTY/ID" (a six-digit county
// code and a positive id); errors name the field "person".
func ParsePerson(s string) (string, int64, error) {
	county, id, ok := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseInt(id, 10, 64)
	c, cerr := region.ParseCode(county)
	if !ok || err != nil || n <= 0 || cerr != nil || c.Level() != region.County {
		return "", 0, apperr.Invalidf("person", "人员应写作 县级区划代码/编号，例如 341523/12", "the person must be given as COUNTY/ID, e.g. 341523/12")
	}
	return string(c), n, nil
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
	var personCounty string
	var personID int64
	switch {
	case n.Role == RoleCitizen && strings.TrimSpace(n.Person) == "":
		errs = append(errs, apperr.Invalidf("person", "群众账号须关联本人在人口库中的记录", "a citizen account must be linked to the citizen's own person"))
	case n.Role == RoleCitizen:
		if personCounty, personID, err = ParsePerson(n.Person); err != nil {
			errs = append(errs, err.(*apperr.Error))
		}
	case strings.TrimSpace(n.Person) != "":
		errs = append(errs, apperr.Invalidf("person", "只有群众账号可以关联人员", "only a citizen account can be linked to a person"))
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
	return User{Username: username, Name: name, Role: n.Role, Region: code, PasswordHash: hash,
		PersonCounty: personCounty, PersonID: personID}, nil
}

// userAudit is the audited view of a user: never the password hash.
type userAudit struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Role     Role        `json:"role"`
	Region   region.Code `json:"region"`
	Disabled bool        `json:"disabled"`
	Person   string      `json:"person,omitempty"`
}

func auditView(u User) userAudit {
	v := userAudit{u.Username, u.Name, u.Role, u.Region, u.Disabled, ""}
	if u.PersonID != 0 {
		v.Person = u.PersonCounty + "/" + strconv.FormatInt(u.PersonID, 10)
	}
	return v
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
	if err := checkPersonLink(ctx, s, u); err != nil {
		return User{}, err
	}
	if err := s.CreateUser(ctx, &u); err != nil {
		return User{}, err
	}
	if err := s.Audit(ctx, userEntry(by, "user.create", u, nil, auditView(u))); err != nil {
		return User{}, err
	}
	return u, nil
}

// checkPersonLink checks that a citizen is linked to a person who exists
// and lies within the citizen's region, and that staff are linked to none.
func checkPersonLink(ctx context.Context, s Store, u User) error {
	if u.Role != RoleCitizen {
		if u.PersonID != 0 || u.PersonCounty != "" {
			return apperr.Invalidf("person", "只有群众账号可以关联人员", "only a citizen account can be linked to a person")
		}
		return nil
	}
	if u.PersonID <= 0 || u.PersonCounty == "" {
		return apperr.Invalidf("person", "群众账号须关联本人在人口库中的记录", "a citizen account must be linked to the citizen's own person")
	}
	code, err := s.PersonRegion(ctx, u.PersonCounty, u.PersonID)
	if apperr.KindOf(err) == apperr.NotFound {
		return apperr.Invalidf("person", "人口库中没有人员 %s/%d", "there is no person %s/%d in the registry", u.PersonCounty, u.PersonID)
	}
	if err != nil {
		return err
	}
	if !u.Region.Contains(code) {
		return apperr.Invalidf("person", "人员 %s/%d 的户籍地（%s）不在账号区划 %s 内",
			"person %s/%d is registered in %s, outside the account's region %s", u.PersonCounty, u.PersonID, code, u.Region)
	}
	return nil
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
