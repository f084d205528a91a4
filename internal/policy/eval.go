// Package policy decides who receives which family-planning benefit, for
// how many months and how much, and who pays for it (rules.md §1).
//
// The rules are data: layers of JSON (rules/*.json, embedded) for the
// country, provinces, prefectures and counties, with named parameters,
// dated rate schedules, increments with their payer, and eligibility
// clauses written as expressions (github.com/expr-lang/expr) over the facts
// of one person (Env) computed in Go from the family (registry.Family).
// A county's own layer is checked by ValidateRuleSet before it is used.
//
// Evaluate decides one case file (design §4); an Evaluator compiles each
// county's rules once and is safe for concurrent use by the batch
// evaluation of a whole region.
package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/expr-lang/expr/vm"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Case is one family to decide for one year in one county: the case file
// of `jiahe check` (design §4).
type Case struct {
	Year   int    `json:"year"`
	Region string `json:"region"`
	// Params overrides named parameters for this case only: a family
	// parameter ("remarriage"), a parameter of every program that has it
	// ("age_rule"), or of one program ("jf.min_age").
	Params map[string]any `json:"params,omitempty"`
	// Rule and Title document a case of the test library; Expect holds the
	// decisions it expects. Evaluation ignores them.
	Rule   string `json:"rule,omitempty"`
	Title  string `json:"title,omitempty"`
	Expect any    `json:"expect,omitempty"`
	registry.Family
	// Registration asks, besides the benefits, which child a birth is for
	// a couple of the family (a birth registration's parity).
	Registration *ParityQuery `json:"registration,omitempty"`
	// Subjects are the refs to decide for; all persons when empty.
	Subjects []string `json:"-"`
}

// Result holds the decisions for a case.
type Result struct {
	Year      int        `json:"year"`
	Region    string     `json:"region"`
	Decisions []Decision `json:"decisions"`
	// Parity answers the case's registration, when it has one.
	Parity *ParityDecision `json:"parity,omitempty"`
	// Version names the rule layers applied, e.g. "national@1+34@1".
	Version string `json:"-"`
}

// Decision is the outcome of one program for one person in one year.
//
// Status is eligible, not eligible or needs review (design §5). Eligible
// is true only for StatusEligible: it is what may be paid. A decision that
// needs review carries its reason in Review, no amount, and stays unpaid
// until staff decide (for a doubtful adoption, by recording their ruling
// on the tie, after which the engine decides on its own).
type Decision struct {
	Person    string         `json:"person"`
	Program   string         `json:"program"`
	Status    string         `json:"status"`
	Eligible  bool           `json:"eligible"`
	Review    string         `json:"review,omitempty"`
	AmountFen money.Fen      `json:"amount_fen"`
	Months    int            `json:"months"`
	Funding   []Share        `json:"funding"`
	PaidBy    []CountyMonths `json:"paid_by,omitempty"`
	Flags     []string       `json:"flags,omitempty"`
	Clauses   []ClauseResult `json:"clauses,omitempty"`
}

// Decision statuses (design §5).
const (
	StatusEligible    = "eligible"
	StatusNotEligible = "not_eligible"
	StatusReview      = "needs_review"
)

// Decision flags: facts about a decision that staff must see even without
// the explanation.
const (
	// FlagAmountUnverified: a rate or increment the amount rests on comes
	// from a source of low reliability, or the region's own amount is not
	// known and a lower one is used.
	FlagAmountUnverified = "amount_unverified"
	// FlagRulesNotEncoded: no rules of the county's province are encoded;
	// the decision rests on the national baseline alone.
	FlagRulesNotEncoded = "provincial_rules_not_encoded"
	// FlagMovedCounty: the person's hukou moved between counties during the
	// year; PaidBy says which county pays which months.
	FlagMovedCounty = "moved_county"
	// FlagFundingUnverified: the split between the levels of government
	// rests on an inference (a region's central share not found), not on
	// a document; the amount itself is not in doubt.
	FlagFundingUnverified = "funding_unverified"
)

// CountyMonths says which county pays months From–To (1–12) of a
// program's year when the person's hukou moved between counties: one
// program, one person, one period, whatever the county. A county pays
// only the months it is named for; the payment run of each county pays
// the decision of its own evaluation, which names the same split.
type CountyMonths struct {
	County string `json:"county"`
	From   int    `json:"from"`
	To     int    `json:"to"`
}

// Share is the part of an amount one level of government pays.
type Share struct {
	Level string    `json:"level"`
	Fen   money.Fen `json:"fen"`
}

