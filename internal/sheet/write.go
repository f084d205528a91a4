package sheet

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// WriterOptions say how a Writer lays out its file.
type WriterOptions struct {
	// Format is FormatCSV (the default when empty) or FormatXLSX.
	Format string
	// Encoding of a CSV file: EncodingUTF8 (the default when empty),
	// written with a byte-order mark so that Excel reads it, or
	// EncodingGB18030. A workbook ignores it.
	Encoding string
	// Sheet names the worksheet of a workbook; empty leaves Excel's
	// "Sheet1".
	Sheet string
	// Widths are the widths of a workbook's columns from the first on, in
	// Excel's units (characters).
	Widths []float64
	// Document, when not nil, makes a workbook a document rather than a
	// data export (see Document). CSV takes only its Money columns from
	// it, as Numbers.
	Document *Document
	// Numbers are the columns (0-based) of a CSV file that hold numbers:
	// a plain decimal number there ("-12.50") is written as it is, while
	// every other cell of the file is neutralised by SafeCell.
	Numbers []int
}

// Document describes a workbook that must come out the same, byte for
// byte, whenever it is written from the same rows, such as a bank file.
// It is built in memory and written out on Close rather than streamed, so
// it suits files of thousands of rows, not of millions. Its header row is
// in the regular font, its document properties are those given here, and
// the cells of its Money columns are numbers.
type Document struct {
	Title    string
	Creator  string // the author and the last one to modify it
	Language string // e.g. zh-CN
	// Time is the document's creation and modification time.
	Time time.Time
	// Money are the columns (0-based) that hold amounts in yuan: a data
	// cell there that is a number is written as a number shown with two
	// decimals (0.00); any other cell is text.
	Money []int
}

// Writer writes a table one row at a time: CSV as Excel writes it (CRLF
// line ends, every cell that could start a formula neutralised by
// SafeCell) or an .xlsx workbook with a bold header row, streamed so that
// a large table needs little memory (a Document is not streamed). Every
// cell is written as text, so that Excel keeps the digits of a long number
// and a date as written; only a Document's Money columns hold numbers.
// Close must be called to finish the file: a workbook is written out only
// then.
type Writer struct {
	format string
	n      int // data rows written
	next   int // the row number of the next row in a workbook

	// CSV
	bw      *bufio.Writer
	enc     io.WriteCloser // the GB18030 encoder, when used
	cw      *csv.Writer
	numbers []int    // the columns that keep plain numbers
	safe    []string // the cells of the row being written, neutralised

	// XLSX
	out io.Writer
	f   *excelize.File
	sw  *excelize.StreamWriter

	// an XLSX document, built in memory
	doc    *Document
	sheet  string
	widths []float64
	money  int // the style of amounts
}

// NewWriter starts a table on w and writes header as its first row, unless
// header is empty.
func NewWriter(w io.Writer, header []string, opt WriterOptions) (*Writer, error) {
	tw := &Writer{format: opt.Format, next: 1}
	switch opt.Format {
	case FormatCSV, "":
		tw.format = FormatCSV
		tw.bw = bufio.NewWriterSize(w, 64<<10)
		var cw io.Writer = tw.bw
		switch opt.Encoding {
		case EncodingUTF8, "":
			tw.bw.Write(utf8BOM)
		case EncodingGB18030:
			tw.enc = transform.NewWriter(tw.bw, simplifiedchinese.GB18030.NewEncoder())
			cw = tw.enc
		default:
			return nil, fmt.Errorf("sheet: unknown encoding %q", opt.Encoding)
		}
		tw.cw = csv.NewWriter(cw)
		tw.cw.UseCRLF = true // as Excel writes CSV
		tw.numbers = opt.Numbers
		if opt.Document != nil {
			tw.numbers = append(slices.Clone(tw.numbers), opt.Document.Money...)
		}
		if len(header) > 0 {
			if err := tw.writeCSV(header, false); err != nil {
				return nil, err
			}
		}
	case FormatXLSX:
		start := tw.startXLSX
		if opt.Document != nil {
			start = tw.startDocument
		}
		if err := start(w, header, opt); err != nil {
			if tw.f != nil {
				tw.f.Close()
			}
			return nil, err
		}
	default:
		return nil, fmt.Errorf("sheet: unknown format %q", opt.Format)
	}
	return tw, nil
}

