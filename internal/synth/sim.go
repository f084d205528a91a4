package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// startYear is the first simulated year. Emission keeps people alive on or
// after emitAliveFrom and everyone born on or after emitBornFrom.
const startYear = 1920

var (
	emitAliveFrom = date.Of(1980, 1, 1)
	emitBornFrom  = date.Of(1950, 1, 1)
)

// village is a division that receives part of the population.
type village struct {
	code   string
	urban  bool // a residents' committee (社区/居委会) rather than a village
	weight float64
}

type generator struct {
	cfg      Config
	all      []village // every village of the county (hukou moves go anywhere)
	villages []int     // indices into all of the villages that are simulated
	weights  float64   // sum of the weights of villages not yet simulated
	addrs    []string  // address codes for ID numbers, county first
	seqs     map[uint64]uint16
	emitted  int     // persons emitted so far
	seeded   float64 // initial persons simulated so far
	sim      sim     // reused between villages
	// regSeq and filingSeq number the county's birth registrations and
	// childcare filings by year, in the order they are generated;
	// urbanShare is the residents' committees' share of the weight of the
	// villages simulated.
	regSeq, filingSeq map[int]int
	urbanShare        float64
	places            *places // where migrants live and hukou moves go (moves.go)
}

func newGenerator(cfg Config) (*generator, error) {
	t := region.Default()
	g := &generator{cfg: cfg, seqs: make(map[uint64]uint16), regSeq: map[int]int{}, filingSeq: map[int]int{}, places: newPlaces(cfg.County)}
	for _, tw := range t.Children(region.Code(cfg.County)) {
		kids := t.Children(tw.Code)
		if len(kids) == 0 && tw.Level == region.Township {
			kids = []region.Division{tw}
		}
		for _, v := range kids {
			g.all = append(g.all, village{code: string(v.Code), urban: strings.Contains(v.Name, "社区") || strings.Contains(v.Name, "居委会") || strings.HasSuffix(v.Name, "街道")})
		}
	}
	if len(g.all) == 0 {
		return nil, fmt.Errorf("synth: county %s has no townships or villages in the division tree", cfg.County)
	}
	// Use about one village per 2,000 persons, spread evenly over the
	// county, so that each village has a marriage market of its own.
	// Residents' committees weigh less than villages: in a rural county
	// only about a tenth of the people held non-agricultural hukou before
	// the 1990s.
	k := min(len(g.all), max(1, cfg.Persons/2000))
	r := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	for i := 0; i < k; i++ {
		vi := i * len(g.all) / k
		w := math.Exp(0.45 * r.NormFloat64())
		if g.all[vi].urban {
			w *= 0.6
		}
		g.all[vi].weight = w
		g.weights += w
		g.villages = append(g.villages, vi)
		if g.all[vi].urban {
			g.urbanShare += w
		}
	}
	g.urbanShare /= g.weights
	c := cfg.County
	g.addrs = []string{c, c[:4] + "00"}
	for _, d := range t.Children(region.Code(c[:4] + "00")) {
		if string(d.Code) != c && len(d.Code) == 6 {
			g.addrs = append(g.addrs, string(d.Code))
		}
	}
	return g, nil
}

// spell is a simulated hukou spell; vil indexes generator.all.
type spell struct {
	rural  bool
	vil    int32
	from   date.Date
	reason string
}

// Employer kinds (index into employerNames).
const (
	empNone uint8 = iota
	empUndecided
	empEnterprise
	empInstitution
	empGovernment
)

var employerNames = [...]string{"", "", "enterprise", "institution", "government"}

type sperson struct {
	birth, death date.Date
	male         bool
	infertile    bool
	sterilised   bool // infertile after a sterilisation (reversible)
	firstGirl    bool
	disabled     bool
	employer     uint8
	nMarriages   uint8
	parity       uint8 // births given (women)
	marital      string
	spouse       int32
	marriage     int32
	cert         int32 // index of the woman's one-child certificate (two rows), or -1
	freeYear     int16 // may not marry before this year
	lastBirth    date.Date
	kids         []int32 // born and adopted children
	hukou        []spell
	surname      string
	given        string
}

type smarriage struct {
	a, b     int32
	from, to date.Date
	end      string
}

type slink struct {
	parent, child int32
	kind          string
	from          date.Date
	policy        int8 // 0 unknown, 1 in policy, 2 out of policy
}

type sdis struct {
	p        int32
	grade    int
	category string
	from, to date.Date
}

type scert struct {
	holder            int32
	issued, cancelled date.Date
	reason            string
}

type scomp struct {
	p     int32
	grade int
	from  date.Date
}

// sop is a contraceptive operation; sperm a permission for a second birth.
type sop struct {
	p      int32
	method string
	date   date.Date
}

type sperm struct {
	p      int32
	issued date.Date
}

