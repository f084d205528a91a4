package policy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// expectation is one expected decision in a case file. Fields left out
// are not checked; Fails lists the clauses expected to fail, exactly, and
// Flags the decision's flags, exactly.
type expectation struct {
	Person    string           `json:"person"`
	Program   string           `json:"program"`
	Eligible  bool             `json:"eligible"`
	Status    string           `json:"status"`
	AmountFen *int64           `json:"amount_fen"`
	Months    *int             `json:"months"`
	Funding   map[string]int64 `json:"funding"`
	Fails     []string         `json:"fails"`
	Flags     []string         `json:"flags"`
	PaidBy    []CountyMonths   `json:"paid_by"`
	// Absent expects no decision: the program is not in force.
	Absent bool `json:"absent"`
	// Parity expects the parity decision of the case's registration.
	Parity *parityExpectation `json:"parity"`
}

// parityExpectation is an expected parity decision; nil fields are not
// checked, Fails lists the failing clauses exactly (by id, repeated).
type parityExpectation struct {
	Parity      int      `json:"parity"`
	Statistical *int     `json:"statistical"`
	Status      string   `json:"status"`
	InPolicy    bool     `json:"in_policy"`
	Counted     []string `json:"counted"`
	NotCounted  []string `json:"not_counted"`
	Flags       []string `json:"flags"`
	Fails       []string `json:"fails"`
}

// TestCaseLibrary runs every case file in testdata/cases: each names the
// rule of rules.md it checks and the decisions it expects.
func TestCaseLibrary(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 60 {
		t.Errorf("case library has %d cases, want at least 60", len(files))
	}
	ev, err := NewEvaluator(Options{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ParseCase(bytes.NewReader(b), ev)
			if err != nil {
				t.Fatalf("ParseCase: %v", err)
			}
			if c.Rule == "" {
				t.Errorf("case names no rule")
			}
			var exp []expectation
			eb, _ := json.Marshal(c.Expect)
			if err := json.Unmarshal(eb, &exp); err != nil || len(exp) == 0 {
				t.Fatalf("case has no valid expect block: %v", err)
			}
			res, err := ev.Evaluate(c)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			for _, want := range exp {
				if want.Parity != nil {
					checkParity(t, c.Rule, res.Parity, *want.Parity)
					continue
				}
				i := slices.IndexFunc(res.Decisions, func(d Decision) bool { return d.Person == want.Person && d.Program == want.Program })
				if want.Absent {
					if i >= 0 {
						t.Errorf("[%s] %s/%s decided, want the program not in force", c.Rule, want.Person, want.Program)
					}
					continue
				}
				if i < 0 {
					t.Errorf("[%s] no decision for %s/%s", c.Rule, want.Person, want.Program)
					continue
				}
				got := res.Decisions[i]
				checkDecision(t, c.Rule, got, want)
			}
		})
	}
}

func checkParity(t *testing.T, rule string, got *ParityDecision, want parityExpectation) {
	t.Helper()
	if got == nil {
		t.Errorf("[%s] no parity decision", rule)
		return
	}
	if got.Parity != want.Parity || got.Status != want.Status || got.InPolicy != want.InPolicy {
		t.Errorf("[%s] parity %d %s in policy %v, want %d %s %v; clauses %+v", rule, got.Parity, got.Status, got.InPolicy,
			want.Parity, want.Status, want.InPolicy, got.Clauses)
	}
	if want.Statistical != nil && got.Statistical != *want.Statistical {
		t.Errorf("[%s] statistical parity %d, want %d", rule, got.Statistical, *want.Statistical)
	}
	for _, c := range []struct {
		name      string
		want, got []string
	}{{"counted", want.Counted, got.Counted}, {"not counted", want.NotCounted, got.NotCounted}, {"flags", want.Flags, got.Flags}} {
		if c.want == nil {
			continue
		}
		g := c.got
		if g == nil {
			g = []string{}
		}
		if diff := cmp.Diff(c.want, g); diff != "" {
			t.Errorf("[%s] %s (-want +got):\n%s", rule, c.name, diff)
		}
	}
	if want.Fails != nil {
		fails := []string{}
		for _, cl := range got.Clauses {
			if !cl.OK {
				fails = append(fails, cl.ID)
			}
		}
		if diff := cmp.Diff(want.Fails, fails); diff != "" {
			t.Errorf("[%s] failing clauses (-want +got):\n%s", rule, diff)
		}
	}
	for _, cl := range got.Clauses {
		if cl.Source == "" && !engineLines[cl.ID] {
			t.Errorf("[%s] parity clause %s cites no document", rule, cl.ID)
		}
	}
}