// ClauseResult is one clause of a decision, explained, with the document
// it comes from. Review marks a clause staff must decide.
type ClauseResult struct {
	ID     string `json:"id"`
	OK     bool   `json:"ok"`
	Text   string `json:"text"`
	Source string `json:"source,omitempty"`
	Review bool   `json:"review,omitempty"`
}

// Options configure an Evaluator.
type Options struct {
	// Layers are the rules; nil means the embedded rules (Builtin).
	Layers []Layer
	// Explain adds the clause-by-clause explanation to each decision.
	Explain bool
	// Lang is "zh" (default) or "en" for explanations.
	Lang string
}

// Evaluator decides cases with rules compiled once per county and year.
// It is safe for concurrent use.
type Evaluator struct {
	opts   Options
	mu     sync.Mutex
	cached map[string]*cachedRules
	pool   sync.Pool
}

type cachedRules struct {
	once sync.Once
	rs   *ruleSet
	err  error
}

// NewEvaluator returns an Evaluator.
func NewEvaluator(opts Options) (*Evaluator, error) {
	if opts.Layers == nil {
		l, err := Builtin()
		if err != nil {
			return nil, err
		}
		opts.Layers = l
	}
	if opts.Lang == "" {
		opts.Lang = "zh"
	}
	e := &Evaluator{opts: opts, cached: map[string]*cachedRules{}}
	e.pool.New = func() any { return new(scratch) }
	return e, nil
}

var (
	defaultOnce sync.Once
	defaultEval *Evaluator
	defaultErr  error
)

// Evaluate decides c with the embedded rules, with explanations.
func Evaluate(c *Case) (*Result, error) {
	defaultOnce.Do(func() { defaultEval, defaultErr = NewEvaluator(Options{Explain: true}) })
	if defaultErr != nil {
		return nil, defaultErr
	}
	return defaultEval.Evaluate(c)
}

// rules returns the compiled rules for county in year.
func (e *Evaluator) rules(county string, year int) (*ruleSet, error) {
	key := county + "/" + strconv.Itoa(year)
	e.mu.Lock()
	c := e.cached[key]
	if c == nil {
		c = &cachedRules{}
		e.cached[key] = c
	}
	e.mu.Unlock()
	c.once.Do(func() { c.rs, c.err = compileFor(e.opts.Layers, county, year) })
	return c.rs, c.err
}

// Programs returns the codes of the programs in force in county in year,
// in evaluation order.
func (e *Evaluator) Programs(county string, year int) ([]string, error) {
	rs, err := e.rules(county, year)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rs.programs))
	for i, p := range rs.programs {
		out[i] = p.code
	}
	return out, nil
}

// Version returns the names of the rule layers in force in county in year.
func (e *Evaluator) Version(county string, year int) (string, error) {
	rs, err := e.rules(county, year)
	if err != nil {
		return "", err
	}
	return rs.version, nil
}

// Evaluate decides every program for the case's subjects.
func (e *Evaluator) Evaluate(c *Case) (*Result, error) {
	res := &Result{}
	if err := e.EvaluateInto(c, res); err != nil {
		return nil, err
	}
	return res, nil
}

// EvaluateInto is Evaluate writing into res, whose storage for decisions
// it reuses: a batch deciding person after person keeps one Result, and
// keeps nothing of a result's decisions but copies once the next is asked
// (the slices a decision holds are its own).
func (e *Evaluator) EvaluateInto(c *Case, res *Result) error {
	if len(c.Region) != 6 {
		return apperr.Invalidf("region", "区划代码应为6位县级代码", "region must be a six-digit county code")
	}
	s := e.pool.Get().(*scratch)
	defer e.pool.Put(s)
	// A batch asks for one county's rules person after person: the
	// scratch keeps the last ones it was given.
	if s.rs == nil || s.rsCounty != c.Region || s.rsYear != c.Year {
		rs, err := e.rules(c.Region, c.Year)
		if err != nil {
			return err
		}
		s.rs, s.rsCounty, s.rsYear = rs, c.Region, c.Year
	}
	rs := s.rs
	var err error
	if len(c.Params) > 0 {
		if rs, err = rs.withParams(c.Params); err != nil {
			return err
		}
	}
	if s.fv == nil {
		s.fv = newFamilyView(&c.Family, c.Region, rs.reading)
	} else {
		s.fv.reset(&c.Family, c.Region, rs.reading)
	}
	fv := s.fv
	fv.year = c.Year
	defer func() { s.fv.f = nil }()
	*res = Result{Year: c.Year, Region: c.Region, Version: rs.version, Decisions: res.Decisions[:0]}
	subjects := c.Subjects
	if len(subjects) == 0 {
		for _, p := range c.Persons {
			subjects = append(subjects, p.Ref)
		}
	}
	events := fv.eventMonths(c.Year)
	res.Decisions = slices.Grow(res.Decisions, len(subjects)*len(rs.programs))
	for _, ref := range subjects {
		p := fv.person(ref)
		if p == nil {
			return apperr.Invalidf("subjects", "未知人员%s", "unknown person %s", ref)
		}
		start := len(res.Decisions)
		s.fam, s.cheap = s.fam[:0], s.cheap[:0]
		s.owners(fv, p, c.Year, rs.county)
		for _, pr := range rs.programs {
			d := e.decide(s, rs, fv, p, pr, events, res.Decisions[start:])
			res.Decisions = append(res.Decisions, d)
		}
	}
	if c.Registration != nil {
		if res.Parity, err = e.Parity(c.Region, &c.Family, *c.Registration); err != nil {
			return err
		}
	}
	return nil
}

