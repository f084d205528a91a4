package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The policy API: the rules in force and the layers regions added, adding
// a layer (validated first; a rejected layer changes nothing), the case
// calculator of `jiahe check`, a person's decisions evaluated live, the
// stored determinations, and the impact preview of a proposed layer.

// policyRules returns the rules in force: the embedded layers and those
// regions added.
func (h *Handler) policyRules(ctx context.Context) ([]policy.Layer, error) {
	var layers []policy.Layer
	err := h.db.View(ctx, func(tx *store.Tx) error {
		var err error
		layers, err = tx.PolicyRules(ctx)
		return err
	})
	return layers, err
}

// queryYear reads ?year= (2004–2100), defaulting to the current year.
func (h *Handler) queryYear(r *http.Request) (int, error) {
	s := r.URL.Query().Get("year")
	if s == "" {
		return h.now().In(beijing).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 2004 || y > 2100 {
		return 0, apperr.Invalidf("year", "年度应为2004至2100的整数", "year must be a whole number from 2004 to 2100")
	}
	return y, nil
}

// queryCounty reads the county code of ?field= and checks that it is a
// county-level division of the tree.
func (h *Handler) queryCounty(r *http.Request, field string) (region.Code, error) {
	return h.countyCode(field, r.URL.Query().Get(field))
}

// countyCode checks that s, the value of field, is the code of a
// county-level division of the tree.
func (h *Handler) countyCode(field, s string) (region.Code, error) {
	if s == "" {
		return "", apperr.Invalidf(field, "缺少县级区划代码", "a county code is required")
	}
	c, err := parseRegion(field, s)
	if err != nil {
		return "", err
	}
	if c.Level() != region.County && c.Level() != region.Prefecture {
		return "", apperr.Invalidf(field, "%s 不是县级区划代码", "%s is not a county code", c)
	}
	if _, ok := h.tree.Lookup(c); !ok {
		return "", apperr.NotFoundf("区划 %s 不存在", "there is no division %s", c)
	}
	// A prefecture-level city without counties (东莞市) is its own county.
	if h.tree.County(c) != c {
		return "", apperr.Invalidf(field, "%s 不是县级区划代码", "%s is not a county code", c)
	}
	return c, nil
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
	if err := checkJSON(b); err != nil {
		return nil, err
	}
	return b, nil
}

// policyPrograms is GET /api/v1/policy/programs?region=&year=: the
// programs in force in a county with their parameters, clauses, rates,
// increments and funding, each with the layer it comes from.
func (h *Handler) policyPrograms(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRegistryRead, target{Entity: "rules"}); err != nil {
		return err
	}
	county, err := h.queryCounty(r, "region")
	if err != nil {
		return err
	}
	year, err := h.queryYear(r)
	if err != nil {
		return err
	}
	layers, err := h.policyRules(r.Context())
	if err != nil {
		return err
	}
	ev, err := policy.NewEvaluator(policy.Options{Layers: layers})
	if err != nil {
		return err
	}
	in, err := ev.InForce(string(county), year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

// layerJSON is a rule layer as the API lists it.
type layerJSON struct {
	Region    string       `json:"region"`
	Name      string       `json:"name"` // the rule-version name, "34@1"
	Version   int          `json:"version"`
	From      date.Date    `json:"from"`
	Title     string       `json:"title"`
	Builtin   bool         `json:"builtin"` // embedded in the binary
	AuthorID  int64        `json:"author_id,omitempty"`
	Author    string       `json:"author,omitempty"`
	CreatedAt *time.Time   `json:"created_at,omitempty"`
	Layer     policy.Layer `json:"layer"`
}

// policyLayers is GET /api/v1/policy/layers?region=: the rule layers,
// embedded and stored (with author and date), that apply to the region
// or lie within it; all of them without a region.
func (h *Handler) policyLayers(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRegistryRead, target{Entity: "rules"}); err != nil {
		return err
	}
	prefix, filter := "", false
	if s := r.URL.Query().Get("region"); s != "" {
		c, err := parseRegion("region", s)
		if err != nil {
			return err
		}
		prefix, _ = c.Prefix()
		filter = true
	}
	builtin, err := policy.Builtin()
	if err != nil {
		return err
	}
	var stored []store.StoredLayer
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		stored, err = tx.StoredPolicyLayers(r.Context())
		return err
	})
	if err != nil {
		return err
	}
	keep := func(l policy.Layer) bool {
		return !filter || strings.HasPrefix(prefix, l.Region) || prefix != "" && strings.HasPrefix(l.Region, prefix)
	}
	out := []layerJSON{}
	for _, l := range builtin {
		if keep(l) {
			out = append(out, layerJSON{Region: l.Region, Name: ruleName(l), Version: l.Version, From: l.From, Title: l.Title, Builtin: true, Layer: l})
		}
	}
	for _, s := range stored {
		if keep(s.Layer) {
			at := s.CreatedAt
			out = append(out, layerJSON{Region: s.Region, Name: ruleName(s.Layer), Version: s.Version, From: s.From, Title: s.Title,
				AuthorID: s.AuthorID, Author: s.Author, CreatedAt: &at, Layer: s.Layer})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"layers": out})
	return nil
}

