package app

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/term"
)

// rulebook holds the rules in force: the rule layers (the embedded ones
// and those regions added) and their compiled evaluators, one per
// explanation language ("" for none). It is dropped when this App saves a
// layer, and rebuilt whenever the stored layers' stamp, read cheaply in
// each transaction that needs rules, differs from the one it was built
// for, so that several servers over one database agree.
type rulebook struct {
	mu       sync.Mutex
	stamp    string
	layers   []policy.Layer
	programs term.List                    // the programs the layers declare, with their names
	ev       map[string]*policy.Evaluator // by explanation language
}

func newRulebook() *rulebook { return &rulebook{ev: map[string]*policy.Evaluator{}} }

// drop forgets the rules, so that the next use case reads and compiles
// them again.
func (rb *rulebook) drop() {
	rb.mu.Lock()
	defer rb.mu.Unlock()
	rb.stamp, rb.layers, rb.programs, rb.ev = "", nil, nil, map[string]*policy.Evaluator{}
}

// current brings rb up to the rules tx sees; rb.mu is held.
func (rb *rulebook) current(ctx context.Context, tx *store.Tx) error {
	stamp, err := tx.PolicyStamp(ctx)
	if err != nil {
		return err
	}
	if rb.layers != nil && rb.stamp == stamp {
		return nil
	}
	layers, err := tx.PolicyRules(ctx)
	if err != nil {
		return err
	}
	rb.stamp, rb.layers, rb.programs, rb.ev = stamp, layers, policy.ProgramsOf(layers), map[string]*policy.Evaluator{}
	return nil
}

// layers returns the rule layers in force as tx sees them: the embedded
// ones, then those regions added. The caller must not change them.
func (a *App) layers(ctx context.Context, tx *store.Tx) ([]policy.Layer, error) {
	rb := a.rules
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if err := rb.current(ctx, tx); err != nil {
		return nil, err
	}
	return rb.layers, nil
}

// programs lists the programs the rule layers in force declare, in
// order, with their names (policy.ProgramsOf). The caller must not change
// the list.
func (a *App) programs(ctx context.Context, tx *store.Tx) (term.List, error) {
	rb := a.rules
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if err := rb.current(ctx, tx); err != nil {
		return nil, err
	}
	return rb.programs, nil
}

// programNames names every program the rule layers in force declare in
// lang ("zh" or "en").
func (a *App) programNames(ctx context.Context, tx *store.Tx, lang string) (map[string]string, error) {
	list, err := a.programs(ctx, tx)
	return namesIn(list, lang), err
}

// namesIn maps the codes of list to their names in lang.
func namesIn(list term.List, lang string) map[string]string {
	names := make(map[string]string, len(list))
	for _, p := range list {
		names[p.Code] = p.Name(lang)
	}
	return names
}

// compiled returns the evaluator of the rules in force as tx sees them,
// explaining its decisions in lang ("zh" or "en"), or not at all when lang
// is "" (batch evaluation).
func (a *App) compiled(ctx context.Context, tx *store.Tx, lang string) (*policy.Evaluator, error) {
	rb := a.rules
	rb.mu.Lock()
	defer rb.mu.Unlock()
	if err := rb.current(ctx, tx); err != nil {
		return nil, err
	}
	if ev, ok := rb.ev[lang]; ok {
		return ev, nil
	}
	ev, err := policy.NewEvaluator(policy.Options{Layers: rb.layers, Explain: lang != "", Lang: lang})
	if err != nil {
		return nil, err
	}
	rb.ev[lang] = ev
	return ev, nil
}

// evaluator returns the evaluator of the rules in force as tx sees them,
// explaining in lang ("zh" or "en"; anything else is zh).
func (a *App) evaluator(ctx context.Context, tx *store.Tx, lang string) (*policy.Evaluator, error) {
	if lang != "en" {
		lang = "zh"
	}
	return a.compiled(ctx, tx, lang)
}