// withParams returns a copy of rs with case parameters applied.
func (rs *ruleSet) withParams(params map[string]any) (*ruleSet, error) {
	out := *rs
	out.programs = make([]*program, len(rs.programs))
	out.byCode = make(map[string]*program, len(rs.programs))
	copied := map[string]*program{}
	cp := func(p *program) *program {
		if c := copied[p.code]; c != nil {
			return c
		}
		c := *p
		c.params = make(map[string]any, len(p.params))
		for k, v := range p.params {
			c.params[k] = v
		}
		copied[p.code] = &c
		return &c
	}
	for k, v := range params {
		field := "params." + k
		if familyParams[k] {
			if err := out.reading.set(k, v); err != nil {
				return nil, apperr.Invalidf(field, "参数取值无效", "invalid parameter value")
			}
			continue
		}
		code, name, scoped := strings.Cut(k, ".")
		if !scoped {
			name = k
		}
		hit := false
		for _, p := range rs.programs {
			if scoped && p.code != code {
				continue
			}
			if _, ok := p.params[name]; !ok {
				continue
			}
			if err := checkParam(field, name, v); err != nil {
				return nil, err
			}
			cp(p).params[name] = v
			hit = true
		}
		if !hit {
			return nil, apperr.Invalidf(field, "未知参数%s", "unknown parameter %s", k)
		}
	}
	for i, p := range rs.programs {
		if c := copied[p.code]; c != nil {
			if err := c.setParams(c.params, nil); err != nil {
				return nil, err
			}
			p = c
		}
		out.programs[i] = p
		out.byCode[p.code] = p
	}
	return &out, nil
}

func levelIndex(l string) int {
	for i, x := range levels {
		if x == l {
			return i
		}
	}
	return len(levels) - 1
}

func (pr *program) usesChildAge() bool {
	for _, c := range pr.clauses {
		if strings.Contains(c.Expr, "child_months_old") || strings.Contains(c.Expr, "child_age") {
			return true
		}
	}
	return false
}

// rate returns the base rate for tier in force on day.
func (pr *program) rate(tier string, day date.Date) (Rate, bool) {
	var best Rate
	found := false
	for _, r := range pr.rates {
		if r.From.After(day) || (r.Tier != "" && r.Tier != tier) {
			continue
		}
		if !found || !r.From.Before(best.From) {
			best, found = r, true
		}
	}
	return best, found
}

// centralPct is the central share in force on day.
func (rs *ruleSet) centralPct(day date.Date) int {
	pct := 0
	for _, c := range rs.central {
		if !c.From.After(day) {
			pct = c.Pct
		}
	}
	return pct
}

// split divides base between the central government (pct, when the
// program is centrally funded) and the local levels of f, and adds the
// increments of each payer. Remainders of fen go by the largest
// remainder, ties to the higher level, so the shares add up exactly.
func split(base money.Fen, inc [4]money.Fen, f Funding, pct int) []Share {
	if !f.Central {
		pct = 0
	}
	weights := make([]int64, len(levels)) // in 1/10000
	weights[0] = int64(pct) * 100
	for i, l := range levels[1:] {
		weights[i+1] = int64(100-pct) * int64(f.Local[l])
	}
	amounts := make([]money.Fen, len(levels))
	rems := make([]int64, len(levels))
	var given money.Fen
	for i, w := range weights {
		q := int64(base) * w
		amounts[i] = money.Fen(q / 10000)
		rems[i] = q % 10000
		given += amounts[i]
	}
	for left := base - given; left > 0; left-- {
		bi := -1
		for i := range rems {
			if weights[i] > 0 && (bi < 0 || rems[i] > rems[bi]) {
				bi = i
			}
		}
		if bi < 0 {
			bi = 1
		}
		amounts[bi]++
		rems[bi] = -1
	}
	out := []Share{}
	for i, l := range levels {
		if v := amounts[i] + inc[i]; v != 0 {
			out = append(out, Share{Level: l, Fen: v})
		}
	}
	return out
}

