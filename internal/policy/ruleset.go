package policy

import (
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
)

// A Layer is one version of the rules of one region: the national
// baseline, a province, a prefecture or a county. Layers are data, kept as
// JSON in rules/ and embedded in the binary; a region's administrator adds
// layers of their own (stored by the store package) after ValidateRuleSet
// has accepted them.
//
// For a year Y and a county, the rules in force are the layers of the
// country, the county's province, its prefecture and the county itself,
// each taken in every version whose From lies in or before Y, applied from
// the top down and by date. A later layer adds programs, replaces
// parameters, clauses and funding, and adds rates and increments.
type Layer struct {
	// Region is "" for the national baseline, else a 2-, 4- or 6-digit
	// prefix of the division code ("34", "3417", "341723").
	Region  string    `json:"region"`
	Version int       `json:"version"`
	From    date.Date `json:"from"`
	Title   string    `json:"title"`
	Source  string    `json:"source,omitempty"`
	// Params are family-reading parameters that apply to every program
	// (remarriage, tf_childless_spouse, land_requisition_rural,
	// defacto_adoption_cutoff) and program parameters given to all
	// programs that declare them.
	Params map[string]any `json:"params,omitempty"`
	// CentralPct is the central government's share (percent) of national
	// base standards, by date; CentralTiers maps province prefixes to
	// their share under the 2019 five-tier scheme (national layer only).
	CentralPct   []DatedPct     `json:"central_pct,omitempty"`
	CentralTiers []CentralTier  `json:"central_tiers,omitempty"`
	Programs     []ProgramLayer `json:"programs,omitempty"`
	// Parity are the rules by which a birth registration counts a
	// couple's children (登记孩次): see ParityRule.
	Parity []ParityRule `json:"parity,omitempty"`
	// Documents are the government documents (and, where no document was
	// found, the pages) the layer's rules come from; programs, clauses,
	// rates and increments cite them by ID.
	Documents []Document `json:"documents,omitempty"`
}

// Document is a source of rules: a government document (issuer, number,
// title, date) or, where the document itself was not found, the page that
// reports the rule. Number and Date are "" when not found; Reliability
// "low" marks a secondary source whose figures are not to be trusted.
type Document struct {
	ID          string `json:"id"`
	Issuer      string `json:"issuer"`
	Number      string `json:"number,omitempty"`
	Title       string `json:"title"`
	Date        string `json:"date,omitempty"` // YYYY-MM-DD, YYYY-MM or YYYY
	Reliability string `json:"reliability,omitempty"`
	Note        string `json:"note,omitempty"`
}

// Citation renders d as a reader sees it: issuer, title, number and date.
func (d Document) Citation(lang string) string {
	number, day := d.Number, d.Date
	if lang == "en" {
		if number == "" {
			number = "number not found"
		}
		if day == "" {
			day = "date not found"
		}
		s := d.Issuer + ", " + d.Title + " (" + number + ", " + day + ")"
		if d.Reliability == DocLowReliability {
			s += " [low-reliability source]"
		}
		return s
	}
	if number == "" {
		number = "文号未查到"
	}
	if day == "" {
		day = "日期未查到"
	}
	title := d.Title
	if !strings.HasPrefix(title, "《") {
		title = "《" + title + "》"
	}
	s := d.Issuer + title + "（" + number + "，" + day + "）"
	if d.Reliability == DocLowReliability {
		s += "〔来源可靠性低〕"
	}
	return s
}

// DocLowReliability marks a secondary source of low reliability.
const DocLowReliability = "low"

// DatedPct is a percentage in force from a date.
type DatedPct struct {
	From date.Date `json:"from"`
	Pct  int       `json:"pct"`
}

// CentralTier is the central share for a list of provinces from a date.
type CentralTier struct {
	From      date.Date `json:"from"`
	Pct       int       `json:"pct"`
	Provinces []string  `json:"provinces"`
}

