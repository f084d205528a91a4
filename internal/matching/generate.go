package matching

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// The generator of dirty extracts writes, from a synthetic county, a file
// of one kind as a department would send it — with the errors real
// extracts have — and, apart, the truth: which registry person each row
// and role is, or that they are not in the registry.

// ExtractConfig describes an extract to generate.
type ExtractConfig struct {
	Kind Kind
	// Rows is the number of data rows.
	Rows int
	// Noise scales the rates of every kind of error (NoiseRates); 0 gives
	// a clean file, 1 the default level.
	Noise float64
	// Outside is the share of subjects who are not in the registry (taken
	// from another county); the default (when negative) is 0.1.
	Outside float64
	// Seed selects the rows and the errors.
	Seed uint64
}

// Noise levels by name, for the command line.
var NoiseLevels = map[string]float64{"none": 0, "low": 0.5, "default": 1, "high": 2, "extreme": 4}

// ParseNoise reads a noise level: a name of NoiseLevels or a number from
// 0 to 10.
func ParseNoise(s string) (float64, error) {
	if v, ok := NoiseLevels[strings.ToLower(strings.TrimSpace(s))]; ok {
		return v, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f > 10 {
		return 0, apperr.Invalidf("noise", "噪声等级应为 none、low、default、high、extreme 或 0 到 10 之间的数", "the noise level must be none, low, default, high, extreme or a number from 0 to 10")
	}
	return f, nil
}

// NoiseRates are the rates of each kind of error at noise level 1; a level
// multiplies them (up to 0.9). An ID-number error applies to a subject's
// number, a name error to a name, a date error to a date.
var NoiseRates = map[string]float64{
	"id_missing":       0.03,  // the number left empty (only where departments do: see idMissingFactor)
	"id_15":            0.05,  // the old 15-digit number, for persons born before 2000
	"id_lower_x":       0.5,   // a lower-case x, of numbers ending in X
	"id_check":         0.015, // a wrong check character
	"id_swap":          0.015, // two neighbouring digits exchanged
	"fullwidth":        0.02,  // full-width digits in a number or a date
	"spaces":           0.05,  // spaces before, after or inside a cell
	"name_typo":        0.02,  // a character replaced by a look-alike or a stray one
	"name_homophone":   0.03,  // a character replaced by one of the same sound (张/章, 丽/莉)
	"name_variant":     0.01,  // a variant form (哲/喆, 峰/峯)
	"name_traditional": 0.02,  // the name in traditional characters
	"date_format":      0.4,   // a date in another format than YYYY-MM-DD
	"date_swap":        0.015, // day and month exchanged
	"date_slip":        0.01,  // one digit of a date wrong
	"sex_flip":         0.005, // the other sex
	"child_unnamed":    0.3,   // a newborn without a name yet (李秀英之子); birth certificates only
}

// idMissingFactor scales id_missing by kind and role: police and pension
// and disability files are keyed on the number and never lack it; a
// father's number, a mother's at a vaccination clinic and an old death
// record often do.
func idMissingFactor(k Kind, r Role) float64 {
	switch {
	case k == Pension || k == Disability || k == PoliceMoves:
		return 0
	case r == RoleFather:
		return 3
	case k == Vaccination:
		return 2
	case k == CivilMarriages:
		return 0.3
	}
	return 1
}

// Truth is the true identity of one role of one row of a generated
// extract.
type Truth struct {
	Row  int  `json:"row"`
	Role Role `json:"role"`
	// Person is the registry person, zero for a person not in the
	// registry; IDNumber is their registry number.
	Person   registry.Key `json:"person"`
	IDNumber string       `json:"id_number,omitempty"`
}

// TruthHeader is the header of a truth file.
var TruthHeader = []string{"row", "role", "person", "id_number"}

// Line returns the truth as a line of a truth file: row,role,person,
// id_number with person as COUNTY/ID, both empty outside the registry.
func (t Truth) Line() []string {
	p := ""
	if t.Person.ID != 0 {
		p = t.Person.County + "/" + strconv.FormatInt(t.Person.ID, 10)
	}
	return []string{strconv.Itoa(t.Row), string(t.Role), p, t.IDNumber}
}

// SynthExtract is a generated extract: the file's header and rows, the
// truth, and how many errors of each kind were made.
type SynthExtract struct {
	Kind   Kind           `json:"kind"`
	Header []string       `json:"header"`
	Rows   [][]string     `json:"rows"`
	Truth  []Truth        `json:"truth"`
	Errors map[string]int `json:"errors"`
}

// Each walks the header and the rows, so that a SynthExtract is a
// RowSource.
func (x *SynthExtract) Each(fn func(n int, cells []string) bool) error {
	if !fn(1, x.Header) {
		return nil
	}
	for i, r := range x.Rows {
		if !fn(i+2, r) {
			return nil
		}
	}
	return nil
}

// Format returns "csv".
func (x *SynthExtract) Format() string { return "csv" }

// Encoding returns "utf-8".
func (x *SynthExtract) Encoding() string { return "utf-8" }

// subject is a person written into a row, with where they come from.
type subject struct {
	p       *synth.Person
	inside  bool // a registry person
	address string
}

type gen struct {
	cfg     ExtractConfig
	r       *rand.Rand
	reg     *SynthCounty
	out     *SynthCounty
	errs    map[string]int
	outPool map[string][]*synth.Person // sex → outsiders sorted by birth
}

// GenerateExtract writes an extract of cfg.Kind from the registry county
// reg, taking the persons not in the registry from outside (another
// county's population, see NeighbourCounty).
func GenerateExtract(reg, outside *SynthCounty, cfg ExtractConfig) (*SynthExtract, error) {
	if _, ok := specs[cfg.Kind]; !ok {
		_, err := ParseKind(string(cfg.Kind))
		return nil, err
	}
	if cfg.Rows < 1 || cfg.Rows > MaxRows {
		return nil, apperr.Invalidf("rows", "行数应在 1 到 %d 之间", "rows must be between 1 and %d", MaxRows)
	}
	if cfg.Noise < 0 || cfg.Noise > 10 {
		return nil, apperr.Invalidf("noise", "噪声等级应在 0 到 10 之间", "the noise level must be between 0 and 10")
	}
	if cfg.Outside < 0 {
		cfg.Outside = 0.1
	}
	if cfg.Outside > 1 {
		return nil, apperr.Invalidf("outside", "库外人员比例应在 0 到 1 之间", "the share outside the registry must be between 0 and 1")
	}
	if len(reg.Persons) == 0 || cfg.Outside > 0 && (outside == nil || len(outside.Persons) == 0) {
		return nil, apperr.Invalidf("county", "合成人口为空", "the synthetic population is empty")
	}
	g := &gen{cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, 0xe17ac7)), reg: reg, out: outside, errs: map[string]int{}}
	g.indexOutside()
	x := &SynthExtract{Kind: cfg.Kind, Header: cfg.Kind.Headers(), Errors: g.errs}
	x.Rows = make([][]string, 0, cfg.Rows)
	switch cfg.Kind {
	case PoliceDeaths:
		g.deaths(x)
	case PoliceMoves:
		g.moves(x)
	case CivilMarriages:
		g.marriages(x)
	case HospitalBirths, Vaccination:
		g.births(x)
	case Pension:
		g.pensions(x)
	case Disability:
		g.disabilities(x)
	}
	return x, nil
}

