package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
)

var update = flag.Bool("update", false, "rewrite golden files")

const exampleCase = `{
  "year": 2024,
  "region": "341523",
  "params": {"remarriage": "joint_birth_pools"},
  "persons": [
    {"ref": "h", "id_number": "34152319620301011X", "sex": "M", "birth": "1962-03-01",
     "hukou": [{"type": "rural", "from": "1962-03-01"}], "pension": "none", "death": null},
    {"ref": "w", "sex": "F", "birth": "1964-12-31", "hukou": [{"type": "rural"}]},
    {"ref": "c1", "sex": "M", "birth": "1987-04-12", "death": "2023-08-10"}
  ],
  "marriages": [{"a": "h", "b": "w", "from": "1986-01-01", "to": null, "end": null}],
  "children":  [{"parent": "h", "child": "c1", "kind": "birth", "in_policy": true},
                {"parent": "w", "child": "c1", "kind": "birth", "in_policy": true}],
  "disabilities": [{"person": "c1", "grade": 3, "category": "limb", "from": "2015-01-01", "to": null}],
  "certificates": [{"holder": "h", "kind": "one_child", "issued": "1988-06-01", "cancelled": null}],
  "complications": [{"person": "w", "grade": 2, "from": "1990-01-01"}],
  "confirmations": [{"person": "w", "program": "tf_death", "applied": "2024-01-10", "confirmed": "2024-03-01"}],
  "retirements": [{"person": "h", "date": "2024-06-30", "employer": "enterprise"}]
}`

// TestExampleGolden pins the full output, explanations included, for the
// case file of design §4 (run with -update to rewrite).
func TestExampleGolden(t *testing.T) {
	c, err := ParseCase(strings.NewReader(exampleCase), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(c)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.MarshalIndent(res, "", "  ")
	got = append(got, '\n')
	golden := filepath.Join("testdata", "example.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
	}
}

// TestParseCaseErrors checks that bad input is refused with the field at fault.
func TestParseCaseErrors(t *testing.T) {
	tests := []struct {
		name, edit, field string
	}{
		{"impossible date", `"birth": "1987-04-12"|"birth": "1987-02-30"`, "persons[2].birth"},
		{"date not a string", `"from": "1986-01-01"|"from": 1986`, "marriages[0].from"},
		{"bad hukou date", `{"type": "rural", "from": "1962-03-01"}|{"type": "rural", "from": "1962-13-01"}`, "persons[0].hukou[0].from"},
		{"unknown ref", `{"parent": "w", "child": "c1"|{"parent": "w", "child": "c9"`, "children[1].child"},
		{"unknown marriage party", `"a": "h", "b": "w"|"a": "h", "b": "x"`, "marriages[0].b"},
		{"invalid ID number", `"34152319620301011X"|"341523196203010119"`, "persons[0].id_number"},
		{"ID birth mismatch", `"34152319620301011X"|"341523196203020115"`, "persons[0].birth"},
		{"unknown program", `"program": "tf_death"|"program": "tf_unknown"`, "confirmations[0].program"},
		{"unknown region", `"region": "341523"|"region": "349999"`, "region"},
		{"not a county", `"region": "341523"|"region": "341500"`, "region"},
		{"bad sex", `"sex": "F", "birth": "1964-12-31"|"sex": "X", "birth": "1964-12-31"`, "persons[1].sex"},
		{"death before birth", `"death": "2023-08-10"|"death": "1980-08-10"`, "persons[2].death"},
		{"bad grade", `"grade": 3, "category"|"grade": 7, "category"`, "disabilities[0].grade"},
		{"bad kind", `"kind": "birth", "in_policy": true},
                {"parent": "w"|"kind": "foster", "in_policy": true},
                {"parent": "w"`, "children[0].kind"},
		{"unknown parameter", `"remarriage": "joint_birth_pools"|"remarriage_mode": "x"`, "params.remarriage_mode"},
		{"bad parameter value", `"remarriage": "joint_birth_pools"|"remarriage": "sometimes"`, "params.remarriage"},
		{"duplicate ref", `{"ref": "c1"|{"ref": "w"`, "persons[2].ref"},
		{"year", `"year": 2024|"year": 1999`, "year"},
		{"person region", `"sex": "F", "birth": "1964-12-31"|"sex": "F", "region": "34x", "birth": "1964-12-31"`, "persons[1].region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, _ := strings.Cut(tt.edit, "|")
			if !strings.Contains(exampleCase, from) {
				t.Fatalf("edit %q does not apply", from)
			}
			in := strings.Replace(exampleCase, from, to, 1)
			_, err := ParseCase(strings.NewReader(in), nil)
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("err = %v, want an apperr.Error", err)
			}
			if e.Kind != apperr.Invalid || e.Field != tt.field {
				t.Errorf("got kind %v field %q (%v), want invalid %q", e.Kind, e.Field, err, tt.field)
			}
			if e.ZH == "" || e.EN == "" {
				t.Errorf("messages missing: %+v", e)
			}
		})
	}
}

