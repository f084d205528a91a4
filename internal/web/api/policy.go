package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// The policy API: the rules in force and the layers regions added, adding
// a layer (validated first; a rejected layer changes nothing), the case
// calculator of `jiahe check`, a person's decisions evaluated live, the
// stored determinations, and the impact preview of a proposed layer.

// queryYear reads ?year= (2004–2100), defaulting to the current year.
func (h *Handler) queryYear(r *http.Request) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		return date.Today(h.now()).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, app.CheckYear(0)
	}
	return y, app.CheckYear(y)
}

// readBody reads a JSON request body, at most 1 MiB, refusing what
// checkJSON refuses.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return nil, apperr.Invalidf("body", "请求体无法读取或超过1 MiB", "the request body cannot be read or exceeds 1 MiB")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, apperr.Invalidf("body", "请求体为空", "the request body is empty")
	}
	if err := web.CheckJSON(b); err != nil {
		return nil, err
	}
	return b, nil
}

// policyPrograms is GET /api/v1/policy/programs?region=&year=: the
// programs in force in a county with their parameters, clauses, rates,
// increments and funding, each with the layer it comes from.
func (h *Handler) policyPrograms(w http.ResponseWriter, r *http.Request) error {
	year, err := h.queryYear(r)
	if err != nil {
		return err
	}
	in, err := h.app.Programs(r.Context(), web.Actor(r), r.URL.Query().Get("region"), year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, in)
	return nil
}

