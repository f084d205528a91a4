package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/app"
	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
)

// maxReturnFile bounds an uploaded bank return file.
const maxReturnFile = 32 << 20

// payCounty reads the six-digit county code of the path or, for lists,
// of ?county= (default: the county of the actor's scope).
func (h *Handler) payCounty(r *http.Request) (string, error) {
	s := r.PathValue("county")
	if s == "" {
		s = r.URL.Query().Get("county")
	}
	if s == "" {
		s = string(h.tree.County(actor(r).Scope))
	}
	c, err := region.ParseCode(s)
	if err != nil || c.Level() != region.County {
		return "", apperr.Invalidf("county", "应为 6 位县级区划代码", "must be a six-digit county code")
	}
	return string(c), nil
}

// payTarget names a payment entity for the audit entry of a refusal.
func payTarget(entity, county string, id int64) target {
	t := target{Entity: entity, Region: region.Code(county)}
	if id != 0 {
		t.EntityID = strconv.FormatInt(id, 10)
	}
	return t
}

// payRoute checks the permission and the county of a request on a
// county's payment entity {id} (0 when the path has none).
func (h *Handler) payRoute(r *http.Request, p auth.Permission, entity string) (string, int64, error) {
	county, err := h.payCounty(r)
	if err != nil {
		return "", 0, err
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, err = pathID(r, "id"); err != nil {
			return "", 0, err
		}
	}
	if err := h.require(r, p, payTarget(entity, county, id)); err != nil {
		return "", 0, err
	}
	return county, id, nil
}

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
	writeJSON(w, http.StatusOK, map[string]any{"banks": payment.Banks})
	return nil
}

// getAccount is GET /api/v1/persons/{county}/{id}/account.
func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentRead, "person")
	if err != nil {
		return err
	}
	var acc *payment.Account
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		acc, err = payment.GetAccount(r.Context(), tx, actor(r), registry.Key{County: county, ID: id})
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": toAccountJSON(acc)})
	return nil
}

// putAccount is PUT /api/v1/persons/{county}/{id}/account: record or
// change a person's 一卡通 account (finance only).
func (h *Handler) putAccount(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentManage, "person")
	if err != nil {
		return err
	}
	var in payment.AccountInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var acc *payment.Account
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		acc, err = payment.SetAccount(r.Context(), tx, actor(r), registry.Key{County: county, ID: id}, in)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"account": toAccountJSON(acc)})
	return nil
}

// holdPayment is POST /api/v1/persons/{county}/{id}/payment-hold: a
// suspected death holds the person's money until verified.
func (h *Handler) holdPayment(w http.ResponseWriter, r *http.Request) error {
	county, err := h.payCounty(r)
	if err != nil {
		return err
	}
	pid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	if !auth.Can(a, auth.PermRegistryWrite) && !auth.Can(a, auth.PermPaymentManage) {
		return h.require(r, auth.PermRegistryWrite, payTarget("person", county, pid))
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var n int
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		n, err = payment.FlagSuspectedDeath(r.Context(), tx, a, registry.Key{County: county, ID: pid}, in.Reason)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"lines_held": n})
	return nil
}

// getPaymentParams is GET /api/v1/payment-params/{county}.
func (h *Handler) getPaymentParams(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payRoute(r, auth.PermPaymentRead, "payment_params")
	if err != nil {
		return err
	}
	var p payment.Params
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		p, err = payment.GetParams(r.Context(), tx, actor(r), county)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"county": county, "params": p})
	return nil
}

// putPaymentParams is PUT /api/v1/payment-params/{county}: set some of
// the county's payment parameters (name → value).
func (h *Handler) putPaymentParams(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payRoute(r, auth.PermRulesManage, "payment_params")
	if err != nil {
		return err
	}
	var in map[string]string
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var p payment.Params
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		p, err = payment.SetParams(r.Context(), tx, actor(r), county, in)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"county": county, "params": p})
	return nil
}