// sborn is a birth since 2021: the parents, the child and whether the
// birth is within the policy.
type sborn struct {
	h, w, c  int32
	inPolicy bool
}

type sret struct {
	p        int32
	date     date.Date
	employer uint8
}

// sim is the state of one village's simulation.
type sim struct {
	r         *rand.Rand
	g         *generator
	vil       int32
	asOf      date.Date
	ps        []sperson
	alive     []int32
	marriages []smarriage
	active    []int32
	links     []slink
	dis       []sdis
	certs     []scert
	comps     []scomp
	rets      []sret
	ops       []sop
	perms     []sperm
	// x draws the facts added to the registry after the simulation was
	// calibrated (operations, permissions, pensions, admissions), so that
	// they leave the calibrated population itself unchanged.
	x *rand.Rand
	// y draws the services of births and the under-threes (services.go),
	// apart from the rest for the same reason; recent are the births since
	// 2021, which they read.
	y *rand.Rand
	// z draws residence and moves (moves.go), apart for the same reason.
	z       *rand.Rand
	recent  []sborn
	buckets [][]int32 // single men by birth year - bucketBase
	women   []int32
	localID []int64
	steps   map[[2]int32]bool // step links made, to make each once
}

const bucketBase = 1800

func (s *sim) reset(g *generator, vil int, seed uint64) {
	s.g = g
	s.vil = int32(vil)
	s.asOf = g.cfg.AsOf
	s.r = rand.New(rand.NewPCG(seed, uint64(vil)*0x9E3779B97F4A7C15+1))
	s.x = rand.New(rand.NewPCG(seed^0xA5A5A5A5A5A5A5A5, uint64(vil)*0x9E3779B97F4A7C15+7))
	s.y = rand.New(rand.NewPCG(seed^0x5A5A5A5A5A5A5A5A, uint64(vil)*0x9E3779B97F4A7C15+11))
	s.z = rand.New(rand.NewPCG(seed^0x3C3C3C3C3C3C3C3C, uint64(vil)*0x9E3779B97F4A7C15+13))
	s.recent = s.recent[:0]
	s.ps = s.ps[:0]
	s.alive = s.alive[:0]
	s.marriages = s.marriages[:0]
	s.active = s.active[:0]
	s.links = s.links[:0]
	s.dis = s.dis[:0]
	s.certs = s.certs[:0]
	s.comps = s.comps[:0]
	s.rets = s.rets[:0]
	s.ops = s.ops[:0]
	s.perms = s.perms[:0]
	s.steps = make(map[[2]int32]bool)
	if s.buckets == nil {
		s.buckets = make([][]int32, 2200-bucketBase)
	}
}

func (s *sim) chance(p float64) bool { return s.r.Float64() < p }

// dayIn returns a random day of year y, not after the end of simulation.
func (s *sim) dayIn(y int) date.Date {
	n := 365
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		n = 366
	}
	if y == s.asOf.Year() {
		n = s.asOf.Time().YearDay()
	}
	return date.Of(y, time.January, 1+s.r.IntN(n))
}

// between returns a random day in [a, b] (a when b is before a).
func (s *sim) between(a, b date.Date) date.Date {
	n := int(b.Time().Sub(a.Time()).Hours() / 24)
	if n <= 0 {
		return a
	}
	return a.AddDays(s.r.IntN(n + 1))
}

func (s *sim) newPerson(male bool, birth date.Date, rural bool, vil int32, surname string) int32 {
	if surname == "" {
		surname = drawSurname(s.r)
	}
	s.ps = append(s.ps, sperson{
		birth: birth, male: male, spouse: -1, marriage: -1, cert: -1, marital: "10",
		employer: empUndecided, surname: surname, given: givenName(s.r, male, birth.Year()),
		hukou: []spell{{rural: rural, vil: vil, from: birth, reason: "birth"}},
	})
	return int32(len(s.ps) - 1)
}

func (p *sperson) rural() bool { return p.hukou[len(p.hukou)-1].rural }
func (p *sperson) vil() int32  { return p.hukou[len(p.hukou)-1].vil }

func (s *sim) setHukou(i int32, rural bool, vil int32, d date.Date, reason string) {
	p := &s.ps[i]
	last := p.hukou[len(p.hukou)-1]
	if last.rural == rural && last.vil == vil {
		return
	}
	if !d.After(last.from) {
		d = last.from.AddDays(1)
	}
	p.hukou = append(p.hukou, spell{rural: rural, vil: vil, from: d, reason: reason})
}