func (e *Evaluator) run(s *scratch, p *vm.Program, env *Env) bool {
	out, err := s.vm.Run(p, env)
	if err != nil {
		return false
	}
	b, _ := out.(bool)
	return b
}

// runFast runs p, by its fast path when it has one.
func (e *Evaluator) runFast(s *scratch, p *vm.Program, fast boolFn, env *Env) bool {
	if fast != nil {
		return fast(env)
	}
	return e.run(s, p, env)
}

func (e *Evaluator) runString(s *scratch, p *vm.Program, env *Env) string {
	out, err := s.vm.Run(p, env)
	if err != nil {
		return ""
	}
	str, _ := out.(string)
	return str
}

func (e *Evaluator) pick(zh, en string) string {
	if e.opts.Lang == "en" {
		return en
	}
	return zh
}

func (e *Evaluator) template(c ClauseDef) string {
	if e.opts.Lang == "en" && c.TextEN != "" {
		return c.TextEN
	}
	return c.Text
}

func (e *Evaluator) exclusiveClause(rs *ruleSet, by string, pr *program) ClauseResult {
	if by != "" {
		name := e.programNames(rs, []string{by})
		return ClauseResult{ID: "exclusive", OK: false, Text: e.pick(
			fmt.Sprintf("本年已享受%s，不能同时享受本项目", name),
			fmt.Sprintf("receives %s this year, which excludes this program", name))}
	}
	names := e.programNames(rs, pr.exclusive)
	return ClauseResult{ID: "exclusive", OK: true, Text: e.pick(
		"未享受互斥项目（"+names+"）", "receives none of the excluding programs ("+names+")")}
}

// programNames returns the names of the programs codes, in the
// explanation's language, joined as a list in it: as the rules in force
// in rs name them, or, for a program not in force there, as the layers
// declaring it do.
func (e *Evaluator) programNames(rs *ruleSet, codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		j := slices.IndexFunc(rs.programs, func(p *program) bool { return p.code == c })
		if j < 0 {
			names[i] = ProgramsOf(e.opts.Layers).Name(c, e.opts.Lang)
			continue
		}
		p := rs.programs[j]
		names[i] = e.pick(p.name, cmp.Or(p.nameEN, p.name))
	}
	return strings.Join(names, e.pick("、", ", "))
}

// render fills a clause text: {fact} and {P.param} become values, and
// {?a|b} becomes a when the clause holds, else b.
func render(t string, env *Env, pr *program, ok bool) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			return b.String()
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			b.WriteString(t)
			return b.String()
		}
		b.WriteString(t[:i])
		name := t[i+1 : i+j]
		t = t[i+j+1:]
		switch {
		case strings.HasPrefix(name, "?"):
			yes, no, _ := strings.Cut(name[1:], "|")
			if ok {
				b.WriteString(yes)
			} else {
				b.WriteString(no)
			}
		case strings.HasPrefix(name, "P."):
			k := name[2:]
			v := pr.p[k]
			if isDateParam(k) {
				b.WriteString(fmtDateInt(v))
			} else {
				b.WriteString(strconv.Itoa(v))
			}
		default:
			b.WriteString(factString(env, name))
		}
	}
}

func factString(env *Env, name string) string {
	switch name {
	case "birth", "first_child_birth", "sterilisation_date", "death":
		var v int
		switch name {
		case "birth":
			v = env.Birth
		case "first_child_birth":
			v = env.FirstChildBirth
		case "death":
			v = env.Death
		default:
			v = env.Sterilised
		}
		return fmtDateInt(v)
	}
	i, ok := envFields[name]
	if !ok {
		return "{" + name + "}"
	}
	f := envValue(env, i)
	switch v := f.(type) {
	case bool:
		if v {
			return "是"
		}
		return "否"
	case int:
		return strconv.Itoa(v)
	case string:
		return v
	}
	return fmt.Sprint(f)
}

func fmtDateInt(v int) string {
	if v == 0 {
		return "无"
	}
	return fmt.Sprintf("%04d-%02d-%02d", v/10000, v/100%100, v%100)
}
