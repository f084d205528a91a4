package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// runPay runs payment tasks from the shell:
//
//	jiahe pay cycle --county CODE --program P --period X
//	jiahe pay ledger --year Y [--region CODE] [--program P]
//
// Releasing money needs two finance officers (maker–checker), so batches
// are made and approved in the web application, not here.
func runPay(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	const usageLine = "usage: jiahe pay cycle --county CODE --program P --period X | jiahe pay ledger --year Y [--region CODE] [--program P]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usageLine)
		return errUsage
	}
	fs := flag.NewFlagSet("pay "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	county := fs.String("county", "", "six-digit county code")
	program := fs.String("program", "", "program code (jf, tf_death, …)")
	period := fs.String("period", "", "2024, 2024-H1, 2024-Q2 or 2024-03")
	year := fs.Int("year", 0, "year the bank paid")
	reg := fs.String("region", "", "division code (default: the whole country)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, usageLine)
		return errUsage
	}
	db, err := openCurrent(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "cycle":
		var c *payment.Cycle
		var lines []payment.Line
		err := db.Update(ctx, func(tx *store.Tx) error {
			var err error
			c, lines, err = payment.GenerateCycle(ctx, tx, auth.System, payment.CycleRequest{County: *county, Program: *program, Period: *period})
			return err
		})
		if err != nil {
			return err
		}
		byStatus := map[payment.Status]int{}
		for _, l := range lines {
			byStatus[l.Status]++
		}
		fmt.Fprintf(stdout, "cycle %d: %s %s, %d lines, %s yuan (pending %d, held %d, recovery %d)\n", c.ID, c.Program, c.Period,
			c.Lines, payment.Yuan(c.Total), byStatus[payment.Pending], byStatus[payment.Held], byStatus[payment.Recovery])
		return nil
	case "ledger":
		var l *payment.Ledger
		err := db.View(ctx, func(tx *store.Tx) error {
			var err error
			l, err = payment.GetLedger(ctx, tx, auth.System, region.Default(), *year, *reg, *program)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s\n%s\n", l.RegionName, l.Text, l.LevelsText)
		for _, g := range l.ByProgram {
			fmt.Fprintf(stdout, "  %s: %d 人 %s 万元\n", g.Name, g.Persons, payment.Wan(g.Amount))
		}
		return nil
	}
	fmt.Fprintln(stderr, usageLine)
	return errUsage
}
