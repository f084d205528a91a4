package payment

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/registry"
)

// ReturnRow is one row of a bank's return file.
type ReturnRow struct {
	Row     int // 1-based row in the file
	Seq     int // 序号, 0 when the file has no such column
	LineID  int64
	Account string
	Amount  money.Fen
	Result  string // paid or failed
	Reason  string
	PaidOn  date.Date
}

// Columns a return file may have, by the names banks and Jiahe give them.
// Jiahe's own file columns are accepted, so a bank can fill in its result
// beside them.
var returnColumns = map[string][]string{
	"seq":     {"序号", "seq"},
	"line":    {"明细编号", "line", "line_id"},
	"account": {"账号", "卡号", "account", "account_no"},
	"amount":  {"金额（元）", "金额(元)", "金额", "amount", "amount_yuan"},
	"result":  {"结果", "处理结果", "状态", "交易状态", "result", "status"},
	"reason":  {"失败原因", "原因", "备注", "reason"},
	"date":    {"入账日期", "交易日期", "日期", "paid_on", "date"},
}

var columnNames = map[string][2]string{
	"seq": {"序号", "seq"}, "line": {"明细编号", "line id"}, "account": {"账号", "account"}, "amount": {"金额", "amount"},
	"result": {"结果", "result"}, "reason": {"失败原因", "reason"}, "date": {"入账日期", "date"},
}

const maxProblems = 100

// maxReturnRows bounds a return file: no county pays this many lines in
// one batch.
const maxReturnRows = 500000

func cellProblem(row, col int, name string, zh, en string) *apperr.Error {
	n := columnNames[name]
	if col == 0 {
		return &apperr.Error{Kind: apperr.Invalid, ZH: fmt.Sprintf("第 %d 行：%s", row, zh), EN: fmt.Sprintf("row %d: %s", row, en)}
	}
	return &apperr.Error{Kind: apperr.Invalid,
		ZH: fmt.Sprintf("第 %d 行第 %d 列（%s）：%s", row, col, n[0], zh),
		EN: fmt.Sprintf("row %d, column %d (%s): %s", row, col, n[1], en)}
}

// fileProblem is an error of a registry.RowSource that tells the user
// what is wrong with the file as a whole (as *sheet.Problem does).
type fileProblem interface {
	FileProblem() (row int, zh, en string)
}

// ParseReturns reads a bank's return file from src (package sheet opens
// CSV in UTF-8 or GBK and Excel workbooks). The first non-empty row names
// the columns; a 明细编号 or 序号 column, 金额 and 结果 are required. Every
// bad cell is reported with its row and column, in Chinese and English;
// the error is then an apperr.List.
func ParseReturns(src registry.RowSource) ([]ReturnRow, error) {
	p := &returnParser{cols: map[string]int{}}
	err := src.Each(func(n int, cells []string) bool {
		return p.row(n, cells)
	})
	var fp fileProblem
	switch {
	case errors.As(err, &fp):
		row, zh, en := fp.FileProblem()
		if row > 0 {
			zh, en = fmt.Sprintf("第 %d 行：%s", row, zh), fmt.Sprintf("row %d: %s", row, en)
		}
		return nil, apperr.List{&apperr.Error{Kind: apperr.Invalid, Field: "file", ZH: zh, EN: en}}
	case err != nil:
		return nil, fmt.Errorf("read return file: %w", err)
	case p.tooLong:
		return nil, apperr.Invalidf("file", "行数超过 %d", "more than %d rows", maxReturnRows)
	case p.header == 0:
		return nil, apperr.Invalidf("file", "回盘文件为空", "the return file is empty")
	case p.missing != nil:
		return nil, p.missing
	case len(p.probs) > 0:
		return nil, p.probs
	case len(p.out) == 0:
		return nil, apperr.Invalidf("file", "回盘文件没有明细行", "the return file has no rows")
	}
	return p.out, nil
}

// returnParser reads the rows of a return file one by one.
type returnParser struct {
	header  int            // the row of the header, 0 before it
	cols    map[string]int // column name → 0-based column
	hasSeq  bool
	hasLine bool
	rows    int // rows read
	out     []ReturnRow
	probs   apperr.List
	missing error // the header lacks required columns
	tooLong bool
}

// add records a problem and says whether there is room for more.
func (p *returnParser) add(e *apperr.Error) bool {
	if len(p.probs) < maxProblems {
		p.probs = append(p.probs, e)
	}
	return len(p.probs) < maxProblems
}

