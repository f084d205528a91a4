package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/sheet"
	"github.com/jiahe-project/jiahe/internal/store"
)

// The finance officer's pages: payment cycles, batches with their
// maker–checker approval, bank files and return files, retries, the funds
// ledger, the 库册一致 report and the notification letters. Each page calls
// the payment functions the JSON API calls (api_payments.go), so the
// permissions, the county scope and the separation of maker and checker
// are enforced there; a page only hides what would be refused.

// payPage checks the permission and the county of a page on a county's
// payment entity {id} (0 when the path has none), as the API does.
func (h *Handler) payPage(r *http.Request, p auth.Permission, entity string) (string, int64, error) {
	county, id, err := h.payRoute(r, p, entity)
	if err != nil {
		return "", 0, err
	}
	if err := h.inScope(r, region.Code(county), payTarget(entity, county, id)); err != nil {
		return "", 0, err
	}
	return county, id, nil
}

// payProgramNames names every payment program in lang: the rule layers'
// names, else the fixed Chinese names.
func payProgramNames(ctx context.Context, tx *store.Tx, lang string) (map[string]string, error) {
	layers, err := tx.PolicyRules(ctx)
	if err != nil {
		return nil, err
	}
	names := programNames(layers, lang)
	out := map[string]string{}
	for code := range payment.ProgramNames {
		out[code] = names[code]
		if out[code] == "" {
			out[code] = payment.ProgramName(code)
		}
	}
	return out, nil
}

// payPrograms are the programs in the order the forms list them.
var payPrograms = []string{"jf", "tf_death", "tf_disability", "tf_complication", "urban_reward", "one_child_fee", "retiree_award"}

// bankName names a bank in lang.
func bankName(code, lang string) string {
	b, ok := payment.BankByCode(code)
	switch {
	case !ok:
		return code
	case lang == "en":
		return b.EN
	}
	return b.Name
}

// bankNames names every bank in lang, by code.
func bankNames(lang string) map[string]string {
	m := map[string]string{}
	for _, b := range payment.Banks {
		m[b.Code] = bankName(b.Code, lang)
	}
	return m
}

// cycleRow is one line of the cycle list.
type cycleRow struct {
	payment.Cycle
	ProgramName string
}

// paymentsPage lists the county's payment cycles and, for the finance
// officer, offers the form that generates one.
func (h *Handler) paymentsPage(w http.ResponseWriter, r *http.Request) error {
	if scope := actor(r).Scope; r.URL.Query().Get("county") == "" && h.tree.County(scope) == "" {
		// Above a county (a city, a province): pick one of its counties.
		if err := h.require(r, auth.PermPaymentRead, target{Entity: "payment_cycle", Region: scope}); err != nil {
			return err
		}
		v := h.newView(w, r, "pay_cycles_title")
		v.Data = map[string]any{"Counties": h.countiesIn(scope)}
		return h.render(w, http.StatusOK, "payments.html", v)
	}
	county, _, err := h.payPage(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_cycles_title")
	if v.F("period") == "" {
		v.Form.Set("period", strconv.Itoa(h.now().In(beijing).Year()))
	}
	if err := h.paymentsData(r, v, county); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "payments.html", v)
}

// countiesIn lists the counties within scope, a prefecture, a province or
// the whole country, in code order.
func (h *Handler) countiesIn(scope region.Code) []region.Division {
	var out []region.Division
	var walk func(c region.Code, depth int)
	walk = func(c region.Code, depth int) {
		for _, d := range h.tree.Children(c) {
			switch {
			case d.Level == region.County || h.tree.County(d.Code) == d.Code:
				out = append(out, d)
			case depth < 2:
				walk(d.Code, depth+1)
			}
		}
	}
	walk(scope, 0)
	return out
}

func (h *Handler) paymentsData(r *http.Request, v *view, county string) error {
	q := r.URL.Query()
	f := payment.CycleFilter{Program: q.Get("program")}
	if s := q.Get("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			return apperr.Invalidf("year", "年度无效", "invalid year")
		}
		f.Year = y
	}
	var rows []cycleRow
	var names map[string]string
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		if names, err = payProgramNames(r.Context(), tx, v.Lang); err != nil {
			return err
		}
		cs, err := tx.PaymentCycles(r.Context(), county, f)
		for _, c := range cs {
			rows = append(rows, cycleRow{Cycle: c, ProgramName: names[c.Program]})
		}
		return err
	})
	if err != nil {
		return err
	}
	// Newest first: the list is read from the top.
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	v.Data = map[string]any{"County": county, "Rows": rows, "Programs": payPrograms, "Names": names,
		"Filter": map[string]string{"program": f.Program, "year": q.Get("year")}}
	return nil
}

