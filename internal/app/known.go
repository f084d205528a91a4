package app

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// knownFacts are the facts an application declares as the registry holds
// them for rec, and which of the form's fields they fill: the hukou type,
// the marriages, the births and adoptions of the person's children and
// how many of them are alive. A fact the registry does not hold is left
// empty for the applicant to declare.
func knownFacts(rec *registry.Record, fam *registry.Family) (workflow.Declared, map[string]bool) {
	var d workflow.Declared
	from := map[string]bool{}
	if rec.HukouType != "" {
		d.HukouType, from["hukou_type"] = rec.HukouType, true
	}
	if fam == nil {
		return d, from
	}
	me := strconv.FormatInt(rec.ID, 10)
	var marriages []string
	for _, m := range fam.Marriages {
		other := m.B
		switch me {
		case m.A:
		case m.B:
			other = m.A
		default:
			continue
		}
		s := yearOf(m.From.Year()) + "结婚"
		if p := fam.Person(other); p != nil && p.Name != "" {
			s += "（配偶" + p.Name + "）"
		}
		if !m.To.IsZero() {
			s += "，" + yearOf(m.To.Year()) + "婚姻终止"
		}
		marriages = append(marriages, s)
	}
	if len(marriages) > 0 {
		d.Marriage, from["marriage"] = strings.Join(marriages, "；"), true
	}
	type child struct {
		year      int
		text      string
		adopted   bool
		surviving bool
	}
	var kids []child
	for _, pc := range fam.Children {
		if pc.Parent != me {
			continue
		}
		p := fam.Person(pc.Child)
		if p == nil {
			continue
		}
		sex := map[string]string{"M": "子", "F": "女"}[p.Sex]
		if sex == "" {
			sex = "孩"
		}
		c := child{year: p.Birth.Year(), surviving: p.Death.IsZero()}
		switch pc.Kind {
		case registry.Birth:
			c.text = yearOf(p.Birth.Year()) + "生育一" + sex
		default:
			c.adopted = true
			y := p.Birth.Year()
			if !pc.From.IsZero() {
				y = pc.From.Year()
			}
			c.year, c.text = y, yearOf(y)+"收养一"+sex
		}
		if p.Name != "" {
			c.text += "（" + p.Name
			if !c.surviving {
				c.text += "，已故"
			}
			c.text += "）"
		}
		kids = append(kids, c)
	}
	slices.SortStableFunc(kids, func(a, b child) int { return a.year - b.year })
	var births, adoptions []string
	for _, c := range kids {
		if c.adopted {
			adoptions = append(adoptions, c.text)
		} else {
			births = append(births, c.text)
		}
		if c.surviving {
			d.SurvivingChildren++
		}
	}
	if len(births) > 0 {
		d.Births = strings.Join(births, "；")
	}
	if len(adoptions) > 0 {
		d.Adoptions = strings.Join(adoptions, "；")
	} else {
		d.Adoptions = "无"
	}
	from["births"], from["adoptions"], from["surviving_children"] = true, true, true
	return d, from
}

func yearOf(y int) string {
	if y <= 0 {
		return "某年"
	}
	return fmt.Sprintf("%d年", y)
}
