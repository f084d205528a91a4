// Package idcard parses and builds citizen ID numbers (公民身份号码) as defined
// by GB 11643-1999.
//
// An ID number has 18 characters: a six-digit address code (the GB/T 2260
// county code of the first registration), the birth date as YYYYMMDD, a
// three-digit sequence code whose last digit is odd for men and even for
// women, and a check character computed with ISO 7064 MOD 11-2.
//
// The address code is the place of first registration. It need not be the
// current hukou division and must never be used to infer residence.
package idcard

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Number is an 18-character citizen ID number with an upper-case check
// character. Values obtained from Parse and Convert15 are valid; Make checks
// only the shape of its arguments. The methods of a malformed Number (one
// converted from an arbitrary string) return zero values instead of
// panicking.
type Number string

// MinBirthYear is the earliest birth year Parse accepts.
const MinBirthYear = 1850

// weights are the ISO 7064 MOD 11-2 weights of positions 1–17.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps the weighted sum modulo 11 to the check character.
const checkChars = "10X98765432"

// provinces holds the two-digit province prefixes of GB/T 2260, including
// 71 Taiwan, 81 Hong Kong and 82 Macao.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true,
}

// Error codes carried by *Error.
const (
	CodeLength  = "length"  // neither 18 nor 15 characters
	CodeChar    = "char"    // a character that is not a digit (or X in position 18)
	CodeCheck   = "check"   // the check character does not match
	CodeDate    = "date"    // the birth date is not a real date or is before MinBirthYear
	CodeAddress = "address" // the address code does not start with a province prefix
)

// Error describes why a string is not a valid ID number. Code is one of the
// Code… constants; ZH and EN are messages for the user in Simplified Chinese
// and English. The messages never contain the full ID number.
type Error struct {
	Code string
	ZH   string
	EN   string
}

// Error returns the English message.
func (e *Error) Error() string { return e.EN }

// Chinese returns the Simplified Chinese message.
func (e *Error) Chinese() string { return e.ZH }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &idcard.Error{Code: idcard.CodeCheck}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

func newError(code, zh, en string) *Error {
	return &Error{Code: code, ZH: zh, EN: en}
}

