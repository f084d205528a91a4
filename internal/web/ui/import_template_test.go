package ui_test

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/store"
)

// TestImportTemplate: staff who import rosters download an empty
// workbook with the header row the import reads; readers cannot.
func TestImportTemplate(t *testing.T) {
	ts := newTestServer(t, store.SQLite)
	v := ts.Browser().Login("village", "village1234")
	v.Get("/persons/import").Want(200, "/persons/import/template.xlsx")
	wb := v.Export("/persons/import/template.xlsx").Want(t, 200, "身份证号", "姓名", "性别", "出生日期", "户籍地区划代码")
	if len(wb.Rows) != 1 {
		t.Errorf("template has %d rows, want the header only", len(wb.Rows))
	}
	ts.Browser().Login("finance", "finance1234").Get("/persons/import/template.xlsx").Want(403)
}
