package synth

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// The realism test generates a county, decides every benefit program for
// every resident with the policy engine, and compares the counts and the
// demographic indicators behind them with the ranges stated, with their
// sources, in docs/synthetic.md ("Realism checks").

const (
	realismCounty = "341523" // 舒城
	realismYear   = 2024
)

// Cohorts of women for the fertility indicators (by birth year).
var cohorts = []struct {
	name     string
	from, to int
}{
	{"1935–39", 1935, 1939}, {"1940–49", 1940, 1949}, {"1950–59", 1950, 1959}, {"1960–64", 1960, 1964},
	{"1965–69", 1965, 1969}, {"1970–79", 1970, 1979},
}

func cohortOf(by int) int {
	for i, c := range cohorts {
		if by >= c.from && by <= c.to {
			return i
		}
	}
	return -1
}

// womenCount is the birth history of a group of women.
type womenCount struct {
	women   int // all women of the group
	births  int // their births
	mothers int // women with at least one birth
	one     int // women with exactly one birth
}

func (w womenCount) cfr() float64       { return float64(w.births) / float64(w.women) }
func (w womenCount) onlyShare() float64 { return pct(w.one, w.mothers) }

// indicators are counted from a generated population, batch by batch
// (families never span batches).
type indicators struct {
	county    string
	year      int
	residents int              // alive at the end of the year
	eligible  map[string]int   // persons eligible in the year, by program
	amount    map[string]int64 // their amounts, fen
	funding   map[string]int64 // all amounts by paying level, fen
	review    map[string]int   // decisions that need review, by program
	evaluated int              // persons decided by the engine
	births    map[int][2]int   // persons by birth year: boys, girls
	women     [2][]womenCount
	urban     int
	stepLinks int
	adoptions int
	defacto   int
	divorces  int
	landReq   int
	retEnt    int
	certs     int
	ev        *policy.Evaluator
}

