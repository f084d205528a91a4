package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

// runEval batch-evaluates every program for every person of a region and
// writes the determinations: jiahe eval --year Y [--region CODE]. With
// --floor it first measures the scan floor (the time to read the same
// families once, without evaluating) and prints the ratio that design §7
// bounds.
func runEval(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	year := fs.Int("year", 0, "benefit year")
	code := fs.String("region", "", "county code, or a township or village code within one (default: every county with persons)")
	workers := fs.Int("workers", 0, "evaluating goroutines (default: the number of CPUs)")
	explain := fs.Bool("explain", false, "store the clause-by-clause explanation with each determination")
	floor := fs.Bool("floor", false, "measure the scan floor first and print evaluation/floor")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *year < 2004 || *year > 2100 {
		fmt.Fprintln(stderr, "usage: jiahe eval --year Y [--region CODE] [--workers N] [--explain] [--floor] [--cpuprofile FILE]")
		return errUsage
	}
	// The evaluation's live heap is small (a window of the county, the
	// workers' families, the ranges read ahead): collecting less often
	// saves CPU, and the soft limit keeps memory bounded all the same. At
	// 400 the heap grew to within the limit on PostgreSQL and the pages the
	// runtime gave back and took again cost more system time than the
	// collections saved (docs/performance.md).
	debug.SetGCPercent(200)
	debug.SetMemoryLimit(768 << 20)
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli", Route: "eval"})

	regions := []string{*code}
	if *code == "" {
		if regions, err = a.Counties(ctx, auth.System); err != nil {
			return err
		}
	}
	for _, r := range regions {
		opts := app.EvalOptions{Region: r, Year: *year, Workers: *workers, Explain: *explain}
		var floorN int
		var floorT time.Duration
		if *floor {
			if floorN, floorT, err = a.ScanFloor(ctx, auth.System, opts); err != nil {
				return err
			}
		}
		st, err := a.Evaluate(ctx, auth.System, opts)
		// Each run is audited, complete or not.
		detail := map[string]any{"year": *year, "persons": st.Persons, "eligible": st.Eligible, "review": st.Review, "amount_fen": st.AmountFen,
			"rules": st.RuleVersion, "explain": *explain, "complete": err == nil}
		if rerr := a.RecordRun(ctx, auth.System, app.Run{Action: "eval.run", Entity: "determination", Region: region.Code(r), Detail: detail}); rerr != nil && err == nil {
			err = rerr
		}
		if err != nil {
			return err
		}
		rate := float64(st.Persons) / st.Elapsed.Seconds()
		fmt.Fprintf(stdout, "%s %d: %d persons in %s, %.0f persons/s; %d eligible determinations, %s yuan; %d decisions need review (%s, rules %s)\n",
			st.County, *year, st.Persons, st.Elapsed.Round(time.Millisecond), rate, st.Eligible, fenString(st.AmountFen), st.Review, a.Engine(), st.RuleVersion)
		if *floor && floorT > 0 {
			fmt.Fprintf(stdout, "scan floor: %d persons read in %s; evaluation/floor = %.2f\n",
				floorN, floorT.Round(time.Millisecond), st.Elapsed.Seconds()/floorT.Seconds())
		}
	}
	return nil
}

func fenString(f int64) string {
	return fmt.Sprintf("%d.%02d", f/100, f%100)
}

// startCPUProfile writes a CPU profile of the command to path (for go tool
// pprof) until stop is called; with path "" it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
