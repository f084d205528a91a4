package policy

import (
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// TestLayerParams checks the parameters a layer sets against their
// declarations: a misspelt name is refused naming the field and the
// parameter meant, a value out of range or of the wrong kind is refused
// with the range, a parameter the program's rules do not use or a family
// reading set for one program is refused, and declared values pass.
func TestLayerParams(t *testing.T) {
	base := `{"region": "341523", "version": 7, "from": "2025-01-01", "title": "t", %s}`
	tests := []struct {
		name, body, field, zh string
	}{
		{"misspelt", `"programs": [{"code": "jf", "params": {"min_agee": 61}}]`, "programs[0].params.min_agee", "没有名为“min_agee”的参数，是否应为“min_age”（领取年龄）？"},
		{"unknown", `"programs": [{"code": "jf", "params": {"bonus_level": 3}}]`, "programs[0].params.bonus_level", "没有名为“bonus_level”的参数"},
		{"out of range", `"programs": [{"code": "jf", "params": {"min_age": 600}}]`, "programs[0].params.min_age", "“领取年龄”应在0–120周岁之间，实为600"},
		{"not a number", `"programs": [{"code": "jf", "params": {"min_age": "六十"}}]`, "programs[0].params.min_age", "“领取年龄”应为整数"},
		{"a date out of range", `"programs": [{"code": "jf", "params": {"window_to": "1850-01-01"}}]`, "programs[0].params.window_to", "“政策生育期截止日”应在1900-01-01 至 2100-12-31之间"},
		{"a bad choice", `"programs": [{"code": "jf", "params": {"accrual": "weekly"}}]`, "programs[0].params.accrual", "“发放方式”应为以下之一：按年发放"},
		{"not used by the program", `"programs": [{"code": "jf", "params": {"child_age_limit": 16}}]`, "programs[0].params.child_age_limit", "“农村部分计划生育家庭奖励扶助”的规则不使用参数“独生子女年龄上限”"},
		{"a family reading for one program", `"programs": [{"code": "jf", "params": {"remarriage": "individual"}}]`, "programs[0].params.remarriage", "只能对整个地区设置"},
		{"a region parameter misspelt", `"params": {"remariage": "individual"}`, "params.remariage", "是否应为“remarriage”"},
		{"a region parameter out of range", `"params": {"min_age": -1}`, "params.min_age", "“领取年龄”应在0–120周岁之间"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLayer([]byte(strings.Replace(base, "%s", tt.body, 1)))
			if err != nil {
				t.Fatal(err)
			}
			e, ok := apperr.As(ValidateRuleSet(l, nil))
			if !ok || e.Kind != apperr.Invalid || e.Field != tt.field || !strings.Contains(e.ZH, tt.zh) {
				t.Errorf("got %#v, want field %s and %q", e, tt.field, tt.zh)
			}
		})
	}
	for _, body := range []string{
		`"programs": [{"code": "jf", "params": {"min_age": 61, "accrual": "half_year"}}]`,
		`"params": {"remarriage": "individual", "min_age": 62}`,
		`"programs": [{"code": "one_child_fee", "params": {"child_age_limit": 18}}]`,
	} {
		l, err := ParseLayer([]byte(strings.Replace(base, "%s", body, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateRuleSet(l, nil); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

// TestParseLayerMessages checks that a malformed rule text is refused in
// plain words naming the place or the field, never with the decoder's
// own text.
func TestParseLayerMessages(t *testing.T) {
	tests := []struct{ text, field, zh string }{
		{`{"region": "341523", "version": 2`, "rules", "规则文本不完整"},
		{`{"region": "341523",, "version": 2}`, "rules", "第1行第21列格式有误"},
		{"{\n\"region\": \"341523\",\n\"version\": x}", "rules", "第3行第12列"},
		{`{"region": "341523", "versoin": 2}`, "rules", "规则文本中没有名为“versoin”的字段"},
		{`{"region": "341523", "version": "2"}`, "version", "字段“version”应为数字"},
		{`{"region": "341523", "from": "2024-13-01"}`, "rules", "日期应写作2024-01-01"},
		{``, "rules", "规则文本不完整"},
	}
	for _, tt := range tests {
		_, err := ParseLayer([]byte(tt.text))
		e, ok := apperr.As(err)
		if !ok || e.Field != tt.field || !strings.Contains(e.ZH, tt.zh) {
			t.Errorf("%q: got %#v, want field %s and %q", tt.text, err, tt.field, tt.zh)
		}
		for _, leak := range []string{"EOF", "json", "invalid character", "unmarshal"} {
			if ok && (strings.Contains(e.ZH, leak) || strings.Contains(e.EN, leak)) {
				t.Errorf("%q: the message %q / %q shows %q", tt.text, e.ZH, e.EN, leak)
			}
		}
	}
}

// TestStatement checks that every clause text of the embedded rules reads
// as a statement with no name of the rule language left in it, and one
// example in full.
func TestStatement(t *testing.T) {
	got := Statement("{year} − {birth_year} = {age} {?≥|<} {P.min_age}（年底年龄规则），出生日期不早于{P.birth_cutoff}", map[string]any{"min_age": 60}, "zh")
	if want := "〔年度〕 − 〔出生年份〕 = 〔年龄〕 ≥ 60（年底年龄规则），出生日期不早于〔出生日期下限〕"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	layers, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		for _, p := range l.Programs {
			for _, c := range p.Clauses {
				for _, lang := range []string{"zh", "en"} {
					text := c.Text
					if lang == "en" && c.TextEN != "" {
						text = c.TextEN
					}
					s := Statement(text, p.Params, lang)
					if strings.ContainsAny(s, "{}") || paramRef.MatchString(s) || strings.Contains(s, "_") {
						t.Errorf("%s %s %s (%s): %q", l.Region, p.Code, c.ID, lang, s)
					}
				}
			}
		}
	}
}

// TestRateTiersNamed checks that every rate tier of the embedded rules
// has a name.
func TestRateTiersNamed(t *testing.T) {
	layers, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		for _, p := range l.Programs {
			for _, r := range p.Rates {
				if r.Tier != "" && !RateTiers.Has(r.Tier) {
					t.Errorf("%s %s: tier %q has no name", l.Region, p.Code, r.Tier)
				}
			}
		}
	}
}

// TestParseCaseMessages checks that a malformed case file is refused in
// plain words too.
func TestParseCaseMessages(t *testing.T) {
	for text, want := range map[string]string{
		`{"year": 2024,`:                 "测算文件不完整",
		`{"year": 2024,, "persons": []}`: "测算文件第1行第15列格式有误",
		`{"year": "2024"}`:               "字段“year”应为数字",
		`{"yaer": 2024}`:                 "测算文件中没有名为“yaer”的字段",
	} {
		_, err := ParseCase(strings.NewReader(text), nil)
		e, ok := apperr.As(err)
		if !ok || !strings.Contains(e.ZH, want) || strings.Contains(e.ZH+e.EN, "json") || strings.Contains(e.ZH+e.EN, "EOF") {
			t.Errorf("%s: %v, want %q", text, err, want)
		}
	}
}
