package pdf

import (
	"fmt"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// QR is a QR code block: the code, drawn as vector squares, with caption
// lines beside it (how to verify, and the link written out for those who
// type it).
type QR struct {
	// Content is what the code holds: the link of the public page that
	// verifies the paper.
	Content string
	// Caption is printed beside the code, a line each, never wrapped.
	Caption []string
	// Size is the side of the code in mm, quiet zone included; 0 is 25.
	Size float64
	// Align puts the code at the left margin with the caption to its
	// right (Left) or at the right margin with the caption to its left
	// (Right).
	Align Align
}

// qrMatrix is a Writer for go-qrcode that keeps the modules.
type qrMatrix struct{ bits [][]bool }

func (m *qrMatrix) Write(mat qrcode.Matrix) error { m.bits = mat.Bitmap(); return nil }
func (m *qrMatrix) Close() error                  { return nil }

// qrBits returns the modules of a QR code for s (error correction level
// M: a printed code survives a fold or a smudge), dark = true, without the
// quiet zone.
func qrBits(s string) ([][]bool, error) {
	code, err := qrcode.NewWith(s, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("pdf: QR code: %w", err)
	}
	var m qrMatrix
	if err := code.Save(&m); err != nil {
		return nil, fmt.Errorf("pdf: QR code: %w", err)
	}
	return m.bits, nil
}

// QR lays out a QR code block. The block is kept on one page.
func (d *Doc) QR(q QR) {
	d.start()
	if q.Content == "" {
		d.fail(fmt.Errorf("pdf: QR code with nothing to hold"))
		return
	}
	bits, err := qrBits(q.Content)
	if err != nil {
		d.fail(err)
		return
	}
	side := q.Size
	if side == 0 {
		side = 25
	}
	side *= mm
	size := float64(SizeXiaoWu)
	lh := size * defaultLead
	h := max(side, float64(len(q.Caption))*lh)
	d.ensure(h)
	gap := 3 * mm
	x := d.left
	textX, textW := d.left+side+gap, d.contentWidth()-side-gap
	if q.Align == Right {
		x = d.left + d.contentWidth() - side
		textX = d.left
	}
	d.drawQR(bits, x, d.y, side)
	top := d.y + (h-float64(len(q.Caption))*lh)/2
	align := Left
	if q.Align == Right {
		align = Right
	}
	for i, s := range q.Caption {
		d.fitLine(textX, top+float64(i)*lh, textW, lh, s, size, align)
	}
	d.y += h + 2*mm
}

// drawQR draws the modules in a square of side pt at (x, y), leaving a
// quiet zone of four modules; each row's runs of dark modules are one
// rectangle.
func (d *Doc) drawQR(bits [][]bool, x, y, side float64) {
	n := len(bits)
	if n == 0 {
		return
	}
	mod := side / float64(n+8)
	x0, y0 := x+4*mod, y+4*mod
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			// A hair of overlap downwards closes the seams some viewers
			// show between rows.
			d.gp.RectFromUpperLeftWithStyle(x0+float64(start)*mod, y0+float64(r)*mod, float64(c-start)*mod, mod*1.02, "F")
		}
	}
}
