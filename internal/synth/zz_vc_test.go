package synth

import (
	"fmt"
	"testing"
)

func TestVC(t *testing.T) {
	g, err := newGenerator(Config{County: "341523", Persons: 200000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	var u, n int
	var wu, w float64
	for _, vi := range g.villages {
		n++
		w += g.all[vi].weight
		if g.all[vi].urban {
			u++
			wu += g.all[vi].weight
		}
	}
	tu := 0
	for _, v := range g.all {
		if v.urban {
			tu++
		}
	}
	fmt.Println("sim villages", n, "urban", u, "weight share", wu/w, "all", len(g.all), "urban all", tu)
}
