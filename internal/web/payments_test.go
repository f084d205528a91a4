package web

import (
	"bytes"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/sheet/sheettest"
)

// TestBankFileNeutralisesFormulas checks the bank file as both doors
// write it, with names that begin like formulas: no cell is evaluable,
// and the amounts stay numbers. (The roster export:
// TestCSVNeutralisesFormulas of package web/api.)
func TestBankFileNeutralisesFormulas(t *testing.T) {
	approved := time.Date(2024, 6, 28, 2, 30, 0, 0, time.UTC)
	b := &payment.Batch{County: "341523", ID: 7, Bank: "103", Status: payment.Approved, CreatedAt: approved, ApprovedAt: &approved}
	for i, n := range sheettest.FormulaNames {
		b.Items = append(b.Items, payment.Item{Seq: i + 1, LineID: int64(100 + i), Name: n, IDNumber: "341523196401010027",
			Account: "6228480402564890018", Amount: money.Fen(96000), Program: "jf", Period: "2024", Bank: "103"})
		b.Total += 96000
	}
	b.Count = len(b.Items)
	f := b.File()
	f.Rows = append(f.Rows, []string{"", "=1+1", "", "", "", "", "-960.00", "", ""})
	for _, enc := range []string{sheet.EncodingUTF8, sheet.EncodingGB18030} {
		rec := httptest.NewRecorder()
		if err := writeBankFile(rec, f, false, enc); err != nil {
			t.Fatal(err)
		}
		bad, err := sheettest.EvaluableCells(rec.Body.Bytes(), f.AmountColumn)
		if err != nil || len(bad) > 0 {
			t.Errorf("bank file (%s): evaluable cells %v (%v)", enc, bad, err)
		}
		if enc == sheet.EncodingUTF8 && !strings.Contains(rec.Body.String(), ",-960.00,") {
			t.Errorf("the amount -960.00 is not a number in the bank file:\n%s", rec.Body.String())
		}
	}
}

// TestBankFileCaretSample lays out the sample batch in the rural credit
// cooperatives' built-in layout and writes it as both doors do: the bytes
// are those of the sample file of that layout shipped with the project
// (caret-delimited GBK text, a first line of count, total and date, a
// caret at the end of every line), byte for byte.
func TestBankFileCaretSample(t *testing.T) {
	want, err := os.ReadFile("../payment/testdata/rcc-caret.sample.txt")
	if err != nil {
		t.Fatal(err)
	}
	l, ok := payment.Builtin("rcc-caret")
	if !ok {
		t.Fatal("no built-in rcc-caret layout")
	}
	b, towns := payment.SampleBatch()
	fs := b.Files(l, towns, region.Default())
	if len(fs) != 1 {
		t.Fatalf("%d files", len(fs))
	}
	var buf bytes.Buffer
	if err := writeBankFile(&buf, fs[0], false, l.Encoding); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("the caret file differs from the sample:\n got %q\nwant %q", buf.Bytes(), want)
	}
	if ascii, zh := fs[0].Names("-gbk", fs[0].Ext()); ascii != "jiahe-341523-batch7-402-gbk.txt" || zh != "代发-农村信用社-批次7-GBK.txt" {
		t.Errorf("names %s, %s", ascii, zh)
	}
}

// TestBankFileTownships lays out a batch one file per township, amounts in
// fen, with a footer line of each file's count and total; and checks that
// a text layout neutralises formulas and refuses a name holding its
// delimiter rather than splitting it.
func TestBankFileTownships(t *testing.T) {
	l, _ := payment.Builtin("pipe-fen-township")
	b, towns := payment.SampleBatch()
	fs := b.Files(l, towns, region.Default())
	if len(fs) != 2 || fs[0].Township != "341523100000" || fs[1].Township != "341523101000" {
		t.Fatalf("files %v", fs)
	}
	var got []string
	for _, f := range fs {
		var buf bytes.Buffer
		if err := writeBankFile(&buf, f, false, sheet.EncodingUTF8); err != nil {
			t.Fatal(err)
		}
		got = append(got, buf.String())
	}
	want := []string{
		"6228480402564890018|张秀英|96000|341523196401010027|城关镇|农村部分计划生育家庭奖励扶助2024|\r\n1|96000|341523100000|\r\n",
		"6228480402564890026|阿依古丽·买买提|120000|34152319620301011X|晓天镇|农村部分计划生育家庭奖励扶助2024|\r\n" +
			"20000123456789012|李桂兰|24000|341523196305050016|晓天镇|" + policy.ProgramName(policy.ProgramTFDeath) + "2024|\r\n2|144000|341523101000|\r\n",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("file %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
	// Formulas neutralised, delimiters refused.
	caret, _ := payment.Builtin("rcc-caret")
	b.Items[0].Name = "=HYPERLINK(\"http://x\")"
	var buf bytes.Buffer
	if err := writeBankFile(&buf, b.Files(caret, towns, nil)[0], false, sheet.EncodingUTF8); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "^'=HYPERLINK(") {
		t.Errorf("the formula is not neutralised:\n%s", buf.String())
	}
	b.Items[0].Name = "张^秀英"
	if err := writeBankFile(&bytes.Buffer{}, b.Files(caret, towns, nil)[0], false, sheet.EncodingUTF8); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("a name holding the delimiter: %v", err)
	}
}
