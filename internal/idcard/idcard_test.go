package idcard

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type birth struct {
	Year  int
	Month time.Month
	Day   int
}

// TestParseValid uses the test vectors of rules.md §3.1 plus input forms
// Parse must normalise.
func TestParseValid(t *testing.T) {
	tests := []struct {
		in      string
		want    Number
		sex     string
		birth   birth
		address string
		masked  string
	}{
		{"11010519491231002X", "11010519491231002X", "F", birth{1949, 12, 31}, "110105", "110105********002X"},
		{"341523196412310127", "341523196412310127", "F", birth{1964, 12, 31}, "341523", "341523********0127"},
		{"34152319640229010X", "34152319640229010X", "F", birth{1964, 2, 29}, "341523", "341523********010X"},
		{"341523193212310110", "341523193212310110", "M", birth{1932, 12, 31}, "341523", "341523********0110"},
		// Lower-case x, surrounding white space (including U+3000).
		{"11010519491231002x", "11010519491231002X", "F", birth{1949, 12, 31}, "110105", "110105********002X"},
		{"  341523196412310127\t", "341523196412310127", "F", birth{1964, 12, 31}, "341523", "341523********0127"},
		{"\u3000341523196412310127\u3000", "341523196412310127", "F", birth{1964, 12, 31}, "341523", "341523********0127"},
		// Legacy 15-digit number.
		{"341523641231012", "341523196412310127", "F", birth{1964, 12, 31}, "341523", "341523********0127"},
		// Hong Kong, Macao and Taiwan prefixes; earliest allowed year.
		{Make("810000", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 1).String(), Make("810000", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 1), "M", birth{1990, 1, 1}, "810000", ""},
		{Make("710000", time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC), 2).String(), Make("710000", time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC), 2), "F", birth{1850, 1, 1}, "710000", ""},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if s := got.Sex(); s != tt.sex {
			t.Errorf("Parse(%q).Sex() = %q, want %q", tt.in, s, tt.sex)
		}
		var b birth
		b.Year, b.Month, b.Day = got.Birth()
		if b != tt.birth {
			t.Errorf("Parse(%q).Birth() = %v, want %v", tt.in, b, tt.birth)
		}
		if a := got.Address(); a != tt.address {
			t.Errorf("Parse(%q).Address() = %q, want %q", tt.in, a, tt.address)
		}
		if tt.masked != "" && got.Masked() != tt.masked {
			t.Errorf("Parse(%q).Masked() = %q, want %q", tt.in, got.Masked(), tt.masked)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want Error
	}{
		{"110105194912310021", Error{CodeCheck,
			"身份证号校验位错误，请核对号码是否抄错",
			"ID number check character is wrong: check the number for a mistyped digit"}},
		{"341523196412310128", Error{CodeCheck,
			"身份证号校验位错误，请核对号码是否抄错",
			"ID number check character is wrong: check the number for a mistyped digit"}},
		{"", Error{CodeLength,
			"身份证号长度错误：应为18位或15位，实为0位",
			"ID number has the wrong length: want 18 or 15 characters, got 0"}},
		{"34152319641231012", Error{CodeLength,
			"身份证号长度错误：应为18位或15位，实为17位",
			"ID number has the wrong length: want 18 or 15 characters, got 17"}},
		{"3415231964123101270", Error{CodeLength,
			"身份证号长度错误：应为18位或15位，实为19位",
			"ID number has the wrong length: want 18 or 15 characters, got 19"}},
		{"3415231964 2310127", Error{CodeChar,
			"身份证号第11位字符' '无效",
			"ID number has an invalid character ' ' at position 11"}},
		{"34152319641231012Y", Error{CodeChar,
			"身份证号第18位字符'Y'无效",
			"ID number has an invalid character 'Y' at position 18"}},
		{"3415231964123101X7", Error{CodeChar,
			"身份证号第17位字符'X'无效",
			"ID number has an invalid character 'X' at position 17"}},
		// Full-width digit: 18 characters, but not ASCII.
		{"３41523196412310127", Error{CodeChar,
			"身份证号第1位字符'３'无效",
			"ID number has an invalid character '３' at position 1"}},
		{"34152364123101X", Error{CodeChar,
			"身份证号第15位字符'X'无效",
			"ID number has an invalid character 'X' at position 15"}},
		// Address code: unknown province prefixes.
		{"001523196412310127", Error{CodeAddress,
			"身份证号地址码错误：前两位00不是有效的省级代码",
			"ID number address code is wrong: 00 is not a province code"}},
		{"991523196412310127", Error{CodeAddress,
			"身份证号地址码错误：前两位99不是有效的省级代码",
			"ID number address code is wrong: 99 is not a province code"}},
		{"831523196412310127", Error{CodeAddress,
			"身份证号地址码错误：前两位83不是有效的省级代码",
			"ID number address code is wrong: 83 is not a province code"}},
		{"101523641231012", Error{CodeAddress,
			"身份证号地址码错误：前两位10不是有效的省级代码",
			"ID number address code is wrong: 10 is not a province code"}},
		// Birth dates that are not real dates.
		{"341523196502290127", Error{CodeDate,
			"身份证号出生日期错误：19650229不是有效日期",
			"ID number birth date is wrong: 19650229 is not a real date"}},
		{"341523190002290127", Error{CodeDate, // 1900 is not a leap year
			"身份证号出生日期错误：19000229不是有效日期",
			"ID number birth date is wrong: 19000229 is not a real date"}},
		{"341523196413010127", Error{CodeDate,
			"身份证号出生日期错误：19641301不是有效日期",
			"ID number birth date is wrong: 19641301 is not a real date"}},
		{"341523196400100127", Error{CodeDate,
			"身份证号出生日期错误：19640010不是有效日期",
			"ID number birth date is wrong: 19640010 is not a real date"}},
		{"341523196404310127", Error{CodeDate,
			"身份证号出生日期错误：19640431不是有效日期",
			"ID number birth date is wrong: 19640431 is not a real date"}},
		{"341523196412000127", Error{CodeDate,
			"身份证号出生日期错误：19641200不是有效日期",
			"ID number birth date is wrong: 19641200 is not a real date"}},
		{"341523184912310127", Error{CodeDate,
			"身份证号出生日期错误：年份1849早于1850年",
			"ID number birth date is wrong: year 1849 is before 1850"}},
		{"341523650229012", Error{CodeDate,
			"身份证号出生日期错误：19650229不是有效日期",
			"ID number birth date is wrong: 19650229 is not a real date"}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want error %q", tt.in, got, tt.want.Code)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) error %T is not *Error", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, *e); diff != "" {
			t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tt.in, diff)
		}
		if err.Error() != tt.want.EN || e.Chinese() != tt.want.ZH {
			t.Errorf("Parse(%q): Error() = %q, Chinese() = %q", tt.in, err.Error(), e.Chinese())
		}
		if !errors.Is(err, &Error{Code: tt.want.Code}) {
			t.Errorf("Parse(%q): errors.Is(err, code %q) = false", tt.in, tt.want.Code)
		}
	}
}

