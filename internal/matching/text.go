package matching

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./gen -src /usr/share/unicode/Unihan_Variants.txt.bz2 -out tsdata.go

// tsTable maps a traditional character to its simplified form (from the
// Unihan database, see gen), built on first use.
var (
	tsOnce  sync.Once
	tsTable map[rune]rune
)

func simplifiedOf(r rune) (rune, bool) {
	tsOnce.Do(func() {
		tsTable = make(map[rune]rune, 2800)
		rs := []rune(tsPairs)
		for i := 0; i+1 < len(rs); i += 2 {
			tsTable[rs[i]] = rs[i+1]
		}
	})
	s, ok := tsTable[r]
	return s, ok
}

// ToSimplified converts the traditional characters of s to simplified
// ones, character by character. Characters that are also simplified
// characters in their own right (乾, 於 …) are kept.
func ToSimplified(s string) string {
	var b strings.Builder
	changed := false
	for _, r := range s {
		if t, ok := simplifiedOf(r); ok {
			r = t
			changed = true
		}
		b.WriteRune(r)
	}
	if !changed {
		return s
	}
	return b.String()
}

// nameVariants folds characters that the same person's name is written
// with in different systems: old variant forms (异体字), characters that
// older systems could not type and replaced with a common one (喆 → 哲,
// 堃 → 坤, 镕 → 熔), and the forms GB 2312 lacked. Both sides of a
// comparison are folded, so the choice of the target does not matter.
var nameVariants = map[rune]rune{
	'喆': '哲', '堃': '坤', '昇': '升', '峯': '峰', '羣': '群', '镕': '熔', '鎔': '熔',
	'淸': '清', '囯': '国', '煕': '熙', '凃': '涂', '邨': '村', '綫': '线', '菓': '果',
	'裏': '里', '竪': '竖', '玨': '珏', '甯': '宁', '闫': '阎', '閆': '阎', '歺': '歹',
	'迺': '乃', '廼': '乃', '犇': '奔', '勣': '绩', '喦': '岩', '巖': '岩', '嵒': '岩',
	'晧': '皓', '暠': '皓', '皜': '皓', '珎': '珍', '啓': '启', '啟': '启', '敎': '教',
	'栢': '柏', '桺': '柳', '彊': '强', '強': '强', '秊': '年', '晳': '皙', '冨': '富',
	'姫': '姬', '嫺': '娴', '兪': '俞', '隽': '俊', '雋': '俊',
}

// foldVariant returns the form of r that names are compared in.
func foldVariant(r rune) rune {
	if v, ok := nameVariants[r]; ok {
		return v
	}
	return r
}

// foldWidth turns full-width ASCII (Ａ, ０, ＠ …) into ASCII and the
// ideographic space into a space.
func foldWidth(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFF01 + '!'
	case r == 0x3000:
		return ' '
	}
	return r
}

// isSpaceLike reports white space and the invisible characters that
// copying from web pages and spreadsheets leaves in cells.
func isSpaceLike(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '\u3000', '\ufeff', '\u00a0', '\u200b', '\u200c', '\u200d', '\u2060':
		return true
	}
	return unicode.IsSpace(r)
}

// cleanCell trims white space (also ideographic and non-breaking spaces
// and a byte-order mark) and the marks spreadsheets add to keep digits as
// text: a leading apostrophe or ="…". It also removes control
// characters, which no cell should hold.
func cleanCell(s string) string {
	s = strings.TrimFunc(s, isSpaceLike)
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		s = s[2 : len(s)-1]
	}
	s = strings.TrimPrefix(s, "'")
	s = strings.TrimFunc(s, isSpaceLike)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) >= 0 {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == utf8.RuneError {
				return -1
			}
			return r
		}, s)
	}
	return s
}

// narrow returns s with full-width ASCII folded to ASCII.
func narrow(s string) string {
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 {
			return strings.Map(foldWidth, s)
		}
	}
	return s
}

// middleDots are the characters written between the parts of a name in
// the Latin order of some ethnic groups' names (买买提·艾力).
const middleDots = "·•・‧∙⋅●．.｡"

// NormalizeName returns the form in which names are compared: full-width
// letters folded, spaces removed, traditional characters simplified,
// variant characters folded (see nameVariants), the dots between the
// parts of a transcribed name unified to "·", and Latin letters in upper
// case. It returns "" for a name that says the person has none yet, such
// as 李秀英之子 or 男婴 (see IsPlaceholderName).
func NormalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	lastDot := true // no dot at the start
	for _, r := range s {
		r = foldWidth(r)
		switch {
		case isSpaceLike(r) || unicode.IsControl(r) || r == utf8.RuneError:
			continue
		case strings.ContainsRune(middleDots, r):
			if !lastDot {
				b.WriteRune('·')
				lastDot = true
			}
			continue
		case r == '(' || r == ')' || r == '（' || r == '）' || r == '*' || r == '"' || r == '\'' || r == ',' || r == '，':
			continue
		}
		if t, ok := simplifiedOf(r); ok {
			r = t
		}
		r = foldVariant(unicode.ToUpper(r))
		b.WriteRune(r)
		lastDot = false
	}
	n := strings.TrimSuffix(b.String(), "·")
	if IsPlaceholderName(n) {
		return ""
	}
	return n
}

// placeholderParts are what hospitals and clinics write in the name of a
// child who has no name yet.
var placeholderParts = []string{"之子", "之女", "男婴", "女婴", "婴儿", "新生儿", "未取名", "未起名", "无名", "宝宝", "不详", "待定", "之一子", "之长子", "之次子", "之长女", "之次女"}

// IsPlaceholderName reports whether a (normalised) name says that the
// person has no name yet (李秀英之子, 男婴, 无名氏) or is unknown (不详).
func IsPlaceholderName(n string) bool {
	if n == "" {
		return true
	}
	for _, p := range placeholderParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	switch n {
	case "无", "-", "--", "/", "?", "？", "NULL", "NONE", "NA", "N/A", "婴", "子", "女":
		return true
	}
	return false
}

// compoundSurnames are two-character surnames; a name beginning with one
// has a surname of two characters.
var compoundSurnames = map[string]bool{
	"欧阳": true, "司马": true, "诸葛": true, "上官": true, "东方": true, "皇甫": true, "令狐": true,
	"尉迟": true, "公孙": true, "慕容": true, "长孙": true, "宇文": true, "司徒": true, "夏侯": true,
	"轩辕": true, "端木": true, "独孤": true, "南宫": true, "西门": true, "澹台": true, "万俟": true,
	"呼延": true, "申屠": true, "闻人": true, "赫连": true, "钟离": true, "宗政": true, "濮阳": true,
}

// surnameLen returns the number of characters of the surname of the
// normalised name n: 2 for a compound surname, else 1 (0 for "").
func surnameLen(n []rune) int {
	switch {
	case len(n) == 0:
		return 0
	case len(n) >= 3 && compoundSurnames[string(n[:2])]:
		return 2
	}
	return 1
}
