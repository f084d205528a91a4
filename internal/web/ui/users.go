package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// usersPage lists the users within the administrator's scope.
func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request) error {
	v := h.newView(w, r, "users.title")
	if err := h.usersData(r, v); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "users.html", v)
}

// usersData lists a page of the users within the administrator's scope.
func (h *Handler) usersData(r *http.Request, v *view) error {
	q := r.URL.Query()
	uq := app.UserQuery{IncludeDisabled: q.Get("disabled") == "1", Limit: pageSize + 1}
	v.Form.Set("role", q.Get("role"))
	v.Form.Set("disabled", q.Get("disabled"))
	if s := q.Get("role"); s != "" {
		role, err := auth.ParseRole(s)
		if err != nil {
			return err
		}
		uq.Role = role
	}
	page, offset := pageOf(r)
	uq.Offset = offset
	users, err := h.app.Users(r.Context(), web.Actor(r), uq)
	if err != nil {
		return err
	}
	data := map[string]any{"Roles": auth.Roles}
	if len(users) > pageSize {
		users = users[:pageSize]
		nq := r.URL.Query()
		nq.Set("page", strconv.Itoa(page+1))
		data["Next"] = "/users?" + nq.Encode()
	}
	if page > 1 {
		nq := r.URL.Query()
		nq.Set("page", strconv.Itoa(page-1))
		data["Prev"] = "/users?" + nq.Encode()
	}
	data["Users"] = users
	v.Data = data
	return nil
}

// userPasswordSubmit sets a new password for a user (app.ResetPassword,
// as POST /api/v1/users/{id}/password). A bad password is shown next to
// the user's password field.
func (h *Handler) userPasswordSubmit(w http.ResponseWriter, r *http.Request) error {
	ref, err := web.UserRef(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	if err := h.app.ResetPassword(r.Context(), web.Actor(r), ref, r.PostFormValue("password")); err != nil {
		v := h.newView(w, r, "users.title")
		field := "password-" + strconv.FormatInt(ref.ID, 10)
		if !formError(v, renameFields(err, map[string]string{"password": field})) {
			return err
		}
		v.Form.Set("open", field)
		if derr := h.usersData(r, v); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "users.html", v)
	}
	redirectDone(w, r, "/users?disabled=1", "user_password")
	return nil
}

func (h *Handler) userNewPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermUsersManage, app.Target{Entity: "user"}); err != nil {
		return err
	}
	v := h.newView(w, r, "user_new.title")
	v.Data = map[string]any{"Roles": auth.Roles, "Root": string(web.Actor(r).Scope)}
	return h.render(w, http.StatusOK, "user_new.html", v)
}

// userNewSubmit creates a user with app.CreateUser, as POST /api/v1/users.
func (h *Handler) userNewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermUsersManage, app.Target{Entity: "user"}); err != nil {
		return err
	}
	a := web.Actor(r)
	v := h.newView(w, r, "user_new.title")
	v.Data = map[string]any{"Roles": auth.Roles, "Root": string(a.Scope)}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	for _, f := range []string{"username", "name", "role", "region", "person"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	_, err := h.app.CreateUser(r.Context(), a, auth.NewUser{Username: v.F("username"), Name: v.F("name"), Role: auth.Role(v.F("role")),
		Region: region.Code(v.F("region")), Password: r.PostFormValue("password"), Person: v.F("person")})
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "user_new.html", v)
	}
	redirectDone(w, r, "/users", "user_created")
	return nil
}

// userActionSubmit disables or enables a user (app.SetUserDisabled).
func (h *Handler) userActionSubmit(w http.ResponseWriter, r *http.Request) error {
	ref, err := web.UserRef(r)
	if err != nil {
		return err
	}
	var disable bool
	switch r.PathValue("action") {
	case "disable":
		disable = true
	case "enable":
	default:
		return h.notFound(w, r)
	}
	if _, err := h.app.SetUserDisabled(r.Context(), web.Actor(r), ref, disable); err != nil {
		return err
	}
	redirectDone(w, r, "/users?disabled=1", "user_"+r.PathValue("action")+"d")
	return nil
}
