package auth_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
)

func TestValidateName(t *testing.T) {
	for s, ok := range map[string]bool{
		"县卫健委（演示）": true, "阿依古丽·买买提": true, "Li Wei": true,
		"": false, "张\x00三": false, "张\n三": false, "管理员\u202e": false, "\u200b": false, "\u3164": false,
	} {
		err := auth.ValidateName(s)
		if (err == nil) != ok || err != nil && (apperr.KindOf(err) != apperr.Invalid || err.(*apperr.Error).Field != "name") {
			t.Errorf("ValidateName(%q) = %v, want ok %v", s, err, ok)
		}
	}
}
