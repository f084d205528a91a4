package web

import (
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/store"
)

// listUsers lists the users within the administrator's scope.
func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user"}); err != nil {
		return err
	}
	a := actor(r)
	q := r.URL.Query()
	f := store.UserFilter{IncludeDisabled: q.Get("disabled") == "1" || q.Get("disabled") == "true"}
	if q.Get("role") != "" {
		role, err := auth.ParseRole(q.Get("role"))
		if err != nil {
			return err
		}
		f.Role = role
	}
	var users []auth.User
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		users, err = tx.Users(r.Context(), a.Scope, f)
		return err
	})
	if err != nil {
		return err
	}
	out := make([]userJSON, len(users))
	for i, u := range users {
		out[i] = toUserJSON(u)
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
	return nil
}

// createUser creates a user; the administrator's scope must contain the
// new user's region.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user"}); err != nil {
		return err
	}
	var in auth.NewUser
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	u, err := in.Build(h.tree, h.cfg.Password)
	if err != nil {
		return err
	}
	if err := h.inScope(r, u.Region, target{Entity: "user"}); err != nil {
		return err
	}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		u, err = auth.CreateUser(r.Context(), tx, actor(r), u)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user": toUserJSON(u)})
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user", EntityID: strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	var u auth.User
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		u, err = tx.UserByID(r.Context(), actor(r).Scope, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

func (h *Handler) disableUser(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, true)
}
func (h *Handler) enableUser(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, false)
}

func (h *Handler) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user", EntityID: strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	var u auth.User
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		u, err = auth.SetDisabled(r.Context(), tx, actor(r), id, disabled)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUserJSON(u)})
	return nil
}

// resetPassword sets another user's password (administrators only).
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user", EntityID: strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := auth.CheckPassword(in.Password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(in.Password, h.cfg.Password)
	if err != nil {
		return err
	}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		return auth.ResetPassword(r.Context(), tx, actor(r), id, hash)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
