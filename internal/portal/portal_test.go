package portal_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/portal"
)

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string // "" an error
	}{
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10}, portal.TypeJPEG},
		{"png", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}, portal.TypePNG},
		{"pdf", []byte("%PDF-1.7\n"), portal.TypePDF},
		{"empty", nil, ""},
		{"text", []byte("身份证复印件"), ""},
		{"html pretending", []byte("<html><script>"), ""},
		{"gif", []byte("GIF89a"), ""},
		{"too large", append([]byte("%PDF-"), make([]byte, portal.MaxDocument)...), ""},
	} {
		got, err := portal.Sniff("file", c.data)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Field != "file" || e.Kind != apperr.Invalid || e.ZH == "" || e.EN == "" {
				t.Errorf("%s: error %#v, want an Invalid error of the field in both languages", c.name, err)
			}
		}
	}
}

func TestCleanName(t *testing.T) {
	for _, c := range []struct{ in, ctype, want string }{
		{"户口簿.jpeg", portal.TypeJPEG, "户口簿.jpg"},
		{"../../etc/passwd", portal.TypePNG, "passwd.png"},
		{`C:\Users\a\身份证.PNG`, portal.TypePNG, "身份证.png"},
		{"", portal.TypePDF, "材料.pdf"},
		{"a\x00b\"c.pdf", portal.TypePDF, "abc.pdf"},
		{strings.Repeat("长", 300) + ".jpg", portal.TypeJPEG, strings.Repeat("长", portal.MaxFileName-4) + ".jpg"},
	} {
		if got := portal.CleanName(c.in, c.ctype); got != c.want {
			t.Errorf("CleanName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzDocument checks that whatever a phone sends, the type is one of the
// three or refused, and the name kept is short, valid UTF-8, without a
// path or a control character, and ends with the type's extension.
func FuzzDocument(f *testing.F) {
	f.Add("照片.jpg", []byte{0xFF, 0xD8, 0xFF, 1})
	f.Add("../x.png", []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
	f.Add("a.pdf", []byte("%PDF-"))
	f.Add("", []byte{})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ctype, err := portal.Sniff("file", data)
		if err != nil {
			return
		}
		n := portal.CleanName(name, ctype)
		ext := map[string]string{portal.TypeJPEG: ".jpg", portal.TypePNG: ".png", portal.TypePDF: ".pdf"}[ctype]
		if ext == "" || !strings.HasSuffix(n, ext) || strings.ContainsAny(n, "/\\\"\x00\n\r") || utf8.RuneCountInString(n) > portal.MaxFileName ||
			!utf8.ValidString(n) && utf8.ValidString(name) {
			t.Errorf("CleanName(%q, %s) = %q", name, ctype, n)
		}
	})
}
