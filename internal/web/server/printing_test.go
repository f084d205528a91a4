package server_test

import (
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
)

// isoDate is a date written the ISO way, which no printed paper shows.
var isoDate = regexp.MustCompile(`\b(19|20)\d\d-\d\d-\d\d\b`)

// pdfText fetches path with c and returns the text of the PDF it answers
// (pdftotext), checking that it is a PDF sent as an attachment whose file
// name (filename*) is fallback's Chinese twin, and that the text holds
// every string of want and no ISO date.
func (ts *testServer) pdfText(t *testing.T, c *http.Client, path string, want ...string) string {
	t.Helper()
	pdftest.Need(t, "pdftotext")
	resp, err := c.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET %s: %d %s\n%.500s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	if err != nil || !strings.HasSuffix(params["filename"], ".pdf") || !strings.ContainsFunc(params["filename"], func(r rune) bool { return r > 0x2e80 }) {
		t.Errorf("GET %s: Content-Disposition %q (%v), want a Chinese PDF file name", path, resp.Header.Get("Content-Disposition"), err)
	}
	text := pdftest.Text(t, body)
	flat := strings.Join(strings.Fields(text), "")
	for _, s := range want {
		if !strings.Contains(flat, strings.Join(strings.Fields(s), "")) {
			t.Errorf("GET %s: the PDF's text lacks %q:\n%s", path, s, text)
		}
	}
	if m := isoDate.FindString(text); m != "" {
		t.Errorf("GET %s: the PDF shows the ISO date %s", path, m)
	}
	return text
}

// wantStatus fetches path with c and checks the status of the answer.
func (ts *testServer) wantStatus(t *testing.T, c *http.Client, path string, code int) {
	t.Helper()
	resp, err := c.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != code {
		t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, code)
	}
}
