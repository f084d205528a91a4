package policy

import (
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/term"
)

// factWords name, in Chinese and English, the facts clause texts show in
// braces ({age}), for a reader of the rules rather than of one decision.
var factWords = map[string][2]string{
	"year":                   {"年度", "the year"},
	"age":                    {"年龄", "age"},
	"birth":                  {"出生日期", "date of birth"},
	"birth_year":             {"出生年份", "year of birth"},
	"death":                  {"死亡日期", "date of death"},
	"wife_age":               {"女方年龄", "the woman's age"},
	"confirmation_year":      {"资格确认年度", "year of confirmation"},
	"retirement_year":        {"退休年份", "year of retirement"},
	"employer":               {"退休单位", "employer at retirement"},
	"complication_grade":     {"并发症等级", "complication grade"},
	"entitled_months":        {"可享受月数", "months of entitlement"},
	"claim_index":            {"申领次数", "claim number"},
	"claim_months":           {"本次申领月数", "months of this claim"},
	"ever_children":          {"曾生育或收养子女数", "children ever born or adopted"},
	"ever_daughters":         {"曾生育或收养女孩数", "daughters ever born or adopted"},
	"ever_born":              {"曾生育子女数", "children ever born"},
	"surviving":              {"现存子女数", "surviving children"},
	"surviving_daughters":    {"现存女孩数", "surviving daughters"},
	"violations":             {"政策外生育次数", "out-of-policy births"},
	"child_disability_grade": {"子女伤残等级", "the child's disability grade"},
	"child_age":              {"最小子女年龄", "the youngest child's age"},
	"child_months_old":       {"最小子女月龄", "the youngest child's age in months"},
	"sterilisation_date":     {"绝育手术日期", "date of sterilisation"},
	"last_child":             {"最后一次生育或收养日期", "date of the last birth or adoption"},
	"last_child_birth":       {"最小子女出生日期", "the youngest child's date of birth"},
	"certificate_issued":     {"独生子女证领证日期", "date of the one-child certificate"},
	"contraception_method":   {"节育措施", "contraceptive method"},
	"contraception_date":     {"节育手术日期", "date of the contraceptive operation"},
	"children_admitted":      {"子女考入本科人数", "children admitted to university"},
	"daughters_admitted":     {"女儿考入本科人数", "daughters admitted to university"},
}

// Statement turns a clause's explanation text into a statement of the
// condition for a reader of the rules (lang "zh" or "en"): the holding
// branch of {?holds|fails}; a parameter {P.min_age} as its value in
// params when set there (60, 1933年1月1日), else as its label in brackets
// (〔领取年龄〕); a fact {age} as its name in brackets (〔年龄〕). No name
// of the rule language is left in it.
func Statement(text string, params map[string]any, lang string) string {
	open, close := "〔", "〕"
	if lang == "en" {
		open, close = "[", "]"
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := matching(text[i:])
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		name := text[i+1 : i+j]
		text = text[i+j+1:]
		switch {
		case strings.HasPrefix(name, "?"):
			// The branches may hold placeholders of their own.
			holds := name[1:]
			depth := 0
			for k, c := range holds {
				if c == '{' {
					depth++
				} else if c == '}' {
					depth--
				} else if c == '|' && depth == 0 {
					holds = holds[:k]
					break
				}
			}
			b.WriteString(Statement(holds, params, lang))
		case strings.HasPrefix(name, "P."):
			k := name[2:]
			s, declared := paramIndex[k]
			v, set := params[k]
			switch {
			case set && declared && s.Kind == KindDate:
				str, _ := v.(string)
				if d, err := date.Parse(str); err == nil && lang != "en" {
					str = d.Chinese()
				}
				b.WriteString(str)
			case set && declared && s.Kind == KindWhole:
				if n, err := paramInt(v); err == nil {
					b.WriteString(strconv.Itoa(n))
				}
			case set:
				b.WriteString(ParamValue(k, v, lang))
			case declared:
				b.WriteString(open + s.Label(lang) + close)
			default:
				b.WriteString(open + k + close)
			}
		default:
			w, ok := factWords[name]
			if !ok {
				b.WriteString(open + name + close)
				continue
			}
			if lang == "en" {
				b.WriteString(open + w[1] + close)
			} else {
				b.WriteString(open + w[0] + close)
			}
		}
	}
}

// matching returns the index of the brace that closes the one text
// starts with, or -1.
func matching(text string) int {
	depth := 0
	for k, c := range text {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// RateTiers name the rate tiers the embedded rules' tier expressions
// give: the grades of a surgical complication, the hukou, the birth order.
var RateTiers = term.List{
	{Code: "g1", ZH: "一级", EN: "grade 1"},
	{Code: "g2", ZH: "二级", EN: "grade 2"},
	{Code: "g3", ZH: "三级", EN: "grade 3"},
	{Code: "rural", ZH: "农村户籍", EN: "rural hukou"},
	{Code: "urban", ZH: "城镇户籍", EN: "urban hukou"},
	{Code: "first", ZH: "一孩", EN: "first child"},
	{Code: "later", ZH: "二孩及以上", EN: "second child or later"},
}
