package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// TestInPersonEntry: the review's form is read field by field; each
// field at fault is named.
func TestInPersonEntry(t *testing.T) {
	e, err := InPersonEntry(url.Values{"year": {"2024"}, "seen": {"1"}, "seen_on": {"2024-05-10"}, "place": {" 家中 "}, "proof": {"photo"},
		"version": {"2"}}, []byte{0xFF, 0xD8, 0xFF}, "IMG.jpg")
	if err != nil || !e.Seen || e.Year != 2024 || e.SeenOn.String() != "2024-05-10" || e.Place != "家中" || e.Version != 2 ||
		e.Photo == nil || e.Photo.Name != "IMG.jpg" {
		t.Fatalf("%+v, %v", e, err)
	}
	_, err = InPersonEntry(url.Values{"year": {"x"}, "seen": {"maybe"}, "seen_on": {"10/5/2024"}, "version": {"-1"}}, nil, "")
	if got := fieldsOf(err); got != "year,seen,seen_on,version" {
		t.Errorf("fields %q (%v)", got, err)
	}
}

// FuzzInPersonEntry: any form reads without panicking.
func FuzzInPersonEntry(f *testing.F) {
	f.Add("2024", "1", "2024-05-10", "家中", "photo", "", "", "0")
	f.Fuzz(func(t *testing.T, year, seen, on, place, proof, reason, note, version string) {
		InPersonEntry(url.Values{"year": {year}, "seen": {seen}, "seen_on": {on}, "place": {place}, "proof": {proof},
			"reason": {reason}, "note": {note}, "version": {version}}, nil, "")
	})
}

// fieldsOf lists the fields an error names.
func fieldsOf(err error) string {
	var fs []string
	if l, ok := err.(apperr.List); ok {
		for _, e := range l {
			fs = append(fs, e.Field)
		}
	} else if e, ok := apperr.As(err); ok {
		fs = append(fs, e.Field)
	}
	return strings.Join(fs, ",")
}