// pick returns n indices into a pool of size size: a random order of the
// pool, repeated when the pool is smaller than n.
func (g *gen) pick(size, n int) []int {
	if size == 0 {
		return nil
	}
	out := make([]int, 0, n)
	for len(out) < n {
		perm := g.r.Perm(size)
		out = append(out, perm[:min(size, n-len(out))]...)
	}
	return out
}

func (g *gen) rate(name string) bool {
	return g.r.Float64() < min(0.9, NoiseRates[name]*g.cfg.Noise)
}

func (g *gen) indexOutside() {
	g.outPool = map[string][]*synth.Person{}
	if g.out == nil {
		return
	}
	for i := range g.out.Persons {
		p := &g.out.Persons[i]
		if p.IDNumber == "" {
			continue
		}
		g.outPool[p.Sex] = append(g.outPool[p.Sex], p)
	}
	for _, l := range g.outPool {
		slices.SortFunc(l, func(a, b *synth.Person) int { return a.Birth.Compare(b.Birth) })
	}
}

// outsider returns a person not in the registry like p: the same sex,
// born about the same time.
func (g *gen) outsider(p *synth.Person) *synth.Person {
	l := g.outPool[p.Sex]
	if len(l) == 0 {
		return p
	}
	i, _ := slices.BinarySearchFunc(l, p.Birth, func(a *synth.Person, d date.Date) int { return a.Birth.Compare(d) })
	i += g.r.IntN(41) - 20
	return l[max(0, min(len(l)-1, i))]
}

