package sheet

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

func TestTextWriter(t *testing.T) {
	write := func(opt TextOptions, rows ...[]string) (string, error) {
		var buf bytes.Buffer
		tw, err := NewTextWriter(&buf, opt)
		if err != nil {
			return "", err
		}
		for _, r := range rows {
			if err := tw.Write(r); err != nil {
				return "", err
			}
		}
		err = tw.Close()
		return buf.String(), err
	}
	// Never quoted; formulas neutralised except plain numbers of the
	// number columns; CRLF by default.
	got, err := write(TextOptions{Delimiter: "^", Numbers: []int{1}},
		[]string{"1", "-12.50", `李, "大"`, "=HYPERLINK(\"x\")", "-3", "@SUM(A1)", ""})
	if err != nil {
		t.Fatal(err)
	}
	if want := "1^-12.50^李, \"大\"^'=HYPERLINK(\"x\")^'-3^'@SUM(A1)^\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got, err = write(TextOptions{Delimiter: "\t", LF: true}, []string{"a", "b"}, []string{"c"})
	if err != nil || got != "a\tb\nc\n" {
		t.Errorf("tab, LF: %q %v", got, err)
	}
	// GB18030.
	got, err = write(TextOptions{Delimiter: "|", Encoding: EncodingGB18030}, []string{"阿依古丽·买买提", "960.00"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := simplifiedchinese.GB18030.NewEncoder().String("阿依古丽·买买提|960.00\r\n")
	if got != want {
		t.Errorf("GB18030: % x, want % x", got, want)
	}
	// A cell holding the delimiter or a line break is refused.
	for _, cell := range []string{"a^b", "a\nb", "a\rb"} {
		if _, err := write(TextOptions{Delimiter: "^"}, []string{"x", cell}); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%q: %v", cell, err)
		}
	}
	for _, d := range []string{"", "^^", "\n", `"`} {
		if _, err := NewTextWriter(&bytes.Buffer{}, TextOptions{Delimiter: d}); err == nil {
			t.Errorf("delimiter %q accepted", d)
		}
	}
	if _, err := NewTextWriter(&bytes.Buffer{}, TextOptions{Delimiter: "^", Encoding: "latin1"}); err == nil {
		t.Error("unknown encoding accepted")
	}
}
