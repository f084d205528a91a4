package payment

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/date"
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

func TestBankFileGolden(t *testing.T) {
	tests := []struct {
		golden, format, encoding string
	}{
		{"batch.utf8.csv", FormatCSV, UTF8},
		{"batch.gbk.csv", FormatCSV, GBK},
		{"batch.xlsx", FormatXLSX, ""},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, _, err := EncodeFile(sampleBatch(), tt.format, tt.encoding)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, got)
			again, _, err := EncodeFile(sampleBatch(), tt.format, tt.encoding)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, again) {
				t.Error("encoding the same batch twice gave different bytes")
			}
		})
	}
}

// TestBankFileContents reads each encoding back and checks the cells, so
// that the golden files are known to hold what a bank needs.
func TestBankFileContents(t *testing.T) {
	b := sampleBatch()
	utf, _, _ := EncodeFile(b, FormatCSV, UTF8)
	if !bytes.HasPrefix(utf, []byte("\ufeff序号,明细编号,姓名,身份证号")) || !bytes.Contains(utf, []byte("\r\n")) {
		t.Errorf("UTF-8 CSV lacks the byte-order mark, the header or CRLF: %q", utf[:40])
	}
	gbk, _, _ := EncodeFile(b, FormatCSV, GBK)
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(gbk)
	if err != nil || string(dec) != string(utf[3:]) {
		t.Errorf("GBK CSV does not decode to the UTF-8 file (err %v)", err)
	}
	if !strings.Contains(string(dec), "合计,3笔,,,,,2400.00") {
		t.Errorf("total row missing: %s", dec)
	}
	x, _, _ := EncodeFile(b, FormatXLSX, "")
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(sheetName)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[2][2] != "阿依古丽·买买提" || rows[3][6] != "240.00" || rows[4][6] != "2400.00" {
		t.Errorf("workbook rows = %q", rows)
	}
	parsed, err := ParseReturns(x, FormatXLSX, "")
	if err == nil {
		t.Errorf("a bank file without results parsed as a return file: %v", parsed)
	}
}

func TestEncodeFileErrors(t *testing.T) {
	if _, _, err := EncodeFile(sampleBatch(), "pdf", ""); err == nil {
		t.Error("format pdf accepted")
	}
	if _, _, err := EncodeFile(sampleBatch(), FormatCSV, "latin1"); err == nil {
		t.Error("encoding latin1 accepted")
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
