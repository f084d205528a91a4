package payment

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// PaymentBatch kinds.
const (
	RegularBatch = "regular" // the pending lines of a cycle
	RetryBatch   = "retry"   // failed lines whose account has been fixed
)

// BatchKindNames names the batch kinds.
var BatchKindNames = term.List{
	{Code: RegularBatch, ZH: "正常发放", EN: "Regular"},
	{Code: RetryBatch, ZH: "失败重发", EN: "Retry"},
}

// PaymentBatch statuses.
const (
	Draft      = "draft"      // made; waits for a second finance officer
	Approved   = "approved"   // released: the bank file may be downloaded
	Reconciled = "reconciled" // a return file was applied
	// Recalled: released, then taken back before the bank confirmed
	// anything; its lines are pending again and the batch is kept as it
	// was, for the record.
	Recalled = "recalled"
)

// BatchStatusNames names the batch statuses, in the order a batch goes
// through them.
var BatchStatusNames = term.List{
	{Code: Draft, ZH: "待审批", EN: "Awaiting approval"},
	{Code: Approved, ZH: "已审批", EN: "Approved"},
	{Code: Reconciled, ZH: "已对账", EN: "Reconciled"},
	{Code: Recalled, ZH: "已撤回", EN: "Recalled"},
}

// PaymentBatch is what one bank is asked to pay at once: a count and a total that
// a finance officer other than its maker approves before the file is
// released.
type Batch struct {
	County         string     `json:"county"`
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	CycleID        int64      `json:"cycle_id,omitempty"`
	Bank           string     `json:"bank"`
	Status         string     `json:"status"`
	Count          int        `json:"count"`
	Total          money.Fen  `json:"total_fen"`
	CreatedBy      int64      `json:"created_by"`
	CreatedByName  string     `json:"created_by_name"`
	CreatedAt      time.Time  `json:"created_at"`
	ApprovedBy     int64      `json:"approved_by,omitempty"`
	ApprovedByName string     `json:"approved_by_name,omitempty"`
	ApprovedAt     *time.Time `json:"approved_at,omitempty"`
	ReconciledAt   *time.Time `json:"reconciled_at,omitempty"`
	RecalledBy     int64      `json:"recalled_by,omitempty"`
	RecalledByName string     `json:"recalled_by_name,omitempty"`
	RecalledAt     *time.Time `json:"recalled_at,omitempty"`
	RecallReason   string     `json:"recall_reason,omitempty"`
	Items          []Item     `json:"items,omitempty"`
}

// Item is one line of a batch exactly as sent to the bank.
type Item struct {
	Seq      int       `json:"seq"`
	LineID   int64     `json:"line_id"`
	PersonID int64     `json:"person_id"`
	Name     string    `json:"name"`
	IDNumber string    `json:"id_number"`
	Bank     string    `json:"bank"`
	Account  string    `json:"account_no"`
	Amount   money.Fen `json:"amount_fen"`
	Program  string    `json:"program"`
	Period   string    `json:"period"`
	Result   string    `json:"result"` // "", paid, failed, missing
	Reason   string    `json:"reason,omitempty"`
	PaidOn   date.Date `json:"paid_on"`
	BatchID  int64     `json:"batch_id,omitempty"` // filled by LastItems
	ResultAt time.Time `json:"-"`
}

// Item results.
const (
	ResultPaid    = "paid"
	ResultFailed  = "failed"
	ResultMissing = "missing"
)

// ItemResult is the bank's answer for one item.
type ItemResult struct {
	Seq    int
	Result string
	Reason string
	PaidOn date.Date
	At     time.Time
}

// BatchFilter selects batches; zero fields match anything.
type BatchFilter struct {
	CycleID int64
	Status  string
}

// BatchRun is the outcome of making batches.
type BatchRun struct {
	Batches   []Batch `json:"batches"`
	Held      []Line  `json:"held"`       // lines held now: a death was recorded or suspected
	NoAccount []Line  `json:"no_account"` // lines left pending: the person has no account
}

// GenerateBatches puts the pending lines of a cycle into one batch per
// bank. A line whose person has since been recorded or flagged as dead is
// held instead; a line whose person has no account stays pending. The
// items copy name, ID number and account, so the bank file never changes
// afterwards.
func GenerateBatches(ctx context.Context, s Store, a auth.Actor, county string, cycleID int64) (*BatchRun, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	if _, err := s.PaymentCycle(ctx, county, cycleID); err != nil {
		return nil, err
	}
	lines, err := s.PaymentLines(ctx, county, LineFilter{CycleID: cycleID, Statuses: []Status{Pending}})
	if err != nil {
		return nil, err
	}
	run, err := makeBatches(ctx, s, a, county, RegularBatch, cycleID, lines)
	if err != nil {
		return nil, err
	}
	if len(run.Batches) == 0 {
		return run, apperr.Conflictf("该周期没有可发放的待发明细（已暂扣 %d 条，无账户 %d 条）",
			"the cycle has no pending lines to pay (%d held, %d without an account)", len(run.Held), len(run.NoAccount))
	}
	return run, nil
}

