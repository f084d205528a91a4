package ui

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/web"
	"github.com/jiahe-project/jiahe/internal/web/oidc"
)

// Citizens' sign-in through the province's unified identity service
// (OpenID Connect, package oidc): /login/oidc sends the browser to the
// provider with a fresh state and nonce kept in a short-lived cookie; the
// provider sends it back to /login/oidc/callback with a code, which is
// exchanged and its ID token verified; the ID number it vouches for finds
// the citizen's account (app.SignInVerified), and the session starts as
// with a password.

// oidcCookie keeps the state and nonce of a sign-in under way.
const oidcCookie = "jiahe_oidc"

var errNoOIDC = apperr.NotFoundf("未配置统一身份认证", "no unified identity service is configured")

// oidcRedirect is the callback's address on the site the request came to.
func (h *Handler) oidcRedirect(r *http.Request) string {
	return web.SiteURL(r, h.cfg) + "/login/oidc/callback"
}

// oidcStart sends the browser to the identity service.
func (h *Handler) oidcStart(w http.ResponseWriter, r *http.Request) error {
	if h.oidc == nil {
		return errNoOIDC
	}
	state, nonce, err := oidc.NewState()
	if err != nil {
		return err
	}
	to, err := h.oidc.AuthURL(r.Context(), h.oidcRedirect(r), state, nonce)
	if err != nil {
		h.log.ErrorContext(r.Context(), "oidc", "err", err)
		return apperr.New(apperr.Unavailable, "统一身份认证暂时无法访问，请稍后再试或使用密码登录", "the unified identity service cannot be reached: try later or sign in with your password")
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce, Path: "/login/oidc", MaxAge: int((10 * time.Minute).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || h.cfg.SecureCookies})
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// oidcCallback ends the sign-in: the state must be the one sent, the ID
// token must verify, and an account must be linked to the person.
func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if h.oidc == nil {
		return errNoOIDC
	}
	bad := apperr.New(apperr.Unauthenticated, "统一身份认证登录未完成，请重新登录", "the sign-in through the unified identity service did not complete: sign in again")
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return bad
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/login/oidc", MaxAge: -1, HttpOnly: true})
	state, nonce, ok := strings.Cut(c.Value, ".")
	q := r.URL.Query()
	if !ok || state == "" || q.Get("state") != state || q.Get("code") == "" {
		return bad
	}
	id, err := h.oidc.Exchange(r.Context(), h.oidcRedirect(r), q.Get("code"), nonce)
	if errors.Is(err, oidc.ErrToken) {
		h.log.WarnContext(r.Context(), "oidc sign-in refused", "err", err)
		return bad
	}
	if err != nil {
		return err
	}
	s, err := h.app.SignInVerified(r.Context(), app.Identity{Issuer: id.Issuer, Subject: id.Subject, IDNumber: id.IDNumber},
		app.Credentials{Addr: web.ClientIP(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	web.SetSessionCookie(w, r, h.cfg, s.Token, int(s.Lifetime/time.Second))
	http.Redirect(w, r, "/self", http.StatusSeeOther)
	return nil
}
