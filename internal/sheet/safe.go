package sheet

import (
	"strings"
	"unicode/utf8"
)

// A spreadsheet program reads a CSV cell that begins with "=", "+", "-" or
// "@" as a formula, and a formula can fetch a web address, start a program
// through DDE or quietly send the sheet's other cells away. Names,
// addresses and remarks come from outside (a roster someone uploaded, a
// form a citizen filled in), so every cell a Writer puts into a CSV file
// is neutralised as the OWASP guidance on CSV injection says: a cell that
// could start a formula gets a leading apostrophe, which Excel, WPS and
// LibreOffice take as "this cell is text" and do not show. The import
// strips that apostrophe again (registry.cleanCell), so an exported roster
// reads back as it was.
//
// A column of numbers (WriterOptions.Numbers, and a Document's Money
// columns) keeps a plain decimal number as it is, so that a negative
// amount stays a number: "-12.50" is a number to every spreadsheet, not a
// formula. Anything else in such a column is neutralised like text.

// formulaStarts are the characters that make a spreadsheet read a cell as
// a formula (or, for tab and line ends, hide what follows), with the
// full-width forms a Chinese input method types.
const formulaStarts = "=+-@\t\r\n\x00＝＋－＠"

// SafeCell returns s as a CSV cell that no spreadsheet evaluates: s itself,
// or s after an apostrophe when s, or s after its leading spaces, begins
// with a character that could start a formula.
func SafeCell(s string) string {
	t := strings.TrimLeft(s, " \u3000")
	if t == "" {
		return s
	}
	if r, _ := utf8.DecodeRuneInString(t); strings.ContainsRune(formulaStarts, r) {
		return "'" + s
	}
	return s
}

// plainNumber reports whether s is a decimal number a spreadsheet reads as
// a number and nothing else: digits, an optional leading minus and an
// optional fraction ("-12.50", "960", "0.5").
func plainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) {
		return false
	}
	return !dot || frac != "" && allDigits(frac)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
