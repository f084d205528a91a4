package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// maxCaseBytes bounds a case file; a family is a few kilobytes.
const maxCaseBytes = 1 << 20

// ParseCase reads and validates a case file (design §4). Every error is an
// apperr Invalid error naming the field at fault, e.g. "persons[2].birth".
// Programs named in confirmations must exist in the case's county and
// year under ev's rules (nil means the embedded rules).
func ParseCase(r io.Reader, ev *Evaluator) (*Case, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxCaseBytes+1))
	if err != nil {
		return nil, apperr.Invalidf("", "无法读取测算文件：%v", "cannot read the case file: %v", err)
	}
	if len(b) > maxCaseBytes {
		return nil, apperr.Invalidf("", "测算文件过大（最多1MB）", "the case file is too large (at most 1 MB)")
	}
	// Dates first, on the generic tree, so that a bad one is reported
	// with its place.
	var raw any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, jsonError(b, err, caseText)
	}
	top, ok := raw.(map[string]any)
	if !ok {
		return nil, apperr.Invalidf("", "测算文件应为JSON对象", "the case file must be a JSON object")
	}
	if err := checkDates(top); err != nil {
		return nil, err
	}
	if reg, ok := top["registration"].(map[string]any); ok {
		if err := checkObjDates(reg, "registration", []string{"on"}); err != nil {
			return nil, err
		}
		if ap, ok := reg["approval"].(map[string]any); ok {
			if err := checkObjDates(ap, "registration.approval", []string{"issued"}); err != nil {
				return nil, err
			}
		}
	}
	var c Case
	dec = json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, jsonError(b, err, caseText)
	}
	if ev == nil {
		if ev, err = defaultEvaluator(); err != nil {
			return nil, err
		}
	}
	if err := c.validate(ev); err != nil {
		return nil, err
	}
	return &c, nil
}

func defaultEvaluator() (*Evaluator, error) {
	defaultOnce.Do(func() { defaultEval, defaultErr = NewEvaluator(Options{Explain: true}) })
	return defaultEval, defaultErr
}

// dateFields lists, per array of the case file, its date fields.
var dateFields = map[string][]string{
	"persons":           {"birth", "death"},
	"hukou":             {"from", "to"},
	"marriages":         {"from", "to"},
	"children":          {"from"},
	"disabilities":      {"from", "to"},
	"certificates":      {"issued", "cancelled"},
	"complications":     {"from", "to"},
	"confirmations":     {"applied", "confirmed"},
	"retirements":       {"date"},
	"contraception":     {"date"},
	"birth_permissions": {"issued"},
	"pensions":          {"enrolled", "ended", "drawing"},
	"admissions":        {"date"},
}

