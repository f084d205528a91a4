package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/jiahe-project/jiahe/internal/region"
)

// TestTranslationsCoverTemplates fails when a template names a message
// key that i18n/messages.json lacks.
func TestTranslationsCoverTemplates(t *testing.T) {
	u, err := newEngine(region.Default())
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("templates/*.html")
	re := regexp.MustCompile(`\.T\.([A-Za-z0-9_]+)`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			for _, lang := range []string{"zh", "en"} {
				if _, ok := u.msgs[lang][m[1]]; !ok {
					t.Errorf("%s: message %q has no %s text", f, m[1], lang)
				}
			}
		}
	}
}
