package policy

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
)

// Cost bounds on rule expressions: a county's clause is data typed by an
// administrator, so it must stay small and cheap to run.
const (
	maxNodes = 120
	maxDepth = 8
)

// program is one program compiled for one county and year.
type program struct {
	code, name, nameEN string
	params             map[string]any // as merged (for copies with case overrides)
	p                  map[string]int // numeric parameters as expressions see them
	accrual, exit      string
	ageRule            string
	own                bool // children counted person by person (特扶)
	windowFrom         date.Date
	windowTo           date.Date
	clauses            []clause
	order              []int // evaluation order of clauses: by the level of the facts they read
	tier               *vm.Program
	rates              []Rate
	increments         []increment
	funding            Funding
	exclusive          []string
	requires           []string
	doc                string
	hasReview          bool
	childAge           bool     // a clause reads the child's age (usesChildAge)
	keepsPension       bool     // parameter pension_keeps_county is 1
	def                *progDef // the merged definition, for InForce
}

type clause struct {
	ClauseDef
	prog  *vm.Program
	fast  boolFn // the fast path of prog, nil when it has none
	level int    // of the facts it reads: levelPerson, levelCouple or levelChildren
}

type increment struct {
	Increment
	when     *vm.Program
	whenFast boolFn
}

// ruleSet is the compiled rules in force in one county in one year.
type ruleSet struct {
	county   string
	year     int
	version  string
	parity   parityRules
	programs []*program // evaluation order: programs after those they depend on
	byCode   map[string]*program
	central  []DatedPct
	reading  familyReading
	// readingFrom names the layer that set each family parameter.
	readingFrom map[string]string
	// docs are the documents the layers cite, by ID.
	docs map[string]Document
	// provinceEncoded is false when no layer of the county's province
	// applies: its decisions rest on the national baseline alone.
	provinceEncoded bool
}

// progDef accumulates a program's layers before compilation.
type progDef struct {
	code, name, nameEN string
	params             map[string]any
	clauses            []ClauseDef
	tier               string
	rates              []Rate
	incs               []Increment
	funding            *Funding
	exclusive          []string
	requires           []string
	doc                string
	field              map[string]string // where each part was last set, for errors
	origin             map[string]string // the layer ("34@1") that last set each part
	rateFrom, incFrom  []string          // the layer of each rate and increment
}