// layerJSON is a rule layer as the API lists it.
type layerJSON struct {
	Region    string     `json:"region"`
	Name      string     `json:"name"` // the rule-version name, "34@1"
	Version   int        `json:"version"`
	From      date.Date  `json:"from"`
	Title     string     `json:"title"`
	Builtin   bool       `json:"builtin"` // embedded in the binary
	AuthorID  int64      `json:"author_id,omitempty"`
	Author    string     `json:"author,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// Withdrawn layers are out of force: who withdrew them, when, why,
	// and the version that superseded them.
	Withdrawn    bool         `json:"withdrawn"`
	WithdrawnAt  *time.Time   `json:"withdrawn_at,omitempty"`
	WithdrawnBy  string       `json:"withdrawn_by,omitempty"`
	Reason       string       `json:"withdraw_reason,omitempty"`
	SupersededBy int          `json:"superseded_by,omitempty"`
	Layer        policy.Layer `json:"layer"`
}

// policyLayers is GET /api/v1/policy/layers?region=: the rule layers,
// embedded and stored (with author and date; withdrawn ones marked), that apply to the region
// or lie within it; all of them without a region.
func (h *Handler) policyLayers(w http.ResponseWriter, r *http.Request) error {
	var within region.Code
	if s := r.URL.Query().Get("region"); s != "" {
		c, err := web.ParseRegion("region", s)
		if err != nil {
			return err
		}
		within = c
	}
	layers, err := h.app.Layers(r.Context(), web.Actor(r), within)
	if err != nil {
		return err
	}
	out := make([]layerJSON, len(layers))
	for i, l := range layers {
		out[i] = layerJSON{Region: l.Region, Name: app.LayerName(&l.Layer), Version: l.Version, From: l.From, Title: l.Title,
			Builtin: l.Builtin, Layer: l.Layer}
		if !l.Builtin {
			at := l.CreatedAt
			out[i].AuthorID, out[i].Author, out[i].CreatedAt = l.AuthorID, l.Author, &at
		}
		if l.Withdrawn {
			wat := l.WithdrawnAt
			out[i].Withdrawn, out[i].WithdrawnAt, out[i].WithdrawnBy, out[i].Reason, out[i].SupersededBy = true, &wat, l.WithdrawnBy, l.Reason, l.SupersededBy
		}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"layers": out})
	return nil
}

// parseLayerBody reads a layer from the request body.
func parseLayerBody(w http.ResponseWriter, r *http.Request) (*policy.Layer, error) {
	b, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	return policy.ParseLayer(b)
}

// createPolicyLayer is POST /api/v1/policy/layers: a county, city or
// province adds a layer for its own level. The layer is validated on top
// of the rules in force (the error names the field, e.g.
// programs[1].clauses[0].expr) and stored with an audit entry; a rejected
// layer stores nothing.
func (h *Handler) createPolicyLayer(w http.ResponseWriter, r *http.Request) error {
	l, err := parseLayerBody(w, r)
	if err != nil {
		return err
	}
	if err := h.app.SaveLayer(r.Context(), web.Actor(r), l); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"layer": l, "name": app.LayerName(l)})
	return nil
}

// policyCheck is POST /api/v1/policy/check?lang=&brief=: a case file in,
// the decisions out, as `jiahe check` prints them, under the rules in
// force. Nothing is written.
func (h *Handler) policyCheck(w http.ResponseWriter, r *http.Request) error {
	brief, err := queryFlag(r, "brief")
	if err != nil {
		return err
	}
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	res, err := h.app.Check(r.Context(), web.Actor(r), b, web.Language(r), brief)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// queryFlag reads a boolean query parameter: 1/true or 0/false (default).
func queryFlag(r *http.Request, name string) (bool, error) {
	switch r.URL.Query().Get(name) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, apperr.Invalidf(name, "%s 应为 1 或 0", "%s must be 1 or 0", name)
}

// personDecisions is GET /api/v1/persons/{county}/{id}/decisions?year=&explain=1:
// every program decided live for the person's family under the rules in
// force, with the clause-by-clause explanation when asked, beside what
// the last batch evaluation stored.
func (h *Handler) personDecisions(w http.ResponseWriter, r *http.Request) error {
	k, err := apiPersonKey(r)
	if err != nil {
		return err
	}
	year, err := h.queryYear(r)
	if err != nil {
		return err
	}
	explain, err := queryFlag(r, "explain")
	if err != nil {
		return err
	}
	pd, err := h.app.PersonDecisions(r.Context(), web.Actor(r), k, year, web.Language(r), explain)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"county": k.County, "person": strconv.FormatInt(k.ID, 10), "year": year,
		"version": pd.Version, "decisions": nonNil(pd.Decisions), "stored": determinationsJSON(pd.Stored)})
	return nil
}

// determinationJSON is a stored determination as the API shows it.
type determinationJSON struct {
	County      string           `json:"county"`
	PersonID    int64            `json:"person_id"`
	Name        string           `json:"name,omitempty"`
	Region      string           `json:"region,omitempty"`
	Year        int              `json:"year"`
	Program     string           `json:"program"`
	Eligible    bool             `json:"eligible"`
	AmountFen   int64            `json:"amount_fen"`
	Months      int              `json:"months"`
	Funding     map[string]int64 `json:"funding"`
	RuleVersion string           `json:"rule_version"`
}

func toDeterminationJSON(d policy.Determination) determinationJSON {
	funding := make(map[string]int64, len(policy.FundingLevels))
	for i, l := range policy.FundingLevels {
		funding[l.Code] = d.Funding[i]
	}
	return determinationJSON{County: d.County, PersonID: d.PersonID, Year: d.Year, Program: d.Program, Eligible: d.Eligible,
		AmountFen: d.AmountFen, Months: d.Months, RuleVersion: d.RuleVersion, Funding: funding}
}

func determinationsJSON(ds []policy.Determination) []determinationJSON {
	out := make([]determinationJSON, len(ds))
	for i, d := range ds {
		out[i] = toDeterminationJSON(d)
	}
	return out
}

// listDeterminations is GET /api/v1/determinations?region=&year=&program=&limit=&offset=:
// a page of the determinations the last batch evaluation stored for the
// persons of a region (default: the actor's scope) within the actor's
// scope.
func (h *Handler) listDeterminations(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	q := app.DeterminationQuery{Program: qs.Get("program")}
	if s := qs.Get("region"); s != "" {
		c, err := web.ParseRegion("region", s)
		if err != nil {
			return err
		}
		q.Region = c
	}
	var err error
	if q.Year, err = h.queryYear(r); err != nil {
		return err
	}
	if q.Limit, q.Offset, err = web.LimitOffset(qs, 100, 1000); err != nil {
		return err
	}
	rows, total, err := h.app.Determinations(r.Context(), web.Actor(r), q)
	if err != nil {
		return err
	}
	out := make([]determinationJSON, len(rows))
	for i, d := range rows {
		out[i] = toDeterminationJSON(d.Determination)
		out[i].Name, out[i].Region = d.Name, d.Region
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"determinations": out, "total": total, "limit": q.Limit, "offset": q.Offset})
	return nil
}

// policyImpact is POST /api/v1/policy/impact?region=&year=&withdraw=: the
// body is a proposed layer, validated as for adding it but not stored;
// with withdraw (a stored layer, "341523@2") the layer supersedes it. Every person
// of the county is evaluated under the rules in force and under the rules
// with the layer, and the answer counts, by township and program, who
// becomes eligible or ineligible and the change in funds (fen), with
// totals.
func (h *Handler) policyImpact(w http.ResponseWriter, r *http.Request) error {
	year, err := h.queryYear(r)
	if err != nil {
		return err
	}
	l, err := parseLayerBody(w, r)
	if err != nil {
		return err
	}
	ch := &app.LayerChange{Add: l}
	if s := r.URL.Query().Get("withdraw"); s != "" {
		if ch.Region, ch.Withdraw, err = parseLayerName("withdraw", s); err != nil {
			return err
		}
	}
	rep, err := h.app.PreviewChange(r.Context(), web.Actor(r), ch, app.EvalOptions{Region: r.URL.Query().Get("region"), Year: year})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// parseLayerName reads a rule-version name, "341523@2" or "national@1",
// given in field.
func parseLayerName(field, s string) (string, int, error) {
	reg, v, ok := strings.Cut(s, "@")
	n, err := strconv.Atoi(v)
	if !ok || err != nil || n < 1 {
		return "", 0, apperr.Invalidf(field, "规则版本应写作“地区@版本号”，如341523@2", "a rule version is written REGION@VERSION, e.g. 341523@2")
	}
	if reg == "national" {
		reg = ""
	}
	return reg, n, nil
}

// pathLayer reads the layer named by the path: {region} (a division
// prefix, or "national") and {version}.
func pathLayer(r *http.Request) (string, int, error) {
	return parseLayerName("version", r.PathValue("region")+"@"+r.PathValue("version"))
}

// withdrawBody is the body of a withdrawal or a supersession.
type withdrawBody struct {
	Reason string          `json:"reason"`
	Layer  json.RawMessage `json:"layer,omitempty"`
}

// readWithdrawBody reads a withdrawal's or a supersession's body.
func readWithdrawBody(w http.ResponseWriter, r *http.Request) (withdrawBody, error) {
	var body withdrawBody
	b, err := readBody(w, r)
	if err != nil {
		return body, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return body, apperr.Invalidf("body", "请求体应为含reason（撤回原因）的对象", "the body must be an object with a reason")
	}
	return body, nil
}

// withdrawPolicyLayer is POST /api/v1/policy/layers/{region}/{version}/withdraw:
// the region's own level takes one of its stored layers out of force, for
// the reason given; audited (policy.layer.withdraw).
func (h *Handler) withdrawPolicyLayer(w http.ResponseWriter, r *http.Request) error {
	reg, v, err := pathLayer(r)
	if err != nil {
		return err
	}
	body, err := readWithdrawBody(w, r)
	if err != nil {
		return err
	}
	if err := h.app.WithdrawLayer(r.Context(), web.Actor(r), reg, v, body.Reason); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"withdrawn": app.LayerName(&policy.Layer{Region: reg, Version: v}), "reason": body.Reason})
	return nil
}

// supersedePolicyLayer is POST /api/v1/policy/layers/{region}/{version}/supersede:
// the body's layer is stored in place of the stored layer named by the
// path, which is withdrawn for the reason given, in one transaction;
// audited (policy.layer.create, policy.layer.supersede).
func (h *Handler) supersedePolicyLayer(w http.ResponseWriter, r *http.Request) error {
	reg, v, err := pathLayer(r)
	if err != nil {
		return err
	}
	body, err := readWithdrawBody(w, r)
	if err != nil {
		return err
	}
	if len(body.Layer) == 0 {
		return apperr.Invalidf("layer", "缺少替代的新版本规则", "the superseding layer is missing")
	}
	l, err := policy.ParseLayer(body.Layer)
	if err != nil {
		return err
	}
	if l.Region != reg {
		return apperr.Invalidf("layer.region", "新版本只能替代同一地区的规则", "a layer can only supersede a layer of its own region")
	}
	if err := h.app.SupersedeLayer(r.Context(), web.Actor(r), v, l, body.Reason); err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"layer": l, "name": app.LayerName(l), "superseded": app.LayerName(&policy.Layer{Region: reg, Version: v})})
	return nil
}

// policyParams is GET /api/v1/policy/params?region=&year=: the rules form
// of a county — every parameter each program in force takes, declared
// once (labels, unit, allowed values, help), with the value in force and
// the layer that set it.
func (h *Handler) policyParams(w http.ResponseWriter, r *http.Request) error {
	year, err := h.queryYear(r)
	if err != nil {
		return err
	}
	s, err := h.app.RuleForm(r.Context(), web.Actor(r), r.URL.Query().Get("region"), year)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, s)
	return nil
}

// policyDiff is GET /api/v1/policy/diff?region=&a=&b=&lang=: two versions
// of a region's rules ("" or "national" for the national baseline)
// compared line by line, in words.
func (h *Handler) policyDiff(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg := q.Get("region")
	if reg == "national" {
		reg = ""
	}
	va, err1 := strconv.Atoi(q.Get("a"))
	vb, err2 := strconv.Atoi(q.Get("b"))
	if err1 != nil || err2 != nil {
		return apperr.Invalidf("version", "请用a和b给出要比较的两个版本号", "give the two versions to compare as a and b")
	}
	d, err := h.app.DiffLayers(r.Context(), web.Actor(r), reg, va, vb, web.Language(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"region": d.A.Region, "a": app.LayerName(&d.A.Layer), "b": app.LayerName(&d.B.Layer),
		"a_title": d.A.Title, "b_title": d.B.Title, "lines": d.Lines})
	return nil
}