func ruleName(l policy.Layer) string {
	name := l.Region
	if name == "" {
		name = "national"
	}
	return name + "@" + strconv.Itoa(l.Version)
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
// province adds a layer for its own region. The layer is validated on top
// of the rules in force (ValidateRuleSet: the error names the field, e.g.
// programs[1].clauses[0].expr) and stored with an audit entry; a rejected
// layer stores nothing.
func (h *Handler) createPolicyLayer(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRulesManage, target{Entity: "policy_layer"}); err != nil {
		return err
	}
	l, err := parseLayerBody(w, r)
	if err != nil {
		return err
	}
	if err := h.addPolicyLayer(r, l); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"layer": l, "name": ruleName(*l)})
	return nil
}

// addPolicyLayer stores a layer for the actor's own level: the API and
// the rules page add layers through it. A layer for another region is
// refused (and the refusal recorded); SavePolicyLayer validates the layer
// and audits it.
func (h *Handler) addPolicyLayer(r *http.Request, l *policy.Layer) error {
	a := actor(r)
	if own, _ := a.Scope.Prefix(); own == "" || own != l.Region {
		t := target{Entity: "policy_layer", EntityID: ruleName(*l)}
		if code := layerCode(l.Region); code != "" {
			t.Region = code
		}
		return h.deny(r, a, t, apperr.Forbiddenf("只能添加本级（%[2]s）的政策规则", "you may add rules for your own level (%[2]s) only, not for %[1]q", l.Region, own))
	}
	return h.db.Update(r.Context(), func(tx *store.Tx) error { return tx.SavePolicyLayer(r.Context(), a, l) })
}

// layerCode is the division code of a layer's region prefix ("" for the
// national layer or a malformed prefix).
func layerCode(prefix string) region.Code {
	if prefix == "" || len(prefix) > 6 {
		return ""
	}
	c, err := region.ParseCode(prefix + strings.Repeat("0", 6-len(prefix)))
	if err != nil {
		return ""
	}
	return c
}

// policyCheck is POST /api/v1/policy/check?lang=&brief=: a case file in,
// the decisions out, as `jiahe check` prints them, under the rules in
// force. Nothing is written.
func (h *Handler) policyCheck(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRegistryRead, target{Entity: "rules"}); err != nil {
		return err
	}
	brief, err := queryFlag(r, "brief")
	if err != nil {
		return err
	}
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	layers, err := h.policyRules(r.Context())
	if err != nil {
		return err
	}
	ev, err := policy.NewEvaluator(policy.Options{Layers: layers, Explain: !brief, Lang: language(r)})
	if err != nil {
		return err
	}
	c, err := policy.ParseCase(bytes.NewReader(b), ev)
	if err != nil {
		return err
	}
	res, err := ev.Evaluate(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
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
	k, err := h.personRoute(r, auth.PermRegistryRead)
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
	var fam *registry.Family
	var layers []policy.Layer
	var stored []store.Determination
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		if fam, err = registry.FamilyView(r.Context(), tx, actor(r), k); err != nil {
			return err
		}
		if stored, err = tx.Determinations(r.Context(), k.County, k.ID, year); err != nil {
			return err
		}
		layers, err = tx.PolicyRules(r.Context())
		return err
	})
	if err != nil {
		return err
	}
	ev, err := policy.NewEvaluator(policy.Options{Layers: layers, Explain: explain, Lang: language(r)})
	if err != nil {
		return err
	}
	ref := strconv.FormatInt(k.ID, 10)
	res, err := ev.Evaluate(&policy.Case{Year: year, Region: k.County, Family: *fam, Subjects: []string{ref}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"county": k.County, "person": ref, "year": year, "version": res.Version,
		"decisions": nonNil(res.Decisions), "stored": determinationsJSON(stored)})
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

