package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// bySuffix returns the ids of the persons of county found by the end of
// an ID number (the person search of the lists).
func bySuffix(t *testing.T, db *store.DB, county, suffix string) []int64 {
	t.Helper()
	rs := view(t, db, func(tx *store.Tx) ([]registry.Record, error) {
		rs, _, err := tx.FindPersons(context.Background(), region.Code(county),
			registry.Query{Who: registry.Who{Kind: registry.WhoIDSuffix, Text: suffix}, Limit: 500})
		return rs, err
	})
	var ids []int64
	for _, r := range rs {
		if !strings.HasSuffix(r.IDNumber, suffix) {
			t.Errorf("suffix %s found %s", suffix, r.IDNumber)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// checkTail6 checks that every person with an ID number has the keyed hash
// of its last six characters, and is found by its last six and last five
// characters.
func checkTail6(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if n := view(t, db, func(tx *store.Tx) (n int, err error) {
		err = tx.QueryRow(ctx, `SELECT COUNT(*) FROM persons WHERE id_number IS NOT NULL AND id_tail6 IS NULL`).Scan(&n)
		return n, err
	}); n > 0 {
		t.Errorf("%d persons with an ID number have no id_tail6", n)
	}
	var all []registry.Record
	if err := db.View(ctx, func(tx *store.Tx) error {
		return tx.EachPerson(ctx, "", func(r *registry.Record) error {
			if r.IDNumber != "" {
				all = append(all, *r)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no persons")
	}
	for _, r := range all {
		for _, n := range []int{6, 5} {
			if ids := bySuffix(t, db, r.County, r.IDNumber[len(r.IDNumber)-n:]); !containsID(ids, r.ID) {
				t.Errorf("%s/%d (%s) not found by its last %d characters: %v", r.County, r.ID, r.IDNumber, n, ids)
			}
		}
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// TestIDTail6WrittenEverywhere writes ID numbers by every path that writes
// one — registration, import, the generator's bulk load, a move to another
// county — and finds each person by the last six and the last five
// characters of the number through id_tail6.
func TestIDTail6WrittenEverywhere(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			fixedClock(db)
			if _, err := store.LoadSynthetic(ctx, db, synth.Config{County: "341523", Persons: 200, Seed: 5, BatchPersons: 100}, nil); err != nil {
				t.Fatal(err)
			}
			a := register(t, db, person(t, "尾号甲", "M", "1962-03-21", 311))
			b := register(t, db, person(t, "尾号乙", "F", "1965-07-07", 312))
			c := person(t, "尾号丙", "F", "1964-12-31", 313)
			table, err := sheet.Open(strings.NewReader("身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质\n"+
				c.IDNumber+","+c.Name+",,,"+village+",农业\n"), "")
			if err != nil {
				t.Fatal(err)
			}
			ro, err := registry.ParseRoster(table, registry.RosterOptions{Today: date.MustParse("2026-03-01")})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := registry.ImportRoster(ctx, tx, villager, ro, false)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// b moves to another county.
			if err := db.Update(ctx, func(tx *store.Tx) error {
				id, err := tx.NextIDs(ctx, "person", 1)
				if err != nil {
					return err
				}
				return tx.CopyPerson(ctx, b, registry.Key{County: "341522", ID: id}, "341522100201", date.MustParse("2026-02-01"))
			}); err != nil {
				t.Fatal(err)
			}
			checkTail6(t, db)
			if ids := bySuffix(t, db, "341522", b.IDNumber[12:]); len(ids) != 1 {
				t.Errorf("the moved person in the new county: %v", ids)
			}
			if ids := bySuffix(t, db, "341523", a.IDNumber[12:]); fmt.Sprint(ids) != fmt.Sprint([]int64{a.ID}) {
				t.Errorf("six characters of %s: %v, want [%d]", a.IDNumber, ids, a.ID)
			}
			// Six characters that nobody's number ends in.
			other := "9" + a.IDNumber[13:]
			if a.IDNumber[12] == '9' {
				other = "8" + a.IDNumber[13:]
			}
			if ids := bySuffix(t, db, "341523", other); containsID(ids, a.ID) {
				t.Errorf("%s found %s", other, a.IDNumber)
			}
		})
	}
}

// TestIDTail6OfOlderDatabase migrates a database whose persons were
// registered before id_tail6 existed: migration 31 fills the hashes with
// the key file, and the persons are found by their last six characters at
// once.
func TestIDTail6OfOlderDatabase(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			fixedClock(db)
			for i := range 12 {
				register(t, db, person(t, fmt.Sprintf("旧库%d", i), "F", fmt.Sprintf("1960-01-%02d", 10+i), 400+i))
			}
			// Back to the schema before migration 31: the numbers stay
			// sealed, as a database of release 30 holds them.
			execSQL(t, db, `DROP INDEX persons_id_tail6`)
			execSQL(t, db, `DROP INDEX persons_village_id_tail6`)
			execSQL(t, db, `DROP INDEX persons_township_id_tail6`)
			execSQL(t, db, `ALTER TABLE persons DROP COLUMN id_tail6`)
			execSQL(t, db, `DELETE FROM schema_migrations WHERE version = 31`)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkTail6(t, db)
		})
	}
}

// TestIDTail6AfterRotation rotates the keys: id_tail6 is rehashed with the
// new generation (the old one retired, searches use the new one alone),
// and the persons are still found by their last six characters.
func TestIDTail6AfterRotation(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, engine)
			ring := storetest.Keys(t, url)
			db, err := store.Open(ctx, url, store.WithKeys(ring))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			fixedClock(db)
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for i := range 6 {
				register(t, db, person(t, fmt.Sprintf("换钥%d", i), "M", "1970-03-01", 60+i))
			}
			hashes := func() map[int64]string {
				m := map[int64]string{}
				err := db.View(ctx, func(tx *store.Tx) error {
					rows, err := tx.Query(ctx, `SELECT id, id_tail6 FROM persons`)
					if err != nil {
						return err
					}
					defer rows.Close()
					for rows.Next() {
						var id int64
						var h string
						if err := rows.Scan(&id, &h); err != nil {
							return err
						}
						m[id] = h
					}
					return rows.Err()
				})
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			before := hashes()
			other := keys.AESGCM
			if ring.Current().Cipher == keys.AESGCM {
				other = keys.SM4GCM
			}
			if err := ring.Add(other); err != nil {
				t.Fatal(err)
			}
			if _, err := db.RotateKeys(ctx); err != nil {
				t.Fatal(err)
			}
			after := hashes()
			for id, h := range before {
				if after[id] == h || after[id] == "" {
					t.Errorf("person %d: id_tail6 %q after rotation, %q before", id, after[id], h)
				}
			}
			checkTail6(t, db)
		})
	}
}
