package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// runLookup measures registry look-ups the way staff make them — by ID
// number, and by full name within the county — with many concurrent
// clients, and prints the latency percentiles that design §7 bounds:
// jiahe lookup --region COUNTY [--clients 32] [--requests 20000].
func runLookup(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.String("region", "", "county code whose persons are looked up")
	clients := fs.Int("clients", 32, "concurrent clients")
	requests := fs.Int("requests", 20000, "look-ups in all")
	seed := fs.Uint64("seed", 1, "seed for the choice of persons")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	county, err := region.ParseCode(*code)
	if fs.NArg() > 0 || err != nil || county.Level() != region.County || *clients < 1 || *requests < 1 {
		fmt.Fprintln(stderr, "usage: jiahe lookup --region COUNTY [--clients N] [--requests N] [--seed S]")
		return errUsage
	}
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()

	// Sample persons spread over the county's id range; look them up as
	// staff do, within the county.
	sample, err := a.SamplePersons(ctx, auth.System, county, 2000, *seed)
	if err != nil {
		return err
	}
	if len(sample) == 0 {
		return fmt.Errorf("lookup: no persons with ID numbers in %s", county)
	}
	lat := make([][]time.Duration, *clients)    // all look-ups
	byID := make([][]time.Duration, *clients)   // by ID number
	byName := make([][]time.Duration, *clients) // by name
	errs := make([]error, *clients)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(*seed, uint64(c)+1))
			for i := c; i < *requests; i += *clients {
				t := sample[r.IntN(len(sample))]
				q := registry.Query{IDNumber: t.IDNumber, Region: string(county), Limit: 20}
				if i%2 == 1 {
					q = registry.Query{Name: t.Name, Region: string(county), Limit: 20}
				}
				t0 := time.Now()
				found, _, err := a.SearchPersons(ctx, auth.System, q)
				if err == nil && len(found) == 0 {
					err = fmt.Errorf("%+v found nobody", q)
				}
				if err != nil {
					errs[c] = err
					return
				}
				d := time.Since(t0)
				lat[c] = append(lat[c], d)
				if q.IDNumber != "" {
					byID[c] = append(byID[c], d)
				} else {
					byName[c] = append(byName[c], d)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	all := percentiles(slices.Concat(lat...))
	fmt.Fprintf(stdout, "%d look-ups with %d clients in %s: %.0f/s (%s)\n", len(all.sorted), *clients,
		elapsed.Round(time.Millisecond), float64(len(all.sorted))/elapsed.Seconds(), a.Engine())
	for _, row := range []struct {
		name string
		p    latencies
	}{{"all", all}, {"by ID number", percentiles(slices.Concat(byID...))}, {"by name", percentiles(slices.Concat(byName...))}} {
		fmt.Fprintf(stdout, "  %-13s p50 %s, p95 %s, p99 %s, max %s\n", row.name, row.p.at(0.50), row.p.at(0.95), row.p.at(0.99), row.p.at(1))
	}
	return nil
}

// latencies holds sorted durations for percentiles.
type latencies struct{ sorted []time.Duration }

func percentiles(d []time.Duration) latencies {
	slices.Sort(d)
	return latencies{d}
}

// at returns the p-th quantile (0 < p ≤ 1), rounded to microseconds.
func (l latencies) at(p float64) time.Duration {
	if len(l.sorted) == 0 {
		return 0
	}
	return l.sorted[min(len(l.sorted)-1, int(p*float64(len(l.sorted))))].Round(time.Microsecond)
}
