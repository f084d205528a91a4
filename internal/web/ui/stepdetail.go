package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// detailRow is one line of a signed step's record as the case page shows
// it: a label and its value in words, or the rows of a part of it.
type detailRow struct {
	Label string
	Value string
	Rows  []detailRow
}

// detailOrder is the order in which a record's fields are shown; fields
// not listed follow in the record's own order. Fields without a label
// (detail.<field> in messages.json) are internal and not shown.
var detailOrder = []string{"program", "year", "submitted", "date", "level", "place", "start", "end", "outcome", "decision",
	"conclusion", "declared", "hukou_type", "marriage", "births", "adoptions", "surviving_children", "visited", "met_in_person",
	"investigators", "participants", "evidence", "findings", "attachments", "pledge", "phone", "reasons", "opinion", "note",
	"remarks", "reason", "doubtful", "override", "override_reason", "received", "objector", "content", "engine",
	"eligible", "amount_fen", "months", "rule_version", "opened_by", "closed_by"}

// stepDetail turns the JSON record of a signed step into labelled rows in
// the page's language: codes named, booleans as 是/否, amounts in yuan,
// people by name; ID numbers are masked by the caller beforehand.
func stepDetail(t map[string]string, tree *region.Tree, lang string, raw []byte) []detailRow {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return detailRows(t, tree, lang, m)
}

func detailRows(t map[string]string, tree *region.Tree, lang string, m map[string]any) []detailRow {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := slices.Index(detailOrder, a), slices.Index(detailOrder, b)
		if ia < 0 {
			ia = len(detailOrder)
		}
		if ib < 0 {
			ib = len(detailOrder)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	var out []detailRow
	for _, k := range keys {
		label := t["detail."+k]
		if label == "" {
			continue
		}
		r := detailRow{Label: label}
		switch v := m[k].(type) {
		case map[string]any:
			if name, ok := v["name"].(string); ok { // a signature
				r.Value = name
			} else {
				r.Rows = detailRows(t, tree, lang, v)
			}
		case []any:
			r.Value, r.Rows = detailList(t, tree, lang, k, v)
		default:
			r.Value = detailValue(t, tree, lang, k, v)
		}
		if r.Value == "" && len(r.Rows) == 0 {
			continue
		}
		out = append(out, r)
	}
	return out
}

// detailList writes a list: scalars joined, people by name, findings
// one row each.
func detailList(t map[string]string, tree *region.Tree, lang, key string, xs []any) (string, []detailRow) {
	sep := "、"
	if lang == "en" {
		sep = ", "
	}
	var parts []string
	var rows []detailRow
	for _, x := range xs {
		switch v := x.(type) {
		case map[string]any:
			switch key {
			case "findings":
				fact, _ := v["fact"].(string)
				res, _ := v["result"].(string)
				val := tword(t, "finding", res)
				if note, _ := v["note"].(string); note != "" {
					val += "（" + note + "）"
				}
				rows = append(rows, detailRow{Label: tword(t, "fact", fact), Value: val})
			case "clauses":
				text, _ := v["text"].(string)
				ok, _ := v["ok"].(bool)
				mark := "✓ "
				if !ok {
					mark = "✗ "
				}
				parts = append(parts, mark+text)
			default:
				name, _ := v["name"].(string)
				extra := ""
				for _, f := range []string{"unit", "role", "opinion"} {
					if s, _ := v[f].(string); s != "" {
						extra += s + " "
					}
				}
				if extra = strings.TrimSpace(extra); extra != "" {
					name += "（" + extra + "）"
				}
				if name != "" {
					parts = append(parts, name)
				}
			}
		default:
			if s := detailValue(t, tree, lang, key, v); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, sep), rows
}

// detailValue writes one value in words.
func detailValue(t map[string]string, tree *region.Tree, lang, key string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if key == "eligible" {
			return map[bool]string{true: t["yes"], false: t["no"]}[x]
		}
		if x {
			return t["bool_yes"]
		}
		return t["bool_no"]
	case float64:
		if key == "amount_fen" {
			return money.Fen(int64(x)).String() + " " + t["yuan"]
		}
		if key == "months" {
			return fmt.Sprintf(t["n_months"], int(x))
		}
		return fmt.Sprintf("%d", int64(x))
	case string:
		switch key {
		case "program":
			return policy.BuiltinPrograms().Name(x, lang)
		case "conclusion":
			return tword(t, "conclusion", x)
		case "outcome", "decision":
			for _, p := range []string{"decision", "outcome", "resolution"} {
				if s, ok := t[p+"."+x]; ok {
					return s
				}
			}
			return x
		case "level":
			return tword(t, "nlevel", x)
		case "hukou_type":
			return tword(t, "hukou", x)
		case "reasons":
			return workflow.Reasons.Name(x, lang)
		case "rule_version":
			return ruleVersionText(tree, lang, x)
		case "region":
			return tree.FullName(region.Code(x))
		}
		return x
	}
	return fmt.Sprint(v)
}

// tword is t[prefix.code], or the code when there is no such word.
func tword(t map[string]string, prefix, code string) string {
	if s, ok := t[prefix+"."+code]; ok {
		return s
	}
	return code
}
