package region

import (
	"errors"
	"testing"
)

func TestParseCode(t *testing.T) {
	tests := []struct {
		in      string
		want    Code
		wantErr string // Error.Code
	}{
		{"34", "340000", ""},
		{"3415", "341500", ""},
		{"341523", "341523", ""},
		{" 341523 ", "341523", ""},
		{"341523100", "341523100000", ""},
		{"341523100000", "341523100000", ""},
		{"341523100200", "341523100200", ""},
		{"341523000000", "341523", ""}, // twelve-digit spelling of a county
		{"341500000000", "341500", ""},
		{"340000000000", "340000", ""},
		{"110101", "110101", ""},
		{"419001", "419001", ""},             // province-governed county-level city
		{"340176", "340176", ""},             // development zone, not in GB/T 2260
		{"441900003000", "441900003000", ""}, // township of a city without counties
		{"00", "000000", ""},
		{"000000", "000000", ""},
		{"000000000000", "000000", ""},
		{"", "", "length"},
		{"3", "", "length"},
		{"34152", "", "length"},
		{"3415231", "", "length"},
		{"3415231002001", "", "length"},
		{"34152a", "", "char"},
		{"３41523", "", "char"},
		{"-34152", "", "char"},
		{"340015", "", "shape"},       // county without prefecture
		{"001523", "", "shape"},       // no province
		{"341523000001", "", "shape"}, // village without township
		{"340000001000", "", "shape"}, // township under a province
		{"000000001000", "", "shape"},
	}
	for _, tt := range tests {
		got, err := ParseCode(tt.in)
		gotErr := ""
		var e *Error
		if errors.As(err, &e) {
			gotErr = e.Code
			if e.ZH == "" || e.EN == "" || e.Error() != e.EN || e.Chinese() != e.ZH {
				t.Errorf("ParseCode(%q): incomplete error %#v", tt.in, e)
			}
			if !errors.Is(err, &Error{Code: tt.wantErr}) {
				t.Errorf("ParseCode(%q): errors.Is(err, %q) = false", tt.in, tt.wantErr)
			}
		} else if err != nil {
			t.Errorf("ParseCode(%q) error %T is not *Error", tt.in, err)
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("ParseCode(%q) = %q, %v; want %q, code %q", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseCodeMessages(t *testing.T) {
	_, err := ParseCode("34152")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("ParseCode: %v", err)
	}
	if want := "区划代码长度错误：应为2、4、6、9或12位数字，实为5位"; e.ZH != want {
		t.Errorf("ZH = %q, want %q", e.ZH, want)
	}
	if want := "division code has the wrong length: want 2, 4, 6, 9 or 12 digits, got 5"; e.EN != want {
		t.Errorf("EN = %q, want %q", e.EN, want)
	}
}

func TestCodeLevel(t *testing.T) {
	tests := []struct {
		code Code
		want Level
	}{
		{"", Country},
		{"000000", Country},
		{"34", Province},
		{"340000", Province},
		{"341500", Prefecture},
		{"110100", Prefecture}, // 市辖区
		{"419000", Prefecture}, // 省直辖县级行政区划
		{"441900", Prefecture}, // 东莞市
		{"341523", County},
		{"419001", County},
		{"341523100", Township},
		{"341523100000", Township},
		{"441900003000", Township},
		{"341523100200", Village},
		{"341523000000", County},
		{"34152", NoLevel},
		{"340015", NoLevel},
		{"x", NoLevel},
	}
	for _, tt := range tests {
		if got := tt.code.Level(); got != tt.want {
			t.Errorf("Code(%q).Level() = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestLevelNames(t *testing.T) {
	tests := []struct {
		l      Level
		en, zh string
	}{
		{Country, "country", "全国"},
		{Province, "province", "省级"},
		{Prefecture, "prefecture", "地级"},
		{County, "county", "县级"},
		{Township, "township", "乡级"},
		{Village, "village", "村级"},
		{NoLevel, "Level(-1)", ""},
	}
	for _, tt := range tests {
		if tt.l.String() != tt.en || tt.l.Chinese() != tt.zh {
			t.Errorf("Level %d: String() = %q, Chinese() = %q; want %q, %q", int(tt.l), tt.l.String(), tt.l.Chinese(), tt.en, tt.zh)
		}
	}
}

func TestCodeContains(t *testing.T) {
	tests := []struct {
		c, other Code
		want     bool
	}{
		{"", "341523", true},
		{"", "341523100200", true},
		{"000000", "340000", true},
		{"", "", true},
		{"000000", "", true},
		{"340000", "341523", true},
		{"340000", "341523100200", true},
		{"34", "341523100200", true},
		{"340000", "340000", true},
		{"341500", "341523", true},
		{"341500", "341524100000", true},
		{"341523", "341523", true},
		{"341523", "341523100200", true},
		{"341523", "341523100", true},
		{"341523", "341523000000", true},
		{"341523100000", "341523100200", true},
		{"341523100", "341523100200", true},
		{"341523100200", "341523100200", true},
		{"110100", "110101", true},       // 北京 市辖区
		{"419000", "419001", true},       // 省直辖县级行政区划
		{"441900", "441900003000", true}, // 东莞 townships
		{"340100", "340176", true},       // development zone under 合肥

		{"340000", "410000", false},
		{"340000", "", false},
		{"340000", "000000", false},
		{"341523", "341500", false},
		{"341523", "340000", false},
		{"341523", "341524", false},
		{"341523", "341524100000", false},
		{"341500", "341600", false},
		{"341523100000", "341523101200", false},
		{"341523100200", "341523100201", false},
		{"341523100200", "341523100000", false},
		{"341523100200", "341523", false},
		{"340000", "3415x3", false},
		{"34x", "341523", false},
		{"", "34152", false},
	}
	for _, tt := range tests {
		if got := tt.c.Contains(tt.other); got != tt.want {
			t.Errorf("Code(%q).Contains(%q) = %v, want %v", tt.c, tt.other, got, tt.want)
		}
	}
}

func TestCodePrefixAndParent(t *testing.T) {
	tests := []struct {
		code   Code
		prefix string
		ok     bool
		parent Code
	}{
		{"", "", true, ""},
		{"000000", "", true, ""},
		{"340000", "34", true, ""},
		{"341500", "3415", true, "340000"},
		{"341523", "341523", true, "341500"},
		{"341523100000", "341523100", true, "341523"},
		{"341523100200", "341523100200", true, "341523100000"},
		{"3415231002", "", false, ""},
	}
	for _, tt := range tests {
		p, ok := tt.code.Prefix()
		if p != tt.prefix || ok != tt.ok {
			t.Errorf("Code(%q).Prefix() = %q, %v; want %q, %v", tt.code, p, ok, tt.prefix, tt.ok)
		}
		if got := tt.code.Parent(); got != tt.parent {
			t.Errorf("Code(%q).Parent() = %q, want %q", tt.code, got, tt.parent)
		}
	}
}

// FuzzParseCode checks that ParseCode never panics and that what it accepts
// is canonical and consistent with Level, Contains and Parent.
func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"34", "3415", "341523", "341523100", "341523100200", "000000", "340015", "441900003000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCode(s)
		if err != nil {
			return
		}
		if again, err := ParseCode(string(c)); err != nil || again != c {
			t.Fatalf("ParseCode(ParseCode(%q)) = %q, %v; want %q", s, again, err, c)
		}
		if len(c) != 6 && len(c) != 12 {
			t.Fatalf("ParseCode(%q) = %q: not 6 or 12 digits", s, c)
		}
		if c.Level() == NoLevel || !c.Contains(c) || !Code("").Contains(c) {
			t.Fatalf("ParseCode(%q) = %q: level %v, inconsistent Contains", s, c, c.Level())
		}
		if p := c.Parent(); p != "" && (!p.Contains(c) || p.Level() >= c.Level()) {
			t.Fatalf("Code(%q).Parent() = %q is not above it", c, p)
		}
	})
}
