package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
)

// MinBirthYear is the earliest birth year the registry takes: nobody
// whose benefits it decides was born before 1900. (ID numbers parse from
// idcard.MinBirthYear on, to read old records.)
const MinBirthYear = 1900

// MinParentAge is the youngest age at which a person can be recorded as a
// birth parent: a child born before its mother (or father) is 10 is refused.
const MinParentAge = 10

// The rules below are shared by the registry's write paths and by the
// validation of a whole Family (a case file), so that a fact refused at the
// counter is refused in a what-if calculation too.

// checkIDNumber validates an ID number against the person's birth and sex.
// It returns the canonical 18-character number.
func checkIDNumber(field, s string, birth date.Date, sex string) (string, *apperr.Error) {
	if s == "" {
		return "", nil
	}
	n, err := idcard.Parse(s)
	if err != nil {
		e := &apperr.Error{Kind: apperr.Invalid, Field: field, EN: err.Error(), ZH: err.Error(), Err: err}
		if ie, ok := err.(*idcard.Error); ok {
			e.ZH = ie.ZH
		}
		return "", e
	}
	y, m, d := n.Birth()
	if !birth.IsZero() && birth != date.Of(y, m, d) {
		return "", apperr.Invalidf(field, "身份证号中的出生日期 %04d-%02d-%02d 与出生日期 %s 不一致",
			"the birth date in the ID number, %04d-%02d-%02d, differs from the birth date %s", y, int(m), d, birth)
	}
	if sex != "" && n.Sex() != sex {
		return "", apperr.Invalidf(field, "身份证号显示的性别与登记的性别不一致", "the sex encoded in the ID number differs from the recorded sex")
	}
	return string(n), nil
}

func checkSex(field, s string) *apperr.Error {
	if s != Male && s != Female {
		if strings.TrimSpace(s) == "" {
			return apperr.Invalidf(field, "请选择性别", "choose the sex")
		}
		return apperr.Invalidf(field, "性别只能是男或女", "the sex must be male (M) or female (F), not %q", s)
	}
	return nil
}

func checkHukouType(field, s string) *apperr.Error {
	if s != Rural && s != Urban {
		return apperr.Invalidf(field, "户口性质应为 rural（农业）或 urban（非农业），实为 %q", "hukou type must be rural or urban, got %q", s)
	}
	return nil
}

func checkPension(field, s string) *apperr.Error {
	switch s {
	case "", PensionNone, PensionUrbanEmployee, PensionResident:
		return nil
	}
	return apperr.Invalidf(field, "养老保险类型无效：%q", "unknown pension type %q", s)
}

// checkLife checks birth and death dates against each other and today.
func checkLife(field string, birth, death date.Date, today date.Date) *apperr.Error {
	if birth.IsZero() {
		return apperr.Invalidf(field+".birth", "缺少出生日期", "birth date is missing")
	}
	if !today.IsZero() && birth.After(today) {
		return apperr.Invalidf(field+".birth", "出生日期 %s 晚于今天", "birth date %s is in the future", birth)
	}
	if birth.Year() < MinBirthYear {
		return apperr.Invalidf(field+".birth", "出生日期 %s 早于 %d 年", "birth date %s is before %d", birth, MinBirthYear)
	}
	if !death.IsZero() {
		if death.Before(birth) {
			return apperr.Invalidf(field+".death", "死亡日期 %s 早于出生日期 %s", "death date %s is before the birth date %s", death, birth)
		}
		if !today.IsZero() && death.After(today) {
			return apperr.Invalidf(field+".death", "死亡日期 %s 晚于今天", "death date %s is in the future", death)
		}
	}
	return nil
}

// checkNotAfter refuses a date of an event later than today (the zero
// date passes: whether it is required is the caller's rule).
func checkNotAfter(field string, d, today date.Date) *apperr.Error {
	if !d.IsZero() && !today.IsZero() && d.After(today) {
		return apperr.Invalidf(field, "日期 %s 晚于今天", "the date %s is in the future", d)
	}
	return nil
}

// minMarriageAge returns the legal minimum marriage age for sex on day d:
// 22 for men and 20 for women under the 1980 Marriage Law (from
// 1981-01-01), 20 and 18 before.
func minMarriageAge(sex string, d date.Date) int {
	if d.Before(date.Of(1981, time.January, 1)) {
		if sex == Male {
			return 20
		}
		return 18
	}
	if sex == Male {
		return 22
	}
	return 20
}

