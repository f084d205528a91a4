package store_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestFamilyReader reads the families of a synthetic county both ways the
// family reader offers — a batch scan by key range, over the county and
// over one township, and the family view of each person on their own —
// and checks that every person's family is the same, on both engines. It
// also checks what a family holds: a spouse's other marriages, with the
// persons at their ends, and every kind of fact the rules read —
// contraceptive operations, birth permissions, pension enrolments,
// university admissions and staff rulings on adoptions among them.
func TestFamilyReader(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			if _, err := store.LoadSynthetic(ctx, db, synth.Config{County: "341523", Persons: 3000, Seed: 11}, nil); err != nil {
				t.Fatal(err)
			}
			var town string
			if err := db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT MIN(region) FROM persons WHERE county = ?`, "341523").Scan(&town)
			}); err != nil {
				t.Fatal(err)
			}
			// A staff ruling on some ties, so that the comparison covers it.
			if err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE parent_child SET ruling = ? WHERE county = ? AND id % 7 = 0`, registry.RulingNotCounted, "341523")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name string
				scan store.FamilyScan
			}{
				{"county", store.FamilyScan{County: "341523", Year: 2024, Chunk: 700}},
				// A window of 40 persons on each side of a chunk of 160:
				// most spouses and children lie outside it and are read by id.
				{"county, narrow window", store.FamilyScan{County: "341523", Year: 2024, Chunk: 160, Margin: 40}},
				{"township", store.FamilyScan{County: "341523", Scope: town[:9], Year: 2024, Chunk: 300}},
				// A village's persons: most registered together, the
				// last chunk's far apart among the county's, whose rows
				// are read by id, not over the range between.
				{"village", store.FamilyScan{County: "341523", Scope: town, Year: 2024, Chunk: 300}},
				// On PostgreSQL, every pass in ranges of a few dozen rows
				// (some empty: the keys of a table's first rows lie
				// apart), each ordered on its own.
				{"county, small ranges", store.FamilyScan{County: "341523", Year: 2024, Chunk: 500}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					if tt.name == "county, small ranges" {
						defer store.SetRangeRows(40)()
					}
					subjects, remarried := 0, 0
					facts := map[string]int{}
					for fs, err := range db.ScanFamilies(ctx, tt.scan) {
						if err != nil {
							t.Fatal(err)
						}
						batch := map[int64]registry.Family{}
						if err := fs.Each(func(id int64, f *registry.Family) error {
							batch[id] = cloneFamily(f)
							return nil
						}); err != nil {
							t.Fatal(err)
						}
						// Every fortieth person, and every person with a
						// remarried spouse, on their own.
						for i, id := range fs.Subjects {
							subjects++
							got := batch[id]
							facts["contraception"] += len(got.Contraception)
							facts["permissions"] += len(got.Permissions)
							facts["pensions"] += len(got.Pensions)
							facts["admissions"] += len(got.Admissions)
							for _, c := range got.Children {
								if c.Ruling != "" {
									facts["rulings"]++
								}
							}
							special := remarriedSpouse(&got, id)
							if special {
								remarried++
							}
							if i%40 != 0 && !special {
								continue
							}
							var one *registry.Family
							if err := db.View(ctx, func(tx *store.Tx) error {
								fs, err := tx.Families(ctx, "341523", []int64{id})
								if err != nil {
									return err
								}
								one = fs.Family(id)
								return nil
							}); err != nil {
								t.Fatal(err)
							}
							if tt.scan.Scope == "" {
								// The county reader leaves out ID numbers,
								// which rules do not read.
								for i := range one.Persons {
									one.Persons[i].IDNumber = ""
								}
							}
							if !reflect.DeepEqual(&got, one) {
								t.Fatalf("person %d: the batch reads\n%+v\nthe family view\n%+v", id, got, *one)
							}
						}
					}
					if subjects == 0 {
						t.Fatal("no candidates read")
					}
					if tt.scan.Scope == "" && remarried == 0 {
						t.Error("no family holds a spouse's other marriage")
					}
					for _, k := range []string{"contraception", "permissions", "pensions", "admissions", "rulings"} {
						if tt.scan.Scope == "" && facts[k] == 0 {
							t.Errorf("no family holds %s: %v", k, facts)
						}
					}
				})
			}
		})
	}
}

// remarriedSpouse reports whether the family of id holds a marriage of a
// spouse of id to someone else, with that person.
func remarriedSpouse(f *registry.Family, id int64) bool {
	ref := strconv.FormatInt(id, 10)
	spouses := map[string]bool{}
	for _, m := range f.Marriages {
		if m.A == ref {
			spouses[m.B] = true
		}
		if m.B == ref {
			spouses[m.A] = true
		}
	}
	for _, m := range f.Marriages {
		if m.A != ref && m.B != ref && (spouses[m.A] || spouses[m.B]) {
			return f.Person(m.A) != nil && f.Person(m.B) != nil
		}
	}
	return false
}

// cloneFamily copies f deeply enough to outlive the storage Each reuses.
func cloneFamily(f *registry.Family) registry.Family {
	c := registry.Family{}
	c.Persons = append(c.Persons, f.Persons...)
	c.Marriages = append(c.Marriages, f.Marriages...)
	c.Children = append(c.Children, f.Children...)
	c.Disabilities = append(c.Disabilities, f.Disabilities...)
	c.Certificates = append(c.Certificates, f.Certificates...)
	c.Complications = append(c.Complications, f.Complications...)
	c.Confirmations = append(c.Confirmations, f.Confirmations...)
	c.Retirements = append(c.Retirements, f.Retirements...)
	c.Contraception = append(c.Contraception, f.Contraception...)
	c.Permissions = append(c.Permissions, f.Permissions...)
	c.Pensions = append(c.Pensions, f.Pensions...)
	c.Admissions = append(c.Admissions, f.Admissions...)
	return c
}
