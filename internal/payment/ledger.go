package payment

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Totals are the persons paid and the money, by paying level.
type Totals struct {
	Persons int       `json:"persons"`
	Amount  money.Fen `json:"amount_fen"`
	Split   Split     `json:"split_fen"`
}

// LedgerGroup is the totals of one program or one region.
type LedgerGroup struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	Totals
}

// Ledger is the funds ledger (资金台账) of a region for a year: what was
// paid, to how many persons, by which level of government, by program and
// by the next level of region down. A line counts in the year the bank
// paid it. Amounts stay in fen; Text formats them in 万元 for people.
type Ledger struct {
	Year       int           `json:"year"`
	Region     string        `json:"region"`
	RegionName string        `json:"region_name"`
	Program    string        `json:"program,omitempty"`
	Totals                   // all programs, the whole region
	ByProgram  []LedgerGroup `json:"by_program"`
	ByRegion   []LedgerGroup `json:"by_region"`
	// Recover is the money to recover (追回) that the year's cycles
	// recorded — overpaid in earlier periods, found when a fact was
	// recorded late — and from how many persons, as a positive amount.
	Recover    Totals `json:"recover"`
	Text       string `json:"text"`        // "2020 年 发放 51,012 人 4,663.6 万元，其中县级 2,740.9 万元"
	LevelsText string `json:"levels_text"` // the amount of every level
}

// GetLedger returns the ledger of regionCode ("" for the actor's scope)
// for year, for one program or ("") all of them.
func GetLedger(ctx context.Context, s Store, a auth.Actor, tree *region.Tree, year int, regionCode, program string) (*Ledger, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return nil, err
	}
	if year < 1970 || year > 2200 {
		return nil, apperr.Invalidf("year", "年度无效", "invalid year")
	}
	scope := a.Scope
	if regionCode != "" {
		c, err := region.ParseCode(regionCode)
		if err != nil {
			return nil, apperr.Invalidf("region", "区划代码无效", "invalid region code")
		}
		if err := a.CheckScope(c); err != nil {
			return nil, err
		}
		scope = c
	}
	if program != "" && !programRE.MatchString(program) {
		return nil, apperr.Invalidf("program", "项目代码无效", "invalid program code")
	}
	rows, err := s.PaymentLedgerRows(ctx, scope, year, program)
	if err != nil {
		return nil, err
	}
	l := BuildLedger(tree, year, scope, program, rows)
	rec, err := s.PaymentRecoveryRows(ctx, scope, year, program)
	if err != nil {
		return nil, err
	}
	persons := map[int64]bool{}
	for _, r := range rec {
		l.Recover.Amount -= r.Amount
		l.Recover.Split = l.Recover.Split.Sub(r.Split)
		persons[r.PersonID] = true
	}
	l.Recover.Persons = len(persons)
	return l, nil
}

// BuildLedger sums rows (one per person, program and region) into a
// ledger of scope.
func BuildLedger(tree *region.Tree, year int, scope region.Code, program string, rows []LedgerRow) *Ledger {
	l := &Ledger{Year: year, Region: string(scope), RegionName: tree.FullName(scope), Program: program}
	type acc struct {
		Totals
		persons map[int64]bool
	}
	add := func(m map[string]*acc, k string, r LedgerRow) {
		g := m[k]
		if g == nil {
			g = &acc{persons: map[int64]bool{}}
			m[k] = g
		}
		g.Amount += r.Amount
		g.Split = g.Split.Add(r.Split)
		g.persons[r.PersonID] = true
	}
	all := map[string]*acc{}
	byProgram := map[string]*acc{}
	byRegion := map[string]*acc{}
	for _, r := range rows {
		add(all, "", r)
		add(byProgram, r.Program, r)
		add(byRegion, childOf(scope, r.Region), r)
	}
	groups := func(m map[string]*acc, name func(string) string) []LedgerGroup {
		out := make([]LedgerGroup, 0, len(m))
		for k, g := range m {
			g.Persons = len(g.persons)
			out = append(out, LedgerGroup{Key: k, Name: name(k), Totals: g.Totals})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	}
	if g := all[""]; g != nil {
		g.Persons = len(g.persons)
		l.Totals = g.Totals
	}
	l.ByProgram = groups(byProgram, policy.ProgramName)
	l.ByRegion = groups(byRegion, func(k string) string {
		if d, ok := tree.Lookup(region.Code(k)); ok {
			return d.Name
		}
		return k
	})
	l.Text = fmt.Sprintf("%d 年 发放 %s 人 %s 万元，其中县级 %s 万元", year, thousands(int64(l.Persons)),
		Wan(l.Amount), Wan(l.Split[3]))
	parts := make([]string, len(policy.FundingLevels))
	for i, lv := range policy.FundingLevels {
		parts[i] = fmt.Sprintf("%s %s 万元", lv.ZH, Wan(l.Split[i]))
	}
	l.LevelsText = strings.Join(parts, "，")
	return l
}

// childOf returns the division one level below scope that contains code,
// in canonical form.
func childOf(scope region.Code, code string) string {
	digits := map[region.Level]int{region.Country: 2, region.Province: 4, region.Prefecture: 6, region.County: 9,
		region.Township: 12, region.Village: 12}[scope.Level()]
	if scope.IsCountry() {
		digits = 2
	}
	if len(code) < digits {
		return code
	}
	p := code[:digits]
	switch digits {
	case 2:
		return p + "0000"
	case 4:
		return p + "00"
	case 9:
		return p + "000"
	}
	return p
}

// Wan formats fen as 万元 with one decimal, rounded half away from zero,
// with thousands separators: 4663600000 fen is "4,663.6".
func Wan(f money.Fen) string {
	v := int64(f)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	tenths := (v + 50000) / 100000 // 0.1 万元 = 1,000 yuan = 100,000 fen
	return sign + thousands(tenths/10) + "." + strconv.FormatInt(tenths%10, 10)
}

// thousands formats n with commas every three digits.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Yuan formats fen as yuan with thousands separators and two decimals.
func Yuan(f money.Fen) string {
	v := int64(f)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%s.%02d", sign, thousands(v/100), v%100)
}
