package app

import (
	"context"

	"github.com/jiahe-project/jiahe/internal/store"
)

// Migration is what Migrate did: the schema version before and after, on
// which engine.
type Migration struct {
	Before, After int
	Engine        string
}

// Migrate opens the database at url with cfg's keys, applies every
// pending migration (each in a transaction of its own, with its record)
// and closes the database again.
func Migrate(ctx context.Context, url string, cfg Config) (Migration, error) {
	db, err := store.Open(ctx, url, store.WithKeys(cfg.Keys))
	if err != nil {
		return Migration{}, err
	}
	defer db.Close()
	m := Migration{Engine: string(db.Engine)}
	if m.Before, _, err = db.SchemaVersion(ctx); err != nil {
		return m, err
	}
	if err := db.Migrate(ctx); err != nil {
		return m, err
	}
	m.After, _, err = db.SchemaVersion(ctx)
	return m, err
}
