package auth_test

import (
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
)

func TestCheckNewPassword(t *testing.T) {
	tests := []struct {
		user, pw string
		want     string // part of the English message; "" to accept
	}{
		{"wang", "password1", "common"},
		{"wang", "Password2024!", "common word \"password\""},
		{"wang", "p@ssw0rd", "most common"},
		{"wang", "passw0rd", "most common"},
		{"wang", "admin2024", "common word \"admin\""},
		{"wang", "2024admin", "common word \"admin\""},
		{"wang", "qwerty123", "common"},
		{"wang", "iloveyou1", "common"},
		{"wang", "woaini1314", "most common"},
		{"wang", "abc123456", "common"},
		{"wang", "1qaz2wsx", "most common"},
		{"wang", "village2024", "common word \"village\""},
		{"wang", "wang12345", "username"},
		{"wang", "WANG2024!", "username"},
		{"wang", "2024wang", "username"},
		{"zhangsan", "zhangsan_88", "username"},
		{"wang", "short1", "at least 8"},
		{"wang", "onlyletters", "letters and digits"},
		{"wang", "maple84river", ""},
		{"wang", "Kx9-ledger-Tide", ""},
		{"li", "li12345678", ""}, // a two-letter username is in too many words to refuse
		{"county", "harbor7lantern", ""},
	}
	for _, tt := range tests {
		err := auth.CheckNewPassword(tt.user, tt.pw)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckNewPassword(%q, %q) = %v, want nil", tt.user, tt.pw, err)
		case tt.want != "" && err == nil:
			t.Errorf("CheckNewPassword(%q, %q) = nil, want an error with %q", tt.user, tt.pw, tt.want)
		case err != nil:
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Invalid || e.Field != "password" || e.ZH == "" || !strings.Contains(e.EN, tt.want) {
				t.Errorf("CheckNewPassword(%q, %q) = %#v, want Invalid on password with %q", tt.user, tt.pw, err, tt.want)
			}
		}
	}
}

func TestCommonPasswords(t *testing.T) {
	for _, p := range []string{"123456", "password", "qwerty", "PASSWORD", "dragon", "iloveyou", "woaini1314", "5201314", "jiahe"} {
		if !auth.IsCommonPassword(p) {
			t.Errorf("%q is not on the list", p)
		}
	}
	if auth.IsCommonPassword("maple84river") {
		t.Error("maple84river is on the list")
	}
	if auth.CommonPasswords < 10000 {
		t.Errorf("the list holds %d passwords", auth.CommonPasswords)
	}
}
