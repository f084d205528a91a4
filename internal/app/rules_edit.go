package app

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The rules editor: the form of a region's parameters, a change to the
// rules (a layer added, a stored layer withdrawn, or one superseded by
// another) previewed and then made, and two versions compared.

// LayerChange is a change to the rules a region makes: Add, a layer for
// its own level; Withdraw, the version of one of its stored layers taken
// out of force; both, a supersession (Add replaces Withdraw). Reason says
// why a layer is withdrawn (required then).
type LayerChange struct {
	Add      *policy.Layer
	Region   string // the region of Withdraw (Add's region when Add is set)
	Withdraw int
	Reason   string
}

// region is the region the change is about.
func (ch *LayerChange) region() string {
	if ch.Add != nil {
		return ch.Add.Region
	}
	return ch.Region
}

// check refuses a change that is not whole: nothing to do, a withdrawal
// without a reason (when it is to be made, not previewed), a
// supersession across regions.
func (ch *LayerChange) check(made bool) error {
	if ch.Add == nil && ch.Withdraw <= 0 {
		return apperr.Invalidf("layer", "没有要保存或撤回的规则", "there is no layer to add or withdraw")
	}
	if ch.Add != nil && ch.Withdraw > 0 && ch.Region != "" && ch.Region != ch.Add.Region {
		return apperr.Invalidf("region", "新版本只能替代同一地区的规则", "a layer can only supersede a layer of its own region")
	}
	if ch.Withdraw > 0 && made {
		ch.Reason = strings.TrimSpace(ch.Reason)
		if ch.Reason == "" {
			return apperr.Invalidf("reason", "请填写撤回原因", "give the reason for withdrawing the layer")
		}
		if utf8.RuneCountInString(ch.Reason) > 500 {
			return apperr.Invalidf("reason", "撤回原因最多500字", "the reason may be at most 500 characters")
		}
	}
	return nil
}

// target names the layer the change is about, for the audit entry of a
// refusal.
func (ch *LayerChange) target() Target {
	if ch.Add != nil {
		return layerTarget(ch.Add)
	}
	return layerTarget(&policy.Layer{Region: ch.Region, Version: ch.Withdraw})
}

// applyChange returns the rules with the change made, as tx sees them,
// after checking it: the withdrawn layer is one the region stored and did
// not withdraw (the embedded layers ship with the system and are not
// withdrawn), the added layer is valid on top of the rules without the
// withdrawn one (its errors name its fields), and every stored layer of
// the region and below still compiles with the change.
func (a *App) applyChange(ctx context.Context, tx *store.Tx, ch *LayerChange) ([]policy.Layer, error) {
	rules, err := a.layers(ctx, tx)
	if err != nil {
		return nil, err
	}
	next := slices.Clone(rules)
	var below []policy.Layer
	if ch.Withdraw > 0 {
		stored, err := tx.StoredPolicyLayers(ctx)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(stored, func(s store.StoredLayer) bool { return s.Region == ch.region() && s.Version == ch.Withdraw })
		switch {
		case i < 0 && slices.ContainsFunc(rules, func(l policy.Layer) bool { return l.Region == ch.region() && l.Version == ch.Withdraw }):
			return nil, apperr.Invalidf("version", "这一版规则随系统发布，不能撤回；请保存一个新版本来调整", "this layer ships with the system and cannot be withdrawn; add a new version instead")
		case i < 0:
			return nil, apperr.NotFoundf("没有这一版规则", "there is no rule layer %s@%d", ch.region(), ch.Withdraw)
		case stored[i].Withdrawn:
			return nil, apperr.Conflictf("这一版规则已经撤回", "rule layer %s@%d has already been withdrawn", ch.region(), ch.Withdraw)
		}
		next = slices.DeleteFunc(next, func(l policy.Layer) bool { return l.Region == ch.region() && l.Version == ch.Withdraw })
		for _, s := range stored {
			if !s.Withdrawn && strings.HasPrefix(s.Region, ch.region()) && !(s.Region == ch.region() && s.Version == ch.Withdraw) {
				below = append(below, s.Layer)
			}
		}
	}
	if ch.Add != nil {
		if err := policy.ValidateRuleSet(ch.Add, next); err != nil {
			return nil, err
		}
		next = append(next, *ch.Add)
	}
	if err := policy.CheckStack(next, below...); err != nil {
		zh, en := "", ""
		if e, ok := apperr.As(err); ok {
			zh, en = "："+e.Message("zh"), ": "+e.Message("en")
		}
		return nil, invalidPair("version", "撤回这一版后，本地区其他版本的规则将无法执行"+zh, "without this layer the region's other layers no longer work"+en)
	}
	return next, nil
}