func makeBatches(ctx context.Context, s Store, a auth.Actor, county, kind string, cycleID int64, lines []Line) (*BatchRun, error) {
	run := &BatchRun{}
	persons := make([]int64, 0, len(lines))
	for _, l := range lines {
		persons = append(persons, l.PersonID)
	}
	states, err := s.PaymentPersonStates(ctx, county, persons)
	if err != nil {
		return nil, err
	}
	if err := reviewHolds(ctx, s, county, states); err != nil {
		return nil, err
	}
	keys := make([]PayeeKey, len(lines))
	for i, l := range lines {
		keys[i] = PayeeKey{l.PersonID, l.Program}
	}
	accounts, whose, err := paidInto(ctx, s, county, keys)
	if err != nil {
		return nil, err
	}
	// The bank file names the account's holder with the holder's own ID
	// number: a payee's when the line is paid to one.
	var payees []int64
	for k, p := range whose {
		if p != k.PersonID {
			payees = append(payees, p)
		}
	}
	payeeStates, err := s.PaymentPersonStates(ctx, county, payees)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	byBank := map[string][]Line{}
	heldBy := map[string][]int64{}
	for _, l := range lines {
		if l.Amount <= 0 {
			continue
		}
		if why := states[l.PersonID].holdReason(); why != "" {
			l.Status, l.HoldReason = Held, why
			run.Held = append(run.Held, l)
			heldBy[why] = append(heldBy[why], l.ID)
			continue
		}
		acc, ok := accounts[PayeeKey{l.PersonID, l.Program}]
		if !ok {
			run.NoAccount = append(run.NoAccount, l)
			continue
		}
		byBank[acc.Bank] = append(byBank[acc.Bank], l)
	}
	reasons := make([]string, 0, len(heldBy))
	for why := range heldBy {
		reasons = append(reasons, why)
	}
	sort.Strings(reasons)
	for _, why := range reasons {
		if err := moveLines(ctx, s, county, heldBy[why], LineUpdate{Status: Held, HoldReason: why, At: now}); err != nil {
			return nil, err
		}
		for _, id := range heldBy[why] {
			if err := s.Audit(ctx, lineEntry(a, county, "payment.line.hold", id, map[string]string{"hold_reason": why})); err != nil {
				return nil, err
			}
		}
	}
	banks := make([]string, 0, len(byBank))
	for b := range byBank {
		banks = append(banks, b)
	}
	sort.Strings(banks)
	for _, bank := range banks {
		ls := byBank[bank]
		sort.Slice(ls, func(i, j int) bool {
			if ls[i].Region != ls[j].Region {
				return ls[i].Region < ls[j].Region
			}
			return ls[i].ID < ls[j].ID
		})
		id, err := s.NextIDs(ctx, "payment_batch", 1)
		if err != nil {
			return nil, err
		}
		b := Batch{County: county, ID: id, Kind: kind, CycleID: cycleID, Bank: bank, Status: Draft,
			CreatedBy: a.UserID, CreatedByName: actorName(a), CreatedAt: now}
		ids := make([]int64, len(ls))
		for i, l := range ls {
			k := PayeeKey{l.PersonID, l.Program}
			acc, st := accounts[k], states[l.PersonID]
			if p := whose[k]; p != l.PersonID {
				st = payeeStates[p]
			}
			b.Items = append(b.Items, Item{Seq: i + 1, LineID: l.ID, PersonID: l.PersonID, Name: acc.Holder,
				IDNumber: st.IDNumber, Bank: bank, Account: acc.Number, Amount: l.Amount, Program: l.Program,
				Period: l.Period.String()})
			b.Total += l.Amount
			ids[i] = l.ID
		}
		b.Count = len(b.Items)
		if err := s.InsertPaymentBatch(ctx, &b); err != nil {
			return nil, err
		}
		if err := moveLines(ctx, s, county, ids, LineUpdate{Status: Batched, BatchID: id, At: now}); err != nil {
			return nil, err
		}
		if err := s.Audit(ctx, batchEntry(a, &b, "payment.batch.create", nil,
			map[string]any{"kind": kind, "cycle_id": cycleID, "bank": bank, "count": b.Count, "total_fen": b.Total})); err != nil {
			return nil, err
		}
		run.Batches = append(run.Batches, b)
	}
	return run, nil
}

