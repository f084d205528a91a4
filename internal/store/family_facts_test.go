package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestFamilyFacts records the facts the seed counties' programs read
// (operations, birth permissions, pensions, admissions) and a staff ruling
// on a doubtful adoption, and reads them back through the family view and
// the batch scan of the family reader, which must agree.
func TestFamilyFacts(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			ctx := context.Background()
			h := register(t, db, person(t, "赵大", "M", "1960-03-01", 21))
			w := register(t, db, person(t, "钱二", "F", "1962-05-01", 22))
			c := register(t, db, person(t, "赵小", "F", "1993-01-01", 23))
			key := func(r *registry.Record) registry.Key { return registry.Key{County: r.County, ID: r.ID} }
			do := func(fn func(tx *store.Tx) error) error { return db.Update(ctx, fn) }
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(do(func(tx *store.Tx) error {
				if _, err := registry.AddMarriage(ctx, tx, villager, key(h), key(w), registry.Marriage{From: date.MustParse("1985-01-01")}, ""); err != nil {
					return err
				}
				for _, p := range []*registry.Record{h, w} {
					// A de-facto adoption after the 1992 adoption law.
					if _, err := registry.AddChild(ctx, tx, villager, key(p), key(c), registry.ParentChild{Kind: registry.AdoptionDeFacto, From: date.MustParse("1994-06-01")}, ""); err != nil {
						return err
					}
				}
				if _, err := registry.AddContraception(ctx, tx, villager, key(w), registry.Contraception{Method: registry.FemaleSterilisation, Date: date.MustParse("1995-03-01")}, "手术记录"); err != nil {
					return err
				}
				if _, err := registry.AddBirthPermission(ctx, tx, villager, key(w), registry.BirthPermission{Kind: registry.PermitSecondBirth, Issued: date.MustParse("1992-02-01")}); err != nil {
					return err
				}
				if _, err := registry.AddPension(ctx, tx, villager, key(h), registry.Pension{Scheme: registry.PensionResident, Enrolled: date.MustParse("2011-07-01"),
					Drawing: date.MustParse("2020-03-01"), Region: "341523100201"}); err != nil {
					return err
				}
				_, err := registry.AddAdmission(ctx, tx, villager, key(c), registry.Admission{Date: date.MustParse("2011-08-20"), Level: registry.Bachelor})
				return err
			}))
			if err := do(func(tx *store.Tx) error {
				_, err := registry.AddContraception(ctx, tx, villager, key(h), registry.Contraception{Method: registry.FemaleSterilisation, Date: date.MustParse("1995-03-01")}, "")
				return err
			}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("a female sterilisation of a man: %v, want invalid", err)
			}
			family := func() *registry.Family {
				var f *registry.Family
				must(db.View(ctx, func(tx *store.Tx) error {
					var err error
					f, err = registry.FamilyView(ctx, tx, villager, key(h))
					return err
				}))
				return f
			}
			f := family()
			if len(f.Contraception) != 1 || len(f.Permissions) != 1 || len(f.Pensions) != 1 || len(f.Admissions) != 1 ||
				f.Pensions[0].Region != "341523" || f.Pensions[0].Drawing != date.MustParse("2020-03-01") {
				t.Fatalf("family view facts: %+v %+v %+v %+v", f.Contraception, f.Permissions, f.Pensions, f.Admissions)
			}
			decide := func(f *registry.Family) policy.Decision {
				t.Helper()
				res, err := policy.Evaluate(&policy.Case{Year: 2024, Region: "341523", Family: *f, Subjects: []string{h.Ref()}})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range res.Decisions {
					if d.Program == "jf" {
						return d
					}
				}
				t.Fatal("no jf decision")
				return policy.Decision{}
			}
			if d := decide(f); d.Status != policy.StatusReview {
				t.Errorf("jf with a doubtful adoption: %s, want %s", d.Status, policy.StatusReview)
			}
			// The batch scan reads the same family.
			scanned := func() *registry.Family {
				t.Helper()
				var got *registry.Family
				for fs, err := range db.ScanFamilies(ctx, store.FamilyScan{County: "341523", Year: 2024}) {
					must(err)
					if fs.Persons[h.ID] != nil && slices.Contains(fs.Subjects, h.ID) {
						got = fs.Family(h.ID)
					}
				}
				if got == nil {
					t.Fatal("the batch scan did not read the husband")
				}
				return got
			}
			// The county's batch scan leaves out ID numbers, which rules
			// do not read: compare without them.
			withoutIDs := func(f *registry.Family) *registry.Family {
				c := *f
				c.Persons = slices.Clone(f.Persons)
				for i := range c.Persons {
					c.Persons[i].IDNumber = ""
				}
				return &c
			}
			if b := scanned(); !reflect.DeepEqual(b, withoutIDs(f)) {
				t.Errorf("the batch scan reads\n%+v\nthe family view\n%+v", *b, *f)
			}
			// A village specialist may not rule; the township may.
			if err := do(func(tx *store.Tx) error {
				return registry.RuleOnAdoption(ctx, tx, villager, key(c), registry.RulingCounted, "民政收养登记已补办")
			}); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("village ruling: %v, want forbidden", err)
			}
			township := auth.Actor{UserID: 8, Username: "xz", Role: auth.RoleTownship, Scope: "341523100"}
			must(do(func(tx *store.Tx) error {
				return registry.RuleOnAdoption(ctx, tx, township, key(c), registry.RulingCounted, "民政收养登记已补办")
			}))
			f = family()
			if d := decide(f); d.Status != policy.StatusEligible {
				t.Errorf("jf after the ruling: %s, want eligible", d.Status)
			}
			if b := scanned(); !reflect.DeepEqual(b, withoutIDs(f)) || b.Children[0].Ruling != registry.RulingCounted {
				t.Errorf("after the ruling the batch scan reads\n%+v\nthe family view\n%+v", *b, *f)
			}
		})
	}
}
