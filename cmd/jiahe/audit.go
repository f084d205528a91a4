package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/region"
)

const auditUsage = `usage: jiahe audit verify [--county CODE] [--anchor FILE]... [--anchor-key KEY]
       jiahe audit anchor [--out FILE]`

// runAudit checks or anchors the audit log: jiahe audit verify|anchor.
func runAudit(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, auditUsage)
		return errUsage
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(ctx, dbURL, args[1:], stdout, stderr)
	case "anchor":
		return runAuditAnchor(ctx, dbURL, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, auditUsage)
	return errUsage
}

// files collects a repeated flag.
type files []string

func (f *files) String() string     { return fmt.Sprint(*f) }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// runAuditVerify streams every hash chain (or one county's) through the
// verifier, with the anchors given, prints what it checked and each
// problem, and fails when the log was tampered with.
func runAuditVerify(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	county := fs.String("county", "", "verify only this county's chain (six digits); \"\" checks every chain")
	var anchorFiles files
	fs.Var(&anchorFiles, "anchor", "an anchor file (`jiahe audit anchor`) the chains must still agree with; may be repeated")
	anchorKey := fs.String("anchor-key", "", "a public key (`jiahe keys public`) trusted to have signed the anchors, besides the key file's")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, auditUsage)
		return errUsage
	}
	if *county != "" {
		c, err := region.ParseCode(*county)
		if err != nil || c.Level() != region.County && region.Default().County(c) != c {
			return fmt.Errorf("--county %q: want a six-digit county code", *county)
		}
	}
	o := app.VerifyOptions{County: *county, Every: true}
	for _, f := range anchorFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		an, err := audit.ParseAnchor(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		o.Anchors = append(o.Anchors, an)
	}
	if *anchorKey != "" {
		k, err := keys.ParsePublicKey(*anchorKey)
		if err != nil {
			return fmt.Errorf("--anchor-key: %w", err)
		}
		o.AnchorKeys = []ed25519.PublicKey{k}
	}
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	v, err := a.VerifyAuditWith(ctx, auth.System, o)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "checked %d entries in %d chains", v.Checked, v.Chains())
	if len(o.Anchors) > 0 {
		fmt.Fprintf(stdout, " against %d anchors", len(o.Anchors))
	}
	fmt.Fprintln(stdout)
	for _, p := range v.Problems {
		fmt.Fprintln(stdout, "  "+p.String())
	}
	if len(v.Problems) > 0 {
		return fmt.Errorf("the audit log has been tampered with: %d problems (审计日志已被篡改)", len(v.Problems))
	}
	fmt.Fprintln(stdout, "ok: every chain is intact")
	return nil
}

// runAuditAnchor writes an anchor of every chain's head to --out (or
// stdout), and records that it was made.
func runAuditAnchor(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("audit anchor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the anchor to this file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, auditUsage)
		return errUsage
	}
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	an, err := a.AnchorAudit(app.WithRequest(ctx, app.Request{Door: "cli"}), auth.System)
	if err != nil {
		return cliError(err)
	}
	if *out == "" {
		_, err := stdout.Write(an.Marshal())
		return err
	}
	if err := os.WriteFile(*out, an.Marshal(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "anchored %d chains in %s (digest %s); keep it outside the system, e.g. send it to the city\n", len(an.Chains), *out, an.Digest)
	return nil
}

// runBackup writes a copy of a SQLite database: jiahe backup FILE.
func runBackup(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(stderr, "usage: jiahe backup FILE")
		return errUsage
	}
	path := args[0]
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists: a backup never overwrites a file", path)
	}
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Backup(app.WithRequest(ctx, app.Request{Door: "cli"}), auth.System, path); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "backed up to %s. It is encrypted with the key file, which it does not contain: keep a copy of the key file too, apart.\n"+
		"Restore: copy it to the database's place (with the server stopped) and run `jiahe audit verify`.\n", path)
	return nil
}
