package pdf

import (
	"io"

	"github.com/jiahe-project/jiahe/internal/date"
)

// Certificate is a certificate or a slip (a birth-registration slip, a
// family-planning family certificate, …): a serial number, labelled
// fields, optional text, the issuer and date, and a QR code whose link a
// public page answers to verify the paper.
type Certificate struct {
	Title  string
	Serial string // printed as 编号：Serial at the top right
	Fields []Field
	Body   string   // optional paragraph after the fields
	Notes  []string // small print, a paragraph each
	Issuer string
	// Date is the date of issue: YYYY-MM-DD text is printed as 2026年12月5日.
	Date string
	// Verify is the link the QR code holds; empty leaves the code out.
	Verify string
	// VerifyText is printed beside the code, a line each, such as
	// "扫描二维码或登录 … 输入编号核验" and the link written out.
	VerifyText []string
	Paper      PageSize // A4 unless set; A5 for a slip
}

// Field is a labelled value of a certificate.
type Field struct {
	Label string
	Value string // YYYY-MM-DD text prints as 2026年12月5日
	// Keep: the value never wraps (a name, an ID number).
	Keep bool
}

// Certificate adds c to the document as a section of its own.
func (d *Doc) Certificate(c Certificate) {
	d.NewSection()
	d.Title(c.Title)
	if c.Serial != "" {
		d.Line("", "编号："+c.Serial, d.opt.Table)
	}
	if len(c.Fields) > 0 {
		rows := make([][]Cell, 0, len(c.Fields))
		for _, f := range c.Fields {
			rows = append(rows, []Cell{{Text: f.Label, Head: true}, {Text: date.Chinese(f.Value), Keep: f.Keep}})
		}
		d.Form([]float64{1, 3}, rows)
	}
	if c.Body != "" {
		d.Para(Para{Runs: []Run{T(c.Body)}, Indent: 2})
	}
	for _, n := range c.Notes {
		d.Para(Para{Runs: []Run{T(n)}, Size: SizeXiaoWu})
	}
	var seal []string
	if c.Issuer != "" {
		seal = append(seal, c.Issuer)
	}
	if c.Date != "" {
		seal = append(seal, date.Chinese(c.Date))
	}
	if len(seal) > 0 {
		d.Seal(seal...)
	}
	if c.Verify != "" {
		d.Space(4)
		d.QR(QR{Content: c.Verify, Caption: c.VerifyText, Size: 24})
	}
}

// Certificates writes certificates as one PDF, each from a new page with
// its own page numbers. Their paper is the first one's.
func Certificates(w io.Writer, cs ...Certificate) error {
	opt := Options{Title: "证明"}
	if len(cs) > 0 {
		opt.Title, opt.Paper = cs[0].Title, cs[0].Paper
	}
	if opt.Paper == A5 {
		opt.Body, opt.Table = SizeWuHao, SizeWuHao
	}
	d, err := New(opt)
	if err != nil {
		return err
	}
	for _, c := range cs {
		d.Certificate(c)
	}
	return d.Write(w)
}