// who decides whether a role is played by the registry person p or by an
// outsider, and returns the subject.
func (g *gen) who(p *synth.Person) subject {
	if g.cfg.Outside > 0 && g.r.Float64() < g.cfg.Outside {
		o := g.outsider(p)
		if o != p {
			return subject{p: o, address: g.address(o.Region)}
		}
	}
	return subject{p: p, inside: true, address: g.address(p.Region)}
}

func (g *gen) truth(x *SynthExtract, row int, role Role, s subject) {
	t := Truth{Row: row, Role: role}
	if s.inside {
		t.Person = g.reg.Key(s.p.ID)
		t.IDNumber = s.p.IDNumber
	}
	x.Truth = append(x.Truth, t)
}

// address writes a hukou address in the division: the full name of the
// village, sometimes without the province and prefecture, and a group.
func (g *gen) address(code string) string {
	t := region.Default()
	full := t.FullName(region.Code(code))
	if full == "" {
		return ""
	}
	if g.r.IntN(3) == 0 { // from the county on
		if d, ok := t.Lookup(t.County(region.Code(code))); ok {
			if i := strings.Index(full, d.Name); i > 0 {
				full = full[i:]
			}
		}
	}
	full = strings.NewReplacer("村委会", "村", "村民委员会", "村", "社区居委会", "社区", "居委会", "").Replace(full)
	return full + strconv.Itoa(1+g.r.IntN(12)) + "组"
}

// --- the cells of a subject -------------------------------------------

func (g *gen) name(n string) string {
	rs := []rune(n)
	switch {
	case len(rs) >= 2 && g.rate("name_homophone"):
		if i, c, ok := g.homophone(rs); ok {
			rs[i] = c
			g.errs["name_homophone"]++
		}
	case len(rs) >= 2 && g.rate("name_typo"):
		i := g.r.IntN(len(rs))
		rs[i] = g.typo(rs[i])
		g.errs["name_typo"]++
	case g.rate("name_variant"):
		for i, r := range rs {
			if v, ok := variantOf()[r]; ok {
				rs[i] = v
				g.errs["name_variant"]++
				break
			}
		}
	case g.rate("name_traditional"):
		changed := false
		for i, r := range rs {
			if t, ok := traditionalOf()[r]; ok {
				rs[i] = t
				changed = true
			}
		}
		if changed {
			g.errs["name_traditional"]++
		}
	}
	s := string(rs)
	if g.rate("spaces") {
		g.errs["spaces"]++
		switch g.r.IntN(3) {
		case 0:
			s += " "
		case 1:
			s = " " + s + "\u3000"
		default:
			if len(rs) == 2 {
				s = string(rs[0]) + " " + string(rs[1])
			} else {
				s += "  "
			}
		}
	}
	return s
}

func (g *gen) homophone(rs []rune) (int, rune, bool) {
	pool := homophonePool()
	start := g.r.IntN(len(rs))
	for k := range rs {
		i := (start + k) % len(rs)
		alts := pool[primary(rs[i], i == 0)]
		if len(alts) < 2 {
			continue
		}
		for range 4 {
			c := alts[g.r.IntN(len(alts))]
			if c != rs[i] {
				return i, c, true
			}
		}
	}
	return 0, 0, false
}

func (g *gen) typo(r rune) rune {
	if alts, ok := lookAlikes()[r]; ok && g.r.IntN(4) > 0 {
		return alts[g.r.IntN(len(alts))]
	}
	cs := []rune(commonChars)
	for {
		c := cs[g.r.IntN(len(cs))]
		if c != r {
			return c
		}
	}
}

