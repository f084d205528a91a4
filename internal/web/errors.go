package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
)

// statusOf maps an error kind to its HTTP status. It is the only place
// that does.
func statusOf(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

var errCrossOrigin = apperr.New(apperr.Forbidden, "拒绝跨站请求", "cross-origin request refused")

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Kind     string         `json:"kind"`
	Field    string         `json:"field,omitempty"`
	Message  string         `json:"message"`
	Problems []errorProblem `json:"problems,omitempty"`
}

type errorProblem struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func message(e *apperr.Error, lang string) string {
	if lang == "en" && e.EN != "" || e.ZH == "" {
		return e.EN
	}
	return e.ZH
}

// serveError writes err as {"error": {...}} with the status of its kind.
// Only internal errors are logged, with ID numbers masked; their details
// never reach the client.
func (h *Handler) serveError(w http.ResponseWriter, r *http.Request, err error) {
	kind := apperr.KindOf(err)
	status := statusOf(kind)
	lang := language(r)
	body := errorBody{Kind: kind.String()}
	var list apperr.List
	switch e, ok := apperr.As(err); {
	case errors.As(err, &list) && !ok:
		for _, p := range list {
			body.Problems = append(body.Problems, errorProblem{Field: p.Field, Message: message(p, lang)})
		}
		if len(list) > 0 {
			body.Field, body.Message = list[0].Field, message(list[0], lang)
		}
	case ok && kind != apperr.Internal:
		body.Field, body.Message = e.Field, message(e, lang)
	default:
		h.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "err", redactIDs(err.Error()))
		body.Message = map[string]string{"zh": "服务器内部错误，请稍后再试或联系管理员", "en": "internal server error: try again later or contact the administrator"}[lang]
	}
	var th *app.ThrottledError
	if errors.As(err, &th) {
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(int((th.Wait+time.Second-1)/time.Second)))
	}
	retryLater(w, kind)
	writeJSON(w, status, map[string]errorBody{"error": body})
}

// retryLater tells the client of an Unavailable answer when to try again.
func retryLater(w http.ResponseWriter, k apperr.Kind) {
	if k == apperr.Unavailable {
		w.Header().Set("Retry-After", "1")
	}
}

var idNumberRE = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)

// redactIDs masks anything that looks like a citizen ID number.
func redactIDs(s string) string {
	return idNumberRE.ReplaceAllStringFunc(s, func(m string) string {
		return m[:6] + strings.Repeat("*", len(m)-6)
	})
}

// language picks "en" for ?lang=en or an Accept-Language preferring
// English, and "zh" otherwise.
func language(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		if strings.HasPrefix(strings.ToLower(l), "en") {
			return "en"
		}
		return "zh"
	}
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(first)), "en") {
		return "en"
	}
	return "zh"
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeJSON reads the request body (at most 1 MiB) into v, rejecting
// unknown fields, and first checkJSON's invalid bytes, repeated names and
// trailing data.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		return apperr.Invalidf("body", "请求体无法读取或超过 1 MiB", "the request body cannot be read or exceeds 1 MiB")
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := checkJSON(body); err != nil {
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
		return &apperr.Error{Kind: apperr.Invalid, Field: "body", ZH: "请求体不是有效的JSON：" + err.Error(), EN: "the request body is not valid JSON: " + err.Error()}
	}
	return nil
}

// pathID parses the path value name as a positive integer id.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf(name, "编号 %q 无效", "invalid id %q", r.PathValue(name))
	}
	return id, nil
}
