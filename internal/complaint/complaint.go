// Package complaint is the register of complaints, enquiries and petitions
// (投诉、咨询、信访, docs/complaints.md): each item records where it came
// from (a call, a visit to the office, a letter, or online from the
// citizen portal), what kind it is, the person or case it concerns, who
// handles it and by when, the reply, the outcome and its closing. An item
// not answered by its deadline escalates to the level above the one that
// handles it, and the escalation is written on the item's history.
//
// The package knows nothing of HTTP or SQL: the items come through Store.
package complaint

import (
	"context"
	"strconv"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/workflow"
)

// Kinds of an item.
const (
	KindComplaint = "complaint" // 投诉
	KindEnquiry   = "enquiry"   // 咨询
	KindPetition  = "petition"  // 信访
)

// Kinds names the kinds.
var Kinds = term.List{
	{Code: KindComplaint, ZH: "投诉", EN: "Complaint"},
	{Code: KindEnquiry, ZH: "咨询", EN: "Enquiry"},
	{Code: KindPetition, ZH: "信访", EN: "Petition"},
}

// Sources of an item.
const (
	SourcePhone  = "phone"
	SourceVisit  = "visit"
	SourceLetter = "letter"
	SourceOnline = "online" // filed by a signed-in citizen on the portal
)

// Sources names the sources.
var Sources = term.List{
	{Code: SourcePhone, ZH: "电话", EN: "Phone"},
	{Code: SourceVisit, ZH: "来访", EN: "Visit"},
	{Code: SourceLetter, ZH: "来信", EN: "Letter"},
	{Code: SourceOnline, ZH: "网上", EN: "Online"},
}

// Statuses of an item.
const (
	StatusOpen    = "open"    // waiting for the reply
	StatusReplied = "replied" // answered, the outcome not yet recorded
	StatusClosed  = "closed"  // closed with its outcome
)

// Statuses names the statuses.
var Statuses = term.List{
	{Code: StatusOpen, ZH: "待答复", EN: "Waiting for a reply"},
	{Code: StatusReplied, ZH: "已答复", EN: "Replied"},
	{Code: StatusClosed, ZH: "已结案", EN: "Closed"},
}

// Outcomes of a closed item.
var Outcomes = term.List{
	{Code: "resolved", ZH: "问题已解决", EN: "Resolved"},
	{Code: "explained", ZH: "已解释说明", EN: "Explained"},
	{Code: "unfounded", ZH: "经核查不属实", EN: "Found unfounded"},
	{Code: "referred", ZH: "已转有关部门", EN: "Referred to another office"},
}

// Actions of an item's history.
const (
	ActFiled     = "filed"
	ActAssigned  = "assigned"
	ActReplied   = "replied"
	ActEscalated = "escalated"
	ActClosed    = "closed"
)

// Actions names the actions of the history.
var Actions = term.List{
	{Code: ActFiled, ZH: "登记", EN: "Filed"},
	{Code: ActAssigned, ZH: "交办", EN: "Assigned"},
	{Code: ActReplied, ZH: "答复", EN: "Replied"},
	{Code: ActEscalated, ZH: "逾期上报上级", EN: "Escalated when overdue"},
	{Code: ActClosed, ZH: "结案", EN: "Closed"},
}

// DaysParam is the region parameter (workflow_params) of the days an item
// of kind has before its reply is due.
func DaysParam(kind string) string { return "complaint_days_" + kind }

// DefaultDays are the days of each kind when no region sets them: an
// enquiry is answered within 5 days, a complaint within 15, a petition
// within 60 (信访工作条例: 60 days to handle a petition).
var DefaultDays = map[string]int{KindComplaint: 15, KindEnquiry: 5, KindPetition: 60}

// ParseDays checks a number of days given as text: 1 to 180.
func ParseDays(field, s string) (int, error) {
	d, err := strconv.Atoi(s)
	if err != nil || d < 1 || d > 180 {
		return 0, apperr.Invalidf(field, "办理时限应为1–180之间的整数（天）", "the time limit must be a whole number of days from 1 to 180")
	}
	return d, nil
}

// MaxText is the longest content, reply or note, in characters.
const MaxText = 2000

