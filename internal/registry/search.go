package registry

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/idcard"
)

// Finding a person in a list. Every list of persons — the person search,
// the roll, the worklist of cases — has one search box, and what staff
// type into it says how to search:
//
//   - Chinese characters: the beginning of the name (张建 finds 张建国);
//   - Latin letters: the beginning of the pinyin initials of the name
//     (zjg finds 张建国; the surname read as a surname);
//   - four to six digits (the last may be X): the end of the ID number, as
//     printed on a letter or read over the telephone;
//   - a whole ID number (18 characters, or the old 15 digits).

// WhoKind is the kind of a search for a person.
type WhoKind int

// The kinds of search.
const (
	WhoAny      WhoKind = iota // nothing typed: every person
	WhoName                    // Text is the beginning of the name
	WhoInitials                // Text is the beginning of the pinyin initials, in lower case
	WhoIDSuffix                // Text is the last 4 to 6 characters of the ID number, in upper case
	WhoIDNumber                // Text is a whole ID number in canonical form
)

// Who is a parsed search for a person.
type Who struct {
	Kind WhoKind
	Text string
}

// MaxInitials bounds a search by initials: a name has at most this many
// characters (MaxName).
const MaxInitials = MaxName

// ParseWho reads what was typed into a search box (field names the box in
// an error). Blanks around and inside are ignored.
func ParseWho(field, s string) (Who, error) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return Who{}, nil
	}
	switch digits, letters := idLike(s), asciiLetters(s); {
	case digits && len(s) >= 4 && len(s) <= 6:
		return Who{Kind: WhoIDSuffix, Text: strings.ToUpper(s)}, nil
	case digits && (len(s) == 15 || len(s) == 18):
		n, err := idcard.Parse(s)
		if err != nil {
			e := err.(*idcard.Error)
			return Who{}, &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: e.ZH, EN: e.EN}
		}
		return Who{Kind: WhoIDNumber, Text: string(n)}, nil
	case digits:
		return Who{}, apperr.Invalidf(field, "按身份证号查找，请输入末尾4至6位或完整的18位号码，实为%d位",
			"to search by ID number, give its last 4 to 6 characters or all 18; got %d", len(s))
	case letters:
		if len(s) > MaxInitials {
			return Who{}, apperr.Invalidf(field, "拼音首字母最多%d个", "at most %d pinyin initials", MaxInitials)
		}
		return Who{Kind: WhoInitials, Text: strings.ToLower(s)}, nil
	}
	if n := utf8.RuneCountInString(s); n > MaxName {
		return Who{}, apperr.Invalidf(field, "姓名最多%d个字，实为%d个", "a name has at most %d characters; got %d", MaxName, n)
	}
	return Who{Kind: WhoName, Text: s}, nil
}

// idLike reports whether s is digits, the last of which may be an X.
func idLike(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || i == len(s)-1 && i > 0 && (c == 'X' || c == 'x')) {
			return false
		}
	}
	return true
}

// asciiLetters reports whether s is Latin letters only.
func asciiLetters(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
