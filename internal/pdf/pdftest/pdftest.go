// Package pdftest reads PDFs back in tests with Debian's poppler-utils
// (pdftotext, pdfinfo) and zbar-tools (zbarimg), which
// scripts/install-deps.sh installs. Where one of these programs is
// missing a test is skipped, except under CI, where it fails.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Need skips tb (fails it under CI) when the program is not installed.
func Need(tb testing.TB, program string) {
	tb.Helper()
	if _, err := exec.LookPath(program); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is not installed (scripts/install-deps.sh installs it)", program)
		}
		tb.Skipf("%s is not installed (scripts/install-deps.sh installs it)", program)
	}
}

func file(tb testing.TB, pdf []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func run(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	Need(tb, name)
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// Text returns the text of the PDF as pdftotext reads it, with its
// options (e.g. "-layout", or "-f", "2", "-l", "2" for page 2); pages are
// separated by form feeds.
func Text(tb testing.TB, pdf []byte, opts ...string) string {
	tb.Helper()
	args := append([]string{"-enc", "UTF-8"}, opts...)
	return run(tb, "pdftotext", append(args, file(tb, pdf), "-")...)
}

// PageTexts returns the text of each page.
func PageTexts(tb testing.TB, pdf []byte, opts ...string) []string {
	tb.Helper()
	pages := strings.Split(Text(tb, pdf, opts...), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1]
	}
	return pages
}

// Pages returns the number of pages, as pdfinfo reads it.
func Pages(tb testing.TB, pdf []byte) int {
	tb.Helper()
	for line := range strings.Lines(run(tb, "pdfinfo", file(tb, pdf))) {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				tb.Fatalf("pdfinfo: %q", line)
			}
			return n
		}
	}
	tb.Fatal("pdfinfo gives no page count")
	return 0
}

// QRCodes returns what the QR codes on page page say, read by zbarimg
// from the page rendered at 200 dpi.
func QRCodes(tb testing.TB, pdf []byte, page int) []string {
	tb.Helper()
	Need(tb, "zbarimg")
	dir := tb.TempDir()
	p := strconv.Itoa(page)
	run(tb, "pdftoppm", "-r", "200", "-png", "-singlefile", "-f", p, "-l", p, file(tb, pdf), filepath.Join(dir, "page"))
	var stderr bytes.Buffer
	cmd := exec.Command("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "page.png"))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 4 { // no code found
			return nil
		}
		tb.Fatalf("zbarimg: %v\n%s", err, stderr.String())
	}
	return strings.Fields(string(out))
}
