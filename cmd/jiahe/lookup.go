package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
)

// lookupKinds are the searches jiahe lookup can make, in the order it
// reports them.
var lookupKinds = []string{"id", "name", "initials", "initials1", "suffix", "suffix5", "suffix4", "roll"}

// lookupNames are their descriptions in the report.
var lookupNames = map[string]string{
	"id":        "by ID number",
	"name":      "by full name",
	"initials":  "by initials",
	"initials1": "by 1 initial",
	"suffix":    "by ID suffix",
	"suffix5":   "by 5 of suffix",
	"suffix4":   "by 4 of suffix",
	"roll":      "roll filter",
}

// lookupAs are whose staff jiahe lookup can search as (--as).
var lookupAs = []string{"county", "township", "village"}

// lookupSuffixes are the kinds that search by the end of an ID number, and
// how many characters each gives.
var lookupSuffixes = map[string]int{"suffix": 6, "suffix5": 5, "suffix4": 4}

// runLookup measures registry look-ups the way staff make them, with many
// concurrent clients, and prints the latency percentiles that design §7
// bounds: jiahe lookup --region COUNTY [--clients 32] [--requests 20000]
// [--kinds id,name,initials,initials1,suffix,suffix5,suffix4,roll]. The
// kinds are the person search by the whole ID number, by full name, by the
// pinyin initials of the name (the first three letters; initials1 the
// first alone) and by the last six (suffix), five (suffix5) or four
// (suffix4) characters of the ID number, each within the county, and the
// roll of the person's village for one program and status, searched by the
// initials. --as says whose staff search: the county's officer, or each
// sampled person's township or village, within it.
func runLookup(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.String("region", "", "county code whose persons are looked up")
	clients := fs.Int("clients", 32, "concurrent clients")
	requests := fs.Int("requests", 20000, "look-ups in all")
	seed := fs.Uint64("seed", 1, "seed for the choice of persons")
	kindList := fs.String("kinds", "id,name", "comma-separated searches to make, in turn: "+strings.Join(lookupKinds, ", "))
	as := fs.String("as", "county", "whose staff search: county (the county's officer), township (each person's township, within the township) or village (each person's village specialist, within the village)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the look-ups to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var kinds []string
	for _, k := range strings.Split(*kindList, ",") {
		if k = strings.TrimSpace(k); k != "" {
			kinds = append(kinds, k)
		}
	}
	county, err := region.ParseCode(*code)
	if fs.NArg() > 0 || err != nil || county.Level() != region.County || *clients < 1 || *requests < 1 || len(kinds) == 0 ||
		!slices.Contains(lookupAs, *as) ||
		slices.ContainsFunc(kinds, func(k string) bool { return !slices.Contains(lookupKinds, k) }) {
		fmt.Fprintln(stderr, "usage: jiahe lookup --region COUNTY [--clients N] [--requests N] [--seed S] [--kinds "+strings.Join(lookupKinds, ",")+"] [--as "+strings.Join(lookupAs, "|")+"] [--cpuprofile FILE]")
		return errUsage
	}
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()

	// Sample persons spread over the county's id range; look them up as
	// staff of the county do.
	sample, err := a.SamplePersons(ctx, auth.System, county, 2000, *seed)
	if err != nil {
		return err
	}
	if len(sample) == 0 {
		return fmt.Errorf("lookup: no persons with ID numbers in %s", county)
	}
	// What staff would type for each sampled person, found beforehand:
	// the pinyin of a name is the measuring client's work, not the
	// look-up's.
	initials := make([]string, len(sample))
	for i, t := range sample {
		initials[i] = matching.Initials(t.Name)
	}
	search := func(kind string, t registry.Record, typed string) (int, error) {
		role, scope := auth.RoleCounty, county
		switch v := region.Code(t.Region); *as {
		case "village":
			role, scope = auth.RoleVillage, v
		case "township":
			if v.Level() == region.Village {
				v = v.Parent()
			}
			role, scope = auth.RoleTownship, v
		}
		officer := auth.Actor{Username: "lookup", Name: "测量", Role: role, Scope: scope}
		q := registry.Query{Region: string(scope), Limit: 20}
		switch kind {
		case "id":
			q.IDNumber = t.IDNumber
		case "name":
			q.Name = t.Name
		case "initials", "initials1", "suffix", "suffix5", "suffix4", "roll":
			var text string
			if n, ok := lookupSuffixes[kind]; ok {
				text = t.IDNumber[len(t.IDNumber)-n:]
			} else {
				text = typed[:min(3, len(typed))]
				if kind == "initials1" {
					text = text[:min(1, len(text))]
				}
			}
			w, err := registry.ParseWho("q", text)
			if err != nil {
				return 0, err
			}
			if kind == "roll" {
				p, err := a.RollPage(ctx, officer, roll.Query{Region: t.Region, Program: policy.ProgramJF, Status: roll.StatusActive, Who: w, Limit: 20}, "zh")
				if err != nil {
					return 0, err
				}
				return max(1, len(p.Entries)), nil // a village may have nobody on the roll
			}
			q.Who = w
		}
		found, _, err := a.SearchPersons(ctx, officer, q)
		return len(found), err
	}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	lat := make([][]time.Duration, *clients)
	byKind := make([]map[string][]time.Duration, *clients)
	errs := make([]error, *clients)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range *clients {
		byKind[c] = map[string][]time.Duration{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(*seed, uint64(c)+1))
			for i := c; i < *requests; i += *clients {
				j := r.IntN(len(sample))
				t := sample[j]
				kind := kinds[i%len(kinds)]
				t0 := time.Now()
				n, err := search(kind, t, initials[j])
				if err == nil && n == 0 {
					err = fmt.Errorf("%s search for person %d found nobody", kind, t.ID)
				}
				if err != nil {
					errs[c] = err
					return
				}
				d := time.Since(t0)
				lat[c] = append(lat[c], d)
				byKind[c][kind] = append(byKind[c][kind], d)
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
	report := func(name string, p latencies) {
		fmt.Fprintf(stdout, "  %-13s p50 %s, p95 %s, p99 %s, max %s\n", name, p.at(0.50), p.at(0.95), p.at(0.99), p.at(1))
	}
	report("all", all)
	for _, k := range kinds {
		var ds []time.Duration
		for c := range byKind {
			ds = append(ds, byKind[c][k]...)
		}
		if len(ds) > 0 {
			report(lookupNames[k], percentiles(ds))
			for c := range byKind {
				delete(byKind[c], k) // a kind named twice is reported once
			}
		}
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