// CheckYear checks a benefit year given by a door.
func CheckYear(year int) error {
	if year < 2004 || year > 2100 {
		return apperr.Invalidf("year", "年度应为2004至2100的整数", "year must be a whole number from 2004 to 2100")
	}
	return nil
}

// county checks that s, the value of field, is the code of a county-level
// division of the tree (a prefecture-level city without counties, such as
// 东莞市, is its own county).
func (a *App) county(field, s string) (string, error) {
	if s == "" {
		return "", apperr.Invalidf(field, "缺少县级区划代码", "a county code is required")
	}
	c, err := region.ParseCode(s)
	if e, ok := err.(*region.Error); ok {
		return "", &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: e.ZH, EN: e.EN, Err: err}
	} else if err != nil {
		return "", err
	}
	if c.Level() != region.County && c.Level() != region.Prefecture {
		return "", apperr.Invalidf(field, "%s 不是县级区划代码", "%s is not a county code", c)
	}
	if _, ok := a.tree().Lookup(c); !ok {
		return "", apperr.NotFoundf("区划 %s 不存在", "there is no division %s", c)
	}
	if a.tree().County(c) != c {
		return "", apperr.Invalidf(field, "%s 不是县级区划代码", "%s is not a county code", c)
	}
	return string(c), nil
}

// areaOp is the access rule of a use case over a whole region the caller
// names (a filter or a county to work on, not a record addressed by key):
// perm, and the region within the actor's scope; op.check refuses a
// region outside it as Forbidden, since naming a division reveals nothing.
func areaOp(name string, perm auth.Permission, entity string, code region.Code) op {
	return op{name: name, perm: perm, target: Target{Entity: entity, Region: code}}
}

// guardedOp is the access rule of a use case whose target is refused, when
// it is, by allow (a Forbidden error, audited on the target) rather than
// by the scope check alone.
func guardedOp(name string, perm auth.Permission, t Target, allow func() error) op {
	return op{name: name, perm: perm, target: t, locate: func(context.Context, *store.Tx) (region.Code, error) {
		return t.Region, allow()
	}}
}

// Programs returns the programs in force in county in year, with their
// parameters, clauses, rates, increments and funding, each with the layer
// it comes from.
func (a *App) Programs(ctx context.Context, who auth.Actor, county string, year int) (*policy.RulesInForce, error) {
	c, err := a.county("region", county)
	if err != nil {
		return nil, err
	}
	if err := CheckYear(year); err != nil {
		return nil, err
	}
	o := op{name: "policy.programs", perm: auth.PermRegistryRead, target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*policy.RulesInForce, error) {
		return a.rulesInForce(ctx, tx, c, year)
	})
}

// rulesInForce returns the rules in force in county in year, compiled without
// explanations.
func (a *App) rulesInForce(ctx context.Context, tx *store.Tx, county string, year int) (*policy.RulesInForce, error) {
	ev, err := a.compiled(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	return ev.InForce(county, year)
}

// LayerInfo is a rule layer with where it comes from: embedded in the
// binary, or added by a region (who added it and when, and whether, when,
// by whom and why it was withdrawn, and the version that superseded it).
type LayerInfo struct {
	policy.Layer
	Builtin      bool
	AuthorID     int64
	Author       string
	CreatedAt    time.Time
	Withdrawn    bool
	WithdrawnAt  time.Time
	WithdrawnBy  string
	Reason       string
	SupersededBy int
}

// Layers returns the rule layers, embedded and added (withdrawn ones
// too, marked), that apply to the region within (its ancestors' layers
// and its own) or lie within it; all of them when within is "".
func (a *App) Layers(ctx context.Context, who auth.Actor, within region.Code) ([]LayerInfo, error) {
	prefix, _ := within.Prefix()
	keep := func(l policy.Layer) bool {
		return within == "" || strings.HasPrefix(prefix, l.Region) || prefix != "" && strings.HasPrefix(l.Region, prefix)
	}
	o := op{name: "policy.layers", perm: auth.PermRegistryRead, target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]LayerInfo, error) { return a.layerInfos(ctx, tx, keep) })
}

