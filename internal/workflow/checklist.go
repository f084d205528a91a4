package workflow

import (
	"strings"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/term"
)

// The survey's checklist: three questions, three looks and three visits
// (三问、三看、三走访), each answered — done, or not done and why.

// ChecklistItems are the items of the checklist, in the order of the form.
var ChecklistItems = term.List{
	{Code: "ask_applicant", ZH: "问申请人本人婚育情况", EN: "Ask the applicant"},
	{Code: "ask_family", ZH: "问配偶及家庭成员", EN: "Ask the spouse and the family"},
	{Code: "ask_cadre", ZH: "问村（居）民小组长", EN: "Ask the group leader"},
	{Code: "see_hukou", ZH: "看户口簿", EN: "See the hukou book"},
	{Code: "see_certificates", ZH: "看结婚证、独生子女证等证件", EN: "See the certificates"},
	{Code: "see_home", ZH: "看家庭实际居住和子女情况", EN: "See the home and the children"},
	{Code: "visit_neighbours", ZH: "走访左右邻居", EN: "Visit the neighbours"},
	{Code: "visit_elders", ZH: "走访老党员、老干部", EN: "Visit the elders"},
	{Code: "visit_informed", ZH: "走访知情群众", EN: "Visit people who know the family"},
}

// ChecklistParam is the regional parameter that, set to "required",
// makes every survey of the region answer the checklist.
const ChecklistParam = "survey_checklist"

// CheckAnswer is the answer to one item of the checklist.
type CheckAnswer struct {
	Item string `json:"item"`
	Done bool   `json:"done"`
	Note string `json:"note,omitempty"`
}

// checkChecklist checks that every item is answered once, and that an
// item not done says why.
func checkChecklist(answers []CheckAnswer) []*apperr.Error {
	var errs []*apperr.Error
	seen := map[string]bool{}
	for _, x := range answers {
		field := "checklist." + x.Item
		switch {
		case !ChecklistItems.Has(x.Item):
			errs = append(errs, apperr.Invalidf("checklist", "未知的核查项目 %q", "unknown checklist item %q", x.Item))
			continue
		case seen[x.Item]:
			errs = append(errs, apperr.Invalidf(field, "“%s”重复填写", "%s is answered twice", ChecklistItems.Chinese(x.Item)))
		case !x.Done && strings.TrimSpace(x.Note) == "":
			errs = append(errs, apperr.Invalidf(field, "“%s”未做到的，须说明原因", "say why %s was not done", ChecklistItems.Chinese(x.Item)))
		case utf8.RuneCountInString(x.Note) > 200:
			errs = append(errs, apperr.Invalidf(field, "说明不得超过 200 字", "the note is longer than 200 characters"))
		}
		seen[x.Item] = true
	}
	for _, t := range ChecklistItems {
		if !seen[t.Code] {
			errs = append(errs, apperr.Invalidf("checklist."+t.Code, "缺少“%s”的情况", "%s is not answered", t.ZH))
		}
	}
	return errs
}
