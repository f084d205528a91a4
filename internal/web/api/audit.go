package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/web"
)

// listAudit returns audit entries of one chain, newest first, keeping only
// those whose region lies within the actor's scope (the store applies the
// scope, so a page is full whenever enough entries match).
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	aq, err := web.AuditQuery(q)
	if err != nil {
		return err
	}
	aq.Limit = 100
	if err := auditPaging(q, &aq.BeforeSeq, &aq.Limit); err != nil {
		return err
	}
	p, err := h.app.AuditEntries(r.Context(), web.Actor(r), aq)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"county": p.County, "entries": p.Entries})
	return nil
}

// auditPaging reads the paging parameters before_seq and limit (1–1000)
// into before and limit.
func auditPaging(q url.Values, before *int64, limit *int) error {
	if s := q.Get("before_seq"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return apperr.Invalidf("before_seq", "须为非负整数", "must be a non-negative integer")
		}
		*before = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return apperr.Invalidf("limit", "limit 须为1至1000", "limit must be between 1 and 1000")
		}
		*limit = n
	}
	return nil
}

// verifyAudit checks the hash chain the request names (as for listAudit);
// an administrator or supervisor of the whole country checks every chain.
func (h *Handler) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	v, err := h.app.VerifyAudit(r.Context(), web.Actor(r), r.URL.Query().Get("county"), true)
	if err != nil {
		return err
	}
	problems := make([]map[string]any, len(v.Problems))
	for i, p := range v.Problems {
		problems[i] = map[string]any{"county": p.County, "seq": p.Seq, "reason": p.Reason}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"ok": len(v.Problems) == 0, "checked": v.Checked, "problems": problems})
	return nil
}
