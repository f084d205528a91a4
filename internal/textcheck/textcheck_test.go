package textcheck

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		s    string
		k    Kind
		max  int
		want string // part of the English message; "" for no error
	}{
		{"a name", "张三", Name, 50, ""},
		{"a name with a middle dot", "阿依古丽·买买提", Name, 50, ""},
		{"a name with a space", "Zhang San", Name, 50, ""},
		{"a rare character (private use)", "张\ue000", Name, 50, ""},
		{"a combining mark", "Ame\u0301lie", Name, 50, ""},
		{"empty", "", Name, 50, ""},
		{"NUL", "张\x00三", Name, 50, "control character (U+0000)"},
		{"a tab", "张\t三", Name, 50, "control character (U+0009)"},
		{"DEL", "张\x7f", Name, 50, "control character (U+007F)"},
		{"a C1 control", "张\u0085三", Name, 50, "single line"},
		{"a newline", "张\n三", Name, 50, "single line"},
		{"a carriage return", "城关镇\r3组", Line, 200, "single line"},
		{"a line separator", "城关镇\u20283组", Line, 200, "single line"},
		{"right-to-left override", "张三\u202e321", Name, 50, "direction of text (U+202E)"},
		{"left-to-right embedding", "\u202a张三", Line, 50, "U+202A"},
		{"a first-strong isolate", "张\u2068三\u2069", Name, 50, "U+2068"},
		{"a right-to-left mark", "张三\u200f", Para, 50, "U+200F"},
		{"an override in a note", "见附件\u202e", Para, 0, "U+202E"},
		{"only zero-width spaces", "\u200b\u200b", Name, 50, "invisible character"},
		{"a zero-width space inside", "张\u200b三", Name, 50, "invisible character (U+200B)"},
		{"a soft hyphen", "张\u00ad三", Line, 50, "U+00AD"},
		{"a byte-order mark", "\ufeff张三", Name, 50, "U+FEFF"},
		{"a Hangul filler", "\u3164", Name, 50, "invisible character (U+3164)"},
		{"only spaces", "   ", Line, 50, "only white space"},
		{"only ideographic spaces", "\u3000\u3000", Name, 50, "only white space"},
		{"only a combining mark", "\u0301", Name, 50, "only white space"},
		{"the replacement character", "张\ufffd", Name, 50, "U+FFFD"},
		{"invalid UTF-8", "张\xff", Name, 50, "not valid UTF-8"},
		{"a noncharacter", "张\uffff", Name, 50, "noncharacter"},
		{"too long", strings.Repeat("张", 51), Name, 50, "at most 50 characters, got 51"},
		{"no bound", strings.Repeat("张", 5000), Para, 0, ""},
		{"a note of several lines", "第一行\r\n第二行\t附注", Para, 500, ""},
		{"an emoji joiner in a note", "好的👨\u200d👩", Para, 500, ""},
		{"only a newline in a note", "\n\n", Para, 500, "only white space"},
		{"a NUL in a note", "好\x00", Para, 500, "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Check("f", tt.s, tt.k, tt.max)
			switch {
			case tt.want == "" && e != nil:
				t.Errorf("Check(%q) = %v, want nil", tt.s, e)
			case tt.want != "" && e == nil:
				t.Errorf("Check(%q) = nil, want an error with %q", tt.s, tt.want)
			case e != nil && (e.Kind != apperr.Invalid || e.Field != "f" || e.ZH == "" || !strings.Contains(e.EN, tt.want)):
				t.Errorf("Check(%q) = %#v, want Invalid on f with %q", tt.s, e, tt.want)
			}
		})
	}
}

// FuzzCheck checks that whatever Check accepts as a name is valid UTF-8,
// one line, free of controls, direction controls and format characters,
// and shows at least one character.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"张三", "张\u202e三", "\u200b", "a\x00", "阿依古丽·买买提", "\ufffd", "  ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Check("name", s, Name, 0) != nil || s == "" {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("accepted invalid UTF-8 %q", s)
		}
		visible := false
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || isBidiControl(r) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				t.Fatalf("accepted %q with %U", s, r)
			}
			if !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Me, r) && !isInvisible(r) {
				visible = true
			}
		}
		if !visible {
			t.Fatalf("accepted %q, which shows nothing", s)
		}
		if Check("note", s, Para, 0) != nil {
			t.Fatalf("%q is a name but not a note", s)
		}
	})
}
