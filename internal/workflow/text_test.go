package workflow

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// TestCheckForm checks that every string of a form goes through
// textcheck, each named as its JSON field.
func TestCheckForm(t *testing.T) {
	tests := []struct {
		name  string
		form  any
		field string // the field of the first problem; "" for none
	}{
		{"a clean survey", &Survey{Evidence: []string{"户口簿", "结婚证\n离婚证"}, Findings: []Finding{{Fact: "hukou", Note: "一致"}}, Remarks: "第一行\n第二行"}, ""},
		{"a NUL in a finding's note", &Survey{Findings: []Finding{{Fact: "hukou"}, {Fact: "marriage", Note: "存疑\x00"}}}, "findings[1].note"},
		{"an override in the evidence", &Survey{Evidence: []string{"户口簿", "结婚证\u202e"}}, "evidence[1]"},
		{"a participant's name of zero-width spaces", &VillageReview{Participants: []Participant{{Name: "\u200b\u200b", Role: "村民"}}}, "participants[0].name"},
		{"a participant's name on two lines", &VillageReview{Participants: []Participant{{Name: "王\n五", Role: "村民"}}}, "participants[0].name"},
		{"a role with a tab", &VillageReview{Participants: []Participant{{Name: "王五", Role: "老\t党员"}}}, "participants[0].role"},
		{"a notice place on two lines", NoticeInput{Place: "村委会\n公示栏"}, "place"},
		{"an objector with an isolate", ObjectionInput{Objector: "\u2066李四", Content: "有异议"}, "objector"},
		{"an objection of several lines", ObjectionInput{Objector: "李四", Content: "第一条\n第二条"}, ""},
		{"a decision's override reason with a replacement character", &Decision{Outcome: Approve, OverrideReason: "见调查\ufffd"}, "override_reason"},
		{"an event's evidence", Event{Kind: "death", Evidence: "死亡证明\x1b[31m"}, "evidence"},
		{"an application's declared births", Application{Declared: Declared{Births: "1990年生育一女\u202e"}}, "declared.births"},
		{"an application's phone", Application{Phone: "138\n0013"}, "phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkForm(tt.form)
			if tt.field == "" {
				if err != nil {
					t.Errorf("checkForm = %v, want nil", err)
				}
				return
			}
			list, ok := err.(apperr.List)
			if !ok || len(list) == 0 || list[0].Field != tt.field || list[0].Kind != apperr.Invalid {
				t.Errorf("checkForm = %#v, want an Invalid error on %s", err, tt.field)
			}
		})
	}
	if err := checkText("reason", "原因\x00"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("checkText accepted a NUL: %v", err)
	}
}
