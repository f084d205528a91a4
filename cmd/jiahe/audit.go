package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

// runAudit checks the audit log: jiahe audit verify [--county CODE]. It
// streams every hash chain (or one county's) through the verifier, prints
// what it checked and each problem, and fails when the log was tampered
// with.
func runAudit(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: jiahe audit verify [--county CODE]")
		return errUsage
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	county := fs.String("county", "", "verify only this county's chain (six digits); \"\" checks every chain")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: jiahe audit verify [--county CODE]")
		return errUsage
	}
	if *county != "" {
		c, err := region.ParseCode(*county)
		if err != nil || c.Level() != region.County && region.Default().County(c) != c {
			return fmt.Errorf("--county %q: want a six-digit county code", *county)
		}
	}
	a, err := app.Open(ctx, dbURL, false, app.DefaultConfig(), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	v, err := a.VerifyAudit(ctx, auth.System, *county, true)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "checked %d entries in %d chains\n", v.Checked, v.Chains())
	for _, p := range v.Problems {
		fmt.Fprintln(stdout, "  "+p.String())
	}
	if len(v.Problems) > 0 {
		return fmt.Errorf("the audit log has been tampered with: %d problems (审计日志已被篡改)", len(v.Problems))
	}
	fmt.Fprintln(stdout, "ok: every chain is intact")
	return nil
}
