package recheck

import (
	"fmt"
	"slices"
	"testing"
)

func population(n int) []Candidate {
	var out []Candidate
	for i := range n {
		// Three townships of 341523 with 50%, 30% and 20% of the people.
		town := "341523100"
		switch {
		case i%10 >= 8:
			town = "341523102"
		case i%10 >= 5:
			town = "341523101"
		}
		out = append(out, Candidate{RecipientID: int64(1000 + i), PersonID: int64(i + 1), Program: "jf", Region: fmt.Sprintf("%s%03d", town, 1+i%3)})
	}
	return out
}

func ids(cs []Candidate) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.RecipientID)
	}
	return out
}

// TestPickReproducible: the same population, method, size and seed draw
// the same recipients; another seed draws others; no one is drawn twice;
// a size over the population draws everyone.
func TestPickReproducible(t *testing.T) {
	pop := population(200)
	for _, method := range []string{MethodSimple, MethodTownship} {
		a, b := Pick(pop, method, 32, 20240601), Pick(pop, method, 32, 20240601)
		if len(a) != 32 || !slices.Equal(ids(a), ids(b)) {
			t.Errorf("%s: two draws from one seed differ: %v, %v", method, ids(a), ids(b))
		}
		if c := Pick(pop, method, 32, 7); slices.Equal(ids(a), ids(c)) {
			t.Errorf("%s: another seed draws the same sample", method)
		}
		seen := map[int64]bool{}
		for _, x := range a {
			if seen[x.RecipientID] {
				t.Errorf("%s: %d drawn twice", method, x.RecipientID)
			}
			seen[x.RecipientID] = true
		}
		if all := Pick(pop[:5], method, 32, 1); len(all) != 5 {
			t.Errorf("%s: %d of 5 drawn for a size of 32", method, len(all))
		}
	}
}

// TestPickByTownship: a stratified sample of 32 from townships holding
// 50%, 30% and 20% of the people takes 16, 10 and 6 (largest remainders).
func TestPickByTownship(t *testing.T) {
	got := map[string]int{}
	for _, c := range Pick(population(200), MethodTownship, 32, 99) {
		got[c.Region[:9]]++
	}
	want := map[string]int{"341523100": 16, "341523101": 10, "341523102": 6}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("township %s: %d drawn, want %d (all: %v)", k, got[k], v, got)
		}
	}
}
