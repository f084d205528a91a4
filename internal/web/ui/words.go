package ui

import (
	"html/template"
	"reflect"

	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/charge"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/inperson"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/portal"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// words are the domain's coded words the pages show, by the name of the
// template function that names them, each from the list its package
// declares: {{rollStatus $.Lang .Status}}. The translations in
// i18n/messages.json hold only the pages' own words.
var words = map[string]term.List{
	"rollStatus":     roll.Statuses,
	"changeKind":     roll.ChangeKinds,
	"exitReason":     roll.ExitReasons,
	"rollEvent":      roll.Events,
	"rejectReason":   workflow.Reasons,
	"lineStatus":     payment.StatusNames,
	"lineKind":       payment.KindNames,
	"batchStatus":    payment.BatchStatusNames,
	"batchKind":      payment.BatchKindNames,
	"diffKind":       payment.DiffNames,
	"fundingLevel":   policy.FundingLevels,
	"spCategory":     special.Categories,
	"spReason":       special.Reasons,
	"spSource":       special.Sources,
	"spStatus":       special.Statuses,
	"spChange":       special.ChangeKinds,
	"contactKind":    special.ContactKinds,
	"visitMode":      special.Modes,
	"reqSource":      special.RequestSources,
	"reqStatus":      special.RequestStatuses,
	"spService":      special.Services,
	"spLack":         special.Lacks,
	"familyCat":      special.FamilyCategories,
	"listStatus":     special.ListStatuses,
	"oneOff":         policy.OneOffPrograms,
	"taskReason":     matching.TaskReasons,
	"taskStatus":     matching.TaskStatuses,
	"taskLevel":      matching.TaskLevels,
	"matchKind":      matching.KindNames,
	"matchRole":      matching.RoleNames,
	"matchOutcome":   matching.OutcomeNames,
	"matchRow":       matching.RowStatusNames,
	"parityStatus":   policy.ParityStatuses,
	"birthStatus":    birth.Statuses,
	"birthChannel":   birth.Channels,
	"cancelReason":   birth.CancelReasons,
	"approvalKind":   birth.ApprovalKinds,
	"claimStatus":    birth.ClaimStatuses,
	"relation":       birth.Relations,
	"ccType":         childcare.Types,
	"ccRegType":      childcare.RegTypes,
	"staffRole":      childcare.StaffRoles,
	"ccStatus":       childcare.Statuses,
	"inspectKind":    childcare.InspectionKinds,
	"grade":          childcare.Grades,
	"inspectStatus":  childcare.InspectionStatuses,
	"reportStatus":   portal.ReportStatuses,
	"inpersonStatus": inperson.Statuses,
	"inpersonReason": inperson.Reasons,
	"inpersonProof":  inperson.Proofs,
	"attachKind":     attach.Kinds,
	"checkLevel":     recheck.Levels,
	"checkMethod":    recheck.Methods,
	"checkFinding":   recheck.Findings,
	"chargeKind":     charge.Kinds,
	"checkItem":      workflow.ChecklistItems,
	"cpKind":         complaint.Kinds,
	"cpSource":       complaint.Sources,
	"cpStatus":       complaint.Statuses,
	"cpOutcome":      complaint.Outcomes,
	"cpAction":       complaint.Actions,
	"transferState":  move.States,
	"transferSource": move.Sources,
}

// wordFuncs returns a template function for each list of words: given the
// page's language and a code (a string, or a typed status), the code's
// name.
func wordFuncs() template.FuncMap {
	fm := template.FuncMap{}
	for name, l := range words {
		fm[name] = func(lang string, code any) string { return l.Name(codeString(code), lang) }
	}
	return fm
}

// codeString returns a code given as a string or a value of a string type.
func codeString(code any) string {
	if v := reflect.ValueOf(code); v.Kind() == reflect.String {
		return v.String()
	}
	return ""
}
