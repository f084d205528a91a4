package store

// RebindCacheLen returns the number of cached query texts (for tests).
func (db *DB) RebindCacheLen() int {
	db.rebindMu.RLock()
	defer db.rebindMu.RUnlock()
	return len(db.rebound)
}

// PersonOrderBy returns the ORDER BY clause of a person search (for tests).
func PersonOrderBy(e Engine, key string, desc bool) (string, error) {
	return personSorts.orderBy(e, key, desc)
}
