package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// auditPage lists the audit trail of the actor's county chain (or the
// county named by ?county=), newest first, within the actor's scope, as
// GET /api/v1/audit does. Paging is by sequence number (keyset), so a
// page costs the same however long the log is.
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermAuditRead, target{Entity: "audit"}); err != nil {
		return err
	}
	a := actor(r)
	v := h.newView(w, r, "audit.title")
	q := r.URL.Query()
	for _, k := range []string{"county", "entity", "entity_id", "user_id"} {
		v.Form.Set(k, strings.TrimSpace(q.Get(k)))
	}
	county, err := h.auditChain(r)
	if err != nil {
		if formError(v, err) {
			v.Data = map[string]any{}
			return h.render(w, http.StatusBadRequest, "audit.html", v)
		}
		return err
	}
	f := store.AuditFilter{County: county, Entity: v.F("entity"), EntityID: v.F("entity_id"), Limit: 50}
	var errs apperr.List
	if s := v.F("user_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, invalid("user_id", "用户编号须为非负整数", "the user id must be a non-negative whole number"))
		}
		f.UserID = n
	}
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, invalid("before", "页码无效", "invalid page"))
		}
		f.BeforeSeq = n
	}
	data := map[string]any{"County": county}
	v.Data = data
	if len(errs) > 0 {
		formError(v, errs)
		return h.render(w, http.StatusBadRequest, "audit.html", v)
	}
	var entries []audit.Entry
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		entries, err = tx.AuditEntries(r.Context(), a.Scope, f)
		return err
	})
	if err != nil {
		return err
	}
	data["Entries"] = entries
	if len(entries) == f.Limit {
		nq := r.URL.Query()
		nq.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		data["Older"] = "/audit?" + nq.Encode()
	}
	if f.BeforeSeq > 0 {
		nq := r.URL.Query()
		nq.Del("before")
		data["Newest"] = "/audit?" + nq.Encode()
	}
	if q.Get("verify") == "1" {
		if err := h.require(r, auth.PermAuditVerify, target{Entity: "audit"}); err != nil {
			return err
		}
		ver, err := h.db.VerifyAudit(r.Context(), &county)
		if err != nil {
			return err
		}
		data["Verified"] = ver
	}
	data["CanVerify"] = auth.Can(a, auth.PermAuditVerify)
	return h.render(w, http.StatusOK, "audit.html", v)
}

// usersPage lists the users within the administrator's scope.
func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user"}); err != nil {
		return err
	}
	v := h.newView(w, r, "users.title")
	if err := h.usersData(r, v); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "users.html", v)
}

// usersData lists a page of the users within the administrator's scope.
func (h *Handler) usersData(r *http.Request, v *view) error {
	a := actor(r)
	q := r.URL.Query()
	f := store.UserFilter{IncludeDisabled: q.Get("disabled") == "1", Limit: pageSize + 1}
	v.Form.Set("role", q.Get("role"))
	v.Form.Set("disabled", q.Get("disabled"))
	if s := q.Get("role"); s != "" {
		role, err := auth.ParseRole(s)
		if err != nil {
			return err
		}
		f.Role = role
	}
	page, offset := pageOf(r)
	f.Offset = offset
	var users []auth.User
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		users, err = tx.Users(r.Context(), a.Scope, f)
		return err
	})
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

// userPasswordSubmit sets a new password for a user (auth.ResetPassword,
// as POST /api/v1/users/{id}/password). A bad password is shown next to
// the user's password field.
func (h *Handler) userPasswordSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user", EntityID: strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	password := r.PostFormValue("password")
	err = auth.CheckPassword(password)
	if err == nil {
		var hash string
		if hash, err = auth.HashPassword(password, h.cfg.Password); err != nil {
			return err
		}
		err = h.db.Update(r.Context(), func(tx *store.Tx) error {
			return auth.ResetPassword(r.Context(), tx, actor(r), id, hash)
		})
	}
	if err != nil {
		v := h.newView(w, r, "users.title")
		field := "password-" + strconv.FormatInt(id, 10)
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
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user"}); err != nil {
		return err
	}
	v := h.newView(w, r, "user_new.title")
	v.Data = map[string]any{"Roles": auth.Roles, "Root": string(actor(r).Scope)}
	return h.render(w, http.StatusOK, "user_new.html", v)
}

// userNewSubmit creates a user with auth.CreateUser, as POST /api/v1/users.
func (h *Handler) userNewSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user"}); err != nil {
		return err
	}
	a := actor(r)
	v := h.newView(w, r, "user_new.title")
	v.Data = map[string]any{"Roles": auth.Roles, "Root": string(a.Scope)}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	for _, f := range []string{"username", "name", "role", "region", "person"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	u, err := auth.NewUser{Username: v.F("username"), Name: v.F("name"), Role: auth.Role(v.F("role")),
		Region: region.Code(v.F("region")), Password: r.PostFormValue("password"), Person: v.F("person")}.Build(h.tree, h.cfg.Password)
	if err == nil {
		err = h.db.Update(r.Context(), func(tx *store.Tx) error {
			var err error
			u, err = auth.CreateUser(r.Context(), tx, a, u)
			return err
		})
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		return h.render(w, http.StatusUnprocessableEntity, "user_new.html", v)
	}
	redirectDone(w, r, "/users", "user_created")
	return nil
}

// userActionSubmit disables or enables a user (auth.SetDisabled).
func (h *Handler) userActionSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.require(r, auth.PermUsersManage, target{Entity: "user", EntityID: strconv.FormatInt(id, 10)}); err != nil {
		return err
	}
	var disable bool
	switch r.PathValue("action") {
	case "disable":
		disable = true
	case "enable":
	default:
		return h.pageNotFound(w, r)
	}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		_, err := auth.SetDisabled(r.Context(), tx, actor(r), id, disable)
		return err
	})
	if err != nil {
		return err
	}
	redirectDone(w, r, "/users?disabled=1", "user_"+r.PathValue("action")+"d")
	return nil
}
