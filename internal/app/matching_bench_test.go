package app_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// BenchmarkImportThroughput measures imports end to end — reading the
// CSV, building the matcher's index from the registry (ID numbers
// decrypted), matching, and storing rows, results, facts and tasks in one
// transaction — on each engine, for a synthetic county of
// JIAHE_BENCH_PERSONS persons (default 20,000) loaded into the database,
// with JIAHE_BENCH_ROWS rows of each kind (default 10,000), and reports
// rows a minute and the accuracy. It is not part of the test run:
//
//	JIAHE_BENCH_PERSONS=200000 JIAHE_BENCH_ROWS=50000 go test ./internal/app -run '^$' -bench ImportThroughput -benchtime 1x -timeout 60m -v
func BenchmarkImportThroughput(b *testing.B) {
	ctx := context.Background()
	persons, rows := envInt("JIAHE_BENCH_PERSONS", 20_000), envInt("JIAHE_BENCH_ROWS", 10_000)
	cfg := synth.Config{County: "341523", Persons: persons, Seed: 1}
	reg, err := matching.GenerateCounty(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	outside, err := matching.GenerateCounty(ctx, synth.Config{County: matching.NeighbourCounty(cfg.County), Persons: max(20_000, persons/10), Seed: 2})
	if err != nil {
		b.Fatal(err)
	}
	files := map[matching.Kind][]byte{}
	truth := map[matching.Kind][]matching.Truth{}
	for i, k := range matching.Kinds {
		x, err := matching.GenerateExtract(reg, outside, matching.ExtractConfig{Kind: k, Rows: rows, Noise: 1, Outside: -1, Seed: uint64(100 + i)})
		if err != nil {
			b.Fatal(err)
		}
		files[k], truth[k] = csvOfB(b, x), x.Truth
	}
	for _, engine := range storetest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			a := app.New(storetest.Open(b, engine), app.DefaultConfig(), nil)
			start := time.Now()
			if _, err := a.GenerateSynthetic(ctx, auth.System, cfg, nil); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d persons loaded in %s", engine, len(reg.Persons), time.Since(start).Round(time.Second))
			b.ResetTimer()
			var all matching.Accuracy
			total, took, cpuTook := 0, time.Duration(0), time.Duration(0)
			for _, k := range matching.Kinds {
				t0, c0 := time.Now(), cpuTime()
				res, err := a.ImportExtract(ctx, county, app.MatchImport{County: "341523", Kind: string(k), FileName: string(k) + ".csv",
					File: bytesReader(files[k]), Limits: sheet.LocalLimits})
				if err != nil {
					b.Fatal(err)
				}
				el, cpu := time.Since(t0), cpuTime()-c0
				cpuTook += cpu
				acc := matching.Evaluate(res.Results, truth[k])
				all.Add(acc)
				total += res.Import.Rows
				took += el
				b.Logf("%s %-16s %6d rows %6.1fs %8.0f rows/min (CPU of this process %.1fs); tasks %d; %s", engine, k, res.Import.Rows, el.Seconds(),
					float64(res.Import.Rows)/el.Minutes(), cpu.Seconds(), res.Import.Tasks, acc)
			}
			b.ReportMetric(float64(total)/took.Minutes(), "rows/min")
			b.Logf("%s all: %d rows in %s, %.0f rows a minute (CPU of this process %s); %s", engine, total, took.Round(time.Second),
				float64(total)/took.Minutes(), cpuTook.Round(time.Second), all)
		})
	}
}

// cpuTime is the CPU time this process has used (user and system); the
// database server's own time, for PostgreSQL, is not in it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
