package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestReportCommand computes a small generated county's month and checks
// the line printed, and the usage errors.
func TestReportCommand(t *testing.T) {
	url := keyedURL(t, storetest.Engines(t)[0])
	runOK(t, "", "--db", url, "migrate")
	runOK(t, "", "--db", url, "gen", "--county", "341523", "--persons", "2000", "--seed", "3", "--as-of", "2025-12-31")
	out := runOK(t, "", "--db", url, "report", "--region", "341523", "--month", "2025-06", "--runs", "2")
	if !strings.Contains(out, "run 1: ") || !strings.Contains(out, "舒城县 2025-06 (open): births ") || !strings.Contains(out, "residents ") {
		t.Errorf("report printed %q", out)
	}
	var o, e bytes.Buffer
	if err := run(t.Context(), []string{"--db", url, "report", "--region", "341523"}, strings.NewReader(""), &o, &e); err != errUsage {
		t.Errorf("report without a month: %v", err)
	}
	if err := run(t.Context(), []string{"--db", url, "report", "--region", "341523", "--month", "2025-13"}, strings.NewReader(""), &o, &e); err == nil {
		t.Error("a thirteenth month was accepted")
	}
}
