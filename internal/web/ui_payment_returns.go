package web

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// batchReturnsSubmit takes a bank's return file for a batch. It first
// shows a preview: every problem of the file with its row and column, or
// what would be recorded. Nothing is recorded until the preview is
// confirmed, and then the file is checked again in the recording
// transaction. The file travels with the confirmation, so no upload is
// kept on the server.
func (h *Handler) batchReturnsSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payKey(r)
	if err != nil {
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
	r.Body = http.MaxBytesReader(w, r.Body, maxReturnFile*2)
	if err := r.ParseMultipartForm(maxReturnFile * 2); err != nil {
		return fail(invalid("file", "文件过大或上传失败（最大 32MB）", "the file is too large or the upload failed (at most 32 MB)"), http.StatusBadRequest)
	}
	var content []byte
	if enc := r.PostFormValue("content"); enc != "" {
		if content, err = base64.StdEncoding.DecodeString(enc); err != nil {
			return apperr.Invalidf("content", "文件内容无效", "invalid file content")
		}
	} else {
		f, _, err := r.FormFile("file")
		if err != nil {
			return fail(invalid("file", "请选择银行回盘文件", "choose the bank's return file"), http.StatusBadRequest)
		}
		defer f.Close()
		if content, err = io.ReadAll(io.LimitReader(f, maxReturnFile+1)); err != nil {
			return err
		}
	}
	if len(content) > maxReturnFile {
		return fail(invalid("file", "文件过大（最大 32MB）", "the file is too large (at most 32 MB)"), http.StatusBadRequest)
	}
	v.Form.Set("encoding", r.PostFormValue("encoding"))
	src, err := sheet.Open(bytes.NewReader(content), v.F("encoding"))
	if err != nil {
		return fail(err, http.StatusBadRequest)
	}
	rows, err := payment.ParseReturns(src)
	if err != nil {
		return fail(err, http.StatusUnprocessableEntity)
	}
	if r.PostFormValue("confirm") == "1" {
		if _, err := h.app.Reconcile(r.Context(), actor(r), county, id, rows); err != nil {
			return fail(err, http.StatusUnprocessableEntity)
		}
		redirectDone(w, r, payPath("batches", county, id), "reconciled")
		return nil
	}
	res, err := h.app.PreviewReturns(r.Context(), actor(r), county, id, rows)
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
