package ui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// familyNode is one person of the family tree drawn on a person's page.
type familyNode struct {
	Person   registry.Person
	Key      string
	Subject  bool
	Tie      string // how this child is tied to the parent above ("birth", …)
	InPolicy *bool
	Spouses  []spouseNode
	Children []familyNode
}

type spouseNode struct {
	Person   registry.Person
	Key      string
	Marriage registry.Marriage
}

// familyTree arranges the family view around the subject: spouses with
// their marriages, then children (of any tie) and their children.
func familyTree(f *registry.Family, county, subject string) familyNode {
	key := func(ref string) string {
		if c, id, ok := strings.Cut(ref, ":"); ok { // a relative in another county (package move)
			return c + "/" + id
		}
		return county + "/" + ref
	}
	var build func(ref string, depth int, seen map[string]bool) familyNode
	build = func(ref string, depth int, seen map[string]bool) familyNode {
		seen[ref] = true
		n := familyNode{Key: key(ref), Subject: ref == subject}
		if p := f.Person(ref); p != nil {
			n.Person = *p
		} else {
			n.Person = registry.Person{Ref: ref}
		}
		for _, m := range f.Marriages {
			other := ""
			switch ref {
			case m.A:
				other = m.B
			case m.B:
				other = m.A
			default:
				continue
			}
			sp := spouseNode{Key: key(other), Marriage: m}
			if p := f.Person(other); p != nil {
				sp.Person = *p
			}
			n.Spouses = append(n.Spouses, sp)
		}
		slices.SortFunc(n.Spouses, func(a, b spouseNode) int { return a.Marriage.From.Compare(b.Marriage.From) })
		if depth < 2 {
			for _, t := range f.Children {
				if t.Parent != ref || seen[t.Child] {
					continue
				}
				c := build(t.Child, depth+1, seen)
				c.Tie, c.InPolicy = t.Kind, t.InPolicy
				n.Children = append(n.Children, c)
			}
			slices.SortFunc(n.Children, func(a, b familyNode) int { return a.Person.Birth.Compare(b.Person.Birth) })
		}
		return n
	}
	return build(subject, 0, map[string]bool{})
}

// lifeEvent is one line of a person's event history.
type lifeEvent struct {
	Date   date.Date
	Kind   string // i18n suffix: event.<Kind>
	Detail string
	With   string // the other person's key, if any
	Name   string // the other person's name
}

func lifeEvents(f *registry.Family, rec *registry.Record, t map[string]string) []lifeEvent {
	ref := rec.Ref()
	name := func(r string) string {
		if p := f.Person(r); p != nil {
			return p.Name
		}
		return r
	}
	ev := []lifeEvent{{Date: rec.Birth, Kind: "birth"}}
	for _, m := range f.Marriages {
		if m.A != ref && m.B != ref {
			continue
		}
		other := m.B
		if other == ref {
			other = m.A
		}
		ev = append(ev, lifeEvent{Date: m.From, Kind: "marriage", With: rec.County + "/" + other, Name: name(other)})
		if !m.To.IsZero() {
			ev = append(ev, lifeEvent{Date: m.To, Kind: "marriage_end", Detail: t["end."+m.End], With: rec.County + "/" + other, Name: name(other)})
		}
	}
	for _, c := range f.Children {
		if c.Parent == ref {
			d := c.From
			if d.IsZero() {
				if p := f.Person(c.Child); p != nil {
					d = p.Birth
				}
			}
			ev = append(ev, lifeEvent{Date: d, Kind: "child", Detail: t["tie."+c.Kind], With: rec.County + "/" + c.Child, Name: name(c.Child)})
		}
	}
	for _, d := range f.Disabilities {
		if d.Person == ref {
			detail := t["disability.grade"] + " " + strconv.Itoa(d.Grade)
			if d.Category != "" {
				detail += " · " + t["category."+d.Category]
			}
			if !d.To.IsZero() {
				detail += " · " + t["until"] + " " + d.To.String()
			}
			ev = append(ev, lifeEvent{Date: d.From, Kind: "disability", Detail: detail})
		}
	}
	for _, c := range f.Certificates {
		if c.Holder == ref {
			detail := t["cert."+c.Kind]
			if c.Number != "" {
				detail += " " + c.Number
			}
			ev = append(ev, lifeEvent{Date: c.Issued, Kind: "certificate", Detail: detail})
			if !c.Cancelled.IsZero() {
				ev = append(ev, lifeEvent{Date: c.Cancelled, Kind: "certificate_cancel", Detail: t["cert."+c.Kind]})
			}
		}
	}
	for _, c := range f.Complications {
		if c.Person == ref {
			ev = append(ev, lifeEvent{Date: c.From, Kind: "complication", Detail: t["disability.grade"] + " " + strconv.Itoa(c.Grade)})
		}
	}
	for _, rt := range f.Retirements {
		if rt.Person == ref {
			ev = append(ev, lifeEvent{Date: rt.Date, Kind: "retirement", Detail: t["employer."+rt.Employer]})
		}
	}
	if p := f.Person(ref); p != nil {
		for i, hs := range p.Hukou {
			if i == 0 {
				continue
			}
			ev = append(ev, lifeEvent{Date: hs.From, Kind: "hukou", Detail: t["hukou."+hs.Type]})
		}
	}
	if !rec.Death.IsZero() {
		ev = append(ev, lifeEvent{Date: rec.Death, Kind: "death", Detail: tr(t, "source", rec.DeathSource)})
	}
	slices.SortStableFunc(ev, func(a, b lifeEvent) int { return a.Date.Compare(b.Date) })
	return ev
}
