package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/oidc"
	"github.com/jiahe-project/jiahe/internal/web/server"
)

// TestOIDCSignIn signs a citizen in through a local OpenID Connect
// provider (mockoidc): the provider vouches for the ID number of a person
// of the registry whose citizen account then gets the session; an ID
// number without an account, a forged state and a replayed callback are
// refused, and the refusal of an unknown identity is recorded.
func TestOIDCSignIn(t *testing.T) {
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	mc := m.Config()

	db := storetest.Open(t, store.SQLite)
	cfg := app.DefaultConfig()
	cfg.Password = auth.TestParams
	a := app.New(db, cfg, nil)
	wcfg := web.DefaultConfig()
	wcfg.OIDC = oidc.Config{Issuer: mc.Issuer, ClientID: mc.ClientID, ClientSecret: mc.ClientSecret, IDClaim: "sub"}
	s, err := server.New(a, slog.New(slog.NewTextHandler(io.Discard, nil)), wcfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)

	ctx := app.WithRequest(context.Background(), app.Request{Door: "test"})
	b := date.MustParse("1990-05-01")
	idn := string(idcard.Make("341523", b.Time(), 40))
	p, err := a.RegisterPerson(ctx, auth.System, registry.NewPerson{IDNumber: idn, Name: "陈美华", Sex: registry.Female, Birth: b,
		Region: "341523100001", HukouType: registry.Rural})
	if err != nil {
		t.Fatal(err)
	}
	u, err := auth.NewUser{Username: "chenmh", Name: "陈美华", Role: auth.RoleCitizen, Region: "341523100001",
		Person: fmt.Sprintf("341523/%d", p.ID), Password: "lotus7harbour"}.Build(region.Default(), auth.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error { _, err := auth.CreateUser(ctx, tx, auth.System, u); return err }); err != nil {
		t.Fatal(err)
	}

	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, Timeout: 20 * time.Second}
	}
	page := func(c *http.Client, path string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Request.URL.Path, string(body)
	}

	// The sign-in page offers the identity service.
	if code, _, body := page(browser(), "/login"); code != 200 || !strings.Contains(body, `href="/login/oidc"`) {
		t.Fatalf("sign-in page = %d, without the link to the identity service", code)
	}

	c := browser()
	m.QueueUser(&mockoidc.MockUser{Subject: idn, PreferredUsername: "chen"})
	code, at, body := page(c, "/login/oidc")
	if code != 200 || at != "/self" || !strings.Contains(body, "陈美华") {
		t.Fatalf("sign-in through the provider ended at %s with %d: %.300s", at, code, body)
	}
	if n := countActions(t, db, "user.login"); n != 1 {
		t.Errorf("%d sign-ins recorded, want 1", n)
	}

	// An ID number the registry has but no account is linked to.
	other := string(idcard.Make("341523", b.Time(), 42))
	m.QueueUser(&mockoidc.MockUser{Subject: other})
	if code, _, body := page(browser(), "/login/oidc"); code != 401 || !strings.Contains(body, "尚未开通") {
		t.Errorf("an identity without an account = %d %.200s", code, body)
	}
	if n := countActions(t, db, "user.login_failed"); n != 1 {
		t.Errorf("%d failed sign-ins recorded, want 1", n)
	}

	// A callback whose state is not the one this browser was sent with.
	if code, _, _ := page(browser(), "/login/oidc/callback?state=forged&code=x"); code != 401 {
		t.Errorf("a forged callback = %d, want 401", code)
	}
}

// countActions counts the audit entries of action on the system chain.
func countActions(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	n := 0
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{Limit: 100})
		for _, e := range es {
			if e.Action == action {
				n++
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}
