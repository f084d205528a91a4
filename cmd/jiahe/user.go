package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
)

// runUser manages users from the shell, acting as the system through the
// use-case layer (the command line is its third door).
func runUser(ctx context.Context, dbURL string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("user: want add, list, disable or passwd")
	}
	a, err := openApp(ctx, dbURL)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	switch args[0] {
	case "add":
		return userAdd(ctx, a, args[1:], stdin, stdout, stderr)
	case "list":
		return userList(ctx, a, stdout)
	case "disable":
		if len(args) != 2 {
			return fmt.Errorf("usage: jiahe user disable USERNAME")
		}
		return userDisable(ctx, a, args[1], stdout)
	case "passwd":
		if len(args) != 2 {
			return fmt.Errorf("usage: jiahe user passwd USERNAME (the new password on stdin)")
		}
		return userPasswd(ctx, a, args[1], stdin, stdout)
	}
	return fmt.Errorf("user: unknown subcommand %q (want add, list, disable or passwd)", args[0])
}

func userAdd(ctx context.Context, a *app.App, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var n auth.NewUser
	var role, code string
	fs.StringVar(&n.Username, "username", "", "login name")
	fs.StringVar(&n.Name, "name", "", "display name")
	fs.StringVar(&role, "role", "", "role: village, township, county, finance, supervisor, city, province, admin, citizen")
	fs.StringVar(&code, "region", "", "division code of the user's scope (\"\" for the whole country)")
	fs.StringVar(&n.Password, "password", "", "password (read from the first line of stdin if not given)")
	fs.StringVar(&n.Person, "person", "", "citizens only: the citizen's own person in the registry, as COUNTY/ID")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	n.Role, n.Region = auth.Role(role), region.Code(code)
	if n.Password == "" {
		pw, err := readPassword(stdin)
		if err != nil {
			return fmt.Errorf("user add: no --password and %w", err)
		}
		n.Password = pw
	}
	u, err := a.CreateUser(ctx, auth.System, n)
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "created user %s (id %d, %s, region %s)\n", u.Username, u.ID, u.Role, scopeName(u.Region))
	return nil
}

// readPassword reads a password from the first line of stdin.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password on stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userList(ctx context.Context, a *app.App, stdout io.Writer) error {
	users, err := a.Users(ctx, auth.System, app.UserQuery{IncludeDisabled: true})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLE\tREGION\tSTATUS")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Name, u.Role, scopeName(u.Region), status)
	}
	return tw.Flush()
}

func userDisable(ctx context.Context, a *app.App, username string, stdout io.Writer) error {
	if _, err := a.SetUserDisabled(ctx, auth.System, app.UserRef{Username: username}, true); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "disabled user %s\n", username)
	return nil
}

// userPasswd sets a new password for a user, read from the first line of
// stdin, and ends the user's sessions.
func userPasswd(ctx context.Context, a *app.App, username string, stdin io.Reader, stdout io.Writer) error {
	pw, err := readPassword(stdin)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	if err := a.ResetPassword(ctx, auth.System, app.UserRef{Username: username}, pw); err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "set a new password for user %s; their sessions have ended\n", username)
	return nil
}

func scopeName(c region.Code) string {
	if c == "" {
		return "全国"
	}
	return string(c) + " " + region.Default().FullName(c)
}

// cliError renders a classified error with both messages for the shell.
func cliError(err error) error {
	if e, ok := apperr.As(err); ok && e.Kind != apperr.Internal {
		return fmt.Errorf("%s (%s)", e.Message("zh"), e.Message("en"))
	}
	if l, ok := err.(apperr.List); ok {
		var parts []string
		for _, e := range l {
			parts = append(parts, e.Message("zh")+" ("+e.Message("en")+")")
		}
		return fmt.Errorf("%s", strings.Join(parts, "; "))
	}
	return err
}
