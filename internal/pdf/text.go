package pdf

import (
	"strings"
	"unicode/utf8"
)

// A Run is a piece of text. The text of a Kept run is never broken across
// lines: a person's name, an ID number, an amount. Plain text breaks
// between any two Chinese characters and between Latin words, by the rules
// of Chinese typesetting (no line starts with a closing mark such as ，。）
// and none ends with an opening one such as （《“).
type Run struct {
	Text string
	Keep bool
}

// T is plain text, which may break between characters.
func T(s string) Run { return Run{Text: s} }

// Keep is text that is never broken across lines, such as a person's name.
func Keep(s string) Run { return Run{Text: s, Keep: true} }

// noStart are the marks no line may start with: closing punctuation,
// pauses and the like.
const noStart = "，。、；：？！）》」』”’〕】〉…—·%‰℃,.;:?!)]}>" + "％）］｝"

// noEnd are the marks no line may end with: opening punctuation.
const noEnd = "（《「『“‘〔【〈([{<" + "（［｛￥$"

// atom is a piece of text a line is never broken inside.
type atom struct {
	text  string
	w     float64 // at 1 pt
	space bool    // a space, dropped at either end of a line
	br    bool    // a forced line break
	keep  bool    // from a Kept run: broken only at "·" or a space, if ever
	// pre and post are the marks glued before and after a kept run's
	// text: text is pre + the run's text + post.
	pre, post string
}

// isWordRune reports whether r belongs to a Latin word or a number, which
// is broken only where it has a space.
func isWordRune(r rune) bool {
	return r > ' ' && r < 0x2000 && r != 0xA0 && !strings.ContainsRune("·", r)
}

// atoms splits runs into atoms and glues punctuation to its neighbours.
func atoms(runs []Run) []atom {
	var raw []atom
	for _, run := range runs {
		if run.Text == "" {
			continue
		}
		run.Text = strings.ToValidUTF8(run.Text, "\uFFFD")
		if run.Keep {
			raw = append(raw, atom{text: run.Text, keep: true})
			continue
		}
		s := run.Text
		for len(s) > 0 {
			r, size := utf8.DecodeRuneInString(s)
			n := size
			switch {
			case r == '\n':
				raw = append(raw, atom{br: true})
				s = s[n:]
				continue
			case r == ' ' || r == '\t':
				raw = append(raw, atom{text: " ", space: true})
				s = s[n:]
				continue
			case isWordRune(r):
				for n < len(s) {
					r2, size2 := utf8.DecodeRuneInString(s[n:])
					if !isWordRune(r2) {
						break
					}
					n += size2
				}
			case r == '—' || r == '…':
				// ——, …… are one mark of two characters.
				for n < len(s) {
					r2, size2 := utf8.DecodeRuneInString(s[n:])
					if r2 != r {
						break
					}
					n += size2
				}
			}
			raw = append(raw, atom{text: s[:n]})
			s = s[n:]
		}
	}
	// Glue: a closing mark to the atom before it, an opening mark to the
	// atom after it.
	var out []atom
	glue := ""
	for _, a := range raw {
		if a.br || a.space {
			if glue != "" {
				out = append(out, atom{text: glue})
				glue = ""
			}
			out = append(out, a)
			continue
		}
		first, _ := utf8.DecodeRuneInString(a.text)
		last, _ := utf8.DecodeLastRuneInString(a.text)
		if !a.keep && strings.ContainsRune(noStart, first) && glue == "" && len(out) > 0 && !out[len(out)-1].br && !out[len(out)-1].space {
			prev := &out[len(out)-1]
			prev.text += a.text
			if prev.keep {
				prev.post += a.text
			}
			continue
		}
		a.text = glue + a.text
		if a.keep {
			a.pre = glue
		}
		glue = ""
		if !a.keep && strings.ContainsRune(noEnd, last) && utf8.RuneCountInString(a.text) == 1 {
			glue = a.text
			continue
		}
		out = append(out, a)
	}
	if glue != "" {
		out = append(out, atom{text: glue})
	}
	for i := range out {
		out[i].w = textWidth(out[i].text)
	}
	return out
}

// line is one laid-out line: its text and its width at 1 pt.
type line struct {
	text string
	w    float64
}

// breakLines lays runs out in lines of width (at size; width in the same
// unit as size), the first line indent narrower. It never breaks a Kept
// run that fits on a line, nor anywhere the rules of Chinese typesetting
// forbid; text wider than a whole line is broken where it must be.
func breakLines(runs []Run, size, width, indent float64) []line {
	var lines []line
	var cur strings.Builder
	curW := 0.0
	avail := func() float64 {
		if len(lines) == 0 {
			return (width - indent) / size
		}
		return width / size
	}
	flush := func() {
		text := strings.TrimRight(cur.String(), " ")
		w := curW - float64(len(cur.String())-len(text))*runeWidth(' ')
		lines = append(lines, line{text: text, w: w})
		cur.Reset()
		curW = 0
	}
	const eps = 1e-6
	var place func(a atom)
	place = func(a atom) {
		switch {
		case a.br:
			flush()
			return
		case a.space && cur.Len() == 0:
			return
		case curW+a.w <= avail()+eps:
			cur.WriteString(a.text)
			curW += a.w
			return
		case a.space:
			flush()
			return
		}
		if cur.Len() > 0 {
			flush()
		}
		if a.w <= avail()+eps {
			cur.WriteString(a.text)
			curW += a.w
			return
		}
		// Wider than a line. A kept run that fits without the marks glued
		// to it comes first: it parts from them (a closing mark then hangs
		// past the end of the line).
		if a.keep && (a.pre != "" || a.post != "") {
			core := strings.TrimSuffix(strings.TrimPrefix(a.text, a.pre), a.post)
			if a.pre != "" {
				place(atom{text: a.pre, w: textWidth(a.pre)})
			}
			if a.post != "" && textWidth(core+a.post) > avail()-curW+eps && textWidth(core) <= avail()+eps {
				place(atom{text: core, w: textWidth(core), keep: true})
				cur.WriteString(a.post)
				curW += textWidth(a.post)
				return
			}
			place(atom{text: core + a.post, w: textWidth(core + a.post), keep: true})
			return
		}
		// Then a name breaks between its parts (the · of a transliterated
		// name, a space); anything else between characters.
		if a.keep {
			if parts := splitName(a.text); len(parts) > 1 {
				for _, p := range parts {
					place(atom{text: p, w: textWidth(p), space: p == " "})
				}
				return
			}
		}
		for _, r := range a.text {
			w := runeWidth(r)
			// A closing mark hangs past the end of the line rather than
			// start the next one.
			if curW+w > avail()+eps && cur.Len() > 0 && !strings.ContainsRune(noStart, r) {
				flush()
			}
			cur.WriteRune(r)
			curW += w
		}
	}
	for _, a := range atoms(runs) {
		place(a)
	}
	if cur.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// splitName splits a long name after each "·" and around spaces (a
// space is a part of its own).
func splitName(s string) []string {
	var parts []string
	start := 0
	for i, r := range s {
		switch r {
		case '·', '•', '・':
			parts = append(parts, s[start:i+utf8.RuneLen(r)])
			start = i + utf8.RuneLen(r)
		case ' ':
			if i > start {
				parts = append(parts, s[start:i])
			}
			parts = append(parts, " ")
			start = i + 1
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	return parts
}
