package web

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
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

var errBadLogin = &apperr.Error{Kind: apperr.Unauthenticated, ZH: "用户名或密码错误", EN: "wrong username or password"}

// clientIP is the address the request came from. X-Forwarded-For is not
// trusted: behind a proxy, all clients share the proxy's throttle key.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// login checks a username and password and starts a session. Failures
// are throttled per username and per client address.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := h.signIn(r, strings.TrimSpace(in.Username), in.Password)
	if err != nil {
		return err
	}
	s, err := h.startSession(w, r, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u), "expires_at": s.ExpiresAt})
	return nil
}

// startSession opens a session for u, records the sign-in in the audit
// log and sets the session cookie. The API and the sign-in page share it.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u auth.User) (auth.Session, error) {
	token, tokenHash, err := auth.NewSessionToken()
	if err != nil {
		return auth.Session{}, err
	}
	now := h.now()
	s := auth.Session{TokenHash: tokenHash, UserID: u.ID, CreatedAt: now, ExpiresAt: h.cfg.Session.Expiry(now, now), UserAgent: truncate(r.UserAgent(), 200)}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		if err := tx.CreateSession(r.Context(), s); err != nil {
			return err
		}
		return tx.Audit(r.Context(), audit.Entry{UserID: u.ID, Username: u.Username, Action: "user.login",
			Entity: "user", EntityID: strconv.FormatInt(u.ID, 10), Region: string(u.Region),
			After: audit.JSON(map[string]string{"ip": clientIP(r)})})
	})
	if err != nil {
		return auth.Session{}, err
	}
	h.setSessionCookie(w, r, token, int(h.cfg.Session.Absolute/time.Second))
	return s, nil
}

func (h *Handler) setSessionCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: auth.SessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || h.cfg.SecureCookies,
	})
}

// logout ends the request's session, if any, and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(auth.SessionCookie); err == nil && c.Value != "" {
		hash := auth.HashToken(c.Value)
		err := h.db.Update(r.Context(), func(tx *store.Tx) error {
			s, u, err := tx.Session(r.Context(), hash)
			if apperr.KindOf(err) == apperr.Unauthenticated {
				return nil
			}
			if err != nil {
				return err
			}
			if err := tx.DeleteSession(r.Context(), s.TokenHash); err != nil {
				return err
			}
			return tx.Audit(r.Context(), audit.Entry{UserID: u.ID, Username: u.Username, Action: "user.logout",
				Entity: "user", EntityID: strconv.FormatInt(u.ID, 10), Region: string(u.Region)})
		})
		if err != nil {
			return err
		}
	}
	h.setSessionCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me returns the signed-in user and what their role may do.
func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	var u auth.User
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByID(r.Context(), "", a.UserID)
		return err
	})
	if err != nil {
		return err
	}
	perms := []auth.Permission{}
	for _, p := range auth.Permissions {
		if auth.Can(a, p) {
			perms = append(perms, p)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"user": toUserJSON(u), "region_name": h.tree.FullName(u.Region), "permissions": perms,
	})
	return nil
}

// changeOwnPassword changes the signed-in user's password, given the
// current one. All the user's sessions end, this one included.
func (h *Handler) changeOwnPassword(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	var in struct {
		OldPassword string `json:"old_password"`
		Password    string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var u auth.User
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByID(r.Context(), "", a.UserID)
		return err
	})
	if err != nil {
		return err
	}
	if ok, err := auth.VerifyPassword(u.PasswordHash, in.OldPassword); err != nil || !ok {
		return apperr.Invalidf("old_password", "原密码错误", "the current password is wrong")
	}
	if err := auth.CheckPassword(in.Password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(in.Password, h.cfg.Password)
	if err != nil {
		return err
	}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		return auth.ResetPassword(r.Context(), tx, a, a.UserID, hash)
	})
	if err != nil {
		return err
	}
	h.setSessionCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