// WithdrawLayer takes the stored layer region@version out of force, for
// reason: who may is policy's rule (policy.CanEditLayer, the region's own
// level), the layer must be one a region stored, and the rules must still
// hold without it. The layer stays stored, marked withdrawn with who, when
// and why, and audited (policy.layer.withdraw); the next use case applies
// the rules without it.
func (a *App) WithdrawLayer(ctx context.Context, who auth.Actor, reg string, version int, reason string) error {
	ch := &LayerChange{Region: reg, Withdraw: version, Reason: reason}
	return a.changeRules(ctx, who, "policy.layer.withdraw", ch)
}

// SupersedeLayer stores l in place of the stored layer of its region
// version old, for reason: l is validated on top of the rules without the
// old layer, stored (policy.layer.create) and the old layer withdrawn
// (policy.layer.supersede, naming l's version) in one transaction.
func (a *App) SupersedeLayer(ctx context.Context, who auth.Actor, old int, l *policy.Layer, reason string) error {
	ch := &LayerChange{Add: l, Region: l.Region, Withdraw: old, Reason: reason}
	return a.changeRules(ctx, who, "policy.layer.supersede", ch)
}

// changeRules makes a withdrawal or a supersession.
func (a *App) changeRules(ctx context.Context, who auth.Actor, name string, ch *LayerChange) error {
	o := guardedOp(name, auth.PermRulesManage, ch.target(), func() error { return policy.CanEditLayer(who, ch.region()) })
	err := a.update(ctx, who, o, func(tx *store.Tx) error {
		if err := ch.check(true); err != nil {
			return err
		}
		if _, err := a.applyChange(ctx, tx, ch); err != nil {
			return err
		}
		sup := 0
		if ch.Add != nil {
			if err := tx.InsertPolicyLayer(ctx, who, ch.Add); err != nil {
				return err
			}
			sup = ch.Add.Version
		}
		return tx.WithdrawPolicyLayer(ctx, who, ch.region(), ch.Withdraw, ch.Reason, sup)
	})
	if err == nil {
		a.rules.drop()
	}
	return err
}

// RuleForm returns the rules form of county in year: the region's family
// readings and each program's parameters (declared once in policy.Params:
// labels, units, ranges, help), with the values in force.
func (a *App) RuleForm(ctx context.Context, who auth.Actor, county string, year int) (*policy.Schema, error) {
	c, err := a.county("region", county)
	if err != nil {
		return nil, err
	}
	if err := CheckYear(year); err != nil {
		return nil, err
	}
	o := op{name: "policy.schema", perm: auth.PermRegistryRead, target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*policy.Schema, error) {
		ev, err := a.compiled(ctx, tx, "")
		if err != nil {
			return nil, err
		}
		return ev.Schema(c, year)
	})
}

// invalidPair is an Invalid error with texts already made.
func invalidPair(field, zh, en string) error {
	return &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: zh, EN: en}
}

// LayerDiff is the side-by-side comparison of two versions of a region's
// rules.
type LayerDiff struct {
	A, B  LayerInfo
	Lines []policy.DiffLine
}

// DiffLayers compares the versions va and vb of region reg (embedded or
// stored, withdrawn or not) line by line, in lang: titles, dates,
// documents, parameters by their labels, clauses, rates, increments and
// funding.
func (a *App) DiffLayers(ctx context.Context, who auth.Actor, reg string, va, vb int, lang string) (*LayerDiff, error) {
	if reg != "" && (len(reg) != 2 && len(reg) != 4 && len(reg) != 6 || strings.Trim(reg, "0123456789") != "") {
		return nil, apperr.Invalidf("region", "区划前缀应为2、4或6位数字", "region must be a 2-, 4- or 6-digit division prefix")
	}
	if va < 1 || vb < 1 {
		return nil, apperr.Invalidf("version", "请选择要比较的两个版本", "choose the two versions to compare")
	}
	o := op{name: "policy.diff", perm: auth.PermRegistryRead, target: Target{Entity: "rules"}}
	return look(a, ctx, who, o, func(tx *store.Tx) (*LayerDiff, error) {
		all, err := a.layerInfos(ctx, tx, func(l policy.Layer) bool { return l.Region == reg })
		if err != nil {
			return nil, err
		}
		find := func(v int) (LayerInfo, error) {
			for _, l := range all {
				if l.Version == v {
					return l, nil
				}
			}
			return LayerInfo{}, apperr.NotFoundf("没有第%d版规则", "there is no version %d of these rules", v)
		}
		d := &LayerDiff{}
		if d.A, err = find(va); err != nil {
			return nil, err
		}
		if d.B, err = find(vb); err != nil {
			return nil, err
		}
		progs, err := a.programs(ctx, tx)
		if err != nil {
			return nil, err
		}
		d.Lines = policy.Diff(&d.A.Layer, &d.B.Layer, progs, lang)
		return d, nil
	})
}
