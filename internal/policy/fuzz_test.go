package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// FuzzParseCase feeds arbitrary bytes to the case-file parser: it must
// either refuse them with an Invalid error or accept a case that evaluates
// without error and whose funding adds up.
func FuzzParseCase(f *testing.F) {
	f.Add([]byte(exampleCase))
	f.Add([]byte(simpleJF))
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.json"))
	for i, file := range files {
		if i%8 == 0 {
			b, _ := os.ReadFile(file)
			f.Add(b)
		}
	}
	ev, err := NewEvaluator(Options{Explain: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCase(bytes.NewReader(b), ev)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		res, err := ev.Evaluate(c)
		if err != nil {
			t.Fatalf("accepted case fails to evaluate: %v", err)
		}
		for _, d := range res.Decisions {
			var sum int64
			for _, s := range d.Funding {
				sum += int64(s.Fen)
			}
			if sum != int64(d.AmountFen) || d.AmountFen < 0 || d.Months < 0 || d.Months > 12 {
				t.Fatalf("bad decision %+v", d)
			}
		}
	})
}

// FuzzValidateRule feeds arbitrary clause expressions and texts to the
// validator: it must never panic, and an accepted program must evaluate.
func FuzzValidateRule(f *testing.F) {
	for _, s := range []string{"age >= P.min_age", "surviving == 0 || (surviving == 2 && surviving_daughters == 2)",
		"female ? age >= 55 : age >= 60", "sex == 'F'", "1..3", "age in [1, 2]", "birth >= 19330101 and not later_child"} {
		f.Add(s, "{age} {?≥|<} {P.min_age}")
	}
	base, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr, text string) {
		// A parameter no clause uses is refused: give min_age when the
		// clause names it.
		params := map[string]any{}
		if strings.Contains(expr+text, "P.min_age") {
			params["min_age"] = float64(60)
		}
		l := &Layer{Region: "341523", Version: 9, Title: "fuzz", Programs: []ProgramLayer{{
			Code: "fz", Name: "测试", Params: params,
			Clauses: []ClauseDef{{ID: "x", Expr: expr, Text: text}},
			Rates:   []Rate{{From: mustDate("2025-01-01"), Fen: 100, Per: "year"}},
			Funding: &Funding{Local: map[string]int{"county": 100}},
		}}}
		l.From = mustDate("2025-01-01")
		if err := ValidateRuleSet(l, base); err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		ev, err := NewEvaluator(Options{Layers: append(append([]Layer{}, base...), *l), Explain: true})
		if err != nil {
			t.Fatal(err)
		}
		c := mustCase(t, strings.Replace(simpleJF, `"year": 2024`, `"year": 2025`, 1))
		if _, err := ev.Evaluate(c); err != nil {
			t.Fatalf("accepted rule fails: %v", err)
		}
	})
}

// FuzzParseLayer reads rule texts: a text is parsed or refused as Invalid
// in words, never with the decoder's own text, and a parsed layer is
// validated without a panic.
func FuzzParseLayer(f *testing.F) {
	for _, s := range []string{
		`{"region": "341523", "version": 2, "from": "2024-01-01", "title": "t", "programs": [{"code": "jf", "params": {"min_age": 61}}]}`,
		`{"region": "341523", "version": 2, "from": "2024-01-01", "title": "t", "programs": [{"code": "jf", "params": {"min_agee": 61}}]}`,
		`{"region": "34", "version": "2"}`, `{"region": "34",, }`, `{"from": "2024-13-01"}`, `[]`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		l, err := ParseLayer([]byte(text))
		if err != nil {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid {
				t.Fatalf("not an Invalid error: %v", err)
			}
			for _, leak := range []string{"EOF", "json:", "invalid character", "unmarshal"} {
				if strings.Contains(e.ZH, leak) || strings.Contains(e.EN, leak) {
					t.Fatalf("the message %q / %q shows %q", e.ZH, e.EN, leak)
				}
			}
			return
		}
		if err := ValidateRuleSet(l, nil); err != nil && apperr.KindOf(err) != apperr.Invalid && apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
		}
	})
}

// FuzzParamParse reads the text of a rules form's field for every
// declared parameter: a value accepted lies in its range and reads back
// the same from its form text.
func FuzzParamParse(f *testing.F) {
	for _, s := range []string{"60", "-1", "600", "120.50", "2024-01-01", "true", "year", "六十", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, s := range Params {
			v, err := s.Parse("f", text)
			if err != nil {
				if apperr.KindOf(err) != apperr.Invalid {
					t.Fatalf("%s: error of kind %v: %v", s.Name, apperr.KindOf(err), err)
				}
				continue
			}
			if err := s.Check("f", v); err != nil {
				t.Fatalf("%s: %q accepted as %v but out of range: %v", s.Name, text, v, err)
			}
			back, err := s.Parse("f", s.FormText(v))
			if err != nil || back != v {
				t.Fatalf("%s: %q → %v → %q → %v, %v", s.Name, text, v, s.FormText(v), back, err)
			}
		}
	})
}
