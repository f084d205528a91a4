package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// A village of 舒城县 and one of 金寨县 for scope tests.
const (
	village      = "341523100201"
	otherCounty  = "341524"
	otherVillage = "341524100200"
)

var villager = auth.Actor{UserID: 7, Username: "cz", Role: auth.RoleVillage, Scope: "341523"}

func fixedClock(db *store.DB) {
	db.Now = func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) }
}

func idFor(t *testing.T, birth string, seq int) string {
	t.Helper()
	return string(idcard.Make("341523", date.MustParse(birth).Time(), seq))
}

func register(t *testing.T, db *store.DB, in registry.NewPerson) *registry.Record {
	t.Helper()
	var r *registry.Record
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		r, err = registry.Register(context.Background(), tx, villager, in)
		return err
	})
	if err != nil {
		t.Fatalf("Register(%s): %v", in.Name, err)
	}
	return r
}

// person returns a registration with an ID number whose sex digit matches.
func person(t *testing.T, name, sex, birth string, seq int) registry.NewPerson {
	seq *= 2
	if sex == "M" {
		seq++
	}
	return registry.NewPerson{IDNumber: idFor(t, birth, seq), Name: name, Sex: sex, Birth: date.MustParse(birth), Region: village, HukouType: registry.Rural}
}

