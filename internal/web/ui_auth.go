package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
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
	u, err := h.signIn(r, username, r.PostFormValue("password"))
	if err != nil {
		e, ok := apperr.As(err) // a throttled sign-in unwraps to its message
		if !ok || e.Kind == apperr.Internal {
			return err
		}
		if !formError(v, err) {
			v.Problems = []string{message(e, v.Lang)}
		}
		status := statusOf(e.Kind)
		if _, throttled := err.(*throttledError); throttled {
			status = http.StatusTooManyRequests
		}
		return h.render(w, status, "login.html", v)
	}
	if _, err := h.startSession(w, r, u); err != nil {
		return err
	}
	http.Redirect(w, r, v.Form.Get("next"), http.StatusSeeOther)
	return nil
}

// signIn checks a username and password, throttling failures per
// username and per client address; an unknown username costs as long as
// a wrong password.
func (h *Handler) signIn(r *http.Request, username, password string) (auth.User, error) {
	if username == "" {
		return auth.User{}, apperr.Invalidf("username", "请输入用户名", "the username is required")
	}
	ukey, ipkey := "u:"+strings.ToLower(username), "ip:"+clientIP(r)
	now := h.now()
	if wait := max(h.throttle.Wait(ukey, now), h.throttle.Wait(ipkey, now)); wait > 0 {
		return auth.User{}, newThrottled(wait)
	}
	var u auth.User
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByUsername(r.Context(), username)
		return err
	})
	if err != nil && apperr.KindOf(err) != apperr.NotFound {
		return auth.User{}, err
	}
	found := err == nil
	hash := u.PasswordHash
	if !found {
		hash = h.dummyHash
	}
	ok, verr := auth.VerifyPassword(hash, password)
	if verr != nil {
		return auth.User{}, verr
	}
	if !found || !ok {
		h.throttle.Fail(ukey, now)
		h.throttle.Fail(ipkey, now)
		return auth.User{}, errBadLogin
	}
	if u.Disabled {
		return auth.User{}, apperr.Forbiddenf("账号 %s 已停用", "the account %s is disabled", u.Username)
	}
	h.throttle.Succeed(ukey)
	return u, nil
}

// logoutSubmit ends the session (as POST /api/v1/logout does) and
// returns to the sign-in page.
func (h *Handler) logoutSubmit(w http.ResponseWriter, r *http.Request) error {
	rec := &discardWriter{header: http.Header{}}
	if err := h.logout(rec, r); err != nil {
		return err
	}
	for _, c := range rec.header.Values("Set-Cookie") {
		w.Header().Add("Set-Cookie", c)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// discardWriter collects headers and drops the body, to reuse an API
// handler's effects from a page.
type discardWriter struct {
	header http.Header
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
