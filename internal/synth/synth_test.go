package synth

import (
	"context"
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// digest hashes everything emitted, in order.
func digest(t *testing.T, cfg Config) (uint64, Stats) {
	t.Helper()
	h := fnv.New64a()
	st, err := Generate(context.Background(), cfg, SinkFunc(func(_ context.Context, b *Batch) error {
		fmt.Fprintf(h, "%+v", *b)
		for _, c := range b.Children {
			if c.InPolicy != nil {
				fmt.Fprint(h, *c.InPolicy)
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return h.Sum64(), st
}

func TestSameSeedSamePopulation(t *testing.T) {
	cfg := Config{County: "341523", Persons: 8000, Seed: 42, BatchPersons: 3000}
	a, sa := digest(t, cfg)
	b, sb := digest(t, cfg)
	if a != b || sa != sb {
		t.Errorf("same seed: digests %x, %x; stats %+v, %+v", a, b, sa, sb)
	}
	cfg.Seed = 43
	if c, _ := digest(t, cfg); c == a {
		t.Errorf("seeds 42 and 43 gave the same population")
	}
}

// TestValid checks every emitted row against the registry's constraints
// and the facts of life.
func TestValid(t *testing.T) {
	cfg := Config{County: "341523", Persons: 20000, Seed: 5, BatchPersons: 5000}
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	county := region.Code("341523")
	ids := map[string]bool{}
	batches := 0
	var counts struct{ ops, perms, pensions, admissions int }
	_, err := Generate(context.Background(), cfg, SinkFunc(func(_ context.Context, b *Batch) error {
		batches++
		byID := map[int64]*Person{}
		for i := range b.Persons {
			p := &b.Persons[i]
			if p.ID != int64(i+1) {
				t.Fatalf("person %d has id %d", i, p.ID)
			}
			byID[p.ID] = p
			n, err := idcard.Parse(p.IDNumber)
			if err != nil {
				t.Fatalf("person %d: ID number %q: %v", p.ID, p.IDNumber, err)
			}
			if y, m, d := n.Birth(); y != p.Birth.Year() || m != p.Birth.Month() || d != p.Birth.Day() || n.Sex() != p.Sex {
				t.Errorf("ID number %s does not match birth %s sex %s", n, p.Birth, p.Sex)
			}
			if ids[p.IDNumber] {
				t.Errorf("duplicate ID number %s", p.IDNumber)
			}
			ids[p.IDNumber] = true
			if !validName(p.Name) {
				t.Errorf("name %q", p.Name)
			}
			if !county.Contains(region.Code(p.Region)) || len(p.Region) != 12 {
				t.Errorf("region %q outside %s", p.Region, county)
			}
			if !p.Death.IsZero() && p.Death.Before(p.Birth) || p.Birth.After(cfg.AsOf) || p.Death.After(cfg.AsOf) {
				t.Errorf("person %d: birth %s death %s", p.ID, p.Birth, p.Death)
			}
		}
		last := map[int64]HukouSpell{}
		for _, h := range b.Hukou {
			p := byID[h.PersonID]
			if p == nil || h.From.Before(p.Birth) || (!h.To.IsZero() && h.To.Before(h.From)) {
				t.Errorf("hukou spell %+v of %+v", h, p)
				continue
			}
			if prev, ok := last[h.PersonID]; ok && (prev.To.IsZero() || !prev.To.Before(h.From)) {
				t.Errorf("overlapping hukou spells %+v, %+v", prev, h)
			}
			last[h.PersonID] = h
		}
		for id, h := range last {
			if p := byID[id]; !h.To.IsZero() || h.Type != p.HukouType || h.Region != p.Region {
				t.Errorf("last spell %+v does not match person %+v", h, p)
			}
		}
		for _, m := range b.Marriages {
			a, w := byID[m.A], byID[m.B]
			if a == nil || w == nil || a.Sex != registry.Male || w.Sex != registry.Female || m.From.Before(a.Birth.AddMonths(15*12)) ||
				(!m.To.IsZero() && (m.To.Before(m.From) || m.End == "")) {
				t.Errorf("marriage %+v", m)
			}
		}
		pairs := map[[2]int64]bool{}
		for _, c := range b.Children {
			p, ch := byID[c.Parent], byID[c.Child]
			if p == nil || ch == nil || pairs[[2]int64{c.Parent, c.Child}] {
				t.Fatalf("tie %+v", c)
			}
			pairs[[2]int64{c.Parent, c.Child}] = true
			if c.Kind == registry.Birth && (ch.Birth.YearsBetween(p.Birth) > -14 || c.InPolicy == nil && (ch.Birth.Year() < 1973 || ch.Birth.Year() > 2001)) {
				t.Errorf("birth tie %+v: parent born %s, child %s", c, p.Birth, ch.Birth)
			}
		}
		for _, d := range b.Disabilities {
			if d.Grade < 1 || d.Grade > 4 || byID[d.PersonID] == nil || d.Category == "" {
				t.Errorf("disability %+v", d)
			}
		}
		for _, c := range b.Complications {
			if c.Grade < 1 || c.Grade > 3 || byID[c.PersonID] == nil {
				t.Errorf("complication %+v", c)
			}
		}
		for _, c := range b.Certificates {
			if c.Kind != registry.CertOneChild || byID[c.Holder] == nil || (!c.Cancelled.IsZero() && c.Cancelled.Before(c.Issued)) {
				t.Errorf("certificate %+v", c)
			}
		}
		for _, r := range b.Retirements {
			p := byID[r.PersonID]
			if p == nil || r.Date.After(cfg.AsOf) || (r.Employer != "enterprise" && r.Employer != "institution" && r.Employer != "government") {
				t.Errorf("retirement %+v", r)
			}
		}
		for _, o := range b.Contraception {
			p := byID[o.PersonID]
			male := o.Method == registry.MaleSterilisation
			if p == nil || o.Date.After(cfg.AsOf) || !o.Date.After(p.Birth) || male != (p.Sex == registry.Male) {
				t.Errorf("operation %+v of %+v", o, p)
			}
			counts.ops++
		}
		for _, x := range b.Permissions {
			if p := byID[x.Holder]; p == nil || x.Kind != registry.PermitSecondBirth || x.Issued.After(cfg.AsOf) || p.Sex != registry.Female {
				t.Errorf("permission %+v", x)
			}
			counts.perms++
		}
		for _, x := range b.Pensions {
			p := byID[x.PersonID]
			if p == nil || x.Enrolled.Before(p.Birth.AddMonths(16*12)) || x.Enrolled.After(cfg.AsOf) ||
				(!x.Drawing.IsZero() && x.Drawing.Before(x.Enrolled)) || x.Region != cfg.County {
				t.Errorf("pension %+v of %+v", x, p)
			}
			counts.pensions++
		}
		for _, a := range b.Admissions {
			if p := byID[a.PersonID]; p == nil || a.Date.Year()-p.Birth.Year() != 18 || (a.Level != registry.Bachelor && a.Level != registry.College) {
				t.Errorf("admission %+v", a)
			}
			counts.admissions++
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if batches < 3 {
		t.Errorf("%d batches, want at least 3", batches)
	}
	if counts.ops == 0 || counts.perms == 0 || counts.pensions == 0 || counts.admissions == 0 {
		t.Errorf("no operations, permissions, pensions or admissions: %+v", counts)
	}
}

func TestConfigCheck(t *testing.T) {
	for _, c := range []Config{
		{County: "341523", Persons: 0},
		{County: "3415", Persons: 10},
		{County: "341599", Persons: 10},
		{County: "341523100001", Persons: 10},
	} {
		if err := c.Check(); err == nil {
			t.Errorf("Check(%+v) = nil, want an error", c)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	const n = 100_000
	for b.Loop() {
		if _, err := Generate(context.Background(), Config{County: "341523", Persons: n, Seed: 1}, SinkFunc(func(context.Context, *Batch) error { return nil })); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "persons/s")
}

// TestNameDiversity checks that full names are about as varied as real
// ones. In the 2020 national name report (《二〇二〇年全国姓名报告》, Ministry
// of Public Security) the most common full name, 张伟, is held by about
// 0.02% of the population; a county may concentrate names more than the
// nation, so the bound is 0.1%. Look-ups by name depend on it: a name
// shared by thousands makes every search for it page through thousands.
func TestNameDiversity(t *testing.T) {
	counts := map[string]int{}
	total := 0
	_, err := Generate(context.Background(), Config{County: "341523", Persons: 100000, Seed: 3}, SinkFunc(func(_ context.Context, b *Batch) error {
		for i := range b.Persons {
			counts[b.Persons[i].Name]++
			total++
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	top, topName := 0, ""
	for n, c := range counts {
		if c > top {
			top, topName = c, n
		}
	}
	t.Logf("most common name %s: %d of %d; %d distinct names", topName, top, total, len(counts))
	if share := float64(top) / float64(total); share > 0.001 {
		t.Errorf("the most common name %s is held by %.3f%% of %d persons; want at most 0.1%%", topName, share*100, total)
	}
	if distinct := float64(len(counts)) / float64(total); distinct < 0.2 {
		t.Errorf("distinct names / persons = %.2f among %d persons; want ≥ 0.2", distinct, total)
	}
}
