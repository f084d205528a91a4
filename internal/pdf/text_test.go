package pdf

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const filler = "根据计划生育奖励扶助有关规定经本人申请入户调查和评议审核下列人员拟确认为扶助对象现予公示如有异议请在公示期内反映根据计划生育奖励扶助有关规定经本人申请入户调查和评议审核下列人员拟确认为扶助对象现予公示如有异议请在公示期内反映"

// names are kept whole wherever they fall: for every offset of a name in
// a paragraph and several widths, some line holds the whole name.
func TestBreakKeepsNames(t *testing.T) {
	fill := []rune(filler)
	for _, name := range []string{"王秀英", "欧阳建国", "李娜", "阿不都热合曼·买买提"} {
		for width := 8; width <= 30; width += 7 { // characters a line
			if textWidth(name) > float64(width) {
				continue // wider than a line: TestBreakOverlong
			}
			for k := 0; k < 2*width; k++ {
				runs := []Run{T(string(fill[:k])), Keep(name), T("，" + string(fill[k:k+5]))}
				lines := breakLines(runs, 10, float64(width)*10, 0)
				found := false
				for _, l := range lines {
					found = found || strings.Contains(l.text, name)
				}
				if !found {
					t.Fatalf("width %d, offset %d: %q split over %q", width, k, name, texts(lines))
				}
			}
		}
	}
}

// Without Keep the same name does split at some offset: the test above
// would notice.
func TestBreakSplitsPlainText(t *testing.T) {
	fill := []rune(filler)
	split := false
	for k := 0; k < 40 && !split; k++ {
		lines := breakLines([]Run{T(string(fill[:k]) + "王秀英" + string(fill[k:k+5]))}, 10, 200, 0)
		whole := false
		for _, l := range lines {
			whole = whole || strings.Contains(l.text, "王秀英")
		}
		split = !whole
	}
	if !split {
		t.Fatal("plain text never broke inside the name")
	}
}

func texts(lines []line) []string {
	var out []string
	for _, l := range lines {
		out = append(out, l.text)
	}
	return out
}

// No line starts with a closing mark or ends with an opening one, lines
// fit, and no character is lost.
func TestBreakRules(t *testing.T) {
	text := "您享受的计划生育家庭特别扶助（独生子女死亡）2024年第2季度扶助金已于2024年6月30日通过惠农补贴“一卡通”发放到您的账户，明细如下：" +
		"如对发放金额有疑问，请向所在乡镇计生办或县卫生健康部门咨询，咨询电话：0564-8621234；如发现虚报冒领、截留挪用扶助金等问题，请举报。《通知》……——完。"
	for width := 6; width <= 40; width++ {
		lines := breakLines([]Run{T(text)}, 10, float64(width)*10, 20)
		var all strings.Builder
		for i, l := range lines {
			all.WriteString(l.text)
			first, _ := utf8.DecodeRuneInString(l.text)
			last, _ := utf8.DecodeLastRuneInString(l.text)
			if i > 0 && strings.ContainsRune(noStart, first) {
				t.Errorf("width %d: line %d starts with %q: %q", width, i, first, texts(lines))
			}
			if i < len(lines)-1 && strings.ContainsRune(noEnd, last) {
				t.Errorf("width %d: line %d ends with %q: %q", width, i, last, texts(lines))
			}
			avail := float64(width)
			if i == 0 {
				avail -= 2
			}
			if l.w > avail+1e-6 && utf8.RuneCountInString(l.text) > 1 && !strings.ContainsRune(noStart, last) {
				t.Errorf("width %d: line %d is %.2f wide: %q", width, i, l.w, l.text)
			}
		}
		if strings.ReplaceAll(all.String(), " ", "") != strings.ReplaceAll(text, " ", "") {
			t.Fatalf("width %d: text changed:\n%s\n%s", width, all.String(), text)
		}
	}
}

// A word or name wider than a whole line is broken where it must be,
// keeping every character.
func TestBreakOverlong(t *testing.T) {
	url := "https://jiahe.example.gov.cn/verify/341523-2026-000123"
	lines := breakLines([]Run{T(url)}, 10, 100, 0)
	if len(lines) < 2 || strings.Join(texts(lines), "") != url {
		t.Errorf("overlong word: %q", texts(lines))
	}
	lines = breakLines([]Run{Keep("阿不都热合曼·买买提")}, 10, 80, 0)
	if got := texts(lines); len(got) != 2 || got[0] != "阿不都热合曼·" || got[1] != "买买提" {
		t.Errorf("a long name breaks after its ·: %q", got)
	}
	if lines := breakLines([]Run{T("")}, 10, 100, 0); len(lines) != 1 || lines[0].text != "" {
		t.Errorf("empty text: %q", texts(lines))
	}
	if got := texts(breakLines([]Run{T("第一行\n第二行")}, 10, 1000, 0)); len(got) != 2 {
		t.Errorf("a newline breaks the line: %q", got)
	}
}

func TestMissing(t *testing.T) {
	if got := Missing("王秀英 𬌗 玥堃喆 ABC·，。"); len(got) != 0 {
		t.Errorf("Missing reports %q", string(got))
	}
	if got := Missing("김민준"); string(got) != "김민준" {
		t.Errorf("Missing(Korean) = %q", string(got))
	}
}
