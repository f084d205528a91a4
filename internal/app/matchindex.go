package app

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/matching"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// matchIndexes keeps the matcher's index of the county imported last, so
// that the next import of the same county does not read and decrypt the
// whole registry again. An index is valid for the state of the registry
// at a sequence number of the county's audit chain: every audited change
// of the county (a person registered, renamed, dead, moved, a family
// tie) moves the chain on, and an index of an older state is built again.
// An import changes no person, so an index the import used stays valid
// past the import's own entries (matchIndexes.keep).
type matchIndexes struct {
	mu     sync.Mutex
	county string
	seq    int64
	ix     *matching.Index
}

// matchIndex returns the index of county's registry at chain sequence seq,
// building it when the one kept is of another county or state.
func (a *App) matchIndex(ctx context.Context, county string, seq int64) (*matching.Index, error) {
	c := &a.matchIx
	c.mu.Lock()
	if c.ix != nil && c.county == county && c.seq == seq {
		ix := c.ix
		c.mu.Unlock()
		return ix, nil
	}
	c.mu.Unlock()
	ix, err := matching.BuildIndex(ctx, a.db.MatchCandidates(ctx, county))
	if err != nil {
		return nil, err
	}
	a.keepMatchIndex(county, seq, ix)
	return ix, nil
}

// keepMatchIndex keeps ix as the index of county at chain sequence seq.
func (a *App) keepMatchIndex(county string, seq int64, ix *matching.Index) {
	c := &a.matchIx
	c.mu.Lock()
	defer c.mu.Unlock()
	c.county, c.seq, c.ix = county, seq, ix
}

// DuplicatePair is a pair of registry persons who are probably one person
// registered twice, with both records.
type DuplicatePair struct {
	matching.Duplicate
	A, B *registry.Record
}

// maxDuplicates bounds the pairs MatchDuplicates returns.
const maxDuplicates = 500

// MatchDuplicates finds the probable duplicates inside county's registry
// (matching.Matcher.Duplicates over the county's index), most probable
// first, at most 500 pairs, and how many were found. County staff only:
// the search compares every person of the county.
func (a *App) MatchDuplicates(ctx context.Context, who auth.Actor, county string) ([]DuplicatePair, int, error) {
	o, err := matchCountyOp("match.duplicates", auth.PermRegistryRead, "person", county, 0)
	if err != nil {
		return nil, 0, err
	}
	var seq int64
	if err := a.view(ctx, who, o, func(tx *store.Tx) (err error) {
		seq, err = tx.ChainSeq(ctx, county)
		return err
	}); err != nil {
		return nil, 0, err
	}
	ix, err := a.matchIndex(ctx, county, seq)
	if err != nil {
		return nil, 0, err
	}
	m, err := matching.NewMatcher(ix, matching.DefaultParams())
	if err != nil {
		return nil, 0, err
	}
	ds, err := m.Duplicates(ctx)
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(ds, func(x, y matching.Duplicate) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.A.ID, y.A.ID), cmp.Compare(x.B.ID, y.B.ID))
	})
	n := len(ds)
	ds = ds[:min(n, maxDuplicates)]
	out := make([]DuplicatePair, 0, len(ds))
	err = a.view(ctx, who, o, func(tx *store.Tx) error {
		for _, d := range ds {
			pa, err := tx.PersonByKey(ctx, who.Scope, d.A)
			if err != nil {
				return err
			}
			pb, err := tx.PersonByKey(ctx, who.Scope, d.B)
			if err != nil {
				return err
			}
			out = append(out, DuplicatePair{Duplicate: d, A: pa, B: pb})
		}
		return nil
	})
	return out, n, err
}
