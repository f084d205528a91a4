package webtest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/sheet"
)

// Page is a browser-like client of the staff pages: it keeps cookies,
// does not follow redirects, and sends forms as a same-origin browser
// does. Each request keeps the answer in Code, Body and Loc (the Location
// header).
type Page struct {
	T    *testing.T
	C    *http.Client
	Body string
	Code int
	Loc  string
	// URL is the server's address.
	URL string
}

// Browser returns a new browser without a session.
func (ts *Server) Browser() *Page {
	c := ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Page{T: ts.T, C: c, URL: ts.URL}
}

// Do sends a request as a browser: form, when not nil, as a posted form.
func (p *Page) Do(method, path string, form url.Values) *Page {
	p.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, p.URL+path, body)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", p.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := p.C.Do(req)
	if err != nil {
		p.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p.Body, p.Code, p.Loc = string(b), resp.StatusCode, resp.Header.Get("Location")
	return p
}

// Get opens path.
func (p *Page) Get(path string) *Page { return p.Do("GET", path, nil) }

// Post posts the form f to path.
func (p *Page) Post(path string, f url.Values) *Page { return p.Do("POST", path, f) }

// Want checks the status of the last answer and that its body contains
// every string.
func (p *Page) Want(code int, contains ...string) *Page {
	p.T.Helper()
	if p.Code != code {
		p.T.Fatalf("status %d, want %d; body:\n%.2000s", p.Code, code, p.Body)
	}
	for _, s := range contains {
		if !strings.Contains(p.Body, s) {
			p.T.Errorf("page lacks %q; body:\n%.3000s", s, p.Body)
		}
	}
	return p
}

// Login signs in through the sign-in page.
func (p *Page) Login(user, pass string) *Page {
	p.T.Helper()
	p.Post("/login", url.Values{"username": {user}, "password": {pass}, "next": {"/"}})
	if p.Code != http.StatusSeeOther || p.Loc != "/" {
		p.T.Fatalf("login %s: %d %s\n%.1000s", user, p.Code, p.Loc, p.Body)
	}
	return p
}

// WantRedirect checks that the last answer sent the browser on to a path
// starting with prefix, and returns that location.
func (p *Page) WantRedirect(prefix string) string {
	p.T.Helper()
	if p.Code != http.StatusSeeOther || !strings.HasPrefix(p.Loc, prefix) {
		p.T.Fatalf("status %d to %q, want a redirect to %s…; body:\n%.2000s", p.Code, p.Loc, prefix, p.Body)
	}
	return p.Loc
}

// Multipart posts fields and, unless file is nil, a file named file.csv
// as a multipart form.
func (p *Page) Multipart(path string, fields map[string]string, file []byte) *Page {
	p.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "file.csv")
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", p.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := p.C.Do(req)
	if err != nil {
		p.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p.Body, p.Code, p.Loc = string(b), resp.StatusCode, resp.Header.Get("Location")
	return p
}

// Upload posts a roster file (or, with content, the confirmation of a
// previewed one) to the import page.
func (p *Page) Upload(file []byte, confirm string) *Page {
	p.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if confirm != "" {
		mw.WriteField("content", confirm)
		mw.WriteField("confirm", "1")
	} else {
		fw, _ := mw.CreateFormFile("file", "roster.csv")
		fw.Write(file)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", p.URL+"/persons/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := p.C.Do(req)
	if err != nil {
		p.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	p.Body, p.Code = string(b), resp.StatusCode
	return p
}

// Workbook is a downloaded export.
type Workbook struct {
	Code   int
	Header http.Header
	Raw    []byte
	Rows   [][]string
}

// Export downloads path and reads it with sheet.Open when it is a
// workbook.
func (p *Page) Export(path string) *Workbook {
	p.T.Helper()
	req, _ := http.NewRequest("GET", p.URL+path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := p.C.Do(req)
	if err != nil {
		p.T.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.T.Fatalf("GET %s: %v", path, err)
	}
	wb := &Workbook{Code: resp.StatusCode, Header: resp.Header, Raw: b}
	if resp.StatusCode != http.StatusOK {
		return wb
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		p.T.Fatalf("GET %s: content type %q", path, ct)
	}
	tb, err := sheet.Open(bytes.NewReader(b), "")
	if err != nil || tb.Format() != sheet.FormatXLSX {
		p.T.Fatalf("GET %s: not a workbook: %v", path, err)
	}
	if err := tb.Each(func(_ int, cells []string) bool {
		wb.Rows = append(wb.Rows, slices.Clone(cells))
		return true
	}); err != nil {
		p.T.Fatalf("GET %s: %v", path, err)
	}
	return wb
}

// Want checks the status and, for a workbook, its header row.
func (wb *Workbook) Want(t *testing.T, code int, header ...string) *Workbook {
	t.Helper()
	if wb.Code != code {
		t.Fatalf("status %d, want %d\n%.1500s", wb.Code, code, wb.Raw)
	}
	if len(header) > 0 {
		if len(wb.Rows) == 0 || !slices.Equal(wb.Rows[0][:min(len(header), len(wb.Rows[0]))], header) {
			t.Fatalf("header %q, want it to start %q", wb.Rows, header)
		}
	}
	return wb
}

// Row returns the first data row holding cell, or fails.
func (wb *Workbook) Row(t *testing.T, cell string) []string {
	t.Helper()
	for _, r := range wb.Rows[1:] {
		if slices.Contains(r, cell) {
			return r
		}
	}
	t.Fatalf("no row holds %q: %q", cell, wb.Rows)
	return nil
}

// Has reports whether any cell of the workbook contains s.
func (wb *Workbook) Has(s string) bool {
	for _, r := range wb.Rows {
		for _, c := range r {
			if strings.Contains(c, s) {
				return true
			}
		}
	}
	return false
}
