// Package sheet reads and writes tabular files as county offices keep
// them: CSV (UTF-8, with or without a byte-order mark, or GBK/GB18030 as
// Excel on a Chinese Windows saves it) and Excel .xlsx. It is an adapter:
// it knows rows of text cells, not what they hold, so the domain packages
// that give the cells meaning need not import a spreadsheet library.
package sheet

import (
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// File formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
	// FormatXLS is an old Excel workbook (.xls): recognised so that it can
	// be refused with a useful message, never read.
	FormatXLS = "xls"
)

// Encodings of a CSV file.
const (
	EncodingUTF8    = "utf-8"
	EncodingGB18030 = "gb18030" // GB 18030, a superset of GBK
)

// ParseEncoding reads an encoding name as given on the command line or in
// a request: "", "auto", "utf8", "utf-8", "gbk", "gb18030", "gb2312". It
// returns "" for automatic detection, EncodingUTF8 or EncodingGB18030.
func ParseEncoding(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return "", nil
	case "utf8", "utf-8":
		return EncodingUTF8, nil
	case "gbk", "gb18030", "gb2312":
		return EncodingGB18030, nil
	}
	return "", apperr.Invalidf("encoding", "编码应为 utf8 或 gbk，实为 %q", "encoding must be utf8 or gbk, got %q", s)
}

// ParseFormat reads a file format name: "" (the default, CSV), "csv",
// "xlsx" or "excel".
func ParseFormat(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "csv":
		return FormatCSV, nil
	case "xlsx", "excel":
		return FormatXLSX, nil
	}
	return "", apperr.Invalidf("format", "格式应为 csv 或 xlsx，实为 %q", "format must be csv or xlsx, got %q", s)
}
