package api

import (
	"net/http"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/web"
)

// listUsers lists the users within the administrator's scope.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	uq := app.UserQuery{IncludeDisabled: q.Get("disabled") == "1" || q.Get("disabled") == "true"}
	if q.Get("role") != "" {
		role, err := auth.ParseRole(q.Get("role"))
		if err != nil {
			return err
		}
		uq.Role = role
	}
	users, err := h.app.Users(r.Context(), web.Actor(r), uq)
	if err != nil {
		return err
	}
	out := make([]userJSON, len(users))
	for i, u := range users {
		out[i] = toUserJSON(u)
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

// createUser creates a user; the administrator's scope must contain the
// new user's region.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var in auth.NewUser
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := h.app.CreateUser(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"user": toUserJSON(u)})
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	ref, err := web.UserRef(r)
	if err != nil {
		return err
	}
	u, err := h.app.User(r.Context(), web.Actor(r), ref)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

func (h *Handler) disableUser(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, true)
}
func (h *Handler) enableUser(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, false)
}

func (h *Handler) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	ref, err := web.UserRef(r)
	if err != nil {
		return err
	}
	u, err := h.app.SetUserDisabled(r.Context(), web.Actor(r), ref, disabled)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

// resetPassword sets another user's password (administrators only).
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	ref, err := web.UserRef(r)
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.app.ResetPassword(r.Context(), web.Actor(r), ref, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
