package web

import (
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

func TestPointerField(t *testing.T) {
	for p, want := range map[string]string{"": "body", "/name": "name", "/persons/2/name": "persons[2].name", "/a~1b": "a/b"} {
		if got := pointerField(jsontext.Pointer(p)); got != want {
			t.Errorf("pointerField(%q) = %q, want %q", p, got, want)
		}
	}
}
