package registry

import (
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
)

func TestCheckPhone(t *testing.T) {
	good := []string{
		"13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "8613800138000", "19912345678",
		"0564-8621234", "(0564)8621234", "（0564）8621234", "010-12345678", "021 87654321", "+86 564 8621234",
		"8621234", "86212345", "0564-8621234转123", "0564-8621234-8012", "010-12345678 ext 12",
		"13800138000，0564-8621234", "13800138000/13900139000、8621234", "",
	}
	bad := []string{
		"电话未知", "无", "123", "12345", "95588", "1380013800", "138001380001", "12800138000", "23800138000",
		"0000000", "1234567", "0564-123", "13800138000abc", "tel:13800138000", "13800138000\n13900139000",
		"13800138000,13900139000,13700137000,13600136000", "=13800138000", "138\u202e00138000",
	}
	for _, s := range good {
		if e := CheckPhone("phone", s); e != nil {
			t.Errorf("CheckPhone(%q) = %v, want nil", s, e)
		}
	}
	for _, s := range bad {
		if e := CheckPhone("phone", s); e == nil || e.Field != "phone" {
			t.Errorf("CheckPhone(%q) = %v, want an error on phone", s, e)
		}
	}
}

// TestRosterText checks that the roster import refuses what registration
// refuses: names and text fields with control, direction or invisible
// characters, bad phone numbers and births before 1900.
func TestRosterText(t *testing.T) {
	row := func(name, birth, ethnic, address, phone string) string {
		return "," + name + ",男," + birth + ",341523100201,农业,," + ethnic + "," + address + "," + phone + "\n"
	}
	tests := []struct {
		name string
		row  string
		want Problem
	}{
		{"a NUL in a name", row("张\x00三", "1962-03-01", "", "", ""), Problem{Row: 2, Col: 2, Column: "姓名", ZH: "控制字符", EN: "control character"}},
		{"a name with a right-to-left override", row("张三\u202e", "1962-03-01", "", "", ""), Problem{Row: 2, Col: 2, Column: "姓名", ZH: "方向", EN: "U+202E"}},
		{"a name of zero-width spaces", row("\u200c\u200d", "1962-03-01", "", "", ""), Problem{Row: 2, Col: 2, Column: "姓名", ZH: "不可见", EN: "invisible"}},
		{"a name with a line break", row("\"张\n三\"", "1962-03-01", "", "", ""), Problem{Row: 2, Col: 2, Column: "姓名", ZH: "不能换行", EN: "single line"}},
		{"a name too long", row(strings.Repeat("张", 51), "1962-03-01", "", "", ""), Problem{Row: 2, Col: 2, Column: "姓名", ZH: "最多 50", EN: "at most 50"}},
		{"an address with an isolate", row("张三", "1962-03-01", "", "城关镇\u20663组", ""), Problem{Row: 2, Col: 9, Column: "住址", ZH: "方向", EN: "U+2066"}},
		{"an ethnic group of a soft hyphen", row("张三", "1962-03-01", "\u00ad", "", ""), Problem{Row: 2, Col: 8, Column: "民族", ZH: "不可见", EN: "invisible"}},
		{"a free-text phone", row("张三", "1962-03-01", "", "", "找村委会"), Problem{Row: 2, Col: 10, Column: "电话", ZH: "无效", EN: "not valid"}},
		{"a short phone", row("张三", "1962-03-01", "", "", "12345"), Problem{Row: 2, Col: 10, Column: "电话", ZH: "无效", EN: "not valid"}},
		{"a birth in 1850", row("张三", "1850-03-01", "", "", ""), Problem{Row: 2, Col: 4, Column: "出生日期", ZH: "早于 1900 年", EN: "before 1900"}},
		{"a birth in 1899", row("张三", "1899-12-31", "", "", ""), Problem{Row: 2, Col: 4, Column: "出生日期", ZH: "早于 1900 年", EN: "before 1900"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ro := parseFile(t, []byte(header+tt.row), "")
			checkProblems(t, ro.Problems, []Problem{tt.want})
		})
	}
	ok := parseFile(t, []byte(header+row("阿依古丽·买买提", "1900-01-01", "维吾尔族", "城关镇 3组", "0564-8621234转12")), "")
	checkProblems(t, ok.Problems, nil)
}

func TestCheckLifeFrom1900(t *testing.T) {
	today := date.MustParse("2024-05-06")
	if e := checkLife("", date.MustParse("1899-12-31"), date.Date{}, today); e == nil || e.Field != ".birth" {
		t.Errorf("a birth in 1899: %v", e)
	}
	if e := checkLife("", date.MustParse("1900-01-01"), date.Date{}, today); e != nil {
		t.Errorf("a birth on 1900-01-01: %v", e)
	}
	if e := checkNotAfter("from", date.MustParse("2024-05-07"), today); e == nil {
		t.Error("checkNotAfter accepted tomorrow")
	}
}

// FuzzCheckPhone checks that an accepted phone field holds only digits,
// separators and the marks of a number, and at most MaxPhones numbers.
func FuzzCheckPhone(f *testing.F) {
	for _, s := range []string{"13800138000", "0564-8621234转123", "+86 138 0013 8000", "电话", "1380013800\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if CheckPhone("phone", s) != nil || strings.TrimSpace(s) == "" {
			return
		}
		for _, r := range s {
			if !strings.ContainsRune("0123456789+-() （）　,，、/;；转分机ext.x# ", r) {
				t.Fatalf("accepted %q with %q", s, r)
			}
		}
		if n := len(phoneSplitRE.Split(strings.TrimSpace(s), -1)); n > MaxPhones {
			t.Fatalf("accepted %d numbers in %q", n, s)
		}
	})
}
