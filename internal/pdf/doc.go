// Package pdf lays out Chinese official papers as PDF: titles, body text
// that wraps by the rules of Chinese typesetting and never inside a
// person's name, tables with column widths and headers repeated on every
// page, forms, signature and seal blocks, page numbers, and QR codes that
// a public page verifies. It knows nothing of the papers' meaning: the
// package printout builds Jiahe's papers from their data with it.
//
// The font, Jiahe Kai (a subset of LXGW WenKai, SIL OFL 1.1, covering
// every GBK character), is embedded in the binary; nothing is read from
// disk or network. Each PDF embeds only the glyphs it uses.
//
// Output is reproducible: the same content with the same Options gives
// the same bytes (no creation date unless Options.Created is set).
//
// Sizes: A4 paper with margins of 25 mm top, 20 mm bottom and 20 mm at the
// sides; titles 18 pt (小二), body text 12 pt (小四), tables 10.5 pt
// (五号), page numbers and notes 9 pt (小五). The letters to recipients,
// most of them over 60, set their body in 14 pt (四号) (see
// Options.Body).
package pdf

import (
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/signintech/gopdf"
)

// Font sizes in points, by their Chinese names.
const (
	SizeXiaoEr  = 18   // 小二: titles
	SizeSiHao   = 14   // 四号: large body text
	SizeXiaoSi  = 12   // 小四: body text
	SizeWuHao   = 10.5 // 五号: tables
	SizeXiaoWu  = 9    // 小五: notes, page numbers
	defaultLead = 1.6  // line height ÷ font size for body text
	tableLead   = 1.35 // line height ÷ font size inside a table cell
)

// mm is one millimetre in points.
const mm = 72 / 25.4

// PageSize is a paper size.
type PageSize int

// Paper sizes.
const (
	A4 PageSize = iota
	A5
)

func (p PageSize) points(landscape bool) (w, h float64) {
	w, h = 210*mm, 297*mm
	if p == A5 {
		w, h = 148*mm, 210*mm
	}
	if landscape {
		w, h = h, w
	}
	return w, h
}

// Options sets up a document.
type Options struct {
	Title     string   // the title in the PDF's properties
	Paper     PageSize // A4 unless set
	Landscape bool
	// Body is the body text size in points; 0 is 12 pt (小四).
	Body float64
	// Table is the size of text in tables in points; 0 is 10.5 pt (五号).
	Table float64
	// Created is the creation date in the PDF's properties; zero leaves it
	// out, so that the same content gives the same bytes.
	Created time.Time
	// NoPageNumbers leaves out the page numbers (第 1 页 共 2 页) that
	// otherwise close every page, counted within each section.
	NoPageNumbers bool
}

// Doc is a PDF being laid out, top to bottom. Methods that draw record
// the first error, which Write returns.
type Doc struct {
	gp                       *gopdf.GoPdf
	opt                      Options
	w, h                     float64 // page size in pt
	left, right, top, bottom float64 // margins in pt
	y                        float64 // the cursor: the top of the next block
	size                     float64 // the font size last set
	sections                 [][]int // the pages of each section (1-based)
	err                      error
}

// New starts an empty document; the first page comes with the first
// block (or NewSection).
func New(opt Options) (*Doc, error) {
	if err := loadFont(); err != nil {
		return nil, err
	}
	if opt.Body == 0 {
		opt.Body = SizeXiaoSi
	}
	if opt.Table == 0 {
		opt.Table = SizeWuHao
	}
	d := &Doc{gp: &gopdf.GoPdf{}, opt: opt}
	d.w, d.h = opt.Paper.points(opt.Landscape)
	d.left, d.right, d.top, d.bottom = 20*mm, 20*mm, 25*mm, 20*mm
	if opt.Paper == A5 {
		d.left, d.right, d.top, d.bottom = 15*mm, 15*mm, 15*mm, 15*mm
	}
	d.gp.Start(gopdf.Config{PageSize: gopdf.Rect{W: d.w, H: d.h}})
	d.gp.SetInfo(gopdf.PdfInfo{Title: opt.Title, Creator: "家和 Jiahe", CreationDate: opt.Created})
	if err := d.gp.AddTTFFontFromFontContainer(family, &container); err != nil {
		return nil, err
	}
	return d, nil
}

// Width returns the width between the margins, in mm.
func (d *Doc) Width() float64 { return d.contentWidth() / mm }

func (d *Doc) contentWidth() float64 { return d.w - d.left - d.right }

// Err returns the first error met while drawing.
func (d *Doc) Err() error { return d.err }

func (d *Doc) fail(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}

// NewSection starts a new page whose numbering starts again at 1: one
// letter, one notice, one form of a bulk print.
func (d *Doc) NewSection() {
	d.sections = append(d.sections, nil)
	d.newPage()
}

// NewPage starts a new page in the same section.
func (d *Doc) NewPage() {
	if len(d.sections) == 0 {
		d.sections = append(d.sections, nil)
	}
	d.newPage()
}

func (d *Doc) newPage() {
	d.gp.AddPage()
	// Drawing state belongs to a page's content: set it on each.
	d.gp.SetLineWidth(0.6)
	d.gp.SetStrokeColor(0, 0, 0)
	d.gp.SetFillColor(0, 0, 0)
	d.gp.SetTextColor(0, 0, 0)
	n := d.gp.GetNumberOfPages()
	s := &d.sections[len(d.sections)-1]
	*s = append(*s, n)
	d.y = d.top
}

// start makes sure there is a page to draw on.
func (d *Doc) start() {
	if len(d.sections) == 0 {
		d.NewSection()
	}
}

// room returns the height left on the page, in pt.
func (d *Doc) room() float64 { return d.h - d.bottom - d.y }

// ensure starts a new page when fewer than h pt are left on this one and
// reports whether it did.
func (d *Doc) ensure(h float64) bool {
	d.start()
	if h > d.room() && d.y > d.top {
		d.NewPage()
		return true
	}
	return false
}

// Space moves down by h mm (to the next page when there is no room).
func (d *Doc) Space(h float64) {
	d.start()
	d.y += h * mm
	if d.y > d.h-d.bottom {
		d.NewPage()
	}
}

// setSize sets the font size.
func (d *Doc) setSize(size float64) {
	if size != d.size {
		d.fail(d.gp.SetFont(family, "", size))
		d.size = size
	}
}

// text draws s with its em box's top at y.
func (d *Doc) text(x, y float64, s string, size float64) {
	if s == "" {
		return
	}
	d.setSize(size)
	d.gp.SetXY(x, y)
	d.fail(d.gp.Cell(nil, s))
}

// Write finishes the document (page numbers) and writes it to w.
func (d *Doc) Write(w io.Writer) error {
	if d.err != nil {
		return d.err
	}
	if len(d.sections) == 0 {
		return errors.New("pdf: empty document")
	}
	if !d.opt.NoPageNumbers {
		for _, pages := range d.sections {
			for i, p := range pages {
				if err := d.gp.SetPage(p); err != nil {
					return err
				}
				s := pageNumber(i+1, len(pages))
				size := float64(SizeXiaoWu)
				d.text((d.w-textWidth(s)*size)/2, d.h-d.bottom+6*mm, s, size)
			}
		}
		if d.err != nil {
			return d.err
		}
	}
	_, err := d.gp.WriteTo(w)
	return err
}

func pageNumber(n, of int) string {
	return "第 " + strconv.Itoa(n) + " 页 共 " + strconv.Itoa(of) + " 页"
}

// Pages returns the number of pages so far.
func (d *Doc) Pages() int { return d.gp.GetNumberOfPages() }
