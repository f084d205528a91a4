// Command jiahe is the whole of Jiahe in one binary: the web server, the
// schema migrations and the command-line tools (design §3).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jiahe:", err)
		os.Exit(1)
	}
}

// commands lists the subcommands for the usage message.
var commands = [][2]string{
	{"serve [--addr :8080] [--demo]", "serve the web UI and the API (migrates first)"},
	{"migrate", "bring the database schema up to date"},
	{"gen --county CODE --persons N [--seed S] [--as-of DATE] [--transfers]", "generate a synthetic population into the database (--transfers: hand its hukou moves to other counties over to them)"},
	{"eval --year Y [--region CODE] [--floor]", "evaluate every program for every person of the region; writes the determinations (--floor: measure the scan floor first)"},
	{"lookup --region COUNTY [--clients 32] [--requests 20000] [--kinds id,name,initials,initials1,suffix,suffix5,suffix4,roll] [--as county|township|village]", "measure registry look-ups (by ID number, name, pinyin initials, ID suffix; the roll filtered) with concurrent clients; prints p50/p95/p99"},
	{"impact --region CODE --year Y --layer FILE", "preview a proposed rule layer over a county (not stored): who gains or loses eligibility, and the funds, by township"},
	{"check [FILE|-]", "evaluate one case file (design §4) with no database; prints the decisions as JSON"},
	{"user add --username U --name N --role R --region CODE [--person COUNTY/ID] [--password P]", "create a user (password from stdin if not given; --person links a citizen account to its person)"},
	{"user list", "list users"},
	{"user disable U", "disable a user and end their sessions"},
	{"user passwd U", "set a user's password from the first line of stdin and end their sessions (audited)"},
	{"import persons FILE [--encoding auto|utf8|gbk] [--dry-run]", "import a roster (CSV or .xlsx); all or nothing, every problem reported by row and column"},
	{"export persons [--region CODE] [--format csv|xlsx] [--encoding utf8|gbk] [--out FILE]", "export the persons of a region as a roster (unmasked; audited)"},
	{"audit verify [--county CODE] [--anchor FILE]... [--anchor-key KEY]", "check the audit log's keyed hash chains (and that they still hold what the anchors say); fails if it was tampered with"},
	{"audit anchor [--out FILE]", "write a signed digest of every chain's head, to be kept outside the system (e.g. sent to the city)"},
	{"keys init [--cipher sm4-gcm|aes-256-gcm] [--out FILE]", "make a new key file (encryption of ID and account numbers, look-up hashes, audit key, anchor signing key)"},
	{"keys rotate [--cipher sm4-gcm|aes-256-gcm]", "add a key generation and re-encrypt everything with it (stop the server first)"},
	{"keys public", "print the public key that checks anchors"},
	{"keys status", "list the key generations and how many values each encrypts"},
	{"backup FILE", "write a consistent copy of a SQLite database while it is in use (PostgreSQL: pg_dump)"},
	{"pay cycle --county CODE --program P --period X", "generate a payment cycle (period 2024, 2024-H1, 2024-Q2 or 2024-03)"},
	{"pay ledger --year Y [--region CODE] [--program P]", "print the funds ledger: persons paid and money by level of government"},
	{"match import --source KIND FILE [--county CODE] [--from NAME] [--map HEADER=COLUMN]... [--dry-run] [--out RESULT.csv]", "import another department's extract (police-deaths, police-moves, civil-marriages, hospital-births, vaccination, pension, disability), match it to the registry and make the worklist; result lines row,role,outcome,id_number,score"},
	{"gen-extract --source KIND --county CODE --rows N [--noise LEVEL] [--seed S] [--persons N] [--out FILE] [--truth FILE]", "write a dirty extract of a department from the synthetic county jiahe gen makes, with the truth apart"},
	{"transfers --county CODE [--side in|out]", "list a county's transfers between counties, coming in or going out, with the months each county pays"},
	{"report --region CODE --month YYYY-MM [--runs N]", "compute the monthly family-planning report of a region and print its main figures and the time taken"},
}

// errUsage is returned after the usage message has been printed.
var errUsage = errors.New("bad usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: jiahe [--db URL] [--keys FILE] COMMAND [ARGS]")
	fmt.Fprintln(w, "\n--db URL     sqlite:PATH or postgres://… (default $JIAHE_DB, else sqlite:jiahe.db)")
	fmt.Fprintln(w, "--keys FILE  the key file (default $JIAHE_KEYS, or the text in $JIAHE_KEYS_DATA, else PATH.keys beside a SQLite database)\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %s\n      %s\n", c[0], c[1])
	}
}

// run is the program: it parses the global flags and dispatches to the
// subcommand. Tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("jiahe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(stderr) }
	dbURL := fs.String("db", "", "database URL")
	keyPath := fs.String("keys", "", "key file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if *dbURL == "" {
		*dbURL = os.Getenv("JIAHE_DB")
	}
	if *dbURL == "" {
		*dbURL = "sqlite:jiahe.db"
	}
	ctx = withKeyFile(ctx, *keyPath)
	args = fs.Args()
	if len(args) == 0 {
		usage(stderr)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	// One line per command.
	switch cmd {
	case "serve":
		return runServe(ctx, *dbURL, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, *dbURL, rest, stdout)
	case "gen":
		return runGen(ctx, *dbURL, rest, stdout, stderr)
	case "user":
		return runUser(ctx, *dbURL, rest, stdin, stdout, stderr)
	case "check":
		return runCheck(ctx, rest, stdin, stdout, stderr)
	case "eval":
		return runEval(ctx, *dbURL, rest, stdout, stderr)
	case "lookup":
		return runLookup(ctx, *dbURL, rest, stdout, stderr)
	case "impact":
		return runImpact(ctx, *dbURL, rest, stdout, stderr)
	case "import":
		return runImport(ctx, *dbURL, rest, stdout, stderr)
	case "export":
		return runExport(ctx, *dbURL, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, *dbURL, rest, stdout, stderr)
	case "pay":
		return runPay(ctx, *dbURL, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, *dbURL, rest, stdout, stderr)
	case "report":
		return runReport(ctx, *dbURL, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, *dbURL, rest, stdout, stderr)
	case "match":
		return runMatch(ctx, *dbURL, rest, stdout, stderr)
	case "transfers":
		return runTransfers(ctx, *dbURL, rest, stdout, stderr)
	case "gen-extract":
		return runGenExtract(ctx, rest, stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return nil
	}
	fmt.Fprintf(stderr, "jiahe: unknown command %q\n\n", cmd)
	usage(stderr)
	return errUsage
}