func actorName(a auth.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Username
}

func batchEntry(a auth.Actor, b *Batch, action string, before, after any) audit.Entry {
	return audit.Entry{County: b.County, UserID: a.UserID, Username: a.Username, Action: action,
		Entity: "payment_batch", EntityID: strconv.FormatInt(b.ID, 10), Region: b.County,
		Before: audit.JSON(before), After: audit.JSON(after)}
}

func lineEntry(a auth.Actor, county, action string, id int64, after any) audit.Entry {
	return audit.Entry{County: county, UserID: a.UserID, Username: a.Username, Action: action,
		Entity: "payment_line", EntityID: strconv.FormatInt(id, 10), Region: county, After: audit.JSON(after)}
}

// Approval is what the approving officer saw: the batch's count and total.
// The approval fails unless both match the batch as stored.
type Approval struct {
	Count int       `json:"count"`
	Total money.Fen `json:"total_fen"`
}

// Approve releases a draft batch. The approver needs the payment.approve
// permission and must not be the officer who made the batch (maker–
// checker); the count and total they confirm must match the items.
func Approve(ctx context.Context, s Store, a auth.Actor, county string, id int64, seen Approval) (*Batch, error) {
	if err := auth.Require(a, auth.PermPaymentApprove); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	b, err := s.PaymentBatch(ctx, county, id)
	if err != nil {
		return nil, err
	}
	if !BatchCanBecome(b.Status, Approved) {
		return nil, &apperr.Error{Kind: apperr.Conflict, ZH: fmt.Sprintf("批次 %d 已%s，不能再审批", id, statusChinese(b.Status)),
			EN: fmt.Sprintf("batch %d is already %s", id, b.Status)}
	}
	if a.UserID == b.CreatedBy {
		return nil, apperr.Forbiddenf("批次由您本人生成，须由另一名财务人员审批（制单与审批分离）",
			"you made this batch: another finance officer must approve it (maker–checker)")
	}
	var sum money.Fen
	for _, it := range b.Items {
		sum += it.Amount
	}
	if len(b.Items) != b.Count || sum != b.Total {
		return nil, fmt.Errorf("batch %d: items (%d, %d fen) disagree with its header (%d, %d fen)", id, len(b.Items), sum, b.Count, b.Total)
	}
	persons := make([]int64, len(b.Items))
	for i, it := range b.Items {
		persons[i] = it.PersonID
	}
	states, err := s.PaymentPersonStates(ctx, county, persons)
	if err != nil {
		return nil, err
	}
	var dead []string
	for _, it := range b.Items {
		if states[it.PersonID].holdReason() != "" {
			dead = append(dead, it.Name)
		}
	}
	if len(dead) > 0 {
		return nil, apperr.Conflictf("批次中有已登记死亡或疑似死亡的人员（%s），请先暂扣其发放（payment-hold）再审批",
			"the batch pays persons with a recorded or suspected death (%s): hold their payment first", strings.Join(dead, "、"))
	}
	if seen.Count != b.Count || seen.Total != b.Total {
		return nil, apperr.Conflictf("核对不符：批次为 %d 笔 %s 元，审批确认的是 %d 笔 %s 元",
			"figures do not match: the batch has %d items, %s yuan; you confirmed %d items, %s yuan", b.Count, b.Total, seen.Count, seen.Total)
	}
	now := s.Now()
	b.Status, b.ApprovedBy, b.ApprovedByName, b.ApprovedAt = Approved, a.UserID, actorName(a), &now
	if err := moveBatch(ctx, s, b, Draft); err != nil {
		return nil, err
	}
	return b, s.Audit(ctx, batchEntry(a, b, "payment.batch.approve", map[string]any{"status": Draft},
		map[string]any{"status": Approved, "count": b.Count, "total_fen": b.Total}))
}

func statusChinese(s string) string {
	return map[string]string{Draft: "待审批", Approved: "审批", Reconciled: "对账", Recalled: "撤回"}[s]
}

// maxRecallReason bounds the reason of a recall, in characters.
const maxRecallReason = 200

