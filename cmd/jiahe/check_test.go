package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// The case file of design §4: the wife of a rural couple whose only child
// died qualifies for jf and tf_death in 2024.
const designCase = `{
  "year": 2024, "region": "341523",
  "persons": [
    {"ref": "h", "id_number": "34152319620301011X", "sex": "M", "birth": "1962-03-01", "hukou": [{"type": "rural", "from": "1962-03-01"}], "pension": "none", "death": null},
    {"ref": "w", "sex": "F", "birth": "1964-12-31", "hukou": [{"type": "rural"}]},
    {"ref": "c1", "sex": "M", "birth": "1987-04-12", "death": "2023-08-10"}
  ],
  "marriages": [{"a": "h", "b": "w", "from": "1986-01-01", "to": null, "end": null}],
  "children":  [{"parent": "h", "child": "c1", "kind": "birth", "in_policy": true},
                {"parent": "w", "child": "c1", "kind": "birth", "in_policy": true}]
}`

func TestCheckCommand(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr string // a fragment of the error; "" means success
	}{
		{"design example", designCase, ""},
		{"impossible date", strings.Replace(designCase, `"birth": "1987-04-12"`, `"birth": "1987-02-30"`, 1), "1987-02-30"},
		{"unknown ref", strings.Replace(designCase, `"child": "c1", "kind": "birth", "in_policy": true},
                {"parent": "w"`, `"child": "c9", "kind": "birth", "in_policy": true},
                {"parent": "w"`, 1), "c9"},
		{"invalid ID number", strings.Replace(designCase, "34152319620301011X", "341523196203010110", 1), "id_number"},
		{"unknown region", strings.Replace(designCase, `"region": "341523"`, `"region": "349999"`, 1), "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), []string{"check", "-"}, strings.NewReader(tt.input), &out, &errOut)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error()+errOut.String(), tt.wantErr) {
					t.Fatalf("err = %v, stderr %q; want an error naming %q", err, errOut.String(), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("check: %v (%s)", err, errOut.String())
			}
			var res struct {
				Decisions []struct {
					Person    string `json:"person"`
					Program   string `json:"program"`
					Status    string `json:"status"`
					Eligible  bool   `json:"eligible"`
					AmountFen int64  `json:"amount_fen"`
					Funding   []struct {
						Fen int64 `json:"fen"`
					} `json:"funding"`
				} `json:"decisions"`
			}
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			got := map[string]bool{}
			for _, d := range res.Decisions {
				var sum int64
				for _, f := range d.Funding {
					sum += f.Fen
				}
				if d.Eligible != (d.Status == "eligible") || d.Status == "" {
					t.Errorf("%s/%s: eligible %v with status %q", d.Person, d.Program, d.Eligible, d.Status)
				}
				if d.Eligible && sum != d.AmountFen {
					t.Errorf("%s/%s: funding adds up to %d, amount %d", d.Person, d.Program, sum, d.AmountFen)
				}
				if d.Eligible {
					got[d.Person+"/"+d.Program] = true
				}
			}
			for _, want := range []string{"w/jf", "w/tf_death", "h/tf_death"} {
				if !got[want] {
					t.Errorf("%s not eligible; decisions: %s", want, out.String())
				}
			}
		})
	}
}

// TestEvalCommand runs gen, eval and lookup on a small county: gen counts
// the new family facts, eval the decisions that need review.
func TestEvalCommand(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := keyedURL(t, engine)
			var out, errOut bytes.Buffer
			for _, args := range [][]string{
				{"--db", url, "migrate"},
				{"--db", url, "gen", "--county", "341523", "--persons", "3000", "--seed", "3"},
				{"--db", url, "eval", "--year", "2024", "--region", "341523"},
				{"--db", url, "lookup", "--region", "341523", "--clients", "4", "--requests", "200"},
				{"--db", url, "lookup", "--region", "341523", "--clients", "4", "--requests", "100", "--kinds", "initials,initials1,suffix,suffix5,suffix4,roll"},
				{"--db", url, "lookup", "--region", "341523", "--clients", "4", "--requests", "100", "--kinds", "id,name,initials,initials1,suffix4,roll", "--as", "village"},
				{"--db", url, "lookup", "--region", "341523", "--clients", "4", "--requests", "100", "--kinds", "id,name,initials1,suffix4", "--as", "township"},
			} {
				if err := run(ctx, args, strings.NewReader(""), &out, &errOut); err != nil {
					t.Fatalf("%v: %v\n%s", args, err, errOut.String())
				}
			}
			if !strings.Contains(out.String(), "/s") || !strings.Contains(out.String(), "p99") {
				t.Errorf("eval or lookup printed no throughput or percentiles:\n%s", out.String())
			}
			for _, want := range []string{"pension enrolments", "decisions need review", "by initials", "by ID suffix", "roll filter"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("gen or eval did not print %q:\n%s", want, out.String())
				}
			}
			db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM determinations WHERE year = 2024 AND eligible`).Scan(&n)
			})
			if n == 0 {
				t.Errorf("eval wrote no eligible determinations")
			}
		})
	}
}
