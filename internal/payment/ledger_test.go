package payment

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/region"
)

func TestWan(t *testing.T) {
	tests := []struct {
		fen  money.Fen
		want string
	}{
		{4663600000, "4,663.6"},
		{2740900000, "2,740.9"},
		{4663649999, "4,663.6"},
		{4663650000, "4,663.7"},
		{0, "0.0"},
		{49999, "0.0"},
		{50000, "0.1"},
		{-4663650000, "-4,663.7"},
		{123456789000000, "123,456,789.0"},
	}
	for _, tt := range tests {
		if got := Wan(tt.fen); got != tt.want {
			t.Errorf("Wan(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
	if got := Yuan(123456789); got != "1,234,567.89" {
		t.Errorf("Yuan = %q", got)
	}
}

// TestLedgerShucheng reproduces the 舒城 2020 figures (rules.md §1.3):
// 51,012 persons, 46.636 million yuan, 27.409 million of it county money.
func TestLedgerShucheng(t *testing.T) {
	const persons = 51012
	total, county := money.Fen(4663600000), money.Fen(2740900000)
	rows := make([]LedgerRow, 0, persons+1)
	var sum, sumCounty money.Fen
	for i := 0; i < persons; i++ {
		amt := total / persons
		cty := county / persons
		if i == 0 {
			amt += total % persons
			cty += county % persons
		}
		town := "341523100"
		if i%2 == 1 {
			town = "341523101"
		}
		rows = append(rows, LedgerRow{PersonID: int64(i + 1), Program: []string{"jf", "tf_death"}[i%7/6], Region: town + "201",
			Amount: amt, Split: Split{amt - cty, 0, 0, cty}})
		sum += amt
		sumCounty += cty
	}
	// A person paid under two programs counts once.
	rows = append(rows, LedgerRow{PersonID: 1, Program: "tf_death", Region: "341523100201"})
	if sum != total || sumCounty != county {
		t.Fatalf("fixture adds up to %d / %d", sum, sumCounty)
	}
	l := BuildLedger(region.Default(), 2020, "341523", "", rows)
	if want := "2020 年 发放 51,012 人 4,663.6 万元，其中县级 2,740.9 万元"; l.Text != want {
		t.Errorf("Text = %q, want %q", l.Text, want)
	}
	if l.Amount != total || l.Split.Total() != total || l.Persons != persons {
		t.Errorf("totals = %+v", l.Totals)
	}
	var byProg, byRegion money.Fen
	for _, g := range l.ByProgram {
		byProg += g.Amount
	}
	for _, g := range l.ByRegion {
		byRegion += g.Amount
		if g.Split.Total() != g.Amount {
			t.Errorf("region %s: split %v does not add up to %d", g.Key, g.Split, g.Amount)
		}
	}
	if byProg != total || byRegion != total || len(l.ByRegion) != 2 || l.ByRegion[0].Key != "341523100000" {
		t.Errorf("groups add up to %d / %d; regions %+v", byProg, byRegion, l.ByRegion)
	}
	if l.ByProgram[0].Name != "农村部分计划生育家庭奖励扶助" {
		t.Errorf("program name %q", l.ByProgram[0].Name)
	}
}

func TestChildOf(t *testing.T) {
	tests := []struct {
		scope region.Code
		code  string
		want  string
	}{
		{"", "341523100201", "340000"},
		{"34", "341523100201", "341500"},
		{"3415", "341523100201", "341523"},
		{"341523", "341523100201", "341523100000"},
		{"341523100000", "341523100201", "341523100201"},
	}
	for _, tt := range tests {
		if got := childOf(tt.scope, tt.code); got != tt.want {
			t.Errorf("childOf(%q, %s) = %s, want %s", tt.scope, tt.code, got, tt.want)
		}
	}
}
