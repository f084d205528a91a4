package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/policy"
)

// runCheck evaluates one case file with no database and prints the
// decisions as JSON (design §4): jiahe check [--lang zh|en] [--brief] [FILE|-].
func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "zh", "language of the explanations: zh or en")
	brief := fs.Bool("brief", false, "leave out the clause-by-clause explanations")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 1 || (*lang != "zh" && *lang != "en") {
		fmt.Fprintln(stderr, "usage: jiahe check [--lang zh|en] [--brief] [FILE|-]")
		return errUsage
	}
	in := stdin
	if name := fs.Arg(0); name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	ev, err := policy.NewEvaluator(policy.Options{Explain: !*brief, Lang: *lang})
	if err != nil {
		return err
	}
	c, err := policy.ParseCase(in, ev)
	if err == nil {
		var res *policy.Result
		if res, err = ev.Evaluate(c); err == nil {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			return enc.Encode(res)
		}
	}
	if e, ok := apperr.As(err); ok {
		fmt.Fprintln(stderr, "jiahe check:", e.Message(*lang))
	}
	return err
}
