package synth

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// indicators are benefit-relevant counts computed from a generated
// population, batch by batch (families never span batches).
type indicators struct {
	residents  int // alive at AsOf
	jf         int // rural, 60+, ever had a child, now 1 child, 2 daughters or none
	jfOne      int // … of which with exactly one surviving child
	jfTwoGirls int
	tfDeath    int // 49+, only one child ever, who died
	tfDisab    int // 49+, only one child ever, alive, disability grade 1–3
	tfComp     int // complication grade 1–3, alive
	births     map[int][2]int
	mothers    [2][2]int // [rural][onlyChild] for women born 1960–1975 with ≥ 1 birth
	urban      int
	stepLinks  int
	adoptions  int
	defacto    int
	divorces   int
	landReq    int
	retEnt     int
	certs      int
}

func newIndicators() *indicators { return &indicators{births: map[int][2]int{}} }

func (ind *indicators) add(b *Batch, asOf date.Date) {
	y := asOf.Year()
	byID := make(map[int64]*Person, len(b.Persons))
	for i := range b.Persons {
		byID[b.Persons[i].ID] = &b.Persons[i]
	}
	alive := func(p *Person) bool { return p.Death.IsZero() || p.Death.After(asOf) }
	kids := map[int64][]int64{}
	births := map[int64]int{}
	for _, c := range b.Children {
		switch c.Kind {
		case registry.Birth:
			births[c.Parent]++
			kids[c.Parent] = append(kids[c.Parent], c.Child)
		case registry.Adoption, registry.AdoptionDeFacto:
			kids[c.Parent] = append(kids[c.Parent], c.Child)
			if byID[c.Parent].Sex == registry.Female {
				ind.adoptions++
				if c.Kind == registry.AdoptionDeFacto {
					ind.defacto++
				}
			}
		case registry.Step:
			ind.stepLinks++
		}
	}
	disabled := map[int64]int{}
	for _, d := range b.Disabilities {
		if d.To.IsZero() || d.To.After(asOf) {
			disabled[d.PersonID] = d.Grade
		}
	}
	for _, c := range b.Complications {
		if p := byID[c.PersonID]; alive(p) {
			ind.tfComp++
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
	for i := range b.Persons {
		p := &b.Persons[i]
		by := p.Birth.Year()
		c := ind.births[by/10*10]
		if p.Sex == registry.Male {
			c[0]++
		} else {
			c[1]++
		}
		ind.births[by/10*10] = c
		if p.Sex == registry.Female && by >= 1960 && by <= 1975 && births[p.ID] > 0 {
			r, o := 0, 0
			if p.HukouType == registry.Rural {
				r = 1
			}
			if births[p.ID] == 1 {
				o = 1
			}
			ind.mothers[r][o]++
		}
		if !alive(p) {
			continue
		}
		ind.residents++
		if p.HukouType == registry.Urban {
			ind.urban++
		}
		ks := kids[p.ID]
		if len(ks) == 0 {
			continue
		}
		surv, girls := 0, 0
		for _, k := range ks {
			if kp := byID[k]; alive(kp) {
				surv++
				if kp.Sex == registry.Female {
					girls++
				}
			}
		}
		if p.HukouType == registry.Rural && y-by >= 60 && by >= 1933 {
			switch {
			case surv == 1:
				ind.jf++
				ind.jfOne++
			case surv == 2 && girls == 2:
				ind.jf++
				ind.jfTwoGirls++
			case surv == 0:
				ind.jf++
			}
		}
		if len(ks) == 1 && y-by >= 49 && by >= 1933 {
			k := byID[ks[0]]
			if !alive(k) {
				ind.tfDeath++
			} else if g, ok := disabled[k.ID]; ok && g <= 3 {
				ind.tfDisab++
			}
		}
	}
}

func per10k(n, of int) float64 { return float64(n) * 10000 / float64(of) }

func (ind *indicators) String() string {
	var b strings.Builder
	r := ind.residents
	fmt.Fprintf(&b, "residents %d, urban hukou %.1f%%\n", r, 100*float64(ind.urban)/float64(r))
	fmt.Fprintf(&b, "per 10,000 residents: jf %.1f (one child %.1f, two girls %.1f), tf_death %.1f, tf_disability %.1f, complications %.2f\n",
		per10k(ind.jf, r), per10k(ind.jfOne, r), per10k(ind.jfTwoGirls, r), per10k(ind.tfDeath, r), per10k(ind.tfDisab, r), per10k(ind.tfComp, r))
	fmt.Fprintf(&b, "adoptions %d (de facto %d), step links %d, divorces %d, land requisition spells %d, enterprise retirements %d, certificates %d\n",
		ind.adoptions, ind.defacto, ind.stepLinks, ind.divorces, ind.landReq, ind.retEnt, ind.certs)
	for d := 1950; d <= 2020; d += 10 {
		c := ind.births[d]
		fmt.Fprintf(&b, "born %ds: %d, sex ratio %.1f\n", d, c[0]+c[1], 100*float64(c[0])/float64(c[1]))
	}
	m := ind.mothers
	fmt.Fprintf(&b, "mothers born 1960–75 with one birth: urban %.1f%%, rural %.1f%%, all %.1f%%\n",
		pct(m[0][1], m[0][0]+m[0][1]), pct(m[1][1], m[1][0]+m[1][1]), pct(m[0][1]+m[1][1], m[0][0]+m[0][1]+m[1][0]+m[1][1]))
	return b.String()
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(b) }

func measure(t testing.TB, cfg Config) (*indicators, Stats) {
	t.Helper()
	ind := newIndicators()
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	st, err := Generate(context.Background(), cfg, SinkFunc(func(_ context.Context, b *Batch) error {
		ind.add(b, cfg.AsOf)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return ind, st
}

// TestRealism checks benefit-relevant counts against the ranges stated,
// with their sources, in docs/synthetic.md.
func TestRealism(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 60_000
	}
	ind, st := measure(t, Config{County: "341523", Persons: n, Seed: 11})
	t.Logf("%+v\n%s", st, ind)
	r := ind.residents
	within := func(name string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.1f, want %.0f–%.0f", name, got, lo, hi)
		}
	}
	within("persons emitted, % of requested", pct(st.Persons, n), 97, 103)
	within("jf candidates per 10,000", per10k(ind.jf, r), 200, 800)
	within("tf_death candidates per 10,000", per10k(ind.tfDeath, r), 5, 60)
	within("tf_disability candidates per 10,000", per10k(ind.tfDisab, r), 1.5, 15)
	within("complications grade 1–3 per 10,000", per10k(ind.tfComp, r), 0.3, 6)
	within("urban hukou %", pct(ind.urban, r), 12, 45)
	for _, c := range []struct {
		decade int
		lo, hi float64
	}{{1950, 101, 111}, {1960, 101, 111}, {1970, 101, 111}, {1990, 107, 117}, {2000, 113, 124}, {2010, 110, 122}} {
		b := ind.births[c.decade]
		within(fmt.Sprintf("sex ratio of the %ds", c.decade), 100*float64(b[0])/float64(b[1]), c.lo, c.hi)
	}
	m := ind.mothers
	within("urban mothers born 1960–75 with one birth %", pct(m[0][1], m[0][0]+m[0][1]), 50, 90)
	within("rural mothers born 1960–75 with one birth %", pct(m[1][1], m[1][0]+m[1][1]), 4, 30)
	for name, v := range map[string]int{"adoptions": ind.adoptions, "de-facto adoptions": ind.defacto, "step links": ind.stepLinks,
		"divorces": ind.divorces, "land requisitions": ind.landReq, "enterprise retirements": ind.retEnt, "certificates": ind.certs} {
		if v == 0 {
			t.Errorf("no %s", name)
		}
	}
}