// checkMarriage validates one marriage between a and b.
func checkMarriage(field string, a, b *Person, m Marriage) *apperr.Error {
	if m.A == m.B {
		return apperr.Invalidf(field+".b", "不能与本人结婚", "a person cannot marry themselves")
	}
	if m.From.IsZero() {
		return apperr.Invalidf(field+".from", "缺少结婚日期", "marriage date is missing")
	}
	for _, p := range []struct {
		f string
		p *Person
	}{{".a", a}, {".b", b}} {
		if p.p == nil {
			continue
		}
		if age := p.p.Birth.YearsBetween(m.From); !p.p.Birth.IsZero() && age < minMarriageAge(p.p.Sex, m.From) {
			return apperr.Invalidf(field+p.f, "结婚时年龄 %d 岁，低于法定婚龄 %d 岁", "age at marriage %d is below the legal minimum %d", age, minMarriageAge(p.p.Sex, m.From))
		}
		if !p.p.Death.IsZero() && p.p.Death.Before(m.From) {
			return apperr.Invalidf(field+p.f, "结婚日期 %s 晚于死亡日期 %s", "marriage date %s is after the death date %s", m.From, p.p.Death)
		}
	}
	switch m.End {
	case "":
		if !m.To.IsZero() {
			return apperr.Invalidf(field+".end", "有婚姻终止日期时必须注明原因（divorce 离婚或 death 丧偶）", "an end date needs an end reason (divorce or death)")
		}
	case EndDivorce, EndDeath:
		if m.To.IsZero() {
			return apperr.Invalidf(field+".to", "缺少婚姻终止日期", "marriage end date is missing")
		}
		if m.To.Before(m.From) {
			return apperr.Invalidf(field+".to", "婚姻终止日期 %s 早于结婚日期 %s", "marriage end date %s is before the marriage date %s", m.To, m.From)
		}
	default:
		return apperr.Invalidf(field+".end", "婚姻终止原因应为 divorce 或 death，实为 %q", "marriage end must be divorce or death, got %q", m.End)
	}
	return nil
}

// overlaps reports whether marriages m and n overlap in time.
func overlaps(m, n Marriage) bool {
	mEnd, nEnd := m.To, n.To
	if !mEnd.IsZero() && !mEnd.After(n.From) {
		return false
	}
	if !nEnd.IsZero() && !nEnd.After(m.From) {
		return false
	}
	return true
}

// checkTie validates a parent–child tie between parent and child.
func checkTie(field string, parent, child *Person, t ParentChild) *apperr.Error {
	if t.Parent == t.Child {
		return apperr.Invalidf(field+".child", "不能是本人的子女", "a person cannot be their own child")
	}
	switch t.Kind {
	case Birth, Adoption, AdoptionDeFacto, Step:
	default:
		return apperr.Invalidf(field+".kind", "亲子关系类型应为 birth、adoption、adoption_defacto 或 step，实为 %q",
			"kind must be birth, adoption, adoption_defacto or step, got %q", t.Kind)
	}
	if parent == nil || child == nil || parent.Birth.IsZero() || child.Birth.IsZero() {
		return nil
	}
	if t.Kind == Birth {
		if age := parent.Birth.YearsBetween(child.Birth); age < MinParentAge {
			return apperr.Invalidf(field+".child", "子女出生时父/母仅 %d 岁（不足 %d 岁）", "the parent was %d at the child's birth (under %d)", age, MinParentAge)
		}
		if !parent.Death.IsZero() {
			limit := parent.Death
			if parent.Sex == Male {
				limit = limit.AddDays(300)
			}
			if child.Birth.After(limit) {
				return apperr.Invalidf(field+".child", "子女出生日期 %s 晚于父/母死亡日期 %s", "the child was born on %s, after the parent died on %s", child.Birth, parent.Death)
			}
		}
	} else {
		if !parent.Birth.Before(child.Birth) {
			return apperr.Invalidf(field+".parent", "养父母/继父母应比子女年长", "an adoptive or step parent must be older than the child")
		}
		if !t.From.IsZero() && t.From.Before(child.Birth) {
			return apperr.Invalidf(field+".from", "关系开始日期 %s 早于子女出生日期 %s", "the tie begins on %s, before the child's birth on %s", t.From, child.Birth)
		}
	}
	return nil
}

