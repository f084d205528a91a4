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
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// runGen generates a synthetic population into the database:
// jiahe gen --county CODE --persons N [--seed S] [--as-of DATE]. Run again after being
// stopped part-way, it writes what the first run did not (app.GenerateSynthetic).
func runGen(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	county := fs.String("county", "", "six-digit county code (e.g. 341523)")
	persons := fs.Int("persons", 0, "approximate number of persons to generate")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same population")
	asOf := fs.String("as-of", "", "last day simulated, YYYY-MM-DD (default "+synth.DefaultAsOf.String()+")")
	transfers := fs.Bool("transfers", false, "hand the hukou moves to other counties over to those counties (transfers between counties)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *county == "" || *persons <= 0 {
		fmt.Fprintln(stderr, "usage: jiahe gen --county CODE --persons N [--seed S] [--as-of YYYY-MM-DD] [--transfers]")
		return errUsage
	}
	cfg := synth.Config{County: *county, Persons: *persons, Seed: *seed, Transfers: *transfers}
	if *asOf != "" {
		d, err := date.Parse(*asOf)
		if err != nil || d.IsZero() {
			fmt.Fprintln(stderr, "jiahe gen: --as-of must be a day YYYY-MM-DD")
			return errUsage
		}
		cfg.AsOf = d
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli", Route: "gen"})

	start := time.Now()
	last := start
	progress := func(done int) {
		if now := time.Now(); now.Sub(last) >= 2*time.Second || done >= *persons {
			last = now
			fmt.Fprintf(stdout, "%d persons (%.0f%%), %s\n", done, 100*float64(done)/float64(*persons), now.Sub(start).Round(time.Second))
		}
	}
	st, err := a.GenerateSynthetic(ctx, auth.System, cfg, progress)
	if err != nil {
		return err
	}
	el := time.Since(start)
	if st.Present > 0 {
		fmt.Fprintf(stdout, "resumed: %d persons were already loaded by an earlier run and were not written again\n", st.Present)
	}
	fmt.Fprintf(stdout, "generated %d persons (%d alive on %s) in %d villages of %s: %d hukou spells, %d marriages, %d parent–child ties, %d disabilities, %d certificates, %d complications, %d retirements, %d operations, %d birth permissions, %d pension enrolments, %d admissions\n",
		st.Persons, st.Alive, cfg.AsOf, st.Villages, cfg.County, st.Hukou, st.Marriages, st.Children, st.Disabilities, st.Certificates, st.Complications, st.Retirements,
		st.Contraception, st.Permissions, st.Pensions, st.Admissions)
	fmt.Fprintf(stdout, "%d birth registrations, %d childcare subsidy claims, %d childcare institutions with %d inspections\n",
		st.Registrations, st.Claims, st.Institutions, st.Inspections)
	fmt.Fprintf(stdout, "%d living away from their hukou's township, %d hukou moves to other counties of the province", st.Migrants, st.Moves)
	if cfg.Transfers {
		fmt.Fprint(stdout, " (handed over)")
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "%s, %.0f persons/s (%s)\n", el.Round(time.Millisecond), float64(st.Persons-st.Present)/el.Seconds(), a.Engine())
	return nil
}