func TestRegisterValidation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			ctx := context.Background()
			register(t, db, person(t, "张三", "M", "1962-03-01", 11))
			tests := []struct {
				name  string
				in    registry.NewPerson
				actor auth.Actor
				kind  apperr.Kind
				field string
			}{
				{"duplicate ID number", person(t, "李四", "M", "1962-03-01", 11), villager, apperr.Conflict, "id_number"},
				{"bad check digit", func() registry.NewPerson {
					p := person(t, "王五", "M", "1970-01-01", 21)
					good := p.IDNumber
					p.IDNumber = good[:17] + "0"
					if p.IDNumber == good {
						p.IDNumber = good[:17] + "1"
					}
					return p
				}(), villager, apperr.Invalid, "id_number"},
				{"birth differs from ID", func() registry.NewPerson {
					p := person(t, "赵六", "M", "1970-01-01", 31)
					p.Birth = date.MustParse("1970-01-02")
					return p
				}(), villager, apperr.Invalid, "id_number"},
				{"sex differs from ID", func() registry.NewPerson { p := person(t, "钱七", "M", "1970-01-01", 41); p.Sex = "F"; return p }(), villager, apperr.Invalid, "id_number"},
				{"birth in the future", registry.NewPerson{Name: "孙八", Sex: "F", Birth: date.MustParse("2027-01-01"), Region: village, HukouType: "rural"}, villager, apperr.Invalid, "birth"},
				{"missing name", registry.NewPerson{Sex: "F", Birth: date.MustParse("2000-01-01"), Region: village, HukouType: "rural"}, villager, apperr.Invalid, "name"},
				{"bad hukou type", registry.NewPerson{Name: "周九", Sex: "F", Birth: date.MustParse("2000-01-01"), Region: village, HukouType: "farm"}, villager, apperr.Invalid, "hukou_type"},
				{"unknown region", registry.NewPerson{Name: "吴十", Sex: "F", Birth: date.MustParse("2000-01-01"), Region: "341523999999", HukouType: "rural"}, villager, apperr.Invalid, "region"},
				{"region outside scope", registry.NewPerson{Name: "郑一", Sex: "F", Birth: date.MustParse("2000-01-01"), Region: otherVillage, HukouType: "rural"}, villager, apperr.Forbidden, ""},
				{"supervisor cannot write", person(t, "王二", "F", "1980-05-05", 52), auth.Actor{Role: auth.RoleSupervisor, Scope: "341523"}, apperr.Forbidden, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := db.Update(ctx, func(tx *store.Tx) error {
						_, err := registry.Register(ctx, tx, tt.actor, tt.in)
						return err
					})
					if got := apperr.KindOf(err); got != tt.kind {
						t.Fatalf("error kind = %v (%v), want %v", got, err, tt.kind)
					}
					if tt.field == "" {
						return
					}
					e, ok := apperr.As(err)
					if l, isList := err.(apperr.List); isList {
						e, ok = l[0], true
					}
					if !ok || e.Field != tt.field {
						t.Errorf("error field = %v, want %q (%v)", e, tt.field, err)
					}
				})
			}
			var n int
			db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM persons`).Scan(&n)
			})
			if n != 1 {
				t.Errorf("persons after refused registrations = %d, want 1 (a refused change changes nothing)", n)
			}
		})
	}
}

func TestFamilyAndTieRules(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			ctx := context.Background()
			h := register(t, db, person(t, "张建国", "M", "1962-03-01", 11))
			w := register(t, db, person(t, "李秀英", "F", "1964-12-31", 12))
			c := register(t, db, person(t, "张伟", "M", "1987-04-12", 13))
			young := register(t, db, person(t, "刘小", "F", "1980-01-01", 14))
			old := register(t, db, person(t, "陈母", "F", "1950-01-01", 15))
			kid := register(t, db, person(t, "孙小", "M", "2010-01-01", 16))
			key := func(r *registry.Record) registry.Key { return registry.Key{County: r.County, ID: r.ID} }
			yes := true
			do := func(fn func(tx *store.Tx) error) error { return db.Update(ctx, fn) }

			if err := do(func(tx *store.Tx) error {
				_, err := registry.AddMarriage(ctx, tx, villager, key(h), key(w), registry.Marriage{From: date.MustParse("1986-01-01")}, "")
				return err
			}); err != nil {
				t.Fatalf("AddMarriage: %v", err)
			}
			for _, p := range []*registry.Record{h, w} {
				if err := do(func(tx *store.Tx) error {
					_, err := registry.AddChild(ctx, tx, villager, key(p), key(c), registry.ParentChild{Kind: registry.Birth, InPolicy: &yes}, "")
					return err
				}); err != nil {
					t.Fatalf("AddChild: %v", err)
				}
			}
			refused := []struct {
				name string
				fn   func(tx *store.Tx) error
			}{
				{"bigamy", func(tx *store.Tx) error {
					_, err := registry.AddMarriage(ctx, tx, villager, key(h), key(young), registry.Marriage{From: date.MustParse("2005-01-01")}, "")
					return err
				}},
				{"child born before its mother is 10", func(tx *store.Tx) error {
					_, err := registry.AddChild(ctx, tx, villager, key(young), key(c), registry.ParentChild{Kind: registry.Birth}, "")
					return err
				}},
				{"second birth mother", func(tx *store.Tx) error {
					_, err := registry.AddChild(ctx, tx, villager, key(old), key(c), registry.ParentChild{Kind: registry.Birth}, "")
					return err
				}},
				{"death before birth", func(tx *store.Tx) error {
					_, err := registry.RecordDeath(ctx, tx, villager, key(c), date.MustParse("1980-01-01"), "police")
					return err
				}},
				{"disability grade 5", func(tx *store.Tx) error {
					_, err := registry.AddDisability(ctx, tx, villager, key(c), registry.Disability{Grade: 5, From: date.MustParse("2015-01-01")}, "")
					return err
				}},
				{"marriage under legal age", func(tx *store.Tx) error {
					_, err := registry.AddMarriage(ctx, tx, villager, key(kid), key(young), registry.Marriage{From: date.MustParse("2025-01-01")}, "")
					return err
				}},
			}
			for _, tt := range refused {
				if err := do(tt.fn); apperr.KindOf(err) != apperr.Invalid {
					t.Errorf("%s: err = %v, want Invalid", tt.name, err)
				}
			}
			// The family view of the mother holds the couple, the child and the tie.
			if err := do(func(tx *store.Tx) error {
				if _, err := registry.RecordDeath(ctx, tx, villager, key(c), date.MustParse("2023-08-10"), "police"); err != nil {
					return err
				}
				_, err := registry.AddDisability(ctx, tx, villager, key(c), registry.Disability{Grade: 3, Category: "limb", From: date.MustParse("2015-01-01")}, "")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var f *registry.Family
			db.View(ctx, func(tx *store.Tx) error {
				var err error
				f, err = registry.FamilyView(ctx, tx, villager, key(w))
				return err
			})
			if f == nil || len(f.Persons) != 3 || len(f.Marriages) != 1 || len(f.Children) != 2 || len(f.Disabilities) != 1 {
				t.Fatalf("FamilyView = %+v; want 3 persons, 1 marriage, 2 ties, 1 disability", f)
			}
			if got := f.Person(c.Ref()).Death; got != date.MustParse("2023-08-10") {
				t.Errorf("child's death in family view = %v", got)
			}
			if errs := f.Validate(date.MustParse("2026-03-01")); len(errs) != 0 {
				t.Errorf("the registry's own family fails validation: %v", errs)
			}
			// Another county's staff cannot see the family.
			other := auth.Actor{Role: auth.RoleCounty, Scope: otherCounty}
			err := db.View(ctx, func(tx *store.Tx) error {
				_, err := registry.FamilyView(ctx, tx, other, key(w))
				return err
			})
			if apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("out-of-scope FamilyView err = %v, want NotFound", err)
			}
		})
	}
}

func TestOptimisticUpdate(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			ctx := context.Background()
			p := register(t, db, person(t, "张三", "M", "1962-03-01", 11))
			k := registry.Key{County: p.County, ID: p.ID}
			name := "张叁"
			upd := func(version int) error {
				return db.Update(ctx, func(tx *store.Tx) error {
					_, err := registry.Update(ctx, tx, villager, k, registry.Patch{Version: version, Name: &name})
					return err
				})
			}
			if err := upd(1); err != nil {
				t.Fatal(err)
			}
			if err := upd(1); apperr.KindOf(err) != apperr.Conflict {
				t.Errorf("stale update err = %v, want Conflict", err)
			}
		})
	}
}