// cycleCreateSubmit generates a payment cycle (payment.GenerateCycle).
func (h *Handler) cycleCreateSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	county := strings.TrimSpace(r.PostFormValue("county"))
	if county == "" {
		county = string(h.tree.County(actor(r).Scope))
	}
	if err := h.require(r, auth.PermPaymentManage, payTarget("payment_cycle", county, 0)); err != nil {
		return err
	}
	v := h.newView(w, r, "pay_cycles_title")
	for _, f := range []string{"program", "period"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	var c *payment.Cycle
	err := h.db.Update(r.Context(), func(tx *store.Tx) error {
		var err error
		c, _, err = payment.GenerateCycle(r.Context(), tx, actor(r), payment.CycleRequest{County: county, Program: v.F("program"), Period: v.F("period")})
		return err
	})
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.paymentsData(r, v, county); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "payments.html", v)
	}
	redirectDone(w, r, "/payments/cycles/"+c.County+"/"+strconv.FormatInt(c.ID, 10), "cycle_created")
	return nil
}

// lineRow is one payment line with its person.
type lineRow struct {
	payment.Line
	Name     string
	IDMasked string
}

// lineTab is one filter of the lines of a cycle.
type lineTab struct {
	Key, Label, Href string
	Count            int
	Current          bool
}

// lineTabs are the filters of a cycle's lines: all, by status, and the
// arrears and corrections.
var lineTabs = []string{"", "pending", "held", "batched", "paid", "failed", "missing", "recovery", "cancelled", "extra"}

// lineFilterOf reads the tab ?show= of a cycle page.
func lineFilterOf(show string, cycleID int64) (payment.LineFilter, error) {
	f := payment.LineFilter{CycleID: cycleID}
	switch show {
	case "":
	case "extra":
		f.Kinds = []payment.LineKind{payment.Arrears, payment.Correction}
	default:
		if !slices.Contains(lineTabs, show) {
			return f, apperr.Invalidf("show", "筛选条件无效", "invalid filter")
		}
		f.Statuses = []payment.Status{payment.Status(show)}
	}
	return f, nil
}

// withPersons adds the name and masked ID number of each line's person.
func withPersons(ctx context.Context, tx *store.Tx, county string, lines []payment.Line) ([]lineRow, error) {
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.PersonID
	}
	states, err := tx.PaymentPersonStates(ctx, county, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]lineRow, len(lines))
	for i, l := range lines {
		p := states[l.PersonID]
		rows[i] = lineRow{Line: l, Name: p.Name, IDMasked: idcard.Number(p.IDNumber).Masked()}
	}
	return rows, nil
}

// cyclePage shows a cycle: its totals by status, a page of its lines (all,
// by status, or the arrears and corrections), the held lines with the
// verification form for the roles that verify, the batches made of it and
// the actions of the finance officer.
func (h *Handler) cyclePage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_cycle_title")
	if err := h.cycleData(r, v, county, id); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_cycle.html", v)
}

