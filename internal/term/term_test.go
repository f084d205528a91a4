package term

import (
	"slices"
	"testing"
)

func TestList(t *testing.T) {
	type color string
	l := List{{"red", "红", "Red"}, {"blue", "蓝", ""}}
	for _, tt := range []struct{ code, lang, want string }{
		{"red", "zh", "红"}, {"red", "en", "Red"}, {"red", "", "红"},
		{"blue", "en", "蓝"}, // no English name: the Chinese one
		{"green", "en", "green"},
	} {
		if got := l.Name(tt.code, tt.lang); got != tt.want {
			t.Errorf("Name(%q, %q) = %q, want %q", tt.code, tt.lang, got, tt.want)
		}
	}
	if !l.Has("blue") || l.Has("green") || l.Chinese("red") != "红" {
		t.Error("Has or Chinese")
	}
	if got := Codes[color](l); !slices.Equal(got, []color{"red", "blue"}) {
		t.Errorf("Codes = %v", got)
	}
}
