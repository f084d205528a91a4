package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// WantsPDF reads the format a printable paper is asked for in (?format=):
// "" or "html" for the page, "pdf" for the PDF.
func WantsPDF(r *http.Request) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(r.URL.Query().Get("format"))) {
	case "", "html":
		return false, nil
	case "pdf":
		return true, nil
	}
	return false, apperr.Invalidf("format", "格式应为 html 或 pdf", "format must be html or pdf")
}

// ServePDF sends the PDF write makes as an attachment named name (in
// Chinese, say), with fallback as the name for clients that read only a
// plain ASCII one. The whole PDF is made in memory before anything is
// sent, so that a failure is still answered as an error (a page, or the
// API's JSON) rather than as half a PDF.
func ServePDF(w http.ResponseWriter, name, fallback string, write func(io.Writer) error) error {
	w.Header().Set("Content-Disposition", Attachment(name, fallback))
	if err := serveBuffered(w, "application/pdf", write); err != nil {
		w.Header().Del("Content-Disposition")
		return err
	}
	return nil
}

// serveBuffered makes the body with write in memory and sends it as
// ctype, or returns write's error having sent nothing.
func serveBuffered(w http.ResponseWriter, ctype string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	buf.WriteTo(w) // a client gone meanwhile is nothing to answer
	return nil
}

// Attachment returns the Content-Disposition of a download named name:
// the name itself as RFC 5987 extended value (filename*, UTF-8), which
// every current browser uses, and fallback, reduced to letters, digits and
// ".-_", as the plain filename older clients read.
func Attachment(name, fallback string) string {
	var plain strings.Builder
	for i := 0; i < len(fallback); i++ {
		c := fallback[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			plain.WriteByte(c)
		} else {
			plain.WriteByte('_')
		}
	}
	return `attachment; filename="` + plain.String() + `"; filename*=UTF-8''` + encode5987(name)
}

// encode5987 percent-encodes s as an RFC 5987 value-chars: every byte
// but the attr-chars (letters, digits and !#$&+-.^_`|~).
func encode5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Site returns the address of the site as the request reached it
// (scheme and host), which printed papers put before the path of their
// public verification.
func Site(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
