package matching

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/date"
)

// Level says how one field of a row compared with a registry person's.
type Level uint8

// The levels of agreement. Each field uses some of them.
const (
	LevelNone       Level = iota // not compared: missing on one side
	LevelExact                   // the same
	LevelCheckChar               // ID number: all but the check character agree
	LevelOneEdit                 // ID number or date: one digit differs, or two neighbouring digits are exchanged
	LevelTwoEdits                // ID number: two digits differ
	LevelSwapped                 // date: day and month exchanged
	LevelNear                    // date: the same year and month
	LevelSound                   // name: the same sounds (张/章, 丽/莉), reading polyphonic characters every way
	LevelFuzzySound              // name: the same sounds up to zh/z, ch/c, sh/s, n/l, f/h and -ng
	LevelOneChar                 // name: one character of the given name differs, is added or dropped
	LevelGiven                   // name: the given name agrees, the surname does not
	LevelSurname                 // name: only the surname agrees
	LevelVillage                 // place: the same village
	LevelTownship                // place: the same township
	LevelCounty                  // place: the same county, another township
	LevelElsewhere               // place: another county
	LevelAgree                   // sex, parent: agree
	LevelDiffer                  // disagree
)

var levelNames = [...]string{"none", "exact", "check_char", "one_edit", "two_edits", "swapped", "near", "sound", "fuzzy_sound",
	"one_char", "given", "surname", "village", "township", "county", "elsewhere", "agree", "differ"}

func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "unknown"
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	for i, n := range levelNames {
		if n == string(b) {
			*l = Level(i)
			return nil
		}
	}
	return fmt.Errorf("unknown level %q", b)
}

// Evidence says how each field of a row compared with a registry person
// and what the comparison weighs: Weight is the sum of the fields'
// weights, the base-2 logarithm of how much likelier the fields are to
// read so if the row is that person than if it is someone else.
type Evidence struct {
	ID     Level `json:"id"`
	Name   Level `json:"name"`
	Birth  Level `json:"birth"`
	Sex    Level `json:"sex"`
	Place  Level `json:"place"`
	Parent Level `json:"parent"`
	// Age says whether the person's age at the event (a marriage, a
	// birth, a retirement) is usual (agree), possible (none) or not
	// (differ).
	Age    Level   `json:"age"`
	Weight float64 `json:"weight"`
}

// The weights (log2 likelihood ratios) of the levels. The weights of an
// exact or a similar name depend on how common the name is in the index
// (see nameWeights).
const (
	wIDExact    = 40
	wIDCheck    = 22
	wIDOneEdit  = 13
	wIDTwoEdits = 3
	wIDDiffer   = -14

	wDateExact   = 14
	wDateSwapped = 9
	wDateOneEdit = 6
	wDateNear    = 1
	wDateDiffer  = -10

	wNameFuzzy   = 4
	wNameOneChar = 4
	wNameGiven   = 1
	wNameSurname = -3
	wNameDiffer  = -8

	wSexAgree  = 0.8
	wSexDiffer = -6

	wVillage   = 5
	wTownship  = 2.5
	wCounty    = -2
	wElsewhere = -6
	// A place of the event (a hospital, a clinic) says less about where
	// the subject lives than an address does.
	wEventVillage   = 2
	wEventTownship  = 1.5
	wEventCounty    = -0.5
	wEventElsewhere = -1

	wParentDiffer = -14
	wParentWeak   = 6

	wAgeUsual  = 1.5
	wAgeUnlike = -6
)

// parentWeight is the weight of a child whose registered mother or father
// is the person matched as the row's mother or father (or of a parent who
// is the matched child's registered parent): about how unlikely that is
// by chance among n persons.
func parentWeight(n int) float64 { return clampF(math.Log2(0.45*float64(max(n, 1))), 6, 24) }

// ageRanges are, per kind and role, the ages at the event that are usual
// and those that are possible at all.
type ageRange struct{ usualLo, usualHi, okLo, okHi int }

var ageRanges = map[Kind]map[Role]ageRange{
	CivilMarriages: {RoleHusband: {20, 35, 16, 90}, RoleWife: {19, 33, 15, 90}},
	HospitalBirths: {RoleMother: {20, 38, 13, 55}, RoleFather: {20, 45, 15, 80}},
	Vaccination:    {RoleMother: {20, 38, 13, 55}},
	Pension:        {RolePerson: {49, 66, 40, 80}},
}

