// Package textcheck is the one check of the text people type into Jiahe:
// the names and text fields of the registry, the forms of the
// qualification procedure and the names of users. A name printed on a
// notice, a bank file or an export must look like what is stored, and
// must not carry characters that hide, reorder or split what is shown:
// control characters (NUL, line breaks where a field is one line), the
// bidirectional overrides that turn "张三 123" into "张三 321" on screen,
// and invisible characters — a name made only of zero-width spaces looks
// empty and matches nothing. U+FFFD, the replacement character, is
// refused too: it stands for characters lost by an earlier conversion.
//
// It sits below the domain packages (auth, registry and workflow all use
// it), and depends on nothing but apperr.
package textcheck

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// Kind says what a field holds, and so which characters it takes.
type Kind int

const (
	// Name is a person's or a user's name: one line, no invisible or
	// formatting character at all.
	Name Kind = iota
	// Line is one line of text: an address, a place, a certificate
	// number, an ethnic group. Formatting characters are refused.
	Line
	// Para is text of several lines: a note, a reason, an opinion. Line
	// breaks and tabs are allowed, and formatting characters other than
	// the direction controls (an emoji's zero-width joiner).
	Para
)

// Check returns nil when s may be stored in a field of kind k holding at
// most max characters (no bound when max is 0), and otherwise an Invalid
// error on field saying, in Chinese and English, what is wrong. An empty
// s passes: whether a field is required is the caller's rule. Callers
// trim s first where they store it trimmed.
func Check(field, s string, k Kind, max int) *apperr.Error {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		return apperr.Invalidf(field, "含有无效的字符编码（不是 UTF-8）", "holds bytes that are not valid UTF-8")
	}
	visible := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return apperr.Invalidf(field, "含有替换字符“\uFFFD”：原有的字符已在转换中丢失，请重新输入",
				"holds the replacement character U+FFFD: the characters were lost in a conversion; type them again")
		case isBidiControl(r):
			return apperr.Invalidf(field, "含有改变文字显示方向的控制字符（%s）", "holds a character that changes the direction of text (%s)", code(r))
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			if k != Para {
				return apperr.Invalidf(field, "不能换行", "must be a single line")
			}
		case r == '\t' && k == Para:
		case unicode.IsControl(r):
			return apperr.Invalidf(field, "含有控制字符（%s）", "holds a control character (%s)", code(r))
		case isNoncharacter(r):
			return apperr.Invalidf(field, "含有非字符码位（%s）", "holds a noncharacter (%s)", code(r))
		case unicode.Is(unicode.Cf, r) || isInvisible(r):
			if k != Para {
				return apperr.Invalidf(field, "含有不可见字符（%s）", "holds an invisible character (%s)", code(r))
			}
		case unicode.IsSpace(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			// white space and combining marks show nothing by themselves
		default:
			visible = true
		}
	}
	if !visible {
		return apperr.Invalidf(field, "只有空白或不可见字符", "holds only white space or invisible characters")
	}
	if n := utf8.RuneCountInString(s); max > 0 && n > max {
		return apperr.Invalidf(field, "过长（最多 %d 个字，实为 %d 个）", "is too long (at most %d characters, got %d)", max, n)
	}
	return nil
}

// code writes a character's code point, as U+202E.
func code(r rune) string { return fmt.Sprintf("U+%04X", r) }

// isBidiControl reports the characters that change the direction of
// text: the embeddings and overrides (U+202A–U+202E), the isolates
// (U+2066–U+2069) and the invisible marks (U+200E, U+200F, U+061C).
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// isInvisible reports characters that are not format characters (Cf) yet
// show nothing: the Hangul fillers, the braille blank and the combining
// grapheme joiner.
func isInvisible(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800, 0x034F, 0x180E:
		return true
	}
	return false
}

// isNoncharacter reports the code points Unicode reserves never to be
// characters.
func isNoncharacter(r rune) bool {
	return r >= 0xFDD0 && r <= 0xFDEF || r&0xFFFE == 0xFFFE
}