// simulateVillage simulates village i of g.villages and appends the people
// to keep to b.
func (g *generator) simulateVillage(i int, b *Batch) {
	vi := g.villages[i]
	v := g.all[vi]
	target := float64(g.cfg.Persons-g.emitted) * v.weight / g.weights
	g.weights -= v.weight
	ratio := 2.4 // emitted persons per initial person, refined as villages are done
	if g.seeded > 0 && g.emitted > 0 {
		ratio = float64(g.emitted) / g.seeded
	}
	initial := max(4, int(math.Round(target/ratio)))
	g.seeded += float64(initial)

	s := &g.sim
	s.reset(g, vi, g.cfg.Seed)
	s.seed(initial, v.urban)
	for y := startYear; y <= g.cfg.AsOf.Year(); y++ {
		s.year(y)
	}
	g.emitted += s.emit(b)
}

// seed creates the population of 1920 with a stable age structure.
func (s *sim) seed(n int, urban bool) {
	for k := 0; k < n; k++ {
		age := int(-math.Log(1-s.r.Float64()*0.93) / 0.038) // ages 0–70
		y := startYear - 1 - age
		// A few non-agricultural households (teachers, cadres, workers) in
		// the villages, a few agricultural ones in the towns.
		rural := !urban
		if urban && s.chance(0.04) || !urban && s.chance(0.015) {
			rural = !rural
		}
		i := s.newPerson(s.chance(0.515), s.dayIn(y), rural, s.vil, "")
		p := &s.ps[i]
		if !p.male && age >= 18 {
			p.parity = uint8(min(6, (age-18)/3))
		}
		if age >= 20 {
			p.employer = empNone
		}
		s.alive = append(s.alive, i)
	}
	// Marry the adults of 1920 to each other where ages fit.
	for _, i := range s.alive {
		if s.ps[i].male && s.ps[i].birth.Year() <= startYear-20 && s.chance(0.92) {
			s.bucket(i)
		}
	}
	for _, i := range s.alive {
		p := &s.ps[i]
		if !p.male && p.birth.Year() <= startYear-18 && s.chance(0.92) {
			if h := s.findHusband(p.birth.Year()); h >= 0 {
				from := s.between(p.birth.AddMonths(12*18), date.Of(startYear-1, 12, 31))
				s.marry(h, i, from)
			}
		}
	}
}

func (s *sim) bucket(i int32) {
	y := s.ps[i].birth.Year() - bucketBase
	s.buckets[y] = append(s.buckets[y], i)
}

// findHusband takes a single man suited to a woman born in wifeYear out of
// the buckets, or returns -1.
func (s *sim) findHusband(wifeYear int) int32 {
	x := s.r.Float64()
	gi := 0
	for ; gi < len(husbandGaps)-1; gi++ {
		if x < husbandGaps[gi].w {
			break
		}
		x -= husbandGaps[gi].w
	}
	for d := 0; d < 6; d++ {
		for _, gap := range [2]int{husbandGaps[gi].gap + d, husbandGaps[gi].gap - d} {
			y := wifeYear - gap - bucketBase
			if y < 0 || y >= len(s.buckets) || len(s.buckets[y]) == 0 {
				continue
			}
			bk := s.buckets[y]
			k := s.r.IntN(len(bk))
			h := bk[k]
			bk[k] = bk[len(bk)-1]
			s.buckets[y] = bk[:len(bk)-1]
			return h
		}
	}
	return -1
}

func (s *sim) marry(h, w int32, d date.Date) {
	hp, wp := &s.ps[h], &s.ps[w]
	m := int32(len(s.marriages))
	s.marriages = append(s.marriages, smarriage{a: h, b: w, from: d})
	s.active = append(s.active, m)
	for _, x := range [2]*sperson{hp, wp} {
		x.nMarriages++
		x.marital = "21"
		if x.nMarriages > 1 {
			x.marital = "22"
		}
		x.marriage = m
	}
	hp.spouse, wp.spouse = w, h
	if wp.nMarriages == 1 && s.chance(primaryInfertility) {
		wp.infertile = true
	}
	// Step-children: the minor children of each spouse.
	for _, pair := range [2][2]int32{{h, w}, {w, h}} {
		for _, c := range s.ps[pair[0]].kids {
			cp := &s.ps[c]
			if (cp.death.IsZero() || cp.death.After(d)) && cp.birth.AddMonths(18*12).After(d) && !s.isParent(pair[1], c) && !s.steps[[2]int32{pair[1], c}] {
				s.steps[[2]int32{pair[1], c}] = true
				s.links = append(s.links, slink{parent: pair[1], child: c, kind: registry.Step, from: d})
			}
		}
	}
	// The wife's hukou moves to the husband's village or community.
	if wp.vil() != hp.vil() && d.Year() >= 1958 {
		s.setHukou(w, wp.rural(), hp.vil(), d, "move_in")
	}
}

func (s *sim) isParent(p, c int32) bool {
	for _, k := range s.ps[p].kids {
		if k == c {
			return true
		}
	}
	return false
}

