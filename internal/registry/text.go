package registry

import (
	"regexp"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// The registry's text fields, checked by textcheck wherever a person is
// written — registration, the edit form, the roster import — so that a
// field refused at the counter is refused in a file too.

// The longest text each field holds, in characters.
const (
	MaxName    = 50
	MaxEthnic  = 20
	MaxAddress = 200
	MaxNumber  = 64  // a certificate or registration number
	MaxReason  = 500 // a reason or a note
)

// checkLine checks a one-line text field (an address, an ethnic group, a
// number written on a certificate).
func checkLine(field, s string, max int) *apperr.Error {
	return textcheck.Check(field, s, textcheck.Line, max)
}

// checkPara checks a text field of several lines (a reason, a note).
func checkPara(field, s string, max int) *apperr.Error {
	return textcheck.Check(field, s, textcheck.Para, max)
}

// Phone numbers as Chinese offices write them: a mobile number (11 digits
// from 13 to 19), a landline with its area code (010, 02x or a
// three-digit code after the 0) or, within the county, without it (7 or 8
// digits), with +86 before either, and an extension after 转, 分机, ext
// or a hyphen. Spaces, hyphens and brackets between the groups are
// ignored. A field may hold up to three numbers separated by a comma, 、,
// / or ;.
var (
	phoneMobileRE   = regexp.MustCompile(`^(?:\+?86)?1[3-9][0-9]{9}$`)
	phoneLandlineRE = regexp.MustCompile(`^(?:(?:0|\+?86)(?:10|2[0-9]|[3-9][0-9]{2})[1-9][0-9]{6,7}|[2-9][0-9]{6,7})$`)
	phoneExtRE      = regexp.MustCompile(`^(.+?)\s*(?:转|分机|ext\.?|x|#|-)\s*([0-9]{1,6})$`)
	phoneSplitRE    = regexp.MustCompile(`\s*[,，、/;；]\s*`)
	phoneStrip      = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", "（", "", "）", "", "\u3000", "", "－", "")
)

// MaxPhones is the most numbers a phone field holds.
const MaxPhones = 3

// CheckPhone checks a phone field: empty, or up to MaxPhones Chinese
// mobile or landline numbers.
func CheckPhone(field, s string) *apperr.Error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	bad := apperr.Invalidf(field, "电话号码“%s”无效：应为手机号（11位）或固定电话（区号-号码，可加分机）", "phone number %q is not valid: want a mobile (11 digits) or a landline (area code and number, with an extension if any)", s)
	if e := checkLine(field, s, 100); e != nil {
		return e
	}
	numbers := phoneSplitRE.Split(s, -1)
	if len(numbers) > MaxPhones {
		return apperr.Invalidf(field, "电话号码最多 %d 个", "at most %d phone numbers", MaxPhones)
	}
	for _, n := range numbers {
		if !phoneNumber(n) {
			return bad
		}
	}
	return nil
}

// phoneNumber reports whether s is one mobile or landline number.
func phoneNumber(s string) bool {
	if plain := phoneStrip.Replace(s); phoneMobileRE.MatchString(plain) || phoneLandlineRE.MatchString(plain) {
		return true
	}
	if m := phoneExtRE.FindStringSubmatch(s); m != nil {
		return phoneLandlineRE.MatchString(phoneStrip.Replace(m[1]))
	}
	return false
}