func (h *Handler) cycleData(r *http.Request, v *view, county string, id int64) error {
	show := r.URL.Query().Get("show")
	f, err := lineFilterOf(show, id)
	if err != nil {
		return err
	}
	order, err := sortOf(r.URL.Query(), payment.LineSortKeys)
	if err != nil {
		return err
	}
	page, offset := pageOf(r)
	f.Sort, f.Desc, f.Limit, f.Offset = order.Key, order.Desc, pageSize, offset
	var c *payment.Cycle
	var counts, shown []store.LineCount
	var rows, held []lineRow
	var batches []payment.Batch
	var names map[string]string
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		ctx := r.Context()
		var err error
		if c, err = tx.PaymentCycle(ctx, county, id); err != nil {
			return err
		}
		if names, err = payProgramNames(ctx, tx, v.Lang); err != nil {
			return err
		}
		if counts, err = tx.PaymentLineCounts(ctx, county, payment.LineFilter{CycleID: id}); err != nil {
			return err
		}
		if shown, err = tx.PaymentLineCounts(ctx, county, f); err != nil {
			return err
		}
		lines, err := tx.PaymentLines(ctx, county, f)
		if err != nil {
			return err
		}
		if rows, err = withPersons(ctx, tx, county, lines); err != nil {
			return err
		}
		hl, err := tx.PaymentLines(ctx, county, payment.LineFilter{CycleID: id, Statuses: []payment.Status{payment.Held}, Limit: 200})
		if err != nil {
			return err
		}
		if held, err = withPersons(ctx, tx, county, hl); err != nil {
			return err
		}
		batches, err = tx.PaymentBatches(ctx, county, payment.BatchFilter{CycleID: id})
		return err
	})
	if err != nil {
		return err
	}
	byStatus := map[string]int{}
	extra, total := 0, 0
	for _, n := range counts {
		byStatus[string(n.Status)] += n.Lines
		total += n.Lines
		if n.Kind != payment.Regular {
			extra += n.Lines
		}
	}
	matched := 0
	for _, n := range shown {
		matched += n.Lines
	}
	base := "/payments/cycles/" + county + "/" + strconv.FormatInt(id, 10)
	var tabs []lineTab
	for _, k := range lineTabs {
		n := byStatus[k]
		switch k {
		case "":
			n = total
		case "extra":
			n = extra
		}
		if n == 0 && k != "" && k != show {
			continue
		}
		tq := url.Values{}
		for name, val := range sortFields(order, payment.LineSortKeys) {
			tq.Set(name, val)
		}
		if k != "" {
			tq.Set("show", k)
		}
		href := base
		if len(tq) > 0 {
			href += "?" + tq.Encode()
		}
		label := v.T["pay_tab_all"]
		switch k {
		case "":
		case "extra":
			label = v.T["pay_tab_extra"]
		default:
			label = v.T["pstatus."+k]
		}
		tabs = append(tabs, lineTab{Key: k, Label: label, Href: href, Count: n, Current: k == show})
	}
	v.Title = v.T["pay_cycle_title"] + " #" + strconv.FormatInt(c.ID, 10)
	v.Data = map[string]any{
		"C": c, "Key": county + "/" + strconv.FormatInt(id, 10), "Program": names[c.Program],
		"Tabs": tabs, "Rows": rows, "Pager": newPager(r, matched, page), "Held": held, "Batches": batches,
		"Pending": byStatus[string(payment.Pending)], "BankNames": bankNames(v.Lang),
		"Sort": sortHeaders(base, r.URL.Query(), payment.LineSortKeys, order),
	}
	return nil
}

// batchesCreateSubmit puts a cycle's pending lines into one batch per bank
// (payment.GenerateBatches).
func (h *Handler) batchesCreateSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentManage, "payment_cycle")
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_cycle_title")
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		_, err := payment.GenerateBatches(r.Context(), tx, actor(r), county, id)
		return err
	})
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.cycleData(r, v, county, id); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "pay_cycle.html", v)
	}
	redirectDone(w, r, "/payments/batches?cycle="+strconv.FormatInt(id, 10), "batches_made")
	return nil
}

// lineVerifySubmit settles a held line (payment.VerifyHeld): the roles
// that confirm eligibility release it or cancel it.
func (h *Handler) lineVerifySubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermEligibility, "payment_line")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	var l *payment.Line
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		l, err = payment.VerifyHeld(r.Context(), tx, actor(r), county, id, payment.Verdict{Pay: r.PostFormValue("pay") == "1", Note: r.PostFormValue("note")})
		return err
	})
	if err != nil {
		v := h.newView(w, r, "pay_cycle_title")
		cycle, cerr := strconv.ParseInt(r.PostFormValue("cycle"), 10, 64)
		if !formError(v, err) || cerr != nil {
			return err
		}
		if derr := h.cycleData(r, v, county, cycle); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "pay_cycle.html", v)
	}
	redirectDone(w, r, "/payments/cycles/"+county+"/"+strconv.FormatInt(l.CycleID, 10)+"?show=held", "line_verified")
	return nil
}

