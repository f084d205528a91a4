package matching

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/synth"
)

// TestDuplicates registers some persons of a synthetic county a second
// time, as a village might — without the ID number or with its old
// 15-digit form, the name in another form, the birth date slipped — and
// checks that the pairs are found and few others are.
func TestDuplicates(t *testing.T) {
	ctx := context.Background()
	reg, err := GenerateCounty(ctx, synth.Config{County: testCounty, Persons: 30_000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	b := NewIndexBuilder()
	for c := range reg.Candidates() {
		b.Add(c)
	}
	r := rand.New(rand.NewPCG(1, 2))
	g := &gen{r: r, cfg: ExtractConfig{Noise: 1}, errs: map[string]int{}}
	want := map[[2]int64]bool{}
	next := int64(len(reg.Persons)) + 1
	for range 200 {
		p := &reg.Persons[r.IntN(len(reg.Persons))]
		c := Candidate{Key: registry.Key{County: reg.County, ID: next}, Name: p.Name, Sex: p.Sex, Birth: p.Birth, Region: p.Region}
		switch r.IntN(4) {
		case 0:
			if rs := []rune(p.Name); len(rs) >= 2 {
				if i, ch, ok := g.homophone(rs); ok {
					rs[i] = ch
					c.Name = string(rs)
				}
			}
		case 1:
			c.Name = ToTraditionalForTest(p.Name)
		case 2:
			if d, ok := valid(p.Birth.Year(), p.Birth.Day(), int(p.Birth.Month())); ok {
				c.Birth = d
			}
		}
		b.Add(c)
		want[[2]int64{p.ID, next}] = true
		next++
	}
	m, err := NewMatcher(b.Build(), DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	ds, err := m.Duplicates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found, auto, other := 0, 0, 0
	for _, d := range ds {
		if want[[2]int64{d.A.ID, d.B.ID}] {
			found++
			if d.Outcome == Matched {
				auto++
			}
		} else {
			other++
			if other <= 5 {
				t.Logf("other: %+v", d)
			}
		}
	}
	t.Logf("%d pairs: %d of %d planted found (%d automatically), %d others", len(ds), found, len(want), auto, other)
	if found < len(want)*95/100 || other > len(want)/10 {
		t.Errorf("found %d of %d planted duplicates, and %d other pairs", found, len(want), other)
	}
}

// ToTraditionalForTest writes a name in traditional characters.
func ToTraditionalForTest(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if t, ok := traditionalOf()[r]; ok {
			rs[i] = t
		}
	}
	return string(rs)
}
