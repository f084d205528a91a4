// Package roll is the recipient roll (名册): who is confirmed for which
// program from which month, at which tier, whether they are still on it,
// and the change records that say what changed, from when and why. It
// also owns the roll's words, each listed once in order with its Chinese
// and English names: the statuses, the kinds of change, the reasons of an
// exit and the registry events whose consequences the roll works out.
//
// The qualification procedure (workflow) writes the roll: it enrols an
// approved applicant, suspends and resumes a recipient while an objection
// is checked, and applies registry events and the annual review. Payment
// pays from it. Storage is behind Store, which the store package
// implements.
package roll

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Recipient is one row of the roll: a person confirmed for a program,
// from a period, and whether they are still on it. Payment reads it:
// months from StartYear/StartMonth through LastMonth (when exited).
type Recipient struct {
	County     string    `json:"county"`
	ID         int64     `json:"id"`
	PersonID   int64     `json:"person_id"`
	Program    string    `json:"program"`
	Tier       string    `json:"tier"`
	Region     string    `json:"region"`
	CaseID     int64     `json:"case_id,omitempty"`
	Confirmed  date.Date `json:"confirmed"`
	StartYear  int       `json:"start_year"`
	StartMonth int       `json:"start_month"`
	Status     string    `json:"status"`
	ExitReason string    `json:"exit_reason,omitempty"`
	ExitDate   date.Date `json:"exit_date,omitempty"`
	// LastMonth is the last month paid after an exit, as year*12+month-1
	// (date.Date.MonthIndex); 0 while the recipient has not exited.
	LastMonth    int       `json:"last_month,omitempty"`
	ReviewedYear int       `json:"reviewed_year,omitempty"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Statuses of a recipient.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended" // payment held while an objection is checked
	StatusExited    = "exited"
)

// Statuses names the statuses of a recipient, in the order filters and
// counts list them.
var Statuses = term.List{
	{Code: StatusActive, ZH: "在册", EN: "active"},
	{Code: StatusSuspended, ZH: "暂停", EN: "suspended"},
	{Code: StatusExited, ZH: "已退出", EN: "exited"},
}

// StartIndex returns the first month paid as year*12+month-1.
func (r *Recipient) StartIndex() int { return r.StartYear*12 + r.StartMonth - 1 }

// PaidThrough returns the last month paid as "YYYY-MM", or "" while the
// recipient is on the roll.
func (r *Recipient) PaidThrough() string {
	if r.Status != StatusExited {
		return ""
	}
	if r.LastMonth < r.StartIndex() {
		return "—"
	}
	return Month(r.LastMonth)
}

// Month returns month index idx (year*12+month-1) as "YYYY-MM".
func Month(idx int) string { return fmt.Sprintf("%04d-%02d", idx/12, idx%12+1) }

// FirstOfMonth returns the first day of month index idx.
func FirstOfMonth(idx int) date.Date { return date.Of(idx/12, time.Month(idx%12+1), 1) }

// Summary sums up a recipient for a change record: program/status[/tier],
// and the month paid through once exited.
func Summary(r *Recipient) string {
	if r == nil {
		return ""
	}
	s := r.Program + "/" + r.Status
	if r.Tier != "" {
		s += "/" + r.Tier
	}
	if r.LastMonth != 0 && r.Status == StatusExited {
		s += "/to " + r.PaidThrough()
	}
	return s
}

// Change is a change record (变更) of a recipient: what changed, from when,
// why, on what evidence and by whom.
type Change struct {
	County      string    `json:"county"`
	ID          int64     `json:"id"`
	RecipientID int64     `json:"recipient_id"`
	Kind        string    `json:"kind"` // one of ChangeKinds
	Before      string    `json:"before"`
	After       string    `json:"after"`
	Effective   date.Date `json:"effective"`
	Reason      string    `json:"reason"`
	Evidence    string    `json:"evidence,omitempty"`
	UserID      int64     `json:"user_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// Kinds of change.
const (
	ChangeExit    = "exit"
	ChangeTier    = "tier"
	ChangeSwitch  = "switch"
	ChangeSuspend = "suspend"
	ChangeResume  = "resume"
	ChangeReentry = "reentry"
	ChangeMovedIn = "moved_in" // handed over by another county (package move)
)

// ChangeKinds names the kinds of change.
var ChangeKinds = term.List{
	{Code: ChangeExit, ZH: "退出", EN: "Exit"},
	{Code: ChangeTier, ZH: "档次变更", EN: "Tier changed"},
	{Code: ChangeSwitch, ZH: "转换项目", EN: "Switched program"},
	{Code: ChangeSuspend, ZH: "暂停发放", EN: "Suspended"},
	{Code: ChangeResume, ZH: "恢复发放", EN: "Resumed"},
	{Code: ChangeReentry, ZH: "重新确认", EN: "Re-entry"},
	{Code: ChangeMovedIn, ZH: "迁入", EN: "Moved in"},
}

// Entry is a row of the roll as lists show it: the ID number masked,
// with its change records.
type Entry struct {
	Recipient
	Name        string   `json:"name"`
	IDNumber    string   `json:"id_number"`
	PaidThrough string   `json:"paid_through,omitempty"`
	Changes     []Change `json:"changes"`
}

// Query selects rows of the roll. Sort is one of SortKeys ("" for
// SortRegion) and Desc reverses the order; rows that tie on the key follow
// county, person and program, so pages are stable. Offset skips that many
// rows of the list (for paging); Limit bounds it.
type Query struct {
	Region  string
	Program string
	Status  string
	Who     registry.Who // the person, as typed into the search box (registry.ParseWho)
	Sort    string
	Desc    bool
	Limit   int
	Offset  int
}

// The keys the roll may be sorted by.
const (
	SortRegion    = "region"
	SortName      = "name"
	SortProgram   = "program"
	SortStartYear = "start_year" // the first month paid
	SortStatus    = "status"     // in the order of Statuses
)

// SortKeys lists the sort keys of the roll; the first is the default.
var SortKeys = []string{SortRegion, SortName, SortProgram, SortStartYear, SortStatus}

// Store is what the roll needs from storage.
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error

	// Recipient returns recipient id of county if its region lies within scope.
	Recipient(ctx context.Context, scope region.Code, county string, id int64) (*Recipient, error)
	// RecipientsOf returns every roll row (any status) of the persons.
	RecipientsOf(ctx context.Context, county string, personIDs []int64) ([]Recipient, error)
	// Roll lists roll rows within scope matching q, in q's order (q.Sort
	// is one of SortKeys).
	Roll(ctx context.Context, scope region.Code, q Query) ([]Recipient, error)
	InsertRecipient(ctx context.Context, r *Recipient) error
	// UpdateRecipient writes r over the stored version r.Version-1.
	UpdateRecipient(ctx context.Context, r *Recipient) error
	InsertChange(ctx context.Context, c *Change) error
	// Changes returns the change records of the recipients, in order.
	Changes(ctx context.Context, county string, recipientIDs []int64) ([]Change, error)
	// MarkReviewed records that the recipients passed the annual review of
	// year, as one statement.
	MarkReviewed(ctx context.Context, county string, ids []int64, year int) error
}

