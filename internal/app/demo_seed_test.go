package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// TestSeedDemo seeds the demo as serve --demo does, on each engine: two
// users per role whose printed passwords sign in; last year's cohort on
// the roll with one bank line waiting for a retry; this year's cases at
// every stage, three of them under notices whose days have run; an
// outreach list in the demo's village that holds the first citizen and
// not the second (on the roll). A second seeding makes nothing and prints
// the same logins; only the system seeds.
func TestSeedDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a synthetic county")
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := storetest.URL(t, engine)
			cfg := app.DefaultConfig()
			cfg.Password = auth.TestParams
			cfg.Keys = storetest.Keys(t, url)
			a, err := app.Open(ctx, url, true, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if _, err := a.SeedDemo(ctx, county, app.DemoConfig{Persons: 5000}, nil); apperr.KindOf(err) != apperr.Forbidden {
				t.Fatalf("a county officer seeds the demo: %v", err)
			}
			r, err := a.SeedDemo(ctx, auth.System, app.DemoConfig{Persons: 5000}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Again || len(r.Logins) != len(app.DemoUsers) {
				t.Fatalf("seeded %+v, want %d logins", r, len(app.DemoUsers))
			}
			// The register of complaints: four items, the one made at the
			// office escalated to the county.
			if items, err := a.Complaints(ctx, auth.System, complaint.Query{}); err != nil || len(items) != 4 {
				t.Errorf("the demo's complaints: %d %v", len(items), err)
			}
			if items, err := a.Complaints(ctx, auth.System, complaint.Query{Status: complaint.FilterEscalated}); err != nil || len(items) != 1 || items[0].EscalatedTo != "341523" {
				t.Errorf("the demo's escalated complaint: %+v %v", items, err)
			}
			// A village of the demo township became a community this year.
			if cs, err := a.DivisionChanges(ctx, auth.System, string(app.DemoCounty)); err != nil || len(cs) != 1 || cs[0].Kind != "rename" {
				t.Errorf("the demo's division changes: %+v %v", cs, err)
			}
			roles := map[auth.Role]int{}
			pass := map[string]string{}
			var village region.Code
			for _, l := range r.Logins {
				roles[l.Role]++
				pass[l.Username] = l.Password
				if l.Username == "village" {
					village = l.Region
				}
			}
			for _, role := range auth.Roles {
				if roles[role] < 2 {
					t.Errorf("%d demo users of role %s, want two", roles[role], role)
				}
			}
			if d, ok := a.Tree().Lookup(village); !ok || !strings.Contains(d.Name, "村") {
				t.Errorf("the demo's village %s is not a rural village", village)
			}
			for _, u := range []string{"finance2", "citizen"} {
				if _, err := a.SignIn(ctx, app.Credentials{Username: u, Password: pass[u], Addr: "127.0.0.1"}); err != nil {
					t.Errorf("sign in as %s with the printed password: %v", u, err)
				}
			}

			items, _, err := a.Worklist(ctx, auth.System, workflow.CaseQuery{States: workflow.States, Limit: 100}, false)
			if err != nil {
				t.Fatal(err)
			}
			states := map[workflow.State]int{}
			for _, it := range items {
				states[it.State]++
			}
			for st, n := range map[workflow.State]int{workflow.Applied: 1, workflow.Surveyed: 1, workflow.VillageNotice: 2,
				workflow.TownshipReview: 1, workflow.TownshipNotice: 1, workflow.CountyReview: 1, workflow.CountyNotice: 1, workflow.Enrolled: 7} {
				if states[st] != n {
					t.Errorf("%d cases %s, want %d (all: %v)", states[st], st, n, states)
				}
			}
			retries, err := a.Retries(ctx, auth.System, string(app.DemoCounty))
			if err != nil || len(retries) != 1 {
				t.Errorf("retries %d, %v; want last year's failed line", len(retries), err)
			}

			// The first round of the face-to-face review: most seen, the
			// others not seen at first (the shares: synth's own test).
			year := date.Today(a.Now()).Year()
			prog, err := a.InPersonProgress(ctx, auth.System, string(app.DemoCounty), year)
			if err != nil {
				t.Fatal(err)
			}
			var total, seen, excused, unseen int
			for _, tw := range prog.Townships {
				total, seen, excused, unseen = total+tw.Total, seen+tw.Seen, excused+tw.Excused, unseen+tw.Unseen
			}
			if total == 0 || seen == 0 || seen+excused+unseen != total || excused+unseen > total/2 {
				t.Errorf("the review of %d: %d recipients, %d seen, %d excused, %d not yet", year, total, seen, excused, unseen)
			}
			if _, err := a.GenerateInPersonReviews(ctx, county, string(app.DemoCounty), year, 1); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("a county officer generates reviews: %v", err)
			}

			// Some of the village's recipients and cases have cadres in
			// charge, some nobody.
			if u, err := a.SignIn(ctx, app.Credentials{Username: "village", Password: pass["village"], Addr: "127.0.0.1"}); err == nil {
				mine, err := a.MyCharges(ctx, u.User.Actor())
				if err != nil || len(mine) < 2 {
					t.Errorf("the village specialist's own list: %d, %v", len(mine), err)
				}
			} else {
				t.Error(err)
			}
			for _, kind := range charge.Kinds.Codes() {
				b, err := a.ChargeBoard(ctx, auth.System, charge.Query{Region: string(village), Kind: kind, Level: workflow.LevelVillage, Nobody: true})
				if err != nil || len(b.Rows) == 0 || len(b.Townships) != 1 || b.Townships[0].Total == len(b.Rows) {
					t.Errorf("the demo's %s with and without a village cadre: %+v, %v", kind, b, err)
				}
			}

			o, err := a.Outreach(ctx, auth.System, app.OutreachQuery{Region: village, Limit: 1000}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			citizens := map[string]int64{}
			users, err := a.Users(ctx, auth.System, app.UserQuery{})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				if u.Role == auth.RoleCitizen {
					citizens[u.Username] = u.PersonID
				}
			}
			listed := map[int64]bool{}
			for _, row := range o.Rows {
				listed[row.PersonID] = true
				if row.ProgramName == "" || row.ProgramName == row.Program {
					t.Errorf("outreach row without the program's name: %+v", row)
				}
			}
			if !listed[citizens["citizen"]] || listed[citizens["citizen2"]] {
				t.Errorf("outreach lists the eligible citizen %v and the recipient %v; want only the first", listed[citizens["citizen"]], listed[citizens["citizen2"]])
			}

			// The list is scoped: a specialist of another village is
			// refused the demo's village and sees only their own.
			other := auth.Actor{UserID: 999, Username: "other", Role: auth.RoleVillage, Scope: "341523100001"}
			if _, err := a.Outreach(ctx, other, app.OutreachQuery{Region: village}, "zh"); apperr.KindOf(err) != apperr.Forbidden && apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("another village's specialist reads the demo village's list: %v", err)
			}
			own, err := a.Outreach(ctx, other, app.OutreachQuery{Limit: 1000}, "zh")
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range own.Rows {
				if row.Region != "341523100001" {
					t.Errorf("another village's specialist sees %s of %s", row.Name, row.Region)
				}
			}

			// The department extracts: new children on the county's worklist.
			if tasks, n, err := a.MatchWorklist(ctx, county, "341523", matching.TaskQuery{Reason: matching.TaskNewChild}); err != nil || n == 0 || len(tasks) == 0 {
				t.Errorf("the demo's new-child tasks: %d %v", n, err)
			}

			again, err := a.SeedDemo(ctx, auth.System, app.DemoConfig{Persons: 5000}, nil)
			if err != nil || !again.Again || len(again.Logins) != len(r.Logins) || again.Logins[0].Password != r.Logins[0].Password {
				t.Errorf("second seeding: %+v, %v; want the same logins again", again, err)
			}
		})
	}
}
