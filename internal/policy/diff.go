package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/term"
)

// DiffLine is one line of the side-by-side comparison of two rule
// layers: what the line is about, in words, and its value in each layer
// ("" where the layer does not have it).
type DiffLine struct {
	Key     string `json:"key"`   // stable identity: "programs.jf.params.min_age"
	Label   string `json:"label"` // in words: "农村部分计划生育家庭奖励扶助 · 领取年龄"
	A       string `json:"a"`
	B       string `json:"b"`
	Changed bool   `json:"changed"`
}

// Diff compares layers a and b line by line, in the reader's words
// (lang "zh" or "en"): title, effective date, documents, region
// parameters, and for each program its parameters (label and unit),
// clauses, rates, increments and funding. programs names the programs
// (ProgramsOf the rules in force). Lines follow a's order, then those
// only b has.
func Diff(a, b *Layer, programs term.List, lang string) []DiffLine {
	la, lb := flatten(a, programs, lang), flatten(b, programs, lang)
	byKey := map[string]int{}
	var out []DiffLine
	for _, x := range la {
		byKey[x.Key] = len(out)
		out = append(out, DiffLine{Key: x.Key, Label: x.Label, A: x.A})
	}
	for _, x := range lb {
		if i, ok := byKey[x.Key]; ok {
			out[i].B = x.A
			continue
		}
		out = append(out, DiffLine{Key: x.Key, Label: x.Label, B: x.A})
	}
	for i := range out {
		out[i].Changed = out[i].A != out[i].B
	}
	return out
}

// flatten lists the lines of one layer with their values in A.
func flatten(l *Layer, programs term.List, lang string) []DiffLine {
	en := lang == "en"
	w := func(zh, english string) string {
		if en {
			return english
		}
		return zh
	}
	day := func(d date.Date) string {
		if en {
			return d.String()
		}
		return d.Chinese()
	}
	var out []DiffLine
	add := func(key, label, v string) { out = append(out, DiffLine{Key: key, Label: label, A: v}) }
	add("title", w("标题", "Title"), l.Title)
	add("from", w("生效日期", "In force from"), day(l.From))
	docs := map[string]Document{}
	for _, d := range l.Documents {
		docs[d.ID] = d
		add("documents."+d.ID, w("依据文件", "Document"), d.Citation(lang))
	}
	cite := func(ids string) string {
		var s []string
		for _, id := range docIDs(ids) {
			if d, ok := docs[id]; ok {
				s = append(s, d.Citation(lang))
			}
		}
		return strings.Join(s, w("；", "; "))
	}
	for _, k := range sortedKeys(l.Params) {
		add("params."+k, w("全地区", "Whole region")+" · "+paramLabel(k, lang), ParamValue(k, l.Params[k], lang))
	}
	for _, p := range l.Programs {
		name := programs.Name(p.Code, lang)
		if p.Name != "" {
			name = p.Name
			if en && p.NameEN != "" {
				name = p.NameEN
			}
		}
		key := "programs." + p.Code
		if p.Remove {
			add(key+".remove", name, w("本地区停止执行", "switched off in this region"))
			continue
		}
		if p.Doc != "" {
			add(key+".doc", name+" · "+w("依据文件", "Document"), cite(p.Doc))
		}
		for _, k := range sortedKeys(p.Params) {
			add(key+".params."+k, name+" · "+paramLabel(k, lang), ParamValue(k, p.Params[k], lang))
		}
		for _, c := range p.Clauses {
			v := c.Text
			if en && c.TextEN != "" {
				v = c.TextEN
			}
			if c.Drop {
				v = w("删除此条件", "condition removed")
			}
			add(key+".clauses."+c.ID, name+" · "+w("条件", "Condition"), v)
		}
		for _, r := range p.Rates {
			k := key + ".rates." + r.From.String() + "." + r.Tier
			label := name + " · " + w("发放标准", "Rate")
			if r.Tier != "" {
				label += "（" + RateTiers.Name(r.Tier, lang) + "）"
			}
			add(k, label+" · "+day(r.From), yuanPer(r.Fen, r.Per, lang))
		}
		for _, in := range p.Increments {
			v := yuanPer(in.Fen, in.Per, lang)
			if in.PctOfBase > 0 {
				v = fmt.Sprintf(w("基础标准的%d%%", "%d%% of the base standard"), in.PctOfBase)
			}
			v += w("，", ", ") + FundingLevels.Name(in.Payer, lang) + w("负担", " pays") + w("，自", ", from ") + day(in.From)
			if !in.To.IsZero() {
				v += w("至", " to ") + day(in.To)
			}
			label := name + " · " + w("提标", "Increment")
			if in.Text != "" {
				label += " · " + in.Text
			}
			add(key+".increments."+in.ID, label, v)
		}
		if p.Funding != nil {
			var parts []string
			if p.Funding.Central {
				parts = append(parts, w("中央按档次分担", "central share by tier"))
			}
			for _, lv := range FundingLevels[1:] {
				if pct, ok := p.Funding.Local[lv.Code]; ok {
					parts = append(parts, lv.Name(lang)+" "+strconv.Itoa(pct)+"%")
				}
			}
			add(key+".funding", name+" · "+w("资金分担", "Funding"), strings.Join(parts, w("，", ", ")))
		}
	}
	return out
}

// paramLabel is a parameter's label in lang, with its unit.
func paramLabel(name, lang string) string {
	s, ok := paramIndex[name]
	if !ok {
		return name
	}
	if u := s.Unit(lang); u != "" && u != "%" {
		if lang == "en" {
			return s.Label(lang) + " (" + u + ")"
		}
		return s.Label(lang) + "（" + u + "）"
	}
	return s.Label(lang)
}

// ParamValue renders the value of parameter name in words: a choice by
// its name, yes or no, an amount in yuan, a number with its unit.
func ParamValue(name string, v any, lang string) string {
	s, ok := paramIndex[name]
	if !ok {
		return fmt.Sprint(v)
	}
	switch s.Kind {
	case KindChoice:
		str, _ := v.(string)
		return s.Choices.Name(str, lang)
	case KindYesNo:
		if b, _ := v.(bool); b {
			if lang == "en" {
				return "yes"
			}
			return "是"
		}
		if lang == "en" {
			return "no"
		}
		return "否"
	case KindFen:
		n, err := paramInt(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return yuan(money.Fen(n)) + " " + s.Unit(lang)
	case KindWhole:
		n, err := paramInt(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		if u := s.Unit(lang); u != "" {
			if u == "%" {
				return strconv.Itoa(n) + "%"
			}
			return strconv.Itoa(n) + " " + u
		}
		return strconv.Itoa(n)
	}
	return fmt.Sprint(v)
}

func yuanPer(f money.Fen, per, lang string) string {
	pers := map[string][2]string{"month": {"每月", "a month"}, "year": {"每年", "a year"}, "once": {"一次性", "once"}}
	p := pers[per]
	if lang == "en" {
		return yuan(f) + " yuan " + p[1]
	}
	return p[0] + yuan(f) + "元"
}

// CheckStack compiles the rules all for every layer of check, for each
// year from the layer's own to ten years on: what a change to the rules
// (a layer withdrawn) must leave working. The error names the layer and
// the field at fault.
func CheckStack(all []Layer, check ...Layer) error {
	if len(check) == 0 {
		return nil
	}
	return validateStack(slices.Clip(all), check...)
}