// Save writes r over its stored version.
func Save(ctx context.Context, s Store, r *Recipient) error {
	r.Version++
	r.UpdatedAt = s.Now()
	return s.UpdateRecipient(ctx, r)
}

// RecordChange writes a change record of kind to after (before is the
// recipient as it was, nil for a new row) and audits it with the
// recipient's state before and after.
func RecordChange(ctx context.Context, s Store, a auth.Actor, before, after *Recipient, kind string, effective date.Date, reason, evidence string) (*Change, error) {
	id, err := s.NextIDs(ctx, "recipient_change", 1)
	if err != nil {
		return nil, err
	}
	ch := &Change{County: after.County, ID: id, RecipientID: after.ID, Kind: kind, Before: Summary(before),
		After: Summary(after), Effective: effective, Reason: reason, Evidence: evidence, UserID: a.UserID, CreatedAt: s.Now()}
	if err := s.InsertChange(ctx, ch); err != nil {
		return nil, err
	}
	var b any
	if before != nil {
		b = before
	}
	return ch, s.Audit(ctx, audit.Entry{County: after.County, UserID: a.UserID, Username: a.Username, Action: "recipient." + kind,
		Entity: "recipient", EntityID: strconv.FormatInt(after.ID, 10), Region: after.Region,
		Before: audit.JSON(b), After: audit.JSON(map[string]any{"recipient": after, "effective": effective, "reason": reason})})
}
