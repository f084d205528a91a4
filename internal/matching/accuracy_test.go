package matching

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/synth"
)

// The accuracy of matching is measured on extracts generated from a
// synthetic county with the errors real extracts have: see
// docs/matching.md. The test runs on a county of 100,000 persons; the
// benchmark (run by hand) on one of 1,000,000:
//
//	go test ./internal/matching -run TestAccuracy -v
//	go test ./internal/matching -run '^$' -bench BenchmarkAccuracy -benchtime 1x -timeout 60m

// testCounty is the county of the accuracy test (舒城县).
const (
	testCounty  = "341523"
	testPersons = 100_000
)

type world struct {
	reg, out *SynthCounty
	m        *Matcher
	built    time.Duration // generating the county and building the index
	indexed  time.Duration // building the index alone
}

func newWorld(t testing.TB, persons int, p Params) *world {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	reg, err := GenerateCounty(ctx, synth.Config{County: testCounty, Persons: persons, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out, err := GenerateCounty(ctx, synth.Config{County: NeighbourCounty(testCounty), Persons: max(20_000, persons/10), Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	istart := time.Now()
	ix, err := BuildIndex(ctx, reg.Candidates())
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMatcher(ix, p)
	if err != nil {
		t.Fatal(err)
	}
	return &world{reg: reg, out: out, m: m, built: time.Since(start), indexed: time.Since(istart)}
}

var (
	sharedOnce  sync.Once
	sharedWorld *world
)

// shared returns the 100,000-person world the tests share.
func shared(t testing.TB) *world {
	sharedOnce.Do(func() { sharedWorld = newWorld(t, testPersons, DefaultParams()) })
	if sharedWorld == nil {
		t.Fatal("no world")
	}
	return sharedWorld
}

// run generates an extract, parses it, matches it and evaluates the
// results; it returns the time parsing and matching took and the time
// matching alone took.
func (w *world) run(t testing.TB, cfg ExtractConfig) (a Accuracy, total, matching time.Duration) {
	t.Helper()
	x, err := GenerateExtract(w.reg, w.out, cfg)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ex, err := Parse(x, cfg.Kind, Options{})
	if err != nil || !ex.OK() {
		t.Fatalf("%s: %v %v", cfg.Kind, err, ex.Problems)
	}
	mstart := time.Now()
	res, err := w.m.MatchRows(context.Background(), ex.Rows)
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(res, x.Truth), time.Since(start), time.Since(mstart)
}

// byKind measures every kind at one noise level and returns the table
// and the accuracy of all kinds together.
func (w *world) byKind(t testing.TB, rows int, noise float64) (string, []Accuracy, Accuracy, time.Duration, time.Duration) {
	var names []string
	var accs []Accuracy
	var all Accuracy
	var total, matching time.Duration
	for i, k := range Kinds {
		a, tt, mt := w.run(t, ExtractConfig{Kind: k, Rows: rows, Noise: noise, Outside: 0.1, Seed: uint64(10 + i)})
		total += tt
		matching += mt
		names = append(names, string(k))
		accs = append(accs, a)
		all.Add(a)
	}
	return AccuracyTable(append(names, "all"), append(accs, all)), accs, all, total, matching
}

func checkTargets(t testing.TB, name string, a Accuracy) {
	t.Helper()
	if a.Precision() < 0.995 || a.Recall() < 0.97 || a.RecallWithReview() < 0.99 || a.ReviewShare() > 0.05 || a.OutsideMatched > 0 {
		t.Errorf("%s below target: %s", name, a)
	}
}

func TestAccuracy(t *testing.T) {
	rows := 5000
	if testing.Short() {
		rows = 2000
	}
	w := shared(t)
	t.Logf("county of %d persons generated and indexed in %s (index %s)", w.m.Index().Len(), w.built.Round(time.Millisecond), w.indexed.Round(time.Millisecond))
	table, accs, all, total, matching := w.byKind(t, rows, 1)
	n := len(Kinds) * rows
	t.Logf("default noise, %d rows of each kind:\n%s", rows, table)
	t.Logf("%d rows parsed and matched in %s (%.0f rows a minute; matching alone %.0f)", n, total.Round(time.Millisecond),
		float64(n)/total.Minutes(), float64(n)/matching.Minutes())
	for i, a := range accs {
		checkTargets(t, string(Kinds[i]), a)
	}
	checkTargets(t, "all", all)
}

// noiseLevels are the levels figures are reported at.
var noiseLevels = []float64{0, 0.5, 1, 2, 4}

func noiseTable(t testing.TB, w *world, rows int) string {
	var b strings.Builder
	b.WriteString("| noise | lines | precision | auto | auto + review | review | outside matched | weakest kind (auto) |\n|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, noise := range noiseLevels {
		_, accs, all, _, _ := w.byKind(t, rows, noise)
		weak, wk := 2.0, ""
		for i, a := range accs {
			if a.Recall() < weak {
				weak, wk = a.Recall(), fmt.Sprintf("%s %.4f", Kinds[i], a.Recall())
			}
		}
		fmt.Fprintf(&b, "| %g | %d | %.4f | %.4f | %.4f | %.2f %% | %d | %s |\n", noise, all.Lines, all.Precision(), all.Recall(), all.RecallWithReview(),
			100*all.ReviewShare(), all.OutsideMatched, wk)
	}
	return b.String()
}

func TestAccuracyByNoise(t *testing.T) {
	if testing.Short() {
		t.Skip("reports figures; TestAccuracy checks the targets")
	}
	w := shared(t)
	t.Logf("every kind, 1,000 rows each, by noise level:\n%s", noiseTable(t, w, 1000))
}

// BenchmarkAccuracy measures accuracy and throughput on a county of
// 1,000,000 persons with extracts of 100,000 rows of every kind (set
// JIAHE_MATCH_PERSONS and JIAHE_MATCH_ROWS to change them).
func BenchmarkAccuracy(b *testing.B) {
	persons, rows := 1_000_000, 100_000
	if v := os.Getenv("JIAHE_MATCH_PERSONS"); v != "" {
		fmt.Sscan(v, &persons)
	}
	if v := os.Getenv("JIAHE_MATCH_ROWS"); v != "" {
		fmt.Sscan(v, &rows)
	}
	for b.Loop() {
		w := newWorld(b, persons, DefaultParams())
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		fmt.Printf("county of %d persons generated and indexed in %s (index %s); heap in use %d MiB\n",
			w.m.Index().Len(), w.built.Round(time.Millisecond), w.indexed.Round(time.Millisecond), ms.HeapInuse>>20)
		table, _, all, total, matching := w.byKind(b, rows, 1)
		n := len(Kinds) * rows
		fmt.Printf("default noise, %d rows of each kind:\n%s\n", rows, table)
		fmt.Printf("%d rows parsed and matched in %s: %.0f rows a minute (matching alone %.0f rows a minute)\n\n", n, total.Round(time.Millisecond),
			float64(n)/total.Minutes(), float64(n)/matching.Minutes())
		checkTargets(b, "all", all)
		fmt.Printf("every kind, %d rows each, by noise level:\n%s\n", rows/10, noiseTable(b, w, rows/10))
		start := time.Now()
		ds, err := w.m.Duplicates(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("probable duplicates in the registry: %d pairs in %s\n", len(ds), time.Since(start).Round(time.Millisecond))
	}
}
