package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// csvOf writes a generated extract as a department's CSV file.
func csvOf(t *testing.T, x *matching.SynthExtract) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(x.Header); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll(x.Rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestImportEveryKind imports a dirty extract of every kind, generated
// from the synthetic county loaded into the database, on both engines:
// every automatic match is the true person, nobody outside the registry
// is matched, every row is recorded, and importing the same file again
// creates no fact, task or hold twice.
func TestImportEveryKind(t *testing.T) {
	ctx := context.Background()
	cfg := synth.Config{County: "341523", Persons: 2500, Seed: 3}
	reg, err := matching.GenerateCounty(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	outside, err := matching.GenerateCounty(ctx, synth.Config{County: matching.NeighbourCounty(cfg.County), Persons: 1500, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := app.New(storetest.Open(t, engine), app.DefaultConfig(), nil)
			if _, err := a.GenerateSynthetic(ctx, auth.System, cfg, nil); err != nil {
				t.Fatal(err)
			}
			for i, kind := range matching.Kinds {
				x, err := matching.GenerateExtract(reg, outside, matching.ExtractConfig{Kind: kind, Rows: 80, Noise: 2, Outside: -1, Seed: uint64(10 + i)})
				if err != nil {
					t.Fatal(err)
				}
				file := csvOf(t, x)
				imp := func() *app.MatchImportResult {
					t.Helper()
					res, err := a.ImportExtract(ctx, county, app.MatchImport{County: "341523", Kind: string(kind), FileName: string(kind) + ".csv",
						File: bytes.NewReader(file)})
					if err != nil {
						t.Fatalf("%s: %v", kind, err)
					}
					return res
				}
				first := imp()
				acc := matching.Evaluate(first.Results, x.Truth)
				if acc.MatchedWrong != 0 || acc.OutsideMatched != 0 || acc.Missing != 0 || acc.Matched == 0 {
					t.Errorf("%s: %s", kind, acc)
				}
				got := first.Import
				if got.Rows != len(x.Rows) || got.New+got.Errors != got.Rows || got.Matched+got.Review+got.Unmatched != acc.Lines {
					t.Errorf("%s: import %+v, accuracy %s", kind, got, acc)
				}
				t.Logf("%s: %d rows, %d new, %d errors, %d matched, %d review, %d unmatched, %d tasks", kind, got.Rows, got.New, got.Errors, got.Matched, got.Review, got.Unmatched, got.Tasks)
				second := imp()
				if g := second.Import; g.New != 0 || g.Repeated != got.New || g.Tasks != 0 || g.Held != 0 {
					t.Errorf("%s again: %+v (first %+v)", kind, g, got)
				}
				tasks, n, err := a.MatchWorklist(ctx, county, "341523", matching.TaskQuery{ImportID: second.Import.ID})
				if err != nil || n != 0 {
					t.Errorf("%s again: %d tasks %+v: %v", kind, n, tasks, err)
				}
				if _, n, err := a.MatchWorklist(ctx, county, "341523", matching.TaskQuery{ImportID: got.ID}); err != nil || n != got.Tasks {
					t.Errorf("%s: %d tasks stored, import says %d: %v", kind, n, got.Tasks, err)
				}
			}
		})
	}
}

func csvOfB(b *testing.B, x *matching.SynthExtract) []byte {
	b.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(x.Header); err != nil {
		b.Fatal(err)
	}
	if err := w.WriteAll(x.Rows); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
