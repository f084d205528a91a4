package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestScanCancelled cancels a county scan after its first chunk, on both
// engines, with the PostgreSQL passes in small ranges so that ranges are
// being read ahead when it stops: the scan ends with the cancellation,
// promptly, and gives back its connections (the database is read again
// afterwards).
func TestScanCancelled(t *testing.T) {
	defer store.SetRangeRows(40)()
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			db := storetest.Open(t, engine)
			if _, err := store.LoadSynthetic(context.Background(), db, synth.Config{County: "341523", Persons: 2000, Seed: 3}, nil); err != nil {
				t.Fatal(err)
			}
			scan := store.FamilyScan{County: "341523", Year: 2024, Chunk: 200}
			for round := range 3 {
				ctx, cancel := context.WithCancel(context.Background())
				chunks := 0
				var got error
				start := time.Now()
				for _, err := range db.ScanFamilies(ctx, scan) {
					if err != nil {
						got = err
						break
					}
					chunks++
					cancel()
				}
				cancel()
				if chunks != 1 || !errors.Is(got, context.Canceled) {
					t.Fatalf("round %d: %d chunks, then %v; want 1 chunk, then the cancellation", round, chunks, got)
				}
				if d := time.Since(start); d > 10*time.Second {
					t.Fatalf("round %d: the cancelled scan took %s", round, d)
				}
			}
			// Every connection was given back: a whole scan still runs.
			n := 0
			for fs, err := range db.ScanFamilies(context.Background(), scan) {
				if err != nil {
					t.Fatal(err)
				}
				n += len(fs.Subjects)
			}
			if n == 0 {
				t.Fatal("no subjects read after the cancelled scans")
			}
		})
	}
}
