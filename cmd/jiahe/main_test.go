package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// lineWriter passes the server's output to the test through a pipe.
type lineWriter struct{ w *io.PipeWriter }

func (l lineWriter) Write(p []byte) (int, error) { return l.w.Write(p) }

// keyedURL returns a new database of engine whose key file the commands
// find through JIAHE_KEYS.
func keyedURL(t *testing.T, engine store.Engine) string {
	t.Helper()
	url := storetest.URL(t, engine)
	t.Setenv("JIAHE_KEYS", storetest.KeyFile(t, url))
	return url
}

func runOK(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(t.Context(), args, strings.NewReader(stdin), &out, &errb); err != nil {
		t.Fatalf("jiahe %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func TestServeEndToEnd(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := keyedURL(t, engine)
			// Commands other than serve and migrate refuse an old schema.
			var errb bytes.Buffer
			err := run(t.Context(), []string{"--db", url, "user", "list"}, strings.NewReader(""), io.Discard, &errb)
			if err == nil || !strings.Contains(err.Error(), "jiahe migrate") {
				t.Errorf("user list on an empty database: err = %v, want a request to migrate", err)
			}
			if out := runOK(t, "", "--db", url, "migrate"); !strings.Contains(out, "schema version 0 →") {
				t.Errorf("migrate printed %q", out)
			}
			runOK(t, "", "--db", url, "user", "add", "--username", "wang", "--name", "王县审批", "--role", "county", "--region", "341523", "--password", "kettle6summit")
			runOK(t, "li12345678\n", "--db", url, "user", "add", "--username", "lisi", "--name", "李村专干", "--role", "village", "--region", "341523100001")
			runOK(t, "", "--db", url, "user", "disable", "lisi")
			// The password of wang is reset from stdin; a weak one, none, or
			// an unknown user is refused.
			for _, bad := range []struct{ stdin, user, want string }{
				{"short\n", "wang", "密码至少需要8个字符"},
				{"wang2024x\n", "wang", "密码不能包含用户名"},
				{"password1\n", "wang", "最常用的密码"},
				{"", "wang", "no password on stdin"},
				{"copper8meadow\n", "nobody", "nobody"},
			} {
				var errb bytes.Buffer
				if err := run(t.Context(), []string{"--db", url, "user", "passwd", bad.user}, strings.NewReader(bad.stdin), io.Discard, &errb); err == nil || !strings.Contains(err.Error(), bad.want) {
					t.Errorf("user passwd %s with %q: %v, want an error with %q", bad.user, bad.stdin, err, bad.want)
				}
			}
			if out := runOK(t, "copper8meadow\n", "--db", url, "user", "passwd", "wang"); !strings.Contains(out, "wang") {
				t.Errorf("user passwd printed %q", out)
			}
			list := runOK(t, "", "--db", url, "user", "list")
			if !strings.Contains(list, "wang") || !strings.Contains(list, "lisi") || !strings.Contains(list, "disabled") {
				t.Errorf("user list =\n%s", list)
			}

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"--db", url, "serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), lineWriter{pw}, io.Discard)
				pw.Close()
			}()
			lines := bufio.NewScanner(pr)
			var base string
			for lines.Scan() {
				if _, rest, ok := strings.Cut(lines.Text(), "serving on "); ok {
					base, _, _ = strings.Cut(rest, " ")
					break
				}
			}
			if base == "" {
				t.Fatalf("serve did not report its address: %v", <-done)
			}
			rest := make(chan string, 1)
			go func() {
				var b strings.Builder
				for lines.Scan() {
					b.WriteString(lines.Text() + "\n")
				}
				rest <- b.String()
			}()

			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
			get := func(method, path, body string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
				resp, err := c.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", method, path, err)
				}
				defer resp.Body.Close()
				var m map[string]any
				json.NewDecoder(resp.Body).Decode(&m)
				return resp.StatusCode, m
			}
			if code, m := get("GET", "/healthz", ""); code != 200 || m["database"] != string(engine) {
				t.Errorf("healthz = %d %v", code, m)
			}
			if code, _ := get("POST", "/api/v1/login", `{"username":"lisi","password":"li12345678"}`); code != 401 {
				t.Errorf("disabled user login = %d, want 401 as for a wrong password", code)
			}
			if code, _ := get("POST", "/api/v1/login", `{"username":"wang","password":"kettle6summit"}`); code != 401 {
				t.Errorf("login with the password before the reset = %d, want 401", code)
			}
			if code, m := get("POST", "/api/v1/login", `{"username":"wang","password":"copper8meadow"}`); code != 200 {
				t.Fatalf("login = %d %v", code, m)
			}
			if code, m := get("GET", "/api/v1/me", ""); code != 200 || m["user"].(map[string]any)["username"] != "wang" {
				t.Errorf("me = %d %v", code, m)
			}
			if code, m := get("GET", "/api/v1/regions/341523/children", ""); code != 200 || len(m["regions"].([]any)) == 0 {
				t.Errorf("children = %d %v", code, m)
			}
			if code, _ := get("GET", "/api/openapi.json", ""); code != 200 {
				t.Errorf("openapi.json = %d", code)
			}

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v after cancel, want nil", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not shut down within 15 s")
			}
			if out := <-rest; !strings.Contains(out, "stopped") {
				t.Errorf("serve output after shutdown = %q, want it to say stopped", out)
			}
			if _, err := http.Get(base + "/healthz"); err == nil {
				t.Error("server still answers after shutdown")
			}
		})
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr bool
		want    string
	}{
		{[]string{"frobnicate"}, true, "unknown command"},
		{[]string{}, true, "usage: jiahe"},
		{[]string{"help"}, false, "user add"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		err := run(t.Context(), tt.args, strings.NewReader(""), &out, &errb)
		if (err != nil) != tt.wantErr || !strings.Contains(out.String()+errb.String(), tt.want) {
			t.Errorf("run(%q) = %v, output %q; want error %v and %q", tt.args, err, out.String()+errb.String(), tt.wantErr, tt.want)
		}
	}
}

