package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/store"
)

// auditChain picks the audit chain a request reads: the county named by
// ?county= (which must lie within the actor's scope), the actor's own
// county when the scope is a county or below, and otherwise the
// system-wide chain "" (users, sign-ins, refusals above county level).
func (h *Handler) auditChain(r *http.Request) (string, error) {
	a := actor(r)
	if s := r.URL.Query().Get("county"); s != "" {
		c, err := parseRegion("county", s)
		if err != nil {
			return "", err
		}
		if c.Level() != region.County && c.Level() != region.Prefecture {
			return "", apperr.Invalidf("county", "%s 不是县级区划", "%s is not a county", c)
		}
		if err := h.inScope(r, c, target{Entity: "audit"}); err != nil {
			return "", err
		}
		return string(c), nil
	}
	return string(h.tree.County(a.Scope)), nil
}

// listAudit returns audit entries of one chain, newest first, keeping only
// those whose region lies within the actor's scope (the store applies the
// scope, so a page is full whenever enough entries match).
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermAuditRead, target{Entity: "audit"}); err != nil {
		return err
	}
	county, err := h.auditChain(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.AuditFilter{County: county, Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Limit: 100}
	if err := auditPaging(q, &f); err != nil {
		return err
	}
	if s := q.Get("user_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return apperr.Invalidf("user_id", "须为非负整数", "must be a non-negative integer")
		}
		f.UserID = n
	}
	entries := []audit.Entry{}
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		es, err := tx.AuditEntries(r.Context(), actor(r).Scope, f)
		entries = append(entries, es...)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"county": county, "entries": entries})
	return nil
}

// auditPaging reads the paging parameters limit (1–1000) and before_seq
// into f.
func auditPaging(q url.Values, f *store.AuditFilter) error {
	if s := q.Get("before_seq"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return apperr.Invalidf("before_seq", "须为非负整数", "must be a non-negative integer")
		}
		f.BeforeSeq = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return apperr.Invalidf("limit", "limit 须为1至1000", "limit must be between 1 and 1000")
		}
		f.Limit = n
	}
	return nil
}

// verifyAudit checks the hash chain the request names (as for listAudit);
// an administrator or supervisor of the whole country checks every chain.
func (h *Handler) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermAuditVerify, target{Entity: "audit"}); err != nil {
		return err
	}
	var chain *string
	if actor(r).Scope != "" || r.URL.Query().Get("county") != "" {
		c, err := h.auditChain(r)
		if err != nil {
			return err
		}
		chain = &c
	}
	v, err := h.db.VerifyAudit(r.Context(), chain)
	if err != nil {
		return err
	}
	problems := make([]map[string]any, len(v.Problems))
	for i, p := range v.Problems {
		problems[i] = map[string]any{"county": p.County, "seq": p.Seq, "reason": p.Reason}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": len(v.Problems) == 0, "checked": v.Checked, "problems": problems})
	return nil
}