// batchesPage lists the county's batches: one per bank, with its count,
// total and state.
func (h *Handler) batchesPage(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payPage(r, auth.PermPaymentRead, "payment_batch")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := payment.BatchFilter{Status: q.Get("status")}
	if s := q.Get("cycle"); s != "" {
		if f.CycleID, err = strconv.ParseInt(s, 10, 64); err != nil {
			return apperr.Invalidf("cycle", "周期编号无效", "invalid cycle id")
		}
	}
	v := h.newView(w, r, "pay_batches_title")
	v.Form.Set("status", f.Status)
	var bs []payment.Batch
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		bs, err = tx.PaymentBatches(r.Context(), county, f)
		return err
	})
	if err != nil {
		return err
	}
	v.Data = map[string]any{"County": county, "Rows": bs, "Cycle": f.CycleID, "BankNames": bankNames(v.Lang)}
	return h.render(w, http.StatusOK, "pay_batches.html", v)
}

// batchPage shows a batch: its items (ID and account numbers masked), the
// approval form for a finance officer other than its maker, the bank file
// and the return file once it is approved.
func (h *Handler) batchPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentRead, "payment_batch")
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
	var b *payment.Batch
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		b, err = tx.PaymentBatch(r.Context(), county, id)
		return err
	})
	if err != nil {
		return err
	}
	masked := batchJSON(*b)
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
	a := actor(r)
	v.Title = v.T["pay_batch_title"] + " #" + strconv.FormatInt(b.ID, 10)
	if v.Data == nil {
		v.Data = map[string]any{}
	}
	d := v.Data.(map[string]any)
	for k, x := range map[string]any{
		"B": &masked, "Key": county + "/" + strconv.FormatInt(id, 10), "Bank": bankName(b.Bank, v.Lang),
		"Items": items, "Pager": newPager(r, len(b.Items), page), "Results": results, "Open": open,
		"IsMaker":    a.UserID == b.CreatedBy,
		"CanApprove": b.Status == payment.Draft && auth.Can(a, auth.PermPaymentApprove) && a.UserID != b.CreatedBy,
		"Released":   b.Status != payment.Draft,
	} {
		d[k] = x
	}
	return nil
}

// batchApproveSubmit releases a batch (payment.Approve) with the count and
// total the approver checked; the maker cannot approve.
func (h *Handler) batchApproveSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentApprove, "payment_batch")
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
		err = h.db.Update(r.Context(), func(tx *store.Tx) error {
			_, err := payment.Approve(r.Context(), tx, actor(r), county, id, payment.Approval{Count: count, Total: total})
			return err
		})
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
	redirectDone(w, r, "/payments/batches/"+county+"/"+strconv.FormatInt(id, 10), "batch_approved")
	return nil
}

// batchFileDownload sends the bank file of an approved batch
// (payment.BatchFile) as CSV in UTF-8 or GBK, or as an Excel workbook.
func (h *Handler) batchFileDownload(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentManage, "payment_batch")
	if err != nil {
		return err
	}
	return h.serveBankFile(w, r, county, id)
}

// batchReturnsSubmit takes a bank's return file for a batch. It first
// shows a preview: every problem of the file with its row and column, or
// what would be recorded (payment.PreviewReturns). Nothing is recorded
// until the preview is confirmed, and then the file is checked again in
// the recording transaction (payment.Reconcile). The file travels with
// the confirmation, so no upload is kept on the server.
func (h *Handler) batchReturnsSubmit(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentManage, "payment_batch")
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
	up, err := readUpload(w, r)
	if err != nil {
		return fail(err, http.StatusBadRequest)
	}
	content := up.file
	if enc := up.fields.Get("content"); enc != "" {
		if content, err = base64.StdEncoding.DecodeString(enc); err != nil || int64(len(content)) > maxUpload {
			return apperr.Invalidf("content", "文件内容无效", "invalid file content")
		}
	} else if len(content) == 0 {
		return fail(invalid("file", "请选择银行回盘文件", "choose the bank's return file"), http.StatusBadRequest)
	}
	v.Form.Set("encoding", up.fields.Get("encoding"))
	src, err := sheet.Open(bytes.NewReader(content), v.F("encoding"))
	if err != nil {
		return fail(err, http.StatusBadRequest)
	}
	rows, err := payment.ParseReturns(src)
	if err != nil {
		return fail(err, http.StatusUnprocessableEntity)
	}
	if up.fields.Get("confirm") == "1" {
		err = h.db.Update(r.Context(), func(tx *store.Tx) error {
			_, err := payment.Reconcile(r.Context(), tx, actor(r), county, id, rows)
			return err
		})
		if err != nil {
			return fail(err, http.StatusUnprocessableEntity)
		}
		redirectDone(w, r, "/payments/batches/"+county+"/"+strconv.FormatInt(id, 10), "reconciled")
		return nil
	}
	var res *payment.ReconcileResult
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		res, err = payment.PreviewReturns(r.Context(), tx, actor(r), county, id, rows)
		return err
	})
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

