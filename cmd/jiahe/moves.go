package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/roll"
)

// runTransfers prints a county's transfers between counties (package
// move), coming in or going out, one per line with the hand-over:
// jiahe transfers --county CODE [--side in|out].
func runTransfers(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("transfers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	county := fs.String("county", "", "six-digit county code")
	side := fs.String("side", move.SideOut, "in (coming in) or out (going out)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *county == "" || (*side != move.SideIn && *side != move.SideOut) {
		fmt.Fprintln(stderr, "usage: jiahe transfers --county CODE [--side in|out]")
		return errUsage
	}
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ts, err := a.Transfers(ctx, auth.System, *county, *side)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "id\tstate\tname\tid_number\tfrom\tto\tmoved_on\thandover")
	for _, t := range ts {
		h := ""
		if t.Handover != nil {
			for _, e := range t.Handover.Entries {
				h += fmt.Sprintf("%s: old to %s, new from %s; ", e.Program, roll.Month(e.OldLast), roll.Month(e.NewFirst))
			}
			h += fmt.Sprintf("%d cases, %d ties", len(t.Handover.Cases), t.Handover.Ties)
		}
		to := t.ToRegion
		if to == "" {
			to = t.ToCounty
		}
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.State, t.Name, t.IDMasked, t.FromRegion, to, t.MovedOn, h)
	}
	return nil
}
