package matching

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/synth"
)

var (
	smallWorldOnce sync.Once
	smallReg       *SynthCounty
	smallOut       *SynthCounty
)

func smallWorld(t *testing.T) (*SynthCounty, *SynthCounty) {
	t.Helper()
	smallWorldOnce.Do(func() {
		ctx := context.Background()
		var err error
		if smallReg, err = GenerateCounty(ctx, synth.Config{County: testCounty, Persons: 20_000, Seed: 5}); err != nil {
			panic(err)
		}
		if smallOut, err = GenerateCounty(ctx, synth.Config{County: NeighbourCounty(testCounty), Persons: 5_000, Seed: 6}); err != nil {
			panic(err)
		}
	})
	return smallReg, smallOut
}

func TestGenerateExtract(t *testing.T) {
	reg, out := smallWorld(t)
	if out.County == reg.County || out.County[:4] != reg.County[:4] {
		t.Fatalf("outside county %s", out.County)
	}
	total := map[string]int{}
	for i, k := range Kinds {
		cfg := ExtractConfig{Kind: k, Rows: 3000, Noise: 1, Outside: 0.1, Seed: uint64(i)}
		x, err := GenerateExtract(reg, out, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Rows) != cfg.Rows || !reflect.DeepEqual(x.Header, k.Headers()) {
			t.Fatalf("%s: %d rows, header %v", k, len(x.Rows), x.Header)
		}
		y, _ := GenerateExtract(reg, out, cfg)
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%s: the same seed gave another extract", k)
		}
		// Every row parses, every truth line names a row and a role of
		// the kind, and a registry person's line names their number.
		ex, err := Parse(x, k, Options{})
		if err != nil || !ex.OK() || len(ex.Rows) != cfg.Rows {
			t.Fatalf("%s: %v %v", k, err, ex.Problems)
		}
		outside := 0
		for _, tr := range x.Truth {
			if tr.Row < 1 || tr.Row > cfg.Rows || ex.Rows[tr.Row-1].Subject(tr.Role) == nil {
				t.Fatalf("%s: truth %+v", k, tr)
			}
			if tr.Person.ID == 0 {
				outside++
			} else if p := reg.Person(tr.Person.ID); p == nil || p.IDNumber != tr.IDNumber {
				t.Fatalf("%s: truth %+v", k, tr)
			}
		}
		if share := float64(outside) / float64(len(x.Truth)); share < 0.05 || share > 0.15 {
			t.Errorf("%s: %.3f of the roles outside the registry, want about 0.1", k, share)
		}
		for e, n := range x.Errors {
			total[e] += n
		}
		// Without noise, nothing is wrong.
		clean, _ := GenerateExtract(reg, out, ExtractConfig{Kind: k, Rows: 500, Noise: 0, Outside: 0, Seed: 1})
		if len(clean.Errors) != 0 {
			t.Errorf("%s: errors without noise: %v", k, clean.Errors)
		}
		cx, _ := Parse(clean, k, Options{})
		for _, r := range cx.Rows {
			for _, p := range r.Problems {
				if p.Code != CodeID15 && p.Severity == Error {
					t.Errorf("%s: a clean row has a problem: %s", k, p)
				}
			}
		}
	}
	for e := range NoiseRates {
		if total[e] == 0 {
			t.Errorf("no error of kind %s was made", e)
		}
	}
}

func TestGenerateExtractRejects(t *testing.T) {
	reg, out := smallWorld(t)
	for _, cfg := range []ExtractConfig{{Kind: "nope", Rows: 1}, {Kind: Pension, Rows: 0}, {Kind: Pension, Rows: 1, Noise: -1}, {Kind: Pension, Rows: 1, Outside: 2}} {
		if _, err := GenerateExtract(reg, out, cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestParseNoise(t *testing.T) {
	for in, want := range map[string]float64{"default": 1, "none": 0, "HIGH": 2, "1.5": 1.5} {
		if got, err := ParseNoise(in); err != nil || got != want {
			t.Errorf("ParseNoise(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "loud", "-1", "11"} {
		if _, err := ParseNoise(in); err == nil {
			t.Errorf("ParseNoise(%q) accepted", in)
		}
	}
	if l := (Truth{Row: 3, Role: RoleWife, Person: smallKey(), IDNumber: "x"}).Line(); !reflect.DeepEqual(l, []string{"3", "wife", "341523/7", "x"}) {
		t.Errorf("truth line %v", l)
	}
}

func smallKey() registry.Key { return registry.Key{County: "341523", ID: 7} }
