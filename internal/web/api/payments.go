package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/web"
)

// accountJSON shows an account with its number masked.
type accountJSON struct {
	payment.Account
	Number   string `json:"account_no"`
	BankName string `json:"bank_name"`
}

func toAccountJSON(a *payment.Account) accountJSON {
	b, _ := payment.BankByCode(a.Bank)
	return accountJSON{Account: *a, Number: payment.MaskAccount(a.Number), BankName: b.Name}
}

// listBanks is GET /api/v1/banks: the banks an account may be held at.
func (h *Handler) listBanks(w http.ResponseWriter, r *http.Request) error {
	web.WriteJSON(w, http.StatusOK, map[string]any{"banks": payment.Banks})
	return nil
}

// getAccount is GET /api/v1/persons/{county}/{id}/account.
func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	acc, err := h.app.Account(r.Context(), web.Actor(r), registry.Key{County: county, ID: id})
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": toAccountJSON(acc)})
	return nil
}

// putAccount is PUT /api/v1/persons/{county}/{id}/account: record or
// change a person's 一卡通 account (finance only).
func (h *Handler) putAccount(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in payment.AccountInput
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	acc, err := h.app.SetAccount(r.Context(), web.Actor(r), registry.Key{County: county, ID: id}, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"account": toAccountJSON(acc)})
	return nil
}

// holdPayment is POST /api/v1/persons/{county}/{id}/payment-hold: a
// suspected death holds the person's money until verified.
func (h *Handler) holdPayment(w http.ResponseWriter, r *http.Request) error {
	county, pid, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := h.app.HoldPayment(r.Context(), web.Actor(r), registry.Key{County: county, ID: pid}, in.Reason)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"lines_held": n})
	return nil
}

// getPaymentParams is GET /api/v1/payment-params/{county}.
func (h *Handler) getPaymentParams(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	p, err := h.app.PaymentParams(r.Context(), web.Actor(r), county)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"county": county, "params": p})
	return nil
}

// putPaymentParams is PUT /api/v1/payment-params/{county}: set some of
// the county's payment parameters (name → value).
func (h *Handler) putPaymentParams(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	var in map[string]string
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := h.app.SetPaymentParams(r.Context(), web.Actor(r), county, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"county": county, "params": p})
	return nil
}

// createCycle is POST /api/v1/payment-cycles: run a program for a period.
func (h *Handler) createCycle(w http.ResponseWriter, r *http.Request) error {
	var in payment.CycleRequest
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, lines, err := h.app.GenerateCycle(r.Context(), web.Actor(r), in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"cycle": c, "lines_by_status": linesByStatus(lines)})
	return nil
}

func linesByStatus(lines []payment.Line) map[payment.Status]int {
	byStatus := map[payment.Status]int{}
	for _, l := range lines {
		byStatus[l.Status]++
	}
	return byStatus
}

// supplementCycle is POST /api/v1/payment-cycles/{county}/{id}/supplement:
// add the lines of the persons on the roll who have none for the cycle's
// period (enrolled since it was generated).
func (h *Handler) supplementCycle(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	sup, err := h.app.SupplementCycle(r.Context(), web.Actor(r), county, id)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"cycle": sup.Cycle, "lines": sup.Lines, "lines_by_status": linesByStatus(sup.Lines)})
	return nil
}

// listCycles is GET /api/v1/payment-cycles?county=&program=&year=.
func (h *Handler) listCycles(w http.ResponseWriter, r *http.Request) error {
	county, err := web.County(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.CycleFilter{Program: q.Get("program")}
	if s := q.Get("year"); s != "" {
		if f.Year, err = strconv.Atoi(s); err != nil {
			return apperr.Invalidf("year", "年度无效", "invalid year")
		}
	}
	list, err := h.app.Cycles(r.Context(), web.Actor(r), county, f, "zh")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"cycles": nonNil(list.Cycles)})
	return nil
}

// getCycle is GET /api/v1/payment-cycles/{county}/{id}?status=&sort=&order=&limit=&offset=:
// the cycle and a page of its lines.
func (h *Handler) getCycle(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.LineFilter{CycleID: id, Limit: 500}
	for _, s := range strings.Split(q.Get("status"), ",") {
		if s != "" {
			f.Statuses = append(f.Statuses, payment.Status(s))
		}
	}
	order, err := web.SortOf(q, payment.LineSortKeys)
	if err != nil {
		return err
	}
	f.Sort, f.Desc = order.Key, order.Desc
	for name, dst := range map[string]*int{"limit": &f.Limit, "offset": &f.Offset} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || (name == "limit" && (n < 1 || n > 5000)) {
				return apperr.Invalidf(name, "须为非负整数（limit 1 至 5000）", "must be a non-negative integer (limit 1 to 5000)")
			}
			*dst = n
		}
	}
	v, err := h.app.Cycle(r.Context(), web.Actor(r), county, id, app.CycleQuery{Lines: f, Lang: "zh"})
	if err != nil {
		return err
	}
	lines := make([]payment.Line, len(v.Lines))
	for i, l := range v.Lines {
		lines[i] = l.Line
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"cycle": v.Cycle, "lines": lines, "batches": nonNil(v.Batches),
		"limit": f.Limit, "offset": f.Offset, "sort": order.Key, "order": order.Order()})
	return nil
}

// cycleConsistency is GET /api/v1/payment-cycles/{county}/{id}/consistency:
// the 库册一致 report.
func (h *Handler) cycleConsistency(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	v, err := h.app.Consistency(r.Context(), web.Actor(r), county, id, "zh")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, v.Consistency)
	return nil
}

// cycleLetter is GET /api/v1/payment-cycles/{county}/{id}/letters/{person}:
// the printable notification letter (HTML).
func (h *Handler) cycleLetter(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	person, err := web.PathID(r, "person")
	if err != nil {
		return err
	}
	page, err := h.app.Letter(r.Context(), web.Actor(r), county, id, person)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(page)
	return nil
}

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

// verifyLine is POST /api/v1/payment-lines/{county}/{id}/verify: settle a
// held line (release it, or cancel it).
func (h *Handler) verifyLine(w http.ResponseWriter, r *http.Request) error {
	county, id, err := web.CountyKey(r, h.tree)
	if err != nil {
		return err
	}
	var in payment.Verdict
	if err := web.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := h.app.VerifyLine(r.Context(), web.Actor(r), county, id, in)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"line": l})
	return nil
}

// getLedger is GET /api/v1/ledger?year=&region=&program=: the funds
// ledger by level of government.
func (h *Handler) getLedger(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil {
		return apperr.Invalidf("year", "缺少或无效的年度", "year is missing or invalid")
	}
	reg := q.Get("region")
	if reg != "" {
		if _, err := web.ParseRegion("region", reg); err != nil {
			return err
		}
	}
	l, err := h.app.Ledger(r.Context(), web.Actor(r), year, reg, q.Get("program"), "")
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, l.Ledger)
	return nil
}
