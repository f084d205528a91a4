package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/oidc"
	"github.com/jiahe-project/jiahe/internal/web/server"
)

// runServe migrates the database, optionally fills an empty one with a
// demo county, and serves until ctx is cancelled.
func runServe(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8080", "listen address")
	demo := fs.Bool("demo", false, "on an empty database, create a synthetic county and demo users")
	issuer := fs.String("oidc-issuer", "", "issuer URL of the province's unified identity service (OpenID Connect) citizens may sign in with; the client secret is read from JIAHE_OIDC_CLIENT_SECRET")
	clientID := fs.String("oidc-client-id", "", "the client id registered with the identity service")
	idClaim := fs.String("oidc-id-claim", "sub", "the ID token's claim that holds the citizen's ID number")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected arguments %q", fs.Args())
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if *demo {
		if err := demoKeys(ctx, dbURL, stdout); err != nil {
			return err
		}
	}
	cfg, err := appConfig(ctx, dbURL)
	if err != nil {
		return err
	}
	// Open migrates, then refuses a schema other than the one this binary
	// expects (a newer one from a later release).
	a, err := app.Open(ctx, dbURL, true, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	if *demo {
		if err := seedDemo(ctx, a, stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	wcfg := web.DefaultConfig()
	wcfg.OIDC = oidc.Config{Issuer: *issuer, ClientID: *clientID, ClientSecret: os.Getenv("JIAHE_OIDC_CLIENT_SECRET"), IDClaim: *idClaim}
	if *issuer != "" && *clientID == "" {
		return errors.New("serve: --oidc-issuer needs --oidc-client-id")
	}
	srv, err := server.New(a, logger, wcfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: serving on http://%s (%s)\n", ln.Addr(), a.Engine())
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "jiahe: stopped")
	return nil
}

// demoKeys makes, for the demo on a SQLite database that has no key file
// yet, one beside the database, and says so.
func demoKeys(ctx context.Context, dbURL string, stdout io.Writer) error {
	path, named := keyFile(ctx, dbURL)
	if named || path == "" {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if _, err := os.Stat(sqlitePath(dbURL)); err == nil {
		return nil // an existing database without its key file: refuse below
	}
	r, err := keys.Generate(keys.Ciphers[0])
	if err != nil {
		return err
	}
	if err := r.WriteFile(path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: demo: created the key file %s beside the database (the ID numbers are encrypted with it; keep it)\n", path)
	return nil
}

// demoUsers are the demo's users (app.DemoUsers).
var demoUsers = app.DemoUsers

// seedDemo fills a database without users with the demo county, its users
// and its year (app.SeedDemo) and prints the logins; on a database that
// has users it prints the demo's logins again. Stopped while the county is
// loaded, it is run again from the start and finishes what the stopped run
// began.
func seedDemo(ctx context.Context, a *app.App, stdout io.Writer) error {
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	start := time.Now()
	r, err := a.SeedDemo(ctx, auth.System, app.DemoConfig{}, func(line string) { fmt.Fprintln(stdout, "jiahe: "+line) })
	if err != nil {
		return err
	}
	if r.Again {
		fmt.Fprintln(stdout, "jiahe: 演示数据库已建好，登录信息如下（若已改过密码，请用 jiahe user passwd 重设） / the demo database exists; its logins (reset a changed password with jiahe user passwd):")
	} else {
		fmt.Fprintf(stdout, "jiahe: 演示数据已就绪，用时 %.1f 秒 / the demo is ready in %.1fs\n", time.Since(start).Seconds(), time.Since(start).Seconds())
		fmt.Fprintln(stdout, "jiahe: 演示登录 demo logins (用户名 username / 密码 password / 角色 role):")
	}
	for _, l := range r.Logins {
		fmt.Fprintf(stdout, "  %-12s %-16s %s（%s）\n", l.Username, l.Password, l.Role.Chinese(), scopeName(l.Region))
	}
	return nil
}
