package synth

import (
	"fmt"
	"testing"
)

func TestDbg(t *testing.T) {
	cfg := Config{County: "341523", Persons: 200000, Seed: 11}
	cfg.Check()
	g, _ := newGenerator(cfg)
	n := 0
	dbgHook = func(s *sim, w int32, y int, f family, hz float64) {
		if s.ps[w].birth.Year() == 1966 && s.vil == int32(g.villages[0]) || true {
			p := &s.ps[w]
			if p.birth.Year() == 1966 && p.parity == 1 && y >= 1996 && len(p.kids) == 1 && !s.ps[p.kids[0]].death.IsZero() && s.ps[p.kids[0]].death.Year() == 1996 {
				fmt.Printf("  y %d f %+v hz %.3f\n", y, f, hz)
			}
		}
	}
	defer func() { dbgHook = nil }()
	for i := range g.villages[:20] {
		var b Batch
		g.simulateVillage(i, &b)
		s := &g.sim
		for k := range s.ps {
			p := &s.ps[k]
			if p.male || p.parity != 1 || len(p.kids) != 1 {
				continue
			}
			c := &s.ps[p.kids[0]]
			if c.death.IsZero() || c.death.Year() < 1982 || c.death.Year()-c.birth.Year() > 1 {
				continue
			}
			age := c.death.Year() - p.birth.Year()
			if age > 33 || (!p.death.IsZero() && p.death.Year() < c.death.Year()+5) {
				continue
			}
			m := "none"
			if p.marriage >= 0 {
				mm := s.marriages[p.marriage]
				m = fmt.Sprintf("%v-%v", mm.from, mm.to)
			}
			fmt.Printf("w %d child %v died %v infertile %v steril %v nMarr %d curMarr %s rural %v\n", p.birth.Year(), c.birth, c.death, p.infertile, p.sterilised, p.nMarriages, m, p.rural())
			n++
		}
	}
	fmt.Println(n)
}
