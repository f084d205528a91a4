package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/term"
)

// The kinds of parameter values.
const (
	KindWhole  = "whole"  // a whole number within Min–Max
	KindDate   = "date"   // a date YYYY-MM-DD within MinDate–MaxDate
	KindChoice = "choice" // one of Choices
	KindYesNo  = "yesno"  // true or false
	KindFen    = "fen"    // an amount in fen (entered in yuan on forms), within Min–Max
)

// ParamSpec describes one rule parameter: what it means (label and help
// text in Chinese and English), its unit, the values it may take, and
// where it may be set. The parameters of every program are declared once,
// in Params; a layer that names any other parameter, or a value outside
// the range, is refused.
type ParamSpec struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	ZH     string `json:"label"`
	EN     string `json:"label_en"`
	UnitZH string `json:"unit,omitempty"`
	UnitEN string `json:"unit_en,omitempty"`
	// Min and Max bound a whole number or an amount in fen.
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
	// MinDate and MaxDate bound a date.
	MinDate string    `json:"min_date,omitempty"`
	MaxDate string    `json:"max_date,omitempty"`
	Choices term.List `json:"choices,omitempty"`
	HelpZH  string    `json:"help"`
	HelpEN  string    `json:"help_en"`
	// Family parameters change how the family's facts are read; they are
	// set for a region (a layer's params), never for one program.
	Family bool `json:"family,omitempty"`
	// General parameters are read by the engine for any program that has
	// them; the others only mean something to a program whose conditions
	// name them (P.min_age).
	General bool `json:"general,omitempty"`
}

// Label returns the parameter's label in lang ("en" or Chinese).
func (s ParamSpec) Label(lang string) string {
	if lang == "en" {
		return s.EN
	}
	return s.ZH
}

// Unit returns the parameter's unit in lang.
func (s ParamSpec) Unit(lang string) string {
	if lang == "en" {
		return s.UnitEN
	}
	return s.UnitZH
}

// Help returns the parameter's help text in lang.
func (s ParamSpec) Help(lang string) string {
	if lang == "en" {
		return s.HelpEN
	}
	return s.HelpZH
}

// Range describes the allowed values in lang: "0–120", "1900-01-01 至
// 2100-12-31", the names of the choices.
func (s ParamSpec) Range(lang string) string {
	to := " 至 "
	sep := "、"
	if lang == "en" {
		to, sep = " to ", ", "
	}
	switch s.Kind {
	case KindWhole:
		return strconv.Itoa(s.Min) + "–" + strconv.Itoa(s.Max)
	case KindFen:
		return yuan(money.Fen(s.Min)) + "–" + yuan(money.Fen(s.Max))
	case KindDate:
		return s.MinDate + to + s.MaxDate
	case KindChoice:
		names := make([]string, len(s.Choices))
		for i, c := range s.Choices {
			names[i] = c.Name(lang)
		}
		return strings.Join(names, sep)
	}
	return ""
}

const (
	firstDate = "1900-01-01"
	lastDate  = "2100-12-31"
)

func ageSpec(name, zh, en, helpZH, helpEN string) ParamSpec {
	return ParamSpec{Name: name, Kind: KindWhole, ZH: zh, EN: en, UnitZH: "周岁", UnitEN: "years of age", Min: 0, Max: 120, HelpZH: helpZH, HelpEN: helpEN}
}

func general(s ParamSpec) ParamSpec { s.General = true; return s }

func dateSpec(name, zh, en, helpZH, helpEN string) ParamSpec {
	return ParamSpec{Name: name, Kind: KindDate, ZH: zh, EN: en, MinDate: firstDate, MaxDate: lastDate, HelpZH: helpZH, HelpEN: helpEN}
}