// id writes the ID number of a subject with the errors of the level;
// missing is the factor of id_missing.
func (g *gen) id(n string, p *synth.Person, missing float64) string {
	if n == "" || g.r.Float64() < min(0.9, NoiseRates["id_missing"]*g.cfg.Noise*missing) {
		if n != "" {
			g.errs["id_missing"]++
		}
		return ""
	}
	b := []byte(n)
	switch {
	case p.Birth.Year() < 2000 && p.Birth.Year() >= 1900 && g.rate("id_15"):
		b = append(append([]byte{}, b[:6]...), b[8:17]...)
		g.errs["id_15"]++
	case g.rate("id_check"):
		old := b[17]
		for b[17] == old {
			b[17] = "0123456789X"[g.r.IntN(11)]
		}
		g.errs["id_check"]++
	case g.rate("id_swap"):
		for range 20 {
			i := g.r.IntN(16)
			if b[i] != b[i+1] {
				b[i], b[i+1] = b[i+1], b[i]
				g.errs["id_swap"]++
				break
			}
		}
	}
	s := string(b)
	if strings.HasSuffix(s, "X") && g.r.Float64() < min(1, NoiseRates["id_lower_x"]*g.cfg.Noise) {
		s = strings.TrimSuffix(s, "X") + "x"
		g.errs["id_lower_x"]++
	}
	return g.dress(s)
}

// dress applies the formatting errors of a cell of digits: full-width
// digits and spaces.
func (g *gen) dress(s string) string {
	if s == "" {
		return s
	}
	if g.rate("fullwidth") {
		s = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r == 'X' || r == 'x' || r == '-' {
				return r - '!' + 0xFF01
			}
			return r
		}, s)
		g.errs["fullwidth"]++
	}
	if g.rate("spaces") {
		s += " "
		g.errs["spaces"]++
	}
	return s
}

var dateFormats = []func(date.Date) string{
	func(d date.Date) string { return fmt.Sprintf("%d/%d/%d", d.Year(), d.Month(), d.Day()) },
	func(d date.Date) string { return fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day()) },
	func(d date.Date) string { return fmt.Sprintf("%04d%02d%02d", d.Year(), d.Month(), d.Day()) },
	func(d date.Date) string { return fmt.Sprintf("%04d.%02d.%02d", d.Year(), d.Month(), d.Day()) },
	func(d date.Date) string { return fmt.Sprintf("%d-%d-%d", d.Year(), d.Month(), d.Day()) },
	func(d date.Date) string { return d.String() + " 00:00:00" },
}

// date writes a date with the errors of the level; subjectDate says it is
// a birth date (whose slips and swaps matter to matching).
func (g *gen) date(d date.Date, subjectDate bool) string {
	if d.IsZero() {
		return ""
	}
	y, m, day := d.Year(), int(d.Month()), d.Day()
	if subjectDate {
		switch {
		case g.rate("date_swap") && m != day:
			m, day = day, m // over 12 it is read back and flagged; otherwise it is wrong
			g.errs["date_swap"]++
		case g.rate("date_slip"):
			for range 20 {
				yy, mm, dd := y, m, day
				switch g.r.IntN(3) {
				case 0:
					yy = y - y%10 + g.r.IntN(10)
				case 1:
					mm = m - m%10 + g.r.IntN(10)
				default:
					dd = day - day%10 + g.r.IntN(10)
				}
				if nd, ok := valid(yy, mm, dd); ok && nd != d {
					y, m, day = yy, mm, dd
					g.errs["date_slip"]++
					break
				}
			}
		}
	}
	s := fmt.Sprintf("%04d-%02d-%02d", y, m, day)
	if _, ok := valid(y, m, day); ok && g.rate("date_format") {
		s = dateFormats[g.r.IntN(len(dateFormats))](date.Of(y, time.Month(m), day))
		g.errs["date_format"]++
	}
	return g.dress(s)
}

func (g *gen) sex(s string) string {
	if g.rate("sex_flip") {
		g.errs["sex_flip"]++
		if s == registry.Male {
			s = registry.Female
		} else {
			s = registry.Male
		}
	}
	if s == registry.Male {
		if g.r.IntN(5) == 0 {
			return "1"
		}
		return "男"
	}
	if g.r.IntN(5) == 0 {
		return "2"
	}
	return "女"
}

// --- the kinds ------------------------------------------------------