func TestValidateRuleSet(t *testing.T) {
	good := `{"region": "341523", "version": 2, "from": "2025-01-01", "title": "舒城县测试",
	  "programs": [{"code": "jf", "params": {"min_age": 59},
	    "increments": [{"id": "county_bonus", "from": "2025-01-01", "fen": 5000, "per": "year", "payer": "county", "when": "surviving == 0"}]},
	   {"code": "sc_local", "name": "县级关爱金", "params": {"accrual": "year", "min_age": 70},
	    "clauses": [{"id": "age", "expr": "age >= P.min_age && alive", "text": "{age} {?≥|<} {P.min_age}"}],
	    "rates": [{"from": "2025-01-01", "fen": 10000, "per": "year"}],
	    "funding": {"central": false, "local": {"county": 100}}}]}`
	tests := []struct {
		name, edit, field string
	}{
		{"valid", "", ""},
		{"version of an embedded layer", `"version": 2|"version": 1`, "version"},
		{"syntax", `age >= P.min_age && alive|age >= && alive`, "programs[1].clauses[0].expr"},
		{"type", `age >= P.min_age && alive|age >= 'sixty'`, "programs[1].clauses[0].expr"},
		{"unknown fact", `age >= P.min_age && alive|agee >= 70`, "programs[1].clauses[0].expr"},
		{"unknown param", `age >= P.min_age && alive|age >= P.max_age`, "programs[1].clauses[0].expr"},
		{"not boolean", `age >= P.min_age && alive|age + 1`, "programs[1].clauses[0].expr"},
		{"builtin refused", `age >= P.min_age && alive|len('abc') > 1`, "programs[1].clauses[0].expr"},
		{"too deep", `age >= P.min_age && alive|((((((((((age > 1))))))))))`, "programs[1].clauses[0].expr"},
		{"too long", `age >= P.min_age && alive|` + strings.Repeat("age > 1 && ", 40) + `alive`, "programs[1].clauses[0].expr"},
		{"text names unknown fact", `{age} {?≥|<}|{agee} {?≥|<}`, "programs[1].clauses[0].text"},
		{"bad enum", `"accrual": "year"|"accrual": "weekly"`, "programs[1].params.accrual"},
		{"bad number", `"min_age": 70|"min_age": "seventy"`, "programs[1].params.min_age"},
		{"funding sum", `{"county": 100}|{"county": 90}`, "programs[1].funding.local"},
		{"payer", `"payer": "county"|"payer": "village"`, "programs[0].increments[0].payer"},
		{"increment expr", `"when": "surviving == 0"|"when": "surviving = 0"`, "programs[0].increments[0].when"},
		{"region", `"region": "341523"|"region": "34152"`, "region"},
		{"no date", `"from": "2025-01-01", "title"|"title"`, "from"},
		{"unknown field", `"title"|"titel"`, "rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			if tt.edit != "" {
				from, to, _ := strings.Cut(tt.edit, "|")
				if !strings.Contains(in, from) {
					t.Fatalf("edit %q does not apply", from)
				}
				in = strings.Replace(in, from, to, 1)
			}
			l, err := ParseLayer([]byte(in))
			if err == nil {
				err = ValidateRuleSet(l, nil)
			}
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid layer refused: %v", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("err = %v, want an apperr.Error", err)
			}
			if !strings.Contains(e.Field, tt.field) {
				t.Errorf("field = %q (%v), want it to name %q", e.Field, err, tt.field)
			}
		})
	}
}

