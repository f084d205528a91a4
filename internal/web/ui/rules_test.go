package ui_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
	"github.com/jiahe-project/jiahe/internal/synth"
)

func TestUIRulesPropose(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testUIRulesPropose(t, engine) })
	}
}

func testUIRulesPropose(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	ctx := context.Background()
	if _, err := store.LoadSynthetic(ctx, ts.DB, synth.Config{County: "341523", Persons: 300, Seed: 7}, nil); err != nil {
		t.Fatal(err)
	}
	stored := func() int {
		var n int
		if err := ts.DB.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT COUNT(*) FROM policy_layers`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}

	c := ts.Browser().Login("county", "county1234")
	c.Get("/rules").Want(200, `name="layer"`, `&#34;region&#34;: &#34;341523&#34;`, `&#34;min_age&#34;: 61`, `value="preview"`)
	if strings.Contains(c.Body, `value="save"`) {
		t.Error("the rules page offers to save before a preview")
	}
	// The prefilled example, taken from the page.
	i := strings.Index(c.Body, `name="layer"`)
	ex := c.Body[strings.Index(c.Body[i:], ">")+i+1:]
	ex = html.UnescapeString(ex[:strings.Index(ex, "</textarea>")])

	c.Post("/rules", url.Values{"action": {"preview"}, "layer": {ex}, "county": {"341523"}, "year": {"2024"}}).
		Want(200, `id="impact"`, "舒城县第2版", "<td>农村部分计划生育家庭奖励扶助</td>", `value="save"`)
	if n := stored(); n != 0 {
		t.Fatalf("%d layers stored by a preview", n)
	}

	bad := `{"region": "341523", "version": 1, "from": "2024-01-01", "title": "错误",
	  "programs": [{"code": "jf", "params": {"min_age": 61}}, {"code": "jf2", "name": "x", "funding": {"central": false, "local": {"county": 100}},
	    "clauses": [{"id": "age", "expr": "age >= P.nope", "text": "x"}]}]}`
	for _, action := range []string{"preview", "save"} {
		c.Post("/rules", url.Values{"action": {action}, "layer": {bad}, "county": {"341523"}, "year": {"2024"}}).
			Want(422, "programs[1].clauses[0].expr", "P.nope")
	}
	if n := stored(); n != 0 {
		t.Fatalf("%d layers stored after refusals", n)
	}

	v := ts.Browser().Login("village", "village1234")
	v.Get("/rules").Want(403)
	v.Post("/rules", url.Values{"action": {"save"}, "layer": {ex}}).Want(403)

	c.Post("/rules", url.Values{"action": {"save"}, "layer": {ex}, "county": {"341523"}, "year": {"2024"}})
	if c.Code != 303 || !strings.HasPrefix(c.Loc, "/rules?done=layer_saved") {
		t.Fatalf("save: %d %s\n%.2000s", c.Code, c.Loc, c.Body)
	}
	if n := stored(); n != 1 {
		t.Fatalf("%d layers stored after a save", n)
	}
	c.Get(c.Loc).Want(200, "规则层已保存", "奖扶领取年龄调整为61周岁（示例）")
	var audited int
	if err := ts.DB.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'policy.layer.create'`).Scan(&audited)
	}); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("%d audit entries for the saved layer", audited)
	}
}