// compileFor merges the layers that apply to county in year and compiles them.
func compileFor(layers []Layer, county string, year int) (*ruleSet, error) {
	var use []int
	for i, l := range layers {
		if (l.Region == "" || strings.HasPrefix(county, l.Region)) && l.From.Year() <= year {
			use = append(use, i)
		}
	}
	sort.SliceStable(use, func(a, b int) bool {
		la, lb := layers[use[a]], layers[use[b]]
		if len(la.Region) != len(lb.Region) {
			return len(la.Region) < len(lb.Region)
		}
		if c := la.From.Compare(lb.From); c != 0 {
			return c < 0
		}
		return la.Version < lb.Version
	})
	rs := &ruleSet{county: county, year: year, byCode: map[string]*program{}, readingFrom: map[string]string{}, docs: map[string]Document{}}
	rs.reading = familyReading{remarriage: RemarriageJointBirth, childless: ChildlessIneligible}
	var defs []*progDef
	find := func(code string) *progDef {
		for _, d := range defs {
			if d.code == code {
				return d
			}
		}
		return nil
	}
	var versions []string
	var tiers []CentralTier
	for _, i := range use {
		l := layers[i]
		name := l.Region
		if name == "" {
			name = "national"
		}
		layerName := fmt.Sprintf("%s@%d", name, l.Version)
		versions = append(versions, layerName)
		if len(l.Region) == 2 {
			rs.provinceEncoded = true
		}
		for _, d := range l.Documents {
			rs.docs[d.ID] = d
		}
		for k, v := range l.Params {
			if familyParams[k] {
				if err := rs.reading.set(k, v); err != nil {
					return nil, err
				}
				rs.readingFrom[k] = layerName
				continue
			}
			for _, d := range defs {
				if _, ok := d.params[k]; ok {
					d.params[k] = v
					d.origin["params."+k] = layerName
				}
			}
		}
		rs.parity.set(l, layerName)
		rs.central = append(rs.central, l.CentralPct...)
		tiers = append(tiers, l.CentralTiers...)
		for pi, pl := range l.Programs {
			where := fmt.Sprintf("%s v%d programs[%d]", name, l.Version, pi)
			d := find(pl.Code)
			if pl.Remove {
				if d != nil {
					defs = slices.DeleteFunc(defs, func(x *progDef) bool { return x == d })
				}
				continue
			}
			if d == nil {
				d = &progDef{code: pl.Code, params: map[string]any{}, field: map[string]string{},
					origin: map[string]string{"program": layerName}}
				defs = append(defs, d)
			}
			d.merge(pl, where, layerName)
		}
	}
	// A tier entry for a longer prefix (a city under separate state
	// planning) wins over its province's on the same date.
	plen := make([]int, 0, len(rs.central))
	for range rs.central {
		plen = append(plen, 0)
	}
	for _, t := range tiers {
		best := 0
		for _, pre := range t.Provinces {
			if strings.HasPrefix(county, pre) && len(pre) > best {
				best = len(pre)
			}
		}
		if best > 0 {
			rs.central = append(rs.central, DatedPct{From: t.From, Pct: t.Pct})
			plen = append(plen, best)
		}
	}
	idx := make([]int, len(rs.central))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ca, cb := rs.central[idx[a]], rs.central[idx[b]]
		if c := ca.From.Compare(cb.From); c != 0 {
			return c < 0
		}
		return plen[idx[a]] < plen[idx[b]]
	})
	sorted := make([]DatedPct, len(idx))
	for i, j := range idx {
		sorted[i] = rs.central[j]
	}
	rs.central = sorted
	rs.version = strings.Join(versions, "+")
	for _, d := range defs {
		p, err := d.compile()
		if err != nil {
			return nil, err
		}
		rs.byCode[p.code] = p
		rs.programs = append(rs.programs, p)
	}
	for id, rules := range rs.parity.byID {
		for _, r := range rules {
			for _, doc := range docIDs(r.Doc) {
				if _, ok := rs.docs[doc]; !ok {
					return nil, apperr.Invalidf("parity."+id+".doc", "引用的文件%s未登记", "the cited document %s is not declared", doc)
				}
			}
		}
	}
	for _, p := range rs.programs {
		for i, x := range p.exclusive {
			if rs.byCode[x] == nil {
				return nil, apperr.Invalidf(p.code+".exclusive_with["+strconv.Itoa(i)+"]", "互斥项目%s不存在", "exclusive program %s does not exist", x)
			}
		}
		for i, x := range p.requires {
			if rs.byCode[x] == nil {
				return nil, apperr.Invalidf(p.code+".requires_any["+strconv.Itoa(i)+"]", "前提项目%s不存在", "required program %s does not exist", x)
			}
		}
		if err := rs.checkDocs(p); err != nil {
			return nil, err
		}
	}
	// Programs that look at others (exclusivity, requirements) are
	// evaluated after the ones they look at.
	rank := map[string]int{}
	for range rs.programs {
		changed := false
		for _, p := range rs.programs {
			r := 0
			for _, x := range slices.Concat(p.exclusive, p.requires) {
				r = max(r, rank[x]+1)
			}
			if r != rank[p.code] {
				rank[p.code], changed = r, true
			}
		}
		if !changed {
			break
		}
	}
	for _, p := range rs.programs {
		if rank[p.code] >= len(rs.programs) {
			return nil, apperr.Invalidf(p.code+".exclusive_with", "项目%s的互斥或前提关系成环", "program %s depends on itself through exclusivity or requirements", p.code)
		}
	}
	sort.SliceStable(rs.programs, func(a, b int) bool { return rank[rs.programs[a].code] < rank[rs.programs[b].code] })
	return rs, nil
}

