package matching

import (
	"strings"
	"unicode"
)

// InitialsChars are the characters Initials gives: the first letter of a
// pinyin reading, or a Latin letter or digit of the name, in lower case.
// A search by initials keeps these characters of what is typed alone.
const InitialsChars = "0123456789abcdefghijklmnopqrstuvwxyz"

// Initials returns the pinyin initials of a name as staff type them to
// find a person: the first letter of each character's first reading, the
// surname read as a surname, in lower case — Initials("张建国") is "zjg",
// Initials("单丽") is "sl". Latin letters and digits are kept (in lower
// case); other characters without a reading, such as the dot of a
// transcribed name, are left out. The name is normalised first
// (NormalizeName), so traditional characters and full-width letters give
// the same initials as their plain forms.
func Initials(name string) string {
	n := NormalizeName(name)
	if n == "" {
		n = name // a placeholder name is still searched by what it says
	}
	rs := []rune(n)
	sl := surnameLen(rs)
	t := pyTable()
	var b strings.Builder
	b.Grow(len(rs))
	for i, r := range rs {
		if ids := readings(r, i < sl); len(ids) > 0 {
			b.WriteByte(t.names[ids[0]][0])
			continue
		}
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