// Parse validates s as an ID number and returns it in canonical form.
//
// Leading and trailing white space is removed. An 18-character number may end
// in an upper- or lower-case X. A legacy 15-digit number is converted with
// Convert15. Parse checks the characters, the address code (six digits
// starting with a real province prefix), the birth date (a real calendar date
// in or after MinBirthYear) and the check character. Parse does not compare
// the birth date with the current date; callers that must reject future
// births compare Birth with their own clock.
//
// The error is always an *Error.
func Parse(s string) (Number, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n != 15 && n != 18 {
		return "", newError(CodeLength,
			fmt.Sprintf("身份证号长度错误：应为18位或15位，实为%d位", n),
			fmt.Sprintf("ID number has the wrong length: want 18 or 15 characters, got %d", n))
	}
	if err := asciiOnly(s); err != nil {
		return "", err
	}
	if n == 15 {
		return Convert15(s)
	}
	for i := 0; i < 17; i++ {
		if !isDigit(s[i]) {
			return "", charError(s, i)
		}
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	if !isDigit(last) && last != 'X' {
		return "", charError(s, 17)
	}
	if err := validateBody(s[:17]); err != nil {
		return "", err
	}
	if want := CheckChar(s[:17]); want != last {
		return "", newError(CodeCheck,
			"身份证号校验位错误，请核对号码是否抄错",
			"ID number check character is wrong: check the number for a mistyped digit")
	}
	return Number(s[:17] + string(last)), nil
}

// Convert15 converts a legacy 15-digit ID number to 18 characters by
// inserting the century "19" after the address code and appending the check
// character. The error is always an *Error.
func Convert15(s string) (Number, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n != 15 {
		return "", newError(CodeLength,
			fmt.Sprintf("15位身份证号长度错误：应为15位，实为%d位", n),
			fmt.Sprintf("legacy ID number has the wrong length: want 15 digits, got %d", n))
	}
	if err := asciiOnly(s); err != nil {
		return "", err
	}
	for i := 0; i < 15; i++ {
		if !isDigit(s[i]) {
			return "", charError(s, i)
		}
	}
	body := s[:6] + "19" + s[6:]
	if err := validateBody(body); err != nil {
		return "", err
	}
	return Number(body + string(CheckChar(body))), nil
}

// CheckChar returns the check character ('0'–'9' or 'X') for the first 17
// characters of an ID number. It panics if first17 is not 17 ASCII digits.
func CheckChar(first17 string) byte {
	if len(first17) != 17 {
		panic("idcard: CheckChar needs 17 digits, got " + strconv.Itoa(len(first17)))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if !isDigit(c) {
			panic("idcard: CheckChar needs 17 digits")
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11]
}

// Make builds the ID number with the given six-digit address code, birth date
// (taken in birth's location) and three-digit sequence code seq (0–999). The
// sex digit is the last digit of seq: choosing an odd or even seq is the
// caller's business. Make is meant for synthetic data and tests; it panics
// if address is not six digits or seq is out of range.
func Make(address string, birth time.Time, seq int) Number {
	if len(address) != 6 || !allDigits(address) {
		panic("idcard: Make needs a six-digit address code")
	}
	if seq < 0 || seq > 999 {
		panic("idcard: Make needs a sequence code in 0..999, got " + strconv.Itoa(seq))
	}
	y, m, d := birth.Date()
	if y < 0 || y > 9999 {
		panic("idcard: Make needs a four-digit birth year")
	}
	body := fmt.Sprintf("%s%04d%02d%02d%03d", address, y, int(m), d, seq)
	return Number(body + string(CheckChar(body)))
}

// Birth returns the birth date encoded in n. It returns zeros if n is
// malformed.
func (n Number) Birth() (year int, month time.Month, day int) {
	if len(n) != 18 || !allDigits(string(n[6:14])) {
		return 0, 0, 0
	}
	y, _ := strconv.Atoi(string(n[6:10]))
	m, _ := strconv.Atoi(string(n[10:12]))
	d, _ := strconv.Atoi(string(n[12:14]))
	return y, time.Month(m), d
}

// Sex returns "M" if the sequence code is odd and "F" if it is even, or ""
// if n is malformed.
func (n Number) Sex() string {
	if len(n) != 18 || !isDigit(n[16]) {
		return ""
	}
	if (n[16]-'0')%2 == 1 {
		return "M"
	}
	return "F"
}

// Address returns the six-digit address code, the GB/T 2260 county code of
// the place of first registration, or "" if n is malformed.
func (n Number) Address() string {
	if len(n) != 18 {
		return ""
	}
	return string(n[:6])
}

// Masked returns n with the birth date and sequence code hidden, keeping the
// first six and the last four characters, for example
// "341523********0127". It is the form used in lists and public notices. A
// malformed n is masked entirely.
func (n Number) Masked() string {
	if len(n) != 18 {
		return strings.Repeat("*", len(n))
	}
	return string(n[:6]) + "********" + string(n[14:])
}

// String returns n unchanged.
func (n Number) String() string { return string(n) }

// validateBody checks the address code and the birth date of the first 17
// characters of an ID number, which are known to be digits.
func validateBody(body string) error {
	if !provinces[body[:2]] {
		return newError(CodeAddress,
			fmt.Sprintf("身份证号地址码错误：前两位%s不是有效的省级代码", body[:2]),
			fmt.Sprintf("ID number address code is wrong: %s is not a province code", body[:2]))
	}
	date := body[6:14]
	y, _ := strconv.Atoi(date[:4])
	m, _ := strconv.Atoi(date[4:6])
	d, _ := strconv.Atoi(date[6:8])
	if y < MinBirthYear {
		return newError(CodeDate,
			fmt.Sprintf("身份证号出生日期错误：年份%d早于%d年", y, MinBirthYear),
			fmt.Sprintf("ID number birth date is wrong: year %d is before %d", y, MinBirthYear))
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) {
		return newError(CodeDate,
			fmt.Sprintf("身份证号出生日期错误：%s不是有效日期", date),
			fmt.Sprintf("ID number birth date is wrong: %s is not a real date", date))
	}
	return nil
}

// asciiOnly reports the first non-ASCII character of s (for example a
// full-width digit) as a CodeChar error.
func asciiOnly(s string) error {
	for i, r := range s {
		if r >= utf8.RuneSelf {
			return charError(s, i)
		}
	}
	return nil
}

func charError(s string, i int) *Error {
	// Report the rune at byte offset i so that multi-byte input is shown
	// whole; the position is counted in characters.
	pos := utf8.RuneCountInString(s[:i]) + 1
	r, _ := utf8.DecodeRuneInString(s[i:])
	return newError(CodeChar,
		fmt.Sprintf("身份证号第%d位字符%q无效", pos, r),
		fmt.Sprintf("ID number has an invalid character %q at position %d", r, pos))
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
