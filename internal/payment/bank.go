package payment

import (
	"strings"
	"time"
	"unicode"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// Bank is a bank that pays benefits in rural counties through the
// 惠农补贴"一卡通". Code is the bank's class code in the national payment
// system (CNAPS 行别代码).
type Bank struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Short string `json:"short"`
	EN    string `json:"en"`
}

// Banks are the banks an account may be held at. Their debit cards are
// UnionPay cards of 16 to 19 digits whose last digit is a Luhn check
// digit; passbook (存折) account numbers have no check digit and their
// length differs from province to province, so only their digits and a
// plausible length are checked.
var Banks = []Bank{
	{"103", "中国农业银行", "农业银行", "Agricultural Bank of China"},
	{"402", "农村信用合作社", "农村信用社", "Rural credit cooperative"},
	{"314", "农村商业银行", "农商银行", "Rural commercial bank"},
	{"403", "中国邮政储蓄银行", "邮储银行", "Postal Savings Bank of China"},
	{"105", "中国建设银行", "建设银行", "China Construction Bank"},
	{"102", "中国工商银行", "工商银行", "Industrial and Commercial Bank of China"},
	{"104", "中国银行", "中国银行", "Bank of China"},
}

// BankByCode returns the bank with the code.
func BankByCode(code string) (Bank, bool) {
	for _, b := range Banks {
		if b.Code == code {
			return b, true
		}
	}
	return Bank{}, false
}

// BankAccount kinds.
const (
	Card     = "card"     // 银行卡 (UnionPay debit card)
	Passbook = "passbook" // 存折 (一折通)
)

// BankAccount is the payment account of one person.
type Account struct {
	County    string    `json:"county"`
	PersonID  int64     `json:"person_id"`
	Bank      string    `json:"bank"`
	Kind      string    `json:"kind"`
	Number    string    `json:"account_no"`
	Holder    string    `json:"holder"`
	Version   int       `json:"version"`
	UpdatedBy int64     `json:"updated_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AccountInput is what a finance officer enters for an account.
type AccountInput struct {
	Bank    string `json:"bank"`
	Kind    string `json:"kind"` // card (default) or passbook
	Number  string `json:"account_no"`
	Holder  string `json:"holder"`
	Version int    `json:"version"` // the version read; 0 for a new account
}

// Luhn reports whether the digit string s ends in a valid Luhn (ISO/IEC
// 7812) check digit.
func Luhn(s string) bool {
	if len(s) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// normalizeNumber removes the spaces and hyphens people type in account
// numbers.
func normalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// NormalizeName makes two spellings of a name comparable: it drops white
// space (including the ideographic space) and unifies the middle dots of
// minority names.
func NormalizeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '•' || r == '・' || r == '．' || r == '.' || r == '‧':
			return '·'
		}
		return r
	}, s)
}

// Validate checks in against the bank table and the person's name and
// returns the account fields in canonical form. All problems are reported
// at once.
func (in AccountInput) Validate(personName string) (bank, kind, number, holder string, err error) {
	var errs apperr.List
	b, ok := BankByCode(in.Bank)
	if !ok {
		errs = append(errs, apperr.Invalidf("bank", "未知的银行代码 %q", "unknown bank code %q", in.Bank))
	}
	kind = in.Kind
	if kind == "" {
		kind = Card
	}
	number = normalizeNumber(in.Number)
	digits := number != "" && strings.Trim(number, "0123456789") == ""
	switch {
	case kind != Card && kind != Passbook:
		errs = append(errs, apperr.Invalidf("kind", "请选择账户类型：银行卡或存折", "kind must be card or passbook"))
	case !digits:
		errs = append(errs, apperr.Invalidf("account_no", "账号只能由数字组成", "the account number must be digits only"))
	case kind == Card && (len(number) < 16 || len(number) > 19):
		errs = append(errs, apperr.Invalidf("account_no", "银行卡号应为 16 至 19 位，实为 %d 位", "a card number has 16 to 19 digits, not %d", len(number)))
	case kind == Card && !Luhn(number):
		errs = append(errs, &apperr.Error{Kind: apperr.Invalid, Field: "account_no",
			ZH: "卡号校验位错误，请核对", EN: "the card number fails its check digit (Luhn)"})
	case kind == Passbook && (len(number) < 8 || len(number) > 25):
		errs = append(errs, apperr.Invalidf("account_no", "存折账号应为 8 至 25 位，实为 %d 位", "a passbook account has 8 to 25 digits, not %d", len(number)))
	}
	holder = strings.TrimSpace(in.Holder)
	switch {
	case holder == "":
		errs = append(errs, apperr.Invalidf("holder", "缺少户名", "the account holder is missing"))
	case NormalizeName(holder) != NormalizeName(personName):
		errs = append(errs, apperr.Invalidf("holder", "户名“%s”与扶助对象姓名“%s”不一致", "holder %q does not match the person's name %q", holder, personName))
	}
	return b.Code, kind, number, holder, errs.Err()
}

// MaskAccount shows the first four and last four digits of an account
// number, as a letter prints it.
func MaskAccount(n string) string {
	if len(n) <= 8 {
		return strings.Repeat("*", len(n))
	}
	return n[:4] + strings.Repeat("*", len(n)-8) + n[len(n)-4:]
}
