package charge

import (
	"context"
	"testing"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestMayAssign: the county assigns the cadres of every level, the
// township those of its villages and its own, nobody else any.
func TestMayAssign(t *testing.T) {
	roles := []auth.Role{auth.RoleVillage, auth.RoleTownship, auth.RoleCounty, auth.RoleFinance, auth.RoleSupervisor, auth.RoleCity,
		auth.RoleProvince, auth.RoleAdmin, auth.RoleCitizen}
	want := map[auth.Role][]workflow.Level{
		auth.RoleTownship: {workflow.LevelVillage, workflow.LevelTownship},
		auth.RoleCounty:   Levels,
	}
	for _, r := range roles {
		for _, l := range Levels {
			may := false
			for _, w := range want[r] {
				may = may || w == l
			}
			if got := MayAssign(auth.Actor{UserID: 9, Username: "u", Role: r}, l); got != may {
				t.Errorf("%s assigns at %s: %v, want %v", r, l, got, may)
			}
		}
	}
}

// TestLevels: each level's cadres are the officers of its role, and only
// the three levels parse.
func TestLevels(t *testing.T) {
	for _, l := range Levels {
		if LevelOf(RoleOf(l)) != l {
			t.Errorf("%s: role %s gives level %q", l, RoleOf(l), LevelOf(RoleOf(l)))
		}
		if got, err := ParseLevel("level", string(l)); err != nil || got != l {
			t.Errorf("ParseLevel(%s) = %s, %v", l, got, err)
		}
	}
	for _, bad := range []string{"", "city", "Village"} {
		if _, err := ParseLevel("level", bad); err == nil {
			t.Errorf("ParseLevel(%q) is accepted", bad)
		}
	}
	if LevelOf(auth.RoleFinance) != "" {
		t.Error("the finance officer is a cadre")
	}
}

// TestTownship: a target's township is its village's first nine digits.
func TestTownship(t *testing.T) {
	for in, want := range map[string]string{"341523100201": "341523100000", "341523100000": "341523100000", "341523": "341523"} {
		if got := (Target{Region: in}).Township(); got != want {
			t.Errorf("Township(%s) = %s, want %s", in, got, want)
		}
	}
}

// boardStore is a Store with n recipients in one village and nothing else.
type boardStore struct {
	Store
	n int
}

func (s boardStore) ChargeTargets(_ context.Context, _ region.Code, county, kind string) ([]Target, error) {
	out := make([]Target, s.n)
	for i := range out {
		out[i] = Target{County: county, Kind: kind, ID: int64(i + 1), Region: "341523100201", IDNumber: "34152319600101002X"}
	}
	return out, nil
}

// TestBoardBound: a board lists at most MaxRows rows, counts the others,
// and the township's counts hold them all; the ID numbers are masked.
func TestBoardBound(t *testing.T) {
	a := auth.Actor{UserID: 1, Username: "x", Role: auth.RoleCounty, Scope: "341523"}
	b, err := List(context.Background(), boardStore{n: MaxRows + 5}, a, Query{Region: "341523"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != MaxRows || b.Omitted != 5 || b.Townships[0].Total != MaxRows+5 || b.Townships[0].Nobody[workflow.LevelVillage] != MaxRows+5 {
		t.Errorf("rows %d, omitted %d, townships %+v", len(b.Rows), b.Omitted, b.Townships)
	}
	if b.Rows[0].IDNumber[6] != '*' {
		t.Errorf("the ID number is not masked: %s", b.Rows[0].IDNumber)
	}
	if _, err := List(context.Background(), boardStore{}, auth.Actor{UserID: 2, Username: "y", Role: auth.RoleTownship, Scope: "341523100000"},
		Query{Region: "341523"}); err == nil {
		t.Error("a township lists the whole county")
	}
}
