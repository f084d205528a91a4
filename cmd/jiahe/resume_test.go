package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// childArgs, when set in the environment, makes the test binary run jiahe
// with these arguments (separated by \x1f) instead of the tests: the tests
// start it as a child process to kill it part-way.
const childArgs = "JIAHE_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		if err := run(context.Background(), strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "jiahe:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child starts jiahe with args in a child process; its stdout is piped.
func child(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgs+"="+strings.Join(args, "\x1f"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out)
}

// count returns the rows of table in the database at url.
func count(t *testing.T, url, table string) int {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// killWhen polls the database until ready reports true, then kills the
// child with SIGKILL, as a power cut or the OOM killer would.
func killWhen(t *testing.T, cmd *exec.Cmd, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ready() {
		if time.Now().After(deadline) {
			t.Fatal("the child never got part-way")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

var generatedRE = regexp.MustCompile(`generated (\d+) persons`)

// TestGenResumesAfterKill kills jiahe gen after its first batches are
// written and runs it again: the rerun writes only what is missing, the
// county ends with the whole population once, and the audit trail holds.
func TestGenResumesAfterKill(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := keyedURL(t, engine)
			runOK(t, "", "--db", url, "migrate")
			args := []string{"--db", url, "gen", "--county", "341523", "--persons", "40000", "--seed", "3"}
			cmd, _ := child(t, args...)
			killWhen(t, cmd, func() bool { return count(t, url, "persons") > 0 })
			partial := count(t, url, "persons")

			out := runOK(t, "", args...)
			m := generatedRE.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("the rerun printed %q", out)
			}
			total, _ := strconv.Atoi(m[1])
			if partial >= total {
				t.Skipf("the child finished (%d persons) before it was killed", partial)
			}
			if !strings.Contains(out, fmt.Sprintf("resumed: %d persons were already loaded", partial)) {
				t.Errorf("the rerun after %d persons printed:\n%s", partial, out)
			}
			if n := count(t, url, "persons"); n != total {
				t.Errorf("%d persons after the rerun, want %d", n, total)
			}
			// Once more: everything is there, nothing is written.
			if out := runOK(t, "", args...); !strings.Contains(out, fmt.Sprintf("resumed: %d persons", total)) || count(t, url, "persons") != total {
				t.Errorf("a third run printed:\n%s", out)
			}
			// The two runs that finished are audited; the killed one left nothing.
			if n := count(t, url, "audit_log WHERE action = 'synth.generate'"); n != 2 {
				t.Errorf("%d runs audited, want 2", n)
			}
			if out := runOK(t, "", "--db", url, "audit", "verify"); !strings.Contains(out, "ok") {
				t.Errorf("audit verify: %s", out)
			}
		})
	}
}

// TestDemoResumesAfterKill kills serve --demo while it loads the demo
// county and starts it again: the second start finishes the county,
// creates the demo users and serves.
func TestDemoResumesAfterKill(t *testing.T) {
	url := storetest.URL(t, store.SQLite)
	args := []string{"--db", url, "serve", "--demo", "--addr", "127.0.0.1:0"}
	cmd, _ := child(t, args...)
	killWhen(t, cmd, func() bool {
		return fileExists(strings.TrimPrefix(url, "sqlite:")) && tableReady(url) && count(t, url, "persons") > 0
	})
	if n := count(t, url, "users"); n != 0 {
		t.Fatalf("%d users before the demo finished", n)
	}
	partial := count(t, url, "persons")

	cmd, out := child(t, args...)
	var printed strings.Builder
	persons := 0
	for {
		line, err := out.ReadString('\n')
		printed.WriteString(line)
		if m := regexp.MustCompile(`(\d+) synthetic persons`).FindStringSubmatch(line); m != nil {
			persons, _ = strconv.Atoi(m[1])
		}
		if strings.Contains(line, "serving on") {
			break
		}
		if err == io.EOF {
			t.Fatalf("the second start stopped:\n%s", printed.String())
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if partial >= persons {
		t.Logf("the first start had loaded all %d persons when it was killed", partial)
	}
	if n := count(t, url, "persons"); n != persons || n == 0 {
		t.Errorf("%d persons after the second start, which reported %d", n, persons)
	}
	if n := count(t, url, "users"); n != len(demoUsers) {
		t.Errorf("%d users, want %d:\n%s", n, len(demoUsers), printed.String())
	}

	// A third start finds the demo made and prints the same logins.
	cmd, out = child(t, args...)
	var again strings.Builder
	for {
		line, err := out.ReadString('\n')
		again.WriteString(line)
		if strings.Contains(line, "serving on") {
			break
		}
		if err == io.EOF {
			t.Fatalf("the third start stopped:\n%s", again.String())
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if l1, l2 := demoLoginLines(printed.String()), demoLoginLines(again.String()); len(l1) != len(demoUsers) || strings.Join(l1, "\n") != strings.Join(l2, "\n") {
		t.Errorf("logins printed again:\n%s\nwant those printed first:\n%s", again.String(), printed.String())
	}
}

// demoLoginLines returns the login lines (username, password) serve
// --demo printed.
func demoLoginLines(out string) []string {
	var ls []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && strings.HasPrefix(f[1], "demo-") {
			ls = append(ls, f[0]+" "+f[1])
		}
	}
	return ls
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// tableReady reports whether the schema is in place (serve migrates first).
func tableReady(url string) bool {
	db, err := store.Open(context.Background(), url)
	if err != nil {
		return false
	}
	defer db.Close()
	applied, latest, err := db.SchemaVersion(context.Background())
	return err == nil && applied == latest
}

// TestBulkRunsAudited checks that jiahe gen and jiahe eval each leave an
// entry on the county's audit chain with what they did (for eval, the
// decisions that need review among them).
func TestBulkRunsAudited(t *testing.T) {
	url := keyedURL(t, store.SQLite)
	runOK(t, "", "--db", url, "migrate")
	runOK(t, "", "--db", url, "gen", "--county", "341523", "--persons", "2000", "--seed", "4")
	runOK(t, "", "--db", url, "eval", "--year", "2024", "--region", "341523", "--floor=false")
	for _, action := range []string{"synth.generate", "eval.run"} {
		if n := count(t, url, "audit_log WHERE action = '"+action+"' AND county = '341523' AND username = 'system'"); n != 1 {
			t.Errorf("%d %s entries, want 1", n, action)
		}
	}
	// The entry's states are stored encrypted: read them through the store.
	db, err := store.Open(t.Context(), url, store.WithKeys(storetest.Keys(t, url)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var runs []audit.Entry
	if err := db.View(t.Context(), func(tx *store.Tx) (err error) {
		runs, err = tx.AuditEntries(t.Context(), "", store.AuditFilter{County: "341523", Entity: "determination", Limit: 100})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Action != "eval.run" || !strings.Contains(runs[0].After, `"review":`) {
		t.Errorf("the eval.run entry does not count the decisions that need review: %+v", runs)
	}
	if out := runOK(t, "", "--db", url, "audit", "verify"); !strings.Contains(out, "ok") {
		t.Errorf("audit verify: %s", out)
	}
}
