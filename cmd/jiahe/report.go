package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
)

// runReport computes the monthly report of a region and prints its main
// figures and the time it took: jiahe report --region CODE --month
// YYYY-MM. It reads only (a submitted or locked month prints its
// snapshot).
func runReport(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.String("region", "", "division code (village to province)")
	month := fs.String("month", "", "the month, 2026-11")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the runs to this file (go tool pprof)")
	runs := fs.Int("runs", 1, "compute it this many times and print each time taken (the first run of a process also loads the rules)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *code == "" || *month == "" {
		fmt.Fprintln(stderr, "usage: jiahe report --region CODE --month YYYY-MM [--runs N] [--cpuprofile FILE]")
		return errUsage
	}
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli", Route: "report"})
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	var r *app.MonthlyReport
	var el time.Duration
	for i := 0; i < max(*runs, 1); i++ {
		start := time.Now()
		if r, err = a.MonthlyReport(ctx, auth.System, *code, *month, "zh"); err != nil {
			return err
		}
		el = time.Since(start)
		if i < *runs-1 {
			fmt.Fprintf(stdout, "run %d: %s\n", i+1, el.Round(time.Millisecond))
		}
	}
	f := r.Report.Figures
	ratio := func(m string) string {
		if v, ok := f.Ratio(m, "all", ""); ok {
			return fmt.Sprintf("%.1f", v)
		}
		return "-"
	}
	fmt.Fprintf(stdout, "%s %s (%s): births %d (boys %d, girls %d, sex ratio %s; 12 months %d, %s); deaths %d; marriages %d; divorces %d; moves in %d, out %d; registrations %d; paid %d persons, %s yuan; residents %d; %d warnings; %s in %s\n",
		r.Report.RegionName, r.Report.Month, r.Approval.Status, f["births.all.all"], f["births.all.M"], f["births.all.F"], ratio("births"),
		f["r12.all.all"], ratio("r12"), f["deaths"], f["marriages"], f["divorces"], f["moves_in"], f["moves_out"], f["regs.all"],
		f["paid.all.persons"], fenString(f["paid.all.fen"]), f["pop"], len(r.Warnings), a.Engine(), el.Round(time.Millisecond))
	return nil
}