// retryRow is one failed line with its person.
type retryRow struct {
	payment.Retry
	Bank string
}

// retriesPage lists the lines the bank refused, the bank's reason and
// whether the account has been fixed since; the finance officer puts the
// fixed ones into retry batches.
func (h *Handler) retriesPage(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payPage(r, auth.PermPaymentRead, "payment_line")
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_retries_title")
	if err := h.retriesData(r, v, county); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_retries.html", v)
}

func (h *Handler) retriesData(r *http.Request, v *view, county string) error {
	var rs []payment.Retry
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		rs, err = payment.Retries(r.Context(), tx, actor(r), county)
		return err
	})
	if err != nil {
		return err
	}
	rows := make([]retryRow, len(rs))
	fixed := 0
	for i, x := range rs {
		x.Failed.IDNumber = idcard.Number(x.Failed.IDNumber).Masked()
		x.Failed.Account = payment.MaskAccount(x.Failed.Account)
		if x.Account != nil {
			acc := *x.Account
			acc.Number = payment.MaskAccount(acc.Number)
			x.Account = &acc
		}
		if x.Fixed {
			fixed++
		}
		rows[i] = retryRow{Retry: x, Bank: bankName(x.Failed.Bank, v.Lang)}
	}
	v.Data = map[string]any{"County": county, "Rows": rows, "Fixed": fixed}
	return nil
}

// retriesSubmit puts the failed lines whose account was fixed into retry
// batches (payment.GenerateRetryBatches).
func (h *Handler) retriesSubmit(w http.ResponseWriter, r *http.Request) error {
	county, _, err := h.payPage(r, auth.PermPaymentManage, "payment_batch")
	if err != nil {
		return err
	}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		_, err := payment.GenerateRetryBatches(r.Context(), tx, actor(r), county)
		return err
	})
	if err != nil {
		v := h.newView(w, r, "pay_retries_title")
		if !formError(v, err) {
			return err
		}
		if derr := h.retriesData(r, v, county); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "pay_retries.html", v)
	}
	redirectDone(w, r, "/payments/batches?status=draft", "retry_batches")
	return nil
}

// consistencyPage is the 库册一致 report of a cycle (payment.CheckConsistency).
func (h *Handler) consistencyPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_consistency_title")
	var rep *payment.Consistency
	var names map[string]string
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		if rep, err = payment.CheckConsistency(r.Context(), tx, actor(r), county, id); err != nil {
			return err
		}
		names, err = payProgramNames(r.Context(), tx, v.Lang)
		return err
	})
	if err != nil {
		return err
	}
	kinds := map[string]int{}
	for _, d := range rep.Differences {
		kinds[d.Kind]++
	}
	v.Data = map[string]any{"R": rep, "Key": county + "/" + strconv.FormatInt(id, 10), "Program": names[rep.Cycle.Program], "Kinds": kinds}
	return h.render(w, http.StatusOK, "pay_consistency.html", v)
}

// letterPage shows the notification letter (告知书) of one person for one
// cycle (payment.LetterContent), laid out for printing on A4.
func (h *Handler) letterPage(w http.ResponseWriter, r *http.Request) error {
	county, id, err := h.payPage(r, auth.PermPaymentRead, "payment_cycle")
	if err != nil {
		return err
	}
	person, err := pathID(r, "person")
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_letter_title")
	var d *payment.LetterData
	err = h.db.View(r.Context(), func(tx *store.Tx) error {
		d, err = payment.LetterContent(r.Context(), tx, actor(r), h.tree, county, id, person)
		return err
	})
	if err != nil {
		return err
	}
	v.Title = d.Title
	v.Data = map[string]any{"L": d, "Key": county + "/" + strconv.FormatInt(id, 10)}
	return h.render(w, http.StatusOK, "pay_letter.html", v)
}