// checkDocs checks that every document p cites is declared by a layer.
func (rs *ruleSet) checkDocs(p *program) error {
	check := func(field, ids string) error {
		for _, id := range docIDs(ids) {
			if _, ok := rs.docs[id]; !ok {
				return apperr.Invalidf(field, "引用的文件%s未登记", "the cited document %s is not declared", id)
			}
		}
		return nil
	}
	d := p.def
	if err := check(p.code+".doc", d.doc); err != nil {
		return err
	}
	for _, c := range d.clauses {
		if err := check(d.field["clause."+c.ID]+".doc", c.Doc); err != nil {
			return err
		}
	}
	if d.funding != nil {
		if err := check(p.code+".funding.doc", d.funding.Doc); err != nil {
			return err
		}
	}
	for _, r := range d.rates {
		if err := check(p.code+".rates.doc", r.Doc); err != nil {
			return err
		}
	}
	for _, in := range d.incs {
		if err := check(d.field["inc."+in.ID]+".doc", in.Doc); err != nil {
			return err
		}
	}
	return nil
}

// docIDs splits a citation ("a" or "a,b") into document IDs.
func docIDs(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func (r *familyReading) set(k string, v any) error {
	if err := checkParam("params."+k, k, v); err != nil {
		return err
	}
	switch k {
	case "remarriage":
		r.remarriage = v.(string)
	case "tf_childless_spouse":
		r.childless = v.(string)
	case "land_requisition_rural":
		r.landRequisition = v.(bool)
	case "defacto_adoption_cutoff":
		r.defactoCutoff, _ = date.Parse(v.(string))
		r.defactoCutoffSet = true
	}
	return nil
}

func (d *progDef) merge(pl ProgramLayer, where, layer string) {
	if pl.Name != "" {
		d.name = pl.Name
		d.origin["name"] = layer
	}
	if pl.NameEN != "" {
		d.nameEN = pl.NameEN
	}
	for k, v := range pl.Params {
		d.params[k] = v
		d.field["params."+k] = where + ".params." + k
		d.origin["params."+k] = layer
	}
	for ci, c := range pl.Clauses {
		i := slices.IndexFunc(d.clauses, func(x ClauseDef) bool { return x.ID == c.ID })
		switch {
		case c.Drop && i >= 0:
			d.clauses = slices.Delete(d.clauses, i, i+1)
		case c.Drop:
		case i >= 0:
			d.clauses[i] = c
		default:
			d.clauses = append(d.clauses, c)
		}
		d.field["clause."+c.ID] = fmt.Sprintf("%s.clauses[%d]", where, ci)
		d.origin["clause."+c.ID] = layer
	}
	if pl.Tier != "" {
		d.tier = pl.Tier
		d.field["tier"] = where + ".tier"
		d.origin["tier"] = layer
	}
	d.rates = append(d.rates, pl.Rates...)
	for range pl.Rates {
		d.rateFrom = append(d.rateFrom, layer)
	}
	for ii, in := range pl.Increments {
		d.incs = append(d.incs, in)
		d.incFrom = append(d.incFrom, layer)
		d.field["inc."+in.ID] = fmt.Sprintf("%s.increments[%d]", where, ii)
	}
	if pl.Funding != nil {
		d.funding = pl.Funding
		d.origin["funding"] = layer
	}
	if pl.ExclusiveWith != nil {
		d.exclusive = pl.ExclusiveWith
		d.origin["exclusive_with"] = layer
	}
	if pl.RequiresAny != nil {
		d.requires = pl.RequiresAny
		d.origin["requires_any"] = layer
	}
	if pl.Doc != "" {
		d.doc = pl.Doc
		d.origin["doc"] = layer
	}
}

// compile turns a merged definition into a program.
func (d *progDef) compile() (*program, error) {
	p := &program{code: d.code, name: d.name, nameEN: d.nameEN, params: d.params, rates: slices.Clone(d.rates), exclusive: d.exclusive,
		requires: d.requires, doc: d.doc, def: d}
	if p.name == "" {
		return nil, apperr.Invalidf(d.code+".name", "项目%s缺少中文名称", "program %s has no name", d.code)
	}
	if err := p.setParams(d.params, d.field); err != nil {
		return nil, err
	}
	if p.accrual == AccrualClaim {
		for _, k := range []string{"start_date", "max_age", "claims"} {
			if _, ok := p.p[k]; !ok {
				return nil, apperr.Invalidf(d.code+".params."+k, "按年申领的项目须设置参数%s", "a program paid by yearly claims needs the parameter %s", k)
			}
		}
	}
	if v, ok := p.p["central_pct"]; ok && (v < 0 || v > 100) {
		return nil, apperr.Invalidf(d.code+".params.central_pct", "中央分担比例应在0–100之间", "central_pct must be 0–100")
	}
	if d.funding == nil {
		return nil, apperr.Invalidf(d.code+".funding", "项目%s缺少资金分担", "program %s has no funding", d.code)
	}
	p.funding = *d.funding
	if len(d.clauses) == 0 {
		return nil, apperr.Invalidf(d.code+".clauses", "项目%s没有条件", "program %s has no clauses", d.code)
	}
	for _, c := range d.clauses {
		f := d.field["clause."+c.ID] + ".expr"
		if c.Review {
			p.hasReview = true
		}
		if c.Review && strings.TrimSpace(c.Expr) == "" {
			// A fact no record holds: staff always decide.
			if err := checkTemplate(c.Text, p.p, f[:len(f)-len(".expr")]+".text"); err != nil {
				return nil, err
			}
			p.clauses = append(p.clauses, clause{ClauseDef: c})
			continue
		}
		prog, idents, err := compileExpr(c.Expr, p.p, true, f)
		if err != nil {
			return nil, err
		}
		if err := checkTemplate(c.Text, p.p, f[:len(f)-len(".expr")]+".text"); err != nil {
			return nil, err
		}
		p.clauses = append(p.clauses, clause{ClauseDef: c, prog: prog, fast: compileFast(prog.Node()), level: factLevel(idents)})
	}
	p.childAge = p.usesChildAge()
	p.keepsPension = p.p["pension_keeps_county"] == 1
	// Evaluation tests the clauses on the person's own facts first, then
	// those on the couple's, then those on the children's, each computed
	// only when a clause needs them; explanations keep the order of the
	// rules.
	for i := range p.clauses {
		if !p.clauses[i].Review {
			p.order = append(p.order, i)
		}
	}
	sort.SliceStable(p.order, func(a, b int) bool { return p.clauses[p.order[a]].level < p.clauses[p.order[b]].level })
	if d.tier != "" {
		prog, _, err := compileExpr(d.tier, p.p, false, d.field["tier"])
		if err != nil {
			return nil, err
		}
		p.tier = prog
	}
	sort.SliceStable(p.rates, func(a, b int) bool { return p.rates[a].From.Before(p.rates[b].From) })
	for _, in := range d.incs {
		x := increment{Increment: in}
		if in.When != "" {
			prog, _, err := compileExpr(in.When, p.p, true, d.field["inc."+in.ID]+".when")
			if err != nil {
				return nil, err
			}
			x.when, x.whenFast = prog, compileFast(prog.Node())
		}
		p.increments = append(p.increments, x)
	}
	return p, nil
}

// setParams reads the named parameters, with the defaults of design §5.
func (p *program) setParams(params map[string]any, field map[string]string) error {
	p.p = map[string]int{}
	p.accrual, p.exit, p.ageRule = AccrualYear, ExitEndOfYear, AgeYearEnd
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := params[k]
		f := field["params."+k]
		if f == "" {
			f = p.code + ".params." + k
		}
		if err := checkParam(f, k, v); err != nil {
			return err
		}
		switch k {
		case "accrual":
			p.accrual = v.(string)
		case "exit_timing":
			p.exit = v.(string)
		case "age_rule":
			p.ageRule = v.(string)
		default:
			if familyParams[k] {
				return apperr.Invalidf(f, "参数%s只能在区域一级设置", "parameter %s can only be set for a region", k)
			}
			if isDateParam(k) {
				d, _ := date.Parse(v.(string))
				p.p[k] = dateInt(d)
				switch k {
				case "window_from":
					p.windowFrom = d
				case "window_to":
					p.windowTo = d
				}
				continue
			}
			n, _ := paramInt(v)
			p.p[k] = n
			if k == "own_children" {
				p.own = n != 0
			}
		}
	}
	return nil
}

