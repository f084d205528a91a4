package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestMatchImportCommand generates a county into the database and a dirty
// extract of it, imports the extract with a result file of one line per
// row and role, and imports it again: the second import creates nothing.
func TestMatchImportCommand(t *testing.T) {
	dir := t.TempDir()
	file, truth := filepath.Join(dir, "moves.csv"), filepath.Join(dir, "moves.truth.csv")
	out := runOK(t, "", "gen-extract", "--source", "police-moves", "--county", "341523", "--persons", "2000", "--rows", "150",
		"--noise", "high", "--seed", "3", "--out", file, "--truth", truth)
	if !strings.Contains(out, "150 rows of police-moves") {
		t.Fatalf("gen-extract: %s", out)
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			url := keyedURL(t, engine)
			runOK(t, "", "--db", url, "migrate")
			runOK(t, "", "--db", url, "gen", "--county", "341523", "--persons", "2000", "--seed", "3")
			dry := runOK(t, "", "--db", url, "match", "import", "--source", "police-moves", file, "--dry-run")
			if !strings.Contains(dry, "dry run, nothing saved") {
				t.Errorf("dry run: %s", dry)
			}
			res := filepath.Join(dir, string(engine)+".result.csv")
			first := runOK(t, "", "--db", url, "match", "import", "--source", "police-moves", file, "--out", res)
			if !strings.Contains(first, "imported as #") || strings.Contains(first, " 0 new") {
				t.Errorf("first import: %s", first)
			}
			lines := readCSV(t, res)
			if strings.Join(lines[0], ",") != "row,role,outcome,id_number,score" || len(lines) != 151 {
				t.Fatalf("result file: %d lines, header %v", len(lines), lines[0])
			}
			// Every matched line carries the true person's ID number.
			want := readCSV(t, truth)
			for i, l := range lines[1:] {
				if l[2] == "matched" && l[3] != want[i+1][3] {
					t.Errorf("row %s matched %s, truth %s", l[0], l[3], want[i+1][3])
				}
			}
			again := runOK(t, "", "--db", url, "match", "import", "--source", "police-moves", file)
			if !strings.Contains(again, " 0 new") || !strings.Contains(again, " 0 tasks") {
				t.Errorf("second import: %s", again)
			}
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
