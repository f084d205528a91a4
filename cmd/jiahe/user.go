package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// runUser manages users from the shell, acting as the system.
func runUser(ctx context.Context, dbURL string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("user: want add, list or disable")
	}
	db, err := openCurrent(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	switch args[0] {
	case "add":
		return userAdd(ctx, db, args[1:], stdin, stdout, stderr)
	case "list":
		return userList(ctx, db, stdout)
	case "disable":
		if len(args) != 2 {
			return fmt.Errorf("usage: jiahe user disable USERNAME")
		}
		return userDisable(ctx, db, args[1], stdout)
	}
	return fmt.Errorf("user: unknown subcommand %q (want add, list or disable)", args[0])
}

func userAdd(ctx context.Context, db *store.DB, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
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
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("user add: no --password and no password on stdin")
		}
		n.Password = strings.TrimRight(line, "\r\n")
	}
	u, err := n.Build(region.Default(), auth.DefaultParams)
	if err != nil {
		return cliError(err)
	}
	err = db.Update(ctx, func(tx *store.Tx) error {
		u, err = auth.CreateUser(ctx, tx, auth.System, u)
		return err
	})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "created user %s (id %d, %s, region %s)\n", u.Username, u.ID, u.Role, scopeName(u.Region))
	return nil
}

func userList(ctx context.Context, db *store.DB, stdout io.Writer) error {
	var users []auth.User
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		users, err = tx.Users(ctx, "", store.UserFilter{IncludeDisabled: true})
		return err
	})
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

func userDisable(ctx context.Context, db *store.DB, username string, stdout io.Writer) error {
	err := db.Update(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		_, err = auth.SetDisabled(ctx, tx, auth.System, u.ID, true)
		return err
	})
	if err != nil {
		return cliError(err)
	}
	fmt.Fprintf(stdout, "disabled user %s\n", username)
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
