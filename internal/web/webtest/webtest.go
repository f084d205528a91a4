// Package webtest runs the whole HTTP server (package web/server: the API
// and the staff pages) over a fresh database of either engine for the
// tests of the doors, with the fixtures they share: staff users, a family,
// payment recipients, a JSON client and a browser-like client of the
// pages.
package webtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/server"
)

// Clock is a settable test clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Server is the whole server over a fresh database, at URL, with the
// clock set to 2024-05-06 09:00 UTC and four users: admin (the whole
// country), county and finance (舒城县 341523) and village (东苑社区
// 341523100001), each with the password username + "1234".
type Server struct {
	T     *testing.T
	DB    *store.DB
	App   *app.App
	URL   string
	Clock *Clock
	// HTTP is the server under test, for its route tables.
	HTTP *server.Server
}

// Users are the usernames of the users New creates.
var Users = []string{"admin", "county", "village", "finance"}

// New starts the server on a fresh database of engine.
func New(t *testing.T, engine store.Engine) *Server {
	t.Helper()
	db := storetest.Open(t, engine)
	c := &Clock{t: time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)}
	db.Now = c.Now
	cfg := app.DefaultConfig()
	cfg.Password = auth.TestParams
	a := app.New(db, cfg, nil)
	s, err := server.New(a, slog.New(slog.NewTextHandler(io.Discard, nil)), web.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	ts := &Server{T: t, DB: db, App: a, URL: srv.URL, Clock: c, HTTP: s}
	for _, u := range []auth.NewUser{
		{Username: "admin", Name: "管理员", Role: auth.RoleAdmin, Region: "", Password: "admin1234"},
		{Username: "county", Name: "县审批", Role: auth.RoleCounty, Region: "341523", Password: "county1234"},
		{Username: "village", Name: "村专干", Role: auth.RoleVillage, Region: "341523100001", Password: "village1234"},
		{Username: "finance", Name: "财政", Role: auth.RoleFinance, Region: "341523", Password: "finance1234"},
	} {
		ts.AddStaff(t, u)
	}
	return ts
}

// AddStaff creates a user.
func (ts *Server) AddStaff(t *testing.T, u auth.NewUser) {
	t.Helper()
	built, err := u.Build(region.Default(), auth.TestParams)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.DB.Update(context.Background(), func(tx *store.Tx) error {
		_, err := auth.CreateUser(context.Background(), tx, auth.System, built)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// Client returns an HTTP client with its own cookie jar.
func (ts *Server) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// Call sends a request with body as JSON (none when nil) and the header
// pairs hdr, and decodes a JSON answer into a map.
func (ts *Server) Call(c *http.Client, method, path string, body any, hdr ...string) (int, map[string]any) {
	ts.T.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		ts.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

// Raw sends a request with a raw body and returns the status, the
// content type and the body.
func (ts *Server) Raw(c *http.Client, method, path, ctype string, body []byte) (int, string, []byte) {
	ts.T.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.Do(req)
	if err != nil {
		ts.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// Fetch gets a non-JSON answer: the status and the body.
func (ts *Server) Fetch(c *http.Client, path string) (int, string) {
	ts.T.Helper()
	resp, err := c.Get(ts.URL + path)
	if err != nil {
		ts.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Upload posts data as the multipart file (or the raw body) of path and
// decodes the JSON answer.
func (ts *Server) Upload(c *http.Client, path string, data []byte, multipartForm bool) (int, map[string]any) {
	ts.T.Helper()
	var body bytes.Buffer
	ctype := "text/csv"
	if multipartForm {
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "roster.csv")
		fw.Write(data)
		mw.Close()
		ctype = mw.FormDataContentType()
	} else {
		body.Write(data)
	}
	req, _ := http.NewRequest("POST", ts.URL+path, &body)
	req.Header.Set("Content-Type", ctype)
	resp, err := c.Do(req)
	if err != nil {
		ts.T.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// Login signs in through the API and returns the client with the session.
func (ts *Server) Login(username, password string) *http.Client {
	ts.T.Helper()
	c := ts.Client()
	if code, body := ts.Call(c, "POST", "/api/v1/login", map[string]string{"username": username, "password": password}); code != 200 {
		ts.T.Fatalf("login %s: %d %v", username, code, body)
	}
	return c
}

// AuditEntries returns the entries of the chains of counties (the system
// chain for ""), newest first on each chain, read through the store with
// the keys (the entries' states are encrypted at rest).
func (ts *Server) AuditEntries(counties ...string) []audit.Entry {
	ts.T.Helper()
	var out []audit.Entry
	err := ts.DB.View(context.Background(), func(tx *store.Tx) error {
		for _, county := range counties {
			es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: county, Limit: 1000})
			if err != nil {
				return err
			}
			out = append(out, es...)
		}
		return nil
	})
	if err != nil {
		ts.T.Fatal(err)
	}
	return out
}

// DeniedCount counts the access.denied entries of the system chain and
// of the chains of 舒城县 341523 and 霍邱县 341522.
func (ts *Server) DeniedCount() int {
	ts.T.Helper()
	n := 0
	for _, e := range ts.AuditEntries("", "341523", "341522") {
		if e.Action == "access.denied" {
			n++
		}
	}
	return n
}

// ActionCount counts the audit entries of action on the chain of county.
func (ts *Server) ActionCount(county, action string) int {
	ts.T.Helper()
	n := 0
	for _, e := range ts.AuditEntries(county) {
		if e.Action == action {
			n++
		}
	}
	return n
}

// PersonCount counts the persons registered.
func (ts *Server) PersonCount() int {
	ts.T.Helper()
	var n int
	if err := ts.DB.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM persons`).Scan(&n)
	}); err != nil {
		ts.T.Fatal(err)
	}
	return n
}

// UID returns the id of user username.
func (ts *Server) UID(username string) int64 {
	ts.T.Helper()
	var u auth.User
	if err := ts.DB.View(context.Background(), func(tx *store.Tx) (err error) {
		u, err = tx.UserByUsername(context.Background(), username)
		return err
	}); err != nil {
		ts.T.Fatal(err)
	}
	return u.ID
}
