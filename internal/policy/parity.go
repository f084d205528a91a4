package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Birth registration parity (登记孩次, rules.md §2.10, §8.2). Birth
// registration is a service, not an approval: a couple registers its
// first, second and third child, and the registration counts the couple's
// children to say which child this is. No national rule says which
// children count; the provinces say it (and few of their texts were
// found), so the counting rules are data in the rule layers beside the
// programs (Layer.Parity): a province replaces a rule by its id, and every
// decision cites the documents its rules come from, like a benefit
// decision. Evaluator.Parity applies them to a family from the registry.

// ParityRule is one rule of the counting: whether a kind of child counts
// (Value counted or not_counted), that each child of a multiple birth
// counts (multiple: each), or how many children a couple may have without
// approval (limit: a number). A rule applies from From (zero: always);
// where a layer gives several rules of one id, the latest in force on the
// day of the registration applies. A lower layer's rules of an id replace
// all the inherited ones of that id.
type ParityRule struct {
	ID     string    `json:"id"`
	From   date.Date `json:"from,omitempty"`
	Value  string    `json:"value"`
	Text   string    `json:"text"`
	TextEN string    `json:"text_en,omitempty"`
	Rule   string    `json:"rule,omitempty"` // the section of rules.md
	Doc    string    `json:"doc"`
}

// The parity rules' ids.
const (
	ParityJoint    = "joint"    // children born to both (before marriage too); a single parent's own births
	ParityEarlier  = "earlier"  // a child born to one of the couple only (an earlier marriage, a third party)
	ParityStep     = "step"     // step-children
	ParityAdopted  = "adopted"  // registered adoptions
	ParityDefacto  = "defacto"  // de-facto adoptions
	ParityDead     = "dead"     // children who died before the registration
	ParityMultiple = "multiple" // each child of a multiple birth counts
	ParityLimit    = "limit"    // children a couple may have without a re-birth approval
)

// parityRuleIDs lists the ids in the order explanations cite them.
var parityRuleIDs = []string{ParityJoint, ParityEarlier, ParityStep, ParityAdopted, ParityDefacto, ParityDead, ParityMultiple, ParityLimit}

// The values of a parity rule (other than limit's number).
const (
	ParityCounted    = "counted"
	ParityNotCounted = "not_counted"
	ParityEach       = "each"
)

// The statuses of a parity decision.
const (
	// ParityRegistration: within the limit, a registration service
	// needing no approval (生育登记服务).
	ParityRegistration = "registration"
	// ParityApprovalRequired: beyond the limit; the birth is in policy
	// only with a re-birth approval (再生育审批) under the provincial
	// regulation.
	ParityApprovalRequired = "approval_required"
	// ParityApproved: beyond the limit, with a re-birth approval.
	ParityApproved = "approved"
)

// ParityStatuses names the statuses of a parity decision.
var ParityStatuses = term.List{
	{Code: ParityRegistration, ZH: "生育登记服务，不需审批", EN: "Registration, no approval needed"},
	{Code: ParityApprovalRequired, ZH: "超过法定子女数，须再生育审批", EN: "Beyond the limit: a re-birth approval is needed"},
	{Code: ParityApproved, ZH: "超过法定子女数，已取得再生育审批", EN: "Beyond the limit, with a re-birth approval"},
}

// FlagParityNotEncoded: no rule of the county's province (or below) says
// how registrations count children; the national defaults apply.
const FlagParityNotEncoded = "provincial_parity_rules_not_encoded"

// checkParityRule checks a rule in a layer alone.
func checkParityRule(field string, r ParityRule) error {
	if !slices.Contains(parityRuleIDs, r.ID) {
		return apperr.Invalidf(field+".id", "孩次规则%q未知（应为%s之一）", "unknown parity rule %q (want one of %s)", r.ID, strings.Join(parityRuleIDs, ", "))
	}
	switch r.ID {
	case ParityLimit:
		if n, err := strconv.Atoi(r.Value); err != nil || n < 1 || n > 20 {
			return apperr.Invalidf(field+".value", "可生育子女数应为1–20", "the limit must be a number from 1 to 20")
		}
	case ParityMultiple:
		if r.Value != ParityEach {
			return apperr.Invalidf(field+".value", "多胞胎规则的取值只能为each", "the multiple-birth rule takes the value each")
		}
	case ParityJoint:
		if r.Value != ParityCounted {
			return apperr.Invalidf(field+".value", "夫妻共同生育的子女总是计入", "the couple's joint children always count")
		}
	default:
		if r.Value != ParityCounted && r.Value != ParityNotCounted {
			return apperr.Invalidf(field+".value", "取值应为counted或not_counted", "value must be counted or not_counted")
		}
	}
	if strings.TrimSpace(r.Text) == "" {
		return apperr.Invalidf(field+".text", "孩次规则需要中文说明", "a parity rule needs a Chinese text")
	}
	if strings.TrimSpace(r.Doc) == "" {
		return apperr.Invalidf(field+".doc", "孩次规则须引用文件", "a parity rule must cite a document")
	}
	return nil
}

