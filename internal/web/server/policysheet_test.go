package server_test

import (
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestPolicySheet: the 政策明白纸 of 舒城县 for 2024, made from the rules in
// force, prints each program with who qualifies, the standard and who
// pays, with the county's report telephone number and dates the Chinese
// way, from the API and from the pages alike (the access matrix checks
// who may print it).
func TestPolicySheet(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	c := ts.Login("county", "county1234")
	want := []string{"舒城县2024年计划生育家庭扶助政策明白纸", "农村部分计划生育家庭奖励扶助", "享受条件", "扶助标准", "资金来源", "举报电话：12345"}
	text := ts.pdfText(t, c, "/api/v1/policy-sheet?county=341523&year=2024", want...)
	if !strings.Contains(text, "每人每") {
		t.Errorf("the sheet states no standard:\n%s", text)
	}
	ts.pdfText(t, c, "/policy-sheet?year=2024", want...)
	ts.wantStatus(t, c, "/api/v1/policy-sheet?county=341523&year=20x4", 400)
}
