package matching

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/synth"
)

// testCounty is the county of the accuracy test (舒城县) and its persons.
const (
	testCounty  = "341523"
	testPersons = 100_000
)

type world struct {
	reg, out *SynthCounty
	m        *Matcher
}

func newWorld(t testing.TB, persons int, p Params) *world {
	t.Helper()
	ctx := context.Background()
	reg, err := GenerateCounty(ctx, synth.Config{County: testCounty, Persons: persons, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	out, err := GenerateCounty(ctx, synth.Config{County: NeighbourCounty(testCounty), Persons: max(20_000, persons/10), Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := BuildIndex(ctx, reg.Candidates())
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMatcher(ix, p)
	if err != nil {
		t.Fatal(err)
	}
	return &world{reg: reg, out: out, m: m}
}

// run generates an extract, parses it, matches it and evaluates the
// results.
func (w *world) run(t testing.TB, cfg ExtractConfig) (Accuracy, time.Duration) {
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
	res, err := w.m.MatchRows(context.Background(), ex.Rows)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	return Evaluate(res, x.Truth), el
}

func TestAccuracy(t *testing.T) {
	rows := 5000
	if testing.Short() {
		rows = 2000
	}
	start := time.Now()
	w := newWorld(t, testPersons, DefaultParams())
	t.Logf("county of %d persons and index in %s", w.m.Index().Len(), time.Since(start).Round(time.Millisecond))
	var names []string
	var accs []Accuracy
	var total Accuracy
	var spent time.Duration
	for i, k := range Kinds {
		a, el := w.run(t, ExtractConfig{Kind: k, Rows: rows, Noise: 1, Outside: 0.1, Seed: uint64(10 + i)})
		spent += el
		names = append(names, string(k))
		accs = append(accs, a)
		total.Add(a)
	}
	names = append(names, "all")
	accs = append(accs, total)
	t.Logf("\n%s", AccuracyTable(names, accs))
	t.Logf("%d rows parsed and matched in %s: %.0f rows a minute", len(Kinds)*rows, spent.Round(time.Millisecond), float64(len(Kinds)*rows)/spent.Minutes())
	for i, a := range accs {
		if a.Precision() < 0.995 || a.Recall() < 0.97 || a.RecallWithReview() < 0.99 || a.ReviewShare() > 0.05 || a.OutsideMatched > 0 {
			t.Errorf("%s below target: %s", names[i], a)
		}
	}
	_ = fmt.Sprint
}
