package app

import (
	"context"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestPasswordPolicy checks that every use case that takes a password a
// person chooses refuses common and username-based ones: creating a
// user, an administrator's reset (by username and by id) and a change of
// one's own password.
func TestPasswordPolicy(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := authApp(t, engine)
			ctx := context.Background()
			for _, pw := range []string{"wang12345", "password1", "admin2024", "p@ssw0rd"} {
				_, err := a.CreateUser(ctx, auth.System, auth.NewUser{Username: "wang", Name: "王", Role: auth.RoleCounty, Region: "341523", Password: pw})
				if e, ok := apperr.As(err); !ok || e.Field != "password" {
					t.Errorf("CreateUser with %q: %v", pw, err)
				}
			}
			u, err := a.CreateUser(ctx, auth.System, auth.NewUser{Username: "wang", Name: "王", Role: auth.RoleCounty, Region: "341523", Password: "maple84river"})
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range []UserRef{{Username: "wang"}, {ID: u.ID}} {
				if err := a.ResetPassword(ctx, auth.System, ref, "2024wang!"); apperr.KindOf(err) != apperr.Invalid {
					t.Errorf("ResetPassword(%v) with the username in it: %v", ref, err)
				}
				if err := a.ResetPassword(ctx, auth.System, ref, "qwerty2024"); apperr.KindOf(err) != apperr.Invalid {
					t.Errorf("ResetPassword(%v) with a common word: %v", ref, err)
				}
			}
			who := u.Actor()
			if err := a.ChangeOwnPassword(ctx, who, PasswordChange{Old: "maple84river", New: "Wang-2024x", Addr: "10.0.0.9"}); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("ChangeOwnPassword to one holding the username: %v", err)
			}
			if err := a.ChangeOwnPassword(ctx, who, PasswordChange{Old: "maple84river", New: "ledger5tide", Addr: "10.0.0.9"}); err != nil {
				t.Errorf("ChangeOwnPassword to a good one: %v", err)
			}
			// Nothing weak was stored: the refused resets left the password.
			var hash string
			if err := a.db.View(ctx, func(tx *store.Tx) error {
				got, err := tx.UserByID(ctx, "", u.ID)
				hash = got.PasswordHash
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if ok, _ := auth.VerifyPassword(hash, "ledger5tide"); !ok {
				t.Error("the good new password was not stored")
			}
		})
	}
}
