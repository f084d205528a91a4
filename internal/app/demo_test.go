package app

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestMigrateThenOpen migrates a new database (Migrate reports the
// versions), opens it without migrating, and refuses to open one whose
// schema is behind.
func TestMigrateThenOpen(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			cfg := DefaultConfig()
			old := storetest.URL(t, engine)
			cfg.Keys = storetest.Keys(t, old)
			if _, err := Open(ctx, old, false, cfg, nil); err == nil || !strings.Contains(err.Error(), "jiahe migrate") {
				t.Errorf("open without migrating a new database: %v, want the schema refused", err)
			}
			url := storetest.URL(t, engine)
			cfg.Keys = storetest.Keys(t, url)
			m, err := Migrate(ctx, url, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if m.Before != 0 || m.After == 0 || m.Engine != string(engine) {
				t.Errorf("migrate = %+v", m)
			}
			again, err := Migrate(ctx, url, cfg)
			if err != nil || again.Before != m.After || again.After != m.After {
				t.Errorf("migrate again = %+v, %v; want %d → %d", again, err, m.After, m.After)
			}
			a, err := Open(ctx, url, false, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			a.Close()
		})
	}
}

// TestCreateDemoUsers creates the demo's users as the system, all in one
// transaction; anyone else is refused, and the refusal audited.
func TestCreateDemoUsers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := testApp(t, engine)
			ctx := context.Background()
			if has, err := a.HasUsers(ctx); err != nil || has {
				t.Fatalf("a new database has users: %v %v", has, err)
			}
			wife := register(t, a, "王秀英", "F", "1964-01-15", homeVillage, 1)
			users := []auth.NewUser{
				{Username: "demo_village", Name: "村专干", Role: auth.RoleVillage, Region: homeVillage, Password: "demo-pass-17"},
				{Username: "demo_citizen", Name: "群众", Role: auth.RoleCitizen, Region: homeVillage, Password: "demo-pass-27", Person: wife.County + "/" + strconv.FormatInt(wife.ID, 10)},
			}
			if _, err := a.CreateDemoUsers(ctx, county, users); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("a county officer creates the demo's users: %v, want forbidden", err)
			}
			if n := deniedOf(t, a, "341523", county.UserID); n != 1 {
				t.Errorf("%d access.denied entries, want 1", n)
			}
			// A user that does not build stops the whole run: nobody is created.
			bad := append(append([]auth.NewUser(nil), users...), auth.NewUser{Username: "x", Role: auth.RoleVillage, Region: homeVillage})
			if _, err := a.CreateDemoUsers(ctx, auth.System, bad); err == nil {
				t.Error("an invalid user was created")
			}
			if has, _ := a.HasUsers(ctx); has {
				t.Error("a failed run left users")
			}
			created, err := a.CreateDemoUsers(ctx, auth.System, users)
			if err != nil {
				t.Fatal(err)
			}
			if len(created) != 2 || created[1].PersonID != wife.ID || created[0].ID == 0 {
				t.Errorf("created %+v", created)
			}
			if has, err := a.HasUsers(ctx); err != nil || !has {
				t.Errorf("has users = %v %v", has, err)
			}
		})
	}
}

// deniedOf counts the access.denied entries of user on the chain of
// county.
func deniedOf(t *testing.T, a *App, county string, user int64) int {
	t.Helper()
	n := 0
	if err := a.db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: county, UserID: user, Limit: 100})
		for _, e := range es {
			if e.Action == "access.denied" {
				n++
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
