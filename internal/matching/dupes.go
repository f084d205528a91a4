package matching

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/jiahe-project/jiahe/internal/registry"
)

// Duplicate is a pair of registry persons who are probably one person
// registered twice.
type Duplicate struct {
	A         registry.Key `json:"a"`
	B         registry.Key `json:"b"`
	AIDNumber string       `json:"a_id_number,omitempty"`
	BIDNumber string       `json:"b_id_number,omitempty"`
	// Score is the probability, as the weights estimate it, that A and B
	// are the same person; Outcome is Matched at or above the match
	// threshold and Review below it.
	Score    float64  `json:"score"`
	Outcome  Outcome  `json:"outcome"`
	Evidence Evidence `json:"evidence"`
}

// prepareCand turns registry person i into a query, as if a row named
// them.
func (ix *Index) prepareCand(i int32) *query {
	c := &ix.cands[i]
	q := &query{mother: -1, father: -1, child: -1, exclude: i, wParent: parentWeight(len(ix.cands))}
	if c.hasID() {
		q.number = c.idnum
		copy(q.body[:], c.idnum[:17])
		q.hasBody = true
	}
	q.name = c.name
	if q.name != "" {
		q.runes = []rune(q.name)
		q.surname = surnameLen(q.runes)
		q.reads = make([][]uint16, len(q.runes))
		for k, r := range q.runes {
			q.reads[k] = readings(r, k < q.surname)
		}
		q.sound = nameKey(q.runes)
		q.snd = surnameSound(q.runes)
		q.wExact, q.wSound = nameWeights(int32(len(ix.cands)), ix.names[q.name], ix.sounds[q.sound])
		if !c.birth.IsZero() {
			q.wExact, q.wSound = ix.cohortWeights(q.name, c.birth, q.wExact, q.wSound)
		}
	}
	q.sex = c.sex
	q.explicit = true
	q.birth = c.birth
	if c.place >= 0 {
		code := ix.regions[c.place]
		q.place.village = code
		if len(code) >= 9 {
			q.place.town = code[:9]
		}
		if len(code) >= 6 {
			q.place.county = code[:6]
		}
	}
	return q
}

// related reports whether persons i and j are parent and child or
// children of the same parent: family members share a surname, a village
// and often a birth date (twins), and are not duplicates.
func (ix *Index) related(i, j int32) bool {
	a, b := &ix.cands[i], &ix.cands[j]
	return a.mother == j || a.father == j || b.mother == i || b.father == i ||
		a.mother >= 0 && a.mother == b.mother || a.father >= 0 && a.father == b.father
}

// Duplicates finds pairs of registry persons who are probably the same
// person: each person is compared, as if an extract named them, with the
// persons who share a block with them. Two persons with different valid
// ID numbers are different persons, and so are members of one family and
// persons whose names have nothing but the surname in common.
// Pairs come best first.
func (m *Matcher) Duplicates(ctx context.Context) ([]Duplicate, error) {
	ix := m.ix
	workers := m.p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var (
		mu  sync.Mutex
		out []Duplicate
		wg  sync.WaitGroup
	)
	next := make(chan int32)
	const chunk = 1024
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := m.scratch.Get().(*scratch)
			defer m.scratch.Put(s)
			var found []Duplicate
			for start := range next {
				for i := start; i < min(start+chunk, int32(len(ix.cands))); i++ {
					q := ix.prepareCand(i)
					s.reset()
					m.gather(q, s)
					for _, j := range s.found {
						if j <= i || q.number[0] != 0 && ix.cands[j].hasID() && q.number != ix.cands[j].idnum || ix.related(i, j) {
							continue
						}
						ev := ix.compare(q, j)
						if ev.Name == LevelDiffer || ev.Name == LevelSurname {
							continue // a second registration keeps a recognisable name
						}
						p := 1 / (1 + math.Exp2(m.w0-ev.Weight))
						if p < m.p.Review {
							continue
						}
						d := Duplicate{A: ix.key(i), B: ix.key(j), AIDNumber: ix.idNumber(i), BIDNumber: ix.idNumber(j), Score: p, Outcome: Review, Evidence: ev}
						if p >= m.p.Match {
							d.Outcome = Matched
						}
						found = append(found, d)
					}
				}
			}
			mu.Lock()
			out = append(out, found...)
			mu.Unlock()
		}()
	}
	var err error
feed:
	for start := int32(0); start < int32(len(ix.cands)); start += chunk {
		select {
		case next <- start:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Duplicate) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		case a.A.ID != b.A.ID:
			return int(a.A.ID - b.A.ID)
		}
		return int(a.B.ID - b.B.ID)
	})
	return out, nil
}