// parityRules holds the parity rules in force in a county, by id.
type parityRules struct {
	byID     map[string][]ParityRule
	origin   map[string]string // the layer that set each id
	regional bool              // a layer below the national one set a rule
}

// set replaces the rules of the layer's ids.
func (pr *parityRules) set(l Layer, layerName string) {
	if len(l.Parity) == 0 {
		return
	}
	if pr.byID == nil {
		pr.byID, pr.origin = map[string][]ParityRule{}, map[string]string{}
	}
	seen := map[string]bool{}
	for _, r := range l.Parity {
		if !seen[r.ID] {
			pr.byID[r.ID] = nil
			seen[r.ID] = true
		}
		pr.byID[r.ID] = append(pr.byID[r.ID], r)
		pr.origin[r.ID] = layerName
	}
	if l.Region != "" {
		pr.regional = true
	}
}

// on returns the rule of id in force on day d.
func (pr *parityRules) on(id string, d date.Date) (ParityRule, bool) {
	var best ParityRule
	found := false
	for _, r := range pr.byID[id] {
		if r.From.After(d) {
			continue
		}
		if !found || !r.From.Before(best.From) {
			best, found = r, true
		}
	}
	return best, found
}

// ParityQuery asks which child a birth is for a couple on a day.
type ParityQuery struct {
	// Mother and Father are refs in the family; one may be "" (a single
	// parent, or a parent not in this registry).
	Mother string `json:"mother,omitempty"`
	Father string `json:"father,omitempty"`
	// On is the day of the registration: the children born (or adopted)
	// by then, and alive then, are counted.
	On date.Date `json:"on"`
	// Expected is the number of children of this birth (2 for twins);
	// 0 means 1.
	Expected int `json:"expected,omitempty"`
	// Approval is a re-birth approval (再生育审批) the couple holds, if any.
	Approval *ParityApproval `json:"approval,omitempty"`
	// Exclude are the children of this very birth when they are in the
	// registry already (a registration after the birth, 补登): they are
	// not counted as earlier children.
	Exclude []string `json:"exclude,omitempty"`
}

// ParityApproval is a re-birth approval: its number, day and the child
// (parity) it allows.
type ParityApproval struct {
	Number string    `json:"number,omitempty"`
	Issued date.Date `json:"issued"`
	Parity int       `json:"parity"`
}

// ParityDecision is which child a birth is for the couple, and whether it
// needs an approval, explained clause by clause.
type ParityDecision struct {
	// Parity is the registration parity (登记孩次): the children counted
	// plus one.
	Parity int `json:"parity"`
	// Statistical is the mother's own parity (统计孩次: her births of any
	// father, dead children included) plus one; 0 without a mother.
	Statistical int `json:"statistical"`
	// Counted and NotCounted are the refs of the children considered.
	Counted    []string `json:"counted"`
	NotCounted []string `json:"not_counted"`
	Limit      int      `json:"limit"`
	Status     string   `json:"status"`
	// InPolicy says whether the birth is within the law (every child of
	// it, for a multiple birth).
	InPolicy bool           `json:"in_policy"`
	Flags    []string       `json:"flags,omitempty"`
	Clauses  []ClauseResult `json:"clauses"`
	// Version names the rule layers applied.
	Version string `json:"version"`
}

// ParityRules returns the parity rules in force in county on day d, by
// id, each with the layer that set it.
func (e *Evaluator) ParityRules(county string, d date.Date) (map[string]ParityRule, map[string]string, error) {
	rs, err := e.rules(county, d.Year())
	if err != nil {
		return nil, nil, err
	}
	out := map[string]ParityRule{}
	for _, id := range parityRuleIDs {
		if r, ok := rs.parity.on(id, d); ok {
			out[id] = r
		}
	}
	return out, rs.parity.origin, nil
}

