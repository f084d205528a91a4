package payment

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
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

// ParseReturns reads a bank's return file: CSV (UTF-8, with or without a
// byte-order mark, or GBK/GB18030; encoding "" guesses) or Excel. The first
// non-empty row names the columns; a 明细编号 or 序号 column, 金额 and 结果
// are required. Every bad cell is reported with its row and column, in
// Chinese and English; the error is then an apperr.List.
func ParseReturns(data []byte, format, encoding string) ([]ReturnRow, error) {
	table, err := readTable(data, format, encoding)
	if err != nil {
		return nil, err
	}
	var probs apperr.List
	add := func(e *apperr.Error) bool {
		if len(probs) < maxProblems {
			probs = append(probs, e)
		}
		return len(probs) < maxProblems
	}
	h := 0
	for h < len(table) && blank(table[h]) {
		h++
	}
	if h == len(table) {
		return nil, apperr.Invalidf("file", "回盘文件为空", "the return file is empty")
	}
	cols := map[string]int{} // name → 0-based column
	for c, v := range table[h] {
		v = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(v, "\ufeff")))
		for name, aliases := range returnColumns {
			for _, al := range aliases {
				if v == strings.ToLower(al) {
					if _, dup := cols[name]; dup {
						add(cellProblem(h+1, c+1, name, "列名重复", "duplicate column"))
					}
					cols[name] = c
				}
			}
		}
	}
	_, hasSeq := cols["seq"]
	_, hasLine := cols["line"]
	var missing []string
	if !hasSeq && !hasLine {
		missing = append(missing, "明细编号/序号")
	}
	for _, name := range []string{"amount", "result"} {
		if _, ok := cols[name]; !ok {
			missing = append(missing, columnNames[name][0])
		}
	}
	if len(missing) > 0 {
		return nil, apperr.List{&apperr.Error{Kind: apperr.Invalid,
			ZH: fmt.Sprintf("第 %d 行（表头）缺少列：%s", h+1, strings.Join(missing, "、")),
			EN: fmt.Sprintf("row %d (header) lacks the columns %s", h+1, strings.Join(missing, ", "))}}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	get := func(rec []string, name string) (string, int, bool) {
		c, ok := cols[name]
		if !ok {
			return "", 0, false
		}
		if c >= len(rec) {
			return "", c + 1, true
		}
		return strings.TrimSpace(rec[c]), c + 1, true
	}
	var out []ReturnRow
	for i := h + 1; i < len(table); i++ {
		rec := table[i]
		if blank(rec) || isTotalRow(rec) {
			continue
		}
		row := ReturnRow{Row: i + 1}
		ok := true
		bad := func(col int, name, zh, en string) {
			ok = false
			add(cellProblem(i+1, col, name, zh, en))
		}
		if v, c, has := get(rec, "seq"); has && (v != "" || !hasLine) {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				bad(c, "seq", fmt.Sprintf("“%s”不是正整数", clip(v)), fmt.Sprintf("%q is not a positive integer", clip(v)))
			}
			row.Seq = n
		}
		if v, c, has := get(rec, "line"); has && (v != "" || !hasSeq) {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				bad(c, "line", fmt.Sprintf("“%s”不是正整数", clip(v)), fmt.Sprintf("%q is not a positive integer", clip(v)))
			}
			row.LineID = n
		}
		if v, _, has := get(rec, "account"); has {
			row.Account = normalizeNumber(v)
		}
		if row.Seq == 0 && row.LineID == 0 && ok {
			bad(0, "", "缺少明细编号和序号", "neither a line id nor a seq is given")
		}
		v, c, _ := get(rec, "amount")
		f, err := money.ParseYuan(strings.ReplaceAll(v, ",", ""))
		if err != nil || f <= 0 {
			bad(c, "amount", fmt.Sprintf("“%s”不是有效金额（元，最多两位小数）", clip(v)), fmt.Sprintf("%q is not an amount in yuan with at most two decimals", clip(v)))
		}
		row.Amount = f
		v, c, _ = get(rec, "result")
		switch strings.ToLower(v) {
		case "成功", "已入账", "入账成功", "success", "succeeded", "paid", "s", "ok":
			row.Result = ResultPaid
		case "失败", "入账失败", "退回", "fail", "failed", "f":
			row.Result = ResultFailed
		default:
			bad(c, "result", fmt.Sprintf("“%s”应为“成功”或“失败”", clip(v)), fmt.Sprintf("%q must be success or failed", clip(v)))
		}
		if v, _, has := get(rec, "reason"); has {
			row.Reason = v
		}
		if row.Result == ResultFailed && row.Reason == "" {
			row.Reason = "银行未注明原因"
		}
		if v, c, has := get(rec, "date"); has && v != "" {
			d, err := parseBankDate(v)
			if err != nil {
				bad(c, "date", fmt.Sprintf("“%s”不是日期（如 2024-06-30）", clip(v)), fmt.Sprintf("%q is not a date such as 2024-06-30", clip(v)))
			}
			row.PaidOn = d
		}
		if ok {
			out = append(out, row)
		}
		if len(probs) >= maxProblems {
			break
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	if len(out) == 0 {
		return nil, apperr.Invalidf("file", "回盘文件没有明细行", "the return file has no rows")
	}
	return out, nil
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
		t, err := excelize.ExcelDateToTime(n, false)
		if err == nil {
			return date.FromTime(t), nil
		}
	}
	return date.Date{}, errors.New("not a date")
}