func (g *gen) deaths(x *SynthExtract) {
	var pool []*synth.Person
	for i := range g.reg.Persons {
		if p := &g.reg.Persons[i]; !p.Death.IsZero() {
			pool = append(pool, p)
		}
	}
	for n, i := range g.pick(len(pool), g.cfg.Rows) {
		s := g.who(pool[i])
		death := s.p.Death
		if death.IsZero() {
			death = g.reg.AsOf.AddDays(-g.r.IntN(720))
		}
		x.Rows = append(x.Rows, []string{g.id(s.p.IDNumber, s.p, idMissingFactor(PoliceDeaths, RolePerson)), g.name(s.p.Name),
			g.sex(s.p.Sex), g.date(s.p.Birth, true), g.date(death, false), s.address})
		g.truth(x, n+1, RolePerson, s)
	}
}

func (g *gen) moves(x *SynthExtract) {
	spells := map[int64][]*synth.HukouSpell{}
	for i := range g.reg.Hukou {
		h := &g.reg.Hukou[i]
		spells[h.PersonID] = append(spells[h.PersonID], h)
	}
	var pool []*synth.Person
	for i := range g.reg.Persons {
		p := &g.reg.Persons[i]
		if p.Death.IsZero() && p.IDNumber != "" {
			pool = append(pool, p)
		}
	}
	others := g.otherCounties()
	for n, i := range g.pick(len(pool), g.cfg.Rows) {
		p := pool[i]
		s := g.who(p)
		typ, when, other := "迁出", g.reg.AsOf.AddDays(-g.r.IntN(365)), others[g.r.IntN(len(others))]
		hukou := "农业"
		if s.p.HukouType == registry.Urban {
			hukou = "非农业"
		}
		if hs := spells[p.ID]; s.inside && len(hs) > 1 {
			last, prev := hs[len(hs)-1], hs[len(hs)-2]
			switch last.Reason {
			case "move_in":
				typ, when, other = "迁入", last.From, prev.Region[:6]
			case "conversion", "land_requisition":
				typ, when, other = "户口性质变更", last.From, ""
			}
		}
		x.Rows = append(x.Rows, []string{g.id(s.p.IDNumber, s.p, 0), g.name(s.p.Name), typ, g.date(when, false), other, hukou})
		g.truth(x, n+1, RolePerson, s)
	}
}

func (g *gen) otherCounties() []string {
	var l []string
	t := region.Default()
	for _, pref := range t.Children(region.Code(g.reg.County[:2] + "0000")) {
		for _, c := range t.Children(pref.Code) {
			if len(c.Code) == 6 && string(c.Code) != g.reg.County {
				l = append(l, string(c.Code))
			}
		}
	}
	if len(l) == 0 {
		l = []string{g.reg.County}
	}
	return l
}

func (g *gen) marriages(x *SynthExtract) {
	for n, i := range g.pick(len(g.reg.Marriages), g.cfg.Rows) {
		m := g.reg.Marriages[i]
		h, w := g.who(g.reg.Person(m.A)), g.who(g.reg.Person(m.B))
		typ, when := "结婚", m.From
		if m.End == registry.EndDivorce && !m.To.IsZero() && g.r.IntN(2) == 0 {
			typ, when = "离婚", m.To
		}
		x.Rows = append(x.Rows, []string{typ, g.date(when, false),
			g.name(h.p.Name), g.id(h.p.IDNumber, h.p, idMissingFactor(CivilMarriages, RoleHusband)),
			g.name(w.p.Name), g.id(w.p.IDNumber, w.p, idMissingFactor(CivilMarriages, RoleWife))})
		g.truth(x, n+1, RoleHusband, h)
		g.truth(x, n+1, RoleWife, w)
	}
}

// family is a child with its parents by birth.
type family struct{ child, mother, father *synth.Person }

// families returns the families of county c with a mother, the youngest
// child first, and each mother's children's names.
func families(c *SynthCounty) ([]*family, map[int64][]*synth.Person) {
	fams := map[int64]*family{}
	kids := map[int64][]*synth.Person{}
	for _, t := range c.Children {
		if t.Kind != registry.Birth {
			continue
		}
		ch, p := c.Person(t.Child), c.Person(t.Parent)
		if ch == nil || p == nil {
			continue
		}
		f := fams[t.Child]
		if f == nil {
			f = &family{child: ch}
			fams[t.Child] = f
		}
		if p.Sex == registry.Female {
			f.mother = p
			kids[p.ID] = append(kids[p.ID], ch)
		} else {
			f.father = p
		}
	}
	var pool []*family
	for _, f := range fams {
		if f.mother != nil {
			pool = append(pool, f)
		}
	}
	slices.SortFunc(pool, func(a, b *family) int {
		if c := b.child.Birth.Compare(a.child.Birth); c != 0 {
			return c
		}
		return int(a.child.ID - b.child.ID)
	})
	return pool, kids
}

