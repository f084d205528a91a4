package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/web"
)

// batchesPage lists the county's batches: one per bank, with its count,
// total and state.
func (h *Handler) batchesPage(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	f, err := web.BatchFilter(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_batches_title")
	v.Form.Set("status", f.Status)
	bs, err := h.app.Batches(r.Context(), web.Actor(r), county, f)
	if err != nil {
		return err
	}
	v.Data = map[string]any{"County": county, "Rows": bs, "Cycle": f.CycleID, "BankNames": bankNames(v.Lang), "BatchStatuses": payment.BatchStatuses}
	return h.render(w, http.StatusOK, "pay_batches.html", v)
}

// batchPage shows a batch: its items (ID and account numbers masked), the
// approval form for a finance officer other than its maker, the bank file
// and the return file once it is approved.
func (h *Handler) batchPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_batch_title")
	if err := h.batchData(r, v, county, id); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_batch.html", v)
}

func (h *Handler) batchData(r *http.Request, v *view, county string, id int64) error {
	b, err := h.app.Batch(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	masked := web.MaskBatch(*b)
	page, offset := pageOf(r)
	items := masked.Items[min(offset, len(masked.Items)):min(offset+pageSize, len(masked.Items))]
	results := map[string]int{}
	open := 0
	for _, it := range b.Items {
		results[it.Result]++
		if it.Result == "" || it.Result == payment.ResultMissing {
			open++
		}
	}
	a := web.Actor(r)
	v.Title = v.T["pay_batch_title"] + " #" + strconv.FormatInt(b.ID, 10)
	if v.Data == nil {
		v.Data = map[string]any{}
	}
	d := v.Data.(map[string]any)
	for k, x := range map[string]any{
		"B": &masked, "Key": county + "/" + strconv.FormatInt(id, 10), "Bank": bankName(b.Bank, v.Lang),
		"Items": items, "Pager": newPager(r, len(b.Items), page), "Results": results, "Open": open,
		"IsMaker":    a.UserID == b.CreatedBy,
		"CanApprove": payment.BatchCanBecome(b.Status, payment.Approved) && auth.Can(a, auth.PermPaymentApprove) && a.UserID != b.CreatedBy,
		"Released":   b.Status == payment.Approved || b.Status == payment.Reconciled,
		// A released batch may be recalled until the bank's return file
		// is recorded.
		"CanRecall": payment.BatchCanBecome(b.Status, payment.Recalled) && results[""] == len(b.Items) && auth.Can(a, auth.PermPaymentManage),
	} {
		d[k] = x
	}
	// The bank file follows the county's template for the bank.
	if d["Released"] == true && auth.Can(a, auth.PermPaymentManage) {
		vs, err := h.app.BankTemplates(r.Context(), a, county)
		if err != nil {
			return err
		}
		for _, tv := range vs {
			if tv.Bank.Code == b.Bank {
				d["Layout"], d["Templated"] = tv.Layout, tv.Template != nil
			}
		}
		d["Townships"] = h.tree.Children(region.Code(county))
	}
	return nil
}

// batchApproveSubmit releases a batch with the count and total the
// approver checked; the maker cannot approve.
func (h *Handler) batchApproveSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "pay_batch_title")
	v.Form.Set("count", strings.TrimSpace(r.PostFormValue("count")))
	v.Form.Set("total", strings.TrimSpace(r.PostFormValue("total")))
	var errs apperr.List
	count, e := formInt(r, "count", 1, 10_000_000)
	if e != nil {
		errs = append(errs, e)
	}
	total, perr := money.ParseYuan(strings.ReplaceAll(v.F("total"), ",", ""))
	if perr != nil || total <= 0 {
		errs = append(errs, invalid("total", "总金额应为元，最多两位小数", "the total must be in yuan with at most two decimals"))
	}
	if len(errs) > 0 {
		err = errs
	} else {
		_, err = h.app.ApproveBatch(r.Context(), web.Actor(r), county, id, payment.Approval{Count: count, Total: total})
	}
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.batchData(r, v, county, id); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "pay_batch.html", v)
	}
	redirectDone(w, r, payPath("batches", county, id), "batch_approved")
	return nil
}

// batchFileDownload sends the bank file of an approved batch as CSV in
// UTF-8 or GBK, or as an Excel workbook.
func (h *Handler) batchFileDownload(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	return web.ServeBankFile(h.app, w, r, county, id)
}
