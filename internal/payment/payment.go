// Package payment pays the benefits the roll says are due, in the amounts
// the policy engine decides when a cycle is run: payment cycles per
// program and period, supplementary runs for the persons enrolled since,
// batches per bank with a maker–checker release, bank files (CSV in UTF-8
// or GBK, Excel),
// reconciliation of the bank's return file, retries of failed lines, the
// funds ledger by level of government, the "库册一致" check of the payment
// roll against the recipient roll, and notification letters (告知书).
//
// Money is money.Fen throughout and every amount carries its split by
// paying level (central, province, city, county), copied from the
// engine's decision; the levels of a line always add up to its amount.
//
// The package holds the rules; storage is behind Store, which the store
// package implements. Every use case runs in one transaction that the
// caller opens, so a crash leaves it done or not done, never half done.
package payment

import (
	"context"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Store is what payment needs from storage. Reads of one county take the
// county code; the use cases check the actor's scope before calling them.
// Methods return apperr NotFound for a missing row and apperr Conflict
// when a write breaks a uniqueness rule (a second cycle for the same
// program and period, a second payment of a period).
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error
	PersonByKey(ctx context.Context, scope region.Code, k registry.Key) (*registry.Record, error)

	// PaymentParams returns the county's stored parameter values.
	PaymentParams(ctx context.Context, county string) (map[string]string, error)
	// SavePaymentParams stores values (name → value) for the county.
	SavePaymentParams(ctx context.Context, county string, values map[string]string, by int64) error

	// BankAccount returns the person's account, NotFound if there is none.
	BankAccount(ctx context.Context, county string, personID int64) (*Account, error)
	// SaveBankAccount inserts a (Version 1) or updates it over Version-1;
	// Conflict when the stored version differs.
	SaveBankAccount(ctx context.Context, a *Account) error
	// BankAccounts returns the accounts of the persons that have one.
	BankAccounts(ctx context.Context, county string, personIDs []int64) (map[int64]Account, error)
	// PaymentPayees returns the payees recorded for persons, by person and
	// program (paidInto).
	PaymentPayees(ctx context.Context, county string, personIDs []int64) (map[PayeeKey]int64, error)
	// PaymentPersonStates returns name, ID number, death and hold of persons.
	PaymentPersonStates(ctx context.Context, county string, personIDs []int64) (map[int64]PersonState, error)
	// SetPaymentHold raises (or replaces) a hold on a person; ClearHold lifts it.
	SetPaymentHold(ctx context.Context, county string, personID int64, reason string, by int64) error
	ClearPaymentHold(ctx context.Context, county string, personID int64) error
	// UnseenAtReview returns those of persons who were on the county's
	// roll (active) before year and have no record of the face-to-face
	// review of year or of a later year.
	UnseenAtReview(ctx context.Context, county string, personIDs []int64, year int) (map[int64]bool, error)

	// PaymentCycles returns the county's cycles matching f, oldest period first.
	PaymentCycles(ctx context.Context, county string, f CycleFilter) ([]Cycle, error)
	PaymentCycle(ctx context.Context, county string, id int64) (*Cycle, error)
	InsertPaymentCycle(ctx context.Context, c *Cycle) error
	// AddToPaymentCycle adds lines lines and total fen to a cycle's counts.
	AddToPaymentCycle(ctx context.Context, county string, id int64, lines int, total money.Fen) error
	// PaymentRoll returns every recipient of the program in the county (any
	// status) with what payment needs of the person.
	PaymentRoll(ctx context.Context, county, program string) ([]Recipient, error)
	PaymentLines(ctx context.Context, county string, f LineFilter) ([]Line, error)
	PaymentLine(ctx context.Context, county string, id int64) (*Line, error)
	InsertPaymentLines(ctx context.Context, lines []Line) error
	// UpdatePaymentLines sets the state of those of the lines ids that
	// are in one of the statuses from to u, and returns how many it set.
	UpdatePaymentLines(ctx context.Context, county string, ids []int64, from []Status, u LineUpdate) (int, error)

	// PaymentBatch returns a batch with its items in sequence order.
	PaymentBatch(ctx context.Context, county string, id int64) (*Batch, error)
	PaymentBatches(ctx context.Context, county string, f BatchFilter) ([]Batch, error)
	// InsertPaymentBatch writes a batch and its items.
	InsertPaymentBatch(ctx context.Context, b *Batch) error
	// ReplaceBatchItems rewrites the items, count and total of a draft
	// batch; a batch left without items is deleted.
	ReplaceBatchItems(ctx context.Context, b *Batch) error
	// UpdatePaymentBatch writes the status, approval and reconciliation
	// fields of a batch still in status from; Conflict when it is not.
	UpdatePaymentBatch(ctx context.Context, b *Batch, from string) error
	// SetBatchItemResults records the bank's result for items of a batch.
	SetBatchItemResults(ctx context.Context, county string, batchID int64, rs []ItemResult) error
	// LineRegions returns the region of each of the lines ids.
	LineRegions(ctx context.Context, county string, ids []int64) (map[int64]string, error)

	// BankTemplates returns the county's bank templates, by bank code;
	// BankTemplate one of them, NotFound when the bank has none.
	BankTemplates(ctx context.Context, county string) ([]BankTemplate, error)
	BankTemplate(ctx context.Context, county, bank string) (*BankTemplate, error)
	// SaveBankTemplate inserts t (Version 1) or updates it over
	// Version-1; Conflict when the stored version differs.
	SaveBankTemplate(ctx context.Context, t *BankTemplate) error
	// DeleteBankTemplate deletes the template of version; Conflict when
	// the stored version differs or there is none.
	DeleteBankTemplate(ctx context.Context, county, bank string, version int) error

	// LastBatchItems returns, for each line, the item of the latest batch the
	// line was sent in.
	LastBatchItems(ctx context.Context, county string, lineIDs []int64) (map[int64]Item, error)

	// PaymentLedgerRows returns the paid lines in scope paid in year, summed per
	// person, program and region.
	PaymentLedgerRows(ctx context.Context, scope region.Code, year int, program string) ([]LedgerRow, error)
	// PaymentRecoveryRows returns the recovery lines in scope of the
	// cycles of year, summed per person, program and region.
	PaymentRecoveryRows(ctx context.Context, scope region.Code, year int, program string) ([]LedgerRow, error)
}

