package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// idBlock is the number of ids a process reserves at once for a sequence.
// Reserving is one short statement on a connection of its own, so the
// counter's row is locked for a moment once per idBlock ids, never for
// the length of a transaction. Ids a process had reserved and did not use
// when it stops are skipped.
const idBlock = 256

// idBlocks hands out ids from blocks reserved in id_seq (PostgreSQL).
type idBlocks struct {
	pool *sql.DB
	mu   sync.Mutex
	free map[string]*idRange
}

// idRange is the unused part [next, end) of a reserved block.
type idRange struct{ next, end int64 }

func newIDBlocks(pool *sql.DB) *idBlocks {
	return &idBlocks{pool: pool, free: map[string]*idRange{}}
}

// take returns the first of n consecutive ids of sequence name. A request
// larger than half a block (a bulk load) gets a range of its own, and the
// rest of the current block is dropped, so that ids handed out later in
// this process are greater than the range's.
func (b *idBlocks) take(ctx context.Context, name string, n int) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.free[name]
	if r != nil && r.end-r.next >= int64(n) {
		first := r.next
		r.next += int64(n)
		return first, nil
	}
	size := int64(idBlock)
	if int64(n) > size/2 {
		size = int64(n)
	}
	first, err := b.reserve(ctx, name, size)
	if err != nil {
		return 0, err
	}
	if size == int64(n) {
		delete(b.free, name)
		return first, nil
	}
	b.free[name] = &idRange{next: first + int64(n), end: first + size}
	return first, nil
}

// reserve moves the counter of name by size in a statement of its own and
// returns the first id reserved.
func (b *idBlocks) reserve(ctx context.Context, name string, size int64) (int64, error) {
	var next int64
	err := retry(ctx, func() error {
		return b.pool.QueryRowContext(ctx, `INSERT INTO id_seq (name, next) VALUES ($1, $2 + 1)
			ON CONFLICT (name) DO UPDATE SET next = id_seq.next + $2 RETURNING next`, name, size).Scan(&next)
	})
	if err != nil {
		return 0, fmt.Errorf("reserve ids %s: %w", name, err)
	}
	return next - size, nil
}