// nameWeights returns the weights of an exact and of a same-sound name,
// from how many of the n persons of the index have the name (count) and
// names of the same sound (sounds).
func nameWeights(n, count, sounds int32) (exact, sound float64) {
	nn := float64(max(n, 1))
	exact = clampF(math.Log2(0.92*nn/float64(max(count, 1))), 4, 20)
	sound = clampF(math.Log2(0.05*nn/float64(max(sounds, 1))), 2, 15)
	sound = min(sound, exact-1)
	return exact, sound
}

func clampF(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }

// cohortYears is the width of the birth cohorts names are counted in.
const cohortYears = 5

func cohortOf(d date.Date) int { return d.Year() / cohortYears }

// cohortKey is the key of a name in a birth cohort.
func cohortKey(name string, cohort int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return h ^ uint64(cohort)*0x9E3779B97F4A7C15
}

// cohortWeights lowers the weights of a name to what it says among those
// born about the same time: given names follow fashions (浩宇 and 梓涵 in
// the 2010s), so a name rare in the county may be common among children,
// and a birth date that agrees does not make it rarer.
func (ix *Index) cohortWeights(name string, birth date.Date, exact, sound float64) (float64, float64) {
	c := cohortOf(birth)
	size := ix.cohorts[c]
	if size == 0 {
		return exact, sound
	}
	e := clampF(math.Log2(0.92*float64(size)/float64(max(ix.cohortNames[cohortKey(name, c)], 1))), 4, 20)
	if e >= exact {
		return exact, sound
	}
	return e, min(sound, e-1)
}

// query is one subject of a row prepared for comparison.
type query struct {
	role     Role
	number   [18]byte // the valid number, zero when none
	body     [17]byte // the first 17 digits read, valid or not
	hasBody  bool
	name     string // normalised
	runes    []rune
	reads    [][]uint16
	surname  int // characters of the surname
	sound    uint64
	snd      uint32 // surname sound
	wExact   float64
	wSound   float64
	sex      uint8
	explicit bool // the row states the sex (not only the role)
	birth    date.Date
	alt      date.Date // another reading of the birth date
	fromID   bool      // birth read from the ID number
	place    placeHit
	weak     bool  // place is the event's, not an address
	mother   int32 // the matched mother of a child, -1 when none
	father   int32
	child    int32    // the matched child of a parent, -1 when none
	motherID [18]byte // a child's mother's valid number, as the row gives it
	fatherID [18]byte
	// motherName is the child's mother as the row names her, when she
	// has no valid number and was not matched.
	motherName *query
	// parentNamed says the row names a parent of the child: then the child
	// is matched automatically only through a parent who agrees.
	parentNamed bool
	wParent     float64
	event       date.Date // the event's date, for the age at it
	ages        ageRange
	hasAges     bool
	exclude     int32 // a person matched to another role of the row, -1 when none
}

func (q *query) hasName() bool { return q.name != "" }

// prepare turns a subject into a query.
func (ix *Index) prepare(s *Subject) *query {
	q := &query{role: s.Role, mother: -1, father: -1, child: -1, exclude: -1, wParent: parentWeight(len(ix.cands))}
	if s.ID.Number != "" {
		copy(q.number[:], s.ID.Number)
	}
	if b := s.ID.Body(); len(b) == 17 {
		copy(q.body[:], b)
		q.hasBody = true
	}
	q.name = s.NameKey
	if q.name != "" {
		q.runes = []rune(q.name)
		q.surname = surnameLen(q.runes)
		q.reads = make([][]uint16, len(q.runes))
		for i, r := range q.runes {
			q.reads[i] = readings(r, i < q.surname)
		}
		q.sound = nameKey(q.runes)
		q.snd = surnameSound(q.runes)
		q.wExact, q.wSound = nameWeights(int32(len(ix.cands)), ix.names[q.name], ix.sounds[q.sound])
		if !s.Birth.IsZero() {
			q.wExact, q.wSound = ix.cohortWeights(q.name, s.Birth.Date, q.wExact, q.wSound)
		}
	}
	switch s.Sex {
	case "M":
		q.sex = 'M'
	case "F":
		q.sex = 'F'
	}
	q.explicit = s.Sex != "" && s.Sex != impliedSex[s.Role]
	q.birth = s.Birth.Date
	q.alt = s.Birth.Alt
	q.fromID = s.BirthFromID
	if s.Address != "" {
		q.place = ix.places.resolve(s.Address)
		q.weak = s.Role == RoleChild // a hospital or a clinic
	}
	return q
}

