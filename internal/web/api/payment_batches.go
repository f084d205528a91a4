package api

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/web"
)

// createBatches is POST /api/v1/payment-cycles/{county}/{id}/batches: put
// the cycle's pending lines into one batch per bank.
func (h *Handler) createBatches(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	run, err := h.app.GenerateBatches(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, batchRunJSON(run))
	return nil
}

func batchRunJSON(run *payment.BatchRun) map[string]any {
	bs := make([]payment.Batch, len(run.Batches))
	for i, b := range run.Batches {
		bs[i] = web.MaskBatch(b)
	}
	return map[string]any{"batches": bs, "held": nonNil(run.Held), "no_account": nonNil(run.NoAccount)}
}

// listBatches is GET /api/v1/batches?county=&cycle=&status=.
func (h *Handler) listBatches(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	f, err := web.BatchFilter(r)
	if err != nil {
		return err
	}
	bs, err := h.app.Batches(r.Context(), web.Actor(r), county, f)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"batches": nonNil(bs)})
	return nil
}

// getBatch is GET /api/v1/batches/{county}/{id}: a batch with its items.
func (h *Handler) getBatch(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	b, err := h.app.Batch(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"batch": web.MaskBatch(*b)})
	return nil
}

// approveBatch is POST /api/v1/batches/{county}/{id}/approve with the
// count and total the approver checked.
func (h *Handler) approveBatch(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in payment.Approval
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := h.app.ApproveBatch(r.Context(), web.Actor(r), county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"batch": web.MaskBatch(*b)})
	return nil
}

// recallBatch is POST /api/v1/batches/{county}/{id}/recall with the
// reason: a released batch is taken back before the bank confirmed
// anything, and its lines are pending again.
func (h *Handler) recallBatch(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	b, err := h.app.RecallBatch(r.Context(), web.Actor(r), county, id, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"batch": web.MaskBatch(*b)})
	return nil
}

// batchFile is GET /api/v1/batches/{county}/{id}/file?format=csv|xlsx&encoding=utf8|gbk.
func (h *Handler) batchFile(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	return web.ServeBankFile(h.app, w, r, county, id)
}

// batchReturns is POST /api/v1/batches/{county}/{id}/returns?format=&encoding=:
// the body is the bank's return file.
func (h *Handler) batchReturns(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	// The file is read only for a caller who may record it.
	t := app.Target{Entity: "payment_batch", ID: strconv.FormatInt(id, 10), Region: region.Code(county)}
	if err := web.Require(h.app, r, auth.PermPaymentManage, t); err != nil {
		return err
	}
	up, err := web.ReadUpload(w, r)
	if err != nil {
		return err
	}
	data := up.File
	q := r.URL.Query()
	if _, err := sheet.ParseFormat(q.Get("format")); err != nil { // the file's content tells its format
		return err
	}
	src, err := sheet.Open(bytes.NewReader(data), q.Get("encoding"))
	if err != nil {
		return err
	}
	rows, err := payment.ParseReturns(src)
	if err != nil {
		return err
	}
	res, err := h.app.Reconcile(r.Context(), web.Actor(r), county, id, rows)
	if err != nil {
		return err
	}
	b := web.MaskBatch(*res.Batch)
	res.Batch = &b
	web.WriteJSON(w, http.StatusOK, res)
	return nil
}

// listRetries is GET /api/v1/retries?county=: failed lines and whether
// their account has been fixed.
func (h *Handler) listRetries(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	rs, err := h.app.Retries(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i] = web.MaskRetry(rs[i])
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"retries": nonNil(rs)})
	return nil
}

// createRetryBatches is POST /api/v1/retries/{county}/batches.
func (h *Handler) createRetryBatches(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	run, err := h.app.GenerateRetryBatches(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, batchRunJSON(run))
	return nil
}
