package main

import (
	"context"
	"fmt"
	"io"

	"github.com/jiahe-project/jiahe/internal/app"
)

// runMigrate applies every pending migration.
func runMigrate(ctx context.Context, dbURL string, args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("migrate takes no arguments")
	}
	cfg, err := appConfig(ctx, dbURL)
	if err != nil {
		return err
	}
	m, err := app.Migrate(ctx, dbURL, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d → %d (%s)\n", m.Before, m.After, m.Engine)
	return nil
}