// compileExpr compiles src against Env, checking the cost bound and that
// every parameter it names exists. It returns the fact names it uses.
func compileExpr(src string, params map[string]int, asBool bool, field string) (*vm.Program, []string, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil, apperr.Invalidf(field, "表达式为空", "the expression is empty")
	}
	if len(src) > maxExprLen {
		return nil, nil, apperr.Invalidf(field, "表达式过长（最多%d字符）", "expression too long (at most %d characters)", maxExprLen)
	}
	depth, maxd := 0, 0
	for _, r := range src {
		switch r {
		case '(', '[', '{':
			depth++
			maxd = max(maxd, depth)
		case ')', ']', '}':
			depth--
		}
	}
	if maxd > maxDepth {
		return nil, nil, apperr.Invalidf(field, "表达式嵌套过深（最多%d层）", "expression nested too deeply (at most %d levels)", maxDepth)
	}
	prog, err := compiledExprs.compile(src, asBool)
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		return nil, nil, apperr.Invalidf(field, "表达式错误：%s", "invalid expression: %s", msg)
	}
	w := &identWalker{params: params}
	node := prog.Node()
	ast.Walk(&node, w)
	if w.err != "" {
		return nil, nil, apperr.Invalidf(field, "表达式引用了不存在的参数%s", "the expression names an unknown parameter %s", w.err)
	}
	return prog, w.idents, nil
}

