package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
)

// runImpact previews a proposed rule layer over a county without storing
// it: jiahe impact --region CODE --year Y --layer FILE. The layer is
// validated as for adding it; the table shows, by township and program,
// who becomes eligible or ineligible and the change in funds.
func runImpact(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("impact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.String("region", "", "county code")
	year := fs.Int("year", 0, "benefit year")
	file := fs.String("layer", "", "the proposed layer (JSON)")
	workers := fs.Int("workers", 0, "evaluating goroutines (default: the number of CPUs)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	c, cerr := region.ParseCode(*code)
	if fs.NArg() > 0 || *file == "" || *year < 2004 || *year > 2100 || cerr != nil || c.Level() != region.County && c.Level() != region.Prefecture {
		fmt.Fprintln(stderr, "usage: jiahe impact --region COUNTY --year Y --layer FILE [--workers N]")
		return errUsage
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	l, err := policy.ParseLayer(b)
	if err != nil {
		return layerError(*file, err)
	}
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	rep, err := a.PreviewLayer(ctx, auth.System, l, app.EvalOptions{Region: string(c), Year: *year, Workers: *workers})
	if err != nil {
		return layerError(*file, err)
	}
	printImpact(stdout, region.Default(), rep)
	return nil
}

// layerError names the file of a rejected layer (the error names the
// field).
func layerError(file string, err error) error {
	return fmt.Errorf("%s: %w", file, err)
}

// printImpact prints the report as a table: one line per township and
// program, then the totals by program and the grand total.
func printImpact(w io.Writer, tree *region.Tree, rep policy.ImpactReport) {
	fmt.Fprintf(w, "%s %d: %d persons; rules %s -> %s\n", rep.County, rep.Year, rep.Persons, rep.OldVersion, rep.NewVersion)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "township\tprogram\tbefore\tafter\tgained\tlost\told yuan\tnew yuan\tchange yuan\t ")
	line := func(town, name string, r policy.ImpactRow) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t %s\n", town, r.Program, r.Before, r.After, r.Gained, r.Lost,
			fenString(int64(r.OldFen)), fenString(int64(r.NewFen)), signedFen(int64(r.ChangeFen)), name)
	}
	for _, r := range rep.Rows {
		name, town := "", r.Township
		if town == "" {
			town = "?"
		} else if d, ok := tree.Lookup(region.Code(r.Township + "000")); ok {
			name = d.Name
		}
		line(town, name, r)
	}
	for _, r := range rep.Programs {
		line("total", "", r)
	}
	total := rep.Total
	total.Program = "all"
	line("total", "", total)
	tw.Flush()
}

func signedFen(f int64) string {
	if f < 0 {
		return "-" + fenString(-f)
	}
	return "+" + fenString(f)
}