func (s *sim) endMarriage(m int32, d date.Date, reason string) {
	mm := &s.marriages[m]
	if !mm.to.IsZero() {
		return
	}
	mm.to, mm.end = d, reason
	for _, x := range [2]int32{mm.a, mm.b} {
		p := &s.ps[x]
		p.spouse, p.marriage = -1, -1
		p.freeYear = int16(d.Year() + 1)
		if reason == registry.EndDivorce {
			p.marital = "40"
		} else if p.death.IsZero() {
			p.marital = "30"
		}
	}
}

func (s *sim) die(i int32, d date.Date) {
	p := &s.ps[i]
	if d.Before(p.birth) {
		d = p.birth
	}
	p.death = d
	if p.marriage >= 0 {
		s.endMarriage(p.marriage, d, registry.EndDeath)
	}
}

// year simulates one calendar year.
func (s *sim) year(y int) {
	for k := range s.buckets {
		s.buckets[k] = s.buckets[k][:0]
	}
	s.women = s.women[:0]
	alive := s.alive[:0]
	for _, i := range s.alive {
		p := &s.ps[i]
		if !p.death.IsZero() {
			continue // died in infancy, scheduled at birth
		}
		age := y - p.birth.Year()
		if age >= 1 && s.chance(deathProb(age, p.male, y)*hukouMortality(p.rural(), age)) {
			d := s.dayIn(y)
			if !d.After(p.birth) {
				d = p.birth.AddDays(1 + s.r.IntN(200))
			}
			s.die(i, d)
			continue
		}
		alive = append(alive, i)
		s.personYear(i, age, y)
	}
	s.alive = alive
	s.requisition(y)
	s.marriageMarket(y)
	s.coupleYear(y)
}

func (s *sim) personYear(i int32, age, y int) {
	p := &s.ps[i]
	if p.spouse < 0 && int(p.freeYear) <= y {
		if p.male {
			if age >= menMinAge(y) {
				s.bucket(i)
			}
		} else if age >= 17 && age < 65 {
			s.women = append(s.women, i)
		}
	}
	if y >= 1988 && !p.disabled && s.chance(disabilityHazard(age)) {
		s.disable(i, s.dayIn(y), age < 20)
	}
	switch {
	case age >= 18 && age <= 22 && p.rural() && s.chance(conversionRate(y)):
		s.setHukou(i, false, p.vil(), s.dayIn(y), "conversion")
	case age >= 18 && age < 60 && y >= 1980 && s.chance(moveRate):
		to := int32(s.r.IntN(len(s.g.all)))
		rural := p.rural()
		if y < 2014 && !rural && !s.g.all[to].urban {
			to = p.vil()
		}
		s.setHukou(i, rural, to, s.dayIn(y), "move_in")
	}
	if age == 20 && p.employer == empUndecided {
		x := s.r.Float64()
		switch {
		case p.rural() && x < 0.05, !p.rural() && x < 0.62:
			p.employer = empEnterprise
		case !p.rural() && x < 0.76:
			p.employer = empInstitution
		case !p.rural() && x < 0.83:
			p.employer = empGovernment
		default:
			p.employer = empNone
		}
	}
	if p.employer >= empEnterprise {
		ra := 60
		if !p.male {
			ra = 55
			if p.employer == empEnterprise {
				ra = 50
			}
		}
		if age == ra && y >= 1960 {
			d := date.Of(y, p.birth.Month(), p.birth.Day())
			if !d.After(s.asOf) {
				s.rets = append(s.rets, sret{p: i, date: d, employer: p.employer})
			}
		}
	}
}

func (s *sim) disable(i int32, from date.Date, young bool) {
	s.ps[i].disabled = true
	x := s.r.Float64()
	grade := 4
	switch {
	case young && x < 0.15, !young && x < 0.10:
		grade = 1
	case young && x < 0.40, !young && x < 0.30:
		grade = 2
	case x < 0.62:
		grade = 3
	}
	x = s.r.Float64()
	cat := disabilityCategories[len(disabilityCategories)-1].name
	for _, c := range disabilityCategories {
		if x < c.w {
			cat = c.name
			break
		}
		x -= c.w
	}
	var to date.Date
	if s.chance(0.05) {
		to = from.AddMonths(12 + s.r.IntN(120))
		if to.After(s.asOf) {
			to = date.Date{}
		}
	}
	s.dis = append(s.dis, sdis{p: i, grade: grade, category: cat, from: from, to: to})
}

// requisition converts part of a rural village to urban hukou when its land
// is requisitioned (征地农转非).
func (s *sim) requisition(y int) {
	if s.g.all[s.vil].urban || !s.chance(landRequisitionRate(y)) {
		return
	}
	share := 0.2 + 0.6*s.r.Float64()
	d := s.dayIn(y)
	for _, i := range s.alive {
		p := &s.ps[i]
		if p.rural() && p.vil() == s.vil && s.chance(share) {
			s.setHukou(i, false, s.vil, d, "land_requisition")
		}
	}
}