// layerInfos lists the embedded, then the stored layers that keep keeps.
func (a *App) layerInfos(ctx context.Context, tx *store.Tx, keep func(policy.Layer) bool) ([]LayerInfo, error) {
	builtin, err := policy.Builtin()
	if err != nil {
		return nil, err
	}
	stored, err := tx.StoredPolicyLayers(ctx)
	if err != nil {
		return nil, err
	}
	out := []LayerInfo{}
	for _, l := range builtin {
		if keep(l) {
			out = append(out, LayerInfo{Layer: l, Builtin: true})
		}
	}
	for _, s := range stored {
		if keep(s.Layer) {
			out = append(out, LayerInfo{Layer: s.Layer, AuthorID: s.AuthorID, Author: s.Author, CreatedAt: s.CreatedAt,
				Withdrawn: s.Withdrawn, WithdrawnAt: s.WithdrawnAt, WithdrawnBy: s.WithdrawnBy, Reason: s.Reason, SupersededBy: s.SupersededBy})
		}
	}
	return out, nil
}

// RulesInForce returns the rule layers, embedded and added (withdrawn
// ones marked, with who withdrew them and why), for the rules page of a
// user who manages rules.
func (a *App) RulesInForce(ctx context.Context, who auth.Actor) ([]LayerInfo, error) {
	o := op{name: "policy.rules", perm: auth.PermRulesManage, target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) ([]LayerInfo, error) {
		return a.layerInfos(ctx, tx, func(policy.Layer) bool { return true })
	})
}

// LayerName is the rule-version name of a layer: "34@1", "national@1".
func LayerName(l *policy.Layer) string {
	name := l.Region
	if name == "" {
		name = "national"
	}
	return name + "@" + strconv.Itoa(l.Version)
}

// layerTarget names layer l for the audit entry of a refusal.
func layerTarget(l *policy.Layer) Target {
	t := Target{Entity: "policy_layer", ID: LayerName(l)}
	if l.Region != "" && len(l.Region) <= 6 {
		if c, err := region.ParseCode(l.Region + strings.Repeat("0", 6-len(l.Region))); err == nil {
			t.Region = c
		}
	}
	return t
}

// SaveLayer adds rule layer l. Who may add which layer is policy's rule
// (policy.CanEditLayer: a county, city or province adds layers for its own
// level only); the layer is validated on top of the rules in force (the
// error names the field, e.g. programs[1].clauses[0].expr) and stored with
// an audit entry, and a rejected layer stores nothing. Once it is stored,
// the compiled rules are dropped, so the next use case applies the new
// ones.
func (a *App) SaveLayer(ctx context.Context, who auth.Actor, l *policy.Layer) error {
	o := guardedOp("policy.layer.create", auth.PermRulesManage, layerTarget(l), func() error { return policy.CanEditLayer(who, l.Region) })
	err := a.update(ctx, who, o, func(tx *store.Tx) error {
		rules, err := a.layers(ctx, tx)
		if err != nil {
			return err
		}
		if err := policy.ValidateRuleSet(l, rules); err != nil {
			return err
		}
		return tx.InsertPolicyLayer(ctx, who, l)
	})
	if err == nil {
		a.rules.drop()
	}
	return err
}

// Check evaluates a case file (design §4) under the rules in force, as
// `jiahe check` does with the embedded rules alone: the decisions of every
// person, explained in lang unless brief. Nothing is written.
func (a *App) Check(ctx context.Context, who auth.Actor, caseFile []byte, lang string, brief bool) (*policy.Result, error) {
	o := op{name: "policy.check", perm: auth.PermRegistryRead, target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*policy.Result, error) {
		if lang != "en" {
			lang = "zh"
		}
		if brief {
			lang = ""
		}
		ev, err := a.compiled(ctx, tx, lang)
		if err != nil {
			return nil, err
		}
		c, err := policy.ParseCase(bytes.NewReader(caseFile), ev)
		if err != nil {
			return nil, err
		}
		return ev.Evaluate(c)
	})
}
