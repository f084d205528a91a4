// Package money holds Fen, an amount of Chinese yuan in fen (分). Money is
// never a float in Jiahe: every amount is an integer number of fen.
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// Fen is an amount in fen; 100 fen make one yuan.
type Fen int64

// Yuan returns n whole yuan as Fen.
func Yuan(n int64) Fen { return Fen(n * 100) }

// String formats f as yuan with two decimals, e.g. "960.00".
func (f Fen) String() string {
	sign := ""
	v := int64(f)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// ParseYuan reads a yuan amount with at most two decimals ("960", "80.5",
// "12.34") exactly, without passing through a float.
func ParseYuan(s string) (Fen, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("invalid amount %q: want yuan with at most two decimals", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("invalid amount %q: want yuan with at most two decimals", s)
	}
	var fr int64
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		fr, err = strconv.ParseInt(frac, 10, 64)
		if err != nil || fr < 0 {
			return 0, fmt.Errorf("invalid amount %q: want yuan with at most two decimals", s)
		}
	}
	v := Fen(w*100 + fr)
	if neg {
		v = -v
	}
	return v, nil
}