func newIndicators(t testing.TB, county string, year int) *indicators {
	ev, err := policy.NewEvaluator(policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &indicators{county: county, year: year, eligible: map[string]int{}, amount: map[string]int64{}, funding: map[string]int64{}, review: map[string]int{},
		births: map[int][2]int{}, ev: ev,
		women: [2][]womenCount{make([]womenCount, len(cohorts)), make([]womenCount, len(cohorts))}}
}

// batchIndex holds one batch in the registry's family form, by person.
type batchIndex struct {
	persons []registry.Person
	marr    map[int64][]int // marriages by either party
	ties    map[int64][]int // ties by parent
	disab   map[int64][]int
	certs   map[int64][]int
	comps   map[int64][]int
	rets    map[int64][]int
	ops     map[int64][]int
	perms   map[int64][]int
	pens    map[int64][]int
	adms    map[int64][]int
}

func ref(id int64) string { return strconv.FormatInt(id, 10) }

func indexBatch(b *Batch) (*batchIndex, error) {
	x := &batchIndex{persons: make([]registry.Person, len(b.Persons)), marr: map[int64][]int{}, ties: map[int64][]int{},
		disab: map[int64][]int{}, certs: map[int64][]int{}, comps: map[int64][]int{}, rets: map[int64][]int{},
		ops: map[int64][]int{}, perms: map[int64][]int{}, pens: map[int64][]int{}, adms: map[int64][]int{}}
	for i := range b.Persons {
		p := &b.Persons[i]
		if p.ID != int64(i+1) {
			return nil, fmt.Errorf("person %d has id %d", i, p.ID)
		}
		x.persons[i] = registry.Person{Ref: ref(p.ID), IDNumber: p.IDNumber, Name: p.Name, Sex: p.Sex,
			Birth: p.Birth, Death: p.Death, Pension: p.Pension, Region: p.Region}
	}
	for _, h := range b.Hukou {
		p := &x.persons[h.PersonID-1]
		p.Hukou = append(p.Hukou, registry.HukouSpell{Type: h.Type, From: h.From, To: h.To, Reason: h.Reason, Region: h.Region})
	}
	for i, m := range b.Marriages {
		x.marr[m.A] = append(x.marr[m.A], i)
		x.marr[m.B] = append(x.marr[m.B], i)
	}
	for i, c := range b.Children {
		x.ties[c.Parent] = append(x.ties[c.Parent], i)
	}
	for i, d := range b.Disabilities {
		x.disab[d.PersonID] = append(x.disab[d.PersonID], i)
	}
	for i, c := range b.Certificates {
		x.certs[c.Holder] = append(x.certs[c.Holder], i)
	}
	for i, c := range b.Complications {
		x.comps[c.PersonID] = append(x.comps[c.PersonID], i)
	}
	for i, r := range b.Retirements {
		x.rets[r.PersonID] = append(x.rets[r.PersonID], i)
	}
	for i, o := range b.Contraception {
		x.ops[o.PersonID] = append(x.ops[o.PersonID], i)
	}
	for i, p := range b.Permissions {
		x.perms[p.Holder] = append(x.perms[p.Holder], i)
	}
	for i, p := range b.Pensions {
		x.pens[p.PersonID] = append(x.pens[p.PersonID], i)
	}
	for i, a := range b.Admissions {
		x.adms[a.PersonID] = append(x.adms[a.PersonID], i)
	}
	return x, nil
}

// family builds the family the registry gives the rules for person id (as
// the batch evaluation of the store does): the person, every spouse, the
// children of the person and of each spouse with their disabilities, the
// certificates of the person and the spouses, and the person's own
// complications and retirements.
func (x *batchIndex) family(b *Batch, id int64, f *registry.Family, in map[int64]bool) {
	*f = registry.Family{Persons: f.Persons[:0], Marriages: f.Marriages[:0], Children: f.Children[:0],
		Disabilities: f.Disabilities[:0], Certificates: f.Certificates[:0], Complications: f.Complications[:0],
		Retirements: f.Retirements[:0], Contraception: f.Contraception[:0], Permissions: f.Permissions[:0],
		Pensions: f.Pensions[:0], Admissions: f.Admissions[:0]}
	clear(in)
	add := func(pid int64) {
		if !in[pid] {
			in[pid] = true
			f.Persons = append(f.Persons, x.persons[pid-1])
		}
	}
	add(id)
	parents := []int64{id}
	for _, mi := range x.marr[id] {
		m := b.Marriages[mi]
		f.Marriages = append(f.Marriages, registry.Marriage{A: ref(m.A), B: ref(m.B), From: m.From, To: m.To, End: m.End})
		add(m.A)
		add(m.B)
		if m.A == id {
			parents = append(parents, m.B)
		} else {
			parents = append(parents, m.A)
		}
	}
	for _, par := range parents {
		for _, ti := range x.ties[par] {
			c := b.Children[ti]
			f.Children = append(f.Children, registry.ParentChild{Parent: ref(c.Parent), Child: ref(c.Child), Kind: c.Kind, From: c.From, InPolicy: c.InPolicy})
			add(c.Child)
			for _, di := range x.disab[c.Child] {
				d := b.Disabilities[di]
				f.Disabilities = append(f.Disabilities, registry.Disability{Person: ref(d.PersonID), Grade: d.Grade, Category: d.Category, From: d.From, To: d.To})
			}
			for _, ai := range x.adms[c.Child] {
				a := b.Admissions[ai]
				f.Admissions = append(f.Admissions, registry.Admission{Person: ref(a.PersonID), Date: a.Date, Level: a.Level})
			}
		}
		for _, ci := range x.certs[par] {
			c := b.Certificates[ci]
			f.Certificates = append(f.Certificates, registry.Certificate{Holder: ref(c.Holder), Kind: c.Kind, Number: c.Number, Issued: c.Issued, Cancelled: c.Cancelled})
		}
		for _, oi := range x.ops[par] {
			o := b.Contraception[oi]
			f.Contraception = append(f.Contraception, registry.Contraception{Person: ref(o.PersonID), Method: o.Method, Date: o.Date})
		}
		for _, pi := range x.perms[par] {
			p := b.Permissions[pi]
			f.Permissions = append(f.Permissions, registry.BirthPermission{Holder: ref(p.Holder), Kind: p.Kind, Number: p.Number, Issued: p.Issued})
		}
	}
	for _, pi := range x.pens[id] {
		p := b.Pensions[pi]
		f.Pensions = append(f.Pensions, registry.Pension{Person: ref(p.PersonID), Scheme: p.Scheme, Enrolled: p.Enrolled, Drawing: p.Drawing, Region: p.Region})
	}
	for _, ci := range x.comps[id] {
		c := b.Complications[ci]
		f.Complications = append(f.Complications, registry.Complication{Person: ref(c.PersonID), Grade: c.Grade, From: c.From})
	}
	for _, ri := range x.rets[id] {
		r := b.Retirements[ri]
		f.Retirements = append(f.Retirements, registry.Retirement{Person: ref(r.PersonID), Date: r.Date, Employer: r.Employer})
	}
}

// hukouAt returns the hukou type of p on d from its spells.
func hukouAt(p *registry.Person, d date.Date) string {
	t := p.HukouOn(d)
	if t == "" && len(p.Hukou) > 0 {
		t = p.Hukou[0].Type
	}
	return t
}

func (ind *indicators) add(b *Batch) error {
	x, err := indexBatch(b)
	if err != nil {
		return err
	}
	yearStart, yearEnd := date.Of(ind.year, 1, 1), date.Of(ind.year, 12, 31)
	births := map[int64]int{}
	for _, c := range b.Children {
		switch c.Kind {
		case registry.Birth:
			births[c.Parent]++
		case registry.Adoption, registry.AdoptionDeFacto:
			if b.Persons[c.Parent-1].Sex == registry.Female {
				ind.adoptions++
				if c.Kind == registry.AdoptionDeFacto {
					ind.defacto++
				}
			}
		case registry.Step:
			ind.stepLinks++
		}
	}
	for _, m := range b.Marriages {
		if m.End == registry.EndDivorce {
			ind.divorces++
		}
	}
	for _, h := range b.Hukou {
		if h.Reason == "land_requisition" {
			ind.landReq++
		}
	}
	for _, r := range b.Retirements {
		if r.Employer == "enterprise" {
			ind.retEnt++
		}
	}
	ind.certs += len(b.Certificates)

	var f registry.Family
	in := map[int64]bool{}
	cs := policy.Case{Year: ind.year, Region: ind.county}
	for i := range b.Persons {
		p := &b.Persons[i]
		rp := &x.persons[i]
		by := p.Birth.Year()
		c := ind.births[by]
		if p.Sex == registry.Male {
			c[0]++
		} else {
			c[1]++
		}
		ind.births[by] = c
		// Women who reached 45 by the end of the simulation, classed by
		// their hukou type at 30 (the childbearing years).
		if k := cohortOf(by); k >= 0 && p.Sex == registry.Female && (p.Death.IsZero() || p.Death.Year()-by >= 45) {
			h := 0
			if hukouAt(rp, p.Birth.AddMonths(30*12)) == registry.Rural {
				h = 1
			}
			w := &ind.women[h][k]
			w.women++
			w.births += births[p.ID]
			if births[p.ID] > 0 {
				w.mothers++
			}
			if births[p.ID] == 1 {
				w.one++
			}
		}
		if rp.AliveOn(yearEnd) {
			ind.residents++
			if hukouAt(rp, yearEnd) == registry.Urban {
				ind.urban++
			}
		}
		// The engine decides everyone the store's batch evaluation would:
		// born by the end of the year and alive at its start.
		if p.Birth.After(yearEnd) || !rp.AliveOn(yearStart) {
			continue
		}
		x.family(b, p.ID, &f, in)
		cs.Family = f
		cs.Subjects = append(cs.Subjects[:0], rp.Ref)
		res, err := ind.ev.Evaluate(&cs)
		if err != nil {
			return fmt.Errorf("person %d: %w", p.ID, err)
		}
		ind.evaluated++
		for _, d := range res.Decisions {
			if d.Eligible {
				ind.eligible[d.Program]++
				ind.amount[d.Program] += int64(d.AmountFen)
				for _, f := range d.Funding {
					ind.funding[f.Level] += int64(f.Fen)
				}
			}
			if d.Status == policy.StatusReview {
				ind.review[d.Program]++
			}
		}
	}
	return nil
}

func per10k(n, of int) float64 { return float64(n) * 10000 / float64(of) }

func pct(a, b int) float64 { return 100 * float64(a) / float64(b) }

// sexRatio returns the boys per 100 girls among persons born from–to (all
// births since 1950 are emitted, so this is the sex ratio at birth).
func (ind *indicators) sexRatio(from, to int) float64 {
	var b, g int
	for y := from; y <= to; y++ {
		b += ind.births[y][0]
		g += ind.births[y][1]
	}
	return 100 * float64(b) / float64(g)
}

func (ind *indicators) String() string {
	var b strings.Builder
	r := ind.residents
	fmt.Fprintf(&b, "residents at the end of %d: %d, urban hukou %.1f%%; decided by the engine: %d\n", ind.year, r, pct(ind.urban, r), ind.evaluated)
	fmt.Fprintf(&b, "eligible in %d per 10,000 residents:", ind.year)
	progs := slices.Sorted(maps.Keys(ind.eligible))
	for _, p := range progs {
		fmt.Fprintf(&b, " %s %.1f (%d)", p, per10k(ind.eligible[p], r), ind.eligible[p])
	}
	fmt.Fprintf(&b, "\nneeds review: %v", ind.review)
	fmt.Fprintf(&b, "\nadoptions %d (de facto %d), step links %d, divorces %d, land requisition spells %d, enterprise retirements %d, certificates %d\n",
		ind.adoptions, ind.defacto, ind.stepLinks, ind.divorces, ind.landReq, ind.retEnt, ind.certs)
	fmt.Fprintf(&b, "born 1950–84: sex ratio %.1f\n", ind.sexRatio(1950, 1984))
	for d := 1950; d <= 2020; d += 10 {
		fmt.Fprintf(&b, "born %ds: sex ratio %.1f\n", d, ind.sexRatio(d, d+9))
	}
	for k, c := range cohorts {
		u, ru := ind.women[0][k], ind.women[1][k]
		fmt.Fprintf(&b, "women born %s: urban %d, births per woman %.2f, one-birth mothers %.1f%%; rural %d, births per woman %.2f, one-birth mothers %.1f%%\n",
			c.name, u.women, u.cfr(), u.onlyShare(), ru.women, ru.cfr(), ru.onlyShare())
	}
	return b.String()
}

func measure(t testing.TB, cfg Config, year int) (*indicators, Stats) {
	t.Helper()
	ind := newIndicators(t, cfg.County, year)
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	st, err := Generate(context.Background(), cfg, SinkFunc(func(_ context.Context, b *Batch) error {
		return ind.add(b)
	}))
	if err != nil {
		t.Fatal(err)
	}
	return ind, st
}

// realismSeeds are the seeds TestRealism generates a county with (two, in
// parallel, to stay within about ten seconds on two cores). The counts
// vary by about ±10% between seeds; docs/synthetic.md lists seeds 11–15.
var realismSeeds = []uint64{11, 12}

// TestRealism checks benefit counts decided by the policy engine, and the
// demographic facts behind them, against the ranges stated with their
// sources in docs/synthetic.md, for each seed of realismSeeds.
func TestRealism(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a 200,000-person county; smaller ones are too noisy for the ranges")
	}
	for _, seed := range realismSeeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			checkRealism(t, seed)
		})
	}
}