func (s *sim) marriageMarket(y int) {
	for _, w := range s.women {
		p := &s.ps[w]
		if p.spouse >= 0 || !p.death.IsZero() {
			continue
		}
		age := y - p.birth.Year()
		rate := womanMarriageRate(age, y)
		if p.nMarriages > 0 {
			switch {
			case age < 40:
				rate = 0.15
			case age < 55:
				rate = 0.05
			default:
				rate = 0.01
			}
		}
		if !s.chance(rate) {
			continue
		}
		h := s.findHusband(p.birth.Year())
		if h < 0 {
			continue
		}
		s.marry(h, w, s.dayIn(y))
	}
}

// coupleYear runs divorces, births and adoptions of the married couples.
func (s *sim) coupleYear(y int) {
	divorce := interp(divorceAnchors, y)
	active := s.active[:0]
	for _, m := range s.active {
		mm := &s.marriages[m]
		if !mm.to.IsZero() {
			continue
		}
		if mm.from.Year() < y && s.chance(divorce) {
			s.endMarriage(m, s.dayIn(y), registry.EndDivorce)
			continue
		}
		active = append(active, m)
		if mm.from.Year() < y {
			s.births(m, y)
		}
	}
	s.active = active
}

// surviving returns the number of i's children alive at the start of
// year y, and how many of them are sons.
func (s *sim) surviving(i int32, y int) (n, sons int) {
	for _, c := range s.ps[i].kids {
		if d := s.ps[c].death; d.IsZero() || d.Year() >= y {
			n++
			if s.ps[c].male {
				sons++
			}
		}
	}
	return n, sons
}

func (s *sim) births(m int32, y int) {
	mm := s.marriages[m]
	h, w := mm.a, mm.b
	wp := &s.ps[w]
	age := y - wp.birth.Year()
	if age < 15 || age > 49 {
		return
	}
	if wp.infertile && wp.sterilised && y >= 1980 && age < 45 {
		// Sterilised parents whose children have all died may have the
		// sterilisation reversed (复通) to bear a child again, which the
		// policy allowed.
		if n, _ := s.surviving(w, y); n == 0 && s.chance(reversalRate) {
			wp.infertile, wp.sterilised = false, false
		}
	}
	if wp.infertile {
		// Childless couples sometimes adopt (收养, often de facto before 1992).
		if len(wp.kids) == 0 && y-mm.from.Year() >= 4 && age >= 25 && age <= 45 {
			rate := 0.05
			if y >= 1992 {
				rate = 0.025
			}
			if s.chance(rate) {
				s.adopt(h, w, y)
			}
		}
		return
	}
	if !wp.lastBirth.IsZero() && wp.lastBirth.Year() >= y {
		return
	}
	f := family{parity: int(wp.parity), firstGirl: wp.firstGirl, rural: wp.rural()}
	f.surviving, f.sons = s.surviving(w, y)
	if !wp.lastBirth.IsZero() {
		f.gap = y - wp.lastBirth.Year()
	}
	hz, inPolicy := birthHazard(f, y)
	if !s.chance(hz * ageFertility(age)) {
		return
	}
	d := s.dayIn(y)
	earliest := mm.from.AddDays(240)
	if !wp.lastBirth.IsZero() && wp.lastBirth.AddDays(300).After(earliest) {
		earliest = wp.lastBirth.AddDays(300)
	}
	if d.Before(earliest) {
		if earliest.Year() != y || earliest.After(s.asOf) {
			return
		}
		d = earliest
	}
	s.birth(h, w, d, inPolicy, f.sons)
}

