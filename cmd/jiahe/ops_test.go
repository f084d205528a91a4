package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/keys"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// opsDB is a migrated database with three persons imported and a user.
func opsDB(t *testing.T, engine store.Engine) string {
	t.Helper()
	url := keyedURL(t, engine)
	runOK(t, "", "--db", url, "migrate")
	header := "身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质,养老保险,民族,住址,电话,死亡日期\n"
	rows := header +
		cliID("1962-03-01", 11) + ",张三,男,1962-03-01,341523100201,农业,无,汉族,城关镇仁和村3组,13800138000,\n" +
		cliID("1964-12-31", 12) + ",李四,女,1964-12-31,341523100201,农业,城乡居民,,,,\n" +
		cliID("1970-01-01", 13) + ",王五,男,1970-01-01,341524100001,农业,,,,,\n"
	f := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(f, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	runOK(t, "", "--db", url, "import", "persons", f)
	runOK(t, "", "--db", url, "user", "add", "--username", "wang", "--name", "王县审批", "--role", "county", "--region", "341523", "--password", "Shucheng#2026x")
	return url
}

// TestAuditAnchorCommands: an anchor is made, kept outside, and checked;
// an altered anchor, or one of another database, is reported.
func TestAuditAnchorCommands(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := opsDB(t, engine)
			dir := t.TempDir()
			anchor := filepath.Join(dir, "anchor.json")
			if out := runOK(t, "", "--db", url, "audit", "anchor", "--out", anchor); !strings.Contains(out, "anchored 3 chains") {
				t.Errorf("audit anchor printed %q", out)
			}
			runOK(t, "", "--db", url, "user", "add", "--username", "lisi", "--name", "李", "--role", "county", "--region", "341524", "--password", "li12345678")
			if out := runOK(t, "", "--db", url, "audit", "verify", "--anchor", anchor); !strings.Contains(out, "against 1 anchors") || !strings.Contains(out, "ok") {
				t.Errorf("verify with the anchor printed %q", out)
			}
			// The anchor checks with the public key its keeper was given.
			pub := strings.TrimSpace(runOK(t, "", "--db", url, "keys", "public"))
			if _, err := keys.ParsePublicKey(pub); err != nil {
				t.Fatalf("keys public printed %q: %v", pub, err)
			}
			runOK(t, "", "--db", url, "audit", "verify", "--anchor", anchor, "--anchor-key", pub)

			// An anchor altered after it was signed.
			b, _ := os.ReadFile(anchor)
			var a map[string]any
			json.Unmarshal(b, &a)
			a["chains"].([]any)[1].(map[string]any)["seq"] = 1
			altered, _ := json.Marshal(a)
			bad := filepath.Join(dir, "altered.json")
			os.WriteFile(bad, altered, 0o644)
			out, _, err := runErr(t, "--db", url, "audit", "verify", "--anchor", bad)
			if err == nil || !strings.Contains(out, "signature does not match") {
				t.Errorf("an altered anchor: %v\n%s", err, out)
			}
			// An anchor of another database.
			other := opsDB(t, engine)
			out, _, err = runErr(t, "--db", other, "audit", "verify", "--anchor", anchor)
			if err == nil || !strings.Contains(out, "not trusted here") && !strings.Contains(out, "belongs to database") {
				t.Errorf("another database's anchor: %v\n%s", err, out)
			}
		})
	}
}

// TestBackupRestore backs a SQLite database up while it is open, restores
// the copy to a new file, and checks that the copy verifies — against an
// anchor made before the backup too — and reads the same.
func TestBackupRestore(t *testing.T) {
	url := opsDB(t, store.SQLite)
	dir := t.TempDir()
	anchor := filepath.Join(dir, "anchor.json")
	runOK(t, "", "--db", url, "audit", "anchor", "--out", anchor)
	backup := filepath.Join(dir, "backup.db")
	if out := runOK(t, "", "--db", url, "backup", backup); !strings.Contains(out, "backed up to "+backup) {
		t.Errorf("backup printed %q", out)
	}
	if _, _, err := runErr(t, "--db", url, "backup", backup); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second backup over the first: %v", err)
	}
	raw, _ := os.ReadFile(backup)
	if strings.Contains(string(raw), cliID("1962-03-01", 11)) {
		t.Error("an ID number can be read in the backup file")
	}
	// Restore: the copy, put in a new place, with the same key file.
	restored := filepath.Join(dir, "restored.db")
	if err := os.Rename(backup, restored); err != nil {
		t.Fatal(err)
	}
	rurl := "sqlite:" + restored
	if out := runOK(t, "", "--db", rurl, "audit", "verify", "--anchor", anchor); !strings.Contains(out, "ok: every chain is intact") {
		t.Errorf("verify of the restored copy printed %q", out)
	}
	export := func(u string) string {
		return runOK(t, "", "--db", u, "export", "persons", "--region", "341523")
	}
	if a, b := export(url), export(rurl); a != b || !strings.Contains(a, cliID("1964-12-31", 12)) {
		t.Errorf("the restored copy reads otherwise:\n%s\nvs\n%s", a, b)
	}
	if a, b := runOK(t, "", "--db", url, "user", "list"), runOK(t, "", "--db", rurl, "user", "list"); a != b {
		t.Errorf("users differ after restoring:\n%s\nvs\n%s", a, b)
	}
}

func TestBackupRefusesPostgres(t *testing.T) {
	url := keyedURL(t, store.Postgres)
	runOK(t, "", "--db", url, "migrate")
	_, _, err := runErr(t, "--db", url, "backup", filepath.Join(t.TempDir(), "x.db"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup of PostgreSQL: %v, want a pointer to pg_dump", err)
	}
}

// TestKeysCommands makes a key file, refuses to overwrite it, and rotates
// the keys of a database: everything is re-encrypted and reads the same.
func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "new.keys")
	if out := runOK(t, "", "keys", "init", "--cipher", "aes-256-gcm", "--out", f); !strings.Contains(out, "wrote a new key file") {
		t.Errorf("keys init printed %q", out)
	}
	if _, _, err := runErr(t, "keys", "init", "--out", f); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("keys init over a key file: %v", err)
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := opsDB(t, engine)
			before := runOK(t, "", "--db", url, "export", "persons")
			out := runOK(t, "", "--db", url, "keys", "rotate", "--cipher", "aes-256-gcm")
			if !strings.Contains(out, "key generation 2") {
				t.Errorf("keys rotate printed %q", out)
			}
			status := runOK(t, "", "--db", url, "keys", "status")
			if !strings.Contains(status, "key 1") || !strings.Contains(status, "retired 0 values") || !strings.Contains(status, "current") {
				t.Errorf("keys status after rotation:\n%s", status)
			}
			if after := runOK(t, "", "--db", url, "export", "persons"); after != before {
				t.Errorf("the export differs after rotation:\n%s\nvs\n%s", before, after)
			}
			runOK(t, "", "--db", url, "audit", "verify")
		})
	}
}
