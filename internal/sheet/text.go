package sheet

import (
	"bufio"
	"io"
	"slices"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// TextOptions say how a TextWriter lays out a delimited text file.
type TextOptions struct {
	// Delimiter separates the cells of a line: one character, such as
	// "^", "|" or a tab.
	Delimiter string
	// Encoding is EncodingUTF8 (the default when empty; no byte-order
	// mark) or EncodingGB18030.
	Encoding string
	// LF ends lines with a line feed alone rather than CR LF.
	LF bool
	// Numbers are the columns (0-based) that hold numbers: a plain decimal
	// number there is written as it is; every other cell is neutralised
	// by SafeCell, as in a CSV file.
	Numbers []int
}

// TextWriter writes a delimited text file as banks' older systems read
// it: one line per row, cells joined by the delimiter, never quoted. A
// cell cannot hold the delimiter or a line break, so a row with one is
// refused rather than written in a way the bank would split wrongly. As in
// a CSV file, a cell that a spreadsheet could read as a formula is
// neutralised (SafeCell): bank staff open these files in Excel too.
type TextWriter struct {
	bw    *bufio.Writer
	out   io.Writer // bw, or the GB18030 encoder over it
	enc   io.WriteCloser
	delim string
	eol   string
	opt   TextOptions
	n     int
}

// NewTextWriter starts a delimited text file on w.
func NewTextWriter(w io.Writer, opt TextOptions) (*TextWriter, error) {
	if len([]rune(opt.Delimiter)) != 1 || strings.ContainsAny(opt.Delimiter, "\r\n\"'") {
		return nil, apperr.Invalidf("delimiter", "分隔符应为一个字符", "the delimiter must be one character")
	}
	tw := &TextWriter{bw: bufio.NewWriterSize(w, 64<<10), delim: opt.Delimiter, eol: "\r\n", opt: opt}
	if opt.LF {
		tw.eol = "\n"
	}
	tw.out = tw.bw
	switch opt.Encoding {
	case EncodingUTF8, "":
	case EncodingGB18030:
		tw.enc = transform.NewWriter(tw.bw, simplifiedchinese.GB18030.NewEncoder())
		tw.out = tw.enc
	default:
		return nil, apperr.Invalidf("encoding", "未知的编码 %q", "unknown encoding %q", opt.Encoding)
	}
	return tw, nil
}

// Write writes one line of cells.
func (tw *TextWriter) Write(cells []string) error {
	tw.n++
	var b strings.Builder
	for i, c := range cells {
		if strings.Contains(c, tw.delim) || strings.ContainsAny(c, "\r\n") {
			return apperr.Invalidf("", "第 %d 行第 %d 列含有分隔符“%s”或换行，不能写入分隔文本文件：%q",
				"line %d, cell %d holds the delimiter %q or a line break and cannot be written: %q", tw.n, i+1, tw.delim, c)
		}
		if !plainNumber(c) || !slices.Contains(tw.opt.Numbers, i) {
			c = SafeCell(c)
		}
		if i > 0 {
			b.WriteString(tw.delim)
		}
		b.WriteString(c)
	}
	b.WriteString(tw.eol)
	_, err := io.WriteString(tw.out, b.String())
	return err
}

// Rows returns the number of lines written.
func (tw *TextWriter) Rows() int { return tw.n }

// Close finishes the file and flushes it to the writer. It does not close
// that writer.
func (tw *TextWriter) Close() error {
	if tw.enc != nil {
		if err := tw.enc.Close(); err != nil {
			return err
		}
	}
	return tw.bw.Flush()
}
