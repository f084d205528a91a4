// Package term gives Jiahe's coded words one shape: a code, as stored and
// sent over the API ("active", "died", "central"), with its names in
// Chinese and English. Each list is declared once, in order, in the
// package that owns the words — the roll's statuses in roll, the funding
// levels and the programs in policy, the line statuses in payment — and
// every page, export and message reads it from there.
package term

// Term is one coded word with its names.
type Term struct {
	Code string
	ZH   string
	EN   string
}

// Name returns the term's name in lang ("en" for English, Chinese
// otherwise); the Chinese name when it has no English one.
func (t Term) Name(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// List is an ordered list of terms: the order forms, filters and reports
// follow.
type List []Term

// Find returns the term of code.
func (l List) Find(code string) (Term, bool) {
	if i := l.Index(code); i >= 0 {
		return l[i], true
	}
	return Term{}, false
}

// Index returns the position of code in the list, or -1.
func (l List) Index(code string) int {
	for i, t := range l {
		if t.Code == code {
			return i
		}
	}
	return -1
}

// Has reports whether code is one of the list's codes.
func (l List) Has(code string) bool {
	_, ok := l.Find(code)
	return ok
}

// Name returns the name of code in lang ("en" or Chinese), or the code
// itself when the list does not know it.
func (l List) Name(code, lang string) string {
	if t, ok := l.Find(code); ok {
		return t.Name(lang)
	}
	return code
}

// Chinese returns the Chinese name of code, or the code itself.
func (l List) Chinese(code string) string { return l.Name(code, "zh") }

// Codes returns the codes in order.
func (l List) Codes() []string { return Codes[string](l) }

// Codes returns the codes of l in order, as values of a string type of
// the owning package (a typed status, say).
func Codes[T ~string](l List) []T {
	out := make([]T, len(l))
	for i, t := range l {
		out[i] = T(t.Code)
	}
	return out
}
