package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
)

// formError turns a domain error into messages next to the form's fields.
// It returns false for errors a form cannot show (internal errors,
// refusals, a target outside the actor's scope among them, though it is
// answered as not found), which the caller returns to be served as an
// error page: the form is not shown again, so nothing more is read about
// the target and the refusal is recorded once. Fields the form does not
// have are shown in the summary only.
func formError(v *view, err error) bool {
	if app.IsRefusal(err) {
		return false
	}
	var list apperr.List
	var errs []*apperr.Error
	switch e, ok := apperr.As(err); {
	case errors.As(err, &list) && !ok:
		errs = list
	case ok && (e.Kind == apperr.Invalid || e.Kind == apperr.Conflict || e.Kind == apperr.NotFound):
		errs = []*apperr.Error{e}
	default:
		return false
	}
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	for _, e := range errs {
		msg := e.ZH
		if v.Lang == "en" || msg == "" {
			msg = e.EN
		}
		f := e.Field
		if _, taken := v.Errors[f]; f != "" && !taken {
			v.Errors[f] = msg
		}
		v.Problems = append(v.Problems, msg)
	}
	return true
}

// invalid adds a form error for field, in both languages.
func invalid(field, zh, en string) *apperr.Error {
	return &apperr.Error{Kind: apperr.Invalid, Field: field, ZH: zh, EN: en}
}

// formDate reads an optional YYYY-MM-DD field.
func formDate(r *http.Request, field string, required bool) (date.Date, *apperr.Error) {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" {
		if required {
			return date.Date{}, invalid(field, "请填写日期", "the date is required")
		}
		return date.Date{}, nil
	}
	d, err := date.Parse(s)
	if err != nil {
		return date.Date{}, invalid(field, "日期格式应为 YYYY-MM-DD", "the date must be YYYY-MM-DD")
	}
	return d, nil
}

// formInt reads an integer field within [lo, hi].
func formInt(r *http.Request, field string, lo, hi int) (int, *apperr.Error) {
	n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(field)))
	if err != nil || n < lo || n > hi {
		return 0, invalid(field, fmt.Sprintf("应为 %d 至 %d 的整数", lo, hi), fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
	return n, nil
}

// redirectDone sends the browser to target with a confirmation key.
func redirectDone(w http.ResponseWriter, r *http.Request, target, done string) {
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+"done="+url.QueryEscape(done), http.StatusSeeOther)
}
