package matching

import (
	"context"
	"iter"
	"slices"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// Candidate is a registry person as the matcher sees them.
type Candidate struct {
	Key      registry.Key
	IDNumber string // "" when the registry has none
	Name     string
	Sex      string // registry.Male, registry.Female or ""
	Birth    date.Date
	// Region is the twelve-digit division of the person's hukou.
	Region string
	// Mother and Father are the ids, in the same county, of the person's
	// parents (by birth or registered adoption), 0 when unknown. They let
	// a child in a birth or vaccination record be found through the
	// matched mother.
	Mother, Father int64
}

// cand is a Candidate as the index keeps it.
type cand struct {
	id     int64
	idnum  [18]byte // zero when none
	name   string   // normalised
	birth  date.Date
	county uint16 // index into Index.counties
	sex    uint8  // 'M', 'F' or 0
	place  int32  // index into Index.regions, -1 when unknown
	mother int32  // index of the mother's cand, -1 when unknown
	father int32
}

func (c *cand) hasID() bool { return c.idnum[0] != 0 }

// Block key tags, in the top bits of a key.
const (
	tagBody   = 1 // the first 17 digits of the ID number
	tagDate   = 2 // the birth date
	tagSYM    = 3 // surname sound, birth year and month
	tagSYD    = 4 // surname sound, birth year and day
	tagName   = 5 // the primary readings of the whole name
	tagMother = 6 // the mother's index
	tagFather = 7
	tagShift  = 58
	keyMask   = 1<<tagShift - 1
)

func blockKey(tag int, v uint64) uint64 { return uint64(tag)<<tagShift | v&keyMask }

func dateBits(d date.Date) uint64 {
	return uint64(d.Year())*10000 + uint64(d.Month())*100 + uint64(d.Day())
}

func symKey(sound uint32, d date.Date) uint64 {
	return blockKey(tagSYM, uint64(sound)<<20|uint64(d.Year())<<4|uint64(d.Month()))
}

func sydKey(sound uint32, d date.Date) uint64 {
	return blockKey(tagSYD, uint64(sound)<<20|uint64(d.Year())<<5|uint64(d.Day()))
}

func bodyKey(body string) (uint64, bool) {
	if len(body) != 17 {
		return 0, false
	}
	n, err := strconv.ParseUint(body, 10, 64)
	return blockKey(tagBody, n), err == nil
}

// Index holds registry persons in memory for matching: compact records,
// blocks of persons who share a key (ID number digits, birth date,
// surname sound with part of the birth date, name sound), how common
// each name is, and the place names of their divisions. It is built once
// by an IndexBuilder and then only read: any number of goroutines may
// match against it at once.
type Index struct {
	cands    []cand
	counties []string
	regions  []string // twelve-digit division codes
	keys     []uint64 // sorted distinct block keys
	starts   []uint32 // keys[i]'s members are posts[starts[i]:starts[i+1]]
	posts    []int32
	names    map[string]int32 // normalised name → persons
	sounds   map[uint64]int32 // name sound key → persons
	// cohortNames counts the persons of a name in a birth cohort
	// (cohortKey), cohorts the persons of a cohort.
	cohortNames map[uint64]int32
	cohorts     map[int]int32
	places      *placeIndex
}

// Len returns the number of persons in the index.
func (ix *Index) Len() int { return len(ix.cands) }

// block returns the members of the block with key k.
func (ix *Index) block(k uint64) []int32 {
	i, ok := slices.BinarySearch(ix.keys, k)
	if !ok {
		return nil
	}
	return ix.posts[ix.starts[i]:ix.starts[i+1]]
}

// Key returns the registry key of the person at index i.
func (ix *Index) key(i int32) registry.Key {
	c := &ix.cands[i]
	return registry.Key{County: ix.counties[c.county], ID: c.id}
}

func (ix *Index) idNumber(i int32) string {
	c := &ix.cands[i]
	if !c.hasID() {
		return ""
	}
	return string(c.idnum[:])
}

// IndexBuilder collects registry persons, streamed in one at a time, and
// builds an Index.
type IndexBuilder struct {
	ix      *Index
	county  map[string]uint16
	region  map[string]int32
	parents [][2]int64 // per cand: mother, father ids
	pairs   []keyPost
	invalid int
}

type keyPost struct {
	k uint64
	i int32
}

// NewIndexBuilder returns an empty builder.
func NewIndexBuilder() *IndexBuilder {
	return &IndexBuilder{
		ix:     &Index{names: map[string]int32{}, sounds: map[uint64]int32{}, cohortNames: map[uint64]int32{}, cohorts: map[int]int32{}},
		county: map[string]uint16{},
		region: map[string]int32{},
	}
}

// Add adds a person. An ID number that is not valid is left out (the
// person is still matched by name, birth date and place).
func (b *IndexBuilder) Add(p Candidate) {
	ix := b.ix
	ci, ok := b.county[p.Key.County]
	if !ok {
		ci = uint16(len(ix.counties))
		ix.counties = append(ix.counties, p.Key.County)
		b.county[p.Key.County] = ci
	}
	c := cand{id: p.Key.ID, county: ci, birth: p.Birth, place: -1, mother: -1, father: -1}
	if p.IDNumber != "" {
		if n, err := idcard.Parse(p.IDNumber); err == nil {
			copy(c.idnum[:], n)
		} else {
			b.invalid++
		}
	}
	c.name = NormalizeName(p.Name)
	switch p.Sex {
	case registry.Male:
		c.sex = 'M'
	case registry.Female:
		c.sex = 'F'
	}
	if p.Region != "" {
		ri, ok := b.region[p.Region]
		if !ok {
			ri = int32(len(ix.regions))
			ix.regions = append(ix.regions, p.Region)
			b.region[p.Region] = ri
		}
		c.place = ri
	}
	i := int32(len(ix.cands))
	ix.cands = append(ix.cands, c)
	b.parents = append(b.parents, [2]int64{p.Mother, p.Father})

	if c.hasID() {
		if k, ok := bodyKey(string(c.idnum[:17])); ok {
			b.pairs = append(b.pairs, keyPost{k, i})
		}
	}
	rs := []rune(c.name)
	if len(rs) > 0 {
		ix.names[c.name]++
		nk := nameKey(rs)
		ix.sounds[nk]++
		b.pairs = append(b.pairs, keyPost{blockKey(tagName, nk), i})
	}
	if !c.birth.IsZero() {
		co := cohortOf(c.birth)
		ix.cohorts[co]++
		if c.name != "" {
			ix.cohortNames[cohortKey(c.name, co)]++
		}
		b.pairs = append(b.pairs, keyPost{blockKey(tagDate, dateBits(c.birth)), i})
		if len(rs) > 0 {
			s := surnameSound(rs)
			b.pairs = append(b.pairs, keyPost{symKey(s, c.birth), i}, keyPost{sydKey(s, c.birth), i})
		}
	}
}

// InvalidIDs returns how many persons added so far had an ID number that
// is not valid (left out of the index; the registry should correct them).
func (b *IndexBuilder) InvalidIDs() int { return b.invalid }

// Build finishes the index. The builder must not be used afterwards.
func (b *IndexBuilder) Build() *Index {
	ix := b.ix
	// Resolve parents to indices, and block children under them.
	byID := make(map[[2]int64]int32, len(ix.cands))
	for i := range ix.cands {
		byID[[2]int64{int64(ix.cands[i].county), ix.cands[i].id}] = int32(i)
	}
	for i, pf := range b.parents {
		c := &ix.cands[i]
		if pf[0] != 0 {
			if m, ok := byID[[2]int64{int64(c.county), pf[0]}]; ok {
				c.mother = m
				b.pairs = append(b.pairs, keyPost{blockKey(tagMother, uint64(m)), int32(i)})
			}
		}
		if pf[1] != 0 {
			if f, ok := byID[[2]int64{int64(c.county), pf[1]}]; ok {
				c.father = f
				b.pairs = append(b.pairs, keyPost{blockKey(tagFather, uint64(f)), int32(i)})
			}
		}
	}
	b.parents = nil
	slices.SortFunc(b.pairs, func(x, y keyPost) int {
		switch {
		case x.k < y.k:
			return -1
		case x.k > y.k:
			return 1
		}
		return int(x.i - y.i)
	})
	ix.posts = make([]int32, len(b.pairs))
	for j, p := range b.pairs {
		ix.posts[j] = p.i
		if j == 0 || p.k != b.pairs[j-1].k {
			ix.keys = append(ix.keys, p.k)
			ix.starts = append(ix.starts, uint32(j))
		}
	}
	ix.starts = append(ix.starts, uint32(len(b.pairs)))
	b.pairs = nil
	ix.places = newPlaceIndex(ix.counties)
	b.ix = nil
	return ix
}

// BuildIndex builds an index from persons streamed by seq, stopping at
// the first error seq yields or when ctx is done.
func BuildIndex(ctx context.Context, seq iter.Seq2[Candidate, error]) (*Index, error) {
	b := NewIndexBuilder()
	n := 0
	for c, err := range seq {
		if err != nil {
			return nil, err
		}
		if n++; n%65536 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		b.Add(c)
	}
	return b.Build(), nil
}
