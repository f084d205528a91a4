package store

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/jiahe-project/jiahe/internal/date"
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

// TestWindowSplit checks the division of a family's ids by the window
// against sorting them, for windows narrow and wide beside the ids (marked
// in a set of the window's ids, or sorted), with ids repeated, at the
// window's edges and outside it on either side.
func TestWindowSplit(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name      string
		lo, hi    int64
		ids       int
		from, end int64 // ids are drawn from from..end-1
	}{
		{"none", 100, 200, 0, 0, 1},
		{"narrow", 1000, 1999, 500, 900, 2100},
		{"edges", 0, 63, 200, 0, 64},
		{"negative", -130, 70, 300, -200, 200},
		{"wide", 0, 1 << 40, 50, 0, 1 << 41},
		{"wide by a little", 0, 64 * 40, 40, -10, 64*40 + 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := windowReader{lo: tc.lo, hi: tc.hi}
			for range 20 {
				var list []int64
				for range tc.ids {
					list = append(list, tc.from+rnd.Int64N(tc.end-tc.from))
				}
				var in, out []int64
				for _, id := range list {
					if id >= tc.lo && id <= tc.hi {
						in = append(in, id)
					} else {
						out = append(out, id)
					}
				}
				slices.Sort(in)
				slices.Sort(out)
				in, out = slices.Compact(in), slices.Compact(out)
				got := w.split(list)
				if !slices.Equal(got.in, in) || !slices.Equal(got.out, out) {
					t.Fatalf("ids %v in %d..%d: split in %v out %v, want in %v out %v", list, tc.lo, tc.hi, got.in, got.out, in, out)
				}
			}
		})
	}
}

// TestTexts checks that a column's texts read back as they were, whether
// kept (repeated short texts), too long to keep, or in a column that
// stops being kept (texts that mostly differ), and that repeated texts
// are one string.
func TestTexts(t *testing.T) {
	var c columnTexts
	for i := range 3 * textsKept {
		for col, want := range []string{
			[]string{"M", "F"}[i%2],              // repeats
			fmt.Sprintf("name %d", i),            // differs: stops being kept
			strings.Repeat("x", textsLong+1+i%3), // too long to keep
			"",                                   // empty
			fmt.Sprintf("34152310%04d", i%textsKept/4), // repeats four times
		} {
			b := []byte(want)
			got := c.of(col, b)
			if len(b) > 0 {
				b[0] = '?' // the reader's bytes are reused
			}
			if got != want {
				t.Fatalf("row %d column %d: %q, want %q", i, col, got, want)
			}
		}
	}
	if !c[1].off || c[0].off || c[4].off {
		t.Errorf("kept: sexes %v, names %v, codes %v; want the names only not kept", !c[0].off, !c[1].off, !c[4].off)
	}
	a, b := c.of(0, []byte("M")), c.of(0, []byte("M"))
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("a repeated text was read into a new string")
	}
}

// TestRangeSort checks the ordering of a range's rows by key and id
// against sorting them, for rows in order, nearly in order (as a bitmap
// reads them), in no order, with many rows to a key, with keys far apart
// (sorted, not counted) and with a key outside the range.
func TestRangeSort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name        string
		rows        int
		width       int64 // keys are lo..lo+width-1
		perKey      int   // rows of one key at most
		swaps       int   // rows moved out of order, -1 for all
		outOfBounds bool
	}{
		{"empty", 0, 10, 1, 0, false},
		{"in order", 2000, 2000, 1, 0, false},
		{"nearly", 5000, 4000, 3, 300, false},
		{"no order", 5000, 3000, 4, -1, false},
		{"many to a key", 3000, 20, 200, -1, false},
		{"keys far apart", 500, 1 << 30, 1, -1, false},
		{"a key outside", 500, 600, 1, 50, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b pgRange[string]
			for range 10 {
				const lo = -77
				b.rows = b.rows[:0]
				id := int64(0)
				for len(b.rows) < tc.rows {
					k := lo + rnd.Int64N(tc.width)
					for range 1 + rnd.IntN(tc.perKey) {
						id += 1 + rnd.Int64N(5)
						b.rows = append(b.rows, keyed[string]{key: k, id: id, v: fmt.Sprint(k, "/", id)})
					}
				}
				cmpRows := func(x, y keyed[string]) int { return keyedCmp(&x, &y) }
				slices.SortFunc(b.rows, cmpRows)
				switch {
				case tc.swaps < 0:
					rnd.Shuffle(len(b.rows), func(i, j int) { b.rows[i], b.rows[j] = b.rows[j], b.rows[i] })
				default:
					for range tc.swaps {
						i, j := rnd.IntN(len(b.rows)), rnd.IntN(len(b.rows))
						b.rows[i], b.rows[j] = b.rows[j], b.rows[i]
					}
				}
				hi := lo + tc.width
				if tc.outOfBounds {
					b.rows[len(b.rows)/2].key = hi + 3
				}
				want := slices.SortedFunc(slices.Values(b.rows), cmpRows)
				b.sort(lo, hi)
				if !slices.Equal(b.rows, want) {
					t.Fatalf("ordered %v, want %v", b.rows, want)
				}
			}
		})
	}
}

// fakeRows is a cursor over rows of a key and an id.
type fakeRows struct {
	rows [][2]int64
	at   int
}

func (f *fakeRows) Next() bool                { f.at++; return f.at <= len(f.rows) }
func (f *fakeRows) Err() error                { return nil }
func (f *fakeRows) Close() error              { return nil }
func (f *fakeRows) Int64(col int) int64       { return f.rows[f.at-1][col] }
func (f *fakeRows) Text(int) string           { return "" }
func (f *fakeRows) Date(int) date.Date        { return date.Date{} }
func (f *fakeRows) NullBool(int) sql.NullBool { return sql.NullBool{} }

// TestPassWindow walks a pass's window along a table as a scan does —
// reading ahead to a key, forgetting the rows below another — and checks
// that the window holds exactly the rows between, whatever the steps.
func TestPassWindow(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, step := range []int64{1, 7, 100, 5000} {
		var rows [][2]int64
		for k := int64(0); k < 20000; k++ {
			for range rnd.IntN(3) {
				rows = append(rows, [2]int64{k, int64(len(rows))})
			}
		}
		p := pass[int64]{src: &cursorRows[int64]{cur: &fakeRows{rows: rows}, scan: func(r row) int64 { return r.Int64(1) }}}
		for lo := int64(0); lo < 21000; lo += step {
			hi := lo + 3*step
			if err := p.fill(hi); err != nil {
				t.Fatal(err)
			}
			p.drop(lo)
			var want []int64
			for _, r := range rows {
				if r[0] >= lo && r[0] <= hi {
					want = append(want, r[1])
				}
			}
			var got []int64
			for _, k := range p.window() {
				got = append(got, k.v)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("step %d, window %d..%d: rows %v, want %v", step, lo, hi, got, want)
			}
		}
	}
}
