package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// The crash test imports an extract in a child process (this test binary
// started again) and kills it at points spread over the import's run:
// while it reads, while it matches, while its transaction writes. Each
// time the database must hold the import whole or not at all: no row,
// result, fact or task without its import, and an import with every row
// and task it counts. Imported again to the end, the file then creates
// each fact once.

const (
	matchCrashDB   = "JIAHE_MATCH_CRASH_DB"
	matchCrashKeys = "JIAHE_MATCH_CRASH_KEYS"
	matchCrashFile = "JIAHE_MATCH_CRASH_FILE"
)

// TestMatchCrashChild is the child of TestMatchImportCrash; run directly
// it has nothing to do.
func TestMatchCrashChild(t *testing.T) {
	url := os.Getenv(matchCrashDB)
	if url == "" {
		t.Skip("the child process of TestMatchImportCrash")
	}
	ctx := context.Background()
	ring, err := keys.Load(os.Getenv(matchCrashKeys))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg := app.DefaultConfig()
	cfg.Keys = ring
	a, err := app.Open(ctx, url, false, cfg, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, err := os.Open(os.Getenv(matchCrashFile))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_, err = a.ImportExtract(ctx, auth.System, app.MatchImport{County: "341523", Kind: string(matching.HospitalBirths), File: f})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func TestMatchImportCrash(t *testing.T) {
	if os.Getenv(matchCrashDB) != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("starts the test binary again several times")
	}
	ctx := context.Background()
	cfg := synth.Config{County: "341523", Persons: 2500, Seed: 5}
	reg, err := matching.GenerateCounty(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	outside, err := matching.GenerateCounty(ctx, synth.Config{County: matching.NeighbourCounty(cfg.County), Persons: 1500, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	x, err := matching.GenerateExtract(reg, outside, matching.ExtractConfig{Kind: matching.HospitalBirths, Rows: 1500, Noise: 1, Outside: -1, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "births.csv")
	if err := os.WriteFile(file, csvOf(t, x), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := storetest.URL(t, engine)
			keyFile := storetest.KeyFile(t, url)
			db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			a := app.New(db, app.DefaultConfig(), nil)
			if _, err := a.GenerateSynthetic(ctx, auth.System, cfg, nil); err != nil {
				t.Fatal(err)
			}
			child := func(kill time.Duration) (time.Duration, bool) {
				t.Helper()
				cmd := exec.Command(os.Args[0], "-test.run=^TestMatchCrashChild$")
				cmd.Env = append(os.Environ(), matchCrashDB+"="+url, matchCrashKeys+"="+keyFile, matchCrashFile+"="+file)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				start := time.Now()
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				var timer <-chan time.Time
				if kill > 0 {
					timer = time.After(kill)
				}
				select {
				case err := <-done:
					if err != nil {
						t.Fatalf("child: %v\n%s", err, stderr.String())
					}
					return time.Since(start), false
				case <-timer:
					cmd.Process.Kill()
					<-done
					return time.Since(start), true
				}
			}
			consistent := func(when string) {
				t.Helper()
				err := db.View(ctx, func(tx *store.Tx) error {
					for _, q := range []string{
						`SELECT COUNT(*) FROM match_rows r WHERE NOT EXISTS (SELECT 1 FROM match_imports i WHERE i.county = r.county AND i.id = r.import_id)`,
						`SELECT COUNT(*) FROM match_results r WHERE NOT EXISTS (SELECT 1 FROM match_imports i WHERE i.county = r.county AND i.id = r.import_id)`,
						`SELECT COUNT(*) FROM match_facts r WHERE NOT EXISTS (SELECT 1 FROM match_imports i WHERE i.county = r.county AND i.id = r.import_id)`,
						`SELECT COUNT(*) FROM match_tasks r WHERE NOT EXISTS (SELECT 1 FROM match_imports i WHERE i.county = r.county AND i.id = r.import_id)`,
						`SELECT COUNT(*) FROM match_imports i WHERE i.rows_total <> (SELECT COUNT(*) FROM match_rows r WHERE r.county = i.county AND r.import_id = i.id)
							OR i.tasks <> (SELECT COUNT(*) FROM match_tasks r WHERE r.county = i.county AND r.import_id = i.id)
							OR i.rows_new <> (SELECT COUNT(*) FROM match_facts r WHERE r.county = i.county AND r.import_id = i.id)`,
					} {
						var n int
						if err := tx.QueryRow(ctx, q).Scan(&n); err != nil {
							return err
						}
						if n != 0 {
							t.Errorf("%s: %d rows of %s", when, n, q)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			full, _ := child(0)
			consistent("a whole import")
			killed := 0
			for _, f := range []float64{0.4, 0.7, 0.9} {
				at := time.Duration(float64(full) * f)
				if _, k := child(at); k {
					killed++
				}
				consistent(fmt.Sprintf("killed after %s of %s", at.Round(time.Millisecond), full.Round(time.Millisecond)))
			}
			t.Logf("%s: a whole import took %s; %d of 3 runs killed part-way", engine, full.Round(time.Millisecond), killed)
			// To the end again: nothing new, whatever the killed runs did.
			child(0)
			consistent("the last import")
			var imports, news int
			if err := db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*), SUM(rows_new) FROM match_imports`).Scan(&imports, &news)
			}); err != nil {
				t.Fatal(err)
			}
			var facts int
			if err := db.View(ctx, func(tx *store.Tx) error { return tx.QueryRow(ctx, `SELECT COUNT(*) FROM match_facts`).Scan(&facts) }); err != nil {
				t.Fatal(err)
			}
			if news != facts || imports < 2 {
				t.Errorf("%d imports with %d new facts, %d facts stored", imports, news, facts)
			}
		})
	}
}