// TestOverrideLayer checks that an accepted county layer changes decisions
// from its year on and not before.
func TestOverrideLayer(t *testing.T) {
	l, err := ParseLayer([]byte(`{"region": "341523", "version": 2, "from": "2025-01-01", "title": "舒城县：奖扶县级加发",
	  "programs": [{"code": "jf", "increments": [{"id": "county_bonus", "from": "2025-01-01", "fen": 12000, "per": "year", "payer": "county"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateRuleSet(l, nil); err != nil {
		t.Fatal(err)
	}
	base, _ := Builtin()
	ev, err := NewEvaluator(Options{Layers: append(append([]Layer{}, base...), *l)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		year int
		want money.Fen
	}{{2024, 96000}, {2025, 108000}} {
		c := mustCase(t, strings.Replace(simpleJF, `"year": 2024`, `"year": `+itoa(tt.year), 1))
		res, err := ev.Evaluate(c)
		if err != nil {
			t.Fatal(err)
		}
		d := find(res, "h", "jf")
		if d.AmountFen != tt.want {
			t.Errorf("%d: amount = %d, want %d", tt.year, d.AmountFen, tt.want)
		}
		if v, _ := ev.Version("341523", tt.year); tt.year == 2025 && !strings.Contains(v, "341523@2") {
			t.Errorf("version %q does not name the county layer", v)
		}
	}
}

const simpleJF = `{"year": 2024, "region": "341523",
  "persons": [{"ref": "h", "sex": "M", "birth": "1958-01-01", "hukou": [{"type": "rural"}]},
              {"ref": "w", "sex": "F", "birth": "1960-01-01", "hukou": [{"type": "rural"}]},
              {"ref": "c", "sex": "M", "birth": "1985-01-01"}],
  "marriages": [{"a": "h", "b": "w", "from": "1984-01-01"}],
  "children": [{"parent": "h", "child": "c", "kind": "birth"}, {"parent": "w", "child": "c", "kind": "birth"}]}`

func mustCase(t testing.TB, s string) *Case {
	t.Helper()
	c, err := ParseCase(strings.NewReader(s), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func find(r *Result, person, program string) Decision {
	for _, d := range r.Decisions {
		if d.Person == person && d.Program == program {
			return d
		}
	}
	return Decision{}
}

func mustDate(s string) date.Date { return date.MustParse(s) }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestSplitExact checks that funding shares always add up to the amount.
func TestSplitExact(t *testing.T) {
	fundings := []Funding{
		{Central: true, Local: map[string]int{"province": 100}},
		{Central: true, Local: map[string]int{"province": 40, "city": 30, "county": 30}},
		{Central: false, Local: map[string]int{"province": 60, "city": 20, "county": 20}},
		{Central: false, Local: map[string]int{"province": 33, "city": 33, "county": 34}},
	}
	for _, f := range fundings {
		for _, pct := range []int{0, 10, 30, 50, 60, 80, 100} {
			for base := money.Fen(0); base < 2000; base += 7 {
				inc := [4]money.Fen{2: base % 13}
				var sum money.Fen
				for _, s := range split(base, inc, f, pct) {
					sum += s.Fen
					if s.Fen < 0 {
						t.Fatalf("negative share %v", s)
					}
				}
				if sum != base+base%13 {
					t.Fatalf("split(%d, %v, %d%%) adds up to %d", base, f, pct, sum)
				}
			}
		}
	}
	got := split(100, [4]money.Fen{}, Funding{Central: true, Local: map[string]int{"province": 40, "city": 30, "county": 30}}, 60)
	want := []Share{{"central", 60}, {"province", 16}, {"city", 12}, {"county", 12}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("split (-want +got):\n%s", diff)
	}
	// 1 fen over three equal shares goes to the higher level.
	got = split(1, [4]money.Fen{}, Funding{Local: map[string]int{"province": 34, "city": 33, "county": 33}}, 0)
	if diff := cmp.Diff([]Share{{"province", 1}}, got); diff != "" {
		t.Errorf("remainder (-want +got):\n%s", diff)
	}
}

// TestExplainMatchesFastPath checks that the batch path (no explanations,
// cheap clauses first, early exit) decides exactly as the explaining path
// on every case of the library, and that it is safe for concurrent use.
func TestExplainMatchesFastPath(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	fast, err := NewEvaluator(Options{})
	if err != nil {
		t.Fatal(err)
	}
	slow, _ := NewEvaluator(Options{Explain: true})
	var cases []*Case
	for _, f := range files {
		b, _ := os.ReadFile(f)
		c, err := ParseCase(bytes.NewReader(b), nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases = append(cases, c)
	}
	var wg sync.WaitGroup
	errs := make(chan string, len(cases)*4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, c := range cases {
				a, err1 := fast.Evaluate(c)
				b, err2 := slow.Evaluate(c)
				if err1 != nil || err2 != nil {
					errs <- files[i] + ": " + errString(err1) + errString(err2)
					continue
				}
				for j := range b.Decisions {
					b.Decisions[j].Clauses = nil
				}
				if diff := cmp.Diff(b.Decisions, a.Decisions); diff != "" {
					errs <- files[i] + ":\n" + diff
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestEnglishExplanation checks the English clause texts.
func TestEnglishExplanation(t *testing.T) {
	ev, err := NewEvaluator(Options{Explain: true, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ev.Evaluate(mustCase(t, simpleJF))
	if err != nil {
		t.Fatal(err)
	}
	d := find(res, "h", "jf")
	var age string
	for _, c := range d.Clauses {
		if c.ID == "age" {
			age = c.Text
		}
	}
	if want := "2024 − 1958 = 66 ≥ 60 (year-end age rule)"; age != want {
		t.Errorf("age clause = %q, want %q", age, want)
	}
}

// TestBuiltinRulesValid compiles the embedded rules for every region they
// name, for every year from 2004 to 2035.
func TestBuiltinRulesValid(t *testing.T) {
	layers, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		scope := (l.Region + "000000")[:6]
		if l.Region == "" {
			scope = "140105"
		}
		for y := 2004; y <= 2035; y++ {
			if _, err := compileFor(layers, scope, y); err != nil {
				t.Errorf("%s %d: %v", scope, y, err)
			}
		}
	}
}

// BenchmarkEvaluate measures the batch path on one family of the library.
func BenchmarkEvaluate(b *testing.B) {
	ev, err := NewEvaluator(Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := mustCase(b, exampleCase)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Subjects = []string{"w"}
		if _, err := ev.Evaluate(c); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBuiltinCitations checks that every program, clause, rate and
// increment of the embedded rules cites a document declared by a layer,
// with an issuer and a title (rules.md: every rule names its source).
func TestBuiltinCitations(t *testing.T) {
	layers, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]Document{}
	for _, l := range layers {
		for _, d := range l.Documents {
			docs[d.ID] = d
		}
	}
	cited := func(where, ids string) {
		t.Helper()
		if len(docIDs(ids)) == 0 {
			t.Errorf("%s cites no document", where)
		}
		for _, id := range docIDs(ids) {
			if d, ok := docs[id]; !ok || d.Issuer == "" || d.Title == "" {
				t.Errorf("%s cites %q, which is not declared with an issuer and a title", where, id)
			}
		}
	}
	for _, l := range layers {
		name := fmt.Sprintf("%s@%d", l.Region, l.Version)
		for _, p := range l.Programs {
			if p.Remove {
				continue
			}
			at := name + " " + p.Code
			if p.Name != "" {
				cited(at, p.Doc)
			}
			for _, c := range p.Clauses {
				if !c.Drop {
					cited(at+" clause "+c.ID, c.Doc)
				}
			}
			for i, r := range p.Rates {
				cited(fmt.Sprintf("%s rate %d", at, i), r.Doc)
			}
			for _, in := range p.Increments {
				cited(at+" increment "+in.ID, in.Doc)
			}
		}
	}
}

// TestDocsListEveryRule checks that docs/policy.md names every document
// and every program of the embedded rules.
func TestDocsListEveryRule(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	layers, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		for _, d := range l.Documents {
			if !strings.Contains(text, "`"+d.ID+"`") {
				t.Errorf("docs/policy.md does not list document %s", d.ID)
			}
		}
		for _, p := range l.Programs {
			if !strings.Contains(text, "`"+p.Code+"`") {
				t.Errorf("docs/policy.md does not name program %s", p.Code)
			}
		}
	}
}

// TestExplanationsNameNoCodes checks that no clause of any decision of the
// case library, in Chinese, shows a program's code where its name belongs
// (a program excluded or required by another).
func TestExplanationsNameNoCodes(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	ev, err := NewEvaluator(Options{Explain: true})
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`[a-z][a-z0-9]*(_[a-z0-9]+)*`)
	seen := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		c, err := ParseCase(bytes.NewReader(b), nil)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		res, err := ev.Evaluate(c)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, d := range res.Decisions {
			for _, cl := range d.Clauses {
				if cl.ID == "exclusive" || cl.ID == "requires" {
					seen++
				}
				for _, m := range codes.FindAllString(cl.Text, -1) {
					if BuiltinPrograms().Has(m) {
						t.Errorf("%s: %s %s: %q names the program %s by its code", filepath.Base(f), d.Program, cl.ID, cl.Text, m)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no case explains an exclusion or a requirement")
	}
}
