package auth

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// User is an account of a member of staff (or a citizen). Region is the
// root of the subtree the user works in; "" is the whole country.
type User struct {
	ID       int64       `json:"id"`
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Role     Role        `json:"role"`
	Region   region.Code `json:"region"`
	Disabled bool        `json:"disabled"`
	// PersonCounty and PersonID link a citizen to their own person in the
	// registry; both are empty for staff.
	PersonCounty string    `json:"person_county,omitempty"`
	PersonID     int64     `json:"person_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	PasswordHash string    `json:"-"`
}

// Actor returns the actor u acts as.
func (u User) Actor() Actor {
	return Actor{UserID: u.ID, Username: u.Username, Name: u.Name, Role: u.Role, Scope: u.Region,
		PersonCounty: u.PersonCounty, PersonID: u.PersonID}
}

var roleNames = map[Role]string{
	RoleVillage:    "村专干",
	RoleTownship:   "乡镇计生办",
	RoleCounty:     "县卫健委",
	RoleFinance:    "财政/资金",
	RoleSupervisor: "监督",
	RoleCity:       "市级",
	RoleProvince:   "省级",
	RoleAdmin:      "系统管理员",
	RoleCitizen:    "群众",
	RolePartner:    "协作部门",
}

// Chinese returns the role's name in Chinese, or the code itself for an
// unknown role.
func (r Role) Chinese() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	_, ok := roleNames[r]
	return ok
}

// ParseRole validates s as a role; the error names the field "role".
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", apperr.Invalidf("role", "未知角色 %q", "unknown role %q", s)
	}
	return r, nil
}

// ValidateUsername checks a login name: 3–32 characters of ASCII letters,
// digits, '.', '_' and '-', starting with a letter or digit.
func ValidateUsername(s string) error {
	if len(s) < 3 || len(s) > 32 {
		return apperr.Invalidf("username", "用户名须为3至32个字符", "the username must have 3 to 32 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return apperr.Invalidf("username", "用户名只能包含字母、数字和 . _ -，且以字母或数字开头",
				"the username may contain only letters, digits and . _ -, and must start with a letter or digit")
		}
	}
	return nil
}

// ValidateName checks a display name: 1 to 64 characters, a name as
// textcheck.Name says (no control, direction or invisible characters).
func ValidateName(s string) error {
	if n := utf8.RuneCountInString(s); n < 1 || n > 64 {
		return apperr.Invalidf("name", "姓名须为1至64个字符", "the name must have 1 to 64 characters")
	}
	if e := textcheck.Check("name", s, textcheck.Name, 64); e != nil {
		e.ZH, e.EN = "姓名"+e.ZH, "the name "+e.EN
		return e
	}
	return nil
}

// ValidateScope checks that code is a division in tree that fits role and
// returns it in canonical form ("" for the whole country):
//
//   - village: a village (12 digits); township: a township;
//   - county and finance: a county-level division;
//   - supervisor: a county or anything above it, the whole country included;
//   - city: a prefecture; province: a province;
//   - admin: any division or the whole country;
//   - citizen: a county, township or village (where the person lives).
//
// Errors name the field "region".
func ValidateScope(role Role, code region.Code, tree *region.Tree) (region.Code, error) {
	if !role.Valid() {
		return "", apperr.Invalidf("role", "未知角色 %q", "unknown role %q", string(role))
	}
	c := code
	if c != "" {
		parsed, err := region.ParseCode(string(code))
		if err != nil {
			e := err.(*region.Error)
			return "", &apperr.Error{Kind: apperr.Invalid, Field: "region", ZH: e.ZH, EN: e.EN, Err: err}
		}
		c = parsed
	}
	if c.IsCountry() {
		c = ""
	}
	lvl := c.Level()
	if c != "" {
		if _, ok := tree.Lookup(c); !ok {
			return "", apperr.Invalidf("region", "区划代码 %s 不存在", "there is no division with code %s", c)
		}
	}
	var ok bool
	switch role {
	case RoleVillage:
		ok = lvl == region.Village
	case RoleTownship:
		ok = lvl == region.Township
	case RoleCounty, RoleFinance, RolePartner:
		ok = lvl == region.County
	case RoleSupervisor:
		ok = lvl <= region.County && lvl != region.NoLevel
	case RoleCity:
		ok = lvl == region.Prefecture
	case RoleProvince:
		ok = lvl == region.Province
	case RoleAdmin:
		ok = lvl != region.NoLevel
	case RoleCitizen:
		ok = lvl >= region.County
	}
	if !ok {
		return "", &apperr.Error{Kind: apperr.Invalid, Field: "region",
			ZH: fmt.Sprintf("区划 %s（%s）不适合角色%s", displayCode(c), lvl.Chinese(), role.Chinese()),
			EN: fmt.Sprintf("division %s (%s level) does not fit the role %s", displayCode(c), lvl, role)}
	}
	return c, nil
}

func displayCode(c region.Code) string {
	if c == "" {
		return "全国"
	}
	return string(c)
}
