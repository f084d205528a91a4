package store

// RebindCacheLen returns the number of cached query texts (for tests).
func (db *DB) RebindCacheLen() int {
	db.rebindMu.RLock()
	defer db.rebindMu.RUnlock()
	return len(db.rebound)
}
