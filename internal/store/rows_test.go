package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// Read's rows are read through the driver's own interface on PostgreSQL
// and through database/sql in a transaction: both read every column of a
// person alike — a NULL ID number, a death and none, texts empty and
// full, instants to the microsecond — and a page's count.
func TestReadRowsAsTransactions(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			db.Now = func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC) }
			ctx := context.Background()
			full := person(t, "王芳", "F", "1966-05-02", 3)
			full.Ethnic, full.Address, full.Phone = "汉族", "城关镇石桥村3组", "13905640000"
			dead := register(t, db, person(t, "王强", "M", "1950-01-31", 4))
			register(t, db, full)
			register(t, db, registry.NewPerson{Name: "王小", Sex: "M", Birth: date.MustParse("2025-12-31"),
				Region: village, HukouType: registry.Rural})
			if err := db.Update(ctx, func(tx *store.Tx) error {
				_, err := registry.RecordDeath(ctx, tx, villager, registry.Key{County: dead.County, ID: dead.ID},
					date.MustParse("2026-02-28"), "公安")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			queries := []registry.Query{
				{Name: "王", Limit: 20},
				{Name: "王", Limit: 1, Offset: 1},
				{IDNumber: full.IDNumber, Limit: 20},
				{Who: mustWho(t, "wq"), Limit: 20},
			}
			read := func(run func(context.Context, func(*store.Tx) error) error) (pages [][]registry.Record, totals []int) {
				t.Helper()
				for _, q := range queries {
					if err := run(ctx, func(tx *store.Tx) error {
						found, total, err := tx.FindPersons(ctx, "341523", q)
						pages, totals = append(pages, found), append(totals, total)
						return err
					}); err != nil {
						t.Fatalf("%+v: %v", q, err)
					}
				}
				return pages, totals
			}
			pages, totals := read(db.Read)
			viewPages, viewTotals := read(db.View)
			if !reflect.DeepEqual(pages, viewPages) || !reflect.DeepEqual(totals, viewTotals) {
				t.Errorf("Read:\n%+v %v\nView:\n%+v %v", pages, totals, viewPages, viewTotals)
			}
			if got := []int{len(pages[0]), totals[0], len(pages[1]), totals[1], len(pages[2]), len(pages[3])}; !reflect.DeepEqual(got, []int{3, 3, 1, 3, 1, 1}) {
				t.Errorf("rows and counts %v, want [3 3 1 3 1 1]", got)
			}
			byName := map[string]registry.Record{}
			for _, r := range pages[0] {
				byName[r.Name] = r
			}
			if r := byName["王强"]; r.Death != date.MustParse("2026-02-28") || r.DeathSource != "公安" || r.Version != 2 {
				t.Errorf("the dead: %+v", r)
			}
			if r := byName["王芳"]; r.IDNumber != full.IDNumber || r.Address != full.Address || r.Phone != full.Phone ||
				!r.CreatedAt.Equal(time.Date(2026, 3, 1, 8, 0, 0, 123456000, time.UTC)) || !r.Death.IsZero() {
				t.Errorf("the living: %+v", r)
			}
			if r := byName["王小"]; r.IDNumber != "" {
				t.Errorf("without an ID number: %+v", r)
			}
		})
	}
}

func mustWho(t *testing.T, s string) registry.Who {
	t.Helper()
	w, err := registry.ParseWho("q", s)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
