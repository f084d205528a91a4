package matching

import (
	"strings"

	"github.com/jiahe-project/jiahe/internal/region"
)

// Places: an extract gives a subject's place as text — a hukou address
// (安徽省六安市舒城县晓天镇龙潭村3组), a hospital or a clinic
// (晓天镇卫生院). The place index finds in such text the county, township
// and village names of the division tree, so that they can be compared
// with the division of a registry person's hukou.

type namedPlace struct {
	code string
	full string // the name as the tree has it: 晓天镇, 龙潭村委会
	stem string // the name without its kind: 晓天, 龙潭; "" when too short or too generic
}

type placeHit struct {
	county  string // six-digit county named (or implied by a township), "" when none
	town    string // nine-digit township prefix, "" when none
	village string // twelve-digit village, "" when none
}

type placeIndex struct {
	home     []namedPlace            // the counties of the index
	others   []namedPlace            // the other county-level divisions of their provinces
	towns    map[string][]namedPlace // county code → its townships
	villages map[string][]namedPlace // nine-digit township prefix → its villages
}

// kindSuffixes are the endings that say what kind of division a name is,
// longest first.
var kindSuffixes = []string{"社区居民委员会", "村民委员会", "居民委员会", "社区居委会", "村委会", "居委会", "管委会", "办事处", "街道",
	"自治县", "社区", "县", "区", "市", "旗", "镇", "乡", "村"}

var genericStems = map[string]bool{"街道": true, "街道社区": true, "城关": false, "社区": true, "中心": true, "新村": true}

func named(d region.Division) namedPlace {
	stem := d.Name
	for _, s := range kindSuffixes {
		if t, ok := strings.CutSuffix(stem, s); ok && t != "" {
			stem = t
			break
		}
	}
	if len([]rune(stem)) < 2 || genericStems[stem] || stem == d.Name {
		stem = ""
	}
	return namedPlace{code: string(d.Code), full: d.Name, stem: stem}
}

func newPlaceIndex(counties []string) *placeIndex {
	t := region.Default()
	pi := &placeIndex{towns: map[string][]namedPlace{}, villages: map[string][]namedPlace{}}
	home := map[string]bool{}
	provinces := map[string]bool{}
	for _, c := range counties {
		d, ok := t.Lookup(region.Code(c))
		if !ok || home[c] {
			continue
		}
		home[c] = true
		pi.home = append(pi.home, named(d))
		provinces[c[:2]] = true
		for _, tw := range t.Children(d.Code) {
			pi.towns[c] = append(pi.towns[c], named(tw))
			for _, v := range t.Children(tw.Code) {
				pi.villages[string(tw.Code)[:9]] = append(pi.villages[string(tw.Code)[:9]], named(v))
			}
		}
	}
	for p := range provinces {
		for _, pref := range t.Children(region.Code(p + "0000")) {
			for _, c := range t.Children(pref.Code) {
				if len(c.Code) == 6 && !home[string(c.Code)] {
					pi.others = append(pi.others, named(c))
				}
			}
		}
	}
	return pi
}

// find returns the place of list named in text, the full name beating a
// stem and a longer name a shorter one; nil when none is.
func find(list []namedPlace, text string) *namedPlace {
	var best *namedPlace
	bestLen, bestFull := 0, false
	for i := range list {
		p := &list[i]
		if strings.Contains(text, p.full) {
			if !bestFull || len(p.full) > bestLen {
				best, bestLen, bestFull = p, len(p.full), true
			}
			continue
		}
		if !bestFull && p.stem != "" && len(p.stem) > bestLen && strings.Contains(text, p.stem) {
			best, bestLen = p, len(p.stem)
		}
	}
	return best
}

// resolve finds the county, township and village that text names.
func (pi *placeIndex) resolve(text string) placeHit {
	var h placeHit
	if text == "" || pi == nil {
		return h
	}
	if c := find(pi.home, text); c != nil {
		h.county = c.code
	} else if c := find(pi.others, text); c != nil {
		h.county = c.code
		return h
	}
	counties := []string{h.county}
	if h.county == "" {
		counties = counties[:0]
		for _, c := range pi.home {
			counties = append(counties, c.code)
		}
	}
	for _, c := range counties {
		if tw := find(pi.towns[c], text); tw != nil {
			h.county = c
			h.town = tw.code[:9]
			// Look for the village after the township's name.
			rest := text
			if i := strings.Index(text, tw.full); i >= 0 {
				rest = text[i+len(tw.full):]
			} else if tw.stem != "" {
				if i := strings.Index(text, tw.stem); i >= 0 {
					rest = text[i+len(tw.stem):]
				}
			}
			if v := find(pi.villages[h.town], rest); v != nil {
				h.village = v.code
			}
			break
		}
	}
	return h
}