// Params are the rule parameters, declared once: the family readings set
// for a region, the settings the engine reads for every program, and the
// thresholds and dates that programs' conditions name.
var Params = []ParamSpec{
	// Family readings (a layer's params).
	{Name: "remarriage", Kind: KindChoice, ZH: "再婚家庭子女的计算", EN: "Children of remarried couples", Family: true,
		Choices: term.List{
			{Code: RemarriageJointBirth, ZH: "再婚后共同生育的才合并计算", EN: "pooled only when the couple had a child together"},
			{Code: RemarriageAlways, ZH: "双方子女一律合并计算", EN: "always pooled"},
			{Code: RemarriageIndividual, ZH: "各自计算", EN: "each spouse counted alone"}},
		HelpZH: "再婚夫妻双方此前所生子女是否合并计算子女数。", HelpEN: "Whether the children each spouse had before remarrying are counted together."},
	{Name: "tf_childless_spouse", Kind: KindChoice, ZH: "特扶：无子女的再婚配偶", EN: "Special assistance: childless remarried spouse", Family: true,
		Choices: term.List{
			{Code: ChildlessIneligible, ZH: "不享受", EN: "not eligible"},
			{Code: ChildlessSameAsSpouse, ZH: "与配偶同等享受", EN: "eligible as the spouse is"}},
		HelpZH: "独生子女死亡或伤残后，与其父母再婚、本人无子女的配偶能否享受特别扶助。", HelpEN: "Whether a remarried spouse without children of their own receives special assistance with the parent."},
	{Name: "land_requisition_rural", Kind: KindYesNo, ZH: "失地农民按农村居民认定", EN: "Land-requisitioned farmers count as rural", Family: true,
		HelpZH: "因征地转为城镇户口的人员，是否仍按农村居民认定奖励扶助资格。", HelpEN: "Whether persons whose land was requisitioned count as rural residents for the rural award."},
	{Name: "defacto_adoption_cutoff", Kind: KindDate, ZH: "事实收养截止日期", EN: "De-facto adoption cutoff", Family: true, MinDate: firstDate, MaxDate: lastDate,
		HelpZH: "此日期前形成的事实收养视同合法收养（《收养法》施行日为1992年4月1日）。", HelpEN: "De-facto adoptions before this date count as legal adoptions (the Adoption Law took effect on 1992-04-01)."},

	// Settings the engine reads for every program.
	{Name: "accrual", Kind: KindChoice, ZH: "发放方式", EN: "Payment period", General: true,
		Choices: term.List{
			{Code: AccrualYear, ZH: "按年发放", EN: "yearly"},
			{Code: AccrualHalfYear, ZH: "按半年发放", EN: "half-yearly"},
			{Code: AccrualMonth, ZH: "按月发放", EN: "monthly"},
			{Code: AccrualOnce, ZH: "一次性发放", EN: "once"},
			{Code: AccrualClaim, ZH: "按年申领", EN: "yearly claims"}},
		HelpZH: "扶助金按年、半年、月计发，或一次性发放、按年申领。", HelpEN: "Whether the benefit accrues by year, half-year or month, is paid once, or is claimed yearly."},
	{Name: "exit_timing", Kind: KindChoice, ZH: "退出时间", EN: "When payment stops", General: true,
		Choices: term.List{
			{Code: ExitEndOfYear, ZH: "发生当年年底停发", EN: "at the end of the year of the event"},
			{Code: ExitNextMonth, ZH: "发生次月停发", EN: "from the month after the event"},
			{Code: ExitThisMonth, ZH: "发生当月停发", EN: "from the month of the event"}},
		HelpZH: "对象死亡或不再符合条件后，从何时停止发放。", HelpEN: "When payment stops after the person dies or stops qualifying."},
	{Name: "age_rule", Kind: KindChoice, ZH: "年龄计算方法", EN: "How age is counted", General: true,
		Choices: term.List{
			{Code: AgeYearEnd, ZH: "按当年年底年龄", EN: "age at the end of the year"},
			{Code: AgeBirthday, ZH: "按生日当天", EN: "from the birthday"},
			{Code: AgeHalfYear, ZH: "按半年计算", EN: "by half-year"},
			{Code: AgeBirthMonth, ZH: "到龄当月起", EN: "from the month of the birthday"}},
		HelpZH: "判断是否到达领取年龄时，年龄如何计算。", HelpEN: "How the age that opens the benefit is counted."},
	{Name: "central_pct", Kind: KindWhole, ZH: "中央分担比例", EN: "Central share", UnitZH: "%", UnitEN: "%", Min: 0, Max: 100, General: true,
		HelpZH: "本项目由中央财政负担的比例，替代按省份档次确定的比例。", HelpEN: "The central government's share of this program, instead of the share of the province's tier."},
	general(dateSpec("window_from", "政策生育期起始日", "Compliance window from",
		"此日期及以后出生的子女才计入政策生育情况（常为1973年1月1日）。", "Only children born on or after this date count towards compliance (usually 1973-01-01).")),
	general(dateSpec("window_to", "政策生育期截止日", "Compliance window to",
		"此日期及以前出生的子女才计入政策生育情况。", "Only children born on or before this date count towards compliance.")),
	{Name: "own_children", Kind: KindWhole, ZH: "只计本人亲生子女", EN: "Count own births only", Min: 0, Max: 1, General: true,
		HelpZH: "1表示只计算本人所生子女（不合并再婚配偶的子女），0表示按家庭计算。", HelpEN: "1 counts only the person's own births (not a remarried spouse's), 0 counts the family's."},
	{Name: "pension_keeps_county", Kind: KindWhole, ZH: "按退休金发放地确定发放县", EN: "Paid by the county paying the pension", Min: 0, Max: 1, General: true,
		HelpZH: "1表示由发放退休金的县负责发放，0表示由户籍所在县发放。", HelpEN: "1: the county that pays the pension pays the benefit; 0: the county of household registration."},
	{Name: "pension_contribution", Kind: KindWhole, ZH: "养老保险代缴项目", EN: "Pension contribution paid for the recipient", Min: 0, Max: 1, General: true,
		HelpZH: "1表示本项目的金额由县代为缴纳城乡居民养老保险费，对象列入每年报送人社部门的养老保险代缴名单。", HelpEN: "1: the county pays this program's amount into the recipient's resident pension; they are on the yearly list for the social-insurance office."},
	{Name: "pension_tier_fen", Kind: KindFen, ZH: "养老保险代缴档次", EN: "Contribution tier paid", UnitZH: "元/年", UnitEN: "yuan a year", Min: 0, Max: 10_000_00, General: true,
		HelpZH: "县代缴的缴费档次，写入代缴名单的“代缴档次”一列；为0时表示在本人自选档次之外补贴代缴金额。", HelpEN: "The contribution tier the county pays, the list's tier column; 0: the amount is paid on top of the tier the person chose."},
	{Name: "amount_fen", Kind: KindFen, ZH: "一次性发放金额", EN: "One-off amount", UnitZH: "元", UnitEN: "yuan", Min: 0, Max: 100_000_00,
		HelpZH: "一次性发放项目的金额；为0时按发放标准计算。", HelpEN: "The amount of a one-off program; 0 uses the rate schedule."},
	{Name: "start_date", Kind: KindDate, ZH: "制度起始日期", EN: "Scheme start date", MinDate: firstDate, MaxDate: lastDate,
		HelpZH: "按年申领的项目从此日期所在月起计算补贴月数。", HelpEN: "A program claimed yearly counts months from the month of this date."},
	{Name: "claims", Kind: KindWhole, ZH: "可申领年数", EN: "Years that may be claimed", UnitZH: "年", UnitEN: "years", Min: 1, Max: 18,
		HelpZH: "按年申领的项目最多可申领的年数。", HelpEN: "The most years a program claimed yearly pays."},
	{Name: "max_age", Kind: KindWhole, ZH: "年龄上限", EN: "Maximum age", UnitZH: "周岁", UnitEN: "years of age", Min: 0, Max: 120,
		HelpZH: "超过此年龄不再享受（按年申领的项目：补贴发放至孩子此周岁生日所在月）。", HelpEN: "No benefit above this age (yearly claims: paid up to the month of the child's birthday at this age)."},

	// Thresholds and dates programs' conditions name.
	ageSpec("min_age", "领取年龄", "Minimum age", "年满此年龄才能领取。", "The benefit starts at this age."),
	ageSpec("min_age_f", "女方领取年龄", "Minimum age (women)", "女性年满此年龄才能领取。", "Women receive the benefit from this age."),
	ageSpec("min_age_m", "男方领取年龄", "Minimum age (men)", "男性年满此年龄才能领取。", "Men receive the benefit from this age."),
	ageSpec("non_employee_age_f", "无单位女性领取年龄", "Age for women without an employer", "没有工作单位的女性年满此年龄领取。", "Women without an employer receive it from this age."),
	ageSpec("non_employee_age_m", "无单位男性领取年龄", "Age for men without an employer", "没有工作单位的男性年满此年龄领取。", "Men without an employer receive it from this age."),
	{Name: "child_age_limit", Kind: KindWhole, ZH: "独生子女年龄上限", EN: "Child's age limit", UnitZH: "周岁", UnitEN: "years of age", Min: 0, Max: 30,
		HelpZH: "独生子女父母奖励费发放至子女此周岁。", HelpEN: "The one-child reward is paid until the child reaches this age."},
	{Name: "max_grade", Kind: KindWhole, ZH: "伤残等级上限", EN: "Worst disability grade", UnitZH: "级", UnitEN: "grade", Min: 1, Max: 4,
		HelpZH: "子女伤残等级为一级至此级的家庭可以享受。", HelpEN: "Families of a child disabled at grade 1 up to this grade qualify."},
	dateSpec("birth_cutoff", "出生日期下限", "Born on or after",
		"此日期以后出生的人员才纳入。", "Only persons born on or after this date are considered."),
	dateSpec("no_child_after_date", "此后未再生育的日期", "No births after",
		"此日期后生育子女的，不再符合条件。", "A birth after this date ends eligibility."),
	dateSpec("youngest_from_date", "最小子女出生起始日", "Youngest child born from",
		"最小子女在此日期及以后出生。", "The youngest child was born on or after this date."),
	dateSpec("youngest_to_date", "最小子女出生截止日", "Youngest child born by",
		"最小子女在此日期及以前出生。", "The youngest child was born on or before this date."),
	dateSpec("child_born_by_date", "独生子女出生截止日", "Only child born by",
		"死亡或伤残的独生子女须在此日期及以前出生。", "The only child who died or was disabled was born on or before this date."),
	dateSpec("sterilisation_from_date", "绝育手术起始日", "Sterilisation from",
		"此日期及以后施行绝育手术的才能享受。", "Only sterilisations on or after this date qualify."),
	dateSpec("birth_from_date", "出生起始日", "Born from",
		"此日期及以后出生的子女才能享受。", "Only children born on or after this date qualify."),
}

