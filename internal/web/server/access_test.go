package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/attach"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/birth"
	"github.com/jiahe-project/jiahe/internal/childcare"
	"github.com/jiahe-project/jiahe/internal/complaint"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/escalate"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/move"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/recheck"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/special"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/web/webtest"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// The access matrix: every route of the server's tables (its own, the
// API's and the pages') is called by every role — village, township,
// county, finance, supervisor, city, province, admin and citizen — on a
// target within the caller's region and on targets outside it: another
// village of the same township, a village of another township of the same
// county, another county, and for the city and the province another city
// and another province. A call outside
// the caller's scope, or by a role without the route's permission, must be
// refused (403, or 404 where the use case located its target), leave one
// access.denied entry on the caller's audit chain naming the door and the
// route, and say nothing of the target; no answer, refused or not, may
// hold the name or ID number of a person outside the caller's scope. A
// route missing from the matrix fails the test.

// kind is how a route relates to its caller.
type kind int

const (
	// public routes need no session; they are called without one.
	public kind = iota
	// open routes are open to every signed-in user and name no target:
	// reference data (divisions, banks, rules), the caller's own account.
	open
	// self routes act on the caller's own record: perm says who may.
	self
	// listed routes list what lies within the caller's scope; they name
	// no target, so only the permission and the leak check apply.
	listed
	// targeted routes name a target (in the path, the query or the body)
	// whose region the use case checks against the caller's scope.
	targeted
)

// at is the region of a target a route checks.
type at int

const (
	atVillage at = iota // the village of the target's persons, or the region of its object
	atCounty            // the county the path, the query or the body names
)

// entry is one row of the matrix.
type entry struct {
	kind kind
	// perm is the permission the route needs ("" : any signed-in role);
	// also, when set, is one that admits too.
	perm, also auth.Permission
	// domain says that among the roles with perm, in scope, the domain
	// decides (which level signs a step, which level edits a layer): a
	// call may be refused, and then it is audited like any refusal.
	domain bool
	at     at
	// skip, when set, says why the route is not called: it acts on the
	// caller's session.
	skip string
	// req is the request on target t: the path and the body (JSON for the
	// API, a form for the pages).
	req func(t *target) request
}

type request struct {
	path string
	body any // nil, a JSON value (API) or url.Values (pages)
}

func get(path string) func(*target) request {
	return func(*target) request { return request{path: path} }
}

func post(path string, body any) func(*target) request {
	return func(*target) request { return request{path: path, body: body} }
}

// on builds the request of a targeted route from the target.
func on(f func(t *target) (string, any)) func(*target) request {
	return func(t *target) request { p, b := f(t); return request{path: p, body: b} }
}

// target is a set of objects in one village: a couple (the wife applies),
// their marriage, a case, a user, an annual review run of the county and a
// held payment line.
type target struct {
	key      string
	village  region.Code
	county   string
	wife     *registry.Record
	husband  *registry.Record
	marriage int64
	caseID   int64
	user     int64
	review   int64
	line     int64
	// special is the wife's family on the register of special families,
	// request a request of it and change a change listed for review.
	special int64
	request int64
	change  int64
	help    int64 // a list of help naming the family
	task    int64 // a worklist task on the wife: a police death
	// The births and the under-threes: the wife's birth registration,
	// a subsidy claim she made for a child, a childcare institution of the
	// village and an inspection of it waiting for its rectification's
	// check.
	birth       int64
	claim       int64
	institution int64
	inspection  int64
	report      int64 // the wife's report of an error in her family
	file        int64 // a photo kept with the wife
	sample      int64 // a county's re-check sample that drew the wife
	question    int64 // the village's request for instructions on the case
	complaint   int64 // a complaint about the wife
	transfer    int64 // a transfer coming into the target's county, not yet answered
}

func (t *target) person() string { return fmt.Sprintf("%s/%d", t.county, t.wife.ID) }

// secrets are what must not appear in an answer to a caller who may not
// see t.
func (t *target) secrets() []string {
	var out []string
	for _, p := range []*registry.Record{t.wife, t.husband} {
		out = append(out, p.Name, p.IDNumber, idcard.Number(p.IDNumber).Masked())
	}
	return out
}

// places are the villages of the targets: "in" lies within every staff
// role's region; the others lie outside some of them.
var places = []struct {
	key     string
	village region.Code
}{
	{"in", "341523100001"},        // 东苑社区, 城关镇, 舒城县, 六安市, 安徽省
	{"neighbour", "341523100201"}, // 仁和村: another village of the township
	{"village", "341523101001"},   // 晓天镇, 舒城县: another township of the county
	{"county", "341522100001"},    // 霍邱县, 六安市: another county of the city
	{"city", "340102001001"},      // 合肥市: another city of the province
	{"province", "320102002001"},  // 南京市, 江苏省: another province
}

// callers are the roles with the targets each is called on: the target
// within its region and those just outside it (for a village, another
// village of its township too).
var callers = []struct {
	role    auth.Role
	region  region.Code
	targets []string
}{
	{auth.RoleVillage, "341523100001", []string{"in", "neighbour", "village", "county"}},
	{auth.RoleTownship, "341523100000", []string{"in", "village", "county"}},
	{auth.RoleCounty, "341523", []string{"in", "county"}},
	{auth.RoleFinance, "341523", []string{"in", "county"}},
	{auth.RoleSupervisor, "341523", []string{"in", "county"}},
	{auth.RoleCity, "341500", []string{"in", "city"}},
	{auth.RoleProvince, "340000", []string{"in", "province"}},
	{auth.RoleAdmin, "", []string{"in"}},
	{auth.RoleCitizen, "341523100001", []string{"in", "neighbour", "village", "county"}},
}

// personPath is the API's path of the target's wife, with rest.
func personPath(rest string) func(*target) request {
	return func(t *target) request {
		return request{path: "/api/v1/persons/" + t.person() + rest, body: map[string]any{}}
	}
}

func personGet(rest string) func(*target) request {
	return func(t *target) request { return request{path: "/api/v1/persons/" + t.person() + rest} }
}

func casePath(rest string, body any) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/api/v1/cases/%s/%d%s", t.county, t.caseID, rest), body: body}
	}
}

func pagePerson(rest string, form url.Values) func(*target) request {
	return func(t *target) request { return request{path: "/persons/" + t.person() + rest, body: form} }
}

func pageCase(rest string, form url.Values) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/cases/%s/%d%s", t.county, t.caseID, rest), body: form}
	}
}

// complaintPath is the API's path of the target's complaint, with rest.
func complaintPath(rest string, body any) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/api/v1/complaints/%s/%d%s", t.county, t.complaint, rest), body: body}
	}
}

// specialPath is the API's path of the target's special family, with rest.
func specialPath(rest string, body any) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/api/v1/special/%s/families/%d%s", t.county, t.special, rest), body: body}
	}
}

func pageSpecial(rest string, form url.Values) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/special/%s/%d%s", t.county, t.special, rest), body: form}
	}
}

// taskPath is the API's path of the target's worklist task, with rest.
func taskPath(rest string, body any) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/api/v1/match/tasks/%s/%d%s", t.county, t.task, rest), body: body}
	}
}

func birthPath(rest string, body any) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/api/v1/births/%s/%d%s", t.county, t.birth, rest), body: body}
	}
}

func claimPath(rest string, body any) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/api/v1/subsidy-claims/%s/%d%s", t.county, t.claim, rest), body: body}
	}
}

func institutionPath(rest string, body any) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/api/v1/childcare/%s/institutions/%d%s", t.county, t.institution, rest), body: body}
	}
}

func pageBirth(rest string, form url.Values) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/births/%s/%d%s", t.county, t.birth, rest), body: form}
	}
}

func pageClaim(rest string, form url.Values) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/subsidy/%s/%d%s", t.county, t.claim, rest), body: form}
	}
}

func pageInstitution(rest string, form url.Values) func(*target) request {
	return func(t *target) request {
		return request{path: fmt.Sprintf("/childcare/%s/%d%s", t.county, t.institution, rest), body: form}
	}
}

// countyPath is a path of a county's payment object; id 1 need not exist:
// the county named is what the use case checks.
func countyPath(format string, body any) func(*target) request {
	return func(t *target) request { return request{path: fmt.Sprintf(format, t.county), body: body} }
}

// badLayer is a rule layer of the target's county that parses but does
// not validate, so that one in scope is refused by the rules, not stored.
func badLayer(t *target) string {
	return `{"region": "` + t.county + `", "version": 90, "from": "2024-01-01", "title": "矩阵", "programs": [{"code": "jf", "params": {"min_age": 61}},
	  {"code": "jx", "name": "x", "funding": {"central": false, "local": {"county": 100}}, "clauses": [{"id": "age", "expr": "age >= P.nope", "text": "x"}]}]}`
}

var form = url.Values{}