// births writes birth certificates or vaccination records: children with
// their parents, the youngest first. Of the families, Outside/2 come from
// another county altogether, and Outside are a registry mother's child
// the registry lacks (an unreported birth).
func (g *gen) births(x *SynthExtract) {
	pool, kidsOf := families(g.reg)
	pool = pool[:min(len(pool), max(g.cfg.Rows, 1000))]
	var outside []*family
	if g.out != nil {
		outside, _ = families(g.out)
		outside = outside[:min(len(outside), max(g.cfg.Rows/5, 500))]
	}
	kind := g.cfg.Kind
	in := func(p *synth.Person) subject { return subject{p: p, inside: true, address: g.address(p.Region)} }
	out := func(p *synth.Person) subject { return subject{p: p, address: g.address(p.Region)} }
	for n, i := range g.pick(len(pool), g.cfg.Rows) {
		f := pool[i]
		child, mother := in(f.child), in(f.mother)
		var father subject
		hasFather := f.father != nil
		if hasFather {
			father = in(f.father)
		}
		switch x := g.r.Float64(); {
		case x < g.cfg.Outside/2 && len(outside) > 0:
			of := outside[g.r.IntN(len(outside))]
			child, mother = out(of.child), out(of.mother)
			hasFather = of.father != nil
			if hasFather {
				father = out(of.father)
			}
		case x < g.cfg.Outside && len(outside) > 0:
			// A child the registry lacks: the father's surname (or the
			// mother's) and a given name of a child from elsewhere, not
			// sounding like a registered child's name nor born within a
			// year of one.
			sur := []rune(f.mother.Name)[:1]
			if f.father != nil {
				sur = []rune(f.father.Name)[:1]
			}
			for range 10 {
				of := outside[g.r.IntN(len(outside))]
				p := *of.child
				p.Name = string(sur) + string([]rune(p.Name)[1:])
				p.Birth = f.child.Birth.AddDays(g.r.IntN(1500) - 750)
				ok := p.Birth.Before(g.reg.AsOf)
				for _, k := range kidsOf[f.mother.ID] { // not a registered child's name, nor within a year of one
					if sameName(nameLevel(g.ix(k.Name), p.Name)) || k.Birth.AddDays(-300).Before(p.Birth) && p.Birth.Before(k.Birth.AddDays(300)) {
						ok = false
					}
				}
				if ok {
					child = out(&p)
					break
				}
			}
		}
		childName := g.name(child.p.Name)
		if kind == HospitalBirths && g.rate("child_unnamed") {
			if child.p.Sex == registry.Female {
				childName = []string{mother.p.Name + "之女", "女婴", ""}[g.r.IntN(3)]
			} else {
				childName = []string{mother.p.Name + "之子", "男婴", ""}[g.r.IntN(3)]
			}
			g.errs["child_unnamed"]++
		}
		town := ""
		if d, ok := region.Default().Lookup(region.Code(child.p.Region[:min(9, len(child.p.Region))] + "000")); ok {
			town = d.Name
		}
		if kind == HospitalBirths {
			fname, fid := "", ""
			if hasFather {
				fname, fid = g.name(father.p.Name), g.id(father.p.IDNumber, father.p, idMissingFactor(kind, RoleFather))
			}
			place := town + "卫生院"
			if g.r.IntN(2) == 0 || town == "" {
				if d, ok := region.Default().Lookup(region.Default().County(region.Code(child.p.Region))); ok {
					place = d.Name + "人民医院"
				}
			}
			x.Rows = append(x.Rows, []string{fmt.Sprintf("%c%09d", 'M'+rune(g.r.IntN(14)), g.r.IntN(1_000_000_000)), childName, g.sex(child.p.Sex),
				g.date(child.p.Birth, true), g.name(mother.p.Name), g.id(mother.p.IDNumber, mother.p, idMissingFactor(kind, RoleMother)),
				fname, fid, place})
			g.truth(x, n+1, RoleChild, child)
			g.truth(x, n+1, RoleMother, mother)
			if hasFather {
				g.truth(x, n+1, RoleFather, father)
			}
			continue
		}
		unit := town + "卫生院"
		if town == "" || strings.HasSuffix(town, "街道") {
			unit = town + "社区卫生服务中心"
		}
		x.Rows = append(x.Rows, []string{childName, g.sex(child.p.Sex), g.date(child.p.Birth, true),
			g.name(mother.p.Name), g.id(mother.p.IDNumber, mother.p, idMissingFactor(kind, RoleMother)), unit})
		g.truth(x, n+1, RoleChild, child)
		g.truth(x, n+1, RoleMother, mother)
	}
}