func checkGrade(field string, grade, max int) *apperr.Error {
	if grade < 1 || grade > max {
		return apperr.Invalidf(field, "等级应为 1 至 %d 级，实为 %d", "grade must be 1 to %d, got %d", max, grade)
	}
	return nil
}

// DisabilityCategories are the categories of the disability certificate
// (残疾人证): sight, hearing, speech, limb, intellect, mental, multiple.
var DisabilityCategories = []string{"sight", "hearing", "speech", "limb", "intellect", "mental", "multiple"}

func checkCategory(field, c string) *apperr.Error {
	if c == "" {
		return nil
	}
	for _, k := range DisabilityCategories {
		if c == k {
			return nil
		}
	}
	return apperr.Invalidf(field, "残疾类别无效：%q", "unknown disability category %q", c)
}

// Validate checks a whole family (as read from a case file) and returns
// every problem found, each naming its field (e.g. "persons[2].birth").
// today bounds dates from above; the zero Date skips that check.
func (f *Family) Validate(today date.Date) apperr.List {
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	refs := map[string]*Person{}
	ids := map[string]string{}
	for i := range f.Persons {
		p := &f.Persons[i]
		field := fmt.Sprintf("persons[%d]", i)
		if p.Ref == "" {
			add(apperr.Invalidf(field+".ref", "缺少人员编号 ref", "ref is missing"))
		} else if refs[p.Ref] != nil {
			add(apperr.Invalidf(field+".ref", "人员编号 %q 重复", "duplicate ref %q", p.Ref))
		} else {
			refs[p.Ref] = p
		}
		add(checkSex(field+".sex", p.Sex))
		add(checkLife(field, p.Birth, p.Death, today))
		add(checkPension(field+".pension", p.Pension))
		if n, e := checkIDNumber(field+".id_number", p.IDNumber, p.Birth, p.Sex); e != nil {
			add(e)
		} else if n != "" {
			if other, dup := ids[n]; dup {
				add(apperr.Invalidf(field+".id_number", "身份证号与 %s 重复", "ID number duplicates that of %s", other))
			}
			ids[n] = p.Ref
		}
		for j, h := range p.Hukou {
			hf := fmt.Sprintf("%s.hukou[%d]", field, j)
			add(checkHukouType(hf+".type", h.Type))
			if !h.To.IsZero() && !h.From.IsZero() && h.To.Before(h.From) {
				add(apperr.Invalidf(hf+".to", "户口结束日期早于开始日期", "hukou spell ends before it begins"))
			}
		}
	}
	person := func(field, ref string) *Person {
		p := refs[ref]
		if p == nil {
			add(apperr.Invalidf(field, "未知的人员编号 %q", "unknown ref %q", ref))
		}
		return p
	}
	for i, m := range f.Marriages {
		field := fmt.Sprintf("marriages[%d]", i)
		a, b := person(field+".a", m.A), person(field+".b", m.B)
		add(checkMarriage(field, a, b, m))
		for j := 0; j < i; j++ {
			n := f.Marriages[j]
			shared := m.A == n.A || m.A == n.B || m.B == n.A || m.B == n.B
			if shared && !m.From.IsZero() && !n.From.IsZero() && overlaps(m, n) {
				add(apperr.Invalidf(field, "与 marriages[%d] 时间重叠（重婚）", "overlaps marriages[%d] (bigamy)", j))
			}
		}
	}
	birthParents := map[string]map[string]int{}
	for i, t := range f.Children {
		field := fmt.Sprintf("children[%d]", i)
		p, c := person(field+".parent", t.Parent), person(field+".child", t.Child)
		add(checkTie(field, p, c, t))
		if t.Kind == Birth && p != nil {
			if birthParents[t.Child] == nil {
				birthParents[t.Child] = map[string]int{}
			}
			birthParents[t.Child][p.Sex]++
			if birthParents[t.Child][p.Sex] > 1 {
				add(apperr.Invalidf(field+".parent", "子女 %q 已有亲生%s", "child %q already has a birth %s", t.Child, map[string]string{Male: "父亲", Female: "母亲"}[p.Sex]))
			}
		}
	}
	for i, d := range f.Disabilities {
		field := fmt.Sprintf("disabilities[%d]", i)
		person(field+".person", d.Person)
		add(checkGrade(field+".grade", d.Grade, 4))
		add(checkCategory(field+".category", d.Category))
		if !d.To.IsZero() && d.To.Before(d.From) {
			add(apperr.Invalidf(field+".to", "结束日期早于开始日期", "ends before it begins"))
		}
	}
	for i, c := range f.Certificates {
		field := fmt.Sprintf("certificates[%d]", i)
		person(field+".holder", c.Holder)
		if c.Kind == "" {
			add(apperr.Invalidf(field+".kind", "缺少证件类型", "certificate kind is missing"))
		}
		if !c.Cancelled.IsZero() && c.Cancelled.Before(c.Issued) {
			add(apperr.Invalidf(field+".cancelled", "注销日期早于发证日期", "cancelled before it was issued"))
		}
	}
	for i, c := range f.Complications {
		field := fmt.Sprintf("complications[%d]", i)
		person(field+".person", c.Person)
		add(checkGrade(field+".grade", c.Grade, 3))
	}
	for i, c := range f.Confirmations {
		field := fmt.Sprintf("confirmations[%d]", i)
		person(field+".person", c.Person)
		if !c.Confirmed.IsZero() && !c.Applied.IsZero() && c.Confirmed.Before(c.Applied) {
			add(apperr.Invalidf(field+".confirmed", "确认日期早于申请日期", "confirmed before it was applied for"))
		}
	}
	for i, r := range f.Retirements {
		field := fmt.Sprintf("retirements[%d]", i)
		if p := person(field+".person", r.Person); p != nil && !p.Birth.IsZero() && !r.Date.After(p.Birth) {
			add(apperr.Invalidf(field+".date", "退休日期早于出生日期", "retirement date is before the birth date"))
		}
	}
	for i, t := range f.Children {
		if t.Ruling != "" && (t.Kind != AdoptionDeFacto || (t.Ruling != RulingCounted && t.Ruling != RulingNotCounted)) {
			add(apperr.Invalidf(fmt.Sprintf("children[%d].ruling", i), "认定只适用于事实收养，且应为counted或not_counted", "a ruling is counted or not_counted, on a de-facto adoption"))
		}
	}
	for i, c := range f.Contraception {
		field := fmt.Sprintf("contraception[%d]", i)
		p := person(field+".person", c.Person)
		switch c.Method {
		case MaleSterilisation, FemaleSterilisation, IUD, Implant:
		default:
			add(apperr.Invalidf(field+".method", "节育措施类型无效", "unknown method"))
		}
		if p != nil && (!c.Date.After(p.Birth) || c.Method == MaleSterilisation && p.Sex != Male || c.Method == FemaleSterilisation && p.Sex != Female) {
			add(apperr.Invalidf(field, "手术日期或类型与本人不符", "the operation does not fit the person"))
		}
	}
	for i, x := range f.Permissions {
		field := fmt.Sprintf("birth_permissions[%d]", i)
		person(field+".holder", x.Holder)
		if x.Kind != PermitSecondBirth || x.Issued.IsZero() {
			add(apperr.Invalidf(field, "审批类型或日期无效", "invalid kind or date"))
		}
	}
	for i, x := range f.Pensions {
		field := fmt.Sprintf("pensions[%d]", i)
		person(field+".person", x.Person)
		if x.Scheme != PensionResident && x.Scheme != PensionUrbanEmployee || x.Enrolled.IsZero() ||
			(!x.Drawing.IsZero() && x.Drawing.Before(x.Enrolled)) || (!x.Ended.IsZero() && x.Ended.Before(x.Enrolled)) {
			add(apperr.Invalidf(field, "养老保险类型或日期无效", "invalid scheme or dates"))
		}
	}
	for i, a := range f.Admissions {
		field := fmt.Sprintf("admissions[%d]", i)
		person(field+".person", a.Person)
		if a.Level != Bachelor && a.Level != College || a.Date.IsZero() {
			add(apperr.Invalidf(field, "录取层次或日期无效", "invalid level or date"))
		}
	}
	return errs
}
