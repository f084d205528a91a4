package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet/sheettest"
	"github.com/jiahe-project/jiahe/internal/store"
)

// TestCSVNeutralisesFormulas checks the roster export of the API with
// names and addresses that begin like formulas: no cell is evaluable. (The
// bank file: TestBankFileNeutralisesFormulas of package web.)
func TestCSVNeutralisesFormulas(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	for i, n := range sheettest.FormulaNames {
		birth := date.MustParse("1960-01-01")
		_, err := app.New(ts.DB, app.DefaultConfig(), nil).RegisterPerson(context.Background(), auth.System, registry.NewPerson{IDNumber: string(idcard.Make("341523", birth.Time(), 2*i+1)),
			Name: n, Sex: registry.Male, Birth: birth, Region: "341523100001", HukouType: registry.Rural, Address: n})
		if err != nil {
			t.Fatal(err)
		}
	}
	village := ts.Login("village", "village1234")
	for _, q := range []string{"", "?encoding=gbk"} {
		code, _, body := ts.Raw(village, "GET", "/api/v1/export/persons"+q, "", nil)
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
}