// exprCache keeps the programs of the expressions compiled so far, by
// source and kind. Every layer is compiled for many counties and years
// (validateStack checks each for eleven years), and layers repeat the
// clauses of the layers they amend, so the same text is compiled many
// times; expr's type checking is the slow part of loading the rules. A
// program is immutable once compiled and safe to run concurrently. The
// cache is emptied when it reaches maxCachedExprs, so that texts typed in
// the rule editor over months cannot grow it without bound.
type exprCache struct {
	mu   sync.Mutex
	byID map[exprKey]exprResult
}

type exprKey struct {
	src    string
	asBool bool
}

type exprResult struct {
	prog *vm.Program
	err  error
}

const maxCachedExprs = 4096

var compiledExprs = &exprCache{byID: map[exprKey]exprResult{}}

func (c *exprCache) compile(src string, asBool bool) (*vm.Program, error) {
	k := exprKey{src, asBool}
	c.mu.Lock()
	r, ok := c.byID[k]
	c.mu.Unlock()
	if ok {
		return r.prog, r.err
	}
	opts := []expr.Option{expr.Env(Env{}), expr.MaxNodes(maxNodes), expr.DisableAllBuiltins(), expr.Optimize(false)}
	if asBool {
		opts = append(opts, expr.AsBool())
	} else {
		opts = append(opts, expr.AsKind(reflect.String))
	}
	r.prog, r.err = expr.Compile(src, opts...)
	c.mu.Lock()
	if len(c.byID) >= maxCachedExprs {
		clear(c.byID)
	}
	c.byID[k] = r
	c.mu.Unlock()
	return r.prog, r.err
}

type identWalker struct {
	params map[string]int
	idents []string
	err    string
}

func (w *identWalker) Visit(n *ast.Node) {
	switch x := (*n).(type) {
	case *ast.IdentifierNode:
		if !slices.Contains(w.idents, x.Value) {
			w.idents = append(w.idents, x.Value)
		}
	case *ast.MemberNode:
		id, ok := x.Node.(*ast.IdentifierNode)
		if !ok || id.Value != "P" {
			return
		}
		s, ok := x.Property.(*ast.StringNode)
		if !ok {
			w.err = "P[…]"
			return
		}
		if _, ok := w.params[s.Value]; !ok && w.err == "" {
			w.err = "P." + s.Value
		}
	}
}

// checkTemplate checks that a clause text names only known facts and
// parameters.
func checkTemplate(text string, params map[string]int, field string) error {
	for _, name := range templateNames(text) {
		if strings.HasPrefix(name, "?") {
			continue
		}
		if p, ok := strings.CutPrefix(name, "P."); ok {
			if _, ok := params[p]; !ok {
				return apperr.Invalidf(field, "说明引用了不存在的参数%s", "the text names an unknown parameter %s", name)
			}
			continue
		}
		if _, ok := envFields[name]; !ok {
			return apperr.Invalidf(field, "说明引用了不存在的事实{%s}", "the text names an unknown fact {%s}", name)
		}
	}
	return nil
}

func templateNames(text string) []string {
	var out []string
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			return append(out, text[i+1:])
		}
		out = append(out, text[i+1:i+j])
		text = text[i+j+1:]
	}
}