func (g *gen) pensions(x *SynthExtract) {
	type ret struct {
		p    *synth.Person
		when date.Date
		emp  string
	}
	var pool []ret
	for _, r := range g.reg.Retirements {
		if p := g.reg.Person(r.PersonID); p != nil && p.IDNumber != "" {
			pool = append(pool, ret{p, r.Date, r.Employer})
		}
	}
	if len(pool) < g.cfg.Rows { // persons of pension age, retired in the simulation or not
		for i := range g.reg.Persons {
			p := &g.reg.Persons[i]
			if p.IDNumber != "" && p.Birth.YearsBetween(g.reg.AsOf) >= 60 && len(pool) < 4*g.cfg.Rows {
				pool = append(pool, ret{p, p.Birth.AddMonths(12 * 60), "enterprise"})
			}
		}
	}
	names := map[string]string{"enterprise": "企业", "institution": "事业单位", "government": "机关"}
	for n, i := range g.pick(len(pool), g.cfg.Rows) {
		r := pool[i]
		s := g.who(r.p)
		x.Rows = append(x.Rows, []string{g.id(s.p.IDNumber, s.p, 0), g.name(s.p.Name), g.date(r.when, false), names[r.emp]})
		g.truth(x, n+1, RolePerson, s)
	}
}

func (g *gen) disabilities(x *SynthExtract) {
	type dis struct {
		p     *synth.Person
		cat   string
		grade int
		from  date.Date
	}
	var pool []dis
	for _, d := range g.reg.Disabilities {
		if p := g.reg.Person(d.PersonID); p != nil && p.IDNumber != "" {
			pool = append(pool, dis{p, d.Category, d.Grade, d.From})
		}
	}
	if len(pool) < g.cfg.Rows {
		cats := []string{"sight", "hearing", "speech", "limb", "intellect", "mental", "multiple"}
		for i := range g.reg.Persons {
			p := &g.reg.Persons[i]
			if p.IDNumber != "" && p.Death.IsZero() && i%7 == 0 && len(pool) < 4*g.cfg.Rows {
				pool = append(pool, dis{p, cats[i%len(cats)], 1 + i%4, g.reg.AsOf.AddDays(-(i % 3000))})
			}
		}
	}
	catNames := map[string]string{"sight": "视力", "hearing": "听力", "speech": "言语", "limb": "肢体", "intellect": "智力", "mental": "精神", "multiple": "多重"}
	grades := []string{"", "一级", "二级", "三级", "四级"}
	for n, i := range g.pick(len(pool), g.cfg.Rows) {
		d := pool[i]
		s := g.who(d.p)
		cat := catNames[d.cat]
		if g.r.IntN(2) == 0 {
			cat += "残疾"
		}
		grade := grades[max(1, min(4, d.grade))]
		if g.r.IntN(3) == 0 {
			grade = strconv.Itoa(max(1, min(4, d.grade)))
		}
		issued := d.from
		if issued.IsZero() {
			issued = g.reg.AsOf
		}
		x.Rows = append(x.Rows, []string{g.id(s.p.IDNumber, s.p, 0), g.name(s.p.Name), cat, grade, g.date(issued, false)})
		g.truth(x, n+1, RolePerson, s)
	}
}

