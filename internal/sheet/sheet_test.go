package sheet

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// row is one row as Each passes it.
type row struct {
	N     int
	Cells []string
}

// readAll opens data and returns its rows and the error of Each.
func readAll(t *testing.T, data []byte, encoding string) (*Table, []row, error) {
	t.Helper()
	tb, err := Open(bytes.NewReader(data), encoding)
	if err != nil {
		t.Fatal(err)
	}
	var rows []row
	err = tb.Each(func(n int, cells []string) bool {
		rows = append(rows, row{n, append([]string(nil), cells...)})
		return true
	})
	return tb, rows, err
}

func TestParseNames(t *testing.T) {
	encodings := map[string]string{"": "", "auto": "", " UTF8 ": EncodingUTF8, "utf-8": EncodingUTF8, "GBK": EncodingGB18030, "gb18030": EncodingGB18030, "gb2312": EncodingGB18030}
	for in, want := range encodings {
		if got, err := ParseEncoding(in); err != nil || got != want {
			t.Errorf("ParseEncoding(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	formats := map[string]string{"": FormatCSV, "csv": FormatCSV, "XLSX": FormatXLSX, "excel": FormatXLSX}
	for in, want := range formats {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseEncoding("latin1"); err == nil {
		t.Error("ParseEncoding accepted latin1")
	}
	if _, err := ParseFormat("pdf"); err == nil {
		t.Error("ParseFormat accepted pdf")
	}
	if _, err := Open(strings.NewReader("a,b\n"), "latin1"); err == nil {
		t.Error("Open accepted the encoding latin1")
	}
}

func TestReadCSV(t *testing.T) {
	text := "身份证号,姓名\n\n341523,\"张,三\"\r\n\"多\n行\",李四,多余\n"
	want := []row{{1, []string{"身份证号", "姓名"}}, {3, []string{"341523", "张,三"}}, {4, []string{"多\n行", "李四", "多余"}}}
	tests := []struct {
		name     string
		data     []byte
		encoding string
		wantEnc  string
	}{
		{"utf-8", []byte(text), "", EncodingUTF8},
		{"utf-8 named", []byte(text), "utf8", EncodingUTF8},
		{"utf-8 with BOM", append([]byte("\ufeff"), text...), "", EncodingUTF8},
		{"gbk detected", gbk(t, text), "", EncodingGB18030},
		{"gbk named", gbk(t, text), "gbk", EncodingGB18030},
		{"gbk named, ASCII only", []byte("a,b\n"), "gbk", EncodingGB18030},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, rows, err := readAll(t, tt.data, tt.encoding)
			if err != nil {
				t.Fatal(err)
			}
			if tb.Format() != FormatCSV || tb.Encoding() != tt.wantEnc {
				t.Errorf("format, encoding = %s, %s; want csv, %s", tb.Format(), tb.Encoding(), tt.wantEnc)
			}
			want := want
			if strings.HasSuffix(tt.name, "ASCII only") {
				want = []row{{1, []string{"a", "b"}}}
			}
			if diff := cmp.Diff(want, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadProblems(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		encoding string
		format   string
		rows     int // rows passed before the problem
		want     Problem
	}{
		{"GBK read as UTF-8", gbk(t, "姓名\n张三\n"), "utf8", FormatCSV, 0, Problem{Row: 1, ZH: "无效的 UTF-8", EN: "not valid UTF-8"}},
		{"old Excel file", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "", FormatXLS, 0, Problem{ZH: ".xls", EN: ".xls"}},
		{"damaged Excel file", []byte("PK\x03\x04garbage"), "", FormatXLSX, 0, Problem{ZH: "无法读取 Excel 文件", EN: "cannot read the Excel file"}},
		{"garbage named .xlsx", []byte("\x8f\x01\x02\x00\x91\"\x05garbage\x03\x04\x06"), "", FormatCSV, 0, Problem{ZH: "既不是 Excel（.xlsx）工作簿，也不是 CSV", EN: "neither an Excel"}},
		{"unpaired quote", []byte("a,b\n1,2\n\"3,4\n"), "", FormatCSV, 2, Problem{Row: 3, ZH: "引号（\"）不配对", EN: "malformed CSV"}},
		{"bare quote", []byte("a,b\n1,2\n3,\"x\"y\"\n"), "", FormatCSV, 2, Problem{Row: 3, ZH: "CSV 格式错误", EN: "malformed CSV"}},
		{"bare quote in a cell", []byte("a,b\n1,2\n3,x\"y\n"), "", FormatCSV, 2, Problem{Row: 3, ZH: "未加引号的单元格中出现了引号", EN: "bare \""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, rows, err := readAll(t, tt.data, tt.encoding)
			var p *Problem
			if !errors.As(err, &p) {
				t.Fatalf("Each = %v, want a *Problem", err)
			}
			if tb.Format() != tt.format || len(rows) != tt.rows {
				t.Errorf("format %s and %d rows, want %s and %d", tb.Format(), len(rows), tt.format, tt.rows)
			}
			if p.Row != tt.want.Row || !strings.Contains(p.ZH, tt.want.ZH) || !strings.Contains(p.EN, tt.want.EN) {
				t.Errorf("problem = %+v, want row %d and messages containing %q, %q", p, tt.want.Row, tt.want.ZH, tt.want.EN)
			}
			if row, zh, en := p.FileProblem(); row != p.Row || zh != p.ZH || en != p.EN {
				t.Errorf("FileProblem() = %d, %q, %q", row, zh, en)
			}
		})
	}
}

// xlsxFile builds a workbook from rows of cell values.
func xlsxFile(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSX(t *testing.T) {
	data := xlsxFile(t, [][]any{
		{"身份证号", "姓名", "出生日期", "区划"},
		{"34152319620301011X", "张三", time.Date(1962, 3, 1, 0, 0, 0, 0, time.UTC), 341523100201},
		{"", "", "", ""},
		// Excel keeps a number typed into a general cell as a double,
		// written like this in the sheet's XML.
		{"3.4152319641231002E+17", "王五", "1964年12月31日"},
	})
	tb, rows, err := readAll(t, data, "gbk") // the encoding is for CSV only
	if err != nil {
		t.Fatal(err)
	}
	if tb.Format() != FormatXLSX || tb.Encoding() != "" {
		t.Errorf("format, encoding = %s, %s; want xlsx and none", tb.Format(), tb.Encoding())
	}
	want := []row{
		{1, []string{"身份证号", "姓名", "出生日期", "区划"}},
		{2, []string{"34152319620301011X", "张三", "22706", "341523100201"}},
		{3, nil}, // a blank row
		{4, []string{"3.4152319641231002E+17", "王五", "1964年12月31日"}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestEachStops(t *testing.T) {
	for _, data := range [][]byte{[]byte("a\nb\nc\n"), xlsxFile(t, [][]any{{"a"}, {"b"}, {"c"}})} {
		tb, err := Open(bytes.NewReader(data), "")
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		err = tb.Each(func(n int, _ []string) bool {
			got = append(got, n)
			return n < 2
		})
		if err != nil || !cmp.Equal(got, []int{1, 2}) {
			t.Errorf("%s: rows %v, err %v; want 1 and 2, no error", tb.Format(), got, err)
		}
	}
}

// TestEachPanics checks that a panic of fn is not mistaken for a damaged
// workbook.
func TestEachPanics(t *testing.T) {
	tb, err := Open(bytes.NewReader(xlsxFile(t, [][]any{{"a"}})), "")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if v := recover(); v != "fn" {
			t.Errorf("recovered %v, want fn's panic", v)
		}
	}()
	err = tb.Each(func(int, []string) bool { panic("fn") })
	t.Errorf("Each returned %v", err)
}

func write(t *testing.T, header []string, opt WriterOptions, rows ...[]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, header, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != len(rows) {
		t.Errorf("Rows() = %d, want %d", w.Rows(), len(rows))
	}
	return buf.Bytes()
}

func TestWriteCSV(t *testing.T) {
	header := []string{"姓名", "住址"}
	rows := [][]string{{"张三", "城关镇, 3组"}, {"李四", `"老屋"`}}
	want := "姓名,住址\r\n张三,\"城关镇, 3组\"\r\n李四,\"\"\"老屋\"\"\"\r\n"
	if got := write(t, header, WriterOptions{}, rows...); string(got) != "\ufeff"+want {
		t.Errorf("UTF-8 CSV = %q, want %q with a byte-order mark", got, want)
	}
	if got := write(t, header, WriterOptions{Format: FormatCSV, Encoding: EncodingGB18030}, rows...); !bytes.Equal(got, gbk(t, want)) {
		t.Errorf("GB18030 CSV = %q", got)
	}
	if got := write(t, nil, WriterOptions{}, rows[0]); string(got) != "\ufeff张三,\"城关镇, 3组\"\r\n" {
		t.Errorf("CSV without a header = %q", got)
	}
	if _, err := NewWriter(&bytes.Buffer{}, header, WriterOptions{Encoding: "latin1"}); err == nil {
		t.Error("NewWriter accepted the encoding latin1")
	}
	if _, err := NewWriter(&bytes.Buffer{}, header, WriterOptions{Format: "pdf"}); err == nil {
		t.Error("NewWriter accepted the format pdf")
	}
}

func TestWriteXLSX(t *testing.T) {
	header := []string{"身份证号", "出生日期"}
	rows := [][]string{{"34152319620301011X", "1962-03-01"}, {"000123", ""}}
	data := write(t, header, WriterOptions{Format: FormatXLSX, Encoding: EncodingGB18030, Sheet: "名册", Widths: []float64{22, 12}}, rows...)

	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !cmp.Equal(got, []string{"名册"}) {
		t.Errorf("sheets = %v", got)
	}
	if w, err := f.GetColWidth("名册", "A"); err != nil || w != 22 {
		t.Errorf("width of column A = %v, %v; want 22", w, err)
	}
	style, err := f.GetCellStyle("名册", "B1")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("the header is not bold: %+v, %v", s, err)
	}
	if typ, err := f.GetCellType("名册", "A3"); err != nil || typ == excelize.CellTypeNumber {
		t.Errorf("type of a cell of digits = %v, %v; want text", typ, err)
	}

	_, got, err := readAll(t, data, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []row{{1, header}, {2, rows[0]}, {3, []string{"000123"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("read back (-want +got):\n%s", diff)
	}

	plain := write(t, nil, WriterOptions{Format: FormatXLSX}, []string{"a"})
	if _, got, err := readAll(t, plain, ""); err != nil || !cmp.Equal(got, []row{{1, []string{"a"}}}) {
		t.Errorf("workbook without a header read back as %v, %v", got, err)
	}
}

func FuzzTable(f *testing.F) {
	f.Add([]byte("身份证号,姓名\n34152319620301011X,\"张,三\"\n"), "")
	f.Add([]byte("\ufeffa,b\r\n\r\n1,\"2\n3\"\r\n"), "utf8")
	f.Add(gbk(f, "姓名,住址\n李四,城关镇\n"), "gbk")
	f.Add([]byte("a,\"b\nc,d\n"), "")
	f.Add([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), "")
	f.Add(xlsxFile(f, [][]any{{"a", 1.5}, {"", time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)}}), "")
	f.Fuzz(func(t *testing.T, data []byte, encoding string) {
		tb, err := Open(bytes.NewReader(data), encoding)
		if err != nil {
			if _, perr := ParseEncoding(encoding); perr == nil {
				t.Fatalf("Open returned an error for file content: %v", err)
			}
			return
		}
		switch tb.Format() {
		case FormatCSV:
			if e := tb.Encoding(); e != EncodingUTF8 && e != EncodingGB18030 {
				t.Fatalf("CSV read in encoding %q", e)
			}
		case FormatXLSX, FormatXLS:
			if tb.Encoding() != "" {
				t.Fatalf("%s file with encoding %q", tb.Format(), tb.Encoding())
			}
		default:
			t.Fatalf("format %q", tb.Format())
		}
		last, count := 0, 0
		err = tb.Each(func(n int, cells []string) bool {
			if n <= last {
				t.Fatalf("row %d after row %d", n, last)
			}
			last = n
			count++
			return count < 1000
		})
		if err == nil {
			return
		}
		var p *Problem
		if !errors.As(err, &p) {
			t.Fatalf("Each returned %v, not a *Problem", err)
		}
		if p.Row < 0 || p.ZH == "" || p.EN == "" || p.Row > 0 && p.Row <= last {
			t.Fatalf("malformed problem %+v after row %d", p, last)
		}
	})
}

func TestWriteDocument(t *testing.T) {
	at := time.Date(2024, 6, 28, 10, 30, 0, 0, time.FixedZone("CST", 8*3600))
	opt := WriterOptions{Format: FormatXLSX, Sheet: "代发明细", Widths: []float64{6, 12},
		Document: &Document{Title: "批次 7", Creator: "家和", Language: "zh-CN", Time: at, Money: []int{1}}}
	rows := [][]string{{"1", "960.00"}, {"合计", "960.00"}, {"2", "未知"}}
	data := write(t, []string{"序号", "金额（元）"}, opt, rows...)
	if again := write(t, []string{"序号", "金额（元）"}, opt, rows...); !bytes.Equal(data, again) {
		t.Error("the same document written twice gave different bytes")
	}

	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props, err := f.GetDocProps()
	if err != nil || props.Title != "批次 7" || props.Creator != "家和" || props.Created != "2024-06-28T02:30:00Z" || props.Modified != props.Created {
		t.Errorf("document properties = %+v, %v", props, err)
	}
	if w, err := f.GetColWidth("代发明细", "B"); err != nil || w != 12 {
		t.Errorf("width of column B = %v, %v; want 12", w, err)
	}
	for cell, want := range map[string]excelize.CellType{"B1": excelize.CellTypeSharedString, "A2": excelize.CellTypeSharedString,
		"B2": excelize.CellTypeUnset, "B3": excelize.CellTypeUnset, "B4": excelize.CellTypeSharedString} {
		if typ, err := f.GetCellType("代发明细", cell); err != nil || typ != want {
			t.Errorf("type of %s = %v, %v; want %v", cell, typ, err, want)
		}
	}
	if v, err := f.GetCellValue("代发明细", "B2"); err != nil || v != "960.00" {
		t.Errorf("B2 shows %q, %v; want 960.00", v, err)
	}
	style, _ := f.GetCellStyle("代发明细", "A1")
	if s, err := f.GetStyle(style); err != nil || s.Font != nil && s.Font.Bold {
		t.Errorf("the header of a document is bold: %+v, %v", s, err)
	}
}