// Split is an amount by paying level, in the order of
// policy.FundingLevels: central, province, city, county.
type Split [4]money.Fen

// Total returns the sum of the levels.
func (s Split) Total() money.Fen { return s[0] + s[1] + s[2] + s[3] }

// Sub returns s − o level by level.
func (s Split) Sub(o Split) Split {
	return Split{s[0] - o[0], s[1] - o[1], s[2] - o[2], s[3] - o[3]}
}

// Add returns s + o level by level.
func (s Split) Add(o Split) Split {
	return Split{s[0] + o[0], s[1] + o[1], s[2] + o[2], s[3] + o[3]}
}

// Recipient is one row of the recipient roll with what payment needs of
// the person.
type Recipient struct {
	ID         int64
	PersonID   int64
	Program    string
	Tier       string
	Region     string
	Confirmed  date.Date
	StartYear  int
	StartMonth int
	Status     string // one of roll.Statuses
	ExitDate   date.Date
	LastMonth  int // paid up to this month index after an exit; -1 when not set
	// Carried is how many months of the start year's schedule another
	// county paid before the entry was handed over (package move): the
	// entry pays the rest of the year from that point of the schedule.
	Carried int
	PersonState
}

// PersonState is what payment needs to know of a person when it pays.
type PersonState struct {
	Name        string
	IDNumber    string
	Death       date.Date
	DeathSource string
	Hold        string // reason of a payment hold; "" when none
	// Unseen is the year of the face-to-face review that has not seen
	// the person by its deadline (0 when none): their money is held.
	Unseen int
}

// holdReason says why a person's lines must wait for verification (rules.md
// §3.4 point 6), or "" when they need not.
func (p PersonState) holdReason() string {
	switch {
	case !p.Death.IsZero():
		src := ""
		if p.DeathSource != "" {
			src = "，来源：" + p.DeathSource
		}
		return "已登记死亡（" + p.Death.String() + src + "），待核实"
	case p.Hold != "":
		return "疑似死亡：" + p.Hold
	case p.Unseen > 0:
		return UnseenHoldReason(p.Unseen)
	}
	return ""
}

// Entitlement is one eligible decision: what a person is due for a
// program in a year, over Months months, by paying level.
type Entitlement struct {
	PersonID int64
	Year     int
	Amount   money.Fen
	Months   int
	Split    Split
}

