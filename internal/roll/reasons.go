package roll

import (
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Reasons of an exit from the roll (and of a recipient the annual review
// finds changed).
const (
	ExitDied                 = "died"
	ExitMovedOut             = "moved_out"
	ExitHukouChanged         = "hukou_changed"
	ExitChildAdded           = "child_added"
	ExitChildrenChanged      = "children_changed"
	ExitRecovered            = "recovered"
	ExitCertificateCancelled = "certificate_cancelled"
	ExitPolicyViolation      = "policy_violation"
	ExitOtherProgram         = "other_program"
	ExitObjectionUpheld      = "objection_upheld"
	ExitNoLongerEligible     = "no_longer_eligible"
	ExitProgramEnded         = "program_ended"
	ExitFraud                = "fraud"
	// ExitNeedsReview is no exit: the annual review lists a recipient
	// the engine cannot decide for staff to settle.
	ExitNeedsReview = "needs_review"
)

// ExitReasons names the reasons of an exit.
var ExitReasons = term.List{
	{Code: ExitDied, ZH: "本人死亡", EN: "Died"},
	{Code: ExitMovedOut, ZH: "户籍迁出本县", EN: "Hukou moved out of the county"},
	{Code: ExitHukouChanged, ZH: "户籍性质变更", EN: "Hukou type changed"},
	{Code: ExitChildAdded, ZH: "再生育或收养子女", EN: "A child was born or adopted"},
	{Code: ExitChildrenChanged, ZH: "子女情况变化", EN: "The children's situation changed"},
	{Code: ExitRecovered, ZH: "已康复或等级不再符合", EN: "Recovered, or the grade no longer qualifies"},
	{Code: ExitCertificateCancelled, ZH: "独生子女证注销", EN: "One-child certificate cancelled"},
	{Code: ExitPolicyViolation, ZH: "有政策外生育", EN: "An out-of-policy birth"},
	{Code: ExitOtherProgram, ZH: "已享受互斥项目", EN: "Receives an exclusive program"},
	{Code: ExitObjectionUpheld, ZH: "公示异议成立", EN: "An objection was upheld"},
	{Code: ExitNoLongerEligible, ZH: "不再符合条件", EN: "No longer eligible"},
	{Code: ExitProgramEnded, ZH: "本地区该项目已停止", EN: "The program is no longer in force here"},
	{Code: ExitFraud, ZH: "核查发现弄虚作假", EN: "Fraud found by a check"},
	{Code: ExitNeedsReview, ZH: "需人工审核（政策测算无法确定）", EN: "Needs review: the engine cannot decide"},
}

// exitClauses maps the clause of the engine that fails after an event to
// the reason the roll records, most telling first.
var exitClauses = []struct{ clause, reason string }{
	{"alive", ExitDied},
	{"in_county", ExitMovedOut},
	{"hukou", ExitHukouChanged},
	{"no_later_child", ExitChildAdded},
	{"children", ExitChildrenChanged},
	{"child", ExitChildrenChanged},
	{"girls", ExitChildrenChanged},
	{"adoption", ExitChildAdded},
	{"complication", ExitRecovered},
	{"certificate", ExitCertificateCancelled},
	{"compliance", ExitPolicyViolation},
	{"exclusive", ExitOtherProgram},
}

// ExitReason picks the reason of an exit from the clauses the engine
// finds failed after an event of kind; own says the event is the
// recipient's own.
func ExitReason(failed []policy.ClauseResult, kind string, own bool) string {
	if kind == EventDeath && own {
		return ExitDied
	}
	for _, er := range exitClauses {
		for _, c := range failed {
			if c.ID == er.clause {
				return er.reason
			}
		}
	}
	return ExitNoLongerEligible
}

// The registry events whose consequences for the roll the procedure
// works out (rules.md §2.5).
const (
	EventDeath        = "death"
	EventBirth        = "birth"
	EventAdoption     = "adoption"
	EventHukou        = "hukou"
	EventDisability   = "disability"
	EventComplication = "complication"
	EventMarriage     = "marriage"
	EventOther        = "other"
)

// Events names the registry events, in the order the form offers them.
var Events = term.List{
	{Code: EventDeath, ZH: "死亡", EN: "Death"},
	{Code: EventBirth, ZH: "生育", EN: "Birth"},
	{Code: EventAdoption, ZH: "收养", EN: "Adoption"},
	{Code: EventHukou, ZH: "户籍变动", EN: "Hukou change"},
	{Code: EventDisability, ZH: "残疾等级重新评定", EN: "Disability re-assessed"},
	{Code: EventComplication, ZH: "并发症重新鉴定", EN: "Complication re-assessed"},
	{Code: EventMarriage, ZH: "婚姻变动", EN: "Marriage change"},
	{Code: EventOther, ZH: "其他信息变更", EN: "Other change"},
}
