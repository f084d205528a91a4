package matching

import (
	"fmt"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// Severity says whether a problem made a value unusable.
type Severity string

// Severities.
const (
	// Error: the value could not be used (it is treated as missing), or
	// the file or row cannot be imported.
	Error Severity = "error"
	// Warning: the value was read, but by an assumption the user should
	// see (a 15-digit number converted, a day and month exchanged, a date
	// that could be read two ways).
	Warning Severity = "warning"
)

// Problem is one problem of an extract at a row and column. Line is the
// file row (1-based as a spreadsheet shows it; the header is a row) and
// Row the data row (1-based without the header, as results count rows);
// both are 0 for a problem of the whole file. Col is the 1-based file
// column, 0 for a problem of a whole row; Column is its canonical Chinese
// header.
type Problem struct {
	Line     int      `json:"line"`
	Row      int      `json:"row"`
	Col      int      `json:"col,omitempty"`
	Column   string   `json:"column,omitempty"`
	Key      string   `json:"key,omitempty"` // the column's key, e.g. "mother_id_number"
	Role     Role     `json:"role,omitempty"`
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	ZH       string   `json:"zh"`
	EN       string   `json:"en"`
}

// Problem codes.
const (
	CodeHeader      = "header"       // the header row: missing, unknown or repeated columns
	CodeFile        = "file"         // the file cannot be read
	CodeTooMany     = "too_many"     // more rows than MaxRows
	CodeID          = "id_number"    // an ID number is not valid
	CodeID15        = "id_15"        // a 15-digit number was converted
	CodeIDSex       = "id_sex"       // the sex differs from the one the number encodes
	CodeIDBirth     = "id_birth"     // the birth date differs from the one the number encodes
	CodeDate        = "date"         // not a date
	CodeDateSwapped = "date_swapped" // read with day and month exchanged
	CodeDateAmbig   = "date_ambiguous"
	CodeDateFuture  = "date_future"
	CodeValue       = "value"   // a value outside the accepted list
	CodeMissing     = "missing" // a required value is empty
	CodeNoIdentity  = "no_identity"
	CodeExtraCell   = "extra_cell" // a cell under no header
)

// Chinese returns the problem with its place, e.g.
// "第3行 第1列（身份证号）：身份证号校验位错误：应为5，实为0".
func (p Problem) Chinese() string {
	switch {
	case p.Line > 0 && p.Col > 0 && p.Column != "":
		return fmt.Sprintf("第%d行 第%d列（%s）：%s", p.Line, p.Col, p.Column, p.ZH)
	case p.Line > 0 && p.Col > 0:
		return fmt.Sprintf("第%d行 第%d列：%s", p.Line, p.Col, p.ZH)
	case p.Line > 0:
		return fmt.Sprintf("第%d行：%s", p.Line, p.ZH)
	}
	return p.ZH
}

// English returns the problem with its place.
func (p Problem) English() string {
	switch {
	case p.Line > 0 && p.Col > 0 && p.Column != "":
		return fmt.Sprintf("row %d, column %d (%s): %s", p.Line, p.Col, p.Column, p.EN)
	case p.Line > 0 && p.Col > 0:
		return fmt.Sprintf("row %d, column %d: %s", p.Line, p.Col, p.EN)
	case p.Line > 0:
		return fmt.Sprintf("row %d: %s", p.Line, p.EN)
	}
	return p.EN
}

// String returns the problem in Chinese and English.
func (p Problem) String() string { return p.Chinese() + " / " + p.English() }

// Field names the problem's place for an apperr.Error: "rows[3].id_number"
// (3 is the file row), "rows[3]" or "file".
func (p Problem) Field() string {
	if p.Line == 0 {
		return "file"
	}
	f := fmt.Sprintf("rows[%d]", p.Line)
	if p.Key != "" {
		f += "." + p.Key
	}
	return f
}

// Err returns the problem as an Invalid *apperr.Error whose messages
// carry the place.
func (p Problem) Err() *apperr.Error {
	return &apperr.Error{Kind: apperr.Invalid, Field: p.Field(), ZH: p.Chinese(), EN: p.English()}
}

// ProblemsError turns the errors among ps (not the warnings) into one
// Invalid error listing them; nil when there are none.
func ProblemsError(ps []Problem) error {
	var l apperr.List
	for _, p := range ps {
		if p.Severity == Error {
			l = append(l, p.Err())
		}
	}
	return l.Err()
}