// Recall takes back a released batch before the bank has confirmed
// anything: the batch is approved and no return file has been recorded
// for it. Its lines go back to pending, to be batched again (with the
// account as it stands then); the batch stays, marked recalled with who
// recalled it, when and why, and its file can no longer be taken. The
// finance officer recalls, with a reason.
func Recall(ctx context.Context, s Store, a auth.Actor, county string, id int64, reason string) (*Batch, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, apperr.Invalidf("reason", "请填写撤回原因", "give the reason for the recall")
	}
	if e := textcheck.Check("reason", reason, textcheck.Para, maxRecallReason); e != nil {
		return nil, e
	}
	b, err := s.PaymentBatch(ctx, county, id)
	if err != nil {
		return nil, err
	}
	switch {
	case b.Status == Draft:
		return nil, apperr.Conflictf("批次 %d 尚未审批，无需撤回", "batch %d is not released: there is nothing to recall", id)
	case b.Status == Reconciled:
		return nil, apperr.Conflictf("批次 %d 已录入银行回盘文件，不能撤回", "the bank's return file of batch %d is recorded: it cannot be recalled", id)
	case !BatchCanBecome(b.Status, Recalled):
		return nil, apperr.Conflictf("批次 %d 已%s，不能撤回", "batch %d is %s: it cannot be recalled", id, statusChinese(b.Status))
	}
	for _, it := range b.Items {
		if it.Result != "" {
			return nil, apperr.Conflictf("批次 %d 已有银行回盘结果，不能撤回", "batch %d has results from the bank: it cannot be recalled", id)
		}
	}
	ids := make([]int64, len(b.Items))
	for i, it := range b.Items {
		ids[i] = it.LineID
	}
	now := s.Now()
	if err := moveLines(ctx, s, county, ids, LineUpdate{Status: Pending, At: now}); err != nil {
		return nil, err
	}
	b.Status, b.RecalledBy, b.RecalledByName, b.RecalledAt, b.RecallReason = Recalled, a.UserID, actorName(a), &now, reason
	if err := moveBatch(ctx, s, b, Approved); err != nil {
		return nil, err
	}
	return b, s.Audit(ctx, batchEntry(a, b, "payment.batch.recall", map[string]any{"status": Approved},
		map[string]any{"status": Recalled, "reason": reason, "count": b.Count, "total_fen": b.Total, "lines": ids}))
}

// Retry is a failed line and whether its account has been fixed since.
type Retry struct {
	Line     Line      `json:"line"`
	Failed   Item      `json:"failed"` // the item the bank refused
	Account  *Account  `json:"account,omitempty"`
	Fixed    bool      `json:"fixed"` // the account was saved after the failure
	FailedAt time.Time `json:"failed_at"`
}

// Retries lists the county's failed lines with the bank's reason and
// whether the account has been corrected since (the retry list).
func Retries(ctx context.Context, s Store, a auth.Actor, county string) ([]Retry, error) {
	if err := auth.Require(a, auth.PermPaymentRead); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	return retries(ctx, s, county)
}

func retries(ctx context.Context, s Store, county string) ([]Retry, error) {
	lines, err := s.PaymentLines(ctx, county, LineFilter{Statuses: []Status{Failed}})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(lines))
	keys := make([]PayeeKey, len(lines))
	for i, l := range lines {
		ids[i], keys[i] = l.ID, PayeeKey{l.PersonID, l.Program}
	}
	items, err := s.LastBatchItems(ctx, county, ids)
	if err != nil {
		return nil, err
	}
	accounts, _, err := paidInto(ctx, s, county, keys)
	if err != nil {
		return nil, err
	}
	out := make([]Retry, 0, len(lines))
	for _, l := range lines {
		r := Retry{Line: l, Failed: items[l.ID], FailedAt: items[l.ID].ResultAt}
		if acc, ok := accounts[PayeeKey{l.PersonID, l.Program}]; ok {
			r.Account = &acc
			r.Fixed = acc.UpdatedAt.After(r.FailedAt)
		}
		out = append(out, r)
	}
	return out, nil
}

// GenerateRetryBatches puts the failed lines whose account was fixed
// after the failure into retry batches, one per bank. A line is the same
// row whatever batch carries it, so it is paid at most once.
func GenerateRetryBatches(ctx context.Context, s Store, a auth.Actor, county string) (*BatchRun, error) {
	if err := auth.Require(a, auth.PermPaymentManage); err != nil {
		return nil, err
	}
	county, err := parseCounty(a, county)
	if err != nil {
		return nil, err
	}
	rs, err := retries(ctx, s, county)
	if err != nil {
		return nil, err
	}
	var lines []Line
	for _, r := range rs {
		if r.Fixed {
			lines = append(lines, r.Line)
		}
	}
	if len(lines) == 0 {
		return nil, apperr.Conflictf("没有已更正账户的失败明细可重发（失败 %d 条）",
			"no failed line has had its account fixed (%d failed)", len(rs))
	}
	return makeBatches(ctx, s, a, county, RetryBatch, 0, lines)
}
