package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/web"
)

// safeNext returns where to go after signing in: a local path only, so
// the sign-in page cannot be used to send users to another site.
func safeNext(s string) string {
	u, err := url.Parse(s)
	if err != nil || s == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") || strings.HasPrefix(u.Path, "/login") {
		return "/"
	}
	return u.RequestURI()
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "login.title")
	v.Form.Set("next", safeNext(r.URL.Query().Get("next")))
	v.Data = map[string]any{"OIDC": h.oidc != nil}
	return h.render(w, http.StatusOK, "login.html", v)
}

// loginSubmit signs in from the form, with the same checks, throttling
// and audit entry as POST /api/v1/login, and sets the session cookie.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "login.title")
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	v.Form.Set("username", username)
	v.Form.Set("next", safeNext(r.PostFormValue("next")))
	v.Data = map[string]any{"OIDC": h.oidc != nil}
	if _, err := web.SignIn(h.app, h.cfg, w, r, username, r.PostFormValue("password")); err != nil {
		e, ok := apperr.As(err) // a throttled sign-in unwraps to its message
		if !ok || e.Kind == apperr.Internal {
			return err
		}
		if !formError(v, err) {
			v.Problems = []string{web.Message(e, v.Lang)}
		}
		status := web.StatusOf(e.Kind)
		var th *app.ThrottledError
		if errors.As(err, &th) {
			status = http.StatusTooManyRequests
		}
		return h.render(w, status, "login.html", v)
	}
	http.Redirect(w, r, v.Form.Get("next"), http.StatusSeeOther)
	return nil
}

// logoutSubmit ends the session (as POST /api/v1/logout does) and
// returns to the sign-in page.
func (h *Handler) logoutSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.SignOut(r.Context(), web.SessionToken(r)); err != nil {
		return err
	}
	web.SetSessionCookie(w, r, h.cfg, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}
