package web

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"log/slog"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
)

// StatusOf maps an error kind to its HTTP status. It is the only place
// that does.
func StatusOf(k apperr.Kind) int {
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

// Message is e's message in lang ("zh" or "en"), in the other language
// when e has none in lang.
func Message(e *apperr.Error, lang string) string {
	if lang == "en" && e.EN != "" || e.ZH == "" {
		return e.EN
	}
	return e.ZH
}

// ServeError writes err as {"error": {...}} with the status of its kind.
// Only internal errors are logged, to log, with ID numbers masked; their
// details never reach the client.
func ServeError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	kind := apperr.KindOf(err)
	status := StatusOf(kind)
	lang := Language(r)
	body := errorBody{Kind: kind.String()}
	var list apperr.List
	switch e, ok := apperr.As(err); {
	case errors.As(err, &list) && !ok:
		for _, p := range list {
			body.Problems = append(body.Problems, errorProblem{Field: p.Field, Message: Message(p, lang)})
		}
		if len(list) > 0 {
			body.Field, body.Message = list[0].Field, Message(list[0], lang)
		}
	case ok && kind != apperr.Internal:
		body.Field, body.Message = e.Field, Message(e, lang)
	default:
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "route", r.Pattern, "err", RedactIDs(err.Error()))
		body.Message = map[string]string{"zh": "服务器内部错误，请稍后再试或联系管理员", "en": "internal server error: try again later or contact the administrator"}[lang]
	}
	var th *app.ThrottledError
	if errors.As(err, &th) {
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(int((th.Wait+time.Second-1)/time.Second)))
	}
	RetryLater(w, kind)
	WriteJSON(w, status, map[string]errorBody{"error": body})
}

// RetryLater tells the client of an Unavailable answer when to try again.
func RetryLater(w http.ResponseWriter, k apperr.Kind) {
	if k == apperr.Unavailable {
		w.Header().Set("Retry-After", "1")
	}
}

var idNumberRE = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)

// RedactIDs masks anything that looks like a citizen ID number, for logs.
func RedactIDs(s string) string {
	return idNumberRE.ReplaceAllStringFunc(s, func(m string) string {
		return m[:6] + strings.Repeat("*", len(m)-6)
	})
}
