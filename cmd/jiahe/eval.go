package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// runEval batch-evaluates every program for every person of a region and
// writes the determinations: jiahe eval --year Y [--region CODE]. It also
// measures the scan floor (the time to read the same rows once) and prints
// the ratio that design §7 bounds.
func runEval(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	year := fs.Int("year", 0, "benefit year")
	code := fs.String("region", "", "county code, or a township or village code within one (default: every county with persons)")
	workers := fs.Int("workers", 0, "evaluating goroutines (default: the number of CPUs)")
	explain := fs.Bool("explain", false, "store the clause-by-clause explanation with each determination")
	floor := fs.Bool("floor", true, "measure the scan floor first")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *year < 2004 || *year > 2100 {
		fmt.Fprintln(stderr, "usage: jiahe eval --year Y [--region CODE] [--workers N] [--explain] [--floor=false]")
		return errUsage
	}
	db, err := openCurrent(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()

	var counties []string
	scope := ""
	if *code != "" {
		c, err := region.ParseCode(*code)
		if err != nil || len(c) < 6 || c.Level() < region.County {
			return fmt.Errorf("--region %q: want a county, township or village code", *code)
		}
		counties = []string{string(c[:6])}
		if c.Level() > region.County {
			p, _ := c.Prefix()
			scope = p
		}
	} else if err := db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT DISTINCT county FROM persons ORDER BY county`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			counties = append(counties, c)
		}
		return rows.Err()
	}); err != nil {
		return err
	}
	var layers []policy.Layer
	if err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		layers, err = tx.PolicyRules(ctx)
		return err
	}); err != nil {
		return err
	}
	ev, err := policy.NewEvaluator(policy.Options{Layers: layers, Explain: *explain})
	if err != nil {
		return err
	}
	for _, county := range counties {
		opts := store.EvalOptions{County: county, Scope: scope, Year: *year, Workers: *workers, Explain: *explain}
		var floorN int
		var floorT time.Duration
		if *floor {
			if floorN, floorT, err = db.ScanFloor(ctx, opts); err != nil {
				return err
			}
		}
		st, err := db.EvaluateRegion(ctx, ev, opts)
		if err != nil {
			return err
		}
		rate := float64(st.Persons) / st.Elapsed.Seconds()
		fmt.Fprintf(stdout, "%s %d: %d persons in %s, %.0f persons/s; %d eligible determinations, %s yuan; %d decisions need review (%s, rules %s)\n",
			county, *year, st.Persons, st.Elapsed.Round(time.Millisecond), rate, st.Eligible, fenString(st.AmountFen), st.Review, db.Engine, st.RuleVersion)
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