// ledgerChart is the ledger's bar chart, laid out here so that the
// template only draws it: one bar per region (or program), its segments
// the four paying levels.
type ledgerChart struct {
	Width, Height int
	Bars          []ledgerBar
	Legend        []ledgerKey
}

type ledgerBar struct {
	Label         string
	LabelY, BarY  int
	TextY, ValueX int
	Value         string
	Segments      []ledgerSegment
	Href          string
}

type ledgerSegment struct {
	X, Y, W int
	Class   string
	Title   string
}

type ledgerKey struct {
	X, Y  int
	Class string
	Label string
}

// newLedgerChart lays out groups on one scale: the widest bar is the
// largest amount.
func newLedgerChart(groups []payment.LedgerGroup, t map[string]string, href func(payment.LedgerGroup) string) ledgerChart {
	const width, left, area, row, barH = 680, 4, 480, 40, 16
	c := ledgerChart{Width: width}
	var top money.Fen
	for _, g := range groups {
		top = max(top, g.Amount)
	}
	y := 4
	for _, g := range groups {
		b := ledgerBar{Label: g.Name, LabelY: y + 12, BarY: y + 17, TextY: y + 17 + barH - 3, Value: payment.Wan(g.Amount) + " " + t["pay_wan"],
			Href: href(g)}
		x := left
		for i, part := range g.Split {
			if top <= 0 || part <= 0 {
				continue
			}
			w := max(int(int64(part)*area/int64(top)), 1)
			b.Segments = append(b.Segments, ledgerSegment{X: x, Y: b.BarY, W: w, Class: "lv-" + payment.Levels[i],
				Title: t["level."+payment.Levels[i]] + " " + payment.Wan(part) + " " + t["pay_wan"]})
			x += w
		}
		b.ValueX = x + 6
		c.Bars = append(c.Bars, b)
		y += row
	}
	for i, lv := range payment.Levels {
		c.Legend = append(c.Legend, ledgerKey{X: left + i*110, Y: y + 4, Class: "lv-" + lv, Label: t["level."+lv]})
	}
	c.Height = y + 24
	return c
}

// ledgerPage is the funds ledger (payment.GetLedger) of a year, a region
// and a program: totals by paying level, a bar chart of the regions one
// level down, and tables by program and by region.
func (h *Handler) ledgerPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	reg := strings.TrimSpace(q.Get("region"))
	if err := h.require(r, auth.PermPaymentRead, target{Entity: "ledger", Region: region.Code(reg)}); err != nil {
		return err
	}
	v := h.newView(w, r, "pay_ledger_title")
	year := h.now().In(beijing).Year()
	if s := q.Get("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil {
			return apperr.Invalidf("year", "年度无效", "invalid year")
		}
		year = y
	}
	if reg != "" {
		c, err := parseRegion("region", reg)
		if err != nil {
			return err
		}
		if err := h.inScope(r, c, target{Entity: "ledger"}); err != nil {
			return err
		}
	}
	v.Form.Set("year", strconv.Itoa(year))
	v.Form.Set("region", reg)
	v.Form.Set("program", q.Get("program"))
	var l *payment.Ledger
	var names map[string]string
	err := h.db.View(r.Context(), func(tx *store.Tx) error {
		var err error
		if l, err = payment.GetLedger(r.Context(), tx, actor(r), h.tree, year, reg, q.Get("program")); err != nil {
			return err
		}
		names, err = payProgramNames(r.Context(), tx, v.Lang)
		return err
	})
	if err != nil {
		return err
	}
	for i := range l.ByProgram {
		if n := names[l.ByProgram[i].Key]; n != "" {
			l.ByProgram[i].Name = n
		}
	}
	link := func(g payment.LedgerGroup) string {
		u := url.Values{"year": {strconv.Itoa(year)}, "region": {g.Key}}
		if p := q.Get("program"); p != "" {
			u.Set("program", p)
		}
		return "/payments/ledger?" + u.Encode()
	}
	chart := newLedgerChart(l.ByRegion, v.T, link)
	var parent string
	if reg != "" && region.Code(reg) != actor(r).Scope {
		if p := region.Code(reg).Parent(); p != "" && actor(r).CanSee(p) {
			parent = string(p)
		}
	}
	levels := make([]string, len(l.Split))
	for i, f := range l.Split {
		levels[i] = payment.Wan(f)
	}
	v.Data = map[string]any{"L": l, "Chart": chart, "Programs": payPrograms, "Names": names,
		"Years": []int{year - 2, year - 1, year, year + 1}, "Parent": parent, "Levels": payment.Levels,
		"TotalWan": payment.Wan(l.Amount), "LevelsWan": levels}
	return h.render(w, http.StatusOK, "pay_ledger.html", v)
}

