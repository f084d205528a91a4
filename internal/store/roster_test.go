package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func TestAuditEntriesScope(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			ctx := context.Background()
			// Oldest first: seq 1 … 6 of chain 341523.
			regions := []string{"341523100001", "341523100201", "", "341523100201", "341523100201", "341523100201"}
			for _, r := range regions {
				if err := db.Update(ctx, func(tx *store.Tx) error {
					return tx.Audit(ctx, audit.Entry{County: "341523", Username: "u", Action: "person.update", Entity: "person", EntityID: "1", Region: r})
				}); err != nil {
					t.Fatal(err)
				}
			}
			tests := []struct {
				scope region.Code
				f     store.AuditFilter
				want  []int64
			}{
				{"", store.AuditFilter{County: "341523"}, []int64{6, 5, 4, 3, 2, 1}},
				{"341523", store.AuditFilter{County: "341523"}, []int64{6, 5, 4, 2, 1}},
				// A full page even though the newest entries are elsewhere.
				{"341523100001", store.AuditFilter{County: "341523", Limit: 1}, []int64{1}},
				{"341523100201", store.AuditFilter{County: "341523", Limit: 2, BeforeSeq: 5}, []int64{4, 2}},
				{"341524", store.AuditFilter{County: "341523"}, nil},
			}
			for _, tt := range tests {
				var got []int64
				err := db.View(ctx, func(tx *store.Tx) error {
					es, err := tx.AuditEntries(ctx, tt.scope, tt.f)
					for _, e := range es {
						got = append(got, e.Seq)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if !equalSeqs(got, tt.want) {
					t.Errorf("AuditEntries(%q, %+v) = %v, want %v", tt.scope, tt.f, got, tt.want)
				}
			}
			if err := db.View(ctx, func(tx *store.Tx) error {
				_, err := tx.AuditEntries(ctx, "34x", store.AuditFilter{County: "341523"})
				return err
			}); err == nil {
				t.Error("a malformed scope was accepted")
			}
		})
	}
}

func equalSeqs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestImportRoster(t *testing.T) {
	head := "身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质\n"
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			fixedClock(db)
			ctx := context.Background()
			taken := register(t, db, person(t, "张三", "M", "1962-03-01", 11))
			parse := func(rows string) *registry.Roster {
				t.Helper()
				table, err := sheet.Open(strings.NewReader(head+rows), "")
				if err != nil {
					t.Fatal(err)
				}
				ro, err := registry.ParseRoster(table, registry.RosterOptions{Today: date.MustParse("2026-03-01")})
				if err != nil {
					t.Fatal(err)
				}
				return ro
			}
			a := person(t, "李四", "F", "1964-12-31", 12)
			b := person(t, "王五", "M", "1970-01-01", 13)
			row := func(p registry.NewPerson, region string) string {
				return p.IDNumber + "," + p.Name + ",,," + region + ",农业\n"
			}
			township := auth.Actor{UserID: 9, Username: "xz", Role: auth.RoleTownship, Scope: "341523100000"}
			tests := []struct {
				name     string
				actor    auth.Actor
				rows     string
				problems []string // substrings of the problems, in order
			}{
				{"already registered", villager, row(a, village) + row(registry.NewPerson{IDNumber: taken.IDNumber, Name: "张三"}, village),
					[]string{"第3行 第1列（身份证号）：该身份证号已登记"}},
				{"outside the scope", township, row(a, village) + row(b, "341523101200"),
					[]string{"第3行 第5列（户籍地区划代码）：区划 341523101200 不在您的管辖范围（341523100000）内"}},
				{"finance may not write", auth.Actor{UserID: 3, Username: "cw", Role: auth.RoleFinance, Scope: "341523"}, row(a, village), nil},
			}
			for _, tt := range tests {
				var res *registry.ImportResult
				err := db.Update(ctx, func(tx *store.Tx) error {
					var err error
					res, err = registry.ImportRoster(ctx, tx, tt.actor, parse(tt.rows), false)
					return err
				})
				if tt.problems == nil {
					if err == nil {
						t.Errorf("%s: import succeeded", tt.name)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				if len(res.Problems) != len(tt.problems) || res.Created != 0 {
					t.Fatalf("%s: created %d, problems %v; want %d problems", tt.name, res.Created, res.Problems, len(tt.problems))
				}
				for i, p := range res.Problems {
					if !strings.Contains(p.String(), tt.problems[i]) {
						t.Errorf("%s: problem %q, want %q", tt.name, p.String(), tt.problems[i])
					}
				}
			}
			var total int
			db.View(ctx, func(tx *store.Tx) error {
				_, total, _ = registry.Search(ctx, tx, auth.System, registry.Query{Limit: 10})
				return nil
			})
			if total != 1 {
				t.Fatalf("%d persons after refused imports, want the 1 registered before", total)
			}

			// A good roster: every row registered and audited in one go.
			var res *registry.ImportResult
			err := db.Update(ctx, func(tx *store.Tx) error {
				var err error
				res, err = registry.ImportRoster(ctx, tx, villager, parse(row(a, village)+row(b, "341523101200")), false)
				return err
			})
			if err != nil || res.Created != 2 || len(res.Problems) != 0 {
				t.Fatalf("import: %v %+v", err, res)
			}
			var names []string
			var created int
			err = db.View(ctx, func(tx *store.Tx) error {
				if err := tx.EachPerson(ctx, "341523", func(r *registry.Record) error {
					names = append(names, r.Name)
					return nil
				}); err != nil {
					return err
				}
				es, err := tx.AuditEntries(ctx, "", store.AuditFilter{County: "341523", Limit: 100})
				for _, e := range es {
					if e.Action == "person.create" && e.Username == villager.Username {
						created++
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// In county, division, id order: 仁和村 341523100201 before 晓天镇 341523101200.
			if got := strings.Join(names, " "); got != "张三 李四 王五" {
				t.Errorf("EachPerson = %s", got)
			}
			if created != 3 {
				t.Errorf("%d person.create entries by the villager, want 3", created)
			}
			var some []string
			db.View(ctx, func(tx *store.Tx) error {
				return tx.EachPerson(ctx, "341523101000", func(r *registry.Record) error { some = append(some, r.Name); return nil })
			})
			if strings.Join(some, " ") != "王五" {
				t.Errorf("EachPerson in 晓天镇 = %v", some)
			}
		})
	}
}
