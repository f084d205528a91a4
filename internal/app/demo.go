package app

import (
	"cmp"
	"context"
	"fmt"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/synth"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The demo (jiahe serve --demo) fills a new database with a synthetic
// county (GenerateSynthetic), evaluates its programs (Evaluate) and then
// creates its users (CreateDemoUsers). Users come last, in one
// transaction: a database that has users is a finished demo, or no demo.

// HasUsers reports whether the database has any user: one that has none
// is new, and the demo may fill it.
func (a *App) HasUsers(ctx context.Context) (bool, error) {
	var n int
	err := a.db.View(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.CountUsers(ctx)
		return err
	})
	return n > 0, err
}

// CreateDemoUsers creates users, as the system, in one transaction (the
// passwords are hashed before it opens). Only the system (the command
// line) creates them so.
func (a *App) CreateDemoUsers(ctx context.Context, who auth.Actor, users []auth.NewUser) ([]auth.User, error) {
	o := op{name: "user.create", perm: auth.PermUsersManage, target: Target{Entity: "user"}}
	if who != auth.System {
		return nil, a.audited(ctx, who, o, apperr.Forbiddenf("只有系统（命令行）可以创建演示用户", "only the system (the command line) creates the demo's users"))
	}
	built := make([]auth.User, len(users))
	for i, nu := range users {
		var err error
		if built[i], err = nu.Build(a.tree(), a.cfg.Password); err != nil {
			return nil, err
		}
	}
	return write(a, ctx, who, o, func(tx *store.Tx) ([]auth.User, error) {
		out := make([]auth.User, len(built))
		for i, u := range built {
			var err error
			if out[i], err = auth.CreateUser(ctx, tx, who, u); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// DemoCounty is the county the demo is set in: 舒城县, Lu'an, Anhui.
const DemoCounty = region.Code("341523")

// DemoUser is one of the demo's users.
type DemoUser struct {
	Username, Name string
	Role           auth.Role
	// Region is the user's scope; empty for the village, township and
	// citizen roles, whose scope is the demo's village (or its township).
	Region region.Code
}

// DemoUsers are two users for every role of design §1, scoped to the demo
// county or the divisions around it. The village and the township are
// those of the demo's village (DemoVillage); the first citizen is an
// eligible older parent who has not yet applied, the second one of last
// year's recipients, the third a mother of a child under three (births and
// the childcare subsidy).
var DemoUsers = []DemoUser{
	{"village", "村专干（演示）", auth.RoleVillage, ""},
	{"village2", "村专干二（演示）", auth.RoleVillage, ""},
	{"doctor", "村医（演示）", auth.RoleVillage, ""},
	{"township", "乡镇计生办（演示）", auth.RoleTownship, ""},
	{"township2", "乡镇调查员（演示）", auth.RoleTownship, ""},
	{"county", "县卫健委（演示）", auth.RoleCounty, DemoCounty},
	{"county2", "县卫健委二（演示）", auth.RoleCounty, DemoCounty},
	{"finance", "县财政（演示）", auth.RoleFinance, DemoCounty},
	{"finance2", "县财政复核（演示）", auth.RoleFinance, DemoCounty},
	{"supervisor", "县监督（演示）", auth.RoleSupervisor, DemoCounty},
	{"supervisor2", "县监督二（演示）", auth.RoleSupervisor, DemoCounty},
	{"city", "市卫健委（演示）", auth.RoleCity, "341500"},
	{"city2", "市卫健委二（演示）", auth.RoleCity, "341500"},
	{"province", "省卫健委（演示）", auth.RoleProvince, "340000"},
	{"province2", "省卫健委二（演示）", auth.RoleProvince, "340000"},
	{"admin", "系统管理员（演示）", auth.RoleAdmin, ""},
	{"admin2", "系统管理员二（演示）", auth.RoleAdmin, ""},
	{"partner", "县教育局（演示）", auth.RolePartner, DemoCounty},
	{"partner2", "县民政局（演示）", auth.RolePartner, DemoCounty},
	{"citizen", "群众（演示）", auth.RoleCitizen, ""},
	{"citizen2", "群众二（演示）", auth.RoleCitizen, ""},
	{"citizen3", "群众三（演示）", auth.RoleCitizen, ""},
}

// DemoConfig sizes the demo; zero values take the defaults.
type DemoConfig struct {
	Persons int    // synthetic population (20,000)
	Batch   int    // persons per load batch (4,000): a stopped load keeps them
	Seed    uint64 // (1)
}

// DemoLogin is a demo user's login.
type DemoLogin struct {
	Username, Password string
	Role               auth.Role
	Region             region.Code
}

// DemoReport is what SeedDemo did, and the logins.
type DemoReport struct {
	Again  bool // the database had users: nothing was made
	Logins []DemoLogin
}

// SeedDemo fills a database without users with the demo: the synthetic
// county (GenerateSynthetic), this year's evaluation (Evaluate), the
// staff users, the demo's year (StageDemo) and the citizens. On a
// database that has users it makes nothing and returns the logins of the
// demo users there are. say receives a line of progress in Chinese and
// English. Only the system seeds the demo.
func (a *App) SeedDemo(ctx context.Context, who auth.Actor, cfg DemoConfig, say func(string)) (*DemoReport, error) {
	if who != auth.System {
		return nil, a.audited(ctx, who, op{name: "demo.stage", perm: auth.PermUsersManage, target: Target{Entity: "user"}},
			apperr.Forbiddenf("只有系统（命令行）可以布置演示", "only the system (the command line) seeds the demo"))
	}
	if say == nil {
		say = func(string) {}
	}
	cfg.Persons = cmp.Or(cfg.Persons, 20000)
	cfg.Batch = cmp.Or(cfg.Batch, 4000)
	cfg.Seed = cmp.Or(cfg.Seed, 1)
	has, err := a.HasUsers(ctx)
	if err != nil {
		return nil, err
	}
	if has {
		logins, err := a.demoLogins(ctx)
		return &DemoReport{Again: true, Logins: logins}, err
	}
	stats, err := a.GenerateSynthetic(ctx, who, synth.Config{County: string(DemoCounty), Persons: cfg.Persons, Seed: cfg.Seed, BatchPersons: cfg.Batch}, nil)
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("演示县 demo county %s %s: %d synthetic persons", DemoCounty, a.tree().FullName(DemoCounty), stats.Persons))
	year := date.Today(a.db.Now()).Year()
	st, err := a.Evaluate(ctx, who, EvalOptions{Region: string(DemoCounty), Year: year})
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("demo: %d persons evaluated for %d: %d eligible determinations", st.Persons, year, st.Eligible))
	// The register of special families, from the registry and the roll,
	// with the synthetic care of the last year.
	care, err := a.GenerateSpecialCare(ctx, who, string(DemoCounty), 1)
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("demo: %d special families, %d contacts, %d visits, %d requests", care.Families, care.Contacts, care.Visits, care.Requests))
	village, eligible, err := a.DemoVillage(ctx, who, DemoCounty)
	if err != nil {
		return nil, err
	}
	// The staff first, who stage the year; the citizens after, once it is
	// known who is on the roll and who has not applied.
	// The village doctor is in the village of a special family, whose
	// contact they become, so that the demo shows the care of these
	// families from the village too.
	cared, _, err := a.SpecialFamilies(ctx, who, string(DemoCounty), special.Query{Status: special.StatusActive, Limit: 1})
	if err != nil {
		return nil, err
	}
	var staff, citizens []auth.NewUser
	for _, d := range DemoUsers {
		u := auth.NewUser{Username: d.Username, Name: d.Name, Role: d.Role, Region: d.Region, Password: a.DemoPassword(d.Username)}
		switch {
		case d.Username == "doctor":
			if len(cared) == 0 {
				continue
			}
			u.Region = region.Code(cared[0].Region)
		case d.Role == auth.RoleVillage:
			u.Region = village
		case d.Role == auth.RoleTownship:
			u.Region = village.Parent()
		case d.Role == auth.RoleCitizen:
			citizens = append(citizens, u)
			continue
		}
		staff = append(staff, u)
	}
	created, err := a.CreateDemoUsers(ctx, who, staff)
	if err != nil {
		return nil, err
	}
	if len(cared) > 0 {
		if _, err := a.AssignSpecialContact(ctx, who, string(DemoCounty), cared[0].ID, special.NewContact{Kind: special.KindVillageDoctor, Username: "doctor", Name: "村医（演示）"}); err != nil {
			return nil, err
		}
	}
	actor := map[string]auth.Actor{}
	for _, u := range created {
		actor[u.Username] = u.Actor()
	}
	stage, err := a.StageDemo(ctx, who, DemoCast{Village: actor["village"], Village2: actor["village2"],
		Township: actor["township"], Township2: actor["township2"], County: actor["county"],
		Finance: actor["finance"], Finance2: actor["finance2"]}, eligible)
	if err != nil {
		return nil, err
	}
	// The first round of this year's face-to-face review of the roll:
	// most seen, some not seen with the reason, a few not reached yet.
	rev, err := a.GenerateInPersonReviews(ctx, who, string(DemoCounty), year, cfg.Seed)
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("demo: face-to-face review of %d: %d recipients, %d seen, %d not seen with a reason, %d not reached yet",
		year, rev.Recipients, rev.Seen, rev.NotSeen, rev.Unreached))
	charged, err := a.demoCharges(ctx, DemoCast{Village: actor["village"], Township: actor["township"], County: actor["county"]}, village)
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("demo: %d recipients and cases put in the charge of the village, township and county cadres", charged))
	if len(stage.Rest) == 0 {
		return nil, fmt.Errorf("demo: no eligible person left in %s for the demo citizen", village)
	}
	tasks, err := a.demoMatching(ctx, actor["county"], synth.Config{County: string(DemoCounty), Persons: cfg.Persons, Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("demo: 出生医学证明、预防接种数据各 %d 行已比对，%d 件核查任务 / birth and vaccination extracts of %d rows matched, %d tasks",
		demoMatchRows, tasks, demoMatchRows, tasks))
	for i := range citizens {
		p := stage.Rest[0] // eligible, not yet applied
		if citizens[i].Username == "citizen2" {
			p = stage.Cohort[0] // on the roll since last year
		}
		citizens[i].Region, citizens[i].Person = region.Code(p.Region), fmt.Sprintf("%s/%d", p.County, p.PersonID)
		if citizens[i].Username == "citizen3" {
			m, err := a.demoMother(ctx, who, village)
			if err != nil {
				return nil, err
			}
			citizens[i].Region, citizens[i].Person = region.Code(m.Region), string(DemoCounty)+"/"+m.Ref
		}
	}
	cits, err := a.CreateDemoUsers(ctx, who, citizens)
	if err != nil {
		return nil, err
	}
	nc, err := a.demoComplaints(ctx, actor, cits, stage.Cohort[0])
	if err != nil {
		return nil, err
	}
	say(fmt.Sprintf("demo: %d complaints, enquiries and petitions", nc))
	if err := a.demoRename(ctx, who, village); err != nil {
		return nil, err
	}
	say(fmt.Sprintf("演示村 demo village %s: 去年 %d 人纳入名册并发放（%s 的一笔被银行退回，待重发）；今年 %d 件在办，%d 人应享未享 / last year %d enrolled and paid (one bank line failed, to retry); %d cases this year; %d eligible not applied",
		a.tree().FullName(village), len(stage.Cohort), stage.Failed, len(stage.Cases), len(stage.Rest), len(stage.Cohort), len(stage.Cases), len(stage.Rest)))
	logins, err := a.demoLogins(ctx)
	return &DemoReport{Logins: logins}, err
}