// matrix is the access rule of every route, by its pattern.
var matrix = map[string]entry{
	// The server's own routes.
	"GET /healthz": {kind: public, req: get("/healthz")},
	"GET /metrics": {kind: public, req: get("/metrics")},

	// The API.
	"GET /api/openapi.json":    {kind: public, req: get("/api/openapi.json")},
	"POST /api/v1/login":       {kind: public, skip: "signs in: starts a session"},
	"POST /api/v1/logout":      {kind: public, skip: "ends the caller's session"},
	"GET /api/v1/me":           {kind: self, req: get("/api/v1/me")},
	"POST /api/v1/me/password": {kind: self, skip: "changes the caller's password and ends the session"},

	"GET /api/v1/users": {kind: listed, perm: auth.PermUsersManage, req: get("/api/v1/users?disabled=1")},
	"POST /api/v1/users": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/api/v1/users", map[string]any{"username": "m" + t.key + strconv.Itoa(seq()), "name": "矩阵用户", "role": "village",
			"region": string(t.village), "password": "matrix-pass-1"}
	})},
	"GET /api/v1/users/{id}": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/api/v1/users/" + strconv.FormatInt(t.user, 10), nil
	})},
	"POST /api/v1/users/{id}/disable": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/api/v1/users/" + strconv.FormatInt(t.user, 10) + "/disable", nil
	})},
	"POST /api/v1/users/{id}/enable": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/api/v1/users/" + strconv.FormatInt(t.user, 10) + "/enable", nil
	})},
	"POST /api/v1/users/{id}/password": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/api/v1/users/" + strconv.FormatInt(t.user, 10) + "/password", map[string]any{"password": "x"}
	})},

	"GET /api/v1/regions":                  {kind: open, req: get("/api/v1/regions?q=舒城")},
	"GET /api/v1/regions/{code}":           {kind: open, req: get("/api/v1/regions/341522")},
	"GET /api/v1/regions/{code}/children":  {kind: open, req: get("/api/v1/regions/341522/children")},
	"GET /api/v1/regions/{code}/ancestors": {kind: open, req: get("/api/v1/regions/341522100001/ancestors")},
	"POST /api/v1/idcard/validate":         {kind: open, req: post("/api/v1/idcard/validate", map[string]any{"id_number": "34152319620301011X"})},

	"GET /api/v1/audit": {kind: targeted, perm: auth.PermAuditRead, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/audit?county=" + t.county, nil
	})},
	"GET /api/v1/audit/verify": {kind: targeted, perm: auth.PermAuditVerify, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/audit/verify?county=" + t.county, nil
	})},

	"POST /api/v1/persons": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return "/api/v1/persons", map[string]any{"region": string(t.village)}
	})},
	"GET /api/v1/persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/persons?region=" + string(t.village), nil
	})},
	"GET /api/v1/persons/{county}/{id}": {kind: targeted, perm: auth.PermRegistryRead, req: personGet("")},
	"PATCH /api/v1/persons/{county}/{id}": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return "/api/v1/persons/" + t.person(), map[string]any{"version": 99}
	})},
	"GET /api/v1/persons/{county}/{id}/family":  {kind: targeted, perm: auth.PermRegistryRead, req: personGet("/family")},
	"GET /api/v1/persons/{county}/{id}/history": {kind: targeted, perm: auth.PermRegistryRead, req: personGet("/history")},
	"POST /api/v1/persons/{county}/{id}/death": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return "/api/v1/persons/" + t.person() + "/death", map[string]any{"date": "2099-01-01"}
	})},
	"POST /api/v1/persons/{county}/{id}/hukou":     {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/hukou")},
	"POST /api/v1/persons/{county}/{id}/marriages": {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/marriages")},
	"POST /api/v1/marriages/{county}/{id}/end": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/marriages/%s/%d/end", t.county, t.marriage), map[string]any{}
	})},
	"POST /api/v1/persons/{county}/{id}/children":                  {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/children")},
	"POST /api/v1/persons/{county}/{id}/disabilities":              {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/disabilities")},
	"POST /api/v1/persons/{county}/{id}/certificates":              {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/certificates")},
	"POST /api/v1/persons/{county}/{id}/certificates/{cid}/cancel": {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/certificates/1/cancel")},
	"POST /api/v1/persons/{county}/{id}/complications":             {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/complications")},
	"POST /api/v1/persons/{county}/{id}/retirements":               {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/retirements")},
	"POST /api/v1/import/persons":                                  {kind: listed, perm: auth.PermRegistryWrite, req: post("/api/v1/import/persons?dry_run=1", roster)},
	"GET /api/v1/export/persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/export/persons?region=" + string(t.village), nil
	})},

	"POST /api/v1/cases": {kind: targeted, perm: auth.PermCaseApply, req: on(func(t *target) (string, any) {
		return "/api/v1/cases", map[string]any{"county": t.county, "person_id": t.wife.ID}
	})},
	"GET /api/v1/cases": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return "/api/v1/cases?region=" + string(t.village), nil
	})},
	"GET /api/v1/cases/{county}/{id}":                         {kind: targeted, perm: auth.PermCaseRead, req: casePath("", nil)},
	"POST /api/v1/cases/{county}/{id}/survey":                 {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/survey", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/village-review":         {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/village-review", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/notices":                {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/notices", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/notices/{n}/objections": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/notices/1/objections", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/notices/{n}/close":      {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/notices/1/close", nil)},
	"POST /api/v1/cases/{county}/{id}/objections/{o}/resolve": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/objections/1/resolve", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/township-review":        {kind: targeted, perm: auth.PermCaseReview, domain: true, req: casePath("/township-review", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/county-approval":        {kind: targeted, perm: auth.PermCaseApprove, domain: true, req: casePath("/county-approval", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/withdraw":               {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/withdraw", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/accept":                 {kind: targeted, perm: auth.PermCaseApply, domain: true, req: casePath("/accept", map[string]any{})},
	"POST /api/v1/cases/{county}/{id}/return":                 {kind: targeted, perm: auth.PermCaseApply, domain: true, req: casePath("/return", map[string]any{})},
	"GET /api/v1/self":                                 {kind: self, perm: auth.PermSelfService, req: get("/api/v1/self")},
	"POST /api/v1/self/applications":                   {kind: self, perm: auth.PermSelfApply, req: post("/api/v1/self/applications", map[string]any{})},
	"GET /api/v1/cases/{county}/{id}/documents/{kind}": {kind: targeted, perm: auth.PermCaseRead, req: casePath("/documents/application?format=pdf", nil)},
	"GET /api/v1/notice-lists": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return "/api/v1/notice-lists?level=village&day=2024-05-06&region=" + string(t.village), nil
	})},
	"GET /api/v1/roll": {kind: targeted, perm: auth.PermCaseRead, also: auth.PermPaymentRead, req: on(func(t *target) (string, any) {
		return "/api/v1/roll?region=" + string(t.village), nil
	})},
	"POST /api/v1/annual-review": {kind: targeted, perm: auth.PermCaseRead, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/annual-review", map[string]any{"region": t.county}
	})},
	"POST /api/v1/persons/{county}/{id}/attachments": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: personPath("/attachments")},
	"GET /api/v1/cases/{county}/{id}/attachments":    {kind: targeted, perm: auth.PermCaseRead, req: casePath("/attachments", nil)},
	"POST /api/v1/cases/{county}/{id}/attachments":   {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/attachments", map[string]any{})},
	"GET /api/v1/cases/{county}/{id}/case-file":      {kind: targeted, perm: auth.PermCaseRead, req: casePath("/case-file", nil)},
	"GET /api/v1/attachment-retention/{county}":      {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: countyPath("/api/v1/attachment-retention/%s", nil)},
	"PUT /api/v1/attachment-retention/{county}":      {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: countyPath("/api/v1/attachment-retention/%s", map[string]any{"years": 0})},
	"GET /api/v1/budget/{county}":                    {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/budget/%s?year=2024", nil)},
	"POST /api/v1/budget/{county}/funds":             {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/budget/%s/funds", map[string]any{})},
	"GET /api/v1/payment-calendar/{county}":          {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/payment-calendar/%s?year=2024", nil)},
	"GET /api/v1/cases/{county}/{id}/escalations":    {kind: targeted, perm: auth.PermCaseRead, req: casePath("/escalations", nil)},
	"POST /api/v1/cases/{county}/{id}/escalations":   {kind: targeted, perm: auth.PermCaseRead, domain: true, req: casePath("/escalations", map[string]any{})},
	"POST /api/v1/escalations/{county}/{id}/answer": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/escalations/%s/%d/answer", t.county, t.question), map[string]any{}
	})},
	"GET /api/v1/escalations":  {kind: listed, perm: auth.PermCaseRead, req: get("/api/v1/escalations")},
	"GET /api/v1/policy-sheet": {kind: listed, perm: auth.PermRegistryRead, req: get("/api/v1/policy-sheet?year=2024")},
	"GET /api/v1/charges": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return "/api/v1/charges?kind=case&level=township&region=" + string(t.village), nil
	})},
	"POST /api/v1/charges": {kind: targeted, perm: auth.PermChargeAssign, domain: true, req: on(func(t *target) (string, any) {
		return "/api/v1/charges", map[string]any{"region": t.village, "kind": "recipient", "level": "village", "ids": []int64{}, "user_id": 0}
	})},
	"GET /api/v1/charges/mine":                    {kind: listed, perm: auth.PermCaseRead, req: get("/api/v1/charges/mine")},
	"GET /api/v1/pension-list/{county}":           {kind: targeted, perm: auth.PermPensionList, at: atCounty, req: countyPath("/api/v1/pension-list/%s?year=2024", nil)},
	"GET /api/v1/check-samples":                   {kind: listed, perm: auth.PermCaseRead, req: get("/api/v1/check-samples")},
	"GET /api/v1/persons/{county}/{id}/residence": {kind: targeted, perm: auth.PermRegistryRead, req: personGet("/residence")},
	"PUT /api/v1/persons/{county}/{id}/residence": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return "/api/v1/persons/" + t.person() + "/residence", map[string]any{"residence": "", "version": 99}
	})},
	"GET /api/v1/migrants": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/migrants?region=" + string(t.village), nil
	})},
	"POST /api/v1/transfers": {kind: targeted, perm: auth.PermTransfer, req: on(func(t *target) (string, any) {
		return "/api/v1/transfers", map[string]any{"county": t.county, "person_id": t.wife.ID}
	})},
	"GET /api/v1/transfers": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/transfers?side=in&county=" + t.county, nil
	})},
	"GET /api/v1/transfers/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/transfers/%s/%d", t.county, t.transfer), nil
	})},
	"POST /api/v1/transfers/{county}/{id}/decision": {kind: targeted, perm: auth.PermTransfer, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/transfers/%s/%d/decision", t.county, t.transfer), map[string]any{}
	})},
	"POST /api/v1/transfers/{county}/{id}/withdraw": {kind: targeted, perm: auth.PermTransfer, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/transfers/%s/%d/withdraw", t.county, t.transfer), map[string]any{}
	})},
	"POST /api/v1/check-samples": {kind: targeted, perm: auth.PermCheckRecord, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/check-samples", map[string]any{"county": t.county}
	})},
	"GET /api/v1/check-samples/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/check-samples/%s/%d", t.county, t.sample), nil
	})},
	"POST /api/v1/check-samples/{county}/{id}/items/{seq}/visit": {kind: targeted, perm: auth.PermCheckRecord, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/check-samples/%s/%d/items/1/visit", t.county, t.sample), map[string]any{}
	})},
	"POST /api/v1/check-samples/{county}/{id}/items/{seq}/finding": {kind: targeted, perm: auth.PermCheckRecord, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/check-samples/%s/%d/items/1/finding", t.county, t.sample), map[string]any{}
	})},
	"GET /api/v1/inperson-review": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return "/api/v1/inperson-review?year=2024&region=" + string(t.village), nil
	})},
	"GET /api/v1/persons/{county}/{id}/inperson-review":  {kind: targeted, perm: auth.PermCaseRead, req: personGet("/inperson-review?year=2024")},
	"POST /api/v1/persons/{county}/{id}/inperson-review": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: personPath("/inperson-review")},
	"GET /api/v1/persons/{county}/{id}/attachments":      {kind: targeted, perm: auth.PermCaseRead, req: personGet("/attachments")},
	"GET /api/v1/attachments/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/attachments/%s/%d", t.county, t.file), nil
	})},
	"POST /api/v1/persons/{county}/{id}/events": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: personPath("/events")},
	"GET /api/v1/overrides":                     {kind: listed, perm: auth.PermAuditRead, req: get("/api/v1/overrides")},

	"GET /api/v1/banks":                               {kind: open, req: get("/api/v1/banks")},
	"GET /api/v1/persons/{county}/{id}/account":       {kind: targeted, perm: auth.PermPaymentRead, req: personGet("/account")},
	"PUT /api/v1/persons/{county}/{id}/account":       {kind: targeted, perm: auth.PermPaymentManage, req: personPath("/account")},
	"POST /api/v1/persons/{county}/{id}/payment-hold": {kind: targeted, perm: auth.PermRegistryWrite, also: auth.PermPaymentManage, req: personPath("/payment-hold")},
	"GET /api/v1/payment-params/{county}":             {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/payment-params/%s", nil)},
	"PUT /api/v1/payment-params/{county}":             {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: countyPath("/api/v1/payment-params/%s", map[string]any{})},
	"POST /api/v1/payment-cycles": {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/payment-cycles", map[string]any{"county": t.county}
	})},
	"GET /api/v1/payment-cycles":                           {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/payment-cycles?county=%s", nil)},
	"GET /api/v1/payment-cycles/{county}/{id}":             {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/payment-cycles/%s/1", nil)},
	"GET /api/v1/payment-cycles/{county}/{id}/consistency": {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/payment-cycles/%s/1/consistency", nil)},
	"GET /api/v1/payment-cycles/{county}/{id}/letters/{person}": {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/payment-cycles/%s/1/letters/%d", t.county, t.wife.ID), nil
	})},
	"GET /api/v1/payment-cycles/{county}/{id}/letters":     {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/payment-cycles/%s/1/letters", nil)},
	"POST /api/v1/payment-cycles/{county}/{id}/supplement": {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/payment-cycles/%s/1/supplement", nil)},
	"POST /api/v1/payment-cycles/{county}/{id}/batches":    {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/payment-cycles/%s/1/batches", nil)},
	"GET /api/v1/batches":                                  {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/batches?county=%s", nil)},
	"GET /api/v1/batches/{county}/{id}":                    {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/batches/%s/1", nil)},
	"POST /api/v1/batches/{county}/{id}/approve":           {kind: targeted, perm: auth.PermPaymentApprove, at: atCounty, req: countyPath("/api/v1/batches/%s/1/approve", map[string]any{})},
	"POST /api/v1/batches/{county}/{id}/recall":            {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/batches/%s/1/recall", map[string]any{"reason": "矩阵"})},
	"GET /api/v1/batches/{county}/{id}/file":               {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/batches/%s/1/file", nil)},
	"GET /api/v1/bank-templates/{county}":                  {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/bank-templates/%s", nil)},
	"PUT /api/v1/bank-templates/{county}/{bank}":           {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/bank-templates/%s/402", map[string]any{"layout": map[string]any{}})},
	"DELETE /api/v1/bank-templates/{county}/{bank}":        {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/bank-templates/%s/402?version=1", nil)},
	"POST /api/v1/batches/{county}/{id}/returns":           {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/batches/%s/1/returns", roster)},
	"GET /api/v1/retries":                                  {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/api/v1/retries?county=%s", nil)},
	"POST /api/v1/retries/{county}/batches":                {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/api/v1/retries/%s/batches", nil)},
	"POST /api/v1/payment-lines/{county}/{id}/verify": {kind: targeted, perm: auth.PermEligibility, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/payment-lines/%s/%d/verify", t.county, t.line), map[string]any{}
	})},
	"GET /api/v1/reports/{region}/{month}": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/reports/" + string(t.village) + "/2024-01", nil
	})},
	"GET /api/v1/reports/{region}/{month}/print.pdf": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/reports/" + string(t.village) + "/2024-01/print.pdf", nil
	})},
	"GET /api/v1/reports/{region}/{month}/persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/reports/" + string(t.village) + "/2024-01/persons?figure=births.all.all", nil
	})},
	"POST /api/v1/reports/{region}/{month}/{step}": {kind: targeted, perm: auth.PermReportApprove, domain: true, req: on(func(t *target) (string, any) {
		return "/api/v1/reports/" + string(t.village) + "/2024-01/submit", map[string]any{"version": 0}
	})},
	"GET /api/v1/reports/{region}/revisions": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/reports/" + string(t.village) + "/revisions", nil
	})},
	"GET /api/v1/quality/{region}/{quarter}": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/quality/" + string(t.village) + "/2024-Q1", nil
	})},
	"GET /api/v1/quality/{region}/{quarter}/persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/quality/" + string(t.village) + "/2024-Q1/persons", nil
	})},
	"GET /api/v1/reports/{region}/{month}/families": {kind: targeted, perm: auth.PermSpecialCare, req: on(func(t *target) (string, any) {
		return "/api/v1/reports/" + string(t.village) + "/2024-01/families?figure=special.families", nil
	})},
	"GET /api/v1/complaints": {kind: listed, perm: auth.PermCaseRead, req: get("/api/v1/complaints?status=overdue")},
	"POST /api/v1/complaints/{county}": {kind: targeted, perm: auth.PermComplaintHandle, domain: true, req: on(func(t *target) (string, any) {
		return "/api/v1/complaints/" + t.county, map[string]any{"person_id": t.wife.ID, "kind": "enquiry", "source": "phone",
			"received": "2024-05-02", "name": "矩阵来电", "content": "矩阵咨询"}
	})},
	"GET /api/v1/complaints/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, req: complaintPath("", nil)},
	"POST /api/v1/complaints/{county}/{id}/assign": {kind: targeted, perm: auth.PermComplaintHandle, domain: true,
		req: complaintPath("/assign", map[string]any{"handler": "矩阵承办"})},
	"POST /api/v1/complaints/{county}/{id}/reply": {kind: targeted, perm: auth.PermComplaintHandle, domain: true,
		req: complaintPath("/reply", map[string]any{"reply": ""})},
	"POST /api/v1/complaints/{county}/{id}/close": {kind: targeted, perm: auth.PermComplaintHandle, domain: true,
		req: complaintPath("/close", map[string]any{})},
	"GET /api/v1/self/complaints":      {kind: self, perm: auth.PermSelfService, req: get("/api/v1/self/complaints")},
	"POST /api/v1/self/complaints":     {kind: self, perm: auth.PermSelfService, domain: true, req: post("/api/v1/self/complaints", map[string]any{})},
	"GET /api/v1/self/family":          {kind: self, perm: auth.PermSelfService, req: get("/api/v1/self/family")},
	"POST /api/v1/self/family-reports": {kind: self, perm: auth.PermSelfService, req: post("/api/v1/self/family-reports", map[string]any{"text": "我的出生日期登记有误"})},
	"GET /api/v1/self/qualify":         {kind: self, perm: auth.PermSelfService, req: get("/api/v1/self/qualify")},
	"POST /api/v1/self/births":         {kind: self, perm: auth.PermSelfApply, req: post("/api/v1/self/births", map[string]any{})},
	"POST /api/v1/self/subsidy-claims": {kind: self, perm: auth.PermSelfApply, req: post("/api/v1/self/subsidy-claims", map[string]any{})},
	"GET /api/v1/self/applications":    {kind: self, perm: auth.PermSelfService, req: get("/api/v1/self/applications")},
	"GET /api/v1/self/payments":        {kind: self, perm: auth.PermSelfService, req: get("/api/v1/self/payments")},
	"GET /api/v1/self/letters/{county}/{id}/{person}": {kind: targeted, perm: auth.PermSelfService, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/self/letters/%s/900001/%d", t.county, t.wife.ID), nil
	})},
	"GET /api/v1/documents/{entity}/{county}/{id}": {kind: targeted, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/documents/birth_registration/%s/%d", t.county, t.birth), nil
	})},
	"GET /api/v1/documents/{entity}/{county}/{id}/{doc}": {kind: targeted, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/documents/birth_registration/%s/%d/1", t.county, t.birth), nil
	})},
	"POST /api/v1/documents/{entity}/{county}/{id}": {kind: targeted, perm: auth.PermRegistryWrite, also: auth.PermSelfApply, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/documents/birth_registration/%s/%d", t.county, t.birth), map[string]any{}
	})},
	"GET /api/v1/time-limits/{region}": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/time-limits/" + string(t.village), nil
	})},
	"PUT /api/v1/time-limits/{region}": {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/time-limits/" + t.county, map[string]any{"of": "enquiry", "days": 5}
	})},
	"GET /api/v1/supervision/{region}/{year}": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/supervision/" + string(t.village) + "/2024", nil
	})},
	"GET /api/v1/divisions/{county}/changes": {kind: targeted, perm: auth.PermReportRead, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/divisions/" + t.county + "/changes", nil
	})},
	// A rename without a name: refused after the access check, so the
	// matrix changes no division.
	"POST /api/v1/divisions/{county}/changes": {kind: targeted, perm: auth.PermDivisionsManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/divisions/" + t.county + "/changes", map[string]any{"kind": "rename", "code": string(t.village), "day": "2024-01-01"}
	})},
	"GET /api/v1/divisions/{code}/history": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/divisions/" + string(t.village) + "/history", nil
	})},
	"GET /api/v1/divisions/{code}/children": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/divisions/" + string(t.village) + "/children?on=2024-01-01", nil
	})},
	"GET /api/v1/pyramid/{region}": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/pyramid/" + string(t.village) + "?on=2024-01-31", nil
	})},
	"GET /api/v1/ledger": {kind: targeted, perm: auth.PermPaymentRead, req: on(func(t *target) (string, any) {
		return "/api/v1/ledger?year=2024&region=" + string(t.village), nil
	})},

	"GET /api/v1/policy/programs": {kind: open, perm: auth.PermRegistryRead, req: get("/api/v1/policy/programs?region=341522&year=2024")},
	"GET /api/v1/policy/layers":   {kind: open, perm: auth.PermRegistryRead, req: get("/api/v1/policy/layers?region=341522")},
	"POST /api/v1/policy/layers": {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/policy/layers", json.RawMessage(badLayer(t))
	})},
	"POST /api/v1/policy/layers/{region}/{version}/withdraw": {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/policy/layers/" + t.county + "/90/withdraw", map[string]any{"reason": "矩阵"}
	})},
	"POST /api/v1/policy/layers/{region}/{version}/supersede": {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/policy/layers/" + t.county + "/90/supersede", map[string]any{"reason": "矩阵", "layer": json.RawMessage(badLayer(t))}
	})},
	"GET /api/v1/policy/params": {kind: open, perm: auth.PermRegistryRead, req: get("/api/v1/policy/params?region=341522&year=2024")},
	"GET /api/v1/policy/diff":   {kind: open, perm: auth.PermRegistryRead, req: get("/api/v1/policy/diff?region=34&a=1&b=1")},
	"POST /api/v1/policy/check": {kind: open, perm: auth.PermRegistryRead, req: post("/api/v1/policy/check", map[string]any{"persons": []any{}})},
	"POST /api/v1/policy/impact": {kind: targeted, perm: auth.PermRulesManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/policy/impact?year=2024&region=" + t.county, json.RawMessage(badLayer(t))
	})},
	"GET /api/v1/persons/{county}/{id}/decisions": {kind: targeted, perm: auth.PermRegistryRead, req: personGet("/decisions?year=2024")},
	"GET /api/v1/match/kinds":                     {kind: open, req: get("/api/v1/match/kinds")},
	"POST /api/v1/match/imports": {kind: targeted, perm: auth.PermRegistryWrite, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/match/imports?dry_run=1&source=police-deaths&county=" + t.county, []byte("身份证号,姓名\n")
	})},
	"GET /api/v1/match/imports":                        {kind: targeted, perm: auth.PermRegistryRead, at: atCounty, req: countyPath("/api/v1/match/imports?county=%s", nil)},
	"GET /api/v1/match/duplicates":                     {kind: targeted, perm: auth.PermRegistryRead, at: atCounty, req: countyPath("/api/v1/match/duplicates?county=%s", nil)},
	"GET /api/v1/match/imports/{county}/{id}":          {kind: targeted, perm: auth.PermRegistryRead, at: atCounty, req: countyPath("/api/v1/match/imports/%s/999999", nil)},
	"GET /api/v1/match/imports/{county}/{id}/feedback": {kind: targeted, perm: auth.PermRegistryWrite, at: atCounty, req: countyPath("/api/v1/match/imports/%s/999999/feedback", nil)},
	"GET /api/v1/match/tasks": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/match/tasks?county=" + t.county + "&region=" + string(t.village), nil
	})},
	"GET /api/v1/match/tasks/{county}/{id}":          {kind: targeted, perm: auth.PermRegistryRead, req: taskPath("", nil)},
	"POST /api/v1/match/tasks/{county}/{id}/confirm": {kind: targeted, perm: auth.PermRegistryWrite, req: taskPath("/confirm", map[string]any{"version": 999})},
	"POST /api/v1/match/tasks/{county}/{id}/reject":  {kind: targeted, perm: auth.PermRegistryWrite, req: taskPath("/reject", map[string]any{"version": 999})},
	"POST /api/v1/match/tasks/{county}/{id}/hand-up": {kind: targeted, perm: auth.PermRegistryWrite, req: taskPath("/hand-up", map[string]any{"version": 999})},
	"POST /api/v1/match/tasks/{county}/{id}/decide":  {kind: targeted, perm: auth.PermRegistryWrite, req: taskPath("/decide", map[string]any{"version": 999})},
	"GET /api/v1/match/exchanges":                    {kind: targeted, perm: auth.PermRegistryRead, at: atCounty, req: countyPath("/api/v1/match/exchanges?county=%s", nil)},
	"GET /api/v1/match/mappings/{county}":            {kind: targeted, perm: auth.PermRegistryRead, at: atCounty, req: countyPath("/api/v1/match/mappings/%s?source=police-deaths", nil)},
	"PUT /api/v1/match/mappings/{county}": {kind: targeted, perm: auth.PermRegistryWrite, at: atCounty,
		req: countyPath("/api/v1/match/mappings/%s", map[string]any{"source": "police-deaths", "mapping": map[string]string{"死亡时间": "death_date"}})},

	"GET /api/v1/determinations": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/determinations?year=2024&region=" + string(t.village), nil
	})},

	"GET /api/v1/special/{county}/families": {kind: listed, perm: auth.PermSpecialCare, req: countyPath("/api/v1/special/%s/families", nil)},
	"POST /api/v1/special/{county}/families": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: on(func(t *target) (string, any) {
		return "/api/v1/special/" + t.county + "/families", map[string]any{"person_id": t.husband.ID, "category": "other"}
	})},
	"POST /api/v1/special/{county}/sweep":        {kind: listed, perm: auth.PermSpecialCare, domain: true, req: countyPath("/api/v1/special/%s/sweep", nil)},
	"GET /api/v1/special/{county}/families/{id}": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: specialPath("", nil)},
	"POST /api/v1/special/{county}/families/{id}/close": {kind: targeted, perm: auth.PermSpecialCare, domain: true,
		req: specialPath("/close", map[string]any{"date": "2099-01-01", "reason": "矩阵"})},
	"POST /api/v1/special/{county}/families/{id}/contacts": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: specialPath("/contacts", map[string]any{"kind": "x"})},
	"POST /api/v1/special/{county}/families/{id}/visits":   {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: specialPath("/visits", map[string]any{})},
	"POST /api/v1/special/{county}/families/{id}/services": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: specialPath("/services", map[string]any{})},
	"POST /api/v1/special/{county}/families/{id}/requests": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: specialPath("/requests", map[string]any{})},
	"GET /api/v1/special/{county}/requests":                {kind: listed, perm: auth.PermSpecialCare, req: countyPath("/api/v1/special/%s/requests", nil)},
	"POST /api/v1/special/{county}/requests/{id}/reply": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/special/%s/requests/%d/reply", t.county, t.request), map[string]any{"reply": ""}
	})},
	"POST /api/v1/special/{county}/requests/{id}/settle": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/special/%s/requests/%d/settle", t.county, t.request), map[string]any{}
	})},
	"GET /api/v1/special/{county}/changes": {kind: listed, perm: auth.PermSpecialCare, domain: true, req: countyPath("/api/v1/special/%s/changes", nil)},
	"POST /api/v1/special/{county}/changes/{id}/review": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/special/%s/changes/%d/review", t.county, t.change), map[string]any{"accept": false}
	})},
	"POST /api/v1/special/{county}/handover": {kind: listed, perm: auth.PermSpecialCare, domain: true,
		req: countyPath("/api/v1/special/%s/handover", map[string]any{"from": map[string]any{}, "to": map[string]any{}})},
	"GET /api/v1/special/{county}/overdue":  {kind: listed, perm: auth.PermSpecialCare, req: countyPath("/api/v1/special/%s/overdue", nil)},
	"GET /api/v1/special/{county}/coverage": {kind: listed, perm: auth.PermSpecialCare, req: countyPath("/api/v1/special/%s/coverage", nil)},
	"GET /api/v1/special/{county}/settings": {kind: listed, perm: auth.PermSpecialCare, req: countyPath("/api/v1/special/%s/settings", nil)},
	"PUT /api/v1/special/{county}/settings": {kind: listed, perm: auth.PermSpecialCare, domain: true, req: countyPath("/api/v1/special/%s/settings", map[string]any{})},
	"POST /api/v1/persons/{county}/{id}/family-certificate": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return "/api/v1/persons/" + t.person() + "/family-certificate", map[string]any{"date": "2099-01-01"}
	})},
	"GET /api/v1/family-certificates/verify": {kind: public, req: get("/api/v1/family-certificates/verify?serial=x&code=y")},
	"GET /api/v1/special/{county}/help-lists": {kind: listed, perm: auth.PermSpecialCare, also: auth.PermPaymentManage,
		req: countyPath("/api/v1/special/%s/help-lists", nil)},
	"POST /api/v1/special/{county}/help-lists": {kind: listed, perm: auth.PermSpecialCare, domain: true,
		req: countyPath("/api/v1/special/%s/help-lists", map[string]any{})},
	"POST /api/v1/special/{county}/help-lists/{id}/approve": {kind: targeted, perm: auth.PermSpecialCare, domain: true, at: atCounty,
		req: on(func(t *target) (string, any) {
			return fmt.Sprintf("/api/v1/special/%s/help-lists/%d/approve", t.county, t.help), map[string]any{}
		})},
	"POST /api/v1/special/{county}/help-lists/{id}/pay": {kind: targeted, perm: auth.PermPaymentManage, domain: true, at: atCounty,
		req: on(func(t *target) (string, any) {
			return fmt.Sprintf("/api/v1/special/%s/help-lists/%d/pay", t.county, t.help), nil
		})},
	"POST /api/v1/family-check": {kind: listed, perm: auth.PermFamilyCheck, req: post("/api/v1/family-check", map[string]any{"id_number": "x"})},
	"POST /api/v1/births": {kind: targeted, perm: auth.PermRegistryWrite, also: auth.PermSelfApply, domain: true, req: on(func(t *target) (string, any) {
		return "/api/v1/births", map[string]any{"county": t.county, "applicant_id": t.wife.ID, "mother_id": t.wife.ID}
	})},
	"GET /api/v1/births":                                 {kind: listed, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: get("/api/v1/births?county=341523")},
	"GET /api/v1/births/{county}/{id}":                   {kind: targeted, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: birthPath("", nil)},
	"POST /api/v1/births/{county}/{id}/close":            {kind: targeted, perm: auth.PermRegistryWrite, req: birthPath("/close", map[string]any{"version": 99})},
	"POST /api/v1/births/{county}/{id}/cancel":           {kind: targeted, perm: auth.PermRegistryWrite, also: auth.PermSelfApply, domain: true, req: birthPath("/cancel", map[string]any{"version": 99})},
	"GET /api/v1/births/{county}/{id}/slip":              {kind: targeted, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: birthPath("/slip", nil)},
	"GET /api/v1/verify/birth":                           {kind: public, req: get("/api/v1/verify/birth?serial=341523-2024-000001&code=ABCDEFGH")},
	"GET /api/v1/persons/{county}/{id}/birth-approvals":  {kind: targeted, perm: auth.PermRegistryRead, req: personGet("/birth-approvals")},
	"POST /api/v1/persons/{county}/{id}/birth-approvals": {kind: targeted, perm: auth.PermRegistryWrite, req: personPath("/birth-approvals")},
	"GET /api/v1/persons/{county}/{id}/subsidy-preview":  {kind: targeted, perm: auth.PermRegistryRead, req: personGet("/subsidy-preview?year=2025")},
	"POST /api/v1/subsidy-claims": {kind: targeted, perm: auth.PermCaseApply, also: auth.PermSelfApply, domain: true, req: on(func(t *target) (string, any) {
		return "/api/v1/subsidy-claims", map[string]any{"county": t.county, "child_id": t.wife.ID, "applicant_id": t.wife.ID, "relation": "mother", "year": 2025}
	})},
	"GET /api/v1/subsidy-claims":                         {kind: listed, perm: auth.PermCaseRead, also: auth.PermSelfService, req: get("/api/v1/subsidy-claims?county=341523")},
	"GET /api/v1/subsidy-claims/{county}/{id}":           {kind: targeted, perm: auth.PermCaseRead, also: auth.PermSelfService, req: claimPath("", nil)},
	"POST /api/v1/subsidy-claims/{county}/{id}/check":    {kind: targeted, perm: auth.PermCaseReview, domain: true, req: claimPath("/check", map[string]any{"version": 99})},
	"POST /api/v1/subsidy-claims/{county}/{id}/confirm":  {kind: targeted, perm: auth.PermCaseApprove, domain: true, req: claimPath("/confirm", map[string]any{"version": 99})},
	"POST /api/v1/subsidy-claims/{county}/{id}/withdraw": {kind: targeted, perm: auth.PermCaseApply, also: auth.PermSelfApply, domain: true, req: claimPath("/withdraw", map[string]any{"version": 99})},

	"POST /api/v1/childcare/{county}/institutions": {kind: targeted, perm: auth.PermChildcareManage, domain: true, at: atCounty, req: countyPath("/api/v1/childcare/%s/institutions", map[string]any{})},
	"GET /api/v1/childcare/{county}/institutions": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/childcare/%s/institutions?region=%s", t.county, t.village), nil
	})},
	"GET /api/v1/childcare/{county}/institutions/{id}":              {kind: targeted, perm: auth.PermReportRead, req: institutionPath("", nil)},
	"PUT /api/v1/childcare/{county}/institutions/{id}":              {kind: targeted, perm: auth.PermChildcareManage, domain: true, req: institutionPath("", map[string]any{"version": 99})},
	"POST /api/v1/childcare/{county}/institutions/{id}/close":       {kind: targeted, perm: auth.PermChildcareManage, domain: true, req: institutionPath("/close", map[string]any{"version": 99})},
	"POST /api/v1/childcare/{county}/institutions/{id}/inspections": {kind: targeted, perm: auth.PermChildcareManage, domain: true, req: institutionPath("/inspections", map[string]any{})},
	"GET /api/v1/childcare/{county}/inspections":                    {kind: listed, perm: auth.PermReportRead, req: get("/api/v1/childcare/341523/inspections")},
	"POST /api/v1/childcare/{county}/inspections/{id}/check": {kind: targeted, perm: auth.PermChildcareManage, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/api/v1/childcare/%s/inspections/%d/check", t.county, t.inspection), map[string]any{"version": 99}
	})},
	// A county's figure, which its townships and villages read too; it
	// holds no person.
	"GET /api/v1/childcare/{county}/places": {kind: listed, perm: auth.PermReportRead, req: get("/api/v1/childcare/341523/places")},
	"PUT /api/v1/childcare-target/{region}": {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: countyPath("/api/v1/childcare-target/%s", map[string]any{"target": "5"})},

	// The staff pages.
	"GET /static/{name}": {kind: public, req: get("/static/app.css")},
	"GET /login":         {kind: public, req: get("/login")},
	"POST /login":        {kind: public, skip: "signs in: starts a session"},
	"POST /logout":       {kind: public, skip: "ends the caller's session"},
	// Without a configured identity service both answer 404.
	"GET /login/oidc":          {kind: public, req: get("/login/oidc")},
	"GET /login/oidc/callback": {kind: public, req: get("/login/oidc/callback?state=x&code=y")},
	"GET /{$}":                 {kind: open, req: get("/")},

	"GET /persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/persons?region=" + string(t.village), nil
	})},
	"GET /persons/export.xlsx": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/persons/export.xlsx?region=" + string(t.village), nil
	})},
	"GET /match":                                {kind: listed, perm: auth.PermRegistryRead, req: get("/match")},
	"GET /match/import":                         {kind: listed, perm: auth.PermRegistryWrite, req: get("/match/import")},
	"POST /match/import":                        {kind: listed, perm: auth.PermRegistryWrite, req: post("/match/import", url.Values{"kind": {"police-deaths"}, "content": {""}})},
	"GET /match/imports/{county}/{id}":          {kind: targeted, perm: auth.PermRegistryRead, at: atCounty, req: countyPath("/match/imports/%s/999999", nil)},
	"GET /match/imports/{county}/{id}/feedback": {kind: targeted, perm: auth.PermRegistryWrite, at: atCounty, req: countyPath("/match/imports/%s/999999/feedback", nil)},
	"GET /match/tasks":                          {kind: listed, perm: auth.PermRegistryRead, req: get("/match/tasks")},
	"GET /match/duplicates":                     {kind: targeted, perm: auth.PermRegistryRead, at: atCounty, req: countyPath("/match/duplicates?county=%s", nil)},
	"GET /match/tasks/{county}/{id}": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/match/tasks/%s/%d", t.county, t.task), nil
	})},
	"POST /match/tasks/{county}/{id}/{action}": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/match/tasks/%s/%d/reject", t.county, t.task), url.Values{"version": {"999"}}
	})},

	"GET /persons/import/template.xlsx": {kind: listed, perm: auth.PermRegistryWrite, req: get("/persons/import/template.xlsx")},

	"GET /persons/import":  {kind: listed, perm: auth.PermRegistryWrite, req: get("/persons/import")},
	"POST /persons/import": {kind: listed, perm: auth.PermRegistryWrite, req: post("/persons/import", url.Values{"content": {""}})},
	"GET /persons/new":     {kind: listed, perm: auth.PermRegistryWrite, req: get("/persons/new")},
	"POST /persons/new": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return "/persons/new", url.Values{"region": {string(t.village)}, "birth": {"1960-01-01"}}
	})},
	"GET /persons/{county}/{id}":          {kind: targeted, perm: auth.PermRegistryRead, req: pagePerson("", nil)},
	"GET /persons/{county}/{id}/{event}":  {kind: targeted, perm: auth.PermRegistryWrite, req: pagePerson("/certificate", nil)},
	"POST /persons/{county}/{id}/{event}": {kind: targeted, perm: auth.PermRegistryWrite, req: pagePerson("/certificate", form)},

	"GET /cases":                                         {kind: listed, perm: auth.PermCaseRead, req: get("/cases")},
	"GET /self":                                          {kind: self, perm: auth.PermSelfService, req: get("/self")},
	"POST /self":                                         {kind: self, perm: auth.PermSelfApply, req: post("/self", form)},
	"GET /cases/export.xlsx":                             {kind: listed, perm: auth.PermCaseRead, req: get("/cases/export.xlsx")},
	"GET /persons/{county}/{id}/apply":                   {kind: targeted, perm: auth.PermCaseApply, req: pagePerson("/apply", nil)},
	"POST /persons/{county}/{id}/apply":                  {kind: targeted, perm: auth.PermCaseApply, req: pagePerson("/apply", form)},
	"GET /cases/{county}/{id}":                           {kind: targeted, perm: auth.PermCaseRead, req: pageCase("", nil)},
	"POST /cases/{county}/{id}/{step}":                   {kind: targeted, perm: auth.PermCaseRead, domain: true, req: pageCase("/survey", form)},
	"GET /cases/{county}/{id}/notices/{nid}":             {kind: targeted, perm: auth.PermCaseRead, req: pageCase("/notices/1", nil)},
	"GET /cases/{county}/{id}/notices/{nid}/export.xlsx": {kind: targeted, perm: auth.PermCaseRead, req: pageCase("/notices/1/export.xlsx", nil)},
	"GET /cases/{county}/{id}/documents/{kind}":          {kind: targeted, perm: auth.PermCaseRead, req: pageCase("/documents/application?format=pdf", nil)},

	"GET /outreach": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/outreach?region=" + string(t.village), nil
	})},

	"GET /notices": {kind: listed, perm: auth.PermCaseRead, req: get("/notices")},
	"GET /notices/print": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return "/notices/print?level=village&day=2024-05-06&region=" + string(t.village), nil
	})},
	"GET /roll": {kind: targeted, perm: auth.PermCaseRead, also: auth.PermPaymentRead, req: on(func(t *target) (string, any) {
		return "/roll?region=" + string(t.village), nil
	})},
	"GET /roll/export.xlsx": {kind: targeted, perm: auth.PermCaseRead, also: auth.PermPaymentRead, req: on(func(t *target) (string, any) {
		return "/roll/export.xlsx?region=" + string(t.village), nil
	})},
	"GET /roll/annual-review": {kind: listed, perm: auth.PermCaseRead, req: get("/roll/annual-review")},
	"POST /roll/annual-review": {kind: targeted, perm: auth.PermCaseRead, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/roll/annual-review", url.Values{"region": {t.county}, "year": {"2024"}}
	})},
	"GET /roll/annual-review/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/roll/annual-review/%s/%d", t.county, t.review), nil
	})},
	"GET /roll/annual-review/{county}/{id}/export.xlsx": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/roll/annual-review/%s/%d/export.xlsx", t.county, t.review), nil
	})},
	"POST /cases/{county}/{id}/attachments": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: pageCase("/attachments", form)},
	"GET /cases/{county}/{id}/case-file":    {kind: targeted, perm: auth.PermCaseRead, req: pageCase("/case-file", nil)},
	"GET /payments/budget":                  {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/budget?year=2024&county=%s", nil)},
	"POST /payments/budget/funds": {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/payments/budget/funds", url.Values{"county": {t.county}, "year": {"2024"}}
	})},
	"POST /cases/{county}/{id}/escalations": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: pageCase("/escalations", form)},
	"POST /escalations/{county}/{id}/answer": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/escalations/%s/%d/answer", t.county, t.question), url.Values{}
	})},
	"GET /policy-sheet": {kind: listed, perm: auth.PermRegistryRead, req: get("/policy-sheet?year=2024")},
	"GET /transfers": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return "/transfers?county=" + t.county, nil
	})},
	"GET /transfers/new": {kind: targeted, perm: auth.PermTransfer, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/transfers/new?county=%s&person=%d", t.county, t.wife.ID), nil
	})},
	"POST /transfers": {kind: targeted, perm: auth.PermTransfer, req: on(func(t *target) (string, any) {
		return "/transfers", url.Values{"county": {t.county}, "person": {strconv.FormatInt(t.wife.ID, 10)}}
	})},
	"GET /transfers/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/transfers/%s/%d", t.county, t.transfer), nil
	})},
	"POST /transfers/{county}/{id}/{what}": {kind: targeted, perm: auth.PermTransfer, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/transfers/%s/%d/refuse", t.county, t.transfer), url.Values{"version": {"1"}}
	})},
	"GET /migrants": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/migrants?region=" + string(t.village), nil
	})},
	"GET /persons/{county}/{id}/residence": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/persons/" + t.person() + "/residence", nil
	})},
	"POST /persons/{county}/{id}/residence": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return "/persons/" + t.person() + "/residence", url.Values{"version": {"99"}}
	})},
	"GET /checks": {kind: listed, perm: auth.PermCaseRead, req: get("/checks")},
	"POST /checks": {kind: targeted, perm: auth.PermCheckRecord, at: atCounty, req: on(func(t *target) (string, any) {
		return "/checks", url.Values{"county": {t.county}}
	})},
	"GET /checks/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/checks/%s/%d", t.county, t.sample), nil
	})},
	"POST /checks/{county}/{id}/items/{seq}/{what}": {kind: targeted, perm: auth.PermCheckRecord, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/checks/%s/%d/items/1/visit", t.county, t.sample), url.Values{}
	})},
	"GET /charges": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return "/charges?kind=recipient&level=village&region=" + string(t.village), nil
	})},
	"POST /charges": {kind: targeted, perm: auth.PermChargeAssign, domain: true, req: on(func(t *target) (string, any) {
		return "/charges", url.Values{"region": {string(t.village)}, "kind": {"recipient"}, "level": {"village"}, "op": {"unassign"}}
	})},
	"GET /charges/mine":               {kind: listed, perm: auth.PermCaseRead, req: get("/charges/mine")},
	"GET /pension-list":               {kind: listed, perm: auth.PermPensionList, req: get("/pension-list")},
	"GET /pension-list/{county}/file": {kind: targeted, perm: auth.PermPensionList, at: atCounty, req: countyPath("/pension-list/%s/file?year=2024&format=csv", nil)},
	"GET /inperson": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return "/inperson?year=2024&region=" + string(t.village), nil
	})},
	"GET /persons/{county}/{id}/inperson":  {kind: targeted, perm: auth.PermCaseRead, req: pagePerson("/inperson", nil)},
	"POST /persons/{county}/{id}/inperson": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: pagePerson("/inperson", form)},
	"GET /attachments/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/attachments/%s/%d", t.county, t.file), nil
	})},
	"GET /persons/{county}/{id}/roll-event":  {kind: targeted, perm: auth.PermEligibility, req: pagePerson("/roll-event", nil)},
	"POST /persons/{county}/{id}/roll-event": {kind: targeted, perm: auth.PermEligibility, domain: true, req: pagePerson("/roll-event", form)},

	"GET /payments": {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments?county=%s", nil)},
	"POST /payments/cycles": {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/payments/cycles", url.Values{"county": {t.county}}
	})},
	"GET /payments/cycles/{county}/{id}":             {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/cycles/%s/1", nil)},
	"GET /payments/cycles/{county}/{id}/export.xlsx": {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/cycles/%s/1/export.xlsx", nil)},
	"POST /payments/cycles/{county}/{id}/supplement": {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/cycles/%s/1/supplement", form)},
	"POST /payments/cycles/{county}/{id}/batches":    {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/cycles/%s/1/batches", form)},
	"GET /payments/cycles/{county}/{id}/consistency": {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/cycles/%s/1/consistency", nil)},
	"GET /payments/cycles/{county}/{id}/letters/{person}": {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/payments/cycles/%s/1/letters/%d", t.county, t.wife.ID), nil
	})},
	"GET /payments/cycles/{county}/{id}/letters": {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/cycles/%s/1/letters", nil)},
	"POST /payments/lines/{county}/{id}/verify": {kind: targeted, perm: auth.PermEligibility, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/payments/lines/%s/%d/verify", t.county, t.line), form
	})},
	"GET /payments/batches":                               {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/batches?county=%s", nil)},
	"GET /payments/batches/{county}/{id}":                 {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/batches/%s/1", nil)},
	"POST /payments/batches/{county}/{id}/approve":        {kind: targeted, perm: auth.PermPaymentApprove, at: atCounty, req: countyPath("/payments/batches/%s/1/approve", url.Values{"count": {"1"}, "total": {"1.00"}})},
	"POST /payments/batches/{county}/{id}/recall":         {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/batches/%s/1/recall", url.Values{"reason": {"矩阵"}})},
	"GET /payments/batches/{county}/{id}/file":            {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/batches/%s/1/file", nil)},
	"POST /payments/batches/{county}/{id}/returns":        {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/batches/%s/1/returns", url.Values{"content": {""}})},
	"GET /payments/bank-templates":                        {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/bank-templates?county=%s&bank=402", nil)},
	"POST /payments/bank-templates/{county}/{bank}":       {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/bank-templates/%s/402", url.Values{"action": {"save"}})},
	"POST /payments/bank-templates/{county}/{bank}/reset": {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/bank-templates/%s/402/reset", url.Values{"version": {"1"}})},
	"GET /payments/retries":                               {kind: targeted, perm: auth.PermPaymentRead, at: atCounty, req: countyPath("/payments/retries?county=%s", nil)},
	"POST /payments/retries":                              {kind: targeted, perm: auth.PermPaymentManage, at: atCounty, req: countyPath("/payments/retries?county=%s", form)},
	"GET /reports": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports?month=2024-01&region=" + string(t.village), nil
	})},
	"GET /reports/persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/reports/persons?month=2024-01&figure=births.all.all&region=" + string(t.village), nil
	})},
	"GET /reports/export.xlsx": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports/export.xlsx?month=2024-01&region=" + string(t.village), nil
	})},
	"GET /reports/print.pdf": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports/print.pdf?month=2024-01&region=" + string(t.village), nil
	})},
	"POST /reports/{region}/{month}/{step}": {kind: targeted, perm: auth.PermReportApprove, domain: true, req: on(func(t *target) (string, any) {
		return "/reports/" + string(t.village) + "/2024-01/submit", url.Values{"version": {"0"}}
	})},
	"GET /reports/quality": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports/quality?quarter=2024-Q1&region=" + string(t.village), nil
	})},
	"GET /reports/quality/persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/reports/quality/persons?quarter=2024-Q1&region=" + string(t.village), nil
	})},
	"GET /reports/families": {kind: targeted, perm: auth.PermSpecialCare, req: on(func(t *target) (string, any) {
		return "/reports/families?month=2024-01&figure=special.families&region=" + string(t.village), nil
	})},
	"GET /complaints":         {kind: listed, perm: auth.PermCaseRead, req: get("/complaints")},
	"GET /complaints/new":     {kind: listed, perm: auth.PermComplaintHandle, req: get("/complaints/new")},
	"POST /complaints/limits": {kind: listed, perm: auth.PermRulesManage, domain: true, req: post("/complaints/limits", url.Values{"of": {"enquiry"}, "days": {"5"}})},
	"POST /complaints/new":    {kind: listed, perm: auth.PermComplaintHandle, domain: true, req: post("/complaints/new", url.Values{"kind": {"enquiry"}})},
	"GET /complaints/{county}/{id}": {kind: targeted, perm: auth.PermCaseRead, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/complaints/%s/%d", t.county, t.complaint), nil
	})},
	"POST /complaints/{county}/{id}/{action}": {kind: targeted, perm: auth.PermComplaintHandle, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/complaints/%s/%d/reply", t.county, t.complaint), url.Values{"reply": {""}}
	})},
	"GET /self/complaints":  {kind: self, perm: auth.PermSelfService, req: get("/self/complaints")},
	"POST /self/complaints": {kind: self, perm: auth.PermSelfService, domain: true, req: post("/self/complaints", url.Values{"kind": {"enquiry"}})},
	"GET /divisions": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/divisions?on=2024-01-01&region=" + string(t.village), nil
	})},
	// A rename without a name: refused after the access check.
	"POST /divisions/changes": {kind: targeted, perm: auth.PermDivisionsManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/divisions/changes", url.Values{"kind": {"rename"}, "code": {string(t.village)}, "day": {"2024-01-01"}, "region": {t.county}}
	})},
	"GET /reports/supervision": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports/supervision?year=2024&region=" + string(t.village), nil
	})},
	"GET /reports/supervision/export.xlsx": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports/supervision/export.xlsx?year=2024&region=" + string(t.village), nil
	})},
	"GET /reports/pyramid": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports/pyramid?on=2024-01-31&region=" + string(t.village), nil
	})},
	"GET /payments/ledger": {kind: targeted, perm: auth.PermPaymentRead, req: on(func(t *target) (string, any) {
		return "/payments/ledger?year=2024&region=" + string(t.village), nil
	})},
	"GET /payments/ledger/export.xlsx": {kind: targeted, perm: auth.PermPaymentRead, req: on(func(t *target) (string, any) {
		return "/payments/ledger/export.xlsx?year=2024&region=" + string(t.village), nil
	})},
	"GET /persons/{county}/{id}/account":  {kind: targeted, perm: auth.PermPaymentManage, req: pagePerson("/account", nil)},
	"POST /persons/{county}/{id}/account": {kind: targeted, perm: auth.PermPaymentManage, req: pagePerson("/account", form)},

	"GET /births":     {kind: listed, perm: auth.PermRegistryRead, req: get("/births?county=341523")},
	"GET /births/new": {kind: listed, perm: auth.PermRegistryWrite, req: get("/births/new")},
	"POST /births/new": {kind: targeted, perm: auth.PermRegistryWrite, domain: true, req: on(func(t *target) (string, any) {
		return "/births/new", url.Values{"county": {t.county}, "mother_id": {strconv.FormatInt(t.wife.ID, 10)}, "applicant": {"mother"},
			"expected": {"2024-09-01"}, "expecting": {"1"}}
	})},
	"GET /births/{county}/{id}":                   {kind: targeted, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: pageBirth("", nil)},
	"POST /births/{county}/{id}/close":            {kind: targeted, perm: auth.PermRegistryWrite, req: pageBirth("/close", url.Values{"version": {"99"}, "born": {"2024-05-01"}, "count": {"1"}})},
	"POST /births/{county}/{id}/cancel":           {kind: targeted, perm: auth.PermRegistryWrite, also: auth.PermSelfApply, domain: true, req: pageBirth("/cancel", url.Values{"version": {"99"}})},
	"GET /births/{county}/{id}/slip.pdf":          {kind: targeted, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: pageBirth("/slip.pdf", nil)},
	"GET /persons/{county}/{id}/birth-approvals":  {kind: targeted, perm: auth.PermRegistryRead, req: pagePerson("/birth-approvals", nil)},
	"POST /persons/{county}/{id}/birth-approvals": {kind: targeted, perm: auth.PermRegistryWrite, req: pagePerson("/birth-approvals", form)},
	"GET /verify/birth":                           {kind: public, req: get("/verify/birth?serial=341523-2024-000001&code=ABCDEFGH")},
	"GET /subsidy":                                {kind: listed, perm: auth.PermCaseRead, req: get("/subsidy?county=341523")},
	"GET /subsidy/new":                            {kind: listed, perm: auth.PermCaseApply, req: get("/subsidy/new?county=341523")},
	"POST /subsidy/new": {kind: targeted, perm: auth.PermCaseApply, domain: true, req: on(func(t *target) (string, any) {
		return "/subsidy/new", url.Values{"county": {t.county}, "child_id": {strconv.FormatInt(t.wife.ID, 10)}, "applicant_id": {strconv.FormatInt(t.wife.ID, 10)},
			"relation": {"mother"}, "year": {"2025"}}
	})},
	"GET /subsidy/{county}/{id}":         {kind: targeted, perm: auth.PermCaseRead, req: pageClaim("", nil)},
	"POST /subsidy/{county}/{id}/{step}": {kind: targeted, perm: auth.PermCaseRead, domain: true, req: pageClaim("/withdraw", url.Values{"version": {"99"}})},
	"GET /childcare":                     {kind: listed, perm: auth.PermReportRead, req: get("/childcare?county=341523")},
	"GET /childcare/new":                 {kind: listed, perm: auth.PermChildcareManage, req: get("/childcare/new?county=341523")},
	"POST /childcare/new": {kind: targeted, perm: auth.PermChildcareManage, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/childcare/new", url.Values{"county": {t.county}}
	})},
	"GET /childcare/{county}/{id}":         {kind: targeted, perm: auth.PermReportRead, req: pageInstitution("", nil)},
	"GET /childcare/{county}/{id}/edit":    {kind: targeted, perm: auth.PermChildcareManage, req: pageInstitution("/edit", nil)},
	"POST /childcare/{county}/{id}/edit":   {kind: targeted, perm: auth.PermChildcareManage, domain: true, req: pageInstitution("/edit", url.Values{"version": {"99"}})},
	"POST /childcare/{county}/{id}/{step}": {kind: targeted, perm: auth.PermChildcareManage, domain: true, req: pageInstitution("/inspect", form)},
	"POST /childcare/{county}/inspections/{id}/check": {kind: targeted, perm: auth.PermChildcareManage, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/childcare/%s/inspections/%d/check", t.county, t.inspection), url.Values{"version": {"99"}, "date": {"2024-05-01"}}
	})},

	"GET /self/family":   {kind: self, perm: auth.PermSelfService, req: get("/self/family")},
	"POST /self/family":  {kind: self, perm: auth.PermSelfService, req: post("/self/family", form)},
	"GET /self/qualify":  {kind: self, perm: auth.PermSelfService, req: get("/self/qualify")},
	"GET /self/birth":    {kind: self, perm: auth.PermSelfService, req: get("/self/birth")},
	"POST /self/birth":   {kind: self, perm: auth.PermSelfApply, req: post("/self/birth", form)},
	"GET /self/subsidy":  {kind: self, perm: auth.PermSelfService, req: get("/self/subsidy")},
	"POST /self/subsidy": {kind: self, perm: auth.PermSelfApply, req: post("/self/subsidy", form)},
	"GET /self/track":    {kind: self, perm: auth.PermSelfService, req: get("/self/track")},
	"GET /self/payments": {kind: self, perm: auth.PermSelfService, req: get("/self/payments")},
	"GET /self/births/{county}/{id}": {kind: targeted, perm: auth.PermSelfService, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/self/births/%s/%d", t.county, t.birth), nil
	})},
	"GET /self/letters/{county}/{id}/{person}": {kind: targeted, perm: auth.PermSelfService, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/self/letters/%s/900001/%d", t.county, t.wife.ID), nil
	})},
	"POST /documents/{entity}/{county}/{id}": {kind: targeted, perm: auth.PermRegistryWrite, also: auth.PermSelfApply, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/documents/birth_registration/%s/%d", t.county, t.birth), form
	})},
	"GET /documents/{entity}/{county}/{id}/{doc}": {kind: targeted, perm: auth.PermRegistryRead, also: auth.PermSelfService, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/documents/birth_registration/%s/%d/1", t.county, t.birth), nil
	})},
	"GET /family-reports": {kind: listed, perm: auth.PermRegistryRead, req: get("/family-reports?county=341523")},
	"POST /family-reports/{county}/{id}": {kind: targeted, perm: auth.PermRegistryWrite, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/family-reports/%s/%d", t.county, t.report), url.Values{"version": {"99"}, "note": {"已核实并更正"}}
	})},

	"GET /audit":             {kind: targeted, perm: auth.PermAuditRead, at: atCounty, req: countyPath("/audit?county=%s", nil)},
	"GET /overrides":         {kind: listed, perm: auth.PermAuditRead, req: get("/overrides")},
	"GET /audit/export.xlsx": {kind: targeted, perm: auth.PermAuditRead, at: atCounty, req: countyPath("/audit/export.xlsx?county=%s", nil)},
	"GET /rules":             {kind: listed, perm: auth.PermRulesManage, req: get("/rules")},
	"POST /rules": {kind: targeted, perm: auth.PermRulesManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/rules", url.Values{"layer": {badLayer(t)}, "county": {t.county}, "year": {"2024"}}
	})},
	"POST /rules/withdraw": {kind: targeted, perm: auth.PermRulesManage, domain: true, at: atCounty, req: on(func(t *target) (string, any) {
		return "/rules/withdraw", url.Values{"region": {t.county}, "version": {"90"}, "reason": {"矩阵"}, "action": {"withdraw"}}
	})},
	"GET /rules/diff": {kind: listed, perm: auth.PermRulesManage, req: get("/rules/diff?region=34&a=1&b=1")},
	"GET /users":      {kind: listed, perm: auth.PermUsersManage, req: get("/users?disabled=1")},
	"GET /users/new":  {kind: listed, perm: auth.PermUsersManage, req: get("/users/new")},
	"POST /users/new": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/users/new", url.Values{"username": {"p" + t.key + strconv.Itoa(seq())}, "name": {"矩阵用户"}, "role": {"village"},
			"region": {string(t.village)}, "password": {"matrix-pass-1"}}
	})},
	"POST /users/{id}/{action}": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/users/" + strconv.FormatInt(t.user, 10) + "/enable", form
	})},
	"POST /users/{id}/password": {kind: targeted, perm: auth.PermUsersManage, req: on(func(t *target) (string, any) {
		return "/users/" + strconv.FormatInt(t.user, 10) + "/password", url.Values{"password": {"x"}}
	})},

	"GET /special":           {kind: listed, perm: auth.PermSpecialCare, req: get("/special")},
	"POST /special/{action}": {kind: listed, perm: auth.PermSpecialCare, domain: true, req: post("/special/handover", form)},
	"GET /special/coverage":  {kind: listed, perm: auth.PermSpecialCare, req: get("/special/coverage")},
	"GET /special/requests":  {kind: listed, perm: auth.PermSpecialCare, req: get("/special/requests")},
	"GET /special/changes":   {kind: listed, perm: auth.PermSpecialCare, domain: true, req: get("/special/changes")},
	"POST /special/changes/{county}/{id}/review": {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: on(func(t *target) (string, any) {
		return fmt.Sprintf("/special/changes/%s/%d/review", t.county, t.change), url.Values{"decision": {"dismiss"}}
	})},
	"GET /special/{county}/{id}":                     {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: pageSpecial("", nil)},
	"GET /special/{county}/{id}/visit":               {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: pageSpecial("/visit", nil)},
	"POST /special/{county}/{id}/{action}":           {kind: targeted, perm: auth.PermSpecialCare, domain: true, req: pageSpecial("/visit", form)},
	"POST /persons/{county}/{id}/family-certificate": {kind: targeted, perm: auth.PermRegistryWrite, req: pagePerson("/family-certificate", url.Values{"date": {"2099-01-01"}})},
	"GET /family-check":                              {kind: listed, perm: auth.PermFamilyCheck, req: get("/family-check")},
	"POST /family-check":                             {kind: listed, perm: auth.PermFamilyCheck, req: post("/family-check", form)},
	"GET /special/help":                              {kind: listed, perm: auth.PermSpecialCare, also: auth.PermPaymentManage, req: get("/special/help")},
	"POST /special/help":                             {kind: listed, perm: auth.PermSpecialCare, domain: true, req: post("/special/help", form)},
	"POST /special/help/{county}/{id}/{action}": {kind: targeted, perm: auth.PermSpecialCare, also: auth.PermPaymentManage, domain: true, at: atCounty,
		req: on(func(t *target) (string, any) {
			return fmt.Sprintf("/special/help/%s/%d/approve", t.county, t.help), url.Values{"version": {"0"}}
		})},
	"GET /verify/family": {kind: public, req: get("/verify/family?serial=x&code=y")},
}

