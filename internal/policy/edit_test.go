package policy_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
)

// TestCanEditLayer checks who may add a rule layer for which region: each
// level its own, the system any, other roles none.
func TestCanEditLayer(t *testing.T) {
	county := auth.Actor{UserID: 1, Username: "wjw", Role: auth.RoleCounty, Scope: "341523"}
	city := auth.Actor{UserID: 2, Username: "sw", Role: auth.RoleCity, Scope: "341500"}
	province := auth.Actor{UserID: 3, Username: "sj", Role: auth.RoleProvince, Scope: "340000"}
	tests := []struct {
		name   string
		who    auth.Actor
		region string
		ok     bool
	}{
		{"a county, its own", county, "341523", true},
		{"a county, its province", county, "34", false},
		{"a county, its city", county, "3415", false},
		{"a county, another county", county, "341524", false},
		{"a county, the national baseline", county, "", false},
		{"a city, its own", city, "3415", true},
		{"a city, a county within it", city, "341523", false},
		{"a province, its own", province, "34", true},
		{"a province, another province", province, "32", false},
		{"the system, a county", auth.System, "341523", true},
		{"the system, the national baseline", auth.System, "", true},
		{"a village", auth.Actor{UserID: 4, Role: auth.RoleVillage, Scope: "341523100201"}, "341523100201", false},
		{"a supervisor", auth.Actor{UserID: 5, Role: auth.RoleSupervisor, Scope: "341523"}, "341523", false},
		{"an administrator", auth.Actor{UserID: 6, Username: "admin", Role: auth.RoleAdmin}, "341523", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := policy.CanEditLayer(tt.who, tt.region)
			if (err == nil) != tt.ok || err != nil && apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("CanEditLayer = %v, want allowed %v", err, tt.ok)
			}
		})
	}
}