// TestServeDemo runs `jiahe serve --demo` on an empty SQLite database: it
// must create the county and a login for every role, including the
// citizen linked to a resident, sign in with a printed login, and serve.
func TestServeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a county")
	}
	// A fresh SQLite database with no key file: the demo makes one
	// beside it.
	t.Setenv("JIAHE_KEYS", "")
	path := filepath.Join(t.TempDir(), "demo.db")
	url := "sqlite:" + path
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--db", url, "serve", "--demo", "--addr", "127.0.0.1:0"}, strings.NewReader(""), lineWriter{pw}, io.Discard)
		pw.Close()
	}()
	logins := map[string]string{}
	var base string
	lines := bufio.NewScanner(pr)
	keyNote := false
	for lines.Scan() {
		keyNote = keyNote || strings.Contains(lines.Text(), "created the key file "+path+".keys")
		f := strings.Fields(lines.Text())
		if len(f) >= 3 && strings.HasPrefix(f[1], "demo-") {
			logins[f[0]] = f[1]
		}
		if _, rest, ok := strings.Cut(lines.Text(), "serving on "); ok {
			base, _, _ = strings.Cut(rest, " ")
			break
		}
	}
	if base == "" {
		t.Fatalf("serve --demo did not serve: %v", <-done)
	}
	go io.Copy(io.Discard, pr)
	if !keyNote {
		t.Error("serve --demo did not say it created a key file beside the database")
	}
	if _, err := os.Stat(path + ".keys"); err != nil {
		t.Errorf("no key file beside the demo database: %v", err)
	}
	for _, role := range []string{"village", "township", "county", "finance", "supervisor", "city", "province", "admin", "citizen"} {
		if logins[role] == "" {
			t.Errorf("no demo login printed for %s", role)
		}
	}
	body, _ := json.Marshal(map[string]string{"username": "citizen", "password": logins["citizen"]})
	resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("demo citizen login: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve --demo ended with %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve --demo did not shut down")
	}
}