// row handles the cells of file row n and says whether to read on.
func (p *returnParser) row(n int, rec []string) bool {
	if p.rows++; p.rows > maxReturnRows {
		p.tooLong = true
		return false
	}
	if blank(rec) {
		return true
	}
	if p.header == 0 {
		return p.readHeader(n, rec)
	}
	if isTotalRow(rec) {
		return true
	}
	p.dataRow(n, rec)
	return len(p.probs) < maxProblems
}

func (p *returnParser) readHeader(n int, rec []string) bool {
	p.header = n
	for c, v := range rec {
		v = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(v, "\ufeff")))
		for name, aliases := range returnColumns {
			for _, al := range aliases {
				if v == strings.ToLower(al) {
					if _, dup := p.cols[name]; dup {
						p.add(cellProblem(n, c+1, name, "列名重复", "duplicate column"))
					}
					p.cols[name] = c
				}
			}
		}
	}
	_, p.hasSeq = p.cols["seq"]
	_, p.hasLine = p.cols["line"]
	var missing []string
	if !p.hasSeq && !p.hasLine {
		missing = append(missing, "明细编号/序号")
	}
	for _, name := range []string{"amount", "result"} {
		if _, ok := p.cols[name]; !ok {
			missing = append(missing, columnNames[name][0])
		}
	}
	if len(missing) > 0 {
		p.missing = apperr.List{&apperr.Error{Kind: apperr.Invalid,
			ZH: fmt.Sprintf("第 %d 行（表头）缺少列：%s", n, strings.Join(missing, "、")),
			EN: fmt.Sprintf("row %d (header) lacks the columns %s", n, strings.Join(missing, ", "))}}
	}
	return p.missing == nil && len(p.probs) == 0
}

// get returns the cell of the named column in rec, its 1-based column and
// whether the file has the column.
func (p *returnParser) get(rec []string, name string) (string, int, bool) {
	c, ok := p.cols[name]
	if !ok {
		return "", 0, false
	}
	if c >= len(rec) {
		return "", c + 1, true
	}
	return strings.TrimSpace(rec[c]), c + 1, true
}

func (p *returnParser) dataRow(i int, rec []string) {
	row := ReturnRow{Row: i}
	ok := true
	bad := func(col int, name, zh, en string) {
		ok = false
		p.add(cellProblem(i, col, name, zh, en))
	}
	if v, c, has := p.get(rec, "seq"); has && (v != "" || !p.hasLine) {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			bad(c, "seq", fmt.Sprintf("“%s”不是正整数", clip(v)), fmt.Sprintf("%q is not a positive integer", clip(v)))
		}
		row.Seq = n
	}
	if v, c, has := p.get(rec, "line"); has && (v != "" || !p.hasSeq) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			bad(c, "line", fmt.Sprintf("“%s”不是正整数", clip(v)), fmt.Sprintf("%q is not a positive integer", clip(v)))
		}
		row.LineID = n
	}
	if v, _, has := p.get(rec, "account"); has {
		row.Account = normalizeNumber(v)
	}
	if row.Seq == 0 && row.LineID == 0 && ok {
		bad(0, "", "缺少明细编号和序号", "neither a line id nor a seq is given")
	}
	v, c, _ := p.get(rec, "amount")
	f, err := money.ParseYuan(strings.ReplaceAll(v, ",", ""))
	if err != nil || f <= 0 {
		bad(c, "amount", fmt.Sprintf("“%s”不是有效金额（元，最多两位小数）", clip(v)), fmt.Sprintf("%q is not an amount in yuan with at most two decimals", clip(v)))
	}
	row.Amount = f
	v, c, _ = p.get(rec, "result")
	switch strings.ToLower(v) {
	case "成功", "已入账", "入账成功", "success", "succeeded", "paid", "s", "ok":
		row.Result = ResultPaid
	case "失败", "入账失败", "退回", "fail", "failed", "f":
		row.Result = ResultFailed
	default:
		bad(c, "result", fmt.Sprintf("“%s”应为“成功”或“失败”", clip(v)), fmt.Sprintf("%q must be success or failed", clip(v)))
	}
	if v, _, has := p.get(rec, "reason"); has {
		row.Reason = v
	}
	if row.Result == ResultFailed && row.Reason == "" {
		row.Reason = "银行未注明原因"
	}
	if v, c, has := p.get(rec, "date"); has && v != "" {
		d, err := parseBankDate(v)
		if err != nil {
			bad(c, "date", fmt.Sprintf("“%s”不是日期（如 2024-06-30）", clip(v)), fmt.Sprintf("%q is not a date such as 2024-06-30", clip(v)))
		}
		row.PaidOn = d
	}
	if ok {
		p.out = append(p.out, row)
	}
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func isTotalRow(rec []string) bool {
	if len(rec) == 0 {
		return false
	}
	v := strings.ToLower(strings.TrimSpace(rec[0]))
	return v == "合计" || v == "总计" || v == "total"
}

