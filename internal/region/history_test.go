package region

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// historyTree is a county with two townships: 城关 (two villages) and 晓天
// (one village).
const historyTree = `# test
340000	安徽省
341500	六安市
341523	舒城县
341523100000	城关镇
341523100001	东苑社区
341523100201	仁和村
341523101000	晓天镇
341523101200	晓天村
`

func testHistory(t *testing.T) (*Tree, *History) {
	t.Helper()
	tr, err := Load(strings.NewReader(historyTree))
	if err != nil {
		t.Fatal(err)
	}
	return tr, NewHistory(tr, nil, nil, "2026-06-01")
}

// apply builds the history after plan p.
func apply(h *History, p Plan) *History {
	var vs []Version
	for c, xs := range h.versions {
		for _, x := range xs {
			if i := slices.IndexFunc(p.Close, func(v Version) bool { return v.Code == c && v.From == x.From }); i >= 0 {
				x = p.Close[i]
			}
			vs = append(vs, x)
		}
	}
	for _, v := range p.Close {
		if h.versions[v.Code] == nil {
			vs = append(vs, v)
		}
	}
	vs = append(vs, p.Open...)
	return NewHistory(h.base, vs, append(slices.Clone(h.keys), p.Keys...), h.today)
}

func codes(ds []Division) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Code)+" "+d.Name)
	}
	return out
}

func TestHistoryMerge(t *testing.T) {
	_, h := testHistory(t)
	p, err := h.Merge("341523101000", "341523100000", "2024-03-01", []Code{"341523101200", "341523101201"})
	if err != nil {
		t.Fatal(err)
	}
	h = apply(h, p)
	// 晓天村 keeps its digits under 城关 (free there); 341523101201, held by
	// records only, too.
	tests := []struct {
		day, code string
		children  []string
		resolve   map[Code]Code
		full      string
	}{
		{"2019-06-30", "341523", []string{"341523100000 城关镇", "341523101000 晓天镇"},
			map[Code]Code{"341523100200": "341523101200", "341523101200": "341523101200", "341523100201": "341523100201", "341523101000": "341523101000"},
			"安徽省六安市舒城县晓天镇晓天村"},
		{"2024-03-01", "341523", []string{"341523100000 城关镇"},
			map[Code]Code{"341523100200": "341523100200", "341523101200": "341523100200", "341523101000": "341523100000"},
			"安徽省六安市舒城县城关镇晓天村"},
		{"2025-01-01", "341523100000", []string{"341523100001 东苑社区", "341523100200 晓天村", "341523100201 仁和村"}, nil, ""},
	}
	for _, tc := range tests {
		v := h.On(tc.day)
		if got := codes(v.Children(Code(tc.code))); !slices.Equal(got, tc.children) {
			t.Errorf("%s: children of %s = %v, want %v", tc.day, tc.code, got, tc.children)
		}
		for from, want := range tc.resolve {
			if got := v.Resolve(from); got != want {
				t.Errorf("%s: %s resolves to %s, want %s", tc.day, from, got, want)
			}
		}
		if tc.full != "" {
			if got := v.FullName(v.Resolve("341523101200")); got != tc.full {
				t.Errorf("%s: full name %q, want %q", tc.day, got, tc.full)
			}
		}
	}
	if !h.On("2024-03-01").Moved("341523101000") || h.Valid("341523101000", "2024-03-01") || !h.Valid("341523101000", "2024-02-29") {
		t.Error("validity of 晓天 around the merger")
	}
	// Changes of a retired code, or dated before the last, are refused.
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"retired", func() error { _, err := h.Rename("341523101000", "新晓天", "2025-01-01"); return err }()},
		{"earlier", func() error { _, err := h.Rename("341523100200", "新村", "2024-01-01"); return err }()},
		{"county", func() error { _, err := h.Rename("341523", "舒城区", "2025-01-01"); return err }()},
		{"into itself", func() error { _, err := h.Merge("341523100001", "341523100001", "2025-01-01", nil); return err }()},
		{"used code", func() error {
			_, err := h.Split("341523101000", "晓天镇", "341523100000", "2025-01-01", nil)
			return err
		}()},
	} {
		var re *Error
		if !errors.As(tc.err, &re) || re.ZH == "" {
			t.Errorf("%s: %v, want a refusal", tc.name, tc.err)
		}
	}
}

func TestHistoryRenameMoveSplit(t *testing.T) {
	tr, h := testHistory(t)
	p, err := h.Rename("341523100201", "仁和社区", "2025-01-01")
	if err != nil {
		t.Fatal(err)
	}
	h = apply(h, p)
	if a, b := h.On("2024-12-31").FullName("341523100201"), h.On("2025-01-01").FullName("341523100201"); a != "安徽省六安市舒城县城关镇仁和村" || b != "安徽省六安市舒城县城关镇仁和社区" {
		t.Errorf("names around the rename: %q, %q", a, b)
	}
	if p, err = h.Move("341523100201", "341523101000", "2025-06-01"); err != nil {
		t.Fatal(err)
	}
	if len(p.Keys) != 1 || p.Keys[0].New != "341523101201" || p.Open[0].Name != "仁和社区" {
		t.Errorf("move: %+v", p)
	}
	h = apply(h, p)
	p, err = h.Split("341523102000", "新城镇", "341523101000", "2026-01-01", []Code{"341523101200"})
	if err != nil {
		t.Fatal(err)
	}
	h = apply(h, p)
	v := h.On("2026-01-01")
	if got := codes(v.Children("341523102000")); !slices.Equal(got, []string{"341523102200 晓天村"}) {
		t.Errorf("the new township's villages: %v", got)
	}
	if got := v.Resolve("341523101200"); got != "341523102200" {
		t.Errorf("晓天村 resolves to %s after the split", got)
	}
	if got := h.On("2025-12-31").Resolve("341523102200"); got != "341523101200" {
		t.Errorf("the new code resolves to %s before the split", got)
	}
	if _, ok := tr.Lookup("341523102000"); ok {
		t.Error("a history changed its tree")
	}
}
