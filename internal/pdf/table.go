package pdf

// Column is a column of a Table.
type Column struct {
	Title string
	// Width is the column's share of the table's width: the widths of all
	// columns are scaled to fill the width between the margins.
	Width float64
	Align Align
	// Keep: the column's cells never wrap (names, ID numbers); a cell
	// wider than its column is set smaller to fit.
	Keep bool
}

// Cell is a cell of a form or of a table's closing rows.
type Cell struct {
	Text string
	Runs []Run // used instead of Text when set
	Span int   // columns covered; 0 is 1
	// Head marks a label (申请人姓名, 性别, …), centred.
	Head  bool
	Align Align
	// Keep: the text never wraps; when wider than the cell it is set
	// smaller.
	Keep bool
	// Height is the least height of the cell's row in mm, for a box to
	// be written in by hand.
	Height float64
}

// Table is a table of data: a header row repeated at the top of every
// page the table runs onto, data rows (never split across pages) and
// closing rows such as a total.
type Table struct {
	Columns []Column
	Rows    [][]string
	Foot    [][]Cell
	Size    float64 // points; 0 is the document's table size
}

const (
	cellPadX = 1.5 * mm
	cellPadY = 1.2 * mm
)

// placedCell is a cell laid out: where, and its lines.
type placedCell struct {
	x, w  float64
	lines []line
	size  float64
	align Align
}

type placedRow struct {
	h     float64
	cells []placedCell
}

// columnX returns the left edge of each column and the right edge of the
// last, scaling widths to fill the page.
func (d *Doc) columnX(widths []float64) []float64 {
	var total float64
	for _, w := range widths {
		if w <= 0 {
			w = 1
		}
		total += w
	}
	xs := make([]float64, len(widths)+1)
	xs[0] = d.left
	for i, w := range widths {
		if w <= 0 {
			w = 1
		}
		xs[i+1] = xs[i] + w/total*d.contentWidth()
	}
	return xs
}

// layoutRow lays out one row of cells over the columns xs.
func layoutRow(xs []float64, cells []Cell, size float64) placedRow {
	lh := size * tableLead
	var row placedRow
	col := 0
	for _, c := range cells {
		if col >= len(xs)-1 {
			break
		}
		span := max(c.Span, 1)
		end := min(col+span, len(xs)-1)
		x, w := xs[col], xs[end]-xs[col]
		col = end
		inner := w - 2*cellPadX
		runs := c.Runs
		if runs == nil {
			runs = []Run{{Text: c.Text, Keep: c.Keep}}
		}
		pc := placedCell{x: x, w: w, size: size, align: c.Align}
		if c.Head && c.Align == Left {
			pc.align = Center
		}
		if c.Keep && c.Runs == nil {
			tw := textWidth(c.Text) * size
			if tw > inner && tw*0.6 <= inner {
				pc.size = size * inner / tw
			}
		}
		pc.lines = breakLines(runs, pc.size, inner, 0)
		h := float64(len(pc.lines))*pc.size*tableLead + 2*cellPadY
		if c.Text == "" && c.Runs == nil {
			h = lh + 2*cellPadY
		}
		row.h = max(row.h, h, c.Height*mm)
		row.cells = append(row.cells, pc)
	}
	return row
}

// drawRow draws a laid-out row with its top at d.y and moves below it.
func (d *Doc) drawRow(r placedRow) {
	for _, c := range r.cells {
		d.gp.RectFromUpperLeftWithStyle(c.x, d.y, c.w, r.h, "D")
		lh := c.size * tableLead
		top := d.y + (r.h-float64(len(c.lines))*lh)/2
		for i, l := range c.lines {
			x := c.x + cellPadX
			inner := c.w - 2*cellPadX
			switch c.align {
			case Center:
				x += (inner - l.w*c.size) / 2
			case Right:
				x += inner - l.w*c.size
			}
			d.text(x, top+float64(i)*lh+(lh-c.size)/2, l.text, c.size)
		}
	}
	d.y += r.h
}

// Table lays out t across the width between the margins.
func (d *Doc) Table(t Table) {
	d.start()
	size := t.Size
	if size == 0 {
		size = d.opt.Table
	}
	widths := make([]float64, len(t.Columns))
	head := make([]Cell, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = c.Width
		head[i] = Cell{Text: c.Title, Head: true, Keep: true}
	}
	xs := d.columnX(widths)
	header := layoutRow(xs, head, size)
	rows := make([]placedRow, 0, len(t.Rows)+len(t.Foot))
	for _, r := range t.Rows {
		cells := make([]Cell, len(t.Columns))
		for i, c := range t.Columns {
			if i < len(r) {
				cells[i] = Cell{Text: r[i], Align: c.Align, Keep: c.Keep}
			}
		}
		rows = append(rows, layoutRow(xs, cells, size))
	}
	for _, r := range t.Foot {
		rows = append(rows, layoutRow(xs, r, size))
	}
	first := 0.0
	if len(rows) > 0 {
		first = rows[0].h
	}
	d.ensure(header.h + first)
	d.drawRow(header)
	for _, r := range rows {
		if d.ensure(r.h) {
			d.drawRow(header)
		}
		d.drawRow(r)
	}
	d.y += 2 * mm
}

// Form lays out a grid of labelled cells, such as an application form:
// widths are the columns' shares of the width, and each row's cells span
// one or more columns. A row is never split across pages.
func (d *Doc) Form(widths []float64, rows [][]Cell) {
	d.start()
	xs := d.columnX(widths)
	for _, r := range rows {
		pr := layoutRow(xs, r, d.opt.Table)
		d.ensure(pr.h)
		d.drawRow(pr)
	}
	d.y += 2 * mm
}
