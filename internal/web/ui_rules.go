package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// rulesSubmit is POST /rules: a county, city or province user proposes a
// rule layer for its own level. action=preview validates the layer and
// shows its impact on a county (PreviewLayer, as POST
// /api/v1/policy/impact; nothing is stored); action=save stores it as
// POST /api/v1/policy/layers does (validated, audited). Errors name the
// field of the layer (programs[1].clauses[0].expr).
func (h *Handler) rulesSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermRulesManage, target{Entity: "policy_layer"}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "rules.title")
	v.Form.Set("layer", r.PostFormValue("layer"))
	for _, f := range []string{"county", "year"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	layers, err := h.policyRules(r.Context())
	if err != nil {
		return err
	}
	h.rulesData(r, v, layers)
	data := v.Data.(map[string]any)
	if data["Propose"] != true {
		return h.deny(r, actor(r), target{Entity: "policy_layer"},
			apperr.Forbiddenf("只能添加本级的政策规则", "you may add rules for your own level only"))
	}
	action := r.PostFormValue("action")
	err = func() error {
		l, err := policy.ParseLayer([]byte(v.F("layer")))
		if err != nil {
			return err
		}
		if action == "save" {
			return h.addPolicyLayer(r, l)
		}
		county, err := h.countyCode("county", v.F("county"))
		if err != nil {
			return err
		}
		if err := h.inScope(r, county, target{Entity: "policy_layer"}); err != nil {
			return err
		}
		year, err := strconv.Atoi(v.F("year"))
		if err != nil || year < 2004 || year > 2100 {
			return invalid("year", "年度应为2004至2100的整数", "year must be a whole number from 2004 to 2100")
		}
		rep, err := h.db.PreviewLayer(r.Context(), store.EvalOptions{County: string(county), Year: year}, layers, l)
		if err != nil {
			return err
		}
		data["Impact"] = rep
		data["CountyName"] = h.tree.FullName(county)
		return nil
	}()
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "rules.html", v)
	}
	if action == "save" {
		redirectDone(w, r, "/rules", "layer_saved")
		return nil
	}
	return h.render(w, http.StatusOK, "rules.html", v)
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
			if p.Code != "jf" {
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
		Programs: []policy.ProgramLayer{{Code: "jf", Params: map[string]any{"min_age": minAge + 1}}}}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}
