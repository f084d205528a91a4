package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

func newUser(t *testing.T, username string, role auth.Role, code region.Code) auth.User {
	t.Helper()
	u, err := auth.NewUser{Username: username, Name: "测试" + username, Role: role, Region: code, Password: "passw0rd"}.
		Build(region.Default(), auth.TestParams)
	if err != nil {
		t.Fatalf("Build %s: %v", username, err)
	}
	return u
}

func TestUsers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			db := storetest.Open(t, engine)
			t0 := time.Date(2024, 5, 1, 8, 30, 0, 123456000, time.UTC)
			db.Now = func() time.Time { return t0 }
			users := []auth.User{
				newUser(t, "admin", auth.RoleAdmin, ""),
				newUser(t, "county", auth.RoleCounty, "341523"),
				newUser(t, "town", auth.RoleTownship, "341523100000"),
				newUser(t, "village", auth.RoleVillage, "341523100001"),
				newUser(t, "other", auth.RoleCounty, "341522"),
			}
			err := db.Update(ctx, func(tx *store.Tx) error {
				for i := range users {
					var err error
					if users[i], err = auth.CreateUser(ctx, tx, auth.System, users[i]); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// A taken username is a conflict on the username field.
			err = db.Update(ctx, func(tx *store.Tx) error {
				_, err := auth.CreateUser(ctx, tx, auth.System, newUser(t, "county", auth.RoleCounty, "341523"))
				return err
			})
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict || e.Field != "username" {
				t.Errorf("duplicate username: err = %v, want Conflict on username", err)
			}

			scopes := []struct {
				scope region.Code
				want  []string
			}{
				{"", []string{"admin", "county", "other", "town", "village"}},
				{"341523", []string{"county", "town", "village"}},
				{"341523100000", []string{"town", "village"}},
				{"341522", []string{"other"}},
				{"410000", nil},
			}
			for _, sc := range scopes {
				var got []string
				err := db.View(ctx, func(tx *store.Tx) error {
					us, err := tx.Users(ctx, sc.scope, store.UserFilter{})
					for _, u := range us {
						got = append(got, u.Username)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(sc.want, got); diff != "" {
					t.Errorf("Users(%q) (-want +got):\n%s", sc.scope, diff)
				}
			}

			var got auth.User
			err = db.View(ctx, func(tx *store.Tx) error {
				got, err = tx.UserByUsername(ctx, "village")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(users[3], got); diff != "" {
				t.Errorf("UserByUsername round trip (-want +got):\n%s", diff)
			}
			if !got.CreatedAt.Equal(t0) {
				t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, t0)
			}
			// Out of scope reads as not found.
			err = db.View(ctx, func(tx *store.Tx) error {
				_, err := tx.UserByID(ctx, "341522", users[3].ID)
				return err
			})
			if apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("UserByID out of scope: err = %v, want NotFound", err)
			}

			// A county administrator cannot disable users; the admin can, and it is audited.
			countyActor := users[1].Actor()
			err = db.Update(ctx, func(tx *store.Tx) error {
				_, err := auth.SetDisabled(ctx, tx, countyActor, users[3].ID, true)
				return err
			})
			if apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("county disables a user: err = %v, want Forbidden", err)
			}
			adminActor := users[0].Actor()
			err = db.Update(ctx, func(tx *store.Tx) error {
				_, err := auth.SetDisabled(ctx, tx, adminActor, users[3].ID, true)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var entries []audit.Entry
			err = db.View(ctx, func(tx *store.Tx) error {
				var err error
				entries, err = tx.AuditEntries(ctx, "", store.AuditFilter{County: "", Entity: "user"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(users)+1 || entries[0].Action != "user.disable" || entries[0].UserID != users[0].ID {
				t.Errorf("audit = %+v, want %d entries, newest a user.disable by the admin", entries, len(users)+1)
			}
			for _, e := range entries {
				if containsHash(e.Before) || containsHash(e.After) {
					t.Errorf("audit entry %d leaks the password hash: %s", e.Seq, e.After)
				}
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				us, err := tx.Users(ctx, "341523", store.UserFilter{})
				if len(us) != 2 {
					t.Errorf("Users after disabling = %d users, want 2", len(us))
				}
				all, err2 := tx.Users(ctx, "341523", store.UserFilter{IncludeDisabled: true})
				if len(all) != 3 {
					t.Errorf("Users with disabled = %d users, want 3", len(all))
				}
				return cmpErr(err, err2)
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func containsHash(s string) bool {
	return strings.Contains(s, "argon2id") || strings.Contains(s, "password_hash")
}

func cmpErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
