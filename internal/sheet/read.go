package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// Problem is a problem of a file as a whole rather than of one cell: it is
// damaged, not in the encoding asked for, malformed CSV, or an old .xls
// workbook. Row is the file row it was found at (1-based), 0 when it
// concerns no row. ZH and EN say what is wrong, in Chinese and English.
type Problem struct {
	Row int
	ZH  string
	EN  string
}

func (p *Problem) Error() string {
	if p.Row > 0 {
		return fmt.Sprintf("row %d: %s", p.Row, p.EN)
	}
	return p.EN
}

// FileProblem returns the problem's row and messages. Packages that must
// not import sheet find a Problem among errors through this method.
func (p *Problem) FileProblem() (row int, zh, en string) { return p.Row, p.ZH, p.EN }

// Table is a tabular file read into memory and walked row by row with
// Each, as often as needed.
type Table struct {
	format   string
	encoding string
	text     string   // a CSV file, decoded
	data     []byte   // an .xlsx file
	problem  *Problem // found on opening: Each reports it
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// Open reads a whole file from r and tells its format by its content: an
// .xlsx workbook (a zip archive), an old .xls workbook, or else CSV.
// encoding names the encoding of a CSV file as ParseEncoding reads it;
// "" or "auto" detects it (a UTF-8 byte-order mark or valid UTF-8, else
// GB18030). The error is for a failure to read r or an unknown encoding
// name: a file that is not a readable table is reported by Each.
func Open(r io.Reader, encoding string) (*Table, error) {
	enc, err := ParseEncoding(encoding)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	t := &Table{}
	switch {
	case bytes.HasPrefix(data, zipMagic):
		t.format = FormatXLSX
		t.data = data
	case bytes.HasPrefix(data, oleMagic):
		t.format = FormatXLS
		t.problem = &Problem{ZH: "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
			EN: "old Excel (.xls) files are not supported: save the file as .xlsx or CSV in Excel and import that"}
	default:
		t.format = FormatCSV
		text, used, ok := decodeCSV(data, enc)
		t.encoding = used
		t.text = text
		if !ok {
			t.problem = &Problem{ZH: "文件不是有效的 UTF-8 文本，请用 --encoding gbk（或 encoding=gbk）指定编码",
				EN: "the file is not valid UTF-8: name its encoding with --encoding gbk (or encoding=gbk)"}
		}
	}
	return t, nil
}

// Format returns the file's format: FormatCSV, FormatXLSX or FormatXLS.
func (t *Table) Format() string { return t.format }

// Encoding returns the encoding a CSV file was read in, EncodingUTF8 or
// EncodingGB18030, and "" for a workbook.
func (t *Table) Encoding() string { return t.encoding }

// Each calls fn with the row number and the cells of each row of the file
// in order, until fn returns false or the rows end. The row number is
// 1-based, as a spreadsheet shows it: for CSV the line a record starts on
// (blank lines are skipped), for .xlsx the row of the first worksheet.
// Rows may have different numbers of cells. fn must not keep cells: the
// slice is reused. Cells of a workbook are their raw values: a number or a
// date is the number Excel stores, not its display.
//
// When the file cannot be read, from the start or from some row on, Each
// returns a *Problem after passing fn the rows before it.
func (t *Table) Each(fn func(n int, cells []string) bool) error {
	if t.problem != nil {
		return t.problem
	}
	switch t.format {
	case FormatXLSX:
		return eachXLSX(t.data, fn)
	case FormatCSV:
		return eachCSV(t.text, fn)
	}
	return nil
}

// decodeCSV returns data as UTF-8 text and the encoding it was read in;
// ok is false when UTF-8 was asked for and data is not UTF-8.
func decodeCSV(data []byte, enc string) (text string, used string, ok bool) {
	if bytes.HasPrefix(data, utf8BOM) && enc != EncodingGB18030 {
		return string(data[len(utf8BOM):]), EncodingUTF8, true
	}
	if enc == EncodingUTF8 || enc == "" && utf8.Valid(data) {
		return string(data), EncodingUTF8, utf8.Valid(data)
	}
	// GB18030 decodes every byte sequence (invalid ones become U+FFFD).
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil {
		return "", EncodingGB18030, false
	}
	return string(out), EncodingGB18030, true
}

func eachCSV(text string, fn func(int, []string) bool) error {
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			row, zh := 0, err.Error()
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				row = pe.StartLine
				switch {
				case errors.Is(err, csv.ErrQuote):
					zh = "引号（\"）不配对"
				case errors.Is(err, csv.ErrBareQuote):
					zh = "未加引号的单元格中出现了引号（\"），请用 Excel 另存为 CSV"
				}
			}
			return &Problem{Row: row, ZH: "CSV 格式错误：" + zh, EN: "malformed CSV: " + err.Error()}
		}
		line, _ := cr.FieldPos(0)
		if !fn(line, rec) {
			return nil
		}
	}
}

// eachXLSX walks the first worksheet of the workbook data.
func eachXLSX(data []byte, fn func(int, []string) bool) (err error) {
	inFn := false
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if inFn { // not excelize's panic: let it go on
			panic(v)
		}
		// A malformed workbook must not bring down the server: excelize is
		// the first reader of outside input here.
		err = &Problem{ZH: "无法读取 Excel 文件（文件已损坏）", EN: fmt.Sprintf("cannot read the Excel file (it is damaged: %v)", v)}
	}()
	bad := func(err error) error {
		return &Problem{ZH: "无法读取 Excel 文件：" + err.Error(), EN: "cannot read the Excel file: " + err.Error()}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 1 << 30, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return bad(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return bad(errors.New("no worksheet"))
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return bad(err)
	}
	defer rows.Close()
	for n := 1; rows.Next(); n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return bad(err)
		}
		inFn = true
		more := fn(n, cells)
		inFn = false
		if !more {
			return nil
		}
	}
	if err := rows.Error(); err != nil {
		return bad(err)
	}
	return nil
}