// ProgramLayer defines a program (when its code is new) or changes an
// inherited one.
type ProgramLayer struct {
	Code   string `json:"code"`
	Name   string `json:"name,omitempty"`
	NameEN string `json:"name_en,omitempty"`
	// Doc cites the document that establishes the program (a Document ID).
	Doc string `json:"doc,omitempty"`
	// Remove switches an inherited program off in this region.
	Remove bool `json:"remove,omitempty"`
	// Params replace named parameters (accrual, exit_timing, age_rule,
	// thresholds, dates, amount_fen…).
	Params map[string]any `json:"params,omitempty"`
	// Clauses replace inherited clauses with the same id, or are added.
	Clauses []ClauseDef `json:"clauses,omitempty"`
	// Tier is an expression giving the rate tier ("" for programs with
	// one rate).
	Tier string `json:"tier,omitempty"`
	// Rates are appended to the inherited rate schedule.
	Rates      []Rate      `json:"rates,omitempty"`
	Increments []Increment `json:"increments,omitempty"`
	Funding    *Funding    `json:"funding,omitempty"`
	// ExclusiveWith lists programs whose receipt in the same year excludes
	// this one. It replaces the inherited list when given.
	ExclusiveWith []string `json:"exclusive_with,omitempty"`
	// RequiresAny lists programs of which the person must receive at least
	// one in the same year (e.g. a pension contribution paid for 特扶
	// recipients). It replaces the inherited list when given.
	RequiresAny []string `json:"requires_any,omitempty"`
}

// ClauseDef is one eligibility condition: an expression over the facts
// (Env) and the program's parameters (P), and the sentence that explains
// it. Text and TextEN may name facts and parameters in braces: {age},
// {P.min_age}.
//
// A Review clause names a fact the records cannot settle: when it fails
// (or, without an expression, always) and every other clause holds, the
// decision needs review by staff instead of being a yes or a no.
type ClauseDef struct {
	ID     string `json:"id"`
	Expr   string `json:"expr,omitempty"`
	Text   string `json:"text,omitempty"`
	TextEN string `json:"text_en,omitempty"`
	Rule   string `json:"rule,omitempty"` // the section of rules.md it implements
	Doc    string `json:"doc,omitempty"`  // the Document it comes from
	Review bool   `json:"review,omitempty"`
	Drop   bool   `json:"drop,omitempty"`
}

// Rate is the base standard of a program from a date, per month, per year
// or once, for one tier ("" for all tiers). A rate with a later From
// replaces an earlier one of the same or the "" tier.
//
// Unverified says why the figure is not to be trusted (a secondary source,
// an amount inferred from totals); a decision paid at it is flagged.
type Rate struct {
	From       date.Date `json:"from"`
	Tier       string    `json:"tier,omitempty"`
	Fen        money.Fen `json:"fen"`
	Per        string    `json:"per"` // month, year, once
	Doc        string    `json:"doc,omitempty"`
	Unverified string    `json:"unverified,omitempty"`
}

// Increment is an amount added to the base standard (提标) while When holds,
// paid in full by Payer: Fen per Per, or, with PctOfBase, that percentage
// of the base standard of the month (a doubling is 100). An increment of
// zero fen with an Unverified note marks a figure that is not known (a
// province's own amount not found): it adds nothing and flags the
// decisions it applies to.
type Increment struct {
	ID         string    `json:"id"`
	From       date.Date `json:"from"`
	To         date.Date `json:"to,omitempty"`
	When       string    `json:"when,omitempty"` // expression; empty means always
	Fen        money.Fen `json:"fen"`
	PctOfBase  int       `json:"pct_of_base,omitempty"`
	Per        string    `json:"per"`
	Payer      string    `json:"payer"` // province, city, county
	Text       string    `json:"text,omitempty"`
	Doc        string    `json:"doc,omitempty"`
	Unverified string    `json:"unverified,omitempty"`
}

// Funding says who pays the base standard. With Central set, the central
// government pays its share (by the region's tier) and Local splits the
// rest; otherwise Local splits all of it. Local is in percent and must add
// up to 100.
//
// A program's central_pct parameter, when it has one, replaces the
// central share of the province's tier for that program (the childcare
// subsidy's central share goes by the east, central and west regions, not
// by the family-planning tiers). Unverified says why the split is not to
// be trusted; a decision it applies to is flagged funding_unverified.
type Funding struct {
	Central    bool           `json:"central"`
	Local      map[string]int `json:"local"`
	Doc        string         `json:"doc,omitempty"`
	Unverified string         `json:"unverified,omitempty"`
}

// levels are the codes of the funding levels, in FundingLevels order.
var levels = FundingLevels.Codes()

