package registry

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// RosterWriter writes persons as a roster, one row at a time, in the
// columns ParseRoster reads, so an export imports again unchanged. It
// masks nothing: it is the staff's own export, limited by the caller to
// the actor's scope.
type RosterWriter struct {
	format string
	n      int // data rows written

	// CSV
	bw  *bufio.Writer
	enc io.WriteCloser // the GB18030 encoder, when used
	cw  *csv.Writer

	// XLSX
	out io.Writer
	f   *excelize.File
	sw  *excelize.StreamWriter
}

// rosterSheet is the name of the worksheet of an exported workbook.
const rosterSheet = "人员名册"

// NewRosterWriter starts a roster on w in format (FormatCSV or FormatXLSX)
// and, for CSV, encoding (EncodingUTF8, written with a byte-order mark so
// that Excel reads it, or EncodingGB18030), and writes the header row.
// Close must be called to finish it: an .xlsx file is written out only then.
func NewRosterWriter(w io.Writer, format, encoding string) (*RosterWriter, error) {
	rw := &RosterWriter{format: format}
	header := make([]string, len(rosterColumns))
	for i, c := range rosterColumns {
		header[i] = c.header
	}
	switch format {
	case FormatCSV:
		rw.bw = bufio.NewWriterSize(w, 64<<10)
		var cw io.Writer = rw.bw
		switch encoding {
		case EncodingUTF8, "":
			rw.bw.Write(utf8BOM)
		case EncodingGB18030:
			rw.enc = transform.NewWriter(rw.bw, simplifiedchinese.GB18030.NewEncoder())
			cw = rw.enc
		default:
			return nil, fmt.Errorf("roster: unknown encoding %q", encoding)
		}
		rw.cw = csv.NewWriter(cw)
		rw.cw.UseCRLF = true // as Excel writes CSV
		if err := rw.cw.Write(header); err != nil {
			return nil, err
		}
	case FormatXLSX:
		rw.out = w
		rw.f = excelize.NewFile()
		if err := rw.f.SetSheetName("Sheet1", rosterSheet); err != nil {
			return nil, err
		}
		sw, err := rw.f.NewStreamWriter(rosterSheet)
		if err != nil {
			return nil, err
		}
		rw.sw = sw
		for i, width := range []float64{22, 10, 6, 12, 16, 10, 12, 8, 30, 16, 12} {
			if err := sw.SetColWidth(i+1, i+1, width); err != nil {
				return nil, err
			}
		}
		bold, err := rw.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		if err != nil {
			return nil, err
		}
		cells := make([]any, len(header))
		for i, h := range header {
			cells[i] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", cells); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("roster: unknown format %q", format)
	}
	return rw, nil
}

var (
	sexLabels     = map[string]string{Male: "男", Female: "女"}
	hukouLabels   = map[string]string{Rural: "农业", Urban: "非农业"}
	pensionLabels = map[string]string{"": "无", PensionNone: "无", PensionUrbanEmployee: "城镇职工", PensionResident: "城乡居民"}
)

// rosterCells returns r's row in column order. Every cell is text, so that
// Excel keeps an ID number's digits and a date as written.
func rosterCells(r *Record) []string {
	death := ""
	if !r.Death.IsZero() {
		death = r.Death.String()
	}
	return []string{r.IDNumber, r.Name, sexLabels[r.Sex], r.Birth.String(), r.Region, hukouLabels[r.HukouType],
		pensionLabels[r.Pension], r.Ethnic, r.Address, r.Phone, death}
}

// Write writes one person.
func (rw *RosterWriter) Write(r *Record) error {
	rw.n++
	cells := rosterCells(r)
	if rw.format == FormatCSV {
		return rw.cw.Write(cells)
	}
	row := make([]any, len(cells))
	for i, c := range cells {
		row[i] = c
	}
	cell, err := excelize.CoordinatesToCellName(1, rw.n+1)
	if err != nil {
		return err
	}
	return rw.sw.SetRow(cell, row)
}

// Rows returns the number of persons written.
func (rw *RosterWriter) Rows() int { return rw.n }

// Close finishes the roster and flushes it to the writer.
func (rw *RosterWriter) Close() error {
	if rw.format == FormatCSV {
		rw.cw.Flush()
		if err := rw.cw.Error(); err != nil {
			return err
		}
		if rw.enc != nil {
			if err := rw.enc.Close(); err != nil {
				return err
			}
		}
		return rw.bw.Flush()
	}
	defer rw.f.Close()
	if err := rw.sw.Flush(); err != nil {
		return err
	}
	_, err := rw.f.WriteTo(rw.out)
	return err
}
