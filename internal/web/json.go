package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// DecodeJSON reads the request body (at most 1 MiB) into v, rejecting
// unknown fields, and first CheckJSON's invalid bytes, repeated names and
// trailing data.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return apperr.Invalidf("body", "请求体无法读取或超过 1 MiB", "the request body cannot be read or exceeds 1 MiB")
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := CheckJSON(body); err != nil {
			return err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var field string
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field = te.Field
		}
		if errors.Is(err, io.EOF) {
			return apperr.Invalidf("body", "请求体为空", "the request body is empty")
		}
		if ae, ok := apperr.As(err); ok {
			return ae
		}
		if field != "" {
			return apperr.Invalidf(field, "字段类型错误", "wrong type for this field")
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return apperr.Invalidf(name, "没有名为“%s”的字段", "there is no field %q", name)
		}
		return apperr.Invalidf("body", "请求体不是有效的JSON", "the request body is not valid JSON")
	}
	return nil
}

// PathID parses the path value name as a positive integer id.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf(name, "编号 %q 无效", "invalid id %q", r.PathValue(name))
	}
	return id, nil
}
