package synth

import (
	"fmt"
	"testing"
)

func e0(y int, male bool) float64 {
	l := 1.0
	e := 0.0
	for a := 0; a < 110; a++ {
		q := deathProb(a, male, y)
		e += l * (1 - q/2)
		l *= 1 - q
	}
	return e
}

func TestLT(t *testing.T) {
	for _, y := range []int{1930, 1950, 1958, 1960, 1962, 1970, 1981, 1990, 2000, 2010, 2020, 2024} {
		fmt.Printf("%d e0 %.1f m %.1f f %.1f |", y, (e0(y, true)*1.05+e0(y, false))/2.05, e0(y, true), e0(y, false))
		for _, a := range []int{1, 10, 20, 30, 40, 50, 60, 70, 80, 90} {
			fmt.Printf(" %d:%.4f/%.4f", a, deathProb(a, true, y), deathProb(a, false, y))
		}
		fmt.Println()
	}
}

func TestSolve(t *testing.T) {
	targets := map[int]float64{1930: 35, 1950: 44, 1958: 50, 1960: 35, 1962: 55, 1970: 62, 1981: 67.8, 1990: 68.6, 2000: 71.4, 2010: 74.8, 2020: 77.9, 2024: 79}
	save := mortAnchors
	defer func() { mortAnchors = save }()
	for _, y := range []int{1930, 1950, 1958, 1960, 1962, 1970, 1981, 1990, 2000, 2010, 2020, 2024} {
		lo, hi := 0.2, 10.0
		for k := 0; k < 40; k++ {
			m := (lo + hi) / 2
			mortAnchors = []anchor{{y, m}}
			e := (e0(y, true)*1.05 + e0(y, false)) / 2.05
			if e > targets[y] {
				lo = m
			} else {
				hi = m
			}
		}
		fmt.Printf("{%d, %.2f}, ", y, lo)
	}
	fmt.Println()
}
