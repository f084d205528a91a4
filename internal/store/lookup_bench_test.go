package store

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// BenchmarkLookup measures what this process spends on a registry
// look-up — a page of twenty persons and its count, as Read runs it for
// the county's officer — on a county generated beforehand, one look-up
// at a time: the time per look-up is mostly the server's, the
// allocations and bytes are all this process's.
//
//	JIAHE_BENCH_PG='postgres://postgres@127.0.0.1:5432/jiahe_small?sslmode=disable' \
//	JIAHE_BENCH_KEYS=small.keys \
//	  go test -run '^$' -bench Lookup -benchmem ./internal/store
func BenchmarkLookup(b *testing.B) {
	url := os.Getenv("JIAHE_BENCH_PG")
	if url == "" {
		b.Skip("JIAHE_BENCH_PG names no database with a generated county")
	}
	ring, err := keys.Load(os.Getenv("JIAHE_BENCH_KEYS"))
	if err != nil {
		b.Fatal(err)
	}
	const county = region.Code("341523")
	ctx := context.Background()
	db, err := Open(ctx, url, WithKeys(ring))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var sample []registry.Record
	if err := db.Read(ctx, func(tx *Tx) error {
		lo, hi, err := tx.PersonIDRange(ctx, string(county))
		if err != nil {
			return err
		}
		for i := range int64(200) {
			r, err := tx.NumberedPersonFrom(ctx, string(county), lo+i*(hi-lo)/200)
			if err != nil {
				return err
			}
			sample = append(sample, *r)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	// The initials staff would type, found beforehand: the pinyin of a
	// name is not the look-up's work.
	initials := make([]string, len(sample))
	for i, t := range sample {
		in := matching.Initials(t.Name)
		initials[i] = in[:min(3, len(in))]
	}
	for _, kind := range []string{"id", "name", "initials"} {
		b.Run(kind, func(b *testing.B) {
			i := 0
			cpu0 := processCPU(b)
			for b.Loop() {
				t, typed := sample[i%len(sample)], initials[i%len(sample)]
				i++
				q := registry.Query{Limit: 20}
				switch kind {
				case "id":
					q.IDNumber = t.IDNumber
				case "name":
					q.Name = t.Name
				case "initials":
					w, err := registry.ParseWho("q", typed)
					if err != nil {
						b.Fatal(err)
					}
					q.Who = w
				}
				err := db.Read(ctx, func(tx *Tx) error {
					found, _, err := tx.FindPersons(ctx, county, q)
					if err == nil && len(found) == 0 {
						b.Fatalf("%s: nobody found for person %d", kind, t.ID)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// processCPU returns the CPU time this process has used so far, its
// threads' user and system time.
func processCPU(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