// birth adds a child of h and w born on d; sons is the number of their
// surviving sons.
func (s *sim) birth(h, w int32, d date.Date, inPolicy bool, sons int) {
	y := d.Year()
	hp, wp := &s.ps[h], &s.ps[w]
	male := s.chance(maleShare(y, wp.parity == 0, sons > 0))
	surname := hp.surname
	if s.chance(0.03) {
		surname = wp.surname
	}
	rural := wp.rural()
	if y >= 1998 && rural && !hp.rural() && s.chance(0.5) {
		rural = false
	}
	c := s.newPerson(male, d, rural, hp.vil(), surname)
	hp, wp = &s.ps[h], &s.ps[w] // newPerson may move ps
	pol := int8(2)
	if inPolicy || y < 1973 {
		pol = 1
	}
	if y >= 1973 && y <= 2001 && s.chance(0.01) {
		pol = 0
	}
	s.links = append(s.links,
		slink{parent: h, child: c, kind: registry.Birth, policy: pol},
		slink{parent: w, child: c, kind: registry.Birth, policy: pol})
	hp.kids = append(hp.kids, c)
	wp.kids = append(wp.kids, c)
	if y >= 2021 {
		s.recent = append(s.recent, sborn{h: h, w: w, c: c, inPolicy: pol == 1})
	}
	wp.parity++
	if wp.parity == 1 {
		wp.firstGirl = !male
	}
	wp.lastBirth = d

	// An in-policy second birth of the 1.5-child era (1984–2015) was
	// approved in advance (再生育审批).
	if wp.parity == 2 && inPolicy && y >= 1984 && y <= 2015 {
		s.perms = append(s.perms, sperm{p: w, issued: d.AddDays(-270 - s.x.IntN(270))})
	}
	// The one-child certificate: issued after a first birth in 1979–2015,
	// cancelled when another child is born.
	switch {
	case wp.parity == 1 && y >= 1979 && y <= 2015:
		p := 0.45
		if !rural {
			p = 0.85
		}
		if s.chance(p) {
			iss := d.AddDays(120 + s.r.IntN(900))
			wp.cert = int32(len(s.certs))
			s.certs = append(s.certs, scert{holder: w, issued: iss}, scert{holder: h, issued: iss})
			// Some rural parents of a first girl, allowed a second child,
			// took the certificate instead (金寨's 2,000 yuan award).
			if rural && !male && y >= 1984 && s.x.Float64() < voluntaryCertificateShare {
				s.perms = append(s.perms, sperm{p: w, issued: iss.AddDays(-30 - s.x.IntN(300))})
			}
		}
	case wp.parity > 1 && wp.cert >= 0:
		for k := wp.cert; k < wp.cert+2; k++ {
			cc := &s.certs[k]
			if cc.issued.Before(d) && cc.cancelled.IsZero() && s.chance(0.9) {
				cc.cancelled, cc.reason = d, "再生育"
			} else if !cc.issued.Before(d) {
				cc.issued = date.Date{} // never issued
			}
		}
		wp.cert = -1
	}

	cp := &s.ps[c]
	if s.chance(interp(imrAnchors, y) * hukouMortality(rural, 0)) {
		cp.death = d.AddDays(s.r.IntN(330))
		if cp.death.After(s.asOf) {
			cp.death = date.Date{}
		}
	}
	// Sterilisation after the last permitted birth in 1980–2005, once the
	// child has survived infancy.
	if y >= 1980 && y <= 2005 && cp.death.IsZero() {
		if male {
			sons++
		}
		if s.chance(sterilisationShare(rural, int(wp.parity), sons)) {
			wp.infertile, wp.sterilised = true, true
			who := w
			if s.chance(0.07) {
				who = h
			}
			method := registry.FemaleSterilisation
			if who == h {
				method = registry.MaleSterilisation
			}
			s.ops = append(s.ops, sop{p: who, method: method, date: d.AddDays(42 + s.x.IntN(300))})
			if s.chance(0.0025) {
				g := 3
				if x := s.r.Float64(); x < 0.15 {
					g = 1
				} else if x < 0.5 {
					g = 2
				}
				from := d.AddDays(60 + s.r.IntN(1000))
				if !from.After(s.asOf) {
					s.comps = append(s.comps, scomp{p: who, grade: g, from: from})
				}
			}
		}
	}

	// A woman not sterilised after a birth often had an IUD fitted.
	if y >= 1980 && !s.ps[w].sterilised && s.x.Float64() < iudShare {
		s.ops = append(s.ops, sop{p: w, method: registry.IUD, date: d.AddDays(42 + s.x.IntN(140))})
	}

	if s.chance(congenitalDisability) {
		s.disable(c, d.AddMonths(6+s.r.IntN(96)), true)
	}
	s.alive = append(s.alive, c)
}

func (s *sim) adopt(h, w int32, y int) {
	d := s.dayIn(y)
	born := d.AddDays(-s.r.IntN(3 * 365))
	girl := 0.5
	if y < 2000 {
		girl = 0.62
	}
	hp := &s.ps[h]
	c := s.newPerson(!s.chance(girl), born, s.ps[w].rural(), hp.vil(), hp.surname)
	kind := registry.AdoptionDeFacto
	if (y > 1992 || (y == 1992 && d.Month() >= time.April)) && s.chance(0.75) || y < 1992 && s.chance(0.1) {
		kind = registry.Adoption
	}
	s.links = append(s.links,
		slink{parent: h, child: c, kind: kind, from: d},
		slink{parent: w, child: c, kind: kind, from: d})
	s.ps[h].kids = append(s.ps[h].kids, c)
	s.ps[w].kids = append(s.ps[w].kids, c)
	s.alive = append(s.alive, c)
}

var (
	inPolicyTrue  = true
	inPolicyFalse = false
)

// keep reports whether a simulated person belongs in the registry.
func keep(p *sperson) bool {
	return p.death.IsZero() || !p.death.Before(emitAliveFrom) || !p.birth.Before(emitBornFrom)
}