func checkDates(top map[string]any) error {
	for _, arr := range []string{"persons", "marriages", "children", "disabilities", "certificates", "complications", "confirmations", "retirements",
		"contraception", "birth_permissions", "pensions", "admissions"} {
		items, _ := top[arr].([]any)
		for i, it := range items {
			obj, _ := it.(map[string]any)
			if err := checkObjDates(obj, fmt.Sprintf("%s[%d]", arr, i), dateFields[arr]); err != nil {
				return err
			}
			if arr == "persons" {
				hs, _ := obj["hukou"].([]any)
				for j, h := range hs {
					ho, _ := h.(map[string]any)
					if err := checkObjDates(ho, fmt.Sprintf("persons[%d].hukou[%d]", i, j), dateFields["hukou"]); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func checkObjDates(obj map[string]any, at string, fields []string) error {
	for _, f := range fields {
		v, present := obj[f]
		if !present || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return apperr.Invalidf(at+"."+f, "日期应为\"YYYY-MM-DD\"字符串", "a date must be a \"YYYY-MM-DD\" string")
		}
		if _, err := date.Parse(s); err != nil {
			return apperr.Invalidf(at+"."+f, "日期%q无效（应为真实的YYYY-MM-DD日期）", "date %q is invalid (want a real YYYY-MM-DD day)", s)
		}
	}
	return nil
}

// validate checks what the types alone cannot: references, enumerations,
// the order of dates, ID numbers, the region and program codes.
func (c *Case) validate(ev *Evaluator) error {
	if c.Year < 2004 || c.Year > 2100 {
		return apperr.Invalidf("year", "年度应在2004–2100之间", "year must be between 2004 and 2100")
	}
	code, err := region.ParseCode(c.Region)
	if err != nil || len(code) != 6 || code.Level() != region.County {
		return apperr.Invalidf("region", "区划代码%q不是县级代码", "region %q is not a county-level code", c.Region)
	}
	if _, ok := region.Default().Lookup(code); !ok {
		return apperr.Invalidf("region", "区划代码%s不存在", "region %s does not exist", c.Region)
	}
	c.Region = string(code)
	if len(c.Persons) == 0 {
		return apperr.Invalidf("persons", "至少需要一个人", "at least one person is needed")
	}
	refs := map[string]int{}
	for i, p := range c.Persons {
		at := fmt.Sprintf("persons[%d]", i)
		if p.Ref == "" {
			return apperr.Invalidf(at+".ref", "缺少人员标识", "the ref is missing")
		}
		if _, dup := refs[p.Ref]; dup {
			return apperr.Invalidf(at+".ref", "人员标识%s重复", "ref %s appears twice", p.Ref)
		}
		refs[p.Ref] = i
		if p.Sex != registry.Male && p.Sex != registry.Female {
			return apperr.Invalidf(at+".sex", "性别应为M或F", "sex must be M or F")
		}
		if p.Birth.IsZero() {
			return apperr.Invalidf(at+".birth", "缺少出生日期", "the birth date is missing")
		}
		if p.Birth.Year() > c.Year {
			return apperr.Invalidf(at+".birth", "出生日期晚于测算年度", "born after the benefit year")
		}
		if !p.Death.IsZero() && p.Death.Before(p.Birth) {
			return apperr.Invalidf(at+".death", "死亡日期早于出生日期", "death before birth")
		}
		if p.IDNumber != "" {
			n, err := idcard.Parse(p.IDNumber)
			if err != nil {
				var ie *idcard.Error
				zh := err.Error()
				if errors.As(err, &ie) {
					zh = ie.Chinese()
				}
				return &apperr.Error{Kind: apperr.Invalid, Field: at + ".id_number", ZH: zh, EN: err.Error(), Err: err}
			}
			yy, mm, dd := n.Birth()
			if date.Of(yy, mm, dd) != p.Birth {
				return apperr.Invalidf(at+".birth", "出生日期与身份证号不一致", "the birth date does not match the ID number")
			}
			if n.Sex() != p.Sex {
				return apperr.Invalidf(at+".sex", "性别与身份证号不一致", "the sex does not match the ID number")
			}
		}
		if p.Region != "" {
			if _, err := region.ParseCode(p.Region); err != nil {
				return apperr.Invalidf(at+".region", "区划代码%q无效", "region %q is not a division code", p.Region)
			}
		}
		switch p.Pension {
		case "", registry.PensionNone, registry.PensionUrbanEmployee, registry.PensionResident:
		default:
			return apperr.Invalidf(at+".pension", "养老保险类型应为none、urban_employee或resident", "pension must be none, urban_employee or resident")
		}
		for j, h := range p.Hukou {
			hat := fmt.Sprintf("%s.hukou[%d]", at, j)
			if h.Type != registry.Rural && h.Type != registry.Urban {
				return apperr.Invalidf(hat+".type", "户口性质应为rural或urban", "hukou type must be rural or urban")
			}
			if h.Reason != "" && h.Reason != "land_requisition" {
				return apperr.Invalidf(hat+".reason", "变更原因只能是land_requisition", "reason can only be land_requisition")
			}
			if !h.To.IsZero() && !h.From.IsZero() && h.To.Before(h.From) {
				return apperr.Invalidf(hat+".to", "结束日期早于开始日期", "ends before it begins")
			}
			if h.Region != "" {
				if _, err := region.ParseCode(h.Region); err != nil {
					return apperr.Invalidf(hat+".region", "区划代码无效", "invalid division code")
				}
			}
		}
	}
	ref := func(field, r string) error {
		if _, ok := refs[r]; !ok {
			return apperr.Invalidf(field, "未知人员%q", "unknown person %q", r)
		}
		return nil
	}
	span := func(field string, from, to date.Date) error {
		if !from.IsZero() && !to.IsZero() && to.Before(from) {
			return apperr.Invalidf(field, "结束日期早于开始日期", "ends before it begins")
		}
		return nil
	}
	for i, m := range c.Marriages {
		at := fmt.Sprintf("marriages[%d]", i)
		if err := errors.Join(ref(at+".a", m.A), ref(at+".b", m.B), span(at+".to", m.From, m.To)); err != nil {
			return firstErr(err)
		}
		if m.A == m.B {
			return apperr.Invalidf(at+".b", "不能与本人结婚", "a person cannot marry themselves")
		}
		if m.From.IsZero() {
			return apperr.Invalidf(at+".from", "缺少结婚日期", "the marriage date is missing")
		}
		if !slices.Contains([]string{"", registry.EndDivorce, registry.EndDeath}, m.End) {
			return apperr.Invalidf(at+".end", "婚姻结束原因应为divorce或death", "end must be divorce or death")
		}
	}
	for i, t := range c.Children {
		at := fmt.Sprintf("children[%d]", i)
		if err := errors.Join(ref(at+".parent", t.Parent), ref(at+".child", t.Child)); err != nil {
			return firstErr(err)
		}
		if t.Parent == t.Child {
			return apperr.Invalidf(at+".child", "子女不能是本人", "a person cannot be their own child")
		}
		if !slices.Contains([]string{registry.Birth, registry.Adoption, registry.AdoptionDeFacto, registry.Step}, t.Kind) {
			return apperr.Invalidf(at+".kind", "子女关系应为birth、adoption、adoption_defacto或step", "kind must be birth, adoption, adoption_defacto or step")
		}
		if t.Kind == registry.Birth {
			par, ch := c.Persons[refs[t.Parent]], c.Persons[refs[t.Child]]
			if !ch.Birth.After(par.Birth) {
				return apperr.Invalidf(at+".child", "子女出生早于父母", "the child is born before the parent")
			}
		}
		switch t.Ruling {
		case "":
		case registry.RulingCounted, registry.RulingNotCounted:
			if t.Kind != registry.AdoptionDeFacto {
				return apperr.Invalidf(at+".ruling", "只有事实收养才需要认定", "only a de-facto adoption takes a ruling")
			}
		default:
			return apperr.Invalidf(at+".ruling", "认定应为counted或not_counted", "ruling must be counted or not_counted")
		}
	}
	for i, d := range c.Disabilities {
		at := fmt.Sprintf("disabilities[%d]", i)
		if err := errors.Join(ref(at+".person", d.Person), span(at+".to", d.From, d.To)); err != nil {
			return firstErr(err)
		}
		if d.Grade < 1 || d.Grade > 4 {
			return apperr.Invalidf(at+".grade", "残疾等级应为1–4", "grade must be 1–4")
		}
		if d.From.IsZero() {
			return apperr.Invalidf(at+".from", "缺少评定日期", "the assessment date is missing")
		}
	}
	for i, x := range c.Certificates {
		at := fmt.Sprintf("certificates[%d]", i)
		if err := errors.Join(ref(at+".holder", x.Holder), span(at+".cancelled", x.Issued, x.Cancelled)); err != nil {
			return firstErr(err)
		}
		if x.Kind != registry.CertOneChild && x.Kind != CertSterilisation {
			return apperr.Invalidf(at+".kind", "证明类型应为one_child或sterilisation", "kind must be one_child or sterilisation")
		}
		if x.Issued.IsZero() {
			return apperr.Invalidf(at+".issued", "缺少发证日期", "the issue date is missing")
		}
	}
	for i, x := range c.Complications {
		at := fmt.Sprintf("complications[%d]", i)
		if err := errors.Join(ref(at+".person", x.Person), span(at+".to", x.From, x.To)); err != nil {
			return firstErr(err)
		}
		if x.Grade < 1 || x.Grade > 3 {
			return apperr.Invalidf(at+".grade", "并发症等级应为1–3", "grade must be 1–3")
		}
		if x.From.IsZero() {
			return apperr.Invalidf(at+".from", "缺少鉴定日期", "the assessment date is missing")
		}
	}
	for i, x := range c.Contraception {
		at := fmt.Sprintf("contraception[%d]", i)
		if err := ref(at+".person", x.Person); err != nil {
			return err
		}
		if !slices.Contains([]string{registry.MaleSterilisation, registry.FemaleSterilisation, registry.IUD, registry.Implant}, x.Method) {
			return apperr.Invalidf(at+".method", "节育措施应为male_sterilisation、female_sterilisation、iud或implant",
				"method must be male_sterilisation, female_sterilisation, iud or implant")
		}
		if x.Date.IsZero() {
			return apperr.Invalidf(at+".date", "缺少手术日期", "the operation date is missing")
		}
	}
	for i, x := range c.Permissions {
		at := fmt.Sprintf("birth_permissions[%d]", i)
		if err := ref(at+".holder", x.Holder); err != nil {
			return err
		}
		if x.Kind != registry.PermitSecondBirth {
			return apperr.Invalidf(at+".kind", "审批类型应为second_birth", "kind must be second_birth")
		}
		if x.Issued.IsZero() {
			return apperr.Invalidf(at+".issued", "缺少审批日期", "the date of the permission is missing")
		}
	}
	for i, x := range c.Pensions {
		at := fmt.Sprintf("pensions[%d]", i)
		if err := errors.Join(ref(at+".person", x.Person), span(at+".ended", x.Enrolled, x.Ended), span(at+".drawing", x.Enrolled, x.Drawing)); err != nil {
			return firstErr(err)
		}
		if x.Scheme != registry.PensionResident && x.Scheme != registry.PensionUrbanEmployee {
			return apperr.Invalidf(at+".scheme", "养老保险类型应为resident或urban_employee", "scheme must be resident or urban_employee")
		}
		if x.Enrolled.IsZero() {
			return apperr.Invalidf(at+".enrolled", "缺少参保日期", "the enrolment date is missing")
		}
		if x.Region != "" {
			if code, err := region.ParseCode(x.Region); err != nil || len(code) < 6 {
				return apperr.Invalidf(at+".region", "区划代码%q无效", "region %q is not a division code", x.Region)
			}
		}
	}
	for i, x := range c.Admissions {
		at := fmt.Sprintf("admissions[%d]", i)
		if err := ref(at+".person", x.Person); err != nil {
			return err
		}
		if x.Level != registry.Bachelor && x.Level != registry.College {
			return apperr.Invalidf(at+".level", "录取层次应为bachelor或college", "level must be bachelor or college")
		}
		if x.Date.IsZero() {
			return apperr.Invalidf(at+".date", "缺少录取日期", "the admission date is missing")
		}
	}
	programs, err := ev.Programs(c.Region, c.Year)
	if err != nil {
		return err
	}
	for i, x := range c.Confirmations {
		at := fmt.Sprintf("confirmations[%d]", i)
		if err := errors.Join(ref(at+".person", x.Person), span(at+".confirmed", x.Applied, x.Confirmed)); err != nil {
			return firstErr(err)
		}
		if !slices.Contains(programs, x.Program) {
			return apperr.Invalidf(at+".program", "项目%q在本地区不存在", "program %q does not exist in this region", x.Program)
		}
	}
	for i, x := range c.Retirements {
		at := fmt.Sprintf("retirements[%d]", i)
		if err := ref(at+".person", x.Person); err != nil {
			return err
		}
		if x.Date.IsZero() {
			return apperr.Invalidf(at+".date", "缺少退休日期", "the retirement date is missing")
		}
		if !slices.Contains([]string{"", "enterprise", "institution", "government"}, x.Employer) {
			return apperr.Invalidf(at+".employer", "单位类型应为enterprise、institution或government", "employer must be enterprise, institution or government")
		}
	}
	if q := c.Registration; q != nil {
		for field, r := range map[string]string{"registration.mother": q.Mother, "registration.father": q.Father} {
			if r != "" {
				if err := ref(field, r); err != nil {
					return err
				}
			}
		}
		for i, r := range q.Exclude {
			if err := ref(fmt.Sprintf("registration.exclude[%d]", i), r); err != nil {
				return err
			}
		}
		switch {
		case q.Mother == "" && q.Father == "":
			return apperr.Invalidf("registration.mother", "至少需要父母一方", "at least one parent is needed")
		case q.On.IsZero():
			return apperr.Invalidf("registration.on", "缺少登记日期", "the day of the registration is missing")
		case q.Expected < 0 || q.Expected > 9:
			return apperr.Invalidf("registration.expected", "本次生育的子女数应为1–9", "the children of the birth must number 1–9")
		case q.Approval != nil && (q.Approval.Parity < 1 || q.Approval.Issued.IsZero()):
			return apperr.Invalidf("registration.approval", "再生育审批须有批准日期和准予生育的孩次", "a re-birth approval needs its day and the child it allows")
		}
	}
	// Parameters: resolve now so a bad one is reported as input.
	rs, err := ev.rules(c.Region, c.Year)
	if err != nil {
		return err
	}
	if _, err := rs.withParams(c.Params); err != nil {
		return err
	}
	return nil
}

func firstErr(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()[0]
	}
	return err
}
