package matching

import (
	"errors"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
)

// IDState says what an extract's ID number cell held.
type IDState uint8

// The states of an ID number cell.
const (
	IDMissing   IDState = iota // empty
	IDValid                    // an 18-character number with the right check character
	IDConverted                // a valid 15-digit number, converted to 18 characters
	IDInvalid                  // present but not a valid number; Digits holds what could be read
)

var idStateNames = [...]string{"missing", "valid", "converted", "invalid"}

func (s IDState) String() string { return idStateNames[s] }

// MarshalText writes the state's name.
func (s IDState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// IDValue is an ID number cell of an extract, read.
type IDValue struct {
	// Raw is the cell as written (trimmed).
	Raw string `json:"raw,omitempty"`
	// Number is the valid number in canonical form (for IDValid and
	// IDConverted), "" otherwise.
	Number idcard.Number `json:"number,omitempty"`
	// Digits are, for an invalid number, its first 17 characters when
	// they are digits (a 15-digit number widened with the century 19), so
	// that a number with a wrong check character or a slipped digit can
	// still be compared; "" when not even that could be read.
	Digits string  `json:"digits,omitempty"`
	State  IDState `json:"state"`
}

// Body returns the first 17 digits of the number, valid or not, or "".
func (v IDValue) Body() string {
	if v.Number != "" {
		return string(v.Number[:17])
	}
	return v.Digits
}

// Birth returns the birth date the number encodes, valid or not, when its
// date digits are a real date.
func (v IDValue) Birth() date.Date {
	b := v.Body()
	if len(b) != 17 {
		return date.Date{}
	}
	y, _ := strconv.Atoi(b[6:10])
	m, _ := strconv.Atoi(b[10:12])
	d, _ := strconv.Atoi(b[12:14])
	dd, ok := valid(y, m, d)
	if !ok {
		return date.Date{}
	}
	return dd
}

// ParseID reads an ID number cell: full-width digits, spaces, hyphens
// and a lower-case x are accepted, a legacy 15-digit number is converted.
// An invalid number is returned with State IDInvalid, its Digits when they
// could be read, and an error (*apperr.Error, Invalid) saying what is
// wrong; an empty cell is IDMissing without error.
func ParseID(s string) (IDValue, error) {
	raw := cleanCell(s)
	v := IDValue{Raw: raw}
	if raw == "" {
		return v, nil
	}
	t := strings.Map(func(r rune) rune {
		r = foldWidth(r)
		switch r {
		case ' ', '-', '\t':
			return -1
		case 'x':
			return 'X'
		}
		return r
	}, raw)
	if f, err := strconv.ParseFloat(t, 64); err == nil && strings.ContainsAny(t, "Ee.") && f > 1e13 {
		v.State = IDInvalid
		return v, apperr.Invalidf("", "身份证号被存成了数字，后几位已丢失", "the ID number was stored as a number and lost its last digits")
	}
	n, err := idcard.Parse(t)
	if err == nil {
		v.Number = n
		v.State = IDValid
		if len(t) == 15 {
			v.State = IDConverted
		}
		return v, nil
	}
	v.State = IDInvalid
	switch {
	case len(t) == 18 && isDigits(t[:17]):
		v.Digits = t[:17]
	case len(t) == 17 && isDigits(t):
		v.Digits = t // the check character left off
	case len(t) == 15 && isDigits(t):
		v.Digits = t[:6] + "19" + t[6:]
	}
	var ie *idcard.Error
	if errors.As(err, &ie) {
		return v, &apperr.Error{Kind: apperr.Invalid, ZH: ie.ZH, EN: ie.EN}
	}
	return v, apperr.Invalidf("", "身份证号无效", "the ID number is not valid")
}
