package matching

import (
	"fmt"
	"strings"
)

// FeedbackHeader returns the header of the feedback file of an extract:
// the department's own header, then 比对结果 (the outcome per role) and
// 说明 (why).
func FeedbackHeader(x *Extract) []string {
	h := append([]string{}, x.Header...)
	return append(h, "比对结果", "说明")
}

var outcomeZH = map[Outcome]string{Matched: "已匹配", Review: "待人工核对", Unmatched: "未匹配"}

var roleZH = map[Role]string{RolePerson: "本人", RoleMother: "母亲", RoleFather: "父亲", RoleHusband: "男方", RoleWife: "女方", RoleChild: "子女"}

var reasonZH = map[string]string{
	ReasonIDConflict:   "身份证号在人口库中对应另一姓名",
	ReasonNoIdentity:   "缺少身份证号和姓名",
	ReasonNoCandidates: "人口库中无此人",
	ReasonScored:       "无有效身份证号，按姓名、出生日期等比对",
}

// Feedback returns the rows of x to send back to the department: those
// with a role that matched nobody or conflicts with the registry, and
// those with errors, each in the department's own layout (the file's
// cells) followed by the outcome of each role and the reasons. results
// are x's results (from MatchRows).
func Feedback(x *Extract, results []Result) [][]string {
	byRow := map[int][]Result{}
	for _, r := range results {
		byRow[r.Row] = append(byRow[r.Row], r)
	}
	var out [][]string
	for i := range x.Rows {
		row := &x.Rows[i]
		var outcome, why []string
		send := false
		for _, r := range byRow[row.Row] {
			outcome = append(outcome, roleZH[r.Role]+outcomeZH[r.Outcome])
			if r.Outcome == Unmatched || r.Reason == ReasonIDConflict {
				send = true
				if z := reasonZH[r.Reason]; z != "" && r.Reason != ReasonScored {
					why = append(why, roleZH[r.Role]+z)
				}
			}
		}
		for _, p := range row.Problems {
			if p.Severity == Error {
				send = true
				why = append(why, fmt.Sprintf("%s：%s", p.Column, p.ZH))
			}
		}
		if !send {
			continue
		}
		cells := make([]string, len(x.Header), len(x.Header)+2)
		copy(cells, row.Cells)
		out = append(out, append(cells, strings.Join(outcome, "；"), strings.Join(why, "；")))
	}
	return out
}
