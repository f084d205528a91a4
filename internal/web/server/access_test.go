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

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
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
	"GET /api/v1/supervision/{region}/{year}": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/api/v1/supervision/" + string(t.village) + "/2024", nil
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
	"POST /api/v1/policy/check": {kind: open, perm: auth.PermRegistryRead, req: post("/api/v1/policy/check", map[string]any{"persons": []any{}})},
	"POST /api/v1/policy/impact": {kind: targeted, perm: auth.PermRulesManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/api/v1/policy/impact?year=2024&region=" + t.county, json.RawMessage(badLayer(t))
	})},
	"GET /api/v1/persons/{county}/{id}/decisions": {kind: targeted, perm: auth.PermRegistryRead, req: personGet("/decisions?year=2024")},
	"GET /api/v1/determinations": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/api/v1/determinations?year=2024&region=" + string(t.village), nil
	})},

	// The staff pages.
	"GET /static/{name}": {kind: public, req: get("/static/app.css")},
	"GET /login":         {kind: public, req: get("/login")},
	"POST /login":        {kind: public, skip: "signs in: starts a session"},
	"POST /logout":       {kind: public, skip: "ends the caller's session"},
	"GET /{$}":           {kind: open, req: get("/")},

	"GET /persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/persons?region=" + string(t.village), nil
	})},
	"GET /persons/export.xlsx": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/persons/export.xlsx?region=" + string(t.village), nil
	})},
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
	"POST /reports/{region}/{month}/{step}": {kind: targeted, perm: auth.PermReportApprove, domain: true, req: on(func(t *target) (string, any) {
		return "/reports/" + string(t.village) + "/2024-01/submit", url.Values{"version": {"0"}}
	})},
	"GET /reports/quality": {kind: targeted, perm: auth.PermReportRead, req: on(func(t *target) (string, any) {
		return "/reports/quality?quarter=2024-Q1&region=" + string(t.village), nil
	})},
	"GET /reports/quality/persons": {kind: targeted, perm: auth.PermRegistryRead, req: on(func(t *target) (string, any) {
		return "/reports/quality/persons?quarter=2024-Q1&region=" + string(t.village), nil
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

	"GET /audit":             {kind: targeted, perm: auth.PermAuditRead, at: atCounty, req: countyPath("/audit?county=%s", nil)},
	"GET /overrides":         {kind: listed, perm: auth.PermAuditRead, req: get("/overrides")},
	"GET /audit/export.xlsx": {kind: targeted, perm: auth.PermAuditRead, at: atCounty, req: countyPath("/audit/export.xlsx?county=%s", nil)},
	"GET /rules":             {kind: listed, perm: auth.PermRulesManage, req: get("/rules")},
	"POST /rules": {kind: targeted, perm: auth.PermRulesManage, at: atCounty, req: on(func(t *target) (string, any) {
		return "/rules", url.Values{"layer": {badLayer(t)}, "county": {t.county}, "year": {"2024"}}
	})},
	"GET /users":     {kind: listed, perm: auth.PermUsersManage, req: get("/users?disabled=1")},
	"GET /users/new": {kind: listed, perm: auth.PermUsersManage, req: get("/users/new")},
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
		es, err := tx.AuditEntries(context.Background(), "", store.AuditFilter{County: chain, UserID: user, Limit: 20})
		if err != nil {
			return err
		}
		if len(es) == 20 && es[19].Seq > *last {
			return fmt.Errorf("more than 20 entries of user %d in one call", user)
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
		out[p.key] = tg
	}
	return out
}