// personAccount is the 一卡通 account block of the person page.
type personAccount struct {
	Account  *payment.Account // the number masked; nil when none
	BankName string
	CanEdit  bool
	Banks    []payment.Bank // for the form
}

// personAccountOf reads the person's account for the person page: shown
// to the roles that read payments, editable by the finance officer only.
func personAccountOf(ctx context.Context, tx *store.Tx, a auth.Actor, k registry.Key, lang string) (*personAccount, error) {
	if !auth.Can(a, auth.PermPaymentRead) {
		return nil, nil
	}
	pa := &personAccount{CanEdit: auth.Can(a, auth.PermPaymentManage), Banks: payment.Banks}
	acc, err := payment.GetAccount(ctx, tx, a, k)
	switch {
	case apperr.KindOf(err) == apperr.NotFound:
		return pa, nil
	case err != nil:
		return nil, err
	}
	masked := *acc
	masked.Number = payment.MaskAccount(acc.Number)
	pa.Account, pa.BankName = &masked, bankName(acc.Bank, lang)
	return pa, nil
}

// accountPage shows the form that records or changes a person's 一卡通
// account (finance only).
func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermPaymentManage, target{Entity: "person", EntityID: r.PathValue("id")}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	v := h.newView(w, r, "pay_account_title")
	if err := h.accountData(r, v, k, true); err != nil {
		return err
	}
	return h.render(w, http.StatusOK, "pay_account.html", v)
}

// accountData loads the person and the account; fill prefills the form
// from the account on file (never its number, which is typed again).
func (h *Handler) accountData(r *http.Request, v *view, k registry.Key, fill bool) error {
	a := actor(r)
	return h.db.View(r.Context(), func(tx *store.Tx) error {
		rec, err := tx.PersonByKey(r.Context(), a.Scope, k)
		if err != nil {
			return err
		}
		pa, err := personAccountOf(r.Context(), tx, a, k, v.Lang)
		if err != nil {
			return err
		}
		if fill {
			v.Form.Set("holder", rec.Name)
			v.Form.Set("kind", payment.Card)
			if pa.Account != nil {
				v.Form.Set("bank", pa.Account.Bank)
				v.Form.Set("kind", pa.Account.Kind)
				v.Form.Set("holder", pa.Account.Holder)
				v.Form.Set("version", strconv.Itoa(pa.Account.Version))
			}
		}
		v.Title = v.T["pay_account_title"] + " · " + rec.Name
		v.Data = map[string]any{"Rec": rec, "Key": rec.County + "/" + rec.Ref(), "Acc": pa, "Banks": payment.Banks}
		return nil
	})
}

// accountSubmit records or changes the account (payment.SetAccount), which
// checks the bank, the number and the holder's name.
func (h *Handler) accountSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := h.require(r, auth.PermPaymentManage, target{Entity: "person", EntityID: r.PathValue("id")}); err != nil {
		return err
	}
	k, err := personKey(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("", "表单无效", "invalid form")
	}
	v := h.newView(w, r, "pay_account_title")
	for _, f := range []string{"bank", "kind", "account_no", "holder", "version"} {
		v.Form.Set(f, strings.TrimSpace(r.PostFormValue(f)))
	}
	version, _ := strconv.Atoi(v.F("version"))
	in := payment.AccountInput{Bank: v.F("bank"), Kind: v.F("kind"), Number: v.F("account_no"), Holder: v.F("holder"), Version: version}
	err = h.db.Update(r.Context(), func(tx *store.Tx) error {
		_, err := payment.SetAccount(r.Context(), tx, actor(r), k, in)
		return err
	})
	if err != nil {
		if !formError(v, err) {
			return err
		}
		if derr := h.accountData(r, v, k, false); derr != nil {
			return derr
		}
		return h.render(w, http.StatusUnprocessableEntity, "pay_account.html", v)
	}
	redirectDone(w, r, "/persons/"+k.County+"/"+strconv.FormatInt(k.ID, 10), "account_saved")
	return nil
}
