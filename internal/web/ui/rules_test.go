package ui_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
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
	digest := previewed(t, c.Body)
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

	// Saved only as previewed: without the preview, or in another year,
	// the change is previewed again.
	c.Post("/rules", url.Values{"action": {"save"}, "layer": {ex}, "county": {"341523"}, "year": {"2024"}}).Want(200, `id="impact"`, "请核对后再确认保存")
	c.Post("/rules", url.Values{"action": {"save"}, "layer": {ex}, "county": {"341523"}, "year": {"2025"}, "previewed": {digest}}).Want(200, `id="impact"`, "请核对后再确认保存")
	if n := stored(); n != 0 {
		t.Fatalf("%d layers stored without a preview", n)
	}
	c.Post("/rules", url.Values{"action": {"save"}, "layer": {ex}, "county": {"341523"}, "year": {"2024"}, "previewed": {digest}})
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

// TestUIRulesEditor walks the rules editor as county staff use it, on
// both engines: the form lists each program's parameters with their
// labels, units, ranges and values in force; a bad value is refused next
// to its field; the rule text refuses a misspelt parameter and a truncated
// text in plain words; a change is previewed (by township and program
// name) and saved only when confirmed; a saved version is superseded and
// another withdrawn with a reason, each previewed first; two versions are
// compared side by side; the page cites policy documents, not codes.
func TestUIRulesEditor(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) { testUIRulesEditor(t, engine) })
	}
}