// roster is a roster file with one row that does not check.
var roster = []byte("身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质\n1,矩阵,男,1960-01-01,341522100001,农业\n")

var seqN int

// seq numbers the users the matrix creates.
func seq() int { seqN++; return seqN }

// TestAccessMatrix calls every route of both doors as every role on
// targets within and outside the caller's region (see the matrix above).
func TestAccessMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("calls every route as every role")
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testAccessMatrix(t, engine) })
	}
}

func testAccessMatrix(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	routes := map[string]string{} // pattern → door
	for _, rt := range ts.HTTP.Routes() {
		routes[rt.Pattern] = "server"
	}
	for door, table := range ts.HTTP.Doors() {
		for _, rt := range table {
			routes[rt.Pattern] = door
		}
	}
	var patterns []string
	for p := range routes {
		if _, ok := matrix[p]; !ok {
			t.Errorf("route %q (%s) has no entry in the access matrix", p, routes[p])
		}
		patterns = append(patterns, p)
	}
	for p := range matrix {
		if _, ok := routes[p]; !ok {
			t.Errorf("the access matrix names %q, which no table serves", p)
		}
	}
	if t.Failed() {
		return
	}
	slices.Sort(patterns)

	targets := accessTargets(t, ts)
	type caller struct {
		actor   auth.Actor
		chain   string
		client  *http.Client
		targets []*target
		last    int64 // the newest sequence number of the caller's entries seen
	}
	var cs []*caller
	for _, c := range callers {
		username := string(c.role)
		nu := auth.NewUser{Username: username, Name: "矩阵" + c.role.Chinese(), Role: c.role, Region: c.region, Password: username + "1234"}
		if c.role == auth.RoleCitizen {
			nu.Person = targets["in"].person()
		}
		if !slices.Contains(webtest.Users, username) {
			ts.AddStaff(t, nu)
		}
		a := auth.Actor{UserID: ts.UID(username), Username: username, Role: c.role, Scope: c.region}
		cl := &caller{actor: a, client: ts.Login(username, username+"1234")}
		if c.region.Level() >= region.County {
			cl.chain = string(region.Default().County(c.region))
		}
		for _, k := range c.targets {
			cl.targets = append(cl.targets, targets[k])
		}
		cl.last = newest(t, ts.DB, cl.chain, a.UserID)
		cs = append(cs, cl)
	}
	anon := ts.Client()
	cells, refusals := 0, 0
	statuses := map[string]int{} // "allowed 200", "refused 404", …
	for _, p := range patterns {
		e, door := matrix[p], routes[p]
		if door == "server" {
			door = "api"
		}
		method, _, _ := strings.Cut(p, " ")
		if e.skip != "" {
			continue
		}
		if e.kind == public {
			code, body := send(t, ts.URL, anon, door, method, e.req(nil))
			cells++
			if code == http.StatusForbidden || code >= 500 {
				t.Errorf("%s (public): %d %s", p, code, gist(body))
			}
			continue
		}
		for _, c := range cs {
			tgs := c.targets
			if e.kind != targeted {
				tgs = tgs[:1] // the request names no target
			}
			for _, tg := range tgs {
				want := expect(e, c.actor, tg)
				code, body := send(t, ts.URL, c.client, door, method, e.req(tg))
				cells++
				denied := deniedSince(t, ts.DB, c.chain, c.actor.UserID, &c.last)
				where := fmt.Sprintf("%s as %s on %s", p, c.actor.Role, tg.key)
				refused := code == http.StatusForbidden || code == http.StatusNotFound && len(denied) > 0
				statuses[fmt.Sprintf("%v %d", map[bool]string{true: "refused", false: "allowed"}[refused], code)]++
				switch {
				case want == mustRefuse && !refused:
					t.Errorf("%s: %d, want refused (403 or 404 with an audit entry); %d entries; body %s", where, code, len(denied), gist(body))
				case want == mustAllow && refused:
					t.Errorf("%s: refused (%d), want allowed; body %s", where, code, gist(body))
				case !refused && len(denied) > 0:
					t.Errorf("%s: %d with %d access.denied entries", where, code, len(denied))
				case refused:
					refusals++
					if len(denied) != 1 {
						t.Errorf("%s: refused (%d) with %d access.denied entries, want 1", where, code, len(denied))
						break
					}
					checkDenied(t, where, denied[0], door, method, p)
				}
				if code == http.StatusUnauthorized || code >= 500 {
					t.Errorf("%s: %d %s", where, code, gist(body))
				}
				for _, other := range targets {
					if c.actor.CanSee(other.village) && !(refused && other == tg) {
						continue // the caller may see it, and was not refused it
					}
					for _, s := range other.secrets() {
						if strings.Contains(body, s) {
							t.Errorf("%s: the answer (%d) holds %q of the %s target", where, code, s, other.key)
						}
					}
				}
			}
		}
	}
	t.Logf("%d routes, %d calls, %d refusals checked; answers %v", len(patterns), cells, refusals, statuses)
}