// compare scores candidate i against q.
func (ix *Index) compare(q *query, i int32) Evidence {
	c := &ix.cands[i]
	var ev Evidence
	w := 0.0

	// ID number.
	if q.hasBody && c.hasID() {
		switch {
		case q.number[0] != 0 && q.number == c.idnum:
			ev.ID, w = LevelExact, wIDExact
		case q.number[0] != 0:
			// A valid number that differs: the check character catches
			// every slipped digit and every exchange of neighbours, so
			// this is another person's number.
			ev.ID, w = LevelDiffer, wIDDiffer
		default:
			d, first, second := 0, -1, -1
			for k := 0; k < 17; k++ {
				if q.body[k] != c.idnum[k] {
					d++
					if first < 0 {
						first = k
					} else if second < 0 {
						second = k
					}
				}
			}
			switch {
			case d == 0:
				ev.ID, w = LevelCheckChar, wIDCheck
			case d == 1 || d == 2 && second == first+1 && q.body[first] == c.idnum[second] && q.body[second] == c.idnum[first]:
				ev.ID, w = LevelOneEdit, wIDOneEdit
			case d == 2:
				ev.ID, w = LevelTwoEdits, wIDTwoEdits
			default:
				ev.ID, w = LevelDiffer, wIDDiffer
			}
		}
	}

	// Birth date, unless the ID number already vouched for it.
	if ev.ID == LevelNone || ev.ID == LevelDiffer {
		ev.Birth = dateLevel(q.birth, q.alt, c.birth)
		switch ev.Birth {
		case LevelExact:
			w += wDateExact
		case LevelSwapped:
			w += wDateSwapped
		case LevelOneEdit:
			w += wDateOneEdit
		case LevelNear:
			w += wDateNear
		case LevelDiffer:
			w += wDateDiffer
		}
	}

	// Name.
	if q.hasName() && c.name != "" {
		ev.Name = nameLevel(q, c.name)
		switch ev.Name {
		case LevelExact:
			w += q.wExact
		case LevelSound:
			w += q.wSound
		case LevelFuzzySound:
			w += min(wNameFuzzy, q.wSound)
		case LevelOneChar:
			w += wNameOneChar
		case LevelGiven:
			w += wNameGiven
		case LevelSurname:
			w += wNameSurname
		case LevelDiffer:
			w += wNameDiffer
		}
	}

	// Sex.
	if q.sex != 0 && c.sex != 0 {
		if q.sex == c.sex {
			ev.Sex, w = LevelAgree, w+wSexAgree
		} else {
			ev.Sex, w = LevelDiffer, w+wSexDiffer
		}
	}

	// Place.
	if (q.place.county != "" || q.place.town != "") && c.place >= 0 {
		code := ix.regions[c.place]
		switch {
		case q.place.village != "" && q.place.village == code:
			ev.Place = LevelVillage
		case q.place.town != "" && len(code) >= 9 && q.place.town == code[:9]:
			ev.Place = LevelTownship
		case q.place.county != "" && len(code) >= 6 && q.place.county != code[:6]:
			ev.Place = LevelElsewhere
		case q.place.town != "":
			ev.Place = LevelCounty
		}
		ww := [4]float64{wVillage, wTownship, wCounty, wElsewhere}
		if q.weak {
			ww = [4]float64{wEventVillage, wEventTownship, wEventCounty, wEventElsewhere}
		}
		switch ev.Place {
		case LevelVillage:
			w += ww[0]
		case LevelTownship:
			w += ww[1]
		case LevelCounty:
			w += ww[2]
		case LevelElsewhere:
			w += ww[3]
		}
	}

	// Parents of a child: the row's matched parents, or the valid numbers
	// or names the row gives for parents the registry does not confirm.
	if q.mother >= 0 || q.father >= 0 || q.motherID[0] != 0 || q.fatherID[0] != 0 || q.motherName != nil {
		strong, agree, differ := false, false, false
		if q.mother >= 0 && c.mother >= 0 {
			strong = c.mother == q.mother
			differ = !strong
		}
		if q.father >= 0 && c.father >= 0 {
			if c.father == q.father {
				strong = true
			} else {
				differ = true
			}
		}
		if q.mother < 0 && c.mother >= 0 {
			switch {
			case q.motherID[0] != 0:
				differ = differ || ix.cands[c.mother].idnum != q.motherID
			case q.motherName != nil:
				if sameName(nameLevel(q.motherName, ix.cands[c.mother].name)) {
					agree = true
				} else {
					differ = true
				}
			}
		}
		if q.father < 0 && q.fatherID[0] != 0 && c.father >= 0 && ix.cands[c.father].idnum != q.fatherID {
			differ = true
		}
		switch {
		case strong && !differ && (sameName(ev.Name) || ev.Name == LevelNone && (ev.Birth == LevelExact || ev.Birth == LevelSwapped)):
			ev.Parent, w = LevelAgree, w+q.wParent
		case differ:
			ev.Parent, w = LevelDiffer, w+wParentDiffer
		case strong || agree:
			// One of the parent's children, but the name is another's (a
			// brother's or sister's often differs in one character), or
			// there is no name and the birth date does not say which (an
			// unregistered brother or sister looks just like this); or the
			// registered mother has the name the row gives, without more.
			ev.Parent, w = LevelAgree, w+wParentWeak
		}
	}
	// A parent of a matched child.
	if q.child >= 0 {
		ch := &ix.cands[q.child]
		reg := ch.mother
		if q.role == RoleFather {
			reg = ch.father
		}
		switch {
		case reg == i:
			ev.Parent, w = LevelAgree, w+q.wParent
		case reg >= 0:
			ev.Parent, w = LevelDiffer, w+wParentDiffer
		}
	}

	// Age at the event.
	if q.hasAges && !q.event.IsZero() && !c.birth.IsZero() {
		age := c.birth.YearsBetween(q.event)
		switch {
		case c.birth.After(q.event) || age < q.ages.okLo || age > q.ages.okHi:
			ev.Age, w = LevelDiffer, w+wAgeUnlike
		case age >= q.ages.usualLo && age <= q.ages.usualHi:
			ev.Age, w = LevelAgree, w+wAgeUsual
		}
	}
	ev.Weight = w
	return ev
}

