package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// TestWritePensionList: the office's layout, a line per person with the
// full ID number, the tier in yuan (or the top-up), the amount, the year,
// the program as the note (with the months of a part year), and the total.
func TestWritePensionList(t *testing.T) {
	l := &payment.PensionList{County: "341524", Year: 2024,
		Programs: []payment.PensionProgram{{Code: "jz_pension_tf", Name: "特扶对象养老保险代缴", Tier: 100000}, {Code: "jz_pension_certificate", Name: "独生子女证持证人参保补贴"}},
		Rows: []payment.PensionRow{
			{PersonID: 1, Name: "王秀英", IDNumber: "34152419640101002X", Sex: "F", Birth: date.MustParse("1964-01-01"), Region: "341524100201",
				Address: "三组12号", Program: "jz_pension_tf", Tier: 100000, Amount: 100000, Months: 12},
			{PersonID: 2, Name: "李明", IDNumber: "341524196001010031", Sex: "M", Birth: date.MustParse("1960-01-01"), Region: "341524100201",
				Program: "jz_pension_certificate", Amount: 1500, Months: 6},
		}, Total: 101500}
	var buf bytes.Buffer
	if err := WritePensionList(&buf, l, region.Default(), sheet.FormatCSV, "", time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimPrefix(strings.TrimRight(buf.String(), "\r\n"), "\ufeff"), "\r\n")
	want := []string{
		"序号,姓名,身份证号,性别,出生日期,户籍地址/区划,代缴档次,代缴金额(元),代缴年度,备注",
		"1,王秀英,34152419640101002X,女,1964-01-01,",
		"2,李明,341524196001010031,男,1960-01-01,",
		"合计,2人,,,,,,1015.00,2024,",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: %q, want it to start %q", i+1, lines[i], w)
		}
	}
	if !strings.HasSuffix(lines[1], "三组12号,每年1000元,1000.00,2024,特扶对象养老保险代缴") {
		t.Errorf("the first row: %q", lines[1])
	}
	if !strings.HasSuffix(lines[2], ",在本人缴费档次外补贴,15.00,2024,独生子女证持证人参保补贴（本年度6个月）") {
		t.Errorf("the second row: %q", lines[2])
	}
	var x bytes.Buffer
	if err := WritePensionList(&x, l, region.Default(), sheet.FormatXLSX, "", time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil || !bytes.HasPrefix(x.Bytes(), []byte("PK")) {
		t.Errorf("the workbook: %d bytes, %v", x.Len(), err)
	}
}