// createCycle is POST /api/v1/payment-cycles: run a program for a period.
func (h *Handler) createCycle(w http.ResponseWriter, r *http.Request) error {
	var in payment.CycleRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := h.require(r, auth.PermPaymentManage, payTarget("payment_cycle", in.County, 0)); err != nil {
		return err
	}
	var c *payment.Cycle
	var lines []payment.Line
	err := h.db.Update(r.Context(), func(tx *store.Tx) error {
		var err error
		c, lines, err = payment.GenerateCycle(r.Context(), tx, actor(r), in)
		return err
	})
	if err != nil {
		return err
	}
	byStatus := map[payment.Status]int{}
	for _, l := range lines {
		byStatus[l.Status]++
	}
	writeJSON(w, http.StatusCreated, map[string]any{"cycle": c, "lines_by_status": byStatus})
	return nil
}

// listCycles is GET /api/v1/payment-cycles?county=&program=&year=.
func (h *Handler) listCycles(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payRoute(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	if err := h.inScope(r, region.Code(county), payTarget("payment_cycle", county, 0)); err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.CycleFilter{Program: q.Get("program")}
	if s := q.Get("year"); s != "" {
		if f.Year, err = strconv.Atoi(s); err != nil {
			return apperr.Invalidf("year", "年度无效", "invalid year")
		}
	}
	var cs []payment.Cycle
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		cs, err = tx.PaymentCycles(r.Context(), county, f)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cycles": nonNil(cs)})
	return nil
}

// getCycle is GET /api/v1/payment-cycles/{county}/{id}?status=&sort=&order=&limit=&offset=:
// the cycle and a page of its lines.
func (h *Handler) getCycle(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	if err := h.inScope(r, region.Code(county), payTarget("payment_cycle", county, id)); err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.LineFilter{CycleID: id, Limit: 500}
	for _, s := range strings.Split(q.Get("status"), ",") {
		if s != "" {
			f.Statuses = append(f.Statuses, payment.Status(s))
		}
	}
	order, err := sortOf(q, payment.LineSortKeys)
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
	var c *payment.Cycle
	var lines []payment.Line
	var batches []payment.Batch
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		if c, err = tx.PaymentCycle(r.Context(), county, id); err != nil {
			return err
		}
		if lines, err = tx.PaymentLines(r.Context(), county, f); err != nil {
			return err
		}
		batches, err = tx.PaymentBatches(r.Context(), county, payment.BatchFilter{CycleID: id})
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"cycle": c, "lines": nonNil(lines), "batches": nonNil(batches),
		"limit": f.Limit, "offset": f.Offset, "sort": order.Key, "order": order.name()})
	return nil
}

// cycleConsistency is GET /api/v1/payment-cycles/{county}/{id}/consistency:
// the 库册一致 report.
func (h *Handler) cycleConsistency(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	var rep *payment.Consistency
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		rep, err = payment.CheckConsistency(r.Context(), tx, actor(r), county, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// cycleLetter is GET /api/v1/payment-cycles/{county}/{id}/letters/{person}:
// the printable notification letter (HTML).
func (h *Handler) cycleLetter(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	person, err := pathID(r, "person")
	if err != nil {
		return err
	}
	var page []byte
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		page, err = payment.Letter(r.Context(), tx, actor(r), h.tree, county, id, person)
		return err
	})
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
	county, id, err := h.payRoute(r, auth.PermPaymentManage, "payment_cycle")
	if err != nil {
		return err
	}
	var run *payment.BatchRun
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		run, err = payment.GenerateBatches(r.Context(), tx, actor(r), county, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, batchRunJSON(run))
	return nil
}

// batchJSON shows a batch with ID and account numbers masked: the full
// numbers go to the bank in the file only.
func batchJSON(b payment.Batch) payment.Batch {
	items := make([]payment.Item, len(b.Items))
	for i, it := range b.Items {
		it.IDNumber = idcard.Number(it.IDNumber).Masked()
		it.Account = payment.MaskAccount(it.Account)
		items[i] = it
	}
	b.Items = items
	return b
}

