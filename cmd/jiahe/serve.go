package main

import (
	"context"
	"crypto/rand"
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
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/synth"
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

// demoCounty is the county the demo is set in: 舒城县, Lu'an, Anhui.
const demoCounty = region.Code("341523")

// demoPersons is the size of the demo county's synthetic population.
const demoPersons = 20000

// demoBatch is the demo's batch: a load stopped part-way keeps the batches
// it wrote.
const demoBatch = 4000

// demoUsers are one user for every role of design §1, scoped to the demo
// county or the divisions around it.
var demoUsers = []struct {
	username, name string
	role           auth.Role
	region         region.Code
}{
	{"village", "村专干（演示）", auth.RoleVillage, "341523100001"},
	{"township", "乡镇计生办（演示）", auth.RoleTownship, "341523100000"},
	{"county", "县卫健委（演示）", auth.RoleCounty, demoCounty},
	{"finance", "县财政（演示）", auth.RoleFinance, demoCounty},
	{"supervisor", "县监督（演示）", auth.RoleSupervisor, demoCounty},
	{"city", "市卫健委（演示）", auth.RoleCity, "341500"},
	{"province", "省卫健委（演示）", auth.RoleProvince, "340000"},
	{"admin", "系统管理员（演示）", auth.RoleAdmin, ""},
	{"citizen", "群众（演示）", auth.RoleCitizen, "341523100001"},
}

// seedDemo fills a database without users with the demo county and the
// demo users and prints their logins; on a database that has users it
// does nothing. Stopped part-way, it is run again from the start and
// finishes what the stopped run began.
func seedDemo(ctx context.Context, a *app.App, stdout io.Writer) error {
	has, err := a.HasUsers(ctx)
	if err != nil {
		return err
	}
	if has {
		fmt.Fprintln(stdout, "jiahe: demo: the database already has users; nothing created")
		return nil
	}
	// A demo stopped part-way is finished by the next start: the load
	// skips the batches already written (app.GenerateSynthetic), the
	// evaluation replaces the year's determinations, and the users come
	// last, in one transaction.
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	start := time.Now()
	stats, err := a.GenerateSynthetic(ctx, auth.System, synth.Config{County: string(demoCounty), Persons: demoPersons, Seed: 1, BatchPersons: demoBatch}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: demo county %s %s: %d synthetic persons in %.1fs\n",
		demoCounty, region.Default().FullName(demoCounty), stats.Persons, time.Since(start).Seconds())
	// Evaluate this year's programs so that the demo shows determinations.
	year := time.Now().Year()
	st, err := a.Evaluate(ctx, auth.System, app.EvalOptions{Region: string(demoCounty), Year: year})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: demo: %d persons evaluated for %d: %d eligible determinations\n", st.Persons, year, st.Eligible)
	// The demo citizen is a living resident of the demo village.
	found, _, err := a.SearchPersons(ctx, auth.System, registry.Query{Region: string(demoUsers[0].region), Alive: true, Limit: 1})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return fmt.Errorf("no living resident in %s for the demo citizen", demoUsers[0].region)
	}
	citizen := fmt.Sprintf("%s/%d", found[0].County, found[0].ID)
	if m, ok := demoMother(ctx, a, demoUsers[0].region); ok {
		citizen = m // a mother of a child under three shows the whole portal
	}
	users := make([]auth.NewUser, len(demoUsers))
	for i, d := range demoUsers {
		users[i] = auth.NewUser{Username: d.username, Name: d.name, Role: d.role, Region: d.region, Password: "demo-" + rand.Text()[:8] + "7"}
		if d.role == auth.RoleCitizen {
			users[i].Person = citizen
		}
	}
	created, err := a.CreateDemoUsers(ctx, auth.System, users)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: demo logins (用户名 username / 密码 password / 角色 role):\n")
	for i, u := range created {
		fmt.Fprintf(stdout, "  %-10s %-20s %s（%s）\n", u.Username, users[i].Password, u.Role.Chinese(), region.Default().FullName(u.Region))
	}
	return nil
}

// demoMother returns the person key of a living mother of a child under
// three of the village, when the synthetic county has one.
func demoMother(ctx context.Context, a *app.App, village region.Code) (string, bool) {
	young, _, err := a.SearchPersons(ctx, auth.System, registry.Query{Region: string(village), Alive: true, Sort: registry.SortBirth, Desc: true, Limit: 30})
	if err != nil {
		return "", false
	}
	limit := date.Today(time.Now()).AddMonths(-36)
	for _, c := range young {
		if c.Birth.Before(limit) {
			break
		}
		f, err := a.Family(ctx, auth.System, registry.Key{County: c.County, ID: c.ID})
		if err != nil {
			continue
		}
		for _, t := range f.Children {
			if t.Child != c.Ref() || t.Kind != registry.Birth {
				continue
			}
			if p := f.Person(t.Parent); p != nil && p.Sex == registry.Female && p.Death.IsZero() {
				return c.County + "/" + p.Ref, true
			}
		}
	}
	return "", false
}