func checkDecision(t *testing.T, rule string, got Decision, want expectation) {
	t.Helper()
	id := rule + " " + got.Person + "/" + got.Program
	if got.Eligible != want.Eligible {
		t.Errorf("[%s] eligible = %v, want %v; clauses %v", id, got.Eligible, want.Eligible, failed(got))
	}
	if got.Eligible != (got.Status == StatusEligible) {
		t.Errorf("[%s] eligible = %v but status %s", id, got.Eligible, got.Status)
	}
	if want.Status != "" && got.Status != want.Status {
		t.Errorf("[%s] status = %s, want %s (review: %s)", id, got.Status, want.Status, got.Review)
	}
	if got.Status == StatusReview && (got.Review == "" || got.AmountFen != 0) {
		t.Errorf("[%s] needs review with reason %q and amount %d: want a reason and no amount", id, got.Review, got.AmountFen)
	}
	if want.Flags != nil {
		gotFlags := slices.Clone(got.Flags)
		if gotFlags == nil {
			gotFlags = []string{}
		}
		if diff := cmp.Diff(want.Flags, gotFlags); diff != "" {
			t.Errorf("[%s] flags (-want +got):\n%s", id, diff)
		}
	}
	if want.PaidBy != nil {
		if diff := cmp.Diff(want.PaidBy, got.PaidBy); diff != "" {
			t.Errorf("[%s] paid_by (-want +got):\n%s", id, diff)
		}
	}
	if want.AmountFen != nil && int64(got.AmountFen) != *want.AmountFen {
		t.Errorf("[%s] amount_fen = %d, want %d", id, got.AmountFen, *want.AmountFen)
	}
	if want.Months != nil && got.Months != *want.Months {
		t.Errorf("[%s] months = %d, want %d", id, got.Months, *want.Months)
	}
	if want.Funding != nil {
		gotF := map[string]int64{}
		for _, s := range got.Funding {
			gotF[s.Level] = int64(s.Fen)
		}
		if diff := cmp.Diff(want.Funding, gotF); diff != "" {
			t.Errorf("[%s] funding (-want +got):\n%s", id, diff)
		}
	}
	if want.Fails != nil {
		gotFails := failed(got)
		slices.Sort(gotFails)
		wantFails := slices.Clone(want.Fails)
		slices.Sort(wantFails)
		if diff := cmp.Diff(wantFails, gotFails); diff != "" {
			t.Errorf("[%s] failing clauses (-want +got):\n%s", id, diff)
		}
	}
	for _, c := range got.Clauses {
		if c.Source == "" && !engineLines[c.ID] {
			t.Errorf("[%s] clause %s cites no document", id, c.ID)
		}
	}
	var sum int64
	for _, s := range got.Funding {
		sum += int64(s.Fen)
	}
	if sum != int64(got.AmountFen) {
		t.Errorf("[%s] funding adds up to %d, amount is %d", id, sum, got.AmountFen)
	}
}

// engineLines are explanation lines the engine adds that rest on no one
// document (which county pays, the notes on unverified amounts and on
// provinces without rules).
var engineLines = map[string]bool{"paid_by": true, "unverified": true, "rules_not_encoded": true, "statistical": true}

func failed(d Decision) []string {
	out := []string{}
	for _, c := range d.Clauses {
		if !c.OK {
			out = append(out, c.ID)
		}
	}
	return out
}