// emit appends the village's registry to b and returns the persons added.
func (s *sim) emit(b *Batch) int {
	g := s.g
	if cap(s.localID) < len(s.ps) {
		s.localID = make([]int64, len(s.ps))
	}
	s.localID = s.localID[:len(s.ps)]
	added := 0
	for i := range s.ps {
		p := &s.ps[i]
		s.localID[i] = 0
		if !keep(p) {
			continue
		}
		id := int64(len(b.Persons) + 1)
		s.localID[i] = id
		added++
		last := p.hukou[len(p.hukou)-1]
		ht := registry.Urban
		if last.rural {
			ht = registry.Rural
		}
		b.Persons = append(b.Persons, Person{
			ID: id, IDNumber: g.idNumber(p), Name: p.surname + p.given, Sex: sexOf(p.male),
			Birth: p.birth, Death: p.death, Region: g.all[last.vil].code, HukouType: ht,
			Pension: s.pension(p), Marital: p.marital,
		})
		if p.death.IsZero() {
			q := &b.Persons[len(b.Persons)-1]
			age := p.birth.YearsBetween(s.asOf)
			q.Residence = g.residence(s.z, q.Region, last.rural, age)
			q.MoveTo, q.MoveOn = g.moveOut(s.z, age, s.asOf)
		}
		for k, h := range p.hukou {
			var to date.Date
			if k+1 < len(p.hukou) {
				to = p.hukou[k+1].from.AddDays(-1)
			}
			t := registry.Urban
			if h.rural {
				t = registry.Rural
			}
			b.Hukou = append(b.Hukou, HukouSpell{ID: int64(len(b.Hukou) + 1), PersonID: id, Type: t,
				Region: g.all[h.vil].code, From: h.from, To: to, Reason: h.reason})
		}
	}
	for _, m := range s.marriages {
		a, bb := s.localID[m.a], s.localID[m.b]
		if a == 0 || bb == 0 {
			continue
		}
		b.Marriages = append(b.Marriages, Marriage{ID: int64(len(b.Marriages) + 1), A: a, B: bb, From: m.from, To: m.to, End: m.end})
	}
	for _, l := range s.links {
		pa, ch := s.localID[l.parent], s.localID[l.child]
		if pa == 0 || ch == 0 {
			continue
		}
		pc := ParentChild{ID: int64(len(b.Children) + 1), Parent: pa, Child: ch, Kind: l.kind, From: l.from}
		switch l.policy {
		case 1:
			pc.InPolicy = &inPolicyTrue
		case 2:
			pc.InPolicy = &inPolicyFalse
		}
		b.Children = append(b.Children, pc)
	}
	for _, d := range s.dis {
		p := &s.ps[d.p]
		if s.localID[d.p] == 0 || d.from.After(s.asOf) || (!p.death.IsZero() && !d.from.Before(p.death)) {
			continue
		}
		b.Disabilities = append(b.Disabilities, Disability{ID: int64(len(b.Disabilities) + 1), PersonID: s.localID[d.p],
			Grade: d.grade, Category: d.category, From: d.from, To: d.to})
	}
	for _, c := range s.certs {
		p := &s.ps[c.holder]
		if s.localID[c.holder] == 0 || c.issued.IsZero() || c.issued.After(s.asOf) || (!p.death.IsZero() && p.death.Before(c.issued)) {
			continue
		}
		id := int64(len(b.Certificates) + 1)
		b.Certificates = append(b.Certificates, Certificate{ID: id, Holder: s.localID[c.holder], Kind: registry.CertOneChild,
			Number: fmt.Sprintf("%s%04d%06d", g.cfg.County, c.issued.Year(), s.r.IntN(1000000)),
			Issued: c.issued, Cancelled: c.cancelled, CancelReason: c.reason})
	}
	for _, c := range s.comps {
		p := &s.ps[c.p]
		if s.localID[c.p] == 0 || (!p.death.IsZero() && p.death.Before(c.from)) {
			continue
		}
		b.Complications = append(b.Complications, Complication{ID: int64(len(b.Complications) + 1), PersonID: s.localID[c.p], Grade: c.grade, From: c.from})
	}
	retired := map[int32]date.Date{}
	for _, r := range s.rets {
		retired[r.p] = r.date
		if s.localID[r.p] == 0 {
			continue
		}
		b.Retirements = append(b.Retirements, Retirement{ID: int64(len(b.Retirements) + 1), PersonID: s.localID[r.p], Date: r.date, Employer: employerNames[r.employer]})
	}
	for _, o := range s.ops {
		p := &s.ps[o.p]
		if s.localID[o.p] == 0 || o.date.After(s.asOf) || (!p.death.IsZero() && p.death.Before(o.date)) {
			continue
		}
		b.Contraception = append(b.Contraception, Contraception{ID: int64(len(b.Contraception) + 1), PersonID: s.localID[o.p], Method: o.method, Date: o.date})
	}
	for _, x := range s.perms {
		p := &s.ps[x.p]
		if s.localID[x.p] == 0 || x.issued.After(s.asOf) || (!p.death.IsZero() && p.death.Before(x.issued)) {
			continue
		}
		b.Permissions = append(b.Permissions, BirthPermission{ID: int64(len(b.Permissions) + 1), Holder: s.localID[x.p], Kind: registry.PermitSecondBirth,
			Number: fmt.Sprintf("%s%04d%05d", g.cfg.County, x.issued.Year(), s.x.IntN(100000)), Issued: x.issued})
	}
	for i := range s.ps {
		if s.localID[i] == 0 {
			continue
		}
		s.emitPension(b, int32(i), retired)
		s.emitAdmission(b, int32(i))
	}
	s.emitServices(b)
	return added
}