func (tw *Writer) startXLSX(w io.Writer, header []string, opt WriterOptions) error {
	tw.out = w
	tw.f = excelize.NewFile()
	name := "Sheet1"
	if opt.Sheet != "" && opt.Sheet != name {
		if err := tw.f.SetSheetName(name, opt.Sheet); err != nil {
			return err
		}
		name = opt.Sheet
	}
	sw, err := tw.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	tw.sw = sw
	for i, width := range opt.Widths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if len(header) == 0 {
		return nil
	}
	bold, err := tw.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return err
	}
	tw.next++
	return nil
}

// startDocument starts a workbook described by opt.Document.
func (tw *Writer) startDocument(w io.Writer, header []string, opt WriterOptions) error {
	tw.out, tw.doc, tw.widths = w, opt.Document, opt.Widths
	tw.f = excelize.NewFile()
	tw.sheet = "Sheet1"
	if opt.Sheet != "" && opt.Sheet != tw.sheet {
		if err := tw.f.SetSheetName(tw.sheet, opt.Sheet); err != nil {
			return err
		}
		tw.sheet = opt.Sheet
	}
	stamp := tw.doc.Time.UTC().Format(time.RFC3339)
	if err := tw.f.SetDocProps(&excelize.DocProperties{Creator: tw.doc.Creator, LastModifiedBy: tw.doc.Creator,
		Created: stamp, Modified: stamp, Title: tw.doc.Title, Language: tw.doc.Language}); err != nil {
		return err
	}
	if len(tw.doc.Money) > 0 {
		style, err := tw.f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
		if err != nil {
			return err
		}
		tw.money = style
	}
	if len(header) == 0 {
		return nil
	}
	return tw.documentRow(header, false)
}

// documentRow sets the cells of the next row of a document; money says
// whether the Money columns hold numbers in this row.
func (tw *Writer) documentRow(cells []string, money bool) error {
	for c, v := range cells {
		cell, err := excelize.CoordinatesToCellName(c+1, tw.next)
		if err != nil {
			return err
		}
		// The number is written back with two decimals, so the cell holds
		// the amount as given.
		yuan, nerr := strconv.ParseFloat(v, 64)
		if money && nerr == nil && !math.IsInf(yuan, 0) && !math.IsNaN(yuan) && slices.Contains(tw.doc.Money, c) {
			if err = tw.f.SetCellFloat(tw.sheet, cell, yuan, 2, 64); err == nil {
				err = tw.f.SetCellStyle(tw.sheet, cell, cell, tw.money)
			}
		} else {
			err = tw.f.SetCellStr(tw.sheet, cell, v)
		}
		if err != nil {
			return err
		}
	}
	tw.next++
	return nil
}

// writeCSV writes one CSV record, each cell neutralised by SafeCell
// except the plain numbers of the number columns of a data row.
func (tw *Writer) writeCSV(cells []string, data bool) error {
	tw.safe = tw.safe[:0]
	for i, c := range cells {
		if !data || !plainNumber(c) || !slices.Contains(tw.numbers, i) {
			c = SafeCell(c)
		}
		tw.safe = append(tw.safe, c)
	}
	return tw.cw.Write(tw.safe)
}

// Write writes one row of cells.
func (tw *Writer) Write(cells []string) error {
	tw.n++
	if tw.format == FormatCSV {
		return tw.writeCSV(cells, true)
	}
	if tw.doc != nil {
		return tw.documentRow(cells, true)
	}
	row := make([]any, len(cells))
	for i, c := range cells {
		row[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, tw.next)
	if err != nil {
		return err
	}
	tw.next++
	return tw.sw.SetRow(cell, row)
}

// Rows returns the number of rows written after the header.
func (tw *Writer) Rows() int { return tw.n }

// Close finishes the file and flushes it to the writer. It does not close
// that writer.
func (tw *Writer) Close() error {
	if tw.format == FormatCSV {
		tw.cw.Flush()
		if err := tw.cw.Error(); err != nil {
			return err
		}
		if tw.enc != nil {
			if err := tw.enc.Close(); err != nil {
				return err
			}
		}
		return tw.bw.Flush()
	}
	defer tw.f.Close()
	if tw.doc != nil {
		for i, width := range tw.widths {
			col, err := excelize.ColumnNumberToName(i + 1)
			if err != nil {
				return err
			}
			if err := tw.f.SetColWidth(tw.sheet, col, col, width); err != nil {
				return err
			}
		}
	} else if err := tw.sw.Flush(); err != nil {
		return err
	}
	_, err := tw.f.WriteTo(tw.out)
	return err
}
