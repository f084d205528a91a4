package matching

import (
	"strings"
	"testing"
)

func TestInitials(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"张建国", "zjg"},
		{"王秀英", "wxy"},
		{"单丽", "sl"},     // 单 as a surname is shan
		{"曾国藩", "zgf"},   // 曾 as a surname is zeng
		{"欧阳修文", "oyxw"}, // a compound surname
		{"張建國", "zjg"},   // traditional characters
		{"阿依古丽·买买提", "aygl" + "mmt"},
		{"ＬＩ明", "lim"},     // full-width Latin letters
		{"李秀英之子", "lxyzz"}, // a placeholder name keeps its letters
		{"", ""},
	} {
		if got := Initials(c.name); got != c.want {
			t.Errorf("Initials(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestInitialsChars checks that the initials of every character, after a
// surname and alone, are among InitialsChars: a search by initials keeps
// those characters of what is typed alone, and could not find a person
// whose initials held another.
func TestInitialsChars(t *testing.T) {
	for r := rune(0x20); r <= 0x3FFFF; r++ {
		for _, name := range []string{string(r), "王" + string(r)} {
			if s := Initials(name); strings.Trim(s, InitialsChars) != "" {
				t.Fatalf("Initials(%q) = %q, beyond InitialsChars", name, s)
			}
		}
	}
}