func checkRealism(t *testing.T, seed uint64) {
	const n = 200_000
	ind, st := measure(t, Config{County: realismCounty, Persons: n, Seed: seed}, realismYear)
	t.Logf("%+v\n%s", st, ind)
	r := ind.residents
	within := func(name string, got, lo, hi float64, source string) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.2f, want %g–%g (%s)", name, got, lo, hi, source)
		}
	}
	within("persons emitted, % of requested", pct(st.Persons, n), 97, 103, "Config.Persons")
	const (
		srcJF     = "national ≈ 70–100 per 10,000; 淅川 2023 ≈ 95 per 10,000"
		srcTF     = "national 特扶 ≈ 5–10 per 10,000; 淅川 2023 ≈ 5 per 10,000 both tiers"
		srcSRB    = "population censuses 1982–2020"
		srcCensus = "census children ever born by cohort"
	)
	within("jf eligible per 10,000 residents", per10k(ind.eligible["jf"], r), 50, 150, srcJF)
	within("tf_death eligible per 10,000 residents", per10k(ind.eligible["tf_death"], r), 3, 15, srcTF)
	within("tf_disability eligible per 10,000 residents", per10k(ind.eligible["tf_disability"], r), 1, 10, srcTF)
	within("tf_complication eligible per 10,000 residents", per10k(ind.eligible["tf_complication"], r), 0.2, 6, "national recipients in the tens of thousands")
	within("urban hukou %", pct(ind.urban, r), 12, 45, "Anhui rural counties, 2020 census")
	for _, c := range []struct {
		from, to int
		lo, hi   float64
	}{{1950, 1984, 103, 109}, {1990, 1999, 108, 120}, {2000, 2009, 112, 122}, {2010, 2019, 109, 121}} {
		within(fmt.Sprintf("sex ratio of persons born %d–%d", c.from, c.to), ind.sexRatio(c.from, c.to), c.lo, c.hi, srcSRB)
	}
	for _, c := range []struct {
		cohort         int
		rural          bool
		cfrLo, cfrHi   float64
		onlyLo, onlyHi float64
	}{
		{1, true, 3.2, 4.8, 0, 8}, {2, true, 2.4, 3.2, 0.5, 12}, {3, true, 1.9, 2.5, 2, 20}, {5, true, 1.6, 2.3, 4, 30},
		{1, false, 2.2, 3.4, 0, 20}, {2, false, 1.2, 2.0, 35, 80}, {3, false, 1.0, 1.5, 60, 95}, {5, false, 1.0, 1.4, 60, 95},
	} {
		h, name := 0, "urban"
		if c.rural {
			h, name = 1, "rural"
		}
		w := ind.women[h][c.cohort]
		within(fmt.Sprintf("births per %s woman born %s", name, cohorts[c.cohort].name), w.cfr(), c.cfrLo, c.cfrHi, srcCensus)
		within(fmt.Sprintf("%% of %s mothers born %s with one birth", name, cohorts[c.cohort].name), w.onlyShare(), c.onlyLo, c.onlyHi, srcCensus)
	}
	for name, v := range map[string]int{"adoptions": ind.adoptions, "de-facto adoptions": ind.defacto, "step links": ind.stepLinks,
		"divorces": ind.divorces, "land requisitions": ind.landReq, "enterprise retirements": ind.retEnt, "certificates": ind.certs} {
		if v == 0 {
			t.Errorf("no %s", name)
		}
	}
}

// periodLifeExpectancy is the life expectancy at birth implied by the
// national death rates of year y (infant mortality included).
func periodLifeExpectancy(y int, male bool) float64 {
	alive, e := 1.0, 0.0
	for age := 0; age < 110; age++ {
		q := deathProb(age, male, y)
		e += alive * (1 - q/2)
		alive *= 1 - q
	}
	return e
}

// TestLifeExpectancy checks the mortality anchors against census life
// expectancy at birth (both sexes, about 105 boys per 100 girls).
func TestLifeExpectancy(t *testing.T) {
	for _, c := range []struct {
		year int
		e0   float64
	}{{1950, 44}, {1981, 67.8}, {1990, 68.6}, {2000, 71.4}, {2010, 74.8}, {2020, 77.9}} {
		m, f := periodLifeExpectancy(c.year, true), periodLifeExpectancy(c.year, false)
		if e := (1.05*m + f) / 2.05; e < c.e0-1.5 || e > c.e0+1.5 {
			t.Errorf("life expectancy in %d = %.1f (men %.1f, women %.1f), want %.1f ± 1.5", c.year, e, m, f, c.e0)
		}
	}
}
