package policy

import (
	"fmt"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
)

// PlainClause states a clause of program p as a condition, in the plain
// words of a policy leaflet (政策明白纸), or returns false when its text
// cannot be said without a person's facts. The clause's text is written
// to explain a decision ({fact} values, {?holds|fails} alternatives,
// {P.param} values): the leaflet takes the alternative that holds, writes
// parameters as values (dates the Chinese way), and leaves facts out;
// where the text ends in a conclusion after "：", that conclusion is the
// condition. The age clause is stated from its minimum age.
func PlainClause(c ClauseDef, p ProgramInForce) (string, bool) {
	if c.Drop || strings.TrimSpace(c.Text) == "" {
		return "", false
	}
	params := map[string]any{}
	for _, x := range p.Params {
		params[x.Name] = x.Value
	}
	t := c.Text
	if strings.Contains(t, "{P.min_age}") {
		min, err := paramInt(params["min_age"])
		if err != nil {
			return "", false
		}
		if strings.Contains(t, "女方") {
			return fmt.Sprintf("女方（单亲家庭为本人）年满 %d 周岁", min), true
		}
		return fmt.Sprintf("本人年满 %d 周岁（按当年年底计算）", min), true
	}
	if i := strings.LastIndex(t, "："); i >= 0 {
		t = t[i+len("："):]
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(t, '{')
		if i < 0 {
			b.WriteString(t)
			break
		}
		j := strings.IndexByte(t[i:], '}')
		if j < 0 {
			return "", false
		}
		b.WriteString(t[:i])
		name := t[i+1 : i+j]
		t = t[i+j+1:]
		switch {
		case strings.HasPrefix(name, "?"):
			yes, _, _ := strings.Cut(name[1:], "|")
			b.WriteString(yes)
		case strings.HasPrefix(name, "P."):
			v, err := paramInt(params[name[2:]])
			if err != nil {
				return "", false
			}
			if isDateParam(name[2:]) {
				b.WriteString(date.Chinese(fmtDateInt(v)))
			} else {
				fmt.Fprint(&b, v)
			}
		default:
			// A fact: the text counts or compares it, which a leaflet
			// cannot say; a fact that only labels (出生日期{birth}) is
			// left out.
			if rest := strings.TrimSpace(t); rest == "" || strings.HasPrefix(rest, "{?") {
				continue
			}
			return "", false
		}
	}
	out := strings.Join(strings.Fields(b.String()), "")
	if out == "" || strings.ContainsAny(out, "□=≥<>") {
		return "", false
	}
	return out, true
}
