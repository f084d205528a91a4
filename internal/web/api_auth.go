package web

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
)

// userJSON is a user as the API shows it.
type userJSON struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Name      string    `json:"name"`
	Role      auth.Role `json:"role"`
	RoleName  string    `json:"role_name"`
	Region    string    `json:"region"`
	Disabled  bool      `json:"disabled"`
	Person    string    `json:"person,omitempty"` // a citizen's own person, COUNTY/ID
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toUserJSON(u auth.User) userJSON {
	person := ""
	if u.PersonID != 0 {
		person = u.PersonCounty + "/" + strconv.FormatInt(u.PersonID, 10)
	}
	return userJSON{u.ID, u.Username, u.Name, u.Role, u.Role.Chinese(), string(u.Region), u.Disabled, person, u.CreatedAt, u.UpdatedAt}
}

// clientIP is the address the request came from. X-Forwarded-For is not
// trusted: behind a proxy, all clients share the proxy's throttle key.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login checks a username and password and starts a session (app.SignIn:
// throttled per username and per client address).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := h.signIn(w, r, in.Username, in.Password)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(s.User), "expires_at": s.ExpiresAt})
	return nil
}

// signIn signs in with the request's address and user agent and sets the
// session cookie. The API and the sign-in page share it.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, username, password string) (*app.SignedIn, error) {
	s, err := h.app.SignIn(r.Context(), app.Credentials{Username: username, Password: password, Addr: clientIP(r), UserAgent: r.UserAgent()})
	if err != nil {
		return nil, err
	}
	h.setSessionCookie(w, r, s.Token, int(s.Lifetime/time.Second))
	return s, nil
}

func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: auth.SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || h.cfg.SecureCookies,
	})
}

// sessionToken is the request's session cookie, or "".
func sessionToken(r *http.Request) string {
	if c, err := r.Cookie(auth.SessionCookie); err == nil {
		return c.Value
	}
	return ""
}

// logout ends the request's session, if any, and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.SignOut(r.Context(), sessionToken(r)); err != nil {
		return err
	}
	h.setSessionCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me returns the signed-in user and what their role may do.
func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	p, err := h.app.Me(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user": toUserJSON(p.User), "region_name": p.RegionName, "permissions": p.Permissions,
	})
	return nil
}

// changeOwnPassword changes the signed-in user's password, given the
// current one. All the user's sessions end, this one included.
func (h *Handler) changeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OldPassword string `json:"old_password"`
		Password    string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	err := h.app.ChangeOwnPassword(r.Context(), actor(r), app.PasswordChange{Old: in.OldPassword, New: in.Password, Addr: clientIP(r)})
	if err != nil {
		return err
	}
	h.setSessionCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
