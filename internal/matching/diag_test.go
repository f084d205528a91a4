package matching

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestDiagnose prints the rows matching gets wrong or leaves unmatched;
// run it with JIAHE_DIAG=kind.
func TestDiagnose(t *testing.T) {
	kind := os.Getenv("JIAHE_DIAG")
	if kind == "" {
		t.Skip("set JIAHE_DIAG=kind")
	}
	persons, rows := testPersons, 5000
	if v := os.Getenv("JIAHE_DIAG_PERSONS"); v != "" {
		fmt.Sscan(v, &persons)
		rows = 50000
	}
	w := newWorld(t, persons, DefaultParams())
	seed := uint64(13)
	if v := os.Getenv("JIAHE_DIAG_SEED"); v != "" {
		fmt.Sscan(v, &seed)
	}
	if v := os.Getenv("JIAHE_DIAG_ROWS"); v != "" {
		fmt.Sscan(v, &rows)
	}
	x, _ := GenerateExtract(w.reg, w.out, ExtractConfig{Kind: Kind(kind), Rows: rows, Noise: 1, Outside: 0.1, Seed: seed})
	ex, _ := Parse(x, Kind(kind), Options{})
	res, _ := w.m.MatchRows(context.Background(), ex.Rows)
	type rk struct {
		row  int
		role Role
	}
	by := map[rk]Result{}
	for _, r := range res {
		by[rk{r.Row, r.Role}] = r
	}
	shown := 0
	roleStats := map[Role]*Accuracy{}
	for _, tr := range x.Truth {
		r := by[rk{tr.Row, tr.Role}]
		if roleStats[tr.Role] == nil {
			roleStats[tr.Role] = &Accuracy{}
		}
		roleStats[tr.Role].Add(Evaluate([]Result{r}, []Truth{tr}))
		bad := r.Outcome == Matched && r.Person != tr.Person || tr.Person.ID != 0 && r.Outcome != Matched
		if os.Getenv("JIAHE_DIAG_WRONG") != "" {
			bad = r.Outcome == Matched && r.Person != tr.Person
		}
		if !bad || shown > 40 {
			continue
		}
		shown++
		var truthName string
		if tr.Person.ID != 0 {
			p := w.reg.Person(tr.Person.ID)
			truthName = fmt.Sprintf("%s %s %s %s", p.Name, p.IDNumber, p.Birth, p.Region)
		}
		fmt.Printf("row %d %s: %s %.3f %s | truth %v %s\n   cells %s\n", tr.Row, tr.Role, r.Outcome, r.Score, r.Reason, tr.Person.ID, truthName, strings.Join(x.Rows[tr.Row-1], ","))
		for _, c := range r.Candidates {
			p := w.reg.Person(c.Person.ID)
			fmt.Printf("   cand %d %s %s %s %.3f %+v\n", c.Person.ID, p.Name, p.Birth, p.IDNumber, c.Score, c.Evidence)
		}
	}
	for r, a := range roleStats {
		fmt.Println(r, a)
	}
}