func toDeterminationJSON(d store.Determination) determinationJSON {
	return determinationJSON{County: d.County, PersonID: d.PersonID, Year: d.Year, Program: d.Program, Eligible: d.Eligible,
		AmountFen: d.AmountFen, Months: d.Months, RuleVersion: d.RuleVersion,
		Funding: map[string]int64{"central": d.Funding[0], "province": d.Funding[1], "city": d.Funding[2], "county": d.Funding[3]}}
}

func determinationsJSON(ds []store.Determination) []determinationJSON {
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
	if err := h.require(r, auth.PermRegistryRead, target{Entity: "determination"}); err != nil {
		return err
	}
	a := actor(r)
	q := r.URL.Query()
	f := store.DeterminationFilter{Region: a.Scope, Program: q.Get("program"), Limit: 100}
	if s := q.Get("region"); s != "" {
		c, err := parseRegion("region", s)
		if err != nil {
			return err
		}
		if err := h.inScope(r, c, target{Entity: "determination"}); err != nil {
			return err
		}
		f.Region = c
	}
	var err error
	if f.Year, err = h.queryYear(r); err != nil {
		return err
	}
	for _, p := range []struct {
		name   string
		dst    *int
		lo, hi int
	}{{"limit", &f.Limit, 1, 1000}, {"offset", &f.Offset, 0, 1 << 30}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < p.lo || n > p.hi {
				return apperr.Invalidf(p.name, "%s 应为 %d 至 %d 的整数", "%s must be an integer from %d to %d", p.name, p.lo, p.hi)
			}
			*p.dst = n
		}
	}
	var rows []store.DeterminationRow
	var total int
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		rows, total, err = tx.ListDeterminations(r.Context(), a.Scope, f)
		return err
	})
	if err != nil {
		return err
	}
	out := make([]determinationJSON, len(rows))
	for i, d := range rows {
		out[i] = toDeterminationJSON(d.Determination)
		out[i].Name, out[i].Region = d.Name, d.Region
	}
	writeJSON(w, http.StatusOK, map[string]any{"determinations": out, "total": total, "limit": f.Limit, "offset": f.Offset})
	return nil
}

// policyImpact is POST /api/v1/policy/impact?region=&year=: the body is a
// proposed layer, validated as for adding it but not stored. Every person
// of the county is evaluated under the rules in force and under the rules
// with the layer, and the answer counts, by township and program, who
// becomes eligible or ineligible and the change in funds (fen), with
// totals.
func (h *Handler) policyImpact(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRulesManage, target{Entity: "policy_layer"}); err != nil {
		return err
	}
	county, err := h.queryCounty(r, "region")
	if err != nil {
		return err
	}
	if err := h.inScope(r, county, target{Entity: "policy_layer"}); err != nil {
		return err
	}
	year, err := h.queryYear(r)
	if err != nil {
		return err
	}
	l, err := parseLayerBody(w, r)
	if err != nil {
		return err
	}
	rules, err := h.policyRules(r.Context())
	if err != nil {
		return err
	}
	rep, err := h.db.PreviewLayer(r.Context(), store.EvalOptions{County: string(county), Year: year}, rules, l)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}
