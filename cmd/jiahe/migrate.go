package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jiahe-project/jiahe/internal/store"
)

// runMigrate applies every pending migration.
func runMigrate(ctx context.Context, dbURL string, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("migrate takes no arguments")
	}
	r, err := loadKeys(ctx, dbURL)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, dbURL, store.WithKeys(r))
	if err != nil {
		return err
	}
	defer db.Close()
	before, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	after, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d → %d (%s)\n", before, after, db.Engine)
	return nil
}

// openCurrent opens the database and refuses a schema that is behind the
// binary: commands other than serve and migrate never migrate on their
// own.
func openCurrent(ctx context.Context, dbURL string) (*store.DB, error) {
	r, err := loadKeys(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dbURL, store.WithKeys(r))
	if err != nil {
		return nil, err
	}
	applied, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if applied < latest {
		db.Close()
		return nil, fmt.Errorf("the database schema is at version %d, this jiahe needs %d: run jiahe migrate", applied, latest)
	}
	if applied > latest {
		db.Close()
		return nil, fmt.Errorf("the database schema (version %d) is newer than this jiahe (%d): upgrade jiahe", applied, latest)
	}
	if err := db.CheckKeys(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