// Parity decides which child the birth q asks about is for the couple of
// family f in county (a six-digit code), with the rules in force on q.On.
func (e *Evaluator) Parity(county string, f *registry.Family, q ParityQuery) (*ParityDecision, error) {
	if len(county) != 6 {
		return nil, apperr.Invalidf("region", "区划代码应为6位县级代码", "region must be a six-digit county code")
	}
	if q.On.IsZero() {
		return nil, apperr.Invalidf("registration.on", "缺少登记日期", "the day of the registration is missing")
	}
	if q.Mother == "" && q.Father == "" {
		return nil, apperr.Invalidf("registration.mother", "至少需要父母一方", "at least one parent is needed")
	}
	byRef := map[string]*registry.Person{}
	for i := range f.Persons {
		byRef[f.Persons[i].Ref] = &f.Persons[i]
	}
	for field, ref := range map[string]string{"registration.mother": q.Mother, "registration.father": q.Father} {
		if ref != "" && byRef[ref] == nil {
			return nil, apperr.Invalidf(field, "未知人员%q", "unknown person %q", ref)
		}
	}
	rs, err := e.rules(county, q.On.Year())
	if err != nil {
		return nil, err
	}
	rule := func(id string) ParityRule {
		r, _ := rs.parity.on(id, q.On)
		return r
	}
	limit, _ := strconv.Atoi(rule(ParityLimit).Value)
	if limit == 0 {
		return nil, apperr.Invalidf("registration.on", "%s没有可适用的生育登记规则", "no birth-registration rules are in force on %s", q.On)
	}
	expected := max(q.Expected, 1)
	d := &ParityDecision{Limit: limit, Counted: []string{}, NotCounted: []string{}, Version: rs.version}

	// The children of either parent, each once with the ties that bind it
	// to the couple.
	type kid struct {
		ref   string
		ties  []registry.ParentChild
		start date.Date
	}
	var kids []*kid
	at := map[string]*kid{}
	parent := func(r string) bool { return r != "" && (r == q.Mother || r == q.Father) }
	for _, t := range f.Children {
		if !parent(t.Parent) || byRef[t.Child] == nil {
			continue
		}
		k := at[t.Child]
		if k == nil {
			k = &kid{ref: t.Child}
			at[t.Child] = k
			kids = append(kids, k)
		}
		k.ties = append(k.ties, t)
		s := t.From
		if s.IsZero() {
			s = byRef[t.Child].Birth
		}
		if k.start.IsZero() || s.Before(k.start) {
			k.start = s
		}
	}
	slices.SortStableFunc(kids, func(a, b *kid) int {
		return byRef[a.ref].Birth.Compare(byRef[b.ref].Birth)
	})
	pick := func(zh, en string) string { return e.pick(zh, en) }
	counted := 0
	for _, k := range kids {
		c := byRef[k.ref]
		if k.start.After(q.On) || slices.Contains(q.Exclude, k.ref) {
			continue // not yet born or adopted, or this birth's own child
		}
		births := 0
		kind := ""
		for _, t := range k.ties {
			switch t.Kind {
			case registry.Birth:
				births++
			default:
				if kind == "" || kind == registry.Step {
					kind = t.Kind
				}
			}
		}
		var r ParityRule
		var what string
		single := q.Mother == "" || q.Father == ""
		switch {
		case !c.Death.IsZero() && !c.Death.After(q.On):
			r, what = rule(ParityDead), pick("已于"+c.Death.String()+"死亡", "died on "+c.Death.String())
		case births >= 2 || births == 1 && single && kind == "":
			r, what = rule(ParityJoint), pick("夫妻共同生育", "born to the couple")
			if single {
				what = pick("本人生育", "born to the parent")
			}
		case kind == registry.Adoption:
			r, what = rule(ParityAdopted), pick("依法收养", "adopted (registered)")
		case kind == registry.AdoptionDeFacto:
			r, what = rule(ParityDefacto), pick("事实收养", "adopted de facto")
		case births == 1:
			r, what = rule(ParityEarlier), pick("一方与他人所生", "born to one of the couple with another person")
		default:
			r, what = rule(ParityStep), pick("继子女", "a step-child")
		}
		ok := r.Value == ParityCounted
		name := c.Name
		if name == "" {
			name = c.Ref
		}
		text := pick(fmt.Sprintf("%s（%s生）：%s，%s——%s", name, c.Birth, what, map[bool]string{true: "计入", false: "不计入"}[ok], r.Text),
			fmt.Sprintf("%s (born %s): %s, %s — %s", name, c.Birth, what, map[bool]string{true: "counted", false: "not counted"}[ok], firstNonEmpty(r.TextEN, r.Text)))
		d.Clauses = append(d.Clauses, ClauseResult{ID: "child", OK: ok, Text: text, Source: e.cite(rs, r.Doc)})
		if ok {
			counted++
			d.Counted = append(d.Counted, k.ref)
		} else {
			d.NotCounted = append(d.NotCounted, k.ref)
		}
	}
	d.Parity = counted + 1
	joint := rule(ParityJoint)
	d.Clauses = append(d.Clauses, ClauseResult{ID: "parity", OK: true, Source: e.cite(rs, joint.Doc), Text: pick(
		fmt.Sprintf("计入的子女%d个，本次登记为第%d孩（登记孩次）", counted, d.Parity),
		fmt.Sprintf("%d children counted: this registration is for child number %d (registration parity)", counted, d.Parity))})
	if expected > 1 {
		m := rule(ParityMultiple)
		d.Clauses = append(d.Clauses, ClauseResult{ID: "multiple", OK: true, Source: e.cite(rs, m.Doc), Text: pick(
			fmt.Sprintf("本次为%d胞胎：%s；每个子女的生育政策按本次登记孩次认定", expected, m.Text),
			fmt.Sprintf("a multiple birth of %d: %s; each child's policy status follows this registration", expected, firstNonEmpty(m.TextEN, m.Text)))})
	}
	lim := rule(ParityLimit)
	switch {
	case d.Parity <= limit:
		d.Status, d.InPolicy = ParityRegistration, true
		d.Clauses = append(d.Clauses, ClauseResult{ID: "limit", OK: true, Source: e.cite(rs, lim.Doc), Text: pick(
			fmt.Sprintf("%s：第%d孩在%d孩以内，实行生育登记服务，不需审批", lim.Text, d.Parity, limit),
			fmt.Sprintf("%s: child %d is within %d, a registration service needing no approval", firstNonEmpty(lim.TextEN, lim.Text), d.Parity, limit))})
	case q.Approval != nil && q.Approval.Parity >= d.Parity && !q.Approval.Issued.After(q.On):
		d.Status, d.InPolicy = ParityApproved, true
		d.Clauses = append(d.Clauses, ClauseResult{ID: "limit", OK: true, Source: e.cite(rs, lim.Doc), Text: pick(
			fmt.Sprintf("%s：第%d孩超过%d孩，已于%s取得再生育审批（%s），准予生育第%d孩", lim.Text, d.Parity, limit, q.Approval.Issued, firstNonEmpty(q.Approval.Number, "无编号"), q.Approval.Parity),
			fmt.Sprintf("%s: child %d is beyond %d; a re-birth approval (%s) of %s allows child %d", firstNonEmpty(lim.TextEN, lim.Text), d.Parity, limit, firstNonEmpty(q.Approval.Number, "no number"), q.Approval.Issued, q.Approval.Parity))})
	default:
		d.Status = ParityApprovalRequired
		d.Clauses = append(d.Clauses, ClauseResult{ID: "limit", OK: false, Source: e.cite(rs, lim.Doc), Text: pick(
			fmt.Sprintf("%s：第%d孩超过%d孩，须按省条例办理再生育审批，未见审批记录", lim.Text, d.Parity, limit),
			fmt.Sprintf("%s: child %d is beyond %d and needs a re-birth approval under the provincial regulation; none is recorded", firstNonEmpty(lim.TextEN, lim.Text), d.Parity, limit))})
	}
	if q.Mother != "" {
		n := 0
		for _, t := range f.Children {
			if t.Parent == q.Mother && t.Kind == registry.Birth {
				if c := byRef[t.Child]; c != nil && !c.Birth.After(q.On) && !slices.Contains(q.Exclude, t.Child) {
					n++
				}
			}
		}
		d.Statistical = n + 1
		d.Clauses = append(d.Clauses, ClauseResult{ID: "statistical", OK: true, Text: pick(
			fmt.Sprintf("母亲此前共生育%d孩（含已死亡子女，不论生父），本孩统计孩次为第%d孩，用于统计报表", n, d.Statistical),
			fmt.Sprintf("the mother has given birth %d times before (dead children and any father included): statistical parity %d, for the reports", n, d.Statistical))})
	}
	if !rs.parity.regional {
		d.Flags = append(d.Flags, FlagParityNotEncoded)
		d.Clauses = append(d.Clauses, ClauseResult{ID: "rules_not_encoded", OK: true, Text: pick(
			"本省计算生育登记孩次的规定尚未查到，本结论按国家规定和已查到的省份做法测算，须按本省规定核实",
			"the province's rules for counting children at registration are not encoded: this rests on the national rules and the practice found in other provinces; check the provincial rules")})
	}
	return d, nil
}
