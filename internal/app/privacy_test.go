package app

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestRegistrationConflictDisclosesNothing registers, as a village
// officer, an ID number registered in another county and one registered
// in the officer's own village: the two answers are the same conflict,
// naming no place.
func TestRegistrationConflictDisclosesNothing(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := testApp(t, engine)
			ctx := context.Background()
			elsewhere := region.Default().Children("341522")[0].Code
			for len(elsewhere) < 12 {
				elsewhere = region.Default().Children(elsewhere)[0].Code
			}
			birth := date.MustParse("1966-06-06")
			far := string(idcard.Make("341522", birth.Time(), 7))
			near := string(idcard.Make("341523", birth.Time(), 9))
			for _, p := range []registry.NewPerson{
				{IDNumber: far, Name: "外县人", Sex: registry.Male, Birth: birth, Region: string(elsewhere), HukouType: registry.Rural},
				{IDNumber: near, Name: "本村人", Sex: registry.Male, Birth: birth, Region: homeVillage, HukouType: registry.Rural},
			} {
				if _, err := a.RegisterPerson(ctx, auth.System, p); err != nil {
					t.Fatal(err)
				}
			}
			answer := func(idn string) *apperr.Error {
				_, err := a.RegisterPerson(ctx, villager, registry.NewPerson{IDNumber: idn, Name: "再登记", Sex: registry.Male, Birth: birth,
					Region: homeVillage, HukouType: registry.Rural})
				e, ok := apperr.As(err)
				if !ok {
					t.Fatalf("registering %s again: %v", idn, err)
				}
				return e
			}
			f, n := answer(far), answer(near)
			if f.Kind != apperr.Conflict || f.Kind != n.Kind || f.Field != n.Field || f.ZH != n.ZH || f.EN != n.EN {
				t.Errorf("another county's number: %#v; our own village's: %#v; want the same conflict", f, n)
			}
			for _, s := range []string{"341522", string(elsewhere), region.Default().FullName("341522"), "county", "县", "scope", "管辖"} {
				if strings.Contains(f.ZH, s) || strings.Contains(f.EN, s) {
					t.Errorf("the conflict %q / %q names %q", f.ZH, f.EN, s)
				}
			}
		})
	}
}

// TestRollPagesRefusalsAudited checks that the roll-event form and a run
// of the annual review, read by key, refuse a target outside the actor's
// scope as not found and audit the refusal.
func TestRollPagesRefusalsAudited(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := testApp(t, engine)
			ctx := WithRequest(context.Background(), Request{Door: "test"})
			home := register(t, a, "张三", registry.Male, "1962-03-01", homeVillage, 1)
			township := auth.Actor{UserID: 10, Username: "xz", Role: auth.RoleTownship, Scope: "341523100000"}
			otherTownship := auth.Actor{UserID: 11, Username: "xz2", Role: auth.RoleTownship, Scope: "341523101000"}
			run, err := a.AnnualReview(ctx, township, "341523100000", 2024)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.RollEventForm(ctx, township, home, "zh"); err != nil {
				t.Errorf("the township's own person: %v", err)
			}
			if v, err := a.AnnualReviewRun(ctx, township, run.County, run.ID, "zh"); err != nil || v.Run.ID != run.ID {
				t.Errorf("the township's own run: %v", err)
			}
			tests := []struct {
				name               string
				call               func() error
				entity, id, region string
			}{
				{"the roll-event form of a person of another township", func() error {
					_, err := a.RollEventForm(ctx, otherTownship, home, "zh")
					return err
				}, "person", strconv.FormatInt(home.ID, 10), homeVillage},
				{"a run of the annual review of another township", func() error {
					_, err := a.AnnualReviewRun(ctx, otherTownship, run.County, run.ID, "zh")
					return err
				}, "annual_review", strconv.FormatInt(run.ID, 10), "341523100000"},
			}
			for _, tt := range tests {
				before := len(denials(t, a))
				if err := tt.call(); apperr.KindOf(err) != apperr.NotFound || !IsRefusal(err) {
					t.Errorf("%s: %v, want a refusal answered as not found", tt.name, err)
				}
				got := denials(t, a)
				if len(got) != before+1 || got[0].Entity != tt.entity || got[0].EntityID != tt.id || got[0].Region != tt.region || got[0].Username != "xz2" {
					t.Errorf("%s: %d entries, newest %+v; want one access.denied of %s %s in %s", tt.name, len(got)-before, got[0], tt.entity, tt.id, tt.region)
				}
			}
		})
	}
}

// TestUpdateChecksChangedFields checks that an edit refuses a bad phone
// or address it brings, and leaves alone one stored before the checks.
func TestUpdateChecksChangedFields(t *testing.T) {
	a := testApp(t, storetest.Engines(t)[0])
	ctx := context.Background()
	k := register(t, a, "张三", registry.Male, "1962-03-01", homeVillage, 1)
	// A phone kept from before the checks.
	if err := a.db.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE persons SET phone = '电话未知' WHERE county = ? AND id = ?`, k.County, k.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	p, err := a.Person(ctx, county, k)
	if err != nil {
		t.Fatal(err)
	}
	name, phone, bad := "张叁", "电话未知", "找村委会"
	if _, err := a.UpdatePerson(ctx, county, k, registry.Patch{Version: p.Person.Version, Name: &name, Phone: &phone}); err != nil {
		t.Errorf("an edit keeping the old phone: %v", err)
	}
	p, _ = a.Person(ctx, county, k)
	if _, err := a.UpdatePerson(ctx, county, k, registry.Patch{Version: p.Person.Version, Phone: &bad}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("an edit bringing a bad phone: %v", err)
	}
	addr := "城关镇\u202e3组"
	if _, err := a.UpdatePerson(ctx, county, k, registry.Patch{Version: p.Person.Version, Address: &addr}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("an edit bringing a direction override: %v", err)
	}
}
