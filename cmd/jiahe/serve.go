package main

import (
	"context"
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
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/synth"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/server"
)

// runServe migrates the database, optionally fills an empty one with a
// demo county, and serves until ctx is cancelled.
func runServe(ctx context.Context, dbURL string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8080", "listen address")
	demo := fs.Bool("demo", false, "on an empty database, create a synthetic county and demo users")
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
	srv, err := server.New(a, logger, web.DefaultConfig())
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

// demoUsers are two users for every role of design §1, scoped to the
// demo county or the divisions around it. The village and the township
// are those of the demo's village (app.DemoVillage); the first citizen is
// an eligible older parent who has not yet applied, the second one of
// last year's recipients.
var demoUsers = []struct {
	username, name string
	role           auth.Role
	region         region.Code // "" for the country; the village's for village, township and citizen roles
}{
	{"village", "村专干（演示）", auth.RoleVillage, ""},
	{"village2", "村专干二（演示）", auth.RoleVillage, ""},
	{"township", "乡镇计生办（演示）", auth.RoleTownship, ""},
	{"township2", "乡镇调查员（演示）", auth.RoleTownship, ""},
	{"county", "县卫健委（演示）", auth.RoleCounty, demoCounty},
	{"county2", "县卫健委二（演示）", auth.RoleCounty, demoCounty},
	{"finance", "县财政（演示）", auth.RoleFinance, demoCounty},
	{"finance2", "县财政复核（演示）", auth.RoleFinance, demoCounty},
	{"supervisor", "县监督（演示）", auth.RoleSupervisor, demoCounty},
	{"supervisor2", "县监督二（演示）", auth.RoleSupervisor, demoCounty},
	{"city", "市卫健委（演示）", auth.RoleCity, "341500"},
	{"city2", "市卫健委二（演示）", auth.RoleCity, "341500"},
	{"province", "省卫健委（演示）", auth.RoleProvince, "340000"},
	{"province2", "省卫健委二（演示）", auth.RoleProvince, "340000"},
	{"admin", "系统管理员（演示）", auth.RoleAdmin, ""},
	{"admin2", "系统管理员二（演示）", auth.RoleAdmin, ""},
	{"citizen", "群众（演示）", auth.RoleCitizen, ""},
	{"citizen2", "群众二（演示）", auth.RoleCitizen, ""},
}

// seedDemo fills a database without users with the demo county, the demo
// users and the demo's year (app.StageDemo), and prints the logins; on a
// database that has users it prints the demo's logins again. Stopped
// while the county is loaded, it is run again from the start and
// finishes what the stopped run began.
func seedDemo(ctx context.Context, a *app.App, stdout io.Writer) error {
	has, err := a.HasUsers(ctx)
	if err != nil {
		return err
	}
	ctx = app.WithRequest(ctx, app.Request{Door: "cli"})
	if has {
		return printDemoLogins(ctx, a, stdout, true)
	}
	// A demo stopped part-way is finished by the next start: the load
	// skips the batches already written (app.GenerateSynthetic), the
	// evaluation replaces the year's determinations, and the users and
	// the staged year come after.
	start := time.Now()
	stats, err := a.GenerateSynthetic(ctx, auth.System, synth.Config{County: string(demoCounty), Persons: demoPersons, Seed: 1, BatchPersons: demoBatch}, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: 演示县 demo county %s %s: %d synthetic persons in %.1fs\n",
		demoCounty, region.Default().FullName(demoCounty), stats.Persons, time.Since(start).Seconds())
	// Evaluate this year's programs so that the demo shows determinations
	// and the outreach list.
	year := time.Now().Year()
	st, err := a.Evaluate(ctx, auth.System, app.EvalOptions{Region: string(demoCounty), Year: year})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: demo: %d persons evaluated for %d: %d eligible determinations\n", st.Persons, year, st.Eligible)
	village, eligible, err := a.DemoVillage(ctx, auth.System, demoCounty)
	if err != nil {
		return err
	}
	// The staff first, who stage the year; the citizens after, once it is
	// known who is on the roll and who has not applied.
	var staff, citizens []auth.NewUser
	for _, d := range demoUsers {
		u := auth.NewUser{Username: d.username, Name: d.name, Role: d.role, Region: d.region, Password: a.DemoPassword(d.username)}
		switch d.role {
		case auth.RoleVillage:
			u.Region = village
		case auth.RoleTownship:
			u.Region = village.Parent()
		case auth.RoleCitizen:
			citizens = append(citizens, u)
			continue
		}
		staff = append(staff, u)
	}
	created, err := a.CreateDemoUsers(ctx, auth.System, staff)
	if err != nil {
		return err
	}
	actor := map[string]auth.Actor{}
	for _, u := range created {
		actor[u.Username] = u.Actor()
	}
	stage, err := a.StageDemo(ctx, auth.System, app.DemoCast{Village: actor["village"], Village2: actor["village2"],
		Township: actor["township"], Township2: actor["township2"], County: actor["county"],
		Finance: actor["finance"], Finance2: actor["finance2"]}, eligible)
	if err != nil {
		return err
	}
	if len(stage.Rest) == 0 {
		return fmt.Errorf("no eligible person left in %s for the demo citizen", village)
	}
	for i := range citizens {
		p := stage.Rest[0] // eligible, not yet applied
		if citizens[i].Username == "citizen2" {
			p = stage.Cohort[0] // on the roll since last year
		}
		citizens[i].Region, citizens[i].Person = region.Code(p.Region), fmt.Sprintf("%s/%d", p.County, p.PersonID)
	}
	if _, err := a.CreateDemoUsers(ctx, auth.System, citizens); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "jiahe: 演示村 demo village %s: 去年 %d 人纳入名册并发放（%s 的一笔被银行退回，待重发）；今年 %d 件在办，%d 人应享未享 / last year %d enrolled and paid (one bank line failed, to retry); %d cases this year; %d eligible not applied\n",
		region.Default().FullName(village), len(stage.Cohort), stage.Failed, len(stage.Cases), len(stage.Rest), len(stage.Cohort), len(stage.Cases), len(stage.Rest))
	return printDemoLogins(ctx, a, stdout, false)
}

// printDemoLogins prints the logins of the demo users that exist, in
// Chinese and English; again says the demo was made by an earlier start.
func printDemoLogins(ctx context.Context, a *app.App, stdout io.Writer, again bool) error {
	users, err := a.Users(ctx, auth.System, app.UserQuery{})
	if err != nil {
		return err
	}
	byName := map[string]auth.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	if again {
		fmt.Fprintln(stdout, "jiahe: 演示数据库已建好，登录信息如下（若已改过密码，请用 jiahe user passwd 重设） / the demo database exists; its logins (reset a changed password with jiahe user passwd):")
	} else {
		fmt.Fprintln(stdout, "jiahe: 演示登录 demo logins (用户名 username / 密码 password / 角色 role):")
	}
	for _, d := range demoUsers {
		u, ok := byName[d.username]
		if !ok || u.Disabled {
			continue
		}
		fmt.Fprintf(stdout, "  %-12s %-16s %s（%s）\n", u.Username, a.DemoPassword(u.Username), u.Role.Chinese(), scopeName(u.Region))
	}
	return nil
}
