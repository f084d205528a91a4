package pdf

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/signintech/gopdf"
)

// fontData is Jiahe Kai, a subset of LXGW WenKai 1.250 (SIL OFL 1.1) with
// every GBK character and every other CJK ideograph the font has; see
// third_party/lxgw-wenkai and scripts/make-font.sh.
//
//go:embed fonts/jiahe-kai.ttf
var fontData []byte

// family is the name the font bears inside a PDF.
const family = "JiaheKai"

// missingGlyph stands in for a character the font lacks, so that a gap
// in a name shows on paper rather than closing up unseen.
const missingGlyph = '□'

var (
	fontOnce  sync.Once
	fontErr   error
	container gopdf.FontContainer

	// measurer measures the advance of one character at a time; widths
	// caches them at 1 pt, as every size scales linearly.
	measurer sync.Mutex
	meter    *gopdf.GoPdf
	widths   sync.Map // rune → float64
)

func fontOption() gopdf.TtfOption {
	return gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return missingGlyph }}
}

// loadFont parses the embedded font once per process.
func loadFont() error {
	fontOnce.Do(func() {
		if err := container.AddTTFFontDataWithOption(family, fontData, fontOption()); err != nil {
			fontErr = fmt.Errorf("pdf: embedded font: %w", err)
			return
		}
		meter = &gopdf.GoPdf{}
		meter.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
		if err := meter.AddTTFFontFromFontContainer(family, &container); err != nil {
			fontErr = fmt.Errorf("pdf: embedded font: %w", err)
			return
		}
		if err := meter.SetFont(family, "", 1000); err != nil {
			fontErr = fmt.Errorf("pdf: embedded font: %w", err)
		}
	})
	return fontErr
}

// runeWidth returns the advance of r at 1 pt.
func runeWidth(r rune) float64 {
	if w, ok := widths.Load(r); ok {
		return w.(float64)
	}
	if loadFont() != nil {
		return 1
	}
	measurer.Lock()
	w, err := meter.MeasureTextWidth(string(r))
	measurer.Unlock()
	if err != nil {
		w = 1000
	}
	w /= 1000
	widths.Store(r, w)
	return w
}

// textWidth returns the advance of s at 1 pt.
func textWidth(s string) float64 {
	var w float64
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// Missing returns the characters of s that the embedded font lacks, in
// order of first appearance; a PDF prints each of them as □. A page that
// prints a name may warn when it is not empty.
func Missing(s string) []rune {
	if loadFont() != nil {
		return nil
	}
	var out []rune
	seen := map[rune]bool{}
	measurer.Lock()
	defer measurer.Unlock()
	for _, r := range s {
		if r < ' ' || seen[r] {
			continue
		}
		seen[r] = true
		if ok, err := meter.IsCurrFontContainGlyph(r); err == nil && !ok {
			out = append(out, r)
		}
	}
	return out
}