// clip shortens a cell for a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// excelEpoch is day 0 of Excel's 1900 date system for serial numbers from
// 61 on (Excel counts a 1900-02-29 that never was).
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

// parseBankDate reads 2024-06-30, 2024/06/30, 20240630 or an Excel date
// serial number.
func parseBankDate(s string) (date.Date, error) {
	for _, layout := range []string{"2006-01-02", "2006/01/02", "20060102", "2006/1/2", "2006-1-2"} {
		if len(s) >= 8 && len(s) <= 10 {
			if t, err := time.Parse(layout, s); err == nil {
				return date.FromTime(t), nil
			}
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 30000 && n < 80000 { // 1982 to 2118
		return date.FromTime(excelEpoch.AddDate(0, 0, int(n))), nil // the fraction is the time of day
	}
	return date.Date{}, errors.New("not a date")
}

// ReconcileResult sums up an applied return file.
type ReconcileResult struct {
	Batch     *Batch    `json:"batch"`
	Paid      int       `json:"paid"`
	PaidTotal money.Fen `json:"paid_fen"`
	Failed    int       `json:"failed"`
	Missing   int       `json:"missing"`
	Unchanged int       `json:"unchanged"` // rows repeating a result already recorded
}

// PreviewReturns checks a return file against a batch as Reconcile does
// and returns what Reconcile would record, recording nothing: the counts
// of the result, or every problem of the file (an apperr.List).
func PreviewReturns(ctx context.Context, s Store, a auth.Actor, county string, batchID int64, rows []ReturnRow) (*ReconcileResult, error) {
	m, err := matchReturns(ctx, s, a, county, batchID, rows)
	if err != nil {
		return nil, err
	}
	m.res.Batch = m.batch
	return m.res, nil
}

// returnMatch is a return file matched with its batch: the results to
// record and their counts.
type returnMatch struct {
	batch   *Batch
	changes []ItemResult
	res     *ReconcileResult
	lineOf  map[int]int64 // item seq → line id
	now     time.Time
}

// matchReturns checks the actor, the batch and every row of a return file
// against the batch, and works out the results to record.
func matchReturns(ctx context.Context, s Store, a auth.Actor, county string, batchID int64, rows []ReturnRow) (*returnMatch, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	b, err := s.PaymentBatch(ctx, county, batchID)
	if err != nil {
		return nil, err
	}
	if !BatchCanBecome(b.Status, Reconciled) {
		return nil, apperr.Conflictf("批次 %d 尚未审批发放，不能对账", "batch %d has not been approved: nothing to reconcile", batchID)
	}
	bySeq := map[int]int{}
	byLine := map[int64]int{}
	m := &returnMatch{batch: b, res: &ReconcileResult{}, lineOf: map[int]int64{}, now: s.Now()}
	for i, it := range b.Items {
		bySeq[it.Seq], byLine[it.LineID] = i, i
		m.lineOf[it.Seq] = it.LineID
	}
	today := date.Today(m.now)
	var probs apperr.List
	seen := map[int]int{} // item index → row
	res := m.res
	for _, r := range rows {
		idx, found := -1, false
		if r.LineID != 0 {
			idx, found = byLine[r.LineID]
		} else {
			idx, found = bySeq[r.Seq]
		}
		switch {
		case !found:
			probs = append(probs, cellProblem(r.Row, 0, "", fmt.Sprintf("本批次没有明细编号 %d / 序号 %d", r.LineID, r.Seq),
				fmt.Sprintf("the batch has no line %d / seq %d", r.LineID, r.Seq)))
			continue
		case r.LineID != 0 && r.Seq != 0 && b.Items[idx].Seq != r.Seq:
			probs = append(probs, cellProblem(r.Row, 0, "", fmt.Sprintf("明细编号 %d 的序号应为 %d，文件为 %d", r.LineID, b.Items[idx].Seq, r.Seq),
				fmt.Sprintf("line %d has seq %d, not %d", r.LineID, b.Items[idx].Seq, r.Seq)))
			continue
		}
		if prev, dup := seen[idx]; dup {
			probs = append(probs, cellProblem(r.Row, 0, "", fmt.Sprintf("与第 %d 行重复", prev), fmt.Sprintf("repeats row %d", prev)))
			continue
		}
		seen[idx] = r.Row
		it := b.Items[idx]
		if r.Amount != it.Amount {
			probs = append(probs, cellProblem(r.Row, 0, "", fmt.Sprintf("金额 %s 元与批次中的 %s 元不符", r.Amount, it.Amount),
				fmt.Sprintf("amount %s differs from the batch's %s", r.Amount, it.Amount)))
			continue
		}
		if r.Account != "" && r.Account != it.Account {
			probs = append(probs, cellProblem(r.Row, 0, "", "账号与批次中的账号不符", "the account differs from the batch's"))
			continue
		}
		if it.Result == ResultPaid || it.Result == ResultFailed {
			if it.Result != r.Result {
				probs = append(probs, cellProblem(r.Row, 0, "", fmt.Sprintf("该笔已记为“%s”，不能改为“%s”", resultChinese(it.Result), resultChinese(r.Result)),
					fmt.Sprintf("already recorded as %s, cannot become %s", it.Result, r.Result)))
				continue
			}
			res.Unchanged++
			continue
		}
		ch := ItemResult{Seq: it.Seq, Result: r.Result, At: m.now}
		if r.Result == ResultPaid {
			ch.PaidOn = r.PaidOn
			if ch.PaidOn.IsZero() {
				ch.PaidOn = today
			}
		} else {
			ch.Reason = r.Reason
		}
		m.changes = append(m.changes, ch)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	for i, it := range b.Items {
		if _, ok := seen[i]; !ok && it.Result == "" {
			m.changes = append(m.changes, ItemResult{Seq: it.Seq, Result: ResultMissing, At: m.now})
		}
	}
	for _, ch := range m.changes {
		switch ch.Result {
		case ResultPaid:
			res.Paid++
			res.PaidTotal += b.Items[bySeq[ch.Seq]].Amount
		case ResultFailed:
			res.Failed++
		default:
			res.Missing++
		}
	}
	return m, nil
}

// Reconcile applies a bank's return file to an approved batch: each row
// marks its item and line paid (with the date) or failed (with the bank's
// reason); items the file leaves out are missing. The file must match the
// batch: every row names an item of the batch by 明细编号 (or 序号), with
// the same amount and, when given, the same account. A later file may
// settle missing items; it may not change a result already recorded.
// Nothing is recorded unless the whole file is good.
func Reconcile(ctx context.Context, s Store, a auth.Actor, county string, batchID int64, rows []ReturnRow) (*ReconcileResult, error) {
	m, err := matchReturns(ctx, s, a, county, batchID, rows)
	if err != nil {
		return nil, err
	}
	b, changes, res, now := m.batch, m.changes, m.res, m.now
	county = b.County
	if err := s.SetBatchItemResults(ctx, county, batchID, changes); err != nil {
		return nil, err
	}
	// Lines: group by the new state so each group is one update.
	type state struct {
		status Status
		reason string
		paid   date.Date
	}
	groups := map[state][]int64{}
	for _, ch := range changes {
		var st state
		switch ch.Result {
		case ResultPaid:
			st = state{status: Paid, paid: ch.PaidOn}
		case ResultFailed:
			st = state{status: Failed, reason: ch.Reason}
		default:
			st = state{status: Missing}
		}
		groups[st] = append(groups[st], m.lineOf[ch.Seq])
	}
	keys := make([]state, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.status != b.status {
			return a.status < b.status
		}
		if a.reason != b.reason {
			return a.reason < b.reason
		}
		return a.paid.Before(b.paid)
	})
	for _, k := range keys {
		if err := moveLines(ctx, s, county, groups[k], LineUpdate{Status: k.status, BatchID: batchID, PaidOn: k.paid, FailReason: k.reason, At: now}); err != nil {
			return nil, err
		}
	}
	before := b.Status
	b.Status, b.ReconciledAt = Reconciled, &now
	if err := moveBatch(ctx, s, b, before); err != nil {
		return nil, err
	}
	if b, err = s.PaymentBatch(ctx, county, batchID); err != nil {
		return nil, err
	}
	res.Batch = b
	return res, s.Audit(ctx, batchEntry(a, b, "payment.batch.reconcile", map[string]any{"status": before},
		map[string]any{"status": Reconciled, "paid": res.Paid, "paid_fen": res.PaidTotal, "failed": res.Failed,
			"missing": res.Missing, "unchanged": res.Unchanged}))
}

func resultChinese(r string) string {
	return map[string]string{ResultPaid: "成功", ResultFailed: "失败", ResultMissing: "未回盘"}[r]
}
