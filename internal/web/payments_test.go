package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
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
		if err := writeBankFile(rec, f, sheet.FormatCSV, enc); err != nil {
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
