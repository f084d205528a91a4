package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
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
	data["County"], data["Entries"], data["Names"] = p.County, p.Entries, p.Names
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
