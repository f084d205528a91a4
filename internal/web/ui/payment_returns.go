package ui

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/web"
)

// batchReturnsSubmit takes a bank's return file for a batch. It first
// shows a preview: every problem of the file with its row and column, or
// what would be recorded. Nothing is recorded until the preview is
// confirmed, and then the file is checked again in the recording
// transaction. The file travels with the confirmation, so no upload is
// kept on the server.
func (h *Handler) batchReturnsSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	// The file is read only for a caller who may record it.
	t := app.Target{Entity: "payment_batch", ID: strconv.FormatInt(id, 10), Region: region.Code(county)}
	if err := web.Require(h.app, r, auth.PermPaymentManage, t); err != nil {
		return err
	}
	v := h.newView(w, r, "pay_batch_title")
	data := map[string]any{}
	v.Data = data
	fail := func(err error, status int) error {
		if !formError(v, err) {
			return err
		}
		data["ReturnFailed"] = true
		if derr := h.batchData(r, v, county, id); derr != nil {
			return derr
		}
		return h.render(w, status, "pay_batch.html", v)
	}
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return fail(err, http.StatusBadRequest)
	}
	content := up.File
	if enc := up.Fields.Get("content"); enc != "" {
		if content, err = base64.StdEncoding.DecodeString(enc); err != nil || int64(len(content)) > web.MaxUpload {
			return apperr.Invalidf("content", "文件内容无效", "invalid file content")
		}
	} else if len(content) == 0 {
		return fail(invalid("file", "请选择银行回盘文件", "choose the bank's return file"), http.StatusBadRequest)
	}
	v.Form.Set("encoding", up.Fields.Get("encoding"))
	src, err := sheet.Open(bytes.NewReader(content), v.F("encoding"))
	if err != nil {
		return fail(err, http.StatusBadRequest)
	}
	rows, err := payment.ParseReturns(src)
	if err != nil {
		return fail(err, http.StatusUnprocessableEntity)
	}
	if up.Fields.Get("confirm") == "1" {
		if _, err := h.app.Reconcile(r.Context(), web.Actor(r), county, id, rows); err != nil {
			return fail(err, http.StatusUnprocessableEntity)
		}
		redirectDone(w, r, payPath("batches", county, id), "reconciled")
		return nil
	}
	res, err := h.app.PreviewReturns(r.Context(), web.Actor(r), county, id, rows)
	if err != nil {
		return fail(err, http.StatusUnprocessableEntity)
	}
	data["Preview"] = res
	data["Content"] = base64.StdEncoding.EncodeToString(content)
	if err := h.batchData(r, v, county, id); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_batch.html", v)
}
