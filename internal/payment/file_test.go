package payment

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); run go test -update if the change is intended", name, len(got), len(want))
	}
}

func sampleBatch() *Batch {
	approved := time.Date(2024, 6, 28, 2, 30, 0, 0, time.UTC)
	b := &Batch{County: "341523", ID: 7, Kind: RegularBatch, CycleID: 3, Bank: "103", Status: Approved,
		CreatedBy: 11, CreatedByName: "王会计", CreatedAt: approved.Add(-time.Hour),
		ApprovedBy: 12, ApprovedByName: "李出纳", ApprovedAt: &approved}
	for i, it := range []Item{
		{LineID: 101, PersonID: 1, Name: "张秀英", IDNumber: "341523196401010027", Account: "6228480402564890018", Amount: 96000, Program: "jf", Period: "2024"},
		{LineID: 102, PersonID: 2, Name: "阿依古丽·买买提", IDNumber: "34152319620301011X", Account: "6228480402564890026", Amount: 120000, Program: "jf", Period: "2024"},
		{LineID: 105, PersonID: 5, Name: "李, \"大\"", IDNumber: "341523196305050016", Account: "20000123456789012", Amount: 24000, Program: "tf_death", Period: "2024-Q2"},
	} {
		it.Seq, it.Bank = i+1, "103"
		b.Items = append(b.Items, it)
		b.Total += it.Amount
	}
	b.Count = len(b.Items)
	return b
}

// encode writes the bank file of b with package sheet, as the web
// handlers do.
func encode(t *testing.T, b *Batch, format, encoding string) []byte {
	t.Helper()
	f := b.File()
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, f.Header, sheet.WriterOptions{Format: format, Encoding: encoding, Sheet: f.Sheet, Widths: f.Widths,
		Document: &sheet.Document{Title: f.Title, Creator: f.Creator, Language: f.Language, Time: f.Time, Money: []int{f.AmountColumn}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBankFileGolden(t *testing.T) {
	tests := []struct {
		golden, format, encoding string
	}{
		{"batch.utf8.csv", sheet.FormatCSV, sheet.EncodingUTF8},
		{"batch.gbk.csv", sheet.FormatCSV, sheet.EncodingGB18030},
		{"batch.xlsx", sheet.FormatXLSX, ""},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got := encode(t, sampleBatch(), tt.format, tt.encoding)
			golden(t, tt.golden, got)
			if again := encode(t, sampleBatch(), tt.format, tt.encoding); !bytes.Equal(got, again) {
				t.Error("encoding the same batch twice gave different bytes")
			}
		})
	}
}

// TestBankFileContents reads each encoding back and checks the cells, so
// that the golden files are known to hold what a bank needs.
func TestBankFileContents(t *testing.T) {
	b := sampleBatch()
	if name := b.File().Name("csv"); name != "jiahe-341523-batch7-103.csv" {
		t.Errorf("file name = %s", name)
	}
	utf := encode(t, b, sheet.FormatCSV, sheet.EncodingUTF8)
	if !bytes.HasPrefix(utf, []byte("\ufeff序号,明细编号,姓名,身份证号")) || !bytes.Contains(utf, []byte("\r\n")) {
		t.Errorf("UTF-8 CSV lacks the byte-order mark, the header or CRLF: %q", utf[:40])
	}
	gbk := encode(t, b, sheet.FormatCSV, sheet.EncodingGB18030)
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(gbk)
	if err != nil || string(dec) != string(utf[3:]) {
		t.Errorf("GBK CSV does not decode to the UTF-8 file (err %v)", err)
	}
	if !strings.Contains(string(dec), "合计,3笔,,,,,2400.00") {
		t.Errorf("total row missing: %s", dec)
	}
	x := encode(t, b, sheet.FormatXLSX, "")
	var rows [][]string
	if err := open(t, x, "").Each(func(_ int, cells []string) bool {
		rows = append(rows, append([]string(nil), cells...))
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[2][2] != "阿依古丽·买买提" || rows[3][6] != "240.00" || rows[4][6] != "2400.00" {
		t.Errorf("workbook rows = %q", rows)
	}
	parsed, err := ParseReturns(open(t, x, ""))
	if err == nil {
		t.Errorf("a bank file without results parsed as a return file: %v", parsed)
	}
}

func TestParseBankDate(t *testing.T) {
	for in, want := range map[string]string{"2024-06-30": "2024-06-30", "2024/06/30": "2024-06-30", "20240630": "2024-06-30",
		"2024/6/3": "2024-06-03", "45473": "2024-06-30"} {
		d, err := parseBankDate(in)
		if err != nil || d != date.MustParse(want) {
			t.Errorf("parseBankDate(%q) = %s, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"", "30/06/2024", "2024-13-01", "123"} {
		if _, err := parseBankDate(in); err == nil {
			t.Errorf("parseBankDate(%q) accepted", in)
		}
	}
}
