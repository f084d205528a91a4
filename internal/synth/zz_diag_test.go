package synth

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/registry"
)

func TestDiag(t *testing.T) {
	seed, _ := strconv.Atoi(os.Getenv("DSEED"))
	if seed == 0 {
		t.Skip()
	}
	cnt := map[string]int{}
	end := date.Of(2024, 12, 31)
	hook := func(p *registry.Person, f *registry.Family, prog string) {
		byRef := map[string]*registry.Person{}
		for i := range f.Persons {
			byRef[f.Persons[i].Ref] = &f.Persons[i]
		}
		dec := (p.Birth.Year() / 5) * 5
		seen := map[string]bool{}
		var kids []*registry.Person
		out := 0
		for _, c := range f.Children {
			if c.Parent != p.Ref || seen[c.Child] {
				if c.InPolicy != nil && !*c.InPolicy {
				}
				continue
			}
			seen[c.Child] = true
			kids = append(kids, byRef[c.Child])
			if c.InPolicy != nil && !*c.InPolicy {
				out++
			}
		}
		surv, dau, sons := 0, 0, 0
		var deadAges []int
		for _, k := range kids {
			if k.AliveOn(end) {
				surv++
				if k.Sex == registry.Female {
					dau++
				} else {
					sons++
				}
			} else {
				deadAges = append(deadAges, k.Birth.YearsBetween(k.Death))
			}
		}
		sort.Ints(deadAges)
		switch prog {
		case "jf":
			cnt[fmt.Sprintf("jf by%d", dec)]++
			{
				pat := "other"
				kind := ""
				for _, c := range f.Children {
					if c.Parent == p.Ref && kind == "" {
						kind = c.Kind
					}
				}
				switch {
				case len(kids) == 1 && kind != registry.Birth:
					pat = "1 adopted/step"
				case len(kids) == 1:
					pat = "1 birth"
				case len(kids) == 2 && surv == 2 && sons == 0:
					pat = "2 girls"
				case surv == 1:
					pat = "n>=2 one surviving"
				case surv == 0:
					pat = "none surviving"
				case surv == 2 && sons == 0:
					pat = "n>=3 two girls surviving"
				}
				coh := "1950-64"
				if p.Birth.Year() < 1950 {
					coh = "1933-49"
				}
				cnt["jfC "+coh+" "+pat]++
			}
			cnt[fmt.Sprintf("jfH %s %s kids%d", p.Hukou[len(p.Hukou)-1].Type, p.Hukou[len(p.Hukou)-1].Reason, min(len(kids), 3))]++
			cnt[fmt.Sprintf("jf %s by%d kids%d surv%d sons%d", p.Sex, min(dec, 1950), min(len(kids), 3), surv, sons)]++
			cnt[fmt.Sprintf("jf kids%d surv%d sons%d", len(kids), surv, sons)]++
			if len(kids) == 1 && dec >= 1950 {
				kind := ""
				for _, c := range f.Children {
					if c.Parent == p.Ref {
						kind = c.Kind
					}
				}
				// spouse kids
				sk := 0
				for _, c := range f.Children {
					if c.Parent != p.Ref && c.Kind == registry.Birth {
						sk++
					}
				}
				cnt[fmt.Sprintf("jf1 %s %s marr%d spousebirths%d", p.Sex, kind, len(f.Marriages), min(sk, 3))]++
			}
			if len(kids) == 1 {
				cnt[fmt.Sprintf("jf onechild childborn%d", kids[0].Birth.Year()/5*5)]++
			}
		case "tf_death":
			cnt[fmt.Sprintf("tfd by%d", dec)]++
			cnt[fmt.Sprintf("tfd kids%d", len(kids))]++
			for _, a := range deadAges {
				b := a / 5 * 5
				cnt[fmt.Sprintf("tfd deathage%02d", b)]++
			}
			for _, k := range kids {
				cnt[fmt.Sprintf("tfd childborn%d died%d", k.Birth.Year()/10*10, k.Death.Year()/10*10)]++
			}
			last := 0
			for _, k := range kids {
				if a := k.Birth.YearsBetween(k.Death); a >= last {
					last = a
				}
			}
			cl := "0-14"
			if last >= 15 {
				cl = "15+"
			}
			if len(kids) == 1 {
				for _, c := range f.Children {
					if c.Parent == p.Ref {
						cnt["tfdkind "+c.Kind]++
					}
				}
			}
			cnt[fmt.Sprintf("tfd K%d lastdeath%s %s", min(len(kids), 3), cl, p.HukouOn(end))]++
			if len(kids) == 1 && kids[0].Birth.YearsBetween(kids[0].Death) < 15 && p.Sex == registry.Female {
				fmt.Printf("TFD15 mother %d child %d %s died %d age %d hukou %s\n", p.Birth.Year(), kids[0].Birth.Year(), kids[0].Sex, kids[0].Death.Year(), kids[0].Birth.YearsBetween(kids[0].Death), p.HukouOn(end))
				for _, m := range f.Marriages {
					fmt.Printf("   MARR %s-%s %s %s/%s\n", m.From, m.To, m.End, m.A, m.B)
				}
			}
			if false {
				fmt.Printf("TFD0 mother %d child %d died %s kind? marr %d hukou %s\n", p.Birth.Year(), kids[0].Birth.Year(), kids[0].Death, len(f.Marriages), p.HukouOn(end))
			}
			if len(kids) == 1 {
				cnt[fmt.Sprintf("tfd onlykid childborn%d deathage%s", kids[0].Birth.Year()/10*10, cl)]++
			}
			cnt[fmt.Sprintf("tfd hukou %s", p.HukouOn(end))]++
		}
	}
	ind := newIndicators(t)
	ind.onElig = hook
	cfg := Config{County: realismCounty, Persons: 200000, Seed: uint64(seed)}
	cfg.Check()
	_, err := Generate(context.Background(), cfg, SinkFunc(func(_ context.Context, b *Batch) error {
		type h struct{ n, out, dau int; dead int }
		hs := map[int64]*h{}
		for _, c := range b.Children {
			if c.Kind != registry.Birth {
				continue
			}
			x := hs[c.Parent]
			if x == nil {
				x = &h{}
				hs[c.Parent] = x
			}
			x.n++
			ch := b.Persons[c.Child-1]
			if c.InPolicy != nil && !*c.InPolicy && ch.Birth.Year() >= 1973 && ch.Birth.Year() <= 2001 {
				x.out++
			}
			if ch.Sex == registry.Female {
				x.dau++
			}
			if !ch.Death.IsZero() {
				x.dead++
			}
		}
		hsOf := map[int64][]int{}
		for k, h := range b.Hukou {
			hsOf[h.PersonID] = append(hsOf[h.PersonID], k)
		}
		kidsOf := map[int64][]int64{}
		for _, c := range b.Children {
			if c.Kind == registry.Birth {
				kidsOf[c.Parent] = append(kidsOf[c.Parent], c.Child)
			}
		}
		for i := range b.Persons {
			p := &b.Persons[i]
			by := p.Birth.Year()
			if p.Sex == registry.Female && by <= 1975 && by >= 1933 && p.Death.IsZero() {
				if x := hs[p.ID]; x != nil && x.n == 1 && x.out == 0 {
					c := b.Persons[kidsOf[p.ID][0]-1]
					st := "alive"
					if !c.Death.IsZero() {
						a := c.Birth.YearsBetween(c.Death)
						st = "d00-00"
						switch {
						case a >= 45:
							st = "d45+"
						case a >= 15:
							st = "d15-44"
						case a >= 1:
							st = "d01-14"
						}
					}
					cnt[fmt.Sprintf("ONE %s %d %s", p.HukouType, min(by/10*10, 1970), st)]++
				}
			}
			if p.Sex == registry.Female && by >= 1955 && by <= 1974 {
				at := p.Birth.AddMonths(360)
				var sp *HukouSpell
				for k := range b.Hukou {
					_ = k
				}
				for k := range hsOf[p.ID] {
					h := &b.Hukou[hsOf[p.ID][k]]
					if !h.From.After(at) {
						sp = h
					}
				}
				if sp != nil {
					first := b.Hukou[hsOf[p.ID][0]].Type
					cnt[fmt.Sprintf("H30 %s first %s reason %s", sp.Type, first, sp.Reason)]++
				}
			}
			if p.Death.IsZero() {
				a := 2024 - by
				cnt[fmt.Sprintf("AGE %02d %s", min(a/10*10, 90), p.HukouType)]++
			}
			if p.Sex != registry.Female || by < 1950 || by > 1964 || p.HukouType != registry.Rural || !p.Death.IsZero() {
				continue
			}
			x := hs[p.ID]
			if x == nil {
				x = &h{}
			}
			coh := "50-59"
			if by >= 1960 {
				coh = "60-64"
			}
			pat := fmt.Sprintf("n%d", min(x.n, 4))
			if x.n == 2 && x.dau == 2 {
				pat = "2girls"
			}
			cnt[fmt.Sprintf("POP %s all", coh)]++
			cnt[fmt.Sprintf("POP %s %s out%v", coh, pat, x.out > 0)]++
		}
		return ind.add(b)
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", ind)
	var ks []string
	for k := range cnt {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Printf("%-40s %6d %6.1f\n", k, cnt[k], per10k(cnt[k], ind.residents))
	}
}