// ix prepares a name for nameLevel.
func (g *gen) ix(name string) *query {
	n := NormalizeName(name)
	q := &query{name: n, runes: []rune(n)}
	q.surname = surnameLen(q.runes)
	q.reads = make([][]uint16, len(q.runes))
	for i, r := range q.runes {
		q.reads[i] = readings(r, i < q.surname)
	}
	return q
}

// --- character tables for the errors ---------------------------------

// commonChars are frequent characters, of names and of everyday text, from
// which homophones and stray characters are drawn.
const commonChars = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤" +
	"章彰掌长常昌厂唱畅场尝丽莉力立利李理里礼历例励黎离梨璃莉栗荔俐" +
	"建国华强明生胜山林军成才民荣祥贵德志永文振福玉树春金伟涛鹏杰超浩斌亮帅鑫阳宇轩然辰豪熙航泽睿瑞涵子梓俊奕一皓沐博铭" +
	"英兰珍芳梅花莲琴香霞红燕娟萍玲静婷敏雪娜丹倩琳颖洁怡欣诗雨可语紫思若佳依萱汐馨桐彤琪菲妍悦秀桂凤淑翠素月艳美晓海" +
	"见件健剑鉴坚间键舰箭渐监果过郭锅裹国玉育宇雨语羽域遇誉欲狱芳方房防放访仿纺华化话画划花滑哗明名鸣铭命冥茗" +
	"军君均俊峻骏菌钧强墙枪抢羌蔷伟为维位卫威微围唯委尾纬玮炜涛桃陶滔淘讨套萄鹏朋蓬棚彭捧杰洁结节姐解界借介届戒" +
	"平萍评屏瓶凭苹坪安岸按案暗顺舜瞬新心欣馨鑫辛薪信星兴光广逛亮量良梁凉粮两辉灰挥徽恢回会惠慧汇绘达大答打清青轻情请庆晴" +
	"源原元园员圆远愿院苑诚成城程乘承呈进近金今劲锦尽晋"

var (
	genTablesOnce sync.Once
	homophones    map[uint32][]rune
	variants      map[rune]rune
	traditional   map[rune]rune
	looks         map[rune][]rune
)

func initGenTables() {
	genTablesOnce.Do(func() {
		homophones = map[uint32][]rune{}
		seen := map[rune]bool{}
		for _, r := range commonChars {
			if seen[r] {
				continue
			}
			seen[r] = true
			k := primary(r, false)
			homophones[k] = append(homophones[k], r)
		}
		variants = map[rune]rune{}
		for v, s := range nameVariants {
			if _, ok := variants[s]; !ok || v < variants[s] {
				variants[s] = v
			}
		}
		traditional = map[rune]rune{}
		rs := []rune(tsPairs)
		for i := 0; i+1 < len(rs); i += 2 {
			if _, ok := traditional[rs[i+1]]; !ok {
				traditional[rs[i+1]] = rs[i]
			}
		}
		looks = map[rune][]rune{}
		for _, group := range lookAlikeGroups {
			g := []rune(group)
			for _, r := range g {
				for _, o := range g {
					if o != r {
						looks[r] = append(looks[r], o)
					}
				}
			}
		}
	})
}

func homophonePool() map[uint32][]rune { initGenTables(); return homophones }
func variantOf() map[rune]rune         { initGenTables(); return variants }
func traditionalOf() map[rune]rune     { initGenTables(); return traditional }
func lookAlikes() map[rune][]rune      { initGenTables(); return looks }

// lookAlikeGroups are characters mistaken for one another when read from
// handwriting or typed by their shape.
var lookAlikeGroups = []string{
	"王玉主", "己已巳", "未末", "土士", "人入八", "日曰", "天夫", "大太犬", "田由甲申", "贝见", "刀力",
	"千干于", "宇字", "明朋", "杨扬汤", "李季", "军车", "华毕", "春秦泰", "梅海", "红江", "芳方",
	"娟涓绢", "萍苹", "丽麗", "秀季", "英瑛", "玲铃伶", "静净", "敏繁", "燕艳", "霞瑕", "琴瑟",
	"伟纬炜", "强弦", "刚钢纲", "斌彬", "涛寿", "鹏朋", "杰木", "超起", "浩皓", "亮高", "辉晖",
	"建健键", "国图", "志忐", "德得", "永水", "福富", "贵责", "荣营", "祥样", "林材", "成城诚",
}