func testUIRulesEditor(t *testing.T, engine store.Engine) {
	ts := newTestServer(t, engine)
	ctx := context.Background()
	if _, err := store.LoadSynthetic(ctx, ts.DB, synth.Config{County: "341523", Persons: 800, Seed: 11}, nil); err != nil {
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
	c.Get("/rules").Want(200, `name="p.tf_death.min_age"`, `value="49"`, "领取年龄（周岁）", "允许范围：0–120 周岁", "现行：49 周岁（全国第1版）",
		"再婚家庭子女的计算", "发文机关", "文号")
	page := c.Body[:strings.Index(c.Body, `<details class="advanced"`)] + c.Body[strings.Index(c.Body, "</details>\n</section>"):]
	for _, code := range []string{"rules.md", "national@", "@1", "<code>"} {
		if strings.Contains(page, code) {
			t.Errorf("the rules page shows %q", code)
		}
	}
	visible := regexp.MustCompile(`(?s)<script.*?</script>|<[^>]*>`).ReplaceAllString(page, " ")
	if m := regexp.MustCompile(`[a-z]+_[a-z]+|\{"`).FindAllString(visible, 5); len(m) > 0 {
		t.Errorf("the rules page shows codes: %q", m)
	}
	if !strings.Contains(c.Body, "国务院办公厅《国务院办公厅转发人口计生委财政部关于开展对农村部分计划生育家庭实行奖励扶助制度试点工作意见的通知》（国办发〔2004〕21号，2004）") {
		t.Error("the national layer does not cite the 2004 document that founded 奖扶")
	}
	if !strings.Contains(c.Body, "设立依据：国务院办公厅《国务院办公厅转发") || !strings.Contains(c.Body, "（依据：国办发〔2004〕21号）</li>") {
		t.Error("奖扶 and its conditions do not cite the document that established it")
	}

	form := func(action string, kv ...string) url.Values {
		f := url.Values{"action": {action}, "title": {"舒城县：特扶领取年龄调整"}, "from": {"2024-01-01"}, "county": {"341523"}, "year": {"2024"},
			"doc_issuer": {"舒城县卫生健康委员会"}, "doc_number": {"舒卫〔2024〕3号"}, "doc_title": {"关于调整特别扶助领取年龄的通知"}, "doc_date": {"2024-01-05"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	// Bad values, next to their fields.
	c.Post("/rules", form("preview", "p.tf_death.min_age", "六十")).Want(422, `id="p.tf_death.min_age-error" aria-live="polite">“领取年龄”应为整数`)
	c.Post("/rules", form("save", "p.tf_death.min_age", "600")).Want(422, "“领取年龄”应在0–120周岁之间，实为600")
	c.Post("/rules", form("preview")).Want(422, "没有修改任何参数")
	c.Post("/rules", form("preview", "p.tf_death.min_age", "70", "doc_issuer", "")).Want(422, `id="doc_issuer-error" aria-live="polite">请填写发文机关`)
	// The rule text: a misspelt parameter, a truncated text.
	misspelt := `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "x", "programs": [{"code": "jf", "params": {"min_agee": 61}}]}`
	for _, action := range []string{"preview", "save"} {
		c.Post("/rules", url.Values{"action": {action}, "layer": {misspelt}, "county": {"341523"}, "year": {"2024"}}).
			Want(422, "programs[0].params.min_agee", "没有名为“min_agee”的参数，是否应为“min_age”（领取年龄）？")
	}
	c.Post("/rules", url.Values{"action": {"preview"}, "layer": {misspelt[:50]}, "county": {"341523"}, "year": {"2024"}}).Want(422, "规则文本不完整")
	if strings.Contains(c.Body, "EOF") {
		t.Error("the decoder's text reaches the page")
	}
	if n := stored(); n != 0 {
		t.Fatalf("%d layers stored after refusals", n)
	}

	// Preview, then confirm.
	c.Post("/rules", form("preview", "p.tf_death.min_age", "70")).Want(200, `id="impact"`, "加入安徽省六安市舒城县第2版后与现行规则相比",
		"<td>计划生育家庭特别扶助（独生子女死亡）</td>", `value="save"`, "确认保存")
	if !strings.Contains(c.Body, "<tr><td>城关镇</td>") {
		t.Error("the impact lists no township by name")
	}
	if n := stored(); n != 0 {
		t.Fatalf("%d layers stored by a preview", n)
	}
	c.Post("/rules", form("save", "p.tf_death.min_age", "71", "previewed", previewed(t, c.Body))).Want(200, "请核对后再确认保存", "加入安徽省六安市舒城县第2版")
	c.Post("/rules", form("preview", "p.tf_death.min_age", "70"))
	c.Post("/rules", form("save", "p.tf_death.min_age", "70", "previewed", previewed(t, c.Body)))
	if c.Code != 303 || !strings.HasPrefix(c.Loc, "/rules?done=layer_saved") {
		t.Fatalf("save: %d %s", c.Code, c.Loc)
	}
	c.Get(c.Loc).Want(200, "安徽省六安市舒城县第2版 · 舒城县：特扶领取年龄调整", "舒城县卫生健康委员会《关于调整特别扶助领取年龄的通知》（舒卫〔2024〕3号，2024-01-05）",
		"<dt>领取年龄</dt><dd>70 周岁</dd>", "撤回此版本")

	// Supersede version 2 by version 3.
	c.Post("/rules", form("preview", "p.tf_death.min_age", "72", "supersedes", "2")).
		Want(200, "以安徽省六安市舒城县第3版替代安徽省六安市舒城县第2版后与现行规则相比")
	digest := previewed(t, c.Body)
	c.Post("/rules", form("save", "p.tf_death.min_age", "72", "supersedes", "2", "previewed", digest)).Want(422, "请填写撤回原因")
	c.Post("/rules", form("save", "p.tf_death.min_age", "72", "supersedes", "2", "reason", "改为72周岁", "previewed", digest))
	if c.Code != 303 {
		t.Fatalf("supersede: %d\n%.3000s", c.Code, c.Body)
	}
	c.Get("/rules").Want(200, "已被第3版替代", "改为72周岁")

	// Compare.
	c.Get("/rules/diff?region=341523&a=2&b=3").Want(200, "共有1处不同", "计划生育家庭特别扶助（独生子女死亡） · 领取年龄（周岁）", "<td>70 周岁</td><td>72 周岁</td>")
	c.Get("/rules/diff?region=341523&a=2&b=3&lang=en").Want(200, "1 differences", "Minimum age (years of age)", "<td>70 years of age</td><td>72 years of age</td>")
	c.Get("/rules?lang=en").Want(200, "Minimum age (years of age)", "Allowed: 0–120 years of age", "In force: 72 years of age", "Readings for the whole region")
	c.Get("/rules?lang=zh").Want(200, "现行：72 周岁")

	// Withdraw version 3: preview, a reason, then confirm.
	c.Post("/rules/withdraw", url.Values{"region": {"341523"}, "version": {"3"}, "action": {"preview"}}).
		Want(200, `id="impact"`, "撤回安徽省六安市舒城县第3版后与现行规则相比", "确认撤回")
	c.Post("/rules/withdraw", url.Values{"region": {"341523"}, "version": {"3"}, "action": {"withdraw"}, "reason": {" "}}).
		Want(422, `id="reason-error" aria-live="polite">请填写撤回原因`)
	c.Post("/rules/withdraw", url.Values{"region": {"341523"}, "version": {"1"}, "action": {"withdraw"}, "reason": {"试"}}).Want(400, "随系统发布，不能撤回")
	c.Post("/rules/withdraw", url.Values{"region": {"341523"}, "version": {"3"}, "action": {"withdraw"}, "reason": {"恢复全国标准"}})
	if c.Code != 303 || !strings.HasPrefix(c.Loc, "/rules?done=layer_withdrawn") {
		t.Fatalf("withdraw: %d %s", c.Code, c.Loc)
	}
	c.Get(c.Loc).Want(200, "规则版本已撤回", "恢复全国标准", "已撤回")
	c.Get("/rules").Want(200, "现行：49 周岁（全国第1版）")
	var actions []string
	if err := ts.DB.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT action FROM audit_log WHERE action LIKE 'policy.layer.%' ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				return err
			}
			actions = append(actions, a)
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, " ") != "policy.layer.create policy.layer.create policy.layer.supersede policy.layer.withdraw" {
		t.Errorf("audited %v", actions)
	}
	ts.Browser().Login("village", "village1234").Post("/rules/withdraw", url.Values{"region": {"341523"}, "version": {"2"}, "action": {"withdraw"}, "reason": {"x"}}).Want(403)
}

// previewed returns the token of the change a preview page shows, which
// its confirmation sends back.
func previewed(t *testing.T, body string) string {
	t.Helper()
	const mark = `name="previewed" value="`
	i := strings.Index(body, mark)
	if i < 0 {
		t.Fatal("the page has no previewed change")
	}
	rest := body[i+len(mark):]
	return rest[:strings.IndexByte(rest, '"')]
}
