package policy

import (
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
)

// CanEditLayer decides whether a may add a rule layer for region (a
// prefix of division codes: "34" a province, "3415" a city, "341523" a
// county, "" the national baseline). Rules are managed level by level: a
// county, city or province adds layers for its own level only — the region
// its scope's prefix names — never for a region above or below it. The
// system may add a layer for any region; other roles change no rules.
func CanEditLayer(a auth.Actor, region string) error {
	if err := auth.Require(a, auth.PermRulesManage); err != nil {
		return err
	}
	switch a.Role {
	case auth.RoleCounty, auth.RoleCity, auth.RoleProvince:
	case auth.RoleAdmin:
		return nil // with the permission, only the system
	default:
		return apperr.Forbiddenf("无权修改政策规则", "the role %s may not change rules", a.Role)
	}
	if own, _ := a.Scope.Prefix(); own == "" || own != region {
		return apperr.Forbiddenf("只能添加本级（%[2]s）的政策规则", "you may add rules for your own level (%[2]s) only, not for %[1]q", region, own)
	}
	return nil
}