// demoLogins returns the logins of the demo users the database has, in
// the order of DemoUsers.
func (a *App) demoLogins(ctx context.Context) ([]DemoLogin, error) {
	users, err := a.Users(ctx, auth.System, UserQuery{})
	if err != nil {
		return nil, err
	}
	byName := map[string]auth.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	var out []DemoLogin
	for _, d := range DemoUsers {
		if u, ok := byName[d.Username]; ok && !u.Disabled {
			out = append(out, DemoLogin{Username: u.Username, Password: a.DemoPassword(u.Username), Role: u.Role, Region: u.Region})
		}
	}
	return out, nil
}

// demoMother returns a living mother of a child under three, in village
// if it has one and else in the demo county: women of child-bearing age,
// youngest first, whose family has a child born within three years.
func (a *App) demoMother(ctx context.Context, who auth.Actor, village region.Code) (*registry.Person, error) {
	today := date.Today(a.db.Now())
	limit := today.AddMonths(-36)
	for _, area := range []region.Code{village, DemoCounty} {
		for offset := 0; offset < 5000; offset += 500 {
			page, _, err := a.SearchPersons(ctx, who, registry.Query{Region: string(area), Alive: true, Sort: registry.SortBirth, Desc: true, Limit: 500, Offset: offset})
			if err != nil {
				return nil, err
			}
			for _, w := range page {
				age := w.Birth.YearsBetween(today)
				if w.Sex != registry.Female || age < 18 || age > 50 {
					continue
				}
				f, err := a.Family(ctx, who, registry.Key{County: w.County, ID: w.ID})
				if err != nil {
					return nil, err
				}
				for _, t := range f.Children {
					c := f.Person(t.Child)
					if t.Parent == w.Ref() && t.Kind == registry.Birth && c != nil && !c.Birth.Before(limit) && c.Death.IsZero() {
						return f.Person(w.Ref()), nil
					}
				}
			}
			if len(page) < 500 {
				break
			}
		}
	}
	return nil, fmt.Errorf("demo: no mother of a child under three in %s", DemoCounty)
}
