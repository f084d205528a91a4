package pdf

import (
	"strings"
	"testing"
)

// FuzzLayout lays out any text, names included, in a paragraph and a
// table: nothing panics, no character is lost by the line breaker, and a
// kept run that fits a line is whole on one.
func FuzzLayout(f *testing.F) {
	f.Add("根据计划生育奖励扶助有关规定，经本人申请（入户调查）", "王秀英", 12)
	f.Add("https://example.gov.cn/v/1 “一卡通”……——", "阿不都热合曼·买买提", 3)
	f.Add("\xff\x00\t\n 　", "", 1)
	f.Fuzz(func(t *testing.T, text, name string, width int) {
		width = max(width%40, -width%40) + 1
		name = valid(name)
		runs := []Run{T(text), Keep(name), T(text)}
		lines := breakLines(runs, 10, float64(width)*10, 0)
		var all strings.Builder
		for _, l := range lines {
			all.WriteString(l.text)
		}
		strip := strings.NewReplacer(" ", "", "\t", "", "\n", "")
		if strip.Replace(all.String()) != strip.Replace(valid(text)+valid(name)+valid(text)) {
			t.Fatalf("text changed: %q", all.String())
		}
		if name != "" && !strings.ContainsAny(name, " \t\n·•・") && textWidth(name) <= float64(width) {
			whole := false
			for _, l := range lines {
				whole = whole || strings.Contains(l.text, name)
			}
			if !whole {
				t.Fatalf("%q split over %q", name, texts(lines))
			}
		}
		d, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		d.Title(text)
		d.Para(Para{Runs: runs, Indent: 2})
		d.Table(Table{Columns: []Column{{Title: text, Width: 1}, {Title: "姓名", Width: float64(width), Keep: true}}, Rows: [][]string{{text, name}}})
		d.Seal(name, text)
		// Writing the file (the font subset above all) is left out: under
		// the fuzzer's instrumentation it takes seconds.
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
