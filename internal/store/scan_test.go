package store

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPassEach checks the walk of a window's rows by a list of ids against
// looking up every id, over rows and ids of every density: a few ids among
// many rows, many ids among a few, none in common, and keys of many rows.
func TestPassEach(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name             string
		rows, ids, keys  int
		rowsPerKeyAtMost int
	}{
		{"empty", 0, 0, 10, 1},
		{"no ids", 50, 0, 100, 2},
		{"no rows", 0, 50, 100, 1},
		{"few ids, many rows", 5000, 7, 10000, 3},
		{"many ids, few rows", 7, 5000, 10000, 1},
		{"dense", 2000, 2000, 1000, 4},
		{"apart", 300, 300, 1 << 40, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 {
				var p pass[int]
				for range tc.rows {
					k := rnd.Int64N(int64(tc.keys))
					for range 1 + rnd.IntN(tc.rowsPerKeyAtMost) {
						p.buf = append(p.buf, keyed[int]{key: k, v: len(p.buf)})
					}
				}
				slices.SortStableFunc(p.buf, func(a, b keyed[int]) int { return int(a.key - b.key) })
				var ids []int64
				for range tc.ids {
					ids = append(ids, rnd.Int64N(int64(tc.keys)))
				}
				slices.Sort(ids)
				ids = slices.Compact(ids)

				var got, want []int
				p.each(ids, func(k *keyed[int]) { got = append(got, k.v) })
				for _, id := range ids {
					for _, r := range p.in(id, id) {
						want = append(want, r.v)
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("rows %v, ids %v: walked %v, looked up %v", p.buf, ids, got, want)
				}
			}
		})
	}
}
