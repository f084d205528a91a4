package region

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Code is an administrative division code in canonical form:
//
//   - six digits for a province ("340000"), a prefecture ("341500") or a
//     county-level unit ("341523"): the GB/T 2260 code, or the statistical
//     code of a development zone, whose digits need not be in GB/T 2260;
//   - twelve digits for a township ("341523100000", always ending in "000")
//     or a village or community ("341523100200"): the statistical code of
//     the National Bureau of Statistics (统计用区划代码).
//
// The empty Code and "000000" stand for the whole country.
//
// ParseCode turns the other accepted spellings (2, 4 and 9 digits, or twelve
// digits with trailing zeros) into the canonical form. The methods of Code
// accept any of these spellings too.
//
// Contains and Prefix use the digits alone; they need no tree. A scope check
// is therefore scope.Contains(code), and a store can filter a column of codes
// with LIKE scope.Prefix()+'%'.
type Code string

// Level is the level of a division in the tree.
type Level int

// Levels, from the top. NoLevel is the level of a malformed code.
const (
	NoLevel    Level = -1
	Country    Level = 0 // the whole country: "" or "000000"
	Province   Level = 1 // 省级: province, autonomous region, municipality
	Prefecture Level = 2 // 地级: prefecture-level city, prefecture, league; also 市辖区 and 省直辖县级行政区划
	County     Level = 3 // 县级: district, county, county-level city, banner, development zone
	Township   Level = 4 // 乡级: town, township, street office
	Village    Level = 5 // 村级: village committee, residents' committee
)

var levelNames = [...]struct{ en, zh string }{
	{"country", "全国"},
	{"province", "省级"},
	{"prefecture", "地级"},
	{"county", "县级"},
	{"township", "乡级"},
	{"village", "村级"},
}

// String returns the English name of l, such as "county".
func (l Level) String() string {
	if l < Country || l > Village {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l].en
}

// Chinese returns the Chinese name of l, such as "县级".
func (l Level) Chinese() string {
	if l < Country || l > Village {
		return ""
	}
	return levelNames[l].zh
}

// Error describes why a string is not a division code. Code is "length",
// "char" or "shape"; ZH and EN are messages for the user in Simplified
// Chinese and English.
type Error struct {
	Code string
	ZH   string
	EN   string
}

// Error returns the English message.
func (e *Error) Error() string { return e.EN }

// Chinese returns the Simplified Chinese message.
func (e *Error) Chinese() string { return e.ZH }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// ParseCode validates s and returns it in canonical form. It accepts 2
// (province), 4 (prefecture), 6, 9 (township) and 12 digits, after trimming
// white space. All zeros mean the whole country and give "000000".
//
// ParseCode checks the shape of the code only: a level below the province
// needs non-zero digits at every level above it ("340015" and "341523000001"
// are rejected). Whether the division exists is a question for a Tree. The
// error is always an *Error.
func ParseCode(s string) (Code, error) {
	s = strings.TrimSpace(s)
	for i, r := range s {
		if r < '0' || r > '9' {
			return "", &Error{
				Code: "char",
				ZH:   fmt.Sprintf("区划代码第%d位字符%q无效，只能是数字", utf8.RuneCountInString(s[:i])+1, r),
				EN:   fmt.Sprintf("division code has an invalid character %q at position %d: only digits are allowed", r, utf8.RuneCountInString(s[:i])+1),
			}
		}
	}
	switch len(s) {
	case 2, 4, 6, 9, 12:
	default:
		return "", &Error{
			Code: "length",
			ZH:   fmt.Sprintf("区划代码长度错误：应为2、4、6、9或12位数字，实为%d位", len(s)),
			EN:   fmt.Sprintf("division code has the wrong length: want 2, 4, 6, 9 or 12 digits, got %d", len(s)),
		}
	}
	c, ok := canon(Code(s))
	if !ok {
		return "", &Error{
			Code: "shape",
			ZH:   fmt.Sprintf("区划代码%s结构错误：下级代码的各上级段不能为0", s),
			EN:   fmt.Sprintf("division code %s is malformed: a lower level needs non-zero digits for every level above it", s),
		}
	}
	if c == "" {
		return "000000", nil
	}
	return c, nil
}