// sameName reports whether a name level says the names are the same name,
// however written.
func sameName(l Level) bool {
	return l == LevelExact || l == LevelSound || l == LevelFuzzySound
}

// dateLevel compares a row's date q (and its other reading alt) with a
// registry date c.
func dateLevel(q, alt, c date.Date) Level {
	if q.IsZero() || c.IsZero() {
		return LevelNone
	}
	if q == c {
		return LevelExact
	}
	if alt == c || q.Day() <= 12 && q.Year() == c.Year() && int(q.Month()) == c.Day() && q.Day() == int(c.Month()) {
		return LevelSwapped
	}
	a, b := dateDigits(q), dateDigits(c)
	d, first, second := 0, -1, -1
	for k := range a {
		if a[k] != b[k] {
			d++
			if first < 0 {
				first = k
			} else if second < 0 {
				second = k
			}
		}
	}
	if d == 1 || d == 2 && second == first+1 && a[first] == b[second] && a[second] == b[first] {
		return LevelOneEdit
	}
	if q.Year() == c.Year() && q.Month() == c.Month() {
		return LevelNear
	}
	return LevelDiffer
}

func dateDigits(d date.Date) [8]byte {
	var b [8]byte
	v := d.Year()*10000 + int(d.Month())*100 + d.Day()
	for k := 7; k >= 0; k-- {
		b[k] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// nameLevel compares the query's name with a registry person's
// normalised name.
func nameLevel(q *query, name string) Level {
	if q.name == name {
		return LevelExact
	}
	var buf [8]rune
	c := buf[:0]
	for _, r := range name {
		c = append(c, r)
	}
	if utf8.RuneCountInString(name) != len(c) {
		return LevelDiffer
	}
	a := q.runes
	sl := q.surname
	if len(a) == len(c) {
		nd, diffPos, fuzzy := 0, -1, false
		surnameDiffers := false
		for i := range a {
			if a[i] == c[i] {
				continue
			}
			rc := readings(c[i], i < sl)
			if sameSound(q.reads[i], rc) {
				continue
			}
			if sameFuzzySound(q.reads[i], rc) {
				fuzzy = true
				continue
			}
			nd++
			diffPos = i
			if i < sl {
				surnameDiffers = true
			}
		}
		switch {
		case nd == 0 && fuzzy:
			return LevelFuzzySound
		case nd == 0:
			return LevelSound
		case nd == 1 && surnameDiffers:
			return LevelGiven
		case nd == 1 && len(a)-sl >= 2:
			return LevelOneChar
		case !surnameDiffers && diffPos >= sl:
			return LevelSurname
		}
		return LevelDiffer
	}
	if d := len(a) - len(c); (d == 1 || d == -1) && min(len(a), len(c)) >= 2 {
		long, short := a, c
		if d < 0 {
			long, short = c, a
		}
		for skip := range long {
			ok := true
			for i, k := 0, 0; i < len(long); i++ {
				if i == skip {
					continue
				}
				if long[i] != short[k] {
					ok = false
					break
				}
				k++
			}
			if ok {
				if skip == 0 {
					return LevelGiven
				}
				return LevelOneChar
			}
		}
	}
	if len(a) > sl && len(c) > sl && sl > 0 && (a[0] == c[0] || sameSound(q.reads[0], readings(c[0], true))) {
		return LevelSurname
	}
	return LevelDiffer
}