// Accrual modes, exit timings and age rules (the named conventions of
// design §5; rules.md §1.0 D1, §1.10, §1.11).
const (
	AccrualYear     = "year"
	AccrualHalfYear = "half_year"
	AccrualMonth    = "month"
	AccrualOnce     = "once"
	// AccrualClaim pays a young child's entitlement by yearly claims
	// (育儿补贴, rules.md §8.1 CS3–CS4): the months from the later of the
	// birth month and start_date's month to the month of the max_age
	// birthday, at most claims × 12, are paid at the monthly rate whole
	// years first, one claim a year from the later of the birth year and
	// start_date's year. A year whose clauses hold in any month is claimed
	// in full (the year of a death is paid).
	AccrualClaim = "claim"

	ExitEndOfYear = "end_of_event_year"
	ExitNextMonth = "next_month"
	ExitThisMonth = "event_month"

	AgeYearEnd    = "year_end"
	AgeBirthday   = "birthday"
	AgeHalfYear   = "half_year"
	AgeBirthMonth = "birth_month" // from the month of the birthday (Guangzhou: 到龄当月)
)

// enumParams are the parameters with a closed set of values.
var enumParams = map[string][]string{
	"accrual":             {AccrualYear, AccrualHalfYear, AccrualMonth, AccrualOnce, AccrualClaim},
	"exit_timing":         {ExitEndOfYear, ExitNextMonth, ExitThisMonth},
	"age_rule":            {AgeYearEnd, AgeBirthday, AgeHalfYear, AgeBirthMonth},
	"remarriage":          {RemarriageJointBirth, RemarriageAlways, RemarriageIndividual},
	"tf_childless_spouse": {ChildlessIneligible, ChildlessSameAsSpouse},
}

// familyParams are read when facts are computed, for every program.
var familyParams = map[string]bool{
	"remarriage":              true,
	"tf_childless_spouse":     true,
	"land_requisition_rural":  true,
	"defacto_adoption_cutoff": true,
}

// Remarriage readings and the childless-spouse rule (rules.md §1.0 D4, §6 Q1).
const (
	RemarriageJointBirth = "joint_birth_pools"
	RemarriageAlways     = "pool_always"
	RemarriageIndividual = "individual"

	ChildlessIneligible   = "ineligible"
	ChildlessSameAsSpouse = "same_as_spouse"
)

//go:embed rules/*.json
var embedded embed.FS

var (
	builtinOnce   sync.Once
	builtinLayers []Layer
	builtinErr    error
)

// Builtin returns the embedded rule layers, validated once.
func Builtin() ([]Layer, error) {
	builtinOnce.Do(func() {
		names, err := fs.Glob(embedded, "rules/*.json")
		if err != nil {
			builtinErr = err
			return
		}
		slices.Sort(names)
		for _, n := range names {
			b, err := embedded.ReadFile(n)
			if err != nil {
				builtinErr = err
				return
			}
			l, err := ParseLayer(b)
			if err != nil {
				builtinErr = fmt.Errorf("%s: %w", path.Base(n), err)
				return
			}
			builtinLayers = append(builtinLayers, *l)
		}
		if err := validateStack(builtinLayers); err != nil {
			builtinErr = err
		}
	})
	return builtinLayers, builtinErr
}

// ParseLayer decodes a layer from JSON, rejecting unknown fields.
func ParseLayer(b []byte) (*Layer, error) {
	var l Layer
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return nil, jsonError(b, err, ruleText)
	}
	if dec.More() {
		return nil, apperr.Invalidf("rules", "规则文本后有多余内容", "trailing data after the rule text")
	}
	return &l, nil
}

// textKind names, in Chinese and English, the text a decoding error is
// about.
type textKind [2]string

var (
	ruleText = textKind{"规则文本", "the rule text"}
	caseText = textKind{"测算文件", "the case file"}
)

