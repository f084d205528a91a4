package web

import (
	"errors"
	"io"
	"mime"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestAttachment(t *testing.T) {
	tests := []struct{ name, fallback, want string }{
		{"告知书-舒城县.pdf", "letters-341523.pdf", `attachment; filename="letters-341523.pdf"; filename*=UTF-8''%E5%91%8A%E7%9F%A5%E4%B9%A6-%E8%88%92%E5%9F%8E%E5%8E%BF.pdf`},
		{`a "b";c.pdf`, `a "b";c.pdf`, `attachment; filename="a__b__c.pdf"; filename*=UTF-8''a%20%22b%22%3Bc.pdf`},
	}
	for _, tt := range tests {
		got := Attachment(tt.name, tt.fallback)
		if got != tt.want {
			t.Errorf("Attachment(%q) = %s, want %s", tt.name, got, tt.want)
		}
		// The header reads back as the name.
		_, params, err := mime.ParseMediaType(got)
		if err != nil || params["filename"] == "" {
			t.Errorf("%s: %v %v", got, params, err)
		}
		if dec, err := url.PathUnescape(got[len(got)-len(encode5987(tt.name)):]); err != nil || dec != tt.name {
			t.Errorf("%s decodes to %q", got, dec)
		}
	}
}

func TestServePDF(t *testing.T) {
	w := httptest.NewRecorder()
	if err := ServePDF(w, "文.pdf", "x.pdf", func(w io.Writer) error { w.Write([]byte("%PDF-1.4 half")); return errors.New("boom") }); err == nil {
		t.Fatal("no error")
	}
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("a failed PDF wrote %q with %v", w.Body.String(), w.Header())
	}
	w = httptest.NewRecorder()
	if err := ServePDF(w, "文.pdf", "x.pdf", func(w io.Writer) error { _, err := w.Write([]byte("%PDF-1.4")); return err }); err != nil {
		t.Fatal(err)
	}
	if w.Body.String() != "%PDF-1.4" || w.Header().Get("Content-Type") != "application/pdf" || w.Header().Get("Content-Length") != "8" {
		t.Errorf("got %q, %v", w.Body.String(), w.Header())
	}
}
