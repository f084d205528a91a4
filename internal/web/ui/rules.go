package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// rulesPage shows the rule layers that apply within the actor's scope:
// the national baseline, the province, prefecture and county layers
// (embedded and added by regions), with their parameters, clauses and
// rates; and, to a county, city or province, the form to propose a layer
// for its own level.
func (h *Handler) rulesPage(w http.ResponseWriter, r *http.Request) error {
	layers, err := h.app.RulesInForce(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	v := h.newView(w, r, "rules.title")
	h.rulesData(r, v, layers)
	if data := v.Data.(map[string]any); data["Propose"] == true {
		year := date.Today(h.now()).Year()
		v.Form.Set("layer", exampleLayer(web.Actor(r), layers, year, data["Names"].(map[string]string)))
		v.Form.Set("county", string(h.firstCounty(web.Actor(r).Scope)))
		v.Form.Set("year", strconv.Itoa(year))
	}
	return h.render(w, http.StatusOK, "rules.html", v)
}

// rulesData lists, in v.Data, the layers that apply within the actor's
// scope and whether the actor may propose a layer for its own level.
func (h *Handler) rulesData(r *http.Request, v *view, layers []policy.Layer) {
	a := web.Actor(r)
	prefix, _ := a.Scope.Prefix()
	var shown []policy.Layer
	for _, l := range layers {
		// A layer applies here when it covers the scope (an ancestor) or
		// lies within it (a county of a prefecture's scope).
		if strings.HasPrefix(prefix, l.Region) || prefix != "" && strings.HasPrefix(l.Region, prefix) || prefix == "" {
			shown = append(shown, l)
		}
	}
	slices.SortStableFunc(shown, func(x, y policy.Layer) int {
		if c := len(x.Region) - len(y.Region); c != 0 {
			return c
		}
		if c := strings.Compare(x.Region, y.Region); c != 0 {
			return c
		}
		return x.Version - y.Version
	})
	names := map[string]string{}
	for _, l := range shown {
		if l.Region == "" {
			names[""] = v.T["national"]
			continue
		}
		code := l.Region + strings.Repeat("0", max(0, 6-len(l.Region)))
		names[l.Region] = h.tree.FullName(region.Code(code))
	}
	if prefix != "" {
		names[prefix] = h.tree.FullName(a.Scope)
	}
	// The form is offered to a user who may add layers for a level of its
	// own (policy.CanEditLayer decides again when the layer is saved), so
	// a user without a level gets none.
	propose := auth.Can(a, auth.PermRulesManage) && prefix != ""
	v.Data = map[string]any{"Layers": shown, "Names": names, "Propose": propose, "Own": prefix}
}

// rulesSubmit is POST /rules: a county, city or province user proposes a
// rule layer for its own level. action=preview validates the layer and
// shows its impact on a county (as POST /api/v1/policy/impact; nothing is
// stored); action=save stores it as POST /api/v1/policy/layers does
// (validated, audited). Errors name the field of the layer
// (programs[1].clauses[0].expr).
func (h *Handler) rulesSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "rules.title")
	v.Form.Set("layer", r.PostFormValue("layer"))
	for _, f := range []string{"county", "year"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	action := r.PostFormValue("action")
	var impact *policy.ImpactReport
	err := func() error {
		l, err := policy.ParseLayer([]byte(v.F("layer")))
		if err != nil {
			return err
		}
		if action == "save" {
			return h.app.SaveLayer(r.Context(), web.Actor(r), l)
		}
		year, err := strconv.Atoi(v.F("year"))
		if err != nil {
			year = 0 // refused by the use case, naming the field
		}
		rep, err := h.app.PreviewLayer(r.Context(), web.Actor(r), l, app.EvalOptions{Region: v.F("county"), Year: year})
		impact = &rep
		return err
	}()
	status := http.StatusOK
	switch {
	case err == nil && action == "save":
		redirectDone(w, r, "/rules", "layer_saved")
		return nil
	case err != nil && !formError(v, err):
		return err
	case err != nil:
		status = http.StatusUnprocessableEntity
	}
	// The page again, with the layers in force and the preview or the
	// problems.
	layers, err := h.app.RulesInForce(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	h.rulesData(r, v, layers)
	if status == http.StatusOK {
		v.Data.(map[string]any)["Impact"] = impact
		v.Data.(map[string]any)["CountyName"] = h.tree.FullName(region.Code(impact.County))
	}
	return h.render(w, status, "rules.html", v)
}

// firstCounty is the county in which a user of the scope previews a
// layer by default: the scope itself for a county, else its first county.
func (h *Handler) firstCounty(scope region.Code) region.Code {
	if scope == "" {
		return ""
	}
	if c := h.tree.County(scope); c == scope {
		return c
	}
	for _, d := range h.tree.Children(scope) {
		if c := h.firstCounty(d.Code); c != "" {
			return c
		}
	}
	return ""
}

// exampleLayer is the layer the proposal form starts from: for the
// actor's own level, the next unused version, from 1 January of year,
// raising the minimum age of 奖扶 (jf) by one year over the value in
// force for the region.
func exampleLayer(a auth.Actor, layers []policy.Layer, year int, names map[string]string) string {
	own, _ := a.Scope.Prefix()
	version, minAge := 1, 60
	applied := slices.Clone(layers)
	slices.SortStableFunc(applied, func(x, y policy.Layer) int {
		if c := len(x.Region) - len(y.Region); c != 0 {
			return c
		}
		if c := x.From.Compare(y.From); c != 0 {
			return c
		}
		return x.Version - y.Version
	})
	for _, l := range applied {
		if l.Region == own {
			version = max(version, l.Version+1)
		}
		if !strings.HasPrefix(own, l.Region) || l.From.Year() > year {
			continue
		}
		for _, p := range l.Programs {
			if p.Code != policy.ProgramJF {
				continue
			}
			switch n := p.Params["min_age"].(type) {
			case float64:
				minAge = int(n)
			case int:
				minAge = n
			case json.Number:
				if i, err := n.Int64(); err == nil {
					minAge = int(i)
				}
			}
		}
	}
	l := policy.Layer{Region: own, Version: version, From: date.Of(year, time.January, 1),
		Title:    fmt.Sprintf("%s：奖扶领取年龄调整为%d周岁（示例）", names[own], minAge+1),
		Programs: []policy.ProgramLayer{{Code: policy.ProgramJF, Params: map[string]any{"min_age": minAge + 1}}}}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}
