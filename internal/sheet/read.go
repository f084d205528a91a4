package sheet

import (
	"archive/zip"
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

// Problem is a problem of a file rather than of what a cell means: it is
// damaged, too large, malformed CSV, an old .xls workbook, or a cell holds
// bytes the encoding cannot decode. Row is the file row it was found at
// (1-based), 0 when it concerns no row; Col is the cell's column (1-based)
// when it concerns one cell, and the messages name it too. ZH and EN say
// what is wrong, in Chinese and English.
type Problem struct {
	Row int
	Col int
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
	invalid  bool     // the CSV file held bytes its encoding cannot decode
	data     []byte   // an .xlsx file
	rows     int      // Limits.Rows
	problem  *Problem // found on opening: Each reports it
}

// Limits bound what Open reads, so that a file sent from outside cannot
// exhaust the server's memory or time: its size as read, its rows (blank
// ones included), and for a workbook — a zip archive whose parts may
// inflate a thousandfold — the size of its parts uncompressed, declared
// and actual. A file over a limit is reported by Each as a Problem.
type Limits struct {
	Bytes    int64
	Rows     int
	Unzipped int64
}

// UploadLimits bound a file uploaded to the server (a roster, a bank's
// return file): 16 MiB, 200,000 rows, 256 MiB uncompressed. A roster
// of 200,000 persons is about 15 MiB of CSV.
var UploadLimits = Limits{Bytes: 16 << 20, Rows: 200_000, Unzipped: 256 << 20}

// LocalLimits bound a file the command line reads from the server's own
// disk, named by its operator: 1 GiB, 1,000,000 rows, 4 GiB uncompressed.
var LocalLimits = Limits{Bytes: 1 << 30, Rows: 1_000_000, Unzipped: 4 << 30}

// maxZipEntries bounds the parts of a workbook; Excel writes a dozen.
const maxZipEntries = 10_000

// mib writes n bytes in MiB for a message.
func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// TooLarge is the problem of a file larger than limit bytes.
func TooLarge(limit int64) *Problem {
	return &Problem{ZH: "文件过大（最大 " + mib(limit) + "），请分成多个文件", EN: "the file is too large (at most " + mib(limit) + "): split it"}
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
)

// Open reads a whole file from r within UploadLimits (see OpenLimited).
func Open(r io.Reader, encoding string) (*Table, error) {
	return OpenLimited(r, encoding, UploadLimits)
}

// OpenLimited reads a whole file from r and tells its format by its
// content: an .xlsx workbook (a zip archive), an old .xls workbook, or
// else CSV. encoding names the encoding of a CSV file as ParseEncoding
// reads it; "" or "auto" detects it (a UTF-8 byte-order mark or UTF-8,
// else GB18030). It reads at most lim.Bytes+1 bytes, and checks a
// workbook's parts against lim.Unzipped before anything unpacks them. The
// error is for a failure to read r or an unknown encoding name: a file
// that is not a readable table, or is over a limit, is reported by Each.
func OpenLimited(r io.Reader, encoding string, lim Limits) (*Table, error) {
	enc, err := ParseEncoding(encoding)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, lim.Bytes+1))
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	t := &Table{rows: lim.Rows}
	switch {
	case int64(len(data)) > lim.Bytes:
		t.format = FormatCSV
		if bytes.HasPrefix(data, zipMagic) {
			t.format = FormatXLSX
		}
		t.problem = TooLarge(lim.Bytes)
	case bytes.HasPrefix(data, zipMagic):
		t.format = FormatXLSX
		t.data = data
		t.problem = checkZip(data, lim.Unzipped)
	case bytes.HasPrefix(data, oleMagic):
		t.format = FormatXLS
		t.problem = &Problem{ZH: "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
			EN: "old Excel (.xls) files are not supported: save the file as .xlsx or CSV in Excel and import that"}
	case binary(data):
		// Neither a workbook nor text: a damaged or renamed file, which
		// reading as CSV would only misreport as a quoting error.
		t.format = FormatCSV
		t.problem = &Problem{ZH: "文件既不是 Excel（.xlsx）工作簿，也不是 CSV 文本表格（可能已损坏，或只是改了扩展名），请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
			EN: "the file is neither an Excel (.xlsx) workbook nor a CSV text table (it may be damaged, or only renamed): save it as .xlsx or CSV in Excel and import that"}
	default:
		t.format = FormatCSV
		t.text, t.encoding, t.invalid = decodeCSV(data, enc)
	}
	return t, nil
}

// binary reports whether data looks like no text: more than one in fifty
// of the bytes of its first 8 KiB control characters (NUL included). A
// text file with a stray control character in a cell is text, and the
// cell's check reports it in its place.
func binary(data []byte) bool {
	head := data[:min(len(data), 8192)]
	ctl := 0
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' {
			ctl++
		}
	}
	return ctl*50 > len(head)
}

// checkZip checks the parts of a workbook before excelize unpacks them:
// how many there are, the sizes their directory declares, and — by
// inflating each into nothing, which costs time but no memory — that no
// part holds more than it declares (archive/zip refuses to read past the
// declared size, and checks the length and CRC at the end).
func checkZip(data []byte, limit int64) *Problem {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return damaged(err)
	}
	if len(zr.File) > maxZipEntries {
		return &Problem{ZH: fmt.Sprintf("Excel 文件的组成部分过多（%d 个）", len(zr.File)), EN: fmt.Sprintf("the Excel file has too many parts (%d)", len(zr.File))}
	}
	bomb := &Problem{ZH: "Excel 文件解压后过大（最大 " + mib(limit) + "），请分成多个文件或另存为 CSV",
		EN: "the Excel file is too large uncompressed (at most " + mib(limit) + "): split it or save it as CSV"}
	var total uint64
	for _, f := range zr.File {
		if total += f.UncompressedSize64; f.UncompressedSize64 > uint64(limit) || total > uint64(limit) {
			return bomb
		}
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if err != nil {
			return damaged(fmt.Errorf("%s: %w", f.Name, err))
		}
	}
	return nil
}