// PaymentCycle is one run of a program for a period in a county.
type Cycle struct {
	County        string    `json:"county"`
	ID            int64     `json:"id"`
	Program       string    `json:"program"`
	Period        Period    `json:"period"`
	Lines         int       `json:"line_count"`
	Total         money.Fen `json:"total_fen"`
	CreatedBy     int64     `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
}

// CycleFilter selects cycles; zero fields match anything.
type CycleFilter struct {
	Program string
	Year    int
}

// LineKind says why a line exists.
type LineKind string

// The line kinds.
const (
	Regular    LineKind = "regular"    // the cycle's own period
	Arrears    LineKind = "arrears"    // an earlier period in which the person was not paid (补发)
	Correction LineKind = "correction" // the difference for a period paid with a wrong amount (更正)
)

// Status is where a line is on its way to the person's account.
type Status string

// The line statuses.
const (
	Pending   Status = "pending"   // to be batched
	Held      Status = "held"      // waits for a suspected death to be verified
	Batched   Status = "batched"   // in a batch
	Paid      Status = "paid"      // the bank paid it
	Failed    Status = "failed"    // the bank refused it; retried once the account is fixed
	Missing   Status = "missing"   // absent from the bank's return file
	Cancelled Status = "cancelled" // verified not due
	Recovery  Status = "recovery"  // a negative correction: to be recovered, never sent to a bank
)

// StatusNames names the line statuses, in the order a line goes through
// them (the order the cycle page's tabs and a sort by status follow). The
// bank's result of a batch item is one of Paid, Failed and Missing, named
// alike.
var StatusNames = term.List{
	{Code: string(Pending), ZH: "待发", EN: "Pending"},
	{Code: string(Held), ZH: "暂扣待核实", EN: "Held"},
	{Code: string(Batched), ZH: "已制批", EN: "In a batch"},
	{Code: string(Paid), ZH: "已发放", EN: "Paid"},
	{Code: string(Failed), ZH: "发放失败", EN: "Failed"},
	{Code: string(Missing), ZH: "未回盘", EN: "Missing"},
	{Code: string(Recovery), ZH: "待追回", EN: "To recover"},
	{Code: string(Cancelled), ZH: "已取消", EN: "Cancelled"},
}

// Statuses lists the line statuses in the order of StatusNames.
var Statuses = term.Codes[Status](StatusNames)

// PaymentLine is what one person is paid for one program and period (revision
// 0), or a correction of it (revision 1, 2, …).
type Line struct {
	County      string    `json:"county"`
	ID          int64     `json:"id"`
	CycleID     int64     `json:"cycle_id"`
	PersonID    int64     `json:"person_id"`
	RecipientID int64     `json:"recipient_id"`
	Program     string    `json:"program"`
	Period      Period    `json:"period"`
	Revision    int       `json:"revision"`
	Kind        LineKind  `json:"kind"`
	Tier        string    `json:"tier,omitempty"`
	Region      string    `json:"region"`
	Months      int       `json:"months"`
	Amount      money.Fen `json:"amount_fen"`
	Split       Split     `json:"split_fen"`
	Note        string    `json:"note"`
	Status      Status    `json:"status"`
	HoldReason  string    `json:"hold_reason,omitempty"`
	BatchID     int64     `json:"batch_id,omitempty"`
	PaidOn      date.Date `json:"paid_on"`
	FailReason  string    `json:"fail_reason,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// LineFilter selects lines; zero fields match anything.
type LineFilter struct {
	CycleID  int64
	BatchID  int64
	PersonID int64
	Program  string
	// Region selects the lines of persons within a division (a township,
	// a village): a code prefix.
	Region   string
	Periods  []string
	Statuses []Status
	Kinds    []LineKind
	// Sort is one of LineSortKeys ("" for LineSortRegion); Desc reverses
	// the order. Lines that tie on the key follow region, person, period,
	// revision and id, so pages are stable.
	Sort   string
	Desc   bool
	Limit  int // 0: no limit
	Offset int
}

// The keys lines may be sorted by.
const (
	LineSortRegion = "region"
	LineSortName   = "name"   // the person's name
	LineSortAmount = "amount" // amount_fen
	LineSortStatus = "status" // in the order of Statuses
)

// LineSortKeys lists the sort keys of lines; the first is the default.
var LineSortKeys = []string{LineSortRegion, LineSortName, LineSortAmount, LineSortStatus}

// LineCount is how many lines of a status and kind there are, and their
// sum.
type LineCount struct {
	Status Status
	Kind   LineKind
	Lines  int
	Amount money.Fen
}

// LineUpdate is the new state of lines. Every field is written.
type LineUpdate struct {
	Status     Status
	HoldReason string
	BatchID    int64 // 0: none
	PaidOn     date.Date
	FailReason string
	At         time.Time
}

// LedgerRow is what a person was paid in a year for a program, in one
// region.
type LedgerRow struct {
	PersonID int64
	Program  string
	Region   string
	Amount   money.Fen
	Split    Split
}

// Chinese returns the status as staff read it.
func (s Status) Chinese() string { return StatusNames.Chinese(string(s)) }

// KindNames names the line kinds.
var KindNames = term.List{
	{Code: string(Regular), ZH: "正常发放", EN: "Regular"},
	{Code: string(Arrears), ZH: "补发", EN: "Arrears"},
	{Code: string(Correction), ZH: "更正", EN: "Correction"},
}

// Chinese returns the kind as a letter prints it.
func (k LineKind) Chinese() string { return KindNames.Chinese(string(k)) }

func ref(id int64) string { return strconv.FormatInt(id, 10) }
