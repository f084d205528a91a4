package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/sheet/sheettest"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestCSVNeutralisesFormulas checks the CSV files the server writes — the
// roster export of the API and the bank file — with names and addresses
// that begin like formulas: no cell is evaluable, and the bank file's
// amounts stay numbers.
func TestCSVNeutralisesFormulas(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	for i, n := range sheettest.FormulaNames {
		birth := date.MustParse("1960-01-01")
		_, err := app.New(ts.db, app.DefaultConfig(), nil).RegisterPerson(context.Background(), auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", birth.Time(), 2*i+1)),
			Name: n, Sex: registry.Male, Birth: birth, Region: "341523100001", HukouType: registry.Rural, Address: n})
		if err != nil {
			t.Fatal(err)
		}
	}
	village := ts.login("village", "village1234")
	for _, q := range []string{"", "?encoding=gbk"} {
		code, _, body := ts.raw(village, "GET", "/api/v1/export/persons"+q, "", nil)
		if code != 200 {
			t.Fatalf("export%s: %d", q, code)
		}
		bad, err := sheettest.EvaluableCells(body)
		if err != nil || len(bad) > 0 {
			t.Errorf("export%s: evaluable cells %v (%v)", q, bad, err)
		}
		if q == "" && !strings.Contains(string(body), "'@SUM(A1:A9)") {
			t.Errorf("export%s lacks the neutralised name", q)
		}
	}

	// The bank file as the handlers write it.
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
