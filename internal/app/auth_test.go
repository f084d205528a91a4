package app

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// authApp returns an App over a fresh database of engine, with cheap
// password hashes, a fixed clock and the users "village" (password
// harbor7lantern) and "admin".
func authApp(t *testing.T, engine store.Engine) *App {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Password = auth.TestParams
	a := New(storetest.Open(t, engine), cfg, nil)
	now := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)
	a.SetClock(func() time.Time { return now })
	for _, n := range []auth.NewUser{
		{Username: "village", Name: "村专干", Role: auth.RoleVillage, Region: "341523100001", Password: "harbor7lantern"},
		{Username: "admin", Name: "管理员", Role: auth.RoleAdmin, Password: "maple84river"},
	} {
		if _, err := a.CreateUser(context.Background(), auth.System, n); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// authActions counts the entries of each action on the chain county.
func authActions(t *testing.T, a *App, county string) map[string]int {
	t.Helper()
	n := map[string]int{}
	err := a.db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: county, Limit: 1000})
		for _, e := range es {
			n[e.Action]++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSignInParallelGuesses fires 200 wrong passwords at one username at
// once: no more are hashed than the throttle's free failures and the one
// that locks, every other is refused as throttled, and each hashed one is
// answered and audited as a failed sign-in.
func TestSignInParallelGuesses(t *testing.T) {
	allowed := auth.NewThrottle().FreeFailures + 1
	for _, engine := range storetest.Engines(t) {
		for _, tc := range []struct {
			name string
			addr func(i int) string
		}{
			{"one address", func(int) string { return "10.0.0.1" }},
			{"200 addresses", func(i int) string { return "10.0.1." + strconv.Itoa(i) }},
		} {
			t.Run(string(engine)+"/"+tc.name, func(t *testing.T) {
				a := authApp(t, engine)
				ctx := context.Background()
				before := a.gate.hashes.Load()
				var wg sync.WaitGroup
				errs := make([]error, 200)
				for i := range errs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, errs[i] = a.SignIn(ctx, Credentials{Username: "village", Password: "wrong1234", Addr: tc.addr(i)})
					}()
				}
				wg.Wait()
				hashed := int(a.gate.hashes.Load() - before)
				var bad, throttledN int
				for _, err := range errs {
					var th *ThrottledError
					switch {
					case err == errBadLogin:
						bad++
					case errors.As(err, &th):
						throttledN++
					default:
						t.Errorf("answer %v, want a wrong password or throttled", err)
					}
				}
				if hashed > allowed || hashed != bad || bad+throttledN != len(errs) {
					t.Errorf("%d hashed, %d wrong-password answers, %d throttled; want at most %d hashed, one answer each",
						hashed, bad, throttledN, allowed)
				}
				if got := authActions(t, a, "")["user.login_failed"]; got != bad {
					t.Errorf("%d failed sign-ins audited on the system chain, want %d", got, bad)
				}
				if got := authActions(t, a, "341523")["user.login_failed"]; got != 0 {
					t.Errorf("%d failed sign-ins on the county chain, want 0", got)
				}

				// The right password waits for the lock too, then works.
				right := Credentials{Username: "village", Password: "harbor7lantern", Addr: "10.0.0.1"}
				var th *ThrottledError
				if _, err := a.SignIn(ctx, right); !errors.As(err, &th) {
					t.Errorf("right password while locked: %v, want throttled", err)
				}
				later := a.Now().Add(time.Hour)
				a.SetClock(func() time.Time { return later })
				if s, err := a.SignIn(ctx, right); err != nil || s.User.Username != "village" || s.Token == "" {
					t.Errorf("right password after the lock: %+v, %v", s, err)
				}
			})
		}
	}
}

// TestSignInAnswers checks that a disabled account, an unknown username
// and a wrong password get the same answer, and that each is recorded
// with its reason on the system chain.
func TestSignInAnswers(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := authApp(t, engine)
			ctx := context.Background()
			if _, err := a.SetUserDisabled(ctx, auth.System, UserRef{Username: "village"}, true); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name               string
				username, password string
				reason             string
			}{
				{"disabled, right password", "village", "harbor7lantern", "disabled"},
				{"disabled, wrong password", "village", "wrong1234", "wrong_password"},
				{"unknown username", "nobody", "harbor7lantern", "unknown_user"},
				{"wrong password", "admin", "wrong1234", "wrong_password"},
			} {
				_, err := a.SignIn(ctx, Credentials{Username: tc.username, Password: tc.password, Addr: "10.0.0.2"})
				e, ok := apperr.As(err)
				if err != errBadLogin || !ok || e.Kind != apperr.Unauthenticated || e.ZH != "用户名或密码错误" {
					t.Errorf("%s: %#v, want the answer of a wrong password", tc.name, err)
				}
				var last string
				if err := a.db.View(ctx, func(tx *store.Tx) error {
					es, err := tx.AuditEntries(ctx, "", store.AuditFilter{Entity: "user", Limit: 1})
					if len(es) == 1 && es[0].Action == "user.login_failed" {
						last = es[0].After
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if want := `{"ip":"10.0.0.2","reason":"` + tc.reason + `"}`; last != want {
					t.Errorf("%s: audited %q, want %q", tc.name, last, want)
				}
			}
			if _, err := a.SignIn(ctx, Credentials{Username: "admin", Password: "maple84river", Addr: "10.0.0.2"}); err != nil {
				t.Errorf("admin signs in: %v", err)
			}
		})
	}
}

