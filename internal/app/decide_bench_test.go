package app_test

import (
	"context"
	"os"
	"testing"

	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// BenchmarkDecideFamilies decides, on one goroutine, the families of the
// first 150,000 or so subjects of a county generated beforehand (read once
// by the county scan, kept in memory), as a worker of a batch evaluation
// decides them: each subject's family cut out of its chunk, every program
// decided, the eligible decisions counted. It measures the evaluation
// alone, without the reading and the writing, so that a change to the
// rules' engine or to the families can be compared run against run on
// this kind of machine, whose speed drifts from minute to minute.
//
//	JIAHE_BENCH_PG='postgres://postgres@127.0.0.1:5432/jiahe_bench_1000000?sslmode=disable' \
//	  go test -run '^$' -bench DecideFamilies -benchtime 5x -cpu 1 ./internal/app
func BenchmarkDecideFamilies(b *testing.B) {
	url := os.Getenv("JIAHE_BENCH_PG")
	if url == "" {
		b.Skip("JIAHE_BENCH_PG names no database with a generated county")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	var chunks []*registry.Families
	subjects := 0
	for fs, err := range db.ScanFamilies(ctx, store.FamilyScan{County: "341523", Year: 2024}) {
		if err != nil {
			b.Fatal(err)
		}
		chunks = append(chunks, fs)
		if subjects += len(fs.Subjects); subjects > 150000 {
			break
		}
	}
	db.Close()
	ev, err := policy.NewEvaluator(policy.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cs := policy.Case{Year: 2024, Region: "341523"}
	var res policy.Result
	eligible := 0
	for b.Loop() {
		for _, fs := range chunks {
			if err := fs.Each(func(id int64, f *registry.Family) error {
				cs.Family = *f
				cs.Subjects = append(cs.Subjects[:0], f.Persons[0].Ref)
				if err := ev.EvaluateInto(&cs, &res); err != nil {
					return err
				}
				for _, d := range res.Decisions {
					if d.Eligible {
						eligible++
					}
				}
				return nil
			}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(subjects), "subjects")
	b.ReportMetric(float64(eligible)/float64(b.N), "eligible/op")
}