// invalid is an Invalid error whose Chinese and English texts take
// their own arguments.
func invalid(field, zh string, zhArgs []any, en string, enArgs []any) error {
	return &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: fmt.Sprintf(zh, zhArgs...), EN: fmt.Sprintf(en, enArgs...)}
}

// paramIndex finds a parameter's spec by name.
var paramIndex = func() map[string]*ParamSpec {
	m := make(map[string]*ParamSpec, len(Params))
	for i := range Params {
		m[Params[i].Name] = &Params[i]
	}
	return m
}()

// ParamOf returns the spec of the parameter name.
func ParamOf(name string) (ParamSpec, bool) {
	s, ok := paramIndex[name]
	if !ok {
		return ParamSpec{}, false
	}
	return *s, true
}

// nearestParam returns the declared parameter whose name is closest to
// name (a misspelling: "min_agee" → "min_age"), or "" when none is close.
func nearestParam(name string, among []string) string {
	best, dist := "", 3
	for _, n := range among {
		if d := editDistance(name, n); d < dist {
			best, dist = n, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// declaredNames lists the names of Params.
func declaredNames() []string {
	out := make([]string, len(Params))
	for i, s := range Params {
		out[i] = s.Name
	}
	return out
}

// unknownParam is the refusal of a parameter name not declared: the
// message names the field and, for a misspelling, the parameter meant.
func unknownParam(field, name string, among []string) error {
	if near := nearestParam(name, among); near != "" {
		s := paramIndex[near]
		return invalid(field, "没有名为“%s”的参数，是否应为“%s”（%s）？", []any{name, near, s.ZH}, "there is no parameter %q: did you mean %q (%s)?", []any{name, near, s.EN})
	}
	return apperr.Invalidf(field, "没有名为“%s”的参数，请从规则表单中选择要调整的参数", "there is no parameter %q; choose the parameter to change from the rules form", name)
}

// checkDeclared checks a parameter a layer sets against its declaration:
// a declared name, a value of its kind within its range, and the level it
// may be set at (family readings for a region, the others for programs
// or, given to every program that has them, for a region).
func checkDeclared(field, name string, v any, program bool) error {
	s, ok := paramIndex[name]
	if !ok {
		return unknownParam(field, name, declaredNames())
	}
	if program && s.Family {
		return invalid(field, "参数“%s”只能对整个地区设置，不能对单个项目设置", []any{s.ZH}, "parameter %s can only be set for a region, not for one program", []any{s.EN})
	}
	return s.Check(field, v)
}

// Check checks v, the value of the parameter at field, against the spec:
// the messages name the parameter by its label and give the range.
func (s ParamSpec) Check(field string, v any) error {
	switch s.Kind {
	case KindChoice:
		str, _ := v.(string)
		if !slices.ContainsFunc(s.Choices, func(t term.Term) bool { return t.Code == str }) {
			return invalid(field, "“%s”应为以下之一：%s", []any{s.ZH, s.Range("zh")}, "%s must be one of: %s", []any{s.EN, s.Range("en")})
		}
	case KindYesNo:
		if _, ok := v.(bool); !ok {
			return invalid(field, "“%s”应为“是”或“否”", []any{s.ZH}, "%s must be true or false", []any{s.EN})
		}
	case KindDate:
		str, _ := v.(string)
		d, err := date.Parse(str)
		if err != nil || d.IsZero() {
			return invalid(field, "“%s”应为日期，如2024-01-01", []any{s.ZH}, "%s must be a date such as 2024-01-01", []any{s.EN})
		}
		lo, _ := date.Parse(s.MinDate)
		hi, _ := date.Parse(s.MaxDate)
		if d.Before(lo) || d.After(hi) {
			return invalid(field, "“%s”应在%s之间，实为%s", []any{s.ZH, s.Range("zh"), str}, "%s must lie from %s, got %s", []any{s.EN, s.Range("en"), str})
		}
	case KindWhole, KindFen:
		n, err := paramInt(v)
		if err != nil {
			return invalid(field, "“%s”应为整数", []any{s.ZH}, "%s must be a whole number", []any{s.EN})
		}
		if n < s.Min || n > s.Max {
			unitZH, unitEN, got := s.UnitZH, s.UnitEN, strconv.Itoa(n)
			if s.Kind == KindFen {
				got = yuan(money.Fen(n))
			}
			return invalid(field, "“%s”应在%s%s之间，实为%s", []any{s.ZH, s.Range("zh"), unitZH, got}, "%s must be %s %s, got %s", []any{s.EN, s.Range("en"), unitEN, got})
		}
	}
	return nil
}

// paramRef finds the parameters an expression or a text names.
var paramRef = regexp.MustCompile(`\bP\.([a-z][a-z0-9_]*)`)

// reads reports whether the program uses parameter name: a general
// setting, or a parameter its conditions, tier, increments or texts name.
func (p *program) reads(name string) bool {
	if s, ok := paramIndex[name]; ok && s.General {
		return true
	}
	switch {
	case p.accrual == AccrualClaim && (name == "start_date" || name == "claims" || name == "max_age"):
		return true
	case p.accrual == AccrualOnce && name == "amount_fen":
		return true
	}
	var srcs []string
	for _, c := range p.clauses {
		srcs = append(srcs, c.Expr, c.Text, c.TextEN)
	}
	srcs = append(srcs, p.def.tier)
	for _, in := range p.increments {
		srcs = append(srcs, in.When, in.Text)
	}
	for _, s := range srcs {
		for _, m := range paramRef.FindAllStringSubmatch(s, -1) {
			if m[1] == name {
				return true
			}
		}
	}
	return false
}

// ParamSchema lists the parameters a program takes, in declaration order:
// the general settings and those its rules name.
func (p *program) paramSchema() []ParamSpec {
	var out []ParamSpec
	for _, s := range Params {
		if !s.Family && p.reads(s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// FamilyParams lists the parameters set for a region (family readings).
func FamilyParams() []ParamSpec {
	var out []ParamSpec
	for _, s := range Params {
		if s.Family {
			out = append(out, s)
		}
	}
	return out
}

// ParamField is a parameter as a rules form shows it: its declaration,
// the value in force and the layer that set it ("" for the default).
type ParamField struct {
	ParamSpec
	Value any    `json:"value"`
	Layer string `json:"layer"`
}

// ProgramSchema is a program's part of the rules form: its parameters
// (those its rules use), with their values in force.
type ProgramSchema struct {
	Code   string       `json:"code"`
	Name   string       `json:"name"`
	NameEN string       `json:"name_en,omitempty"`
	Params []ParamField `json:"params"`
}

// Schema is the rules form of a county in a year: the region's family
// readings and each program's parameters, with the values in force.
type Schema struct {
	County   string          `json:"county"`
	Year     int             `json:"year"`
	Version  string          `json:"version"`
	Family   []ParamField    `json:"family_params"`
	Programs []ProgramSchema `json:"programs"`
}

// Schema returns the rules form of county in year: every parameter a
// program in force takes, declared in Params, with the value in force.
func (e *Evaluator) Schema(county string, year int) (*Schema, error) {
	in, err := e.InForce(county, year)
	if err != nil {
		return nil, err
	}
	rs, err := e.rules(county, year)
	if err != nil {
		return nil, err
	}
	out := &Schema{County: county, Year: year, Version: rs.version, Family: []ParamField{}, Programs: []ProgramSchema{}}
	for _, f := range in.Family {
		if s, ok := paramIndex[f.Name]; ok {
			out.Family = append(out.Family, ParamField{ParamSpec: *s, Value: f.Value, Layer: f.Layer})
		}
	}
	for _, p := range rs.programs {
		ps := ProgramSchema{Code: p.code, Name: p.name, NameEN: p.nameEN, Params: []ParamField{}}
		for _, s := range p.paramSchema() {
			v, ok := p.params[s.Name]
			if !ok {
				v = defaultValue(p, s.Name)
			}
			ps.Params = append(ps.Params, ParamField{ParamSpec: s, Value: v, Layer: p.def.origin["params."+s.Name]})
		}
		out.Programs = append(out.Programs, ps)
	}
	return out, nil
}

// defaultValue is the value a program has for a parameter no layer set:
// the engine's default for the settings, nothing otherwise.
func defaultValue(p *program, name string) any {
	switch name {
	case "accrual":
		return p.accrual
	case "exit_timing":
		return p.exit
	case "age_rule":
		return p.ageRule
	}
	return nil
}

// FormText renders value v of the parameter as a form field holds it: an
// amount in yuan, a date as YYYY-MM-DD, a choice by its code, "true" or
// "false"; "" for no value.
func (s ParamSpec) FormText(v any) string {
	if v == nil {
		return ""
	}
	switch s.Kind {
	case KindFen:
		if n, err := paramInt(v); err == nil {
			return money.Fen(n).String()
		}
	case KindWhole:
		if n, err := paramInt(v); err == nil {
			return strconv.Itoa(n)
		}
	case KindYesNo:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b)
		}
	}
	return fmt.Sprint(v)
}

// Parse reads the text of a form field for the parameter (as FormText
// writes it) and checks the value: the error names field and says, in
// words, what the field takes.
func (s ParamSpec) Parse(field, text string) (any, error) {
	text = strings.TrimSpace(text)
	var v any
	switch s.Kind {
	case KindWhole:
		n, err := strconv.Atoi(text)
		if err != nil {
			return nil, invalid(field, "“%s”应为整数", []any{s.ZH}, "%s must be a whole number", []any{s.EN})
		}
		v = n
	case KindFen:
		f, err := money.ParseYuan(text)
		if err != nil {
			return nil, invalid(field, "“%s”应为金额（元），如120或120.50", []any{s.ZH}, "%s must be an amount in yuan such as 120 or 120.50", []any{s.EN})
		}
		v = int(f)
	case KindYesNo:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return nil, invalid(field, "“%s”应为“是”或“否”", []any{s.ZH}, "%s must be yes or no", []any{s.EN})
		}
		v = b
	default:
		v = text
	}
	if err := s.Check(field, v); err != nil {
		return nil, err
	}
	return v, nil
}