// jsonError turns a decoding error of the text b (what) into a plain
// message naming the place (line and column) or the field: no text of
// the decoder reaches the user.
func jsonError(b []byte, err error, what textKind) error {
	at := func(off int64) (int, int) {
		off = min(max(off, 0), int64(len(b)))
		line, col := 1, 1
		for _, c := range string(b[:off]) {
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return line, col
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &syn):
		line, col := at(syn.Offset - 1) // the offset is past the offending character
		return apperr.Invalidf(what.field(), "%[3]s第%[1]d行第%[2]d列格式有误（请检查逗号、引号和括号）", "%[4]s is malformed at line %[1]d, column %[2]d (check commas, quotes and brackets)", line, col, what[0], what[1])
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return apperr.Invalidf(what.field(), "%[1]s不完整（缺少结尾的括号或引号）", "%[2]s is incomplete (a closing bracket or quote is missing)", what[0], what[1])
	case errors.As(err, &typ):
		want := map[string][2]string{"string": {"文字", "text"}, "bool": {"true或false", "true or false"}, "map": {"对象", "an object"},
			"slice": {"列表", "a list"}, "struct": {"对象", "an object"}}
		w, ok := want[typ.Type.Kind().String()]
		if !ok {
			w = [2]string{"数字", "a number"}
		}
		return apperr.Invalidf(typ.Field, "字段“%[1]s”应为%[2]s", "field %[1]s must be %[3]s", typ.Field, w[0], w[1])
	case strings.HasPrefix(msg, "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return apperr.Invalidf(what.field(), "%[2]s中没有名为“%[1]s”的字段", "%[3]s has no field %[1]q", name, what[0], what[1])
	case strings.Contains(msg, "date"):
		return apperr.Invalidf(what.field(), "%[1]s中的日期应写作2024-01-01", "dates in %[2]s must be written 2024-01-01", what[0], what[1])
	}
	return apperr.Invalidf(what.field(), "%[1]s无法读取，请检查格式", "%[2]s cannot be read; check its form", what[0], what[1])
}

// field is the field an error about the whole text names: "rules" for a
// rule text, none for a case file.
func (k textKind) field() string {
	if k == ruleText {
		return "rules"
	}
	return ""
}

// ValidateRuleSet checks a layer that a region wants to add on top of the
// given layers (nil means the embedded rules): the region code, every
// parameter's name and value, every expression (parse, type-check against
// the facts, the cost bound, the parameters it names), rates, increments
// and funding. It compiles the resulting rules for every county-level
// scope the layer could apply to, from the layer's year to ten years on,
// so an accepted layer cannot break evaluation later. The error names the
// field at fault, e.g. "programs[0].clauses[2].expr".
func ValidateRuleSet(l *Layer, base []Layer) error {
	if base == nil {
		b, err := Builtin()
		if err != nil {
			return err
		}
		base = b
	}
	if l.Region != "" {
		if len(l.Region) != 2 && len(l.Region) != 4 && len(l.Region) != 6 || strings.Trim(l.Region, "0123456789") != "" {
			return apperr.Invalidf("region", "区划前缀应为2、4或6位数字", "region must be a 2-, 4- or 6-digit division prefix")
		}
	}
	if l.From.IsZero() {
		return apperr.Invalidf("from", "缺少生效日期", "the effective date is missing")
	}
	if l.Version < 1 {
		return apperr.Invalidf("version", "版本号应为正整数", "version must be a positive integer")
	}
	if err := checkLayerShape(l); err != nil {
		return err
	}
	all := append(slices.Clip(base), *l)
	err := validateStack(all, *l)
	// Name fields relative to the layer being validated.
	if e, ok := apperr.As(err); ok {
		name := l.Region
		if name == "" {
			name = "national"
		}
		e.Field = strings.TrimPrefix(e.Field, fmt.Sprintf("%s v%d ", name, l.Version))
	}
	if err != nil {
		return err
	}
	if err := checkParamsRead(l, all); err != nil {
		return err
	}
	// A version the embedded (or stored) rules already use would give two
	// layers one name.
	for _, b := range base {
		if b.Region == l.Region && b.Version == l.Version {
			return &apperr.Error{Kind: apperr.Conflict, Field: "version",
				ZH: fmt.Sprintf("地区%q的规则版本%d已存在", l.Region, l.Version),
				EN: fmt.Sprintf("rule version %d of region %q already exists", l.Version, l.Region)}
		}
	}
	return nil
}

// sortedKeys returns the keys of m in order, so that the first problem
// reported is always the same one.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkParamsRead refuses a parameter that l sets for a program whose
// rules do not use it (setting it would change nothing), and a region
// parameter that no program of the region uses.
func checkParamsRead(l *Layer, all []Layer) error {
	scope := l.Region
	for len(scope) < 6 {
		scope += "0"
	}
	if l.Region == "" {
		scope = "110000"
	}
	rs, err := compileFor(all, scope, l.From.Year())
	if err != nil {
		return err
	}
	for i, pl := range l.Programs {
		p := rs.byCode[pl.Code]
		if p == nil || pl.Remove {
			continue
		}
		for _, k := range sortedKeys(pl.Params) {
			if !p.reads(k) {
				s := paramIndex[k]
				return invalid(fmt.Sprintf("programs[%d].params.%s", i, k), "“%s”的规则不使用参数“%s”，设置它不会改变任何结果", []any{p.name, s.ZH},
					"the rules of %s do not use the parameter %s: setting it would change nothing", []any{cmp.Or(p.nameEN, p.name), s.EN})
			}
		}
	}
	for _, k := range sortedKeys(l.Params) {
		if paramIndex[k].Family {
			continue
		}
		used := false
		for _, p := range rs.programs {
			_, has := p.params[k]
			used = used || has && p.reads(k)
		}
		if !used {
			s := paramIndex[k]
			return invalid("params."+k, "本地区没有项目使用参数“%s”", []any{s.ZH}, "no program of the region uses the parameter %s", []any{s.EN})
		}
	}
	return nil
}

// validateStack compiles the rules every listed layer contributes to, for
// each region the layers name and each year from the layer's own.
func validateStack(all []Layer, only ...Layer) error {
	check := only
	if len(check) == 0 {
		check = all
	}
	for _, l := range check {
		if err := checkLayerShape(&l); err != nil {
			return fmt.Errorf("layer %q v%d: %w", l.Region, l.Version, err)
		}
		scope := l.Region
		for len(scope) < 6 {
			scope += "0"
		}
		if l.Region == "" {
			scope = "110000" // any province without rules of its own
		}
		for y := l.From.Year(); y <= l.From.Year()+10; y++ {
			if _, err := compileFor(all, scope, y); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLayerShape validates what can be checked in a layer alone.
func checkLayerShape(l *Layer) error {
	for _, k := range sortedKeys(l.Params) {
		if err := checkDeclared("params."+k, k, l.Params[k], false); err != nil {
			return err
		}
	}
	for i, p := range l.CentralPct {
		if p.Pct < 0 || p.Pct > 100 || p.From.IsZero() {
			return apperr.Invalidf(fmt.Sprintf("central_pct[%d]", i), "中央分担比例应在0–100之间并有生效日期", "central share must be 0–100 with a date")
		}
	}
	docs := map[string]bool{}
	for i, d := range l.Documents {
		f := fmt.Sprintf("documents[%d]", i)
		if !validCode(d.ID) || docs[d.ID] {
			return apperr.Invalidf(f+".id", "文件编号%q无效或重复", "document id %q is invalid or appears twice", d.ID)
		}
		docs[d.ID] = true
		if strings.TrimSpace(d.Issuer) == "" || strings.TrimSpace(d.Title) == "" {
			return apperr.Invalidf(f, "文件需要发文机关和标题", "a document needs an issuer and a title")
		}
		if d.Reliability != "" && d.Reliability != DocLowReliability {
			return apperr.Invalidf(f+".reliability", "可靠性只能为low", "reliability can only be low")
		}
	}
	for i, r := range l.Parity {
		if err := checkParityRule(fmt.Sprintf("parity[%d]", i), r); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for i, p := range l.Programs {
		f := fmt.Sprintf("programs[%d]", i)
		if !validCode(p.Code) {
			return apperr.Invalidf(f+".code", "项目代码%q无效（小写字母、数字、下划线）", "program code %q is invalid (lower-case letters, digits, underscore)", p.Code)
		}
		if seen[p.Code] {
			return apperr.Invalidf(f+".code", "项目%s重复", "program %s appears twice", p.Code)
		}
		seen[p.Code] = true
		for _, k := range sortedKeys(p.Params) {
			if err := checkDeclared(f+".params."+k, k, p.Params[k], true); err != nil {
				return err
			}
		}
		for j, c := range p.Clauses {
			cf := fmt.Sprintf("%s.clauses[%d]", f, j)
			if !validCode(c.ID) {
				return apperr.Invalidf(cf+".id", "条款编号%q无效", "clause id %q is invalid", c.ID)
			}
			if !c.Drop && ((c.Expr == "" && !c.Review) || c.Text == "") {
				return apperr.Invalidf(cf, "条款需要表达式和中文说明", "a clause needs an expression and a Chinese text")
			}
			if len(c.Expr) > maxExprLen {
				return apperr.Invalidf(cf+".expr", "表达式过长（最多%d字符）", "expression too long (at most %d characters)", maxExprLen)
			}
		}
		for j, r := range p.Rates {
			rf := fmt.Sprintf("%s.rates[%d]", f, j)
			if r.From.IsZero() || r.Fen < 0 || !slices.Contains([]string{"month", "year", "once"}, r.Per) {
				return apperr.Invalidf(rf, "标准需要生效日期、非负金额和周期（month/year/once）", "a rate needs a date, a non-negative amount and per month/year/once")
			}
		}
		for j, in := range p.Increments {
			rf := fmt.Sprintf("%s.increments[%d]", f, j)
			if in.From.IsZero() || in.Fen < 0 || !slices.Contains([]string{"month", "year", "once"}, in.Per) {
				return apperr.Invalidf(rf, "提标需要生效日期、非负金额和周期", "an increment needs a date, a non-negative amount and a period")
			}
			if !slices.Contains(levels[1:], in.Payer) {
				return apperr.Invalidf(rf+".payer", "出资级别应为province、city或county", "payer must be province, city or county")
			}
			if !validCode(in.ID) {
				return apperr.Invalidf(rf+".id", "提标编号无效", "increment id is invalid")
			}
			if in.PctOfBase < 0 || in.PctOfBase > 1000 {
				return apperr.Invalidf(rf+".pct_of_base", "提标比例应在0–1000之间", "pct_of_base must be 0–1000")
			}
		}
		if p.Funding != nil {
			sum := 0
			for k, v := range p.Funding.Local {
				if !slices.Contains(levels[1:], k) || v < 0 {
					return apperr.Invalidf(f+".funding.local", "地方分担级别%q无效", "local funding level %q is invalid", k)
				}
				sum += v
			}
			if sum != 100 {
				return apperr.Invalidf(f+".funding.local", "地方分担比例合计应为100，实为%d", "local shares must add up to 100, got %d", sum)
			}
		}
	}
	return nil
}

const maxExprLen = 400

func validCode(s string) bool {
	if s == "" || len(s) > 40 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// checkParam checks one parameter value: enumerations take one of their
// values, land_requisition_rural a boolean, names ending in _date or
// _cutoff (and window_from/window_to) a date, everything else a whole
// number.
func checkParam(field, name string, v any) error {
	if !validCode(name) {
		return apperr.Invalidf(field, "参数名%q无效", "parameter name %q is invalid", name)
	}
	if vals, ok := enumParams[name]; ok {
		s, _ := v.(string)
		if !slices.Contains(vals, s) {
			return apperr.Invalidf(field, "参数%s的取值应为%s之一", "parameter %s must be one of %s", name, strings.Join(vals, ", "))
		}
		return nil
	}
	if name == "land_requisition_rural" {
		if _, ok := v.(bool); !ok {
			return apperr.Invalidf(field, "参数%s应为true或false", "parameter %s must be true or false", name)
		}
		return nil
	}
	if isDateParam(name) {
		s, _ := v.(string)
		if d, err := date.Parse(s); err != nil || d.IsZero() {
			return apperr.Invalidf(field, "参数%s应为日期YYYY-MM-DD", "parameter %s must be a date YYYY-MM-DD", name)
		}
		return nil
	}
	if _, err := paramInt(v); err != nil {
		return apperr.Invalidf(field, "参数%s应为整数", "parameter %s must be a whole number", name)
	}
	return nil
}

func isDateParam(name string) bool {
	return strings.HasSuffix(name, "_date") || strings.HasSuffix(name, "_cutoff") || name == "window_from" || name == "window_to"
}

func paramInt(v any) (int, error) {
	switch n := v.(type) {
	case float64:
		if n != float64(int64(n)) || n > 1e12 || n < -1e12 {
			return 0, fmt.Errorf("not a whole number")
		}
		return int(n), nil
	case int:
		return n, nil
	case int64:
		return int(n), nil
	case json.Number:
		i, err := n.Int64()
		return int(i), err
	}
	return 0, fmt.Errorf("not a number")
}

// dateInt turns a date into the YYYYMMDD integer that expressions compare.
func dateInt(d date.Date) int {
	if d.IsZero() {
		return 0
	}
	return d.Year()*10000 + int(d.Month())*100 + d.Day()
}
