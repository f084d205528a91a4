package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// A SQLite path may hold characters that a URI filename reads as its own:
// the database must still be the file named, and only that file.
func TestSQLitePathWithURICharacters(t *testing.T) {
	for _, name := range []string{"a#1", "b?c=d", "e%41", "f#g?h%"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "county.db")
			db, err := store.Open(context.Background(), "sqlite:"+path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateSchema(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the database is not at %s: %v", path, err)
			}
			entries, err := os.ReadDir(filepath.Dir(dir))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() != name {
					t.Errorf("a file %q was made beside the directory %q", e.Name(), name)
				}
			}
		})
	}
}
