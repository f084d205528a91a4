package stats

import (
	"slices"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/region"
)

// Ref is a person behind a figure: the person and, for a registration or
// a marriage, the record the figure counts.
type Ref struct {
	County string
	ID     int64
}

// Drillable reports whether the figure of key has a list of persons
// behind it: the residents and the places do not (the population is the
// registry itself; places belong to institutions), nor do the paid
// figures by funding level (the persons are those of the program).
func Drillable(key string) bool {
	parts, _ := SplitKey(key)
	switch parts[0] {
	case "births", "r12":
		return len(parts) == 3
	case "deaths", "marriages", "divorces", "moves_in", "moves_out", "aged":
		return len(parts) == 1
	case "regs":
		return len(parts) == 2
	case "paid":
		return len(parts) == 3 && parts[2] == "persons"
	case "special":
		return len(parts) == 2 && slices.Contains(SpecialMeasures, parts[1])
	}
	return false
}

// CheckKey checks a figure's key given by a user: a drillable figure of
// the report of reg, in reg or one of its units.
func CheckKey(reg region.Code, units []Unit, key string) error {
	_, unit := SplitKey(key)
	if !Drillable(key) || strings.ContainsAny(key, " ;'\"") {
		return apperr.Invalidf("figure", "没有这个统计项", "no such figure")
	}
	if unit != "" && !slices.ContainsFunc(units, func(u Unit) bool { return u.Code == unit }) {
		return apperr.Invalidf("figure", "该单位不在本报表中", "the unit is not one of the report's")
	}
	_ = reg
	return nil
}

// Behind returns the persons the figure of key counts, from the facts the
// figure was computed from (for the paid figures, the caller reads the
// ledger's lines instead: PaidProgram). The order is the facts' order.
func Behind(reg region.Code, m Month, units []Unit, f *Facts, key string) []Ref {
	parts, unit := SplitKey(key)
	var out []Ref
	seen := map[Ref]bool{}
	put := func(r Ref) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	inUnit := func(code string) bool { return unit == "" || unitOf(units, code) == unit }
	switch parts[0] {
	case "births", "r12":
		for _, b := range f.Births {
			if parts[0] == "births" && (b.Born.Before(m.First()) || b.Born.After(m.Last())) {
				continue
			}
			if (parts[1] == "all" || parts[1] == parityClass(b.Parity)) && (parts[2] == "all" || parts[2] == b.Sex) && inUnit(b.Region) {
				put(Ref{b.County, b.ID})
			}
		}
	case "deaths", "marriages", "divorces", "aged":
		es := map[string][]Event{"deaths": f.Deaths, "marriages": f.Marriages, "divorces": f.Divorces, "aged": f.Aged}[parts[0]]
		for _, e := range es {
			if inUnit(e.Region) {
				put(Ref{e.County, e.ID})
			}
		}
	case "moves_in", "moves_out":
		for _, mv := range f.Moves {
			from, to := mv.From, mv.To
			if parts[0] == "moves_out" {
				from, to = to, from
			}
			// "to" is the side that must lie in the unit (or the region),
			// "from" the side that must lie outside it.
			if unit != "" {
				if unitOf(units, to) == unit && unitOf(units, from) != unit {
					put(Ref{mv.County, mv.ID})
				}
			} else if reg.Contains(region.Code(to)) && !reg.Contains(region.Code(from)) {
				put(Ref{mv.County, mv.ID})
			}
		}
	case "regs":
		for _, g := range f.Registrations {
			if (parts[1] == "all" || parts[1] == parityClass(g.Parity)) && inUnit(g.Region) {
				put(Ref{g.County, g.Applicant})
			}
		}
	case "special":
		// The families, not persons: ID is the family's on the register.
		return behindSpecial(units, f.Special, parts[1], unit)
	}
	return out
}

// PaidProgram returns the program and the unit of a paid figure's key
// ("all" for every program).
func PaidProgram(key string) (program, unit string, ok bool) {
	parts, unit := SplitKey(key)
	if len(parts) != 3 || parts[0] != "paid" || parts[2] != "persons" {
		return "", "", false
	}
	return parts[1], unit, true
}
