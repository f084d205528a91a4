package auth

import (
	"strings"
	"sync"
	"unicode"

	"github.com/trustelem/zxcvbn/frequency"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// The password policy for a password a person chooses: CheckPassword's
// form (at least MinPasswordLen characters with a letter and a digit),
// and not a password guessers try first. The list of common passwords is
// compiled into the binary: the CommonPasswords most frequent ones of the
// list zxcvbn ships (drawn from leaked password sets), with the pinyin and
// digit passwords most common in China and the names of this system.

// CommonPasswords is how many of zxcvbn's list, most frequent first, the
// policy refuses.
const CommonPasswords = 10_000

// chinaPasswords are passwords and words common in China, or that name
// this system or a role, that the list above lacks.
var chinaPasswords = []string{
	"woaini", "woaini1314", "aini", "aini1314", "5201314", "1314520", "520520", "woaiwojia", "woaiwoma",
	"qq", "qq123456", "qwe", "asd", "zxc", "abc", "qaz", "wsx", "iloveyou", "dearbook", "xiazhili",
	"admin", "administrator", "root", "user", "test", "guest", "demo", "welcome", "changeme", "default",
	"jiahe", "jiahe123", "weijian", "weijianwei", "jisheng", "jishengban", "caizheng", "minzheng",
	"village", "township", "county", "finance", "supervisor", "city", "province", "citizen",
	"zhangwei", "wangwei", "liwei", "wangfang", "lina", "zhangmin", "huawei", "baidu", "taobao", "weixin", "wechat",
}

// common is the set of refused passwords, built on first use.
var common = sync.OnceValue(func() map[string]bool {
	list := frequency.FrequencyLists["passwords"]
	m := make(map[string]bool, CommonPasswords+len(chinaPasswords))
	for _, p := range list[:min(CommonPasswords, len(list))] {
		m[p] = true
	}
	for _, p := range chinaPasswords {
		m[p] = true
	}
	return m
})

// IsCommonPassword reports whether p, in lower case, is on the list of
// common passwords.
func IsCommonPassword(p string) bool { return common()[strings.ToLower(p)] }

// unleet undoes the digits and signs people type for letters: p@ssw0rd is
// password.
var unleet = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t", "+", "t")

// CheckNewPassword enforces the password policy on a password chosen for
// the account username: CheckPassword's rules, and none of
//
//   - a common password (IsCommonPassword), also written with digits or
//     signs for letters (p@ssw0rd);
//   - a common password or word with digits or signs before or after it
//     (password1, admin2024, qwerty123!);
//   - a password that holds the username (wang → wang12345, 2024wang).
//
// The error is an Invalid apperr naming the field "password".
func CheckNewPassword(username, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	lower := strings.ToLower(password)
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	set := common()
	for _, p := range []string{lower, unleet.Replace(lower)} {
		if set[p] {
			return apperr.Invalidf("password", "这是最常用的密码之一，很容易被猜中：请换一个", "this is one of the most common passwords and easily guessed: choose another")
		}
		if core := strings.TrimFunc(p, notLetter); len(core) >= 3 && set[core] {
			return apperr.Invalidf("password", "密码是常用单词“%s”加数字或符号，很容易被猜中：请换一个",
				"the password is the common word %q with digits or signs around it, easily guessed: choose another", core)
		}
	}
	if u := strings.ToLower(strings.TrimSpace(username)); len(u) >= 3 && strings.Contains(lower, u) {
		return apperr.Invalidf("password", "密码不能包含用户名", "the password must not contain the username")
	}
	return nil
}
