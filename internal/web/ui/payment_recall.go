package ui

import (
	"net/http"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/web"
)

// batchRecallSubmit takes back a released batch before the bank has
// confirmed anything, with the reason the finance officer gives; its lines
// are pending again.
func (h *Handler) batchRecallSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "pay_batch_title")
	v.Form.Set("reason", strings.TrimSpace(r.PostFormValue("reason")))
	if _, err := h.app.RecallBatch(r.Context(), web.Actor(r), county, id, v.F("reason")); err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.batchData(r, v, county, id); derr != nil {
			return derr
		}
		v.Data.(map[string]any)["RecallFailed"] = true
		return h.render(w, http.StatusUnprocessableEntity, "pay_batch.html", v)
	}
	redirectDone(w, r, payPath("batches", county, id), "batch_recalled")
	return nil
}