// emitPension adds the person's pension enrolment: the urban employee
// scheme for employees (from age 20, drawn from retirement), the resident
// scheme for most others aged 16 or more
// once it covered the county (新农保 and 城居保, 2009–2012; drawn from 60).
func (s *sim) emitPension(b *Batch, i int32, retired map[int32]date.Date) {
	p := &s.ps[i]
	end := s.asOf
	if !p.death.IsZero() && p.death.Before(end) {
		end = p.death
	}
	var x Pension
	switch s.pension(p) {
	case registry.PensionUrbanEmployee:
		x = Pension{Scheme: registry.PensionUrbanEmployee, Enrolled: p.birth.AddMonths(20 * 12)}
		if r, ok := retired[i]; ok {
			x.Drawing = r
		}
	case registry.PensionResident:
		if s.x.Float64() >= residentPensionCoverage {
			return
		}
		start := date.Of(2009+s.x.IntN(4), time.Month(1+s.x.IntN(12)), 1)
		x = Pension{Scheme: registry.PensionResident, Enrolled: laterOf(start, p.birth.AddMonths(16*12))}
		x.Drawing = laterOf(x.Enrolled, p.birth.AddMonths(60*12))
	default:
		return
	}
	if x.Enrolled.After(end) {
		return
	}
	if x.Drawing.After(end) {
		x.Drawing = date.Date{}
	}
	x.ID, x.PersonID, x.Region = int64(len(b.Pensions)+1), s.localID[i], s.g.cfg.County
	b.Pensions = append(b.Pensions, x)
}

// emitAdmission adds the person's admission to higher education at 18, at
// the rates of the admission year (rural children less often).
func (s *sim) emitAdmission(b *Batch, i int32) {
	p := &s.ps[i]
	if p.birth.Year() < 1975 {
		return
	}
	d := date.Of(p.birth.Year()+18, time.August, 10+s.x.IntN(20))
	if d.After(s.asOf) || (!p.death.IsZero() && p.death.Before(d)) {
		return
	}
	f := 1.5
	if p.hukou[0].rural {
		f = 0.7
	}
	u := s.x.Float64()
	level := ""
	switch bach := interp(bachelorAdmission, d.Year()) * f; {
	case u < bach:
		level = registry.Bachelor
	case u < bach+interp(collegeAdmission, d.Year())*f:
		level = registry.College
	default:
		return
	}
	b.Admissions = append(b.Admissions, Admission{ID: int64(len(b.Admissions) + 1), PersonID: s.localID[i], Date: d, Level: level})
}

func laterOf(a, b date.Date) date.Date {
	if a.After(b) {
		return a
	}
	return b
}

func sexOf(male bool) string {
	if male {
		return registry.Male
	}
	return registry.Female
}

// pension is the person's pension type at the end of the simulation (or
// at death).
func (s *sim) pension(p *sperson) string {
	end := s.asOf
	if !p.death.IsZero() {
		end = p.death
	}
	age := p.birth.YearsBetween(end)
	switch {
	case p.employer >= empEnterprise && age >= 20:
		return registry.PensionUrbanEmployee
	case end.Year() >= 2011 && age >= 16:
		return registry.PensionResident
	}
	return registry.PensionNone
}

// idNumber assigns the next free sequence code for the person's birth date
// and sex, in the county's address code first and then in neighbouring
// codes of the prefecture (the place of first registration).
func (g *generator) idNumber(p *sperson) string {
	dk := uint64(p.birth.Year()*372 + int(p.birth.Month())*31 + p.birth.Day())
	sex := uint64(0)
	if p.male {
		sex = 1
	}
	for a, addr := range g.addrs {
		key := uint64(a)<<32 | dk<<1 | sex
		k := g.seqs[key]
		if k >= 499 {
			continue
		}
		g.seqs[key] = k + 1
		seq := int(2*k) + 2
		if p.male {
			seq = int(2*k) + 1
		}
		return string(idcard.Make(addr, p.birth.Time(), seq))
	}
	return "" // more than 499 × addresses persons of one sex born on one day
}
