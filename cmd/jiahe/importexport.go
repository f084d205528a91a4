package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// parseInterspersed parses fs from args, allowing flags after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// runImport imports a roster: jiahe import persons FILE [--encoding
// auto|utf8|gbk] [--dry-run]. Every row is checked first; with any
// problem, each is printed with its row and column and nothing is saved.
// The import acts as the system, so it is audited as user "system".
func runImport(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	const use = "usage: jiahe import persons FILE [--encoding auto|utf8|gbk] [--dry-run]"
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	encoding := fs.String("encoding", "auto", "encoding of a CSV file: auto, utf8 or gbk")
	dryRun := fs.Bool("dry-run", false, "check the file and save nothing")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil || len(pos) != 2 || pos[0] != "persons" {
		fmt.Fprintln(stderr, use)
		return errUsage
	}
	if _, err := sheet.ParseEncoding(*encoding); err != nil {
		return cliError(err)
	}
	f, err := os.Open(pos[1])
	if err != nil {
		return err
	}
	defer f.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	table, err := sheet.OpenLimited(bufio.NewReader(f), *encoding, sheet.LocalLimits)
	if err != nil {
		return cliError(err)
	}
	res, err := a.ImportRoster(ctx, auth.System, table, *dryRun)
	if err != nil {
		return cliError(err)
	}
	if len(res.Problems) > 0 {
		for _, p := range res.Problems {
			fmt.Fprintln(stderr, p.String())
		}
		return fmt.Errorf("%s: %d problems in %d rows; nothing was imported (有 %d 处问题，未导入任何数据)", pos[1], len(res.Problems), res.Rows, len(res.Problems))
	}
	enc := ""
	if res.Encoding != "" {
		enc = ", " + res.Encoding
	}
	if *dryRun {
		fmt.Fprintf(stdout, "%s (%s%s): %d rows, no problems; nothing saved (dry run)\n", pos[1], res.Format, enc, res.Rows)
		return nil
	}
	fmt.Fprintf(stdout, "%s (%s%s): imported %d persons\n", pos[1], res.Format, enc, res.Created)
	return nil
}

// runExport writes a roster of every person in a region: jiahe export
// persons [--region CODE] [--format csv|xlsx] [--encoding utf8|gbk]
// [--out FILE]. It streams, masks nothing, and is audited.
func runExport(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	const use = "usage: jiahe export persons [--region CODE] [--format csv|xlsx] [--encoding utf8|gbk] [--out FILE]"
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	code := fs.String("region", "", "only persons within this division (default: all)")
	formatName := fs.String("format", "csv", "csv or xlsx")
	encName := fs.String("encoding", "utf8", "encoding of CSV: utf8 (with a byte-order mark) or gbk (GB18030)")
	out := fs.String("out", "", "write to FILE instead of standard output")
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil || len(pos) != 1 || pos[0] != "persons" {
		fmt.Fprintln(stderr, use)
		return errUsage
	}
	format, err := sheet.ParseFormat(*formatName)
	if err != nil {
		return cliError(err)
	}
	encoding, err := sheet.ParseEncoding(*encName)
	if err != nil {
		return cliError(err)
	}
	if format == sheet.FormatXLSX {
		encoding = ""
	} else if encoding == "" {
		encoding = sheet.EncodingUTF8
	}
	var scope region.Code
	if *code != "" {
		if scope, err = region.ParseCode(*code); err != nil {
			return fmt.Errorf("--region: %w", err)
		}
		if scope == "000000" {
			scope = ""
		}
	}
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	var rw *sheet.Writer
	err = a.ExportRoster(ctx, auth.System, app.RosterExport{Region: scope, Format: format, Encoding: encoding}, func() (app.RowSink, error) {
		var err error
		rw, err = sheet.NewWriter(w, registry.RosterHeader(), sheet.WriterOptions{Format: format, Encoding: encoding,
			Sheet: registry.RosterSheet, Widths: registry.RosterWidths()})
		if err != nil {
			return nil, err
		}
		return rw, nil
	})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stderr, "exported %d persons\n", rw.Rows())
	return nil
}