// want is what a call must come to.
type want int

const (
	mustAllow  want = iota // not refused
	mustRefuse             // refused and audited
	either                 // the domain decides; a refusal is audited
)

// expect is what the matrix says of a call by who on t.
func expect(e entry, who auth.Actor, t *target) want {
	switch {
	case e.kind == public:
		return mustAllow
	case e.perm != "" && !auth.Can(who, e.perm) && (e.also == "" || !auth.Can(who, e.also)):
		return mustRefuse
	case e.kind == targeted && !who.CanSee(e.region(t)):
		return mustRefuse
	case e.domain:
		return either
	}
	return mustAllow
}

// region is the region of t the route checks.
func (e entry) region(t *target) region.Code {
	if e.at == atCounty {
		return region.Code(t.county)
	}
	return t.village
}

// send makes the request through a door: JSON to the API, a form (or a
// plain GET) to the pages as a same-origin browser, and returns the
// status and the body.
func send(t *testing.T, base string, c *http.Client, door, method string, r request) (int, string) {
	t.Helper()
	var body io.Reader
	ctype := ""
	switch b := r.body.(type) {
	case nil:
	case url.Values:
		body, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case []byte:
		body, ctype = bytes.NewReader(b), "text/csv"
	case json.RawMessage:
		body, ctype = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if door == "ui" {
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Origin", base)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	c2 := *c
	c2.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c2.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, r.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var tagRE = regexp.MustCompile(`(?s)<head>.*?</head>|<nav.*?</nav>|<[^>]*>`)

// gist is the text of an answer, for a failure's message.
func gist(body string) string {
	s := strings.Join(strings.Fields(tagRE.ReplaceAllString(body, " ")), " ")
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// newest is the sequence number of the newest entry of user on chain.
func newest(t *testing.T, db *store.DB, chain string, user int64) int64 {
	t.Helper()
	var seq int64
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: chain, UserID: user, Limit: 1})
		if len(es) > 0 {
			seq = es[0].Seq
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return seq
}

// deniedSince returns the access.denied entries of user on chain newer
// than *last, read through the store with the keys (the entries' states
// are encrypted), and moves *last on to the newest entry.
func deniedSince(t *testing.T, db *store.DB, chain string, user int64, last *int64) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		// Most calls leave no entry of the caller: count the new ones
		// first, and read (and decrypt) only those.
		var n int
		if err := tx.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE county = ? AND user_id = ? AND seq > ?`,
			chain, user, *last).Scan(&n); err != nil || n == 0 {
			return err
		}
		if n > 20 {
			return fmt.Errorf("%d entries of user %d in one call", n, user)
		}
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: chain, UserID: user, Limit: n})
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Seq > *last && e.Action == "access.denied" {
				out = append(out, e)
			}
		}
		if len(es) > 0 {
			*last = es[0].Seq
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkDenied checks that a refusal's entry names the door and the route.
func checkDenied(t *testing.T, where string, e audit.Entry, door, method, pattern string) {
	t.Helper()
	var d map[string]string
	if err := json.Unmarshal([]byte(e.After), &d); err != nil {
		t.Errorf("%s: access.denied detail %q: %v", where, e.After, err)
		return
	}
	if d["door"] != door || d["method"] != method || d["route"] != pattern {
		t.Errorf("%s: access.denied entry names door %q, %s %q", where, d["door"], d["method"], d["route"])
	}
}

// accessTargets registers, as the system, the objects of each place: a
// couple with their marriage, the wife's application, a village user, an
// annual review run of the county and a held payment line.
func accessTargets(t *testing.T, ts *testServer) map[string]*target {
	t.Helper()
	ctx := app.WithRequest(context.Background(), app.Request{Door: "cli"})
	a := ts.App
	sys := auth.System
	out := map[string]*target{}
	for i, p := range places {
		if _, ok := region.Default().Lookup(p.village); !ok {
			t.Fatalf("no division %s", p.village)
		}
		tg := &target{key: p.key, village: p.village, county: string(p.village[:6])}
		reg := func(name, sex, birth string, seq int) *registry.Record {
			b := date.MustParse(birth)
			r, err := a.RegisterPerson(ctx, sys, registry.NewPerson{Name: name, Sex: sex, Birth: b,
				IDNumber: string(idcard.Make(tg.county, b.Time(), seq)), Region: string(p.village), HukouType: registry.Rural})
			if err != nil {
				t.Fatalf("%s: %v", p.key, err)
			}
			return r
		}
		names := []string{"甲", "乙", "丙", "丁", "戊", "己"}
		tg.wife = reg("矩阵"+names[i]+"妻", "F", "1964-01-15", 20+2*i)
		tg.husband = reg("矩阵"+names[i]+"夫", "M", "1962-03-01", 31+2*i)
		var err error
		wk := registry.Key{County: tg.county, ID: tg.wife.ID}
		if tg.marriage, err = a.AddMarriage(ctx, sys, wk, app.Relative{ID: tg.husband.ID, Field: "spouse"},
			registry.Marriage{From: date.MustParse("1986-01-01")}, ""); err != nil {
			t.Fatalf("%s: marriage: %v", p.key, err)
		}
		c, err := a.Apply(ctx, sys, workflow.NewApplication{County: tg.county, PersonID: tg.wife.ID, Program: "jf", Year: 2024,
			Application: workflow.Application{Declared: workflow.Declared{HukouType: "rural", Marriage: "1986年初婚", Births: "无", Adoptions: "无"},
				Attachments: []string{"身份证"}, Pledge: true}})
		if err != nil {
			t.Fatalf("%s: application: %v", p.key, err)
		}
		tg.caseID = c.ID
		fam, err := a.AddSpecialFamily(ctx, sys, tg.county, special.NewFamily{PersonID: tg.wife.ID, Category: special.CategoryOther, Note: "矩阵"})
		if err != nil {
			t.Fatalf("%s: special family: %v", p.key, err)
		}
		tg.special = fam.ID
		rq, err := a.RaiseSpecialRequest(ctx, sys, tg.county, fam.ID, special.NewRequest{Raised: date.MustParse("2024-05-01"),
			Source: special.FromPhone, Content: "矩阵", Handler: "矩阵"})
		if err != nil {
			t.Fatalf("%s: special request: %v", p.key, err)
		}
		tg.request = rq.ID
		hl, err := a.MakeHelpList(ctx, sys, tg.county, special.NewHelpList{Program: policy.ProgramGift529, Period: "2024-05", Amount: "100",
			Families: []int64{fam.ID}, Note: "矩阵"})
		if err != nil {
			t.Fatalf("%s: help list: %v", p.key, err)
		}
		tg.help = hl.ID
		if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
			id, err := tx.NextIDs(ctx, "special_change", 1)
			if err != nil {
				return err
			}
			tg.change = id
			return tx.InsertSpecialChange(ctx, &special.Change{County: tg.county, ID: id, FamilyID: fam.ID, Region: string(p.village),
				Kind: special.ChangeLapsed, Detail: "矩阵", Found: date.MustParse("2024-05-01"), Status: special.ChangePending, CreatedAt: ts.Clock.Now()})
		}); err != nil {
			t.Fatalf("%s: special change: %v", p.key, err)
		}
		u, err := a.CreateUser(ctx, sys, auth.NewUser{Username: "target_" + p.key, Name: "矩阵目标", Role: auth.RoleVillage,
			Region: p.village, Password: "target-pass-1"})
		if err != nil {
			t.Fatalf("%s: user: %v", p.key, err)
		}
		tg.user = u.ID
		ar, err := a.AnnualReview(ctx, sys, tg.county, 2024)
		if err != nil {
			t.Fatalf("%s: annual review: %v", p.key, err)
		}
		tg.review = ar.ID
		tg.line = int64(900001 + i)
		if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO payment_cycles (county, id, program, period, line_count, total_fen, created_by, created_by_name, created_at)
				VALUES (?, 900001, 'jf', '2023', 1, 0, 0, 'system', '2024-01-01T00:00:00Z') ON CONFLICT DO NOTHING`, tg.county); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO payment_lines (county, id, cycle_id, person_id, recipient_id, program, period, kind, region, months,
				amount_fen, central_fen, province_fen, city_fen, county_fen, status, hold_reason, updated_at)
				VALUES (?, ?, 900001, ?, 0, 'jf', '2023', 'regular', ?, 12, 0, 0, 0, 0, 0, 'held', 'death', '2024-01-01T00:00:00Z')`,
				tg.county, tg.line, tg.wife.ID, string(p.village))
			return err
		}); err != nil {
			t.Fatalf("%s: payment line: %v", p.key, err)
		}
		file := "身份证号,姓名,性别,出生日期,死亡日期\n" + tg.wife.IDNumber + "," + tg.wife.Name + ",女,1964-01-15,2024-01-02\n"
		if _, err := a.ImportExtract(ctx, sys, app.MatchImport{County: tg.county, Kind: "police-deaths", File: strings.NewReader(file)}); err != nil {
			t.Fatalf("%s: police deaths: %v", p.key, err)
		}
		tasks, _, err := a.MatchWorklist(ctx, sys, tg.county, matching.TaskQuery{PersonID: tg.wife.ID})
		if err != nil || len(tasks) != 1 {
			t.Fatalf("%s: tasks %+v: %v", p.key, tasks, err)
		}
		tg.task = tasks[0].ID
		accessBirths(t, ts, ctx, tg, i)
		if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
			x, err := attach.Add(ctx, tx, tx.Blobs(), sys, tg.county, attach.OwnerPerson, tg.wife.ID, string(p.village),
				attach.File{Name: "见面.png", Kind: attach.KindPhoto, Data: []byte("\x89PNG\r\n\x1a\n matrix")}, 30)
			if err == nil {
				tg.file = x.ID
			}
			return err
		}); err != nil {
			t.Fatalf("%s: attachment: %v", p.key, err)
		}
		tg.sample = int64(700001 + i)
		if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertSample(ctx, &recheck.Sample{County: tg.county, ID: tg.sample, Level: recheck.LevelCounty, Year: 2024,
				Method: recheck.MethodSimple, Size: 1, Seed: 1, Population: 1, DrawnByName: "system", DrawnAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
				Items: []recheck.Item{{County: tg.county, SampleID: tg.sample, Seq: 1, RecipientID: 0, PersonID: tg.wife.ID, Program: "jf",
					Region: string(p.village), Version: 1}}})
		}); err != nil {
			t.Fatalf("%s: check sample: %v", p.key, err)
		}
		tg.question = int64(600001 + i)
		if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertEscalation(ctx, &escalate.Escalation{County: tg.county, ID: tg.question, CaseID: tg.caseID, From: "village",
				To: escalate.LevelTownship, Question: "矩阵请示", AskedByName: "system", AskedAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)})
		}); err != nil {
			t.Fatalf("%s: question: %v", p.key, err)
		}
		tg.complaint = int64(800001 + i)
		if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
			at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
			return tx.InsertComplaint(ctx, &complaint.Item{County: tg.county, ID: tg.complaint, Region: string(p.village), Kind: complaint.KindComplaint,
				Source: complaint.SourcePhone, Received: date.MustParse("2024-05-01"), Name: tg.wife.Name, Content: "矩阵投诉", PersonID: tg.wife.ID,
				Deadline: date.MustParse("2024-05-16"), Status: complaint.StatusOpen, Version: 1, CreatedAt: at, UpdatedAt: at})
		}); err != nil {
			t.Fatalf("%s: complaint: %v", p.key, err)
		}
		tg.transfer = int64(800001 + i)
		if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
			return tx.InsertTransfer(ctx, &move.Transfer{County: tg.county, ID: tg.transfer, Side: move.SideIn, FromCounty: "320102",
				ToCounty: tg.county, PersonID: int64(1 + i), Name: "矩阵迁入", Sex: "F", Birth: date.MustParse("1960-01-01"), FromRegion: "320102002001",
				MovedOn: date.MustParse("2024-05-01"), Source: move.SourceHand, State: move.StateStarted, StartedByName: "system",
				StartedAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Version: 1})
		}); err != nil {
			t.Fatalf("%s: transfer: %v", p.key, err)
		}
		out[p.key] = tg
	}
	return out
}

// accessBirths adds the target's birth registration, subsidy claim,
// childcare institution and open inspection.
func accessBirths(t *testing.T, ts *testServer, ctx context.Context, tg *target, i int) {
	t.Helper()
	a := ts.App
	reg, err := a.RegisterBirth(ctx, auth.System, birth.NewRegistration{County: tg.county, Mother: tg.wife.ID, Father: tg.husband.ID,
		Applicant: tg.wife.ID, Expected: date.MustParse("2024-09-01")})
	if err != nil {
		t.Fatalf("%s: birth registration: %v", tg.key, err)
	}
	tg.birth = reg.ID
	tg.claim = int64(900001 + i)
	if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO subsidy_claims (county, id, child_id, applicant_id, relation, region, year, filed, channel, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, 'mother', ?, 2025, '2025-09-10', 'online', 'submitted', '2025-09-10T00:00:00Z', '2025-09-10T00:00:00Z')`,
			tg.county, tg.claim, tg.husband.ID, tg.wife.ID, string(tg.village))
		return err
	}); err != nil {
		t.Fatalf("%s: subsidy claim: %v", tg.key, err)
	}
	tg.report = int64(900001 + i)
	if err := ts.DB.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO family_reports (county, id, person_id, region, text, status, filed, created_at, updated_at)
			VALUES (?, ?, ?, ?, '配偶的出生日期有误', 'open', '2024-05-01', '2024-05-01T00:00:00Z', '2024-05-01T00:00:00Z')`,
			tg.county, tg.report, tg.wife.ID, string(tg.village))
		return err
	}); err != nil {
		t.Fatalf("%s: family report: %v", tg.key, err)
	}
	code := "52" + tg.county + "MJ" + fmt.Sprintf("%07d", 100+i)
	code += string(childcare.CreditCheck(code))
	officer := auth.Actor{Username: "system", Role: auth.RoleCounty, Scope: region.Code(tg.county)}
	x, err := a.FileChildcare(ctx, officer, tg.county, childcare.NewInstitution{Name: "矩阵托育园", CreditCode: code, Operator: "矩阵教育咨询有限公司",
		RegType: childcare.RegSocial, Type: childcare.TypeFullDay, Inclusive: true, Places: 30, Region: string(tg.village), Area: 300,
		FireSafety: true, FireDoc: "矩阵消验字1号", FireDate: date.MustParse("2024-02-01"), Staff: []childcare.Staff{{Name: "周园长", Role: childcare.RoleDirector}}, Filed: date.MustParse("2024-03-01")})
	if err != nil {
		t.Fatalf("%s: childcare filing: %v", tg.key, err)
	}
	tg.institution = x.ID
	in, err := a.InspectChildcare(ctx, officer, tg.county, x.ID, childcare.NewInspection{Date: date.MustParse("2024-04-01"), Kind: childcare.InspectJoint,
		Inspectors: []string{"甲", "乙"}, Findings: "消防通道堆放杂物", Grade: "C", Rectify: true, Requirement: "清理通道", Deadline: date.MustParse("2024-05-01")})
	if err != nil {
		t.Fatalf("%s: inspection: %v", tg.key, err)
	}
	tg.inspection = in.ID
}