// Item is one complaint, enquiry or petition.
type Item struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// Region is the village (or the township, the county) the item
	// concerns: the region of the person or the case when one is named.
	Region   string    `json:"region"`
	Kind     string    `json:"kind"`
	Source   string    `json:"source"`
	Received date.Date `json:"received"`
	// Name and Phone are who raised it.
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Content string `json:"content"`
	// PersonID and CaseID link the person or the case concerned (0 none),
	// of the item's county.
	PersonID int64 `json:"person_id,omitempty"`
	CaseID   int64 `json:"case_id,omitempty"`
	// CitizenID is the citizen's account that filed it online (0 staff).
	CitizenID int64     `json:"citizen_id,omitempty"`
	HandlerID int64     `json:"handler_id,omitempty"`
	Handler   string    `json:"handler"`
	Deadline  date.Date `json:"deadline"`
	Reply     string    `json:"reply"`
	Replied   date.Date `json:"replied,omitzero"`
	Outcome   string    `json:"outcome"`
	Closed    date.Date `json:"closed,omitzero"`
	Status    string    `json:"status"`
	// Escalated is the day it was escalated for being overdue, to the
	// region EscalatedTo (the level above Level).
	Escalated   date.Date `json:"escalated,omitzero"`
	EscalatedTo string    `json:"escalated_to,omitempty"`
	Version     int       `json:"version"`
	CreatedBy   int64     `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// History is the item's history, oldest first (filled on reading one).
	History []Event `json:"history,omitempty"`
}

// Event is a line of an item's history.
type Event struct {
	Seq      int       `json:"seq"`
	At       time.Time `json:"at"`
	Action   string    `json:"action"`
	UserID   int64     `json:"user_id"`
	Username string    `json:"username"`
	Name     string    `json:"name"`
	Note     string    `json:"note"`
}

// Overdue reports whether the item waits for its reply past its deadline
// on day today.
func (it *Item) Overdue(today date.Date) bool {
	return it.Status == StatusOpen && it.Deadline.Before(today)
}

// OnTime reports whether the item was answered by its deadline; known is
// false while it is open and not yet due.
func (it *Item) OnTime(today date.Date) (onTime, known bool) {
	if !it.Replied.IsZero() {
		return !it.Replied.After(it.Deadline), true
	}
	if it.Deadline.Before(today) {
		return false, true
	}
	return false, false
}

// Level is the region that handles an item of region reg: the township of
// a village, else the region itself (a township, a county).
func Level(reg region.Code) region.Code {
	if reg.Level() == region.Village {
		return reg.Parent()
	}
	return reg
}

// Above is the region an overdue item of region reg escalates to: the
// level above the one that handles it.
func Above(reg region.Code) region.Code { return Level(reg).Parent() }

// Store is what the register reads and writes.
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error
	Param(ctx context.Context, code region.Code, name string) (string, error)
	PersonByKey(ctx context.Context, scope region.Code, k registry.Key) (*registry.Record, error)
	Case(ctx context.Context, scope region.Code, county string, id int64) (*workflow.Case, error)
	InsertComplaint(ctx context.Context, it *Item) error
	UpdateComplaint(ctx context.Context, it *Item) error
	Complaint(ctx context.Context, scope region.Code, county string, id int64) (*Item, error)
	Complaints(ctx context.Context, q Query) ([]Item, error)
	AddComplaintEvent(ctx context.Context, county string, id int64, e Event) error
	ComplaintEvents(ctx context.Context, county string, id int64) ([]Event, error)
}

// Query selects items.
type Query struct {
	// Scope limits the items to a region ("" the whole country).
	Scope region.Code `json:"-"`
	// County, when set, limits them to one county.
	County string `json:"county,omitempty"`
	// Status is a status, or "overdue" (open past the deadline on Today),
	// or "escalated" (escalated and not yet closed), "" for any.
	Status string `json:"status,omitempty"`
	Kind   string `json:"kind,omitempty"`
	// CitizenID limits them to those a citizen filed.
	CitizenID int64 `json:"-"`
	// From and To bound the day received (zero: no bound).
	From date.Date `json:"from,omitzero"`
	To   date.Date `json:"to,omitzero"`
	// Today is the day "overdue" is judged on.
	Today date.Date `json:"-"`
	Limit int       `json:"limit,omitempty"`
}

// Filters of a query beyond the statuses.
const (
	FilterOverdue   = "overdue"
	FilterEscalated = "escalated"
)

// Check checks a query's filters.
func (q Query) Check() error {
	if q.Status != "" && q.Status != FilterOverdue && q.Status != FilterEscalated && !Statuses.Has(q.Status) {
		return apperr.Invalidf("status", "状态不正确", "unknown status")
	}
	if q.Kind != "" && !Kinds.Has(q.Kind) {
		return apperr.Invalidf("kind", "类别不正确", "unknown kind")
	}
	return nil
}
