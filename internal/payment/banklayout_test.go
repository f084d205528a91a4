package payment

import (
	"reflect"
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// TestBuiltinLayoutsValidate: every built-in layout is valid as it is.
func TestBuiltinLayoutsValidate(t *testing.T) {
	for _, b := range BuiltinLayouts {
		got, err := b.Layout.Validate()
		if err != nil || !reflect.DeepEqual(got, b.Layout) {
			t.Errorf("%s: %v, %+v", b.Code, err, got)
		}
	}
}

// TestLayoutValidate lists what a layout may not be, each refused on its
// field.
func TestLayoutValidate(t *testing.T) {
	ok, _ := Builtin("rcc-caret")
	tests := []struct {
		field  string
		change func(l *BankLayout)
	}{
		{"name", func(l *BankLayout) { l.Name = "" }},
		{"name", func(l *BankLayout) { l.Name = "信用社\u202e" }},
		{"format", func(l *BankLayout) { l.Format = "xml" }},
		{"delimiter", func(l *BankLayout) { l.Delimiter = "#" }},
		{"delimiter", func(l *BankLayout) { l.Format = LayoutCSV; l.Trailing = false }},
		{"trailing", func(l *BankLayout) { l.Format, l.Delimiter = LayoutCSV, "," }},
		{"line_end", func(l *BankLayout) { l.LineEnd = "cr" }},
		{"encoding", func(l *BankLayout) { l.Encoding = "big5" }},
		{"split", func(l *BankLayout) { l.Split = "village" }},
		{"columns", func(l *BankLayout) { l.Columns = nil }},
		{"columns", func(l *BankLayout) { l.Columns = append(l.Columns, "phone") }},
		{"columns", func(l *BankLayout) { l.Columns = append(l.Columns, ColName) }},
		{"columns", func(l *BankLayout) { l.Columns = []string{ColName, ColAccount} }},
		{"header", func(l *BankLayout) { l.Header = "{笔数}^{合计}" }},
		{"header", func(l *BankLayout) { l.Header = "{笔数^" }},
		{"footer", func(l *BankLayout) { l.Footer = "a\nb" }},
		{"remarks", func(l *BankLayout) { l.Remarks = "扶助^{期间}" }},
		{"remarks", func(l *BankLayout) { l.Remarks = "{笔数}" }},
	}
	for _, tt := range tests {
		l := ok.clone()
		tt.change(&l)
		_, err := l.Validate()
		list, isList := err.(apperr.List)
		found := false
		for _, e := range list {
			found = found || e.Field == tt.field
		}
		if !isList || !found {
			t.Errorf("%s: %v", tt.field, err)
		}
	}
	// Empty columns repeat; defaults are filled.
	l := ok.clone()
	l.Columns = append(l.Columns, ColEmpty, ColEmpty)
	l.LineEnd, l.Split, l.Name = "", "", "  信用社  "
	got, err := l.Validate()
	if err != nil || got.LineEnd != LineCRLF || got.Split != SplitBatch || got.Name != "信用社" {
		t.Errorf("%+v %v", got, err)
	}
}

// TestGenericFile: the generic layout is the file Jiahe always wrote, and
// File gives it.
func TestGenericFile(t *testing.T) {
	b := sampleBatch()
	f := b.File()
	if !reflect.DeepEqual(f.Header, []string{"序号", "明细编号", "姓名", "身份证号", "开户银行", "账号", "金额（元）", "项目", "期间"}) ||
		f.AmountColumn != 6 || len(f.Rows) != 4 || f.Rows[3][0] != "合计" || f.Rows[3][1] != "3笔" || f.Rows[3][6] != "2400.00" {
		t.Errorf("generic file %q %q", f.Header, f.Rows)
	}
}
