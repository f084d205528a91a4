package policy

import (
	"slices"
	"testing"
)

// TestInForce lists the programs of 青阳县 with the layer each part comes
// from, and a county parameter change on top.
func TestInForce(t *testing.T) {
	base, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseLayer([]byte(`{"region": "341723", "version": 2, "from": "2024-01-01", "title": "青阳县：调整",
	  "params": {"remarriage": "pool_always"},
	  "programs": [{"code": "jf", "params": {"min_age": 59}, "clauses": [{"id": "age", "expr": "age >= P.min_age", "text": "{age} ≥ {P.min_age}"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateRuleSet(l, nil); err != nil {
		t.Fatal(err)
	}
	ev, err := NewEvaluator(Options{Layers: append(slices.Clone(base), *l)})
	if err != nil {
		t.Fatal(err)
	}
	in, err := ev.InForce("341723", 2024)
	if err != nil {
		t.Fatal(err)
	}
	if in.Version != "national@1+34@1+3417@1+341723@1+341723@2" {
		t.Errorf("version %s", in.Version)
	}
	find := func(code string) *ProgramInForce {
		for i := range in.Programs {
			if in.Programs[i].Code == code {
				return &in.Programs[i]
			}
		}
		t.Fatalf("program %s not in force", code)
		return nil
	}
	jf := find("jf")
	if jf.Layer != "national@1" || jf.FundingLayer != "34@1" {
		t.Errorf("jf defined by %q, funding by %q", jf.Layer, jf.FundingLayer)
	}
	param := func(p *ProgramInForce, name string) ParamInForce {
		for _, x := range p.Params {
			if x.Name == name {
				return x
			}
		}
		t.Fatalf("%s: no parameter %s", p.Code, name)
		return ParamInForce{}
	}
	if p := param(jf, "min_age"); p.Layer != "341723@2" || p.Value != float64(59) {
		t.Errorf("jf min_age %+v", p)
	}
	if p := param(jf, "accrual"); p.Value != AccrualYear {
		t.Errorf("jf accrual %+v", p)
	}
	for _, c := range jf.Clauses {
		want := "national@1"
		if c.ID == "age" {
			want = "341723@2"
		}
		if c.Layer != want {
			t.Errorf("jf clause %s from %q, want %q", c.ID, c.Layer, want)
		}
	}
	var city bool
	for _, in := range jf.Increments {
		if in.ID == "chizhou_city" {
			city = in.Layer == "3417@1" && in.Payer == "city"
		}
	}
	if !city {
		t.Errorf("jf increments %+v: want chizhou_city from 3417@1", jf.Increments)
	}
	if ext := find("ah_jf_extension"); ext.Layer != "341723@1" || param(ext, "min_age").Layer != "341723@1" {
		t.Errorf("ah_jf_extension %+v", ext)
	}
	if in.Family[0].Name != "remarriage" || in.Family[0].Value != RemarriageAlways || in.Family[0].Layer != "341723@2" {
		t.Errorf("family params %+v", in.Family)
	}
	if in.Family[1].Layer != "34@1" {
		t.Errorf("tf_childless_spouse from %q, want 34@1", in.Family[1].Layer)
	}
}
