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

// auditPage lists the audit trail of the actor's county chain (or the
// county named by ?county=), newest first, within the actor's scope, as
// GET /api/v1/audit does; ?user= takes a username or a user id. Paging is
// by sequence number (keyset), so a page costs the same however long the
// log is.
func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Require(h.app, r, auth.PermAuditRead, app.Target{Entity: "audit"}); err != nil {
		return err
	}
	v := h.newView(w, r, "audit.title")
	q := r.URL.Query()
	for _, k := range []string{"county", "entity", "entity_id", "user", "user_id"} {
		v.Form.Set(k, strings.TrimSpace(q.Get(k)))
	}
	aq, errs := auditPageQuery(v)
	aq.Limit, aq.Verify = 50, q.Get("verify") == "1"
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, invalid("before", "页码无效", "invalid page"))
		}
		aq.BeforeSeq = n
	}
	data := map[string]any{"Entities": auditEntities, "CanVerify": auth.Can(web.Actor(r), auth.PermAuditVerify)}
	v.Data = data
	if len(errs) > 0 {
		formError(v, errs)
		return h.render(w, http.StatusBadRequest, "audit.html", v)
	}
	p, err := h.app.AuditEntries(r.Context(), web.Actor(r), aq)
	if err != nil {
		if formError(v, err) {
			return h.render(w, http.StatusBadRequest, "audit.html", v)
		}
		return err
	}
	data["County"], data["Entries"] = p.County, p.Entries
	if p.Verified != nil {
		data["Verified"] = p.Verified
	}
	if len(p.Entries) == aq.Limit {
		nq := r.URL.Query()
		nq.Set("before", strconv.FormatInt(p.Entries[len(p.Entries)-1].Seq, 10))
		data["Older"] = "/audit?" + nq.Encode()
	}
	if aq.BeforeSeq > 0 {
		nq := r.URL.Query()
		nq.Del("before")
		data["Newest"] = "/audit?" + nq.Encode()
	}
	return h.render(w, http.StatusOK, "audit.html", v)
}

// auditEntities are the object types the audit page filters by.
var auditEntities = []string{"person", "marriage", "parent_child", "user", "case", "recipient", "annual_review",
	"payment_cycle", "payment_batch", "payment_line", "payment_params", "policy_layer", "rules"}

// auditPageQuery reads the audit page's filter from v's form: the chain,
// the object, and the user, by username or id (user_id, of older links,
// by id only).
func auditPageQuery(v *view) (app.AuditQuery, apperr.List) {
	aq := app.AuditQuery{County: v.F("county"), Entity: v.F("entity"), EntityID: v.F("entity_id"), User: v.F("user")}
	var errs apperr.List
	if s := v.F("user_id"); s != "" && aq.User == "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			errs = append(errs, invalid("user", "用户编号须为非负整数", "the user id must be a non-negative whole number"))
		}
		aq.UserID = n
		v.Form.Set("user", s)
	}
	return aq, errs
}

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
