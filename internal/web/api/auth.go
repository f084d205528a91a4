package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/web"
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

// login checks a username and password and starts a session (app.SignIn:
// throttled per username and per client address).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := web.SignIn(h.app, h.cfg, w, r, in.Username, in.Password)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(s.User), "expires_at": s.ExpiresAt})
	return nil
}

// logout ends the request's session, if any, and clears the cookie.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := web.SignOut(h.app, h.cfg, w, r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// me returns the signed-in user and what their role may do.
func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	p, err := h.app.Me(r.Context(), web.Actor(r))
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{
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
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	err := h.app.ChangeOwnPassword(r.Context(), web.Actor(r), app.PasswordChange{Old: in.OldPassword, New: in.Password, Addr: web.ClientIP(r)})
	if err != nil {
		return err
	}
	web.SetSessionCookie(w, r, h.cfg, "", -1)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
