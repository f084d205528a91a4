package store_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestBenchFloorReadsWhatScansRead checks that the engine's floor of
// scripts/bench-eval reads the columns of the tables a county scan reads,
// no more and no fewer: evaluation is measured against the engine reading
// the same rows.
func TestBenchFloorReadsWhatScansRead(t *testing.T) {
	b, err := os.ReadFile("../../scripts/bench-eval")
	if err != nil {
		t.Fatal(err)
	}
	selectRE := regexp.MustCompile(`(?m)^SELECT (.+) FROM (\w+) WHERE \$c$`)
	floor := map[string][]string{}
	for _, m := range selectRE.FindAllStringSubmatch(string(b), -1) {
		if _, dup := floor[m[2]]; dup {
			t.Errorf("the floor reads %s twice", m[2])
		}
		floor[m[2]] = columnSet(strings.Split(m[1], ", "))
	}
	scan := store.ScanColumns()
	for table, cols := range scan {
		if got, want := floor[table], columnSet(cols); !slices.Equal(got, want) {
			t.Errorf("%s: the floor reads %v, a scan %v", table, got, want)
		}
	}
	for table := range floor {
		if _, ok := scan[table]; !ok {
			t.Errorf("the floor reads %s, which no scan reads", table)
		}
	}
}

// columnSet returns cols sorted, each once.
func columnSet(cols []string) []string {
	s := slices.Clone(cols)
	slices.Sort(s)
	return slices.Compact(s)
}