func batchRunJSON(run *payment.BatchRun) map[string]any {
	bs := make([]payment.Batch, len(run.Batches))
	for i, b := range run.Batches {
		bs[i] = batchJSON(b)
	}
	return map[string]any{"batches": bs, "held": nonNil(run.Held), "no_account": nonNil(run.NoAccount)}
}

// listBatches is GET /api/v1/batches?county=&cycle=&status=.
func (h *Handler) listBatches(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payRoute(r, auth.PermPaymentRead, "payment_batch")
	if err != nil {
		return err
	}
	if err := h.inScope(r, region.Code(county), payTarget("payment_batch", county, 0)); err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.BatchFilter{Status: q.Get("status")}
	if s := q.Get("cycle"); s != "" {
		if f.CycleID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return apperr.Invalidf("cycle", "周期编号无效", "invalid cycle id")
		}
	}
	var bs []payment.Batch
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		bs, err = tx.PaymentBatches(r.Context(), county, f)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"batches": nonNil(bs)})
	return nil
}

// getBatch is GET /api/v1/batches/{county}/{id}: a batch with its items.
func (h *Handler) getBatch(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentRead, "payment_batch")
	if err != nil {
		return err
	}
	if err := h.inScope(r, region.Code(county), payTarget("payment_batch", county, id)); err != nil {
		return err
	}
	var b *payment.Batch
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		b, err = tx.PaymentBatch(r.Context(), county, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"batch": batchJSON(*b)})
	return nil
}

// approveBatch is POST /api/v1/batches/{county}/{id}/approve with the
// count and total the approver checked.
func (h *Handler) approveBatch(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentApprove, "payment_batch")
	if err != nil {
		return err
	}
	var in payment.Approval
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var b *payment.Batch
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		b, err = payment.Approve(r.Context(), tx, actor(r), county, id, in)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"batch": batchJSON(*b)})
	return nil
}

// batchFile is GET /api/v1/batches/{county}/{id}/file?format=csv|xlsx&encoding=utf8|gbk.
func (h *Handler) batchFile(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentManage, "payment_batch")
	if err != nil {
		return err
	}
	return h.serveBankFile(w, r, county, id)
}

// serveBankFile writes the bank file of batch id of county in the format
// and encoding the query asks for; the API and the staff pages share it.
func (h *Handler) serveBankFile(w http.ResponseWriter, r *http.Request, county string, id int64) error {
	q := r.URL.Query()
	format, encoding, err := bankFileFormat(q.Get("format"), q.Get("encoding"))
	if err != nil {
		return err
	}
	var f *payment.BankFile
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		f, err = payment.BatchFile(r.Context(), tx, actor(r), county, id)
		return err
	})
	if err != nil {
		return err
	}
	// The file holds full ID and account numbers: its download is audited.
	if err := h.app.RecordExport(r.Context(), actor(r), app.Export{Action: "payment.batch.file", Entity: "payment_batch",
		EntityID: strconv.FormatInt(id, 10), Region: region.Code(county),
		Detail: map[string]any{"format": format, "encoding": encoding, "rows": len(f.Rows) - 1}}); err != nil {
		return err
	}
	return writeBankFile(w, f, format, encoding)
}

// bankFileFormat reads the format (csv, xlsx) and the encoding of a CSV
// file (utf8, gbk) a bank file is asked for in.
func bankFileFormat(format, encoding string) (string, string, error) {
	f, err := sheet.ParseFormat(format)
	if err != nil {
		return "", "", err
	}
	e, err := sheet.ParseEncoding(encoding)
	if err != nil {
		return "", "", err
	}
	if e == "" {
		e = sheet.EncodingUTF8
	}
	return f, e, nil
}