// TestPasswordChecksBusy fills every hash slot: a sign-in then waits, is
// refused as throttled, and costs no attempt.
func TestPasswordChecksBusy(t *testing.T) {
	a := authApp(t, store.SQLite)
	a.gate.wait = 10 * time.Millisecond
	for range cap(a.gate.slots) {
		a.gate.slots <- struct{}{}
	}
	ctx := context.Background()
	free := auth.NewThrottle().FreeFailures
	for range free + 3 {
		var th *ThrottledError
		if _, err := a.SignIn(ctx, Credentials{Username: "village", Password: "wrong1234", Addr: "10.0.0.3"}); !errors.As(err, &th) || th.Wait != time.Second {
			t.Fatalf("sign-in with every slot taken: %v, want throttled for a second", err)
		}
	}
	for range cap(a.gate.slots) {
		<-a.gate.slots
	}
	for i := range free {
		if _, err := a.SignIn(ctx, Credentials{Username: "village", Password: "wrong1234", Addr: "10.0.0.3"}); err != errBadLogin {
			t.Fatalf("failure %d after the slots freed: %v, want a wrong password (refused checks cost no attempt)", i+1, err)
		}
	}
}

// TestChangeOwnPasswordThrottled fires 200 wrong current passwords at
// once: no more are hashed than a sign-in allows, and then even the right
// one is refused until the lock ends.
func TestChangeOwnPasswordThrottled(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := authApp(t, engine)
			ctx := context.Background()
			s, err := a.SignIn(ctx, Credentials{Username: "village", Password: "harbor7lantern", Addr: "10.0.0.4"})
			if err != nil {
				t.Fatal(err)
			}
			who, err := a.Authenticate(ctx, s.Token)
			if err != nil {
				t.Fatal(err)
			}
			before := a.gate.hashes.Load()
			var wg sync.WaitGroup
			for range 200 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := a.ChangeOwnPassword(ctx, who, PasswordChange{Old: "wrong1234", New: "new12345678", Addr: "10.0.0.4"})
					var th *ThrottledError
					if apperr.KindOf(err) != apperr.Invalid && !errors.As(err, &th) {
						t.Errorf("wrong current password: %v", err)
					}
				}()
			}
			wg.Wait()
			if hashed, allowed := a.gate.hashes.Load()-before, int64(auth.NewThrottle().FreeFailures+1); hashed > allowed {
				t.Errorf("%d current passwords hashed, want at most %d", hashed, allowed)
			}
			change := PasswordChange{Old: "harbor7lantern", New: "new12345678", Addr: "10.0.0.4"}
			var th *ThrottledError
			if err := a.ChangeOwnPassword(ctx, who, change); !errors.As(err, &th) {
				t.Errorf("right current password while locked: %v, want throttled", err)
			}
			later := a.Now().Add(time.Hour)
			a.SetClock(func() time.Time { return later })
			if err := a.ChangeOwnPassword(ctx, who, change); err != nil {
				t.Fatalf("change after the lock: %v", err)
			}
			if _, err := a.Authenticate(ctx, s.Token); apperr.KindOf(err) != apperr.Unauthenticated {
				t.Errorf("session after the change: %v, want it ended", err)
			}
			if _, err := a.SignIn(ctx, Credentials{Username: "village", Password: "new12345678", Addr: "10.0.0.4"}); err != nil {
				t.Errorf("sign-in with the new password: %v", err)
			}
		})
	}
}

// TestResetPasswordByUsername is the command line's reset: by username,
// as the system; it ends the user's sessions and is audited.
func TestResetPasswordByUsername(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := authApp(t, engine)
			ctx := WithRequest(context.Background(), Request{Door: "cli"})
			s, err := a.SignIn(ctx, Credentials{Username: "village", Password: "harbor7lantern", Addr: "10.0.0.5"})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.ResetPassword(ctx, auth.System, UserRef{Username: "village"}, "short"); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("weak password: %v, want invalid", err)
			}
			if err := a.ResetPassword(ctx, auth.System, UserRef{Username: "nobody"}, "fresh12345"); apperr.KindOf(err) != apperr.NotFound {
				t.Errorf("unknown user: %v, want not found", err)
			}
			if err := a.ResetPassword(ctx, auth.System, UserRef{Username: "village"}, "fresh12345"); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Authenticate(ctx, s.Token); apperr.KindOf(err) != apperr.Unauthenticated {
				t.Errorf("session after the reset: %v, want it ended", err)
			}
			if _, err := a.SignIn(ctx, Credentials{Username: "village", Password: "fresh12345", Addr: "10.0.0.5"}); err != nil {
				t.Errorf("sign-in with the new password: %v", err)
			}
			if n := authActions(t, a, "")["user.password"]; n != 1 {
				t.Errorf("%d password resets audited, want 1", n)
			}
		})
	}
}

// TestAuditUserFilter names the user of the audit filter by username or
// by id.
func TestAuditUserFilter(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			a := authApp(t, engine)
			ctx := context.Background()
			s, err := a.SignIn(ctx, Credentials{Username: "village", Password: "harbor7lantern", Addr: "10.0.0.6"})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SignOut(ctx, s.Token); err != nil {
				t.Fatal(err)
			}
			admin := auth.Actor{UserID: 2, Username: "admin", Role: auth.RoleAdmin, Scope: region.Code("")}
			id := strconv.FormatInt(s.User.ID, 10)
			for _, user := range []string{"village", id} {
				p, err := a.AuditEntries(ctx, admin, AuditQuery{User: user})
				if err != nil || len(p.Entries) != 2 || p.Entries[0].Action != "user.logout" || p.Entries[1].Action != "user.login" {
					t.Errorf("entries of user %q: %v, %+v", user, err, p)
				}
			}
			_, err = a.AuditEntries(ctx, admin, AuditQuery{User: "nobody"})
			if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Field != "user" {
				t.Errorf("unknown user: %v, want invalid on user", err)
			}
		})
	}
}
