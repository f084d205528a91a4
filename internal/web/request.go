package web

import (
	"net"
	"net/http"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
)

// The request's actor and session: both doors resolve the session cookie
// the same way, and sign in and out with the same cookie.

// Authenticate returns the actor of the request's session cookie
// (app.Authenticate, which also keeps the session alive).
func Authenticate(a *app.App, r *http.Request) (auth.Actor, error) {
	return a.Authenticate(r.Context(), SessionToken(r))
}

// WithActor returns r carrying the signed-in actor, whom the request log
// (Observe) names too.
func WithActor(r *http.Request, a auth.Actor) *http.Request {
	if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		info.userID = a.UserID
	}
	return r.WithContext(auth.WithActor(r.Context(), a))
}

// WithDoor returns r carrying where the call came from — the door ("api"
// or "ui") and the route pattern — for the audit entry of a refusal.
func WithDoor(r *http.Request, door, pattern string) *http.Request {
	return r.WithContext(app.WithRequest(r.Context(), app.Request{Door: door, Method: r.Method, Route: pattern}))
}

// Actor returns the request's actor; routes marked SignedIn always have
// one.
func Actor(r *http.Request) auth.Actor {
	a, _ := auth.ActorFrom(r.Context())
	return a
}

// SessionToken is the request's session cookie, or "".
func SessionToken(r *http.Request) string {
	if c, err := r.Cookie(auth.SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// SetSessionCookie sets the session cookie to token for maxAge seconds;
// an empty token with a negative maxAge clears it.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, cfg Config, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: auth.SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || cfg.SecureCookies,
	})
}

// SignIn signs in with the request's address and user agent (app.SignIn:
// throttled per username and per client address) and sets the session
// cookie. The API and the sign-in page share it.
func SignIn(a *app.App, cfg Config, w http.ResponseWriter, r *http.Request, username, password string) (*app.SignedIn, error) {
	s, err := a.SignIn(r.Context(), app.Credentials{Username: username, Password: password, Addr: ClientIP(r), UserAgent: r.UserAgent()})
	if err != nil {
		return nil, err
	}
	SetSessionCookie(w, r, cfg, s.Token, int(s.Lifetime/time.Second))
	return s, nil
}

// SignOut ends the request's session, if any, and clears the cookie.
func SignOut(a *app.App, cfg Config, w http.ResponseWriter, r *http.Request) error {
	if err := a.SignOut(r.Context(), SessionToken(r)); err != nil {
		return err
	}
	SetSessionCookie(w, r, cfg, "", -1)
	return nil
}

// ClientIP is the address the request came from. X-Forwarded-For is not
// trusted: behind a proxy, all clients share the proxy's throttle key.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
