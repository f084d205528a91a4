package web

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// CheckJSON checks, before encoding/json decodes a request body, what
// encoding/json lets through without a word: bytes that are not UTF-8
// (and escaped lone surrogates), which it turns into U+FFFD; a name that
// appears twice in an object, of which it keeps the last; and anything
// after the value. Each is refused naming the field, e.g.
// "persons[2].name", or "body".
func CheckJSON(body []byte) error {
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	if _, err := dec.ReadValue(); err != nil {
		return jsonProblem(body, err)
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return apperr.Invalidf("body", "JSON 值之后还有多余的内容", "there is more after the JSON value")
	}
	return nil
}

// jsonProblem turns an error of jsontext reading body into an Invalid
// error on the field it points at, in plain words: the decoder's own
// text never reaches the user.
func jsonProblem(body []byte, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.Invalidf("body", "请求体不完整（缺少结尾的括号或引号）", "the request body is incomplete (a closing bracket or quote is missing)")
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return apperr.Invalidf("body", "请求体不是有效的JSON", "the request body is not valid JSON")
	}
	field := pointerField(se.JSONPointer)
	switch {
	case errors.Is(se.Err, jsontext.ErrDuplicateName):
		return apperr.Invalidf(field, "字段 %s 重复出现", "the field %s appears more than once", field)
	case se.Err != nil && strings.Contains(se.Err.Error(), "UTF-8"):
		return apperr.Invalidf(field, "字段 %s 含有无效的 UTF-8 字节（或不成对的代理项）", "the field %s holds bytes that are not valid UTF-8 (or an unpaired surrogate)", field)
	}
	line, col := LineCol(body, se.ByteOffset)
	return apperr.Invalidf(field, "请求体第%d行第%d列不是有效的JSON（请检查逗号、引号和括号）", "the request body is not valid JSON at line %d, column %d (check commas, quotes and brackets)", line, col)
}

// LineCol gives the line and the column (in characters, from 1) of byte
// offset off of b.
func LineCol(b []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(b)))
	line, col := 1, 1
	for _, c := range string(b[:off]) {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// pointerField writes a JSON pointer as the errors name fields:
// /persons/2/name as persons[2].name; the empty pointer as body.
func pointerField(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		switch {
		case tok != "" && strings.Trim(tok, "0123456789") == "":
			b.WriteString("[" + tok + "]")
		case b.Len() > 0:
			b.WriteString("." + tok)
		default:
			b.WriteString(tok)
		}
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}
