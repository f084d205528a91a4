package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
)

// runPay runs payment tasks from the shell:
//
//	jiahe pay cycle --county CODE --program P --period X
//	jiahe pay supplement --county CODE --cycle ID
//	jiahe pay ledger --year Y [--region CODE] [--program P]
//
// They act as the system, through the use-case layer, as the web doors
// do: a cycle pays every person on the roll what the rules in force say
// now, and a supplementary run adds those enrolled since.
// Releasing money needs two finance officers (maker–checker), so batches
// are made and approved in the web application, not here.
func runPay(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	const usageLine = "usage: jiahe pay cycle --county CODE --program P --period X | jiahe pay supplement --county CODE --cycle ID | jiahe pay ledger --year Y [--region CODE] [--program P]"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usageLine)
		return errUsage
	}
	fs := flag.NewFlagSet("pay "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	county := fs.String("county", "", "six-digit county code")
	program := fs.String("program", "", "program code (jf, tf_death, …)")
	period := fs.String("period", "", "2024, 2024-H1, 2024-Q2 or 2024-03")
	cycle := fs.Int64("cycle", 0, "payment cycle id (supplement)")
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
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli", Route: "pay " + args[0]})
	switch args[0] {
	case "cycle":
		c, lines, err := a.GenerateCycle(ctx, auth.System, payment.CycleRequest{County: *county, Program: *program, Period: *period})
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
	case "supplement":
		sup, err := a.SupplementCycle(ctx, auth.System, *county, *cycle)
		if err != nil {
			return err
		}
		c := sup.Cycle
		var added money.Fen
		for _, l := range sup.Lines {
			if l.Status != payment.Recovery {
				added += l.Amount
			}
		}
		fmt.Fprintf(stdout, "cycle %d: %s %s, %d lines added, %s yuan; now %d lines, %s yuan\n", c.ID, c.Program, c.Period,
			len(sup.Lines), payment.Yuan(added), c.Lines, payment.Yuan(c.Total))
		return nil
	case "ledger":
		l, err := a.Ledger(ctx, auth.System, *year, *reg, *program, "")
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
