package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// auditTrailExport writes the audit trail the audit page lists with its
// filter (chain, object type, object id, user), newest first from the
// newest entry, the changes with ID numbers masked as the page shows them.
func (h *Handler) auditTrailExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	aq, err := web.AuditQuery(q)
	if err != nil {
		return err
	}
	aq.Entity, aq.EntityID, aq.User = strings.TrimSpace(aq.Entity), strings.TrimSpace(aq.EntityID), strings.TrimSpace(aq.User)
	x, err := h.newListExport(w, r, exportSpec{
		Title: "审计日志", Sheet: "审计日志",
		Header: []string{"序号", "时间", "用户编号", "用户", "操作", "操作代码", "对象类型", "对象编号", "区划代码", "变更前", "变更后"},
		Widths: []float64{8, 18, 8, 12, 16, 22, 12, 14, 14, 60, 60},
		Action: "audit.export", Entity: "audit",
	})
	if err != nil {
		return err
	}
	county, err := h.app.EachAuditEntry(r.Context(), web.Actor(r), aq, func(e audit.Entry) error {
		user := ""
		if e.UserID != 0 {
			user = strconv.FormatInt(e.UserID, 10)
		}
		return x.write(strconv.FormatInt(e.Seq, 10), e.At.In(date.Beijing).Format("2006-01-02 15:04:05"), user, e.Username,
			h.zhText("action."+e.Action, e.Action), e.Action, h.zhText("entity."+e.Entity, e.Entity), e.EntityID, e.Region,
			web.RedactIDs(e.Before), web.RedactIDs(e.After))
	})
	x.spec.File, x.spec.Region = "audit", region.Code(county)
	if county != "" {
		x.spec.File += "-" + county
	}
	x.spec.Filter = map[string]string{"county": county, "entity": aq.Entity, "entity_id": aq.EntityID, "user": aq.User, "user_id": q.Get("user_id")}
	return x.finish(err)
}