// writeBankFile sends the bank file f as an attachment in the format and
// encoding given (as bankFileFormat returns them).
func writeBankFile(w http.ResponseWriter, f *payment.BankFile, format, encoding string) error {
	var buf bytes.Buffer
	tw, err := sheet.NewWriter(&buf, f.Header, sheet.WriterOptions{Format: format, Encoding: encoding, Sheet: f.Sheet, Widths: f.Widths,
		Document: &sheet.Document{Title: f.Title, Creator: f.Creator, Language: f.Language, Time: f.Time, Money: []int{f.AmountColumn}}})
	if err != nil {
		return err
	}
	for _, row := range f.Rows {
		if err := tw.Write(row); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	ctype := "text/csv; charset=utf-8"
	switch {
	case format == sheet.FormatXLSX:
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case encoding == sheet.EncodingGB18030:
		ctype = "text/csv; charset=gb18030"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+f.Name(format)+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}

// batchReturns is POST /api/v1/batches/{county}/{id}/returns?format=&encoding=:
// the body is the bank's return file.
func (h *Handler) batchReturns(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermPaymentManage, "payment_batch")
	if err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxReturnFile))
	if err != nil {
		return apperr.Invalidf("body", "回盘文件过大或读取失败（最大 32 MiB）", "the return file is too large or unreadable (at most 32 MiB)")
	}
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
	var res *payment.ReconcileResult
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		res, err = payment.Reconcile(r.Context(), tx, actor(r), county, id, rows)
		return err
	})
	if err != nil {
		return err
	}
	b := batchJSON(*res.Batch)
	res.Batch = &b
	writeJSON(w, http.StatusOK, res)
	return nil
}

// listRetries is GET /api/v1/retries?county=: failed lines and whether
// their account has been fixed.
func (h *Handler) listRetries(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payRoute(r, auth.PermPaymentRead, "payment_line")
	if err != nil {
		return err
	}
	var rs []payment.Retry
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		rs, err = payment.Retries(r.Context(), tx, actor(r), county)
		return err
	})
	if err != nil {
		return err
	}
	for i := range rs {
		rs[i].Failed.IDNumber = idcard.Number(rs[i].Failed.IDNumber).Masked()
		rs[i].Failed.Account = payment.MaskAccount(rs[i].Failed.Account)
		if rs[i].Account != nil {
			a := *rs[i].Account
			a.Number = payment.MaskAccount(a.Number)
			rs[i].Account = &a
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"retries": nonNil(rs)})
	return nil
}

// createRetryBatches is POST /api/v1/retries/{county}/batches.
func (h *Handler) createRetryBatches(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payRoute(r, auth.PermPaymentManage, "payment_batch")
	if err != nil {
		return err
	}
	var run *payment.BatchRun
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		run, err = payment.GenerateRetryBatches(r.Context(), tx, actor(r), county)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, batchRunJSON(run))
	return nil
}

// verifyLine is POST /api/v1/payment-lines/{county}/{id}/verify: settle a
// held line (release it, or cancel it).
func (h *Handler) verifyLine(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payRoute(r, auth.PermEligibility, "payment_line")
	if err != nil {
		return err
	}
	var in payment.Verdict
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var l *payment.Line
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		l, err = payment.VerifyHeld(r.Context(), tx, actor(r), county, id, in)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"line": l})
	return nil
}

// getLedger is GET /api/v1/ledger?year=&region=&program=: the funds
// ledger by level of government.
func (h *Handler) getLedger(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg := region.Code(q.Get("region"))
	if err := h.require(r, auth.PermPaymentRead, target{Entity: "ledger", Region: reg}); err != nil {
		return err
	}
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil {
		return apperr.Invalidf("year", "缺少或无效的年度", "year is missing or invalid")
	}
	if reg != "" {
		c, err := parseRegion("region", string(reg))
		if err != nil {
			return err
		}
		if err := h.inScope(r, c, target{Entity: "ledger"}); err != nil {
			return err
		}
	}
	var l *payment.Ledger
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		l, err = payment.GetLedger(r.Context(), tx, actor(r), h.tree, year, string(reg), q.Get("program"))
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}