func damaged(err error) *Problem {
	return &Problem{ZH: "无法读取 Excel 文件（文件已损坏）", EN: fmt.Sprintf("cannot read the Excel file (it is damaged: %v)", err)}
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
	rows := 0
	limited := func(n int, cells []string) (bool, *Problem) {
		if rows++; t.rows > 0 && rows > t.rows {
			return false, &Problem{Row: n, ZH: fmt.Sprintf("行数超过上限 %d，请分成多个文件", t.rows),
				EN: fmt.Sprintf("more than %d rows: split the file", t.rows)}
		}
		if p := t.undecodable(n, cells); p != nil {
			return false, p
		}
		return fn(n, cells), nil
	}
	switch t.format {
	case FormatXLSX:
		return eachXLSX(t.data, limited)
	case FormatCSV:
		return eachCSV(t.text, limited)
	}
	return nil
}

// undecodable returns the problem of the first cell of row n that holds
// U+FFFD, the replacement character: bytes its encoding could not decode,
// or a character lost by an earlier conversion. Either way the cell is
// not what was written, and storing it would lose data without a word.
func (t *Table) undecodable(n int, cells []string) *Problem {
	for i, c := range cells {
		if !strings.ContainsRune(c, utf8.RuneError) {
			continue
		}
		p := &Problem{Row: n, Col: i + 1}
		switch {
		case !t.invalid:
			p.ZH = fmt.Sprintf("第 %d 列含有替换字符“\uFFFD”：文件在此前的转换中已丢失字符，请用原始文件重新导出", i+1)
			p.EN = fmt.Sprintf("column %d holds the replacement character U+FFFD: characters were lost in an earlier conversion; export the file again from the original", i+1)
		case t.encoding == EncodingUTF8:
			p.ZH = fmt.Sprintf("第 %d 列含有无效的 UTF-8 字节；若文件是 GBK 编码，请用 --encoding gbk（或 encoding=gbk）指定编码", i+1)
			p.EN = fmt.Sprintf("column %d holds bytes that are not valid UTF-8; if the file is in GBK, name its encoding with --encoding gbk (or encoding=gbk)", i+1)
		default:
			p.ZH = fmt.Sprintf("第 %d 列含有无法按 GBK/GB18030 解码的字节", i+1)
			p.EN = fmt.Sprintf("column %d holds bytes that GBK/GB18030 cannot decode", i+1)
		}
		return p
	}
	return nil
}

// decodeCSV returns data as UTF-8 text, with U+FFFD for each sequence of
// bytes its encoding cannot decode, the encoding it was read in, and
// whether there were such bytes. Detection takes UTF-8 when data is UTF-8
// with at most a few stray bytes (GBK text is almost never valid UTF-8,
// while a UTF-8 file read as GBK turns into other characters without an
// error), and GB18030 otherwise.
func decodeCSV(data []byte, enc string) (text string, used string, invalid bool) {
	if bytes.HasPrefix(data, utf8BOM) && enc != EncodingGB18030 {
		data, enc = data[len(utf8BOM):], EncodingUTF8
	}
	if enc == "" {
		if multi, bad := utf8Counts(data); bad == 0 || multi >= 8*bad {
			enc = EncodingUTF8
		} else {
			enc = EncodingGB18030
		}
	}
	if enc == EncodingUTF8 {
		if utf8.Valid(data) {
			return string(data), EncodingUTF8, false
		}
		return strings.ToValidUTF8(string(data), string(utf8.RuneError)), EncodingUTF8, true
	}
	out, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), data)
	if err != nil { // the decoder replaces what it cannot decode: not expected
		return strings.ToValidUTF8(string(data), string(utf8.RuneError)), EncodingGB18030, true
	}
	// GB18030 has a code for U+FFFD itself (0x84 0x31 0xA4 0x37); any other
	// U+FFFD in the text stands for bytes that could not be decoded.
	return string(out), EncodingGB18030, bytes.Count(out, []byte(string(utf8.RuneError))) > bytes.Count(data, []byte{0x84, 0x31, 0xA4, 0x37})
}

// utf8Counts returns how many multi-byte UTF-8 characters data holds and
// how many bytes of it are not UTF-8.
func utf8Counts(data []byte) (multi, bad int) {
	for len(data) > 0 {
		if data[0] < utf8.RuneSelf {
			data = data[1:]
			continue
		}
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			bad++
		} else {
			multi++
		}
		data = data[size:]
	}
	return multi, bad
}

func eachCSV(text string, fn func(int, []string) (bool, *Problem)) error {
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
		more, p := fn(line, rec)
		if p != nil {
			return p
		}
		if !more {
			return nil
		}
	}
}

// eachXLSX walks the first worksheet of the workbook data.
func eachXLSX(data []byte, fn func(int, []string) (bool, *Problem)) (err error) {
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
	// checkZip has bounded the parts; excelize unpacks a large worksheet
	// or string table into a temporary file rather than memory.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 1 << 62, UnzipXMLSizeLimit: 16 << 20})
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
		more, p := fn(n, cells)
		inFn = false
		if p != nil {
			return p
		}
		if !more {
			return nil
		}
	}
	if err := rows.Error(); err != nil {
		return bad(err)
	}
	return nil
}