func TestParseLeapDays(t *testing.T) {
	tests := []struct {
		date string
		ok   bool
	}{
		{"20000229", true}, // divisible by 400
		{"19000229", false},
		{"19960229", true},
		{"19970229", false},
		{"19970228", true},
		{"18520229", true},
	}
	for _, tt := range tests {
		body := "341523" + tt.date + "012"
		s := body + string(CheckChar(body))
		_, err := Parse(s)
		if (err == nil) != tt.ok {
			t.Errorf("Parse(%q) error = %v, want ok = %v", s, err, tt.ok)
		}
	}
}

func TestCheckChar(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		{"11010519491231002", 'X'},
		{"34152319641231012", '7'},
		{"34152319640229010", 'X'},
		{"34152319321231011", '0'},
		{"00000000000000000", '1'},
	}
	for _, tt := range tests {
		if got := CheckChar(tt.in); got != tt.want {
			t.Errorf("CheckChar(%q) = %c, want %c", tt.in, got, tt.want)
		}
	}
}

func TestCheckCharPanics(t *testing.T) {
	for _, in := range []string{"", "1234", "3415231964123101X", "341523196412310127"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("CheckChar(%q) did not panic", in)
				}
			}()
			CheckChar(in)
		}()
	}
}

func TestConvert15(t *testing.T) {
	tests := []struct {
		in      string
		want    Number
		wantErr string
	}{
		{"341523641231012", "341523196412310127", ""},
		{" 110105491231002 ", "11010519491231002X", ""},
		{"34152319641231012", "", CodeLength},
		{"34152364123101a", "", CodeChar},
		{"341523641331012", "", CodeDate},
		{"991523641231012", "", CodeAddress},
	}
	for _, tt := range tests {
		got, err := Convert15(tt.in)
		gotErr := ""
		if e := (*Error)(nil); errors.As(err, &e) {
			gotErr = e.Code
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("Convert15(%q) = %q, %v; want %q, code %q", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestMake(t *testing.T) {
	tests := []struct {
		address string
		birth   time.Time
		seq     int
		want    Number
	}{
		{"341523", time.Date(1964, 12, 31, 0, 0, 0, 0, time.UTC), 12, "341523196412310127"},
		{"110105", time.Date(1949, 12, 31, 23, 59, 0, 0, time.UTC), 2, "11010519491231002X"},
		{"341523", time.Date(1932, 12, 31, 0, 0, 0, 0, time.UTC), 11, "341523193212310110"},
		{"341523", time.Date(1964, 2, 29, 0, 0, 0, 0, time.UTC), 10, "34152319640229010X"},
		{"411326", time.Date(2001, 7, 1, 0, 0, 0, 0, time.UTC), 0, Number("41132620010701000" + string(CheckChar("41132620010701000")))},
		{"411326", time.Date(2001, 7, 1, 0, 0, 0, 0, time.UTC), 999, Number("41132620010701999" + string(CheckChar("41132620010701999")))},
	}
	for _, tt := range tests {
		got := Make(tt.address, tt.birth, tt.seq)
		if got != tt.want {
			t.Errorf("Make(%q, %v, %d) = %q, want %q", tt.address, tt.birth, tt.seq, got, tt.want)
		}
		if p, err := Parse(string(got)); err != nil || p != got {
			t.Errorf("Parse(Make(...)) = %q, %v; want %q", p, err, got)
		}
	}
}

func TestMakeUsesBirthLocation(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	// 1990-01-01 02:00 in Beijing time is still 1989-12-31 in UTC.
	b := time.Date(1990, 1, 1, 2, 0, 0, 0, shanghai)
	got := Make("341523", b, 1)
	if y, m, d := got.Birth(); y != 1990 || m != 1 || d != 1 {
		t.Errorf("Make(...).Birth() = %d-%d-%d, want 1990-1-1", y, m, d)
	}
}

func TestMakePanics(t *testing.T) {
	b := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		address string
		seq     int
	}{
		{"short address", "34152", 1},
		{"letters in address", "34152a", 1},
		{"negative seq", "341523", -1},
		{"seq too large", "341523", 1000},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Make(%q, _, %d) did not panic", tt.name, tt.address, tt.seq)
				}
			}()
			Make(tt.address, b, tt.seq)
		}()
	}
}

