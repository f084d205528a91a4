package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

const matchUsage = "usage: jiahe match import --source KIND FILE [--county CODE] [--from NAME] [--encoding auto|utf8|gbk] [--map HEADER=COLUMN]... [--dry-run] [--out RESULT.csv]"

// mapFlag collects --map HEADER=COLUMN pairs.
type mapFlag map[string]string

func (m mapFlag) String() string { return fmt.Sprint(map[string]string(m)) }
func (m mapFlag) Set(s string) error {
	h, c, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("--map wants HEADER=COLUMN, got %q", s)
	}
	m[strings.TrimSpace(h)] = strings.TrimSpace(c)
	return nil
}

// runMatch imports another department's extract, matches it to the
// registry and writes one result line per row and role:
// jiahe match import --source KIND FILE [--dry-run] [--out RESULT.csv].
func runMatch(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(stderr, matchUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("match import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("source", "", "kind of extract: "+strings.Join(kindNames(), ", "))
	countyCode := fs.String("county", "", "the importing county (default: the only county in the registry)")
	from := fs.String("from", "", "the sending department or office (default: the kind's department)")
	encoding := fs.String("encoding", "auto", "encoding of a CSV file: auto, utf8 or gbk")
	mapping := mapFlag{}
	fs.Var(mapping, "map", "read the file's column HEADER as COLUMN (a column key or header of the kind); repeatable, saved for the source")
	dryRun := fs.Bool("dry-run", false, "match and report, save nothing")
	out := fs.String("out", "", "write the result lines (row,role,outcome,id_number,score) to FILE (- for standard output)")
	pos, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil || len(pos) != 1 || *kind == "" {
		fmt.Fprintln(stderr, matchUsage)
		return errUsage
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli", Route: "match import"})
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	county := *countyCode
	if county == "" {
		cs, err := a.RegistryCounties(ctx, auth.System)
		if err != nil {
			return cliError(err)
		}
		if len(cs) != 1 {
			return fmt.Errorf("the registry holds %d counties: name one with --county (人口库中有 %d 个县，请用 --county 指定)", len(cs), len(cs))
		}
		county = cs[0]
	}
	in := app.MatchImport{County: county, Kind: *kind, Source: *from, FileName: pos[0], File: bufio.NewReader(f), Encoding: *encoding,
		Limits: sheet.LocalLimits, DryRun: *dryRun}
	if len(mapping) > 0 {
		in.Mapping, in.SaveMapping = mapping, true
	}
	start := time.Now()
	res, err := a.ImportExtract(ctx, auth.System, in)
	if res != nil && len(res.Problems) > 0 {
		shown, warnings := 0, 0
		for _, p := range res.Problems {
			if p.Severity != matching.Error {
				warnings++
				continue
			}
			if shown < 50 {
				fmt.Fprintln(stderr, p.String())
			}
			shown++
		}
		if shown > 50 {
			fmt.Fprintf(stderr, "… %d more errors\n", shown-50)
		}
		if warnings > 0 {
			fmt.Fprintf(stderr, "%d warnings (values read after correction, e.g. 15-digit ID numbers, exchanged day and month; 已纠正后读取的值)\n", warnings)
		}
	}
	if err != nil {
		return cliError(err)
	}
	if *out != "" {
		if err := writeResults(*out, stdout, res.Results); err != nil {
			return err
		}
	}
	m := res.Import
	el := time.Since(start)
	verb := "imported as #" + fmt.Sprint(m.ID)
	if m.DryRun {
		verb = "dry run, nothing saved"
	}
	w := stdout
	if *out == "-" {
		w = stderr
	}
	fmt.Fprintf(w, "%s (%s, %s): %d rows — %d new, %d already imported, %d with errors; roles %d matched, %d to review, %d unmatched; %d tasks, %d persons' payments held; %s (%s)\n",
		pos[0], matching.SpecOf(m.Kind).ZH, verb, m.Rows, m.New, m.Repeated, m.Errors, m.Matched, m.Review, m.Unmatched, m.Tasks, m.Held,
		el.Round(time.Millisecond), rate(m.Rows, el))
	return nil
}

func rate(rows int, el time.Duration) string {
	if el <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f rows/min", float64(rows)/el.Minutes())
}

func kindNames() []string {
	var out []string
	for _, k := range matching.Kinds {
		out = append(out, string(k))
	}
	return out
}

// writeResults writes the result lines to path ("-": w).
func writeResults(path string, w io.Writer, results []matching.Result) error {
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(matching.ResultHeader); err != nil {
		return err
	}
	for i := range results {
		if err := cw.Write(results[i].Line()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

const genExtractUsage = "usage: jiahe gen-extract --source KIND --county CODE --rows N [--noise LEVEL] [--seed S] [--persons N] [--as-of DATE] [--out FILE] [--truth FILE]"

// runGenExtract writes a dirty extract of a department from the synthetic
// county `jiahe gen` makes, and the truth apart:
// jiahe gen-extract --source KIND --county CODE --rows N --noise LEVEL --seed S.
func runGenExtract(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen-extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("source", "", "kind of extract: "+strings.Join(kindNames(), ", "))
	county := fs.String("county", "", "six-digit county code of the synthetic registry")
	persons := fs.Int("persons", 100_000, "the persons of the synthetic county, as given to jiahe gen --persons")
	rows := fs.Int("rows", 0, "data rows to write")
	noise := fs.String("noise", "default", "noise level: none, low, default, high, extreme, or a factor 0–10")
	seed := fs.Uint64("seed", 1, "seed of the synthetic county (as given to jiahe gen)")
	rowSeed := fs.Uint64("row-seed", 0, "seed of the rows and their errors (default: the county's seed)")
	asOf := fs.String("as-of", "", "last day simulated, YYYY-MM-DD (as given to jiahe gen)")
	out := fs.String("out", "", "the extract (default KIND.csv)")
	truth := fs.String("truth", "", "the truth (default KIND.truth.csv)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *kind == "" || *county == "" || *rows <= 0 {
		fmt.Fprintln(stderr, genExtractUsage)
		return errUsage
	}
	k, err := matching.ParseKind(*kind)
	if err != nil {
		return cliError(err)
	}
	lvl, err := matching.ParseNoise(*noise)
	if err != nil {
		return cliError(err)
	}
	req := app.ExtractRequest{County: *county, Persons: *persons, Seed: *seed,
		Extract: matching.ExtractConfig{Kind: k, Rows: *rows, Noise: lvl, Outside: -1, Seed: *seed}}
	if *rowSeed != 0 {
		req.Extract.Seed = *rowSeed
	}
	if *asOf != "" {
		d, err := date.Parse(*asOf)
		if err != nil || d.IsZero() {
			fmt.Fprintln(stderr, "jiahe gen-extract: --as-of must be a day YYYY-MM-DD")
			return errUsage
		}
		req.AsOf = d
	}
	if *out == "" {
		*out = string(k) + ".csv"
	}
	if *truth == "" {
		*truth = string(k) + ".truth.csv"
	}
	start := time.Now()
	x, err := app.GenerateExtract(ctx, req)
	if err != nil {
		return cliError(err)
	}
	if err := writeCSV(*out, append([][]string{x.Header}, x.Rows...)); err != nil {
		return err
	}
	lines := [][]string{matching.TruthHeader}
	for _, t := range x.Truth {
		lines = append(lines, t.Line())
	}
	if err := writeCSV(*truth, lines); err != nil {
		return err
	}
	errs := 0
	for _, n := range x.Errors {
		errs += n
	}
	fmt.Fprintf(stdout, "%s: %d rows of %s (%s), %d errors made; truth in %s; %s\n", *out, len(x.Rows), k, matching.SpecOf(k).ZH, errs, *truth,
		time.Since(start).Round(time.Millisecond))
	return nil
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