// canon returns c in canonical form, "" for the whole country, and false if
// c is malformed. It does not allocate when c is canonical.
func canon(c Code) (Code, bool) {
	s := string(c)
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	switch len(s) {
	case 0:
		return "", true
	case 2:
		s += "0000"
	case 4:
		s += "00"
	case 6:
	case 9:
		s += "000"
	case 12:
		if s[6:] == "000000" {
			s = s[:6]
		}
	default:
		return "", false
	}
	head := s[:6]
	switch {
	case head == "000000":
		if len(s) == 12 && s[6:] != "000000" {
			return "", false
		}
		return "", true
	case head[:2] == "00":
		return "", false
	case head[2:4] == "00" && head[4:] != "00":
		return "", false
	}
	if len(s) == 12 {
		if head[2:] == "0000" {
			return "", false // township directly under a province
		}
		if s[6:9] == "000" {
			return "", false // village without a township
		}
	}
	return Code(s), true
}

// prefix returns the significant digits of a canonical code: 0, 2, 4, 6, 9
// or 12 of them.
func prefix(c Code) string {
	s := string(c)
	switch {
	case s == "":
		return ""
	case len(s) == 12 && s[9:] == "000":
		return s[:9]
	case len(s) == 12:
		return s
	case s[2:] == "0000":
		return s[:2]
	case s[4:] == "00":
		return s[:4]
	}
	return s
}

// Level returns the level that c's digits denote, or NoLevel if c is
// malformed. A prefecture-level city without counties (东莞市 441900) is a
// Prefecture; its townships are Townships.
func (c Code) Level() Level {
	k, ok := canon(c)
	if !ok {
		return NoLevel
	}
	switch len(prefix(k)) {
	case 0:
		return Country
	case 2:
		return Province
	case 4:
		return Prefecture
	case 6:
		return County
	case 9:
		return Township
	}
	return Village
}

// Prefix returns the significant digits of c: "34" for the province 340000,
// "3415" for the prefecture 341500, "341523100" for the township
// 341523100000, "" for the whole country, and "" with ok false if c is
// malformed. Every division within c has a canonical code starting with
// Prefix, which makes it suitable for LIKE 'prefix%' queries.
func (c Code) Prefix() (p string, ok bool) {
	k, ok := canon(c)
	if !ok {
		return "", false
	}
	return prefix(k), true
}

// Contains reports whether other lies within c, judged by the digits alone:
// the province 340000 contains 341523 and 341523100200, the county 341523
// contains 341523100200, and the whole country ("" or "000000") contains
// every well-formed code. A code contains itself. Contains is false if
// either code is malformed.
func (c Code) Contains(other Code) bool {
	a, ok := canon(c)
	if !ok {
		return false
	}
	b, ok := canon(other)
	if !ok {
		return false
	}
	return strings.HasPrefix(string(b), prefix(a))
}

// Parent returns the code of the level directly above c by its digits: the
// township of a village, the county of a township, and so on; "" for a
// province and for the whole country or a malformed code. The division tree
// can skip a level (the townships of 东莞市 441900 hang from the prefecture);
// Tree.Lookup gives the parent in the tree.
func (c Code) Parent() Code {
	k, ok := canon(c)
	if !ok {
		return ""
	}
	s := string(k)
	switch len(prefix(k)) {
	case 12:
		return Code(s[:9] + "000")
	case 9:
		return Code(s[:6])
	case 6:
		return Code(s[:4] + "00")
	case 4:
		return Code(s[:2] + "0000")
	}
	return ""
}

// IsCountry reports whether c stands for the whole country.
func (c Code) IsCountry() bool {
	k, ok := canon(c)
	return ok && k == ""
}

// String returns c unchanged.
func (c Code) String() string { return string(c) }