func TestSexParity(t *testing.T) {
	b := time.Date(1970, 5, 6, 0, 0, 0, 0, time.UTC)
	for seq := 0; seq < 20; seq++ {
		want := "F"
		if seq%2 == 1 {
			want = "M"
		}
		if got := Make("341524", b, seq).Sex(); got != want {
			t.Errorf("Make(_, _, %d).Sex() = %q, want %q", seq, got, want)
		}
	}
}

// TestMalformedNumber checks that methods of a Number not built by this
// package do not panic and reveal nothing.
func TestMalformedNumber(t *testing.T) {
	for _, n := range []Number{"", "12345", "34152319641231012x1"} {
		if y, m, d := n.Birth(); y != 0 || m != 0 || d != 0 {
			t.Errorf("Number(%q).Birth() = %d, %d, %d, want zeros", n, y, m, d)
		}
		if s := n.Sex(); s != "" {
			t.Errorf("Number(%q).Sex() = %q, want \"\"", n, s)
		}
		if a := n.Address(); a != "" {
			t.Errorf("Number(%q).Address() = %q, want \"\"", n, a)
		}
		for _, c := range n.Masked() {
			if c != '*' {
				t.Errorf("Number(%q).Masked() = %q, want only asterisks", n, n.Masked())
				break
			}
		}
	}
}

// FuzzParse checks that Parse never panics, and that anything it accepts is
// canonical: a valid check character, a real birth date, and a fixed point of
// Parse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "110105194912310021", "341523196412310127",
		"34152319640229010X", "341523193212310110", "341523641231012",
		"11010519491231002x", " 341523196412310127 ", "", "X", "３41523196412310127",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" || e.ZH == "" || e.EN == "" {
				t.Fatalf("Parse(%q) error %#v is not a complete *Error", s, err)
			}
			if n != "" {
				t.Fatalf("Parse(%q) = %q with error %v", s, n, err)
			}
			return
		}
		if len(n) != 18 {
			t.Fatalf("Parse(%q) = %q: length %d", s, n, len(n))
		}
		if c := CheckChar(string(n[:17])); c != n[17] {
			t.Fatalf("Parse(%q) = %q: check character %c, want %c", s, n, n[17], c)
		}
		y, m, d := n.Birth()
		if y < MinBirthYear {
			t.Fatalf("Parse(%q) = %q: birth year %d", s, n, y)
		}
		if got := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); got.Year() != y || got.Month() != m || got.Day() != d {
			t.Fatalf("Parse(%q) = %q: birth %d-%d-%d is not a real date", s, n, y, m, d)
		}
		if sex := n.Sex(); sex != "M" && sex != "F" {
			t.Fatalf("Parse(%q).Sex() = %q", s, sex)
		}
		again, err := Parse(string(n))
		if err != nil || again != n {
			t.Fatalf("Parse(Parse(%q)) = %q, %v; want %q", s, again, err, n)
		}
		if got := Make(n.Address(), time.Date(y, m, d, 0, 0, 0, 0, time.UTC), seqOf(n)); got != n {
			t.Fatalf("Make(parts of %q) = %q", n, got)
		}
	})
}

func seqOf(n Number) int {
	return int(n[14]-'0')*100 + int(n[15]-'0')*10 + int(n[16]-'0')
}
