package pdf

import "strings"

// Align is a horizontal alignment.
type Align int

// Alignments.
const (
	Left Align = iota
	Center
	Right
)

// Para is a paragraph.
type Para struct {
	Runs   []Run
	Size   float64 // points; 0 is the body size
	Indent float64 // first-line indent, in characters (2 for a letter's paragraphs)
	Align  Align
	Lead   float64 // line height ÷ font size; 0 is 1.6
	// KeepLines moves the paragraph whole to the next page when it does
	// not fit on this one, rather than splitting it.
	KeepLines bool
}

// Para lays out a paragraph across the width between the margins.
func (d *Doc) Para(p Para) {
	d.start()
	size := p.Size
	if size == 0 {
		size = d.opt.Body
	}
	lead := p.Lead
	if lead == 0 {
		lead = defaultLead
	}
	cw := d.contentWidth()
	lines := breakLines(p.Runs, size, cw, p.Indent*size)
	lh := size * lead
	if p.KeepLines {
		d.ensure(lh * float64(len(lines)))
	}
	for i, l := range lines {
		d.ensure(lh)
		x := d.left
		if i == 0 {
			x += p.Indent * size
		}
		switch p.Align {
		case Center:
			x = d.left + (cw-l.w*size)/2
		case Right:
			x = d.left + cw - l.w*size
		}
		d.text(x, d.y+(lh-size)/2, l.text, size)
		d.y += lh
	}
}

// Text lays out a paragraph of body text.
func (d *Doc) Text(runs ...Run) { d.Para(Para{Runs: runs}) }

// Title lays out a centred title, 18 pt, with space after it. A title is
// never left alone at the foot of a page.
func (d *Doc) Title(s string) {
	d.start()
	size := float64(SizeXiaoEr)
	// A long title breaks at its spaces first: between the place and
	// the subject, not inside a word.
	var runs []Run
	for i, part := range strings.Split(s, " ") {
		if i > 0 {
			runs = append(runs, T(" "))
		}
		runs = append(runs, Keep(part))
	}
	lines := breakLines(runs, size, d.contentWidth(), 0)
	d.ensure(float64(len(lines))*size*1.5 + 4*d.opt.Body*defaultLead)
	d.Para(Para{Runs: runs, Size: size, Align: Center, Lead: 1.5})
	d.y += 3 * mm
}

// Line lays out one line with left text at the left margin and right
// text at the right one (such as 申报年度 and 案件编号 over a form), in
// body size or size; either may be empty. When both do not fit on one
// line, they take a line each.
func (d *Doc) Line(left, right string, size float64) {
	d.start()
	if size == 0 {
		size = d.opt.Body
	}
	lh := size * defaultLead
	cw := d.contentWidth()
	lw, rw := textWidth(left)*size, textWidth(right)*size
	if lw+rw+2*size > cw {
		d.Para(Para{Runs: []Run{T(left)}, Size: size})
		d.Para(Para{Runs: []Run{T(right)}, Size: size, Align: Right})
		return
	}
	d.ensure(lh)
	d.text(d.left, d.y+(lh-size)/2, left, size)
	d.text(d.left+cw-rw, d.y+(lh-size)/2, right, size)
	d.y += lh
}

// fitLine draws s within width, shrinking it when it is wider: the lines
// of signature and seal blocks are never wrapped.
func (d *Doc) fitLine(x, y, width, lh float64, s string, size float64, align Align) {
	w := textWidth(s) * size
	if w > width && w > 0 {
		size *= width / w
		w = width
	}
	switch align {
	case Center:
		x += (width - w) / 2
	case Right:
		x += width - w
	}
	d.text(x, y+(lh-size)/2, s, size)
}

// Signatures lays out side by side columns of signature lines, such as
// 申请人（签字）：…  and 受理人：…, each line of a column twice the body
// line height apart so that there is room to sign. A column's lines are
// never wrapped (a long one is set smaller). The block is kept on one
// page.
func (d *Doc) Signatures(cols ...[]string) {
	if len(cols) == 0 {
		return
	}
	d.start()
	size := d.opt.Body
	lh := size * defaultLead * 1.5
	n := 0
	for _, c := range cols {
		n = max(n, len(c))
	}
	d.y += 2 * mm
	d.ensure(float64(n) * lh)
	cw := d.contentWidth() / float64(len(cols))
	for i, c := range cols {
		for j, s := range c {
			d.fitLine(d.left+float64(i)*cw, d.y+float64(j)*lh, cw-4*mm, lh, s, size, Left)
		}
	}
	d.y += float64(n) * lh
}

// Seal lays out the issuer's block at the right, as official papers close:
// the issuing body over the date, centred on each other, the block's
// right edge four characters from the margin, with room above for the
// seal that is stamped over it. The block is kept on one page.
func (d *Doc) Seal(lines ...string) {
	d.start()
	size := d.opt.Body
	lh := size * defaultLead
	var w float64
	for _, s := range lines {
		w = max(w, textWidth(s)*size)
	}
	cw := d.contentWidth()
	w = min(w, cw)
	right := d.left + cw - 4*size
	if right-w < d.left {
		right = d.left + cw
	}
	above := 12 * mm
	d.ensure(above + float64(len(lines))*lh + 10*mm)
	d.y += above
	for _, s := range lines {
		d.fitLine(right-w, d.y, w, lh, s, size, Center)
		d.y += lh
	}
}
