package ui_test

import (
	"regexp"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestUIRefusalPage shows a refusal as a page that says in words what was
// refused and why: no status number, no permission or region code.
func TestUIRefusalPage(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	c := ts.Browser().Login("village", "village1234")
	code := regexp.MustCompile(`<small>\d{3}</small>|[a-z]+\.manage|\d{12}`)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/rules", []string{"出错了", "无权访问", "您的角色（村专干）无权管理政策规则和地方项目"}},
		{"/rules?lang=en", []string{"Something went wrong", "Not allowed", "may not manage the rules and local programs"}},
		{"/persons?region=341523101001&lang=zh", []string{"无权访问", "不在您的管辖范围"}},
	} {
		c.Get(tc.path).Want(403, tc.want...)
		if m := code.FindString(c.Body[regexp.MustCompile(`<main`).FindStringIndex(c.Body)[0]:]); m != "" {
			t.Errorf("%s shows %q", tc.path, m)
		}
	}
}
