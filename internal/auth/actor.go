// Package auth holds users, roles and the region scope every action is
// checked against, passwords (argon2id) and sessions.
package auth

import (
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Role is what a user does (design §1).
type Role string

// The roles.
const (
	RoleVillage    Role = "village"    // 村专干 village specialist
	RoleTownship   Role = "township"   // 乡镇计生办 township office
	RoleCounty     Role = "county"     // 县卫健委 county approver
	RoleFinance    Role = "finance"    // 财政/资金 finance officer
	RoleSupervisor Role = "supervisor" // 监督 supervisor / auditor (reads only)
	RoleCity       Role = "city"       // 市 city
	RoleProvince   Role = "province"   // 省 province
	RoleAdmin      Role = "admin"      // 系统管理员 administrator
	RoleCitizen    Role = "citizen"    // 群众 citizen (self only)
	RolePartner    Role = "partner"    // 协作部门 partner department (category checks only)
)

// Roles lists every role in display order.
var Roles = []Role{RoleVillage, RoleTownship, RoleCounty, RoleFinance, RoleSupervisor, RoleCity, RoleProvince, RoleAdmin, RoleCitizen, RolePartner}

// Actor is who is acting: a signed-in user with a role and a region scope.
// Every read and write is checked against Scope.
type Actor struct {
	UserID   int64
	Username string
	Name     string
	Role     Role
	Scope    region.Code
	// PersonCounty and PersonID are a citizen's own person in the
	// registry (zero for staff).
	PersonCounty string
	PersonID     int64
}

// System is the actor for changes made by Jiahe itself (migrations,
// generators, the command line); its scope is the whole country.
var System = Actor{UserID: 0, Username: "system", Name: "系统", Role: RoleAdmin, Scope: ""}

// CanSee reports whether code lies within the actor's scope.
func (a Actor) CanSee(code region.Code) bool { return a.Scope.Contains(code) }

// CheckScope returns a Forbidden error when code is outside the scope.
func (a Actor) CheckScope(code region.Code) error {
	if a.CanSee(code) {
		return nil
	}
	there, scope := regionName(code), regionName(a.Scope)
	return apperr.Forbiddenf("%s不在您的管辖范围（%s）内", "%s is outside your scope (%s)", there, scope)
}

// regionName names code for a message: its full name, or "区划 <code>"
// for a code the division tree does not know.
func regionName(code region.Code) string {
	if n := region.Default().FullName(code); n != "" {
		return n
	}
	return "区划 " + string(code)
}

// ReadOnly reports whether the actor's role may change nothing.
func (a Actor) ReadOnly() bool {
	return a.Role == RoleSupervisor || a.Role == RoleCity || a.Role == RoleProvince
}
