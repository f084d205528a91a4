package stats

import "strings"

// The coverage of special families (计生特殊家庭, docs/special-families.md)
// in the monthly report: the families on the register on the month's last
// day, those with a contact named then, those visited in the month's
// quarter up to that day, and those receiving the special assistance
// (特扶) then.

// SpecialFamily is a family on the register on the report's last day, as
// the report counts it: its head (Anchor) and village, and what reaches
// it.
type SpecialFamily struct {
	County  string
	ID      int64 // the family on the register
	Anchor  int64 // its head, a person of the registry
	Region  string
	Contact bool // a contact named on the day
	Visited bool // visited in the quarter up to the day
	TF      bool // its head or her spouse on the roll of a tf_* program on the day
}

// SpecialCoverage is the region's coverage of special families.
type SpecialCoverage struct {
	Families int64 `json:"families"`
	Contact  int64 `json:"contact"`
	Visited  int64 `json:"visited"`
	TF       int64 `json:"tf"`
}

// SpecialMeasures are the figures of the coverage: special.<measure>.
var SpecialMeasures = []string{"families", "contact", "visited", "tf"}

// IsSpecial reports whether key is a figure of the special families, whose
// list names families, read only with the permission to care for them.
func IsSpecial(key string) bool { return strings.HasPrefix(key, "special.") }

func (f SpecialFamily) has(measure string) bool {
	switch measure {
	case "families":
		return true
	case "contact":
		return f.Contact
	case "visited":
		return f.Visited
	case "tf":
		return f.TF
	}
	return false
}

// countSpecial adds the special families' figures of r from fs; the
// coverage stays nil when fs is (the facts were not read).
func countSpecial(r *Report, units []Unit, fs []SpecialFamily) {
	if fs == nil {
		return
	}
	c := &SpecialCoverage{}
	for _, f := range fs {
		u := unitOf(units, f.Region)
		for _, m := range SpecialMeasures {
			if !f.has(m) {
				continue
			}
			r.Figures[Key("", "special", m)]++
			if u != "" {
				r.Figures[Key(u, "special", m)]++
			}
		}
	}
	c.Families, c.Contact = r.Figures[Key("", "special", "families")], r.Figures[Key("", "special", "contact")]
	c.Visited, c.TF = r.Figures[Key("", "special", "visited")], r.Figures[Key("", "special", "tf")]
	r.SpecialFamilies = c
}

// behindSpecial returns the families (Ref.ID is the family's id on the
// register) that the special figure of measure counts in unit ("" the
// region).
func behindSpecial(units []Unit, fs []SpecialFamily, measure, unit string) []Ref {
	var out []Ref
	for _, f := range fs {
		if f.has(measure) && (unit == "" || unitOf(units, f.Region) == unit) {
			out = append(out, Ref{County: f.County, ID: f.ID})
		}
	}
	return out
}

// dropSpecial removes the special families' figures from f.
func dropSpecial(f Figures) {
	for k := range f {
		if IsSpecial(k) {
			delete(f, k)
		}
	}
}
