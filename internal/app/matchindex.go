package app

import (
	"context"
	"sync"

	"github.com/jiahe-project/jiahe/internal/matching"
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

// index returns the index of county's registry at chain sequence seq,
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
