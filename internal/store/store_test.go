package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' FROM t WHERE a = ?", "SELECT '?' FROM t WHERE a = $1"},
	}
	for _, tt := range tests {
		if got := store.Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMigrateTwiceAndDates(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			applied, latest, err := db.SchemaVersion(ctx)
			if err != nil || applied != latest || latest == 0 {
				t.Fatalf("SchemaVersion = %d, %d, %v; want equal and non-zero", applied, latest, err)
			}
			want := date.MustParse("1964-02-29")
			var got date.Date
			err = db.Update(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO retirements (county, id, person_id, date) VALUES (?, ?, ?, ?)`, "341523", 1, 1, want); err != nil {
					return err
				}
				return tx.QueryRow(ctx, `SELECT date FROM retirements WHERE county = ? AND id = ?`, "341523", 1).Scan(&got)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("date round trip = %v, want %v", got, want)
			}
		})
	}
}

func TestNextIDs(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			var a, b int64
			err := db.Update(ctx, func(tx *store.Tx) error {
				var err error
				if a, err = tx.NextIDs(ctx, "x", 10); err != nil {
					return err
				}
				b, err = tx.NextIDs(ctx, "x", 1)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if a != 1 || b != 11 {
				t.Errorf("NextIDs = %d, %d; want 1, 11", a, b)
			}
		})
	}
}

// TestRebindCacheIsBounded checks that query texts built around id lists,
// which differ on every call, do not accumulate in the rebind cache (a
// batch evaluation of ten million persons builds hundreds of thousands).
func TestRebindCacheIsBounded(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	long := strings.Repeat("1,", 1500) + "1"
	before := db.RebindCacheLen()
	for i := range 50 {
		err := db.View(ctx, func(tx *store.Tx) error {
			rows, err := tx.Query(ctx, `SELECT id FROM persons WHERE county = ? AND id IN (`+long+fmt.Sprintf(",%d", i)+`)`, "341523")
			if err != nil {
				return err
			}
			return rows.Close()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := db.RebindCacheLen() - before; n != 0 {
		t.Errorf("rebind cache grew by %d entries after 50 distinct long queries", n)
	}
}

// TestRetriesExhausted: a transaction that keeps failing with a
// serialization failure is run again with growing delays, then given up
// as Unavailable (answered 503), not as an internal error.
func TestRetriesExhausted(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	runs := 0
	start := time.Now()
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		runs++
		return fmt.Errorf("insert: %w", &pgconn.PgError{Code: "40001", Message: "could not serialize access"})
	})
	if apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("err = %v (%v), want Unavailable", err, apperr.KindOf(err))
	}
	if runs < 5 {
		t.Errorf("ran %d times, want several retries", runs)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("gave up after %s", d)
	}
	other := db.Update(context.Background(), func(tx *store.Tx) error { runs = -1; return errors.New("boom") })
	if apperr.KindOf(other) != apperr.Internal || runs != -1 {
		t.Errorf("another error: %v, ran %d", other, runs)
	}
}

// readPool opens a PostgreSQL database whose Read runs on conns
// connections, or skips the test without PostgreSQL.
func readPool(t *testing.T, conns int) *store.DB {
	t.Helper()
	if !slices.Contains(storetest.Engines(t), store.Postgres) {
		t.Skip("PostgreSQL only")
	}
	t.Setenv("JIAHE_READ_CONNS", strconv.Itoa(conns))
	return storetest.Open(t, store.Postgres)
}

// TestReadsWaitForFewConnections checks that on PostgreSQL the statements
// of Read run on a pool of their own of JIAHE_READ_CONNS connections:
// many callers at once take turns on them instead of each running on a
// connection of its own.
func TestReadsWaitForFewConnections(t *testing.T) {
	db := readPool(t, 3)
	ctx := context.Background()
	var mu sync.Mutex
	backends := map[int]bool{}
	var wg sync.WaitGroup
	for range 24 {
		wg.Go(func() {
			err := db.Read(ctx, func(tx *store.Tx) error {
				var pid int
				if err := tx.QueryRow(ctx, `SELECT pg_backend_pid() FROM (SELECT pg_sleep(0.02)) s`).Scan(&pid); err != nil {
					return err
				}
				mu.Lock()
				backends[pid] = true
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(backends) == 0 || len(backends) > 3 {
		t.Errorf("24 reads at once ran on %d connections, want 1 to 3", len(backends))
	}
	// Transactions are not held to that pool.
	if err := db.View(ctx, func(tx *store.Tx) error {
		var one int
		return tx.QueryRow(ctx, `SELECT 1`).Scan(&one)
	}); err != nil {
		t.Fatal(err)
	}
}

// TestReadsInLine checks that on PostgreSQL callers of Read get a
// connection in the order they asked for one (database/sql alone gives a
// connection set free to a waiter chosen at random), and that Read's
// statements are planned once and run without parallel workers.
func TestReadsInLine(t *testing.T) {
	db := readPool(t, 1)
	ctx := context.Background()
	if err := db.Read(ctx, func(tx *store.Tx) error {
		for setting, want := range map[string]string{"plan_cache_mode": "force_generic_plan", "max_parallel_workers_per_gather": "0"} {
			var got string
			if err := tx.QueryRow(ctx, `SHOW `+setting).Scan(&got); err != nil {
				return err
			}
			if got != want {
				t.Errorf("Read's %s is %s, want %s", setting, got, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// The first caller holds the one connection until the others have
	// all come, one after the other.
	release := make(chan struct{})
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	read := func(i int) {
		err := db.Read(ctx, func(tx *store.Tx) error {
			if i == 0 {
				// The connection stays taken while its rows are open.
				rows, err := tx.Query(ctx, `SELECT 1`)
				if err != nil {
					return err
				}
				<-release
				rows.Close()
			}
			var one int
			err := tx.QueryRow(ctx, `SELECT 1`).Scan(&one)
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			return err
		})
		if err != nil {
			t.Error(err)
		}
	}
	const callers = 8
	for i := range callers {
		wg.Go(func() { read(i) })
		time.Sleep(50 * time.Millisecond) // time to reach the line
	}
	close(release)
	wg.Wait()
	if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !slices.Equal(order, want) {
		t.Errorf("callers were served in the order %v, want %v", order, want)
	}
}
