package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
	"github.com/jiahe-project/jiahe/internal/store/storetest"
)

// TestImpactCommand previews a rule layer from a file on both engines and
// refuses a misspelt parameter, an out-of-range value and a truncated file
// in plain words (the command speaks English) naming the file and the
// field, with no decoder text.
func TestImpactCommand(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := keyedURL(t, engine)
			runOK(t, "", "--db", url, "migrate")
			runOK(t, "", "--db", url, "gen", "--county", "341523", "--persons", "600", "--seed", "3")
			dir := t.TempDir()
			layer := func(params string) string {
				return `{"region": "341523", "version": 2, "from": "2024-01-01", "title": "舒城县：特扶领取年龄",
				  "programs": [{"code": "tf_death", "params": {` + params + `}}]}`
			}
			tests := []struct{ name, text, want string }{
				{"good", layer(`"min_age": 70`), ""},
				{"misspelt", layer(`"min_agee": 70`), "programs[0].params.min_agee"},
				{"out of range", layer(`"min_age": 700`), "Minimum age must be 0–120 years of age, got 700"},
				{"truncated", layer(`"min_age": 70`)[:40], "the rule text is incomplete"},
			}
			for _, tt := range tests {
				file := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".json")
				if err := os.WriteFile(file, []byte(tt.text), 0o644); err != nil {
					t.Fatal(err)
				}
				var out, errOut bytes.Buffer
				err := run(ctx, []string{"--db", url, "impact", "--region", "341523", "--year", "2024", "--layer", file}, strings.NewReader(""), &out, &errOut)
				switch {
				case tt.want == "" && err != nil:
					t.Errorf("%s: %v", tt.name, err)
				case tt.want == "" && !strings.Contains(out.String(), "341523@2"):
					t.Errorf("%s: printed %s", tt.name, out.String())
				case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), file) || strings.Contains(err.Error(), "EOF")):
					t.Errorf("%s: %v, want %q naming %s", tt.name, err, tt.want, file)
				}
			}
			db, err := store.Open(ctx, url, store.WithKeys(storetest.Keys(t, url)))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var n int
			if err := db.View(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(ctx, `SELECT COUNT(*) FROM policy_layers`).Scan(&n)
			}); err != nil || n != 0 {
				t.Errorf("%d layers stored by previews (%v)", n, err)
			}
		})
	}
}