// readTable decodes the file into rows of cells.
func readTable(data []byte, format, encoding string) ([][]string, error) {
	switch format {
	case FormatXLSX:
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, apperr.Invalidf("file", "不是有效的 Excel（xlsx）文件", "not a valid Excel (xlsx) file")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, apperr.Invalidf("file", "Excel 文件没有工作表", "the workbook has no sheet")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return nil, apperr.Invalidf("file", "无法读取工作表", "cannot read the worksheet")
		}
		defer rows.Close()
		var out [][]string
		for rows.Next() {
			if len(out) > maxReturnRows {
				return nil, apperr.Invalidf("file", "行数超过 %d", "more than %d rows", maxReturnRows)
			}
			rec, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, apperr.Invalidf("file", "第 %d 行无法读取", "row %d cannot be read", len(out)+1)
			}
			out = append(out, rec)
		}
		return out, nil
	case FormatCSV, "":
	default:
		return nil, apperr.Invalidf("format", "格式应为 csv 或 xlsx", "format must be csv or xlsx")
	}
	text, err := decodeText(data, encoding)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := len(out) + 1
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, apperr.List{&apperr.Error{Kind: apperr.Invalid,
				ZH: fmt.Sprintf("第 %d 行：CSV 格式错误（引号不匹配等）", line),
				EN: fmt.Sprintf("row %d: malformed CSV (unbalanced quotes or the like)", line)}}
		}
		if len(out) > maxReturnRows {
			return nil, apperr.Invalidf("file", "行数超过 %d", "more than %d rows", maxReturnRows)
		}
		out = append(out, rec)
	}
	return out, nil
}

func decodeText(data []byte, encoding string) (string, error) {
	bom := []byte("\ufeff")
	switch encoding {
	case UTF8:
		if !utf8.Valid(data) {
			return "", apperr.Invalidf("encoding", "文件不是有效的 UTF-8 文本，请选择 GBK 编码", "the file is not valid UTF-8: choose the GBK encoding")
		}
		return string(bytes.TrimPrefix(data, bom)), nil
	case GBK:
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return "", apperr.Invalidf("encoding", "文件不是有效的 GBK 文本", "the file is not valid GBK text")
		}
		return string(out), nil
	case "":
		if bytes.HasPrefix(data, bom) || utf8.Valid(data) {
			return decodeText(data, UTF8)
		}
		return decodeText(data, GBK)
	}
	return "", apperr.Invalidf("encoding", "编码应为 utf8 或 gbk", "encoding must be utf8 or gbk")
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

// Reconcile applies a bank's return file to an approved batch: each row
// marks its item and line paid (with the date) or failed (with the bank's
// reason); items the file leaves out are missing. The file must match the
// batch: every row names an item of the batch by 明细编号 (or 序号), with
// the same amount and, when given, the same account. A later file may
// settle missing items; it may not change a result already recorded.
// Nothing is recorded unless the whole file is good.
func Reconcile(ctx context.Context, s Store, a auth.Actor, county string, batchID int64, rows []ReturnRow) (*ReconcileResult, error) {
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
	if b.Status == Draft {
		return nil, apperr.Conflictf("批次 %d 尚未审批发放，不能对账", "batch %d has not been approved: nothing to reconcile", batchID)
	}
	bySeq := map[int]int{}
	byLine := map[int64]int{}
	for i, it := range b.Items {
		bySeq[it.Seq], byLine[it.LineID] = i, i
	}
	now := s.Now()
	today := date.FromTime(now.In(beijing))
	var probs apperr.List
	seen := map[int]int{} // item index → row
	res := &ReconcileResult{}
	var changes []ItemResult
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
		ch := ItemResult{Seq: it.Seq, Result: r.Result, At: now}
		if r.Result == ResultPaid {
			ch.PaidOn = r.PaidOn
			if ch.PaidOn.IsZero() {
				ch.PaidOn = today
			}
		} else {
			ch.Reason = r.Reason
		}
		changes = append(changes, ch)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	for i, it := range b.Items {
		if _, ok := seen[i]; !ok && it.Result == "" {
			changes = append(changes, ItemResult{Seq: it.Seq, Result: ResultMissing, At: now})
		}
	}
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
		it := b.Items[bySeq[ch.Seq]]
		var st state
		switch ch.Result {
		case ResultPaid:
			st = state{status: Paid, paid: ch.PaidOn}
			res.Paid++
			res.PaidTotal += it.Amount
		case ResultFailed:
			st = state{status: Failed, reason: ch.Reason}
			res.Failed++
		default:
			st = state{status: Missing}
			res.Missing++
		}
		groups[st] = append(groups[st], it.LineID)
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
		if err := s.UpdatePaymentLines(ctx, county, groups[k], LineUpdate{Status: k.status, BatchID: batchID, PaidOn: k.paid, FailReason: k.reason, At: now}); err != nil {
			return nil, err
		}
	}
	before := b.Status
	b.Status, b.ReconciledAt = Reconciled, &now
	if err := s.UpdatePaymentBatch(ctx, b); err != nil {
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

// beijing is China Standard Time: "today" for a county office.
var beijing = time.FixedZone("CST", 8*3600)
