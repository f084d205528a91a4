// Package birth is the birth registration service (生育登记, rules.md §2.10,
// §8.2) and the childcare subsidy's applications (育儿补贴申领, §8.1).
//
// A birth registration is a service, not an approval: a parent registers a
// coming (or a late-registered) birth online, or the village specialist
// registers it for them, and the registration says which child the birth
// is for the couple (登记孩次) as the policy engine's parity rules decide
// it from the registry's family, clause by clause with their documents. It
// gets a numbered slip (生育登记服务单, a serial per county and year and a
// check code for the public verification of the paper). A hospital birth
// record (出生医学证明, typed in or found by matching) closes it: the
// children are added to the registry, tied to the parents with the birth's
// policy status. A registration beyond the law's three children is
// recorded too; the birth is within the law only with a re-birth approval
// (再生育审批), which, like the approvals and birth certificates issued
// before 2021, is kept as a record on the person (Approval).
//
// A childcare subsidy claim (Claim) is made by a parent or guardian where
// the child's hukou is, checked by the township (初审) and confirmed by the
// county (审核确认), which puts the child on the roll of the program
// policy.ProgramChildcareSubsidy: the roll's person is the child, one row
// per child, and the payment cycles pay it year by year as the engine
// decides each year's claim.
//
// The package checks state, permission, scope and content and writes its
// audit entries in the caller's transaction; storage is behind Store.
package birth

import (
	"context"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Registration is a birth registration (生育登记) with its slip's number.
type Registration struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// Serial is the slip's number: county-year-sequence, the sequence
	// counting the county's registrations of the year from 1.
	Serial string `json:"serial"`
	// Code is the check code printed on the slip beside the serial; the
	// public verification asks for both.
	Code string `json:"code"`
	// Region is the village of the parent who applied.
	Region string `json:"region"`
	// Mother and Father are persons of the county's registry (0 when the
	// parent is not in it); Applicant is the one who applied.
	Mother    int64  `json:"mother_id,omitempty"`
	Father    int64  `json:"father_id,omitempty"`
	Applicant int64  `json:"applicant_id"`
	Channel   string `json:"channel"`
	// Registered is the day of the registration; Expected the expected
	// (or, registered after the birth, the actual) day of the birth;
	// Expecting the number of children expected (2 for twins).
	Registered date.Date `json:"registered"`
	Expected   date.Date `json:"expected"`
	Expecting  int       `json:"expecting"`
	// Parity is the registration parity (登记孩次), Statistical the
	// mother's own (统计孩次); PolicyStatus is policy.ParityRegistration,
	// ParityApprovalRequired or ParityApproved, and InPolicy whether the
	// birth is within the law.
	Parity       int    `json:"parity"`
	Statistical  int    `json:"statistical"`
	PolicyStatus string `json:"policy_status"`
	InPolicy     bool   `json:"in_policy"`
	// ApprovalID is the re-birth approval the registration rests on (0
	// none).
	ApprovalID int64 `json:"approval_id,omitempty"`
	// Decision is the parity decision as made at registration, with its
	// clauses.
	Decision *policy.ParityDecision `json:"decision"`
	Status   string                 `json:"status"`
	Phone    string                 `json:"phone,omitempty"`
	Note     string                 `json:"note,omitempty"`
	// The birth record that closed the registration.
	Born          date.Date `json:"born,omitempty"`
	Hospital      string    `json:"hospital,omitempty"`
	CertNo        string    `json:"cert_no,omitempty"`
	HospitalBirth bool      `json:"hospital_birth,omitempty"`
	Source        string    `json:"source,omitempty"`
	Children      []int64   `json:"children,omitempty"`
	// The cancellation.
	CancelReason string    `json:"cancel_reason,omitempty"`
	CancelNote   string    `json:"cancel_note,omitempty"`
	Cancelled    date.Date `json:"cancelled,omitempty"`

	CreatedBy int64     `json:"created_by"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Key names a registration: its county and id.
type Key struct {
	County string
	ID     int64
}

// Statuses of a registration.
const (
	StatusRegistered = "registered" // 已登记：待出生
	StatusClosed     = "closed"     // 已出生：出生医学证明已录入，登记办结
	StatusCancelled  = "cancelled"  // 已注销
)

// Statuses names the statuses of a registration, in their order.
var Statuses = term.List{
	{Code: StatusRegistered, ZH: "已登记", EN: "Registered"},
	{Code: StatusClosed, ZH: "已出生办结", EN: "Closed by the birth"},
	{Code: StatusCancelled, ZH: "已注销", EN: "Cancelled"},
}

// Channels of a registration.
const (
	ChannelOnline  = "online"  // 网上登记 by the parent
	ChannelCounter = "counter" // 村专干代办
)

// Channels names the channels.
var Channels = term.List{
	{Code: ChannelOnline, ZH: "网上登记", EN: "Online"},
	{Code: ChannelCounter, ZH: "村专干代办", EN: "By the village specialist"},
}

// Reasons to cancel a registration.
const (
	CancelPregnancyEnded = "pregnancy_ended" // 终止妊娠或流产
	CancelMovedAway      = "moved_away"      // 迁出，在他处登记
	CancelDuplicate      = "duplicate"       // 重复登记
	CancelError          = "error"           // 登记有误
	CancelOther          = "other"
)

// CancelReasons names the reasons to cancel a registration.
var CancelReasons = term.List{
	{Code: CancelPregnancyEnded, ZH: "终止妊娠或流产", EN: "Pregnancy ended"},
	{Code: CancelMovedAway, ZH: "迁出本地，在他处登记", EN: "Moved away, registered elsewhere"},
	{Code: CancelDuplicate, ZH: "重复登记", EN: "Registered twice"},
	{Code: CancelError, ZH: "登记有误", EN: "Registered in error"},
	{Code: CancelOther, ZH: "其他原因", EN: "Other"},
}

// Sources of a birth record.
const (
	SourceTyped    = "typed"    // typed in from the 出生医学证明
	SourceMatching = "matching" // found by matching the hospitals' records
)

// Approval is a permission for a birth kept on the person (再生育审批 or a
// birth certificate, 生育证/准生证, issued before the three-child law or by
// a province for a birth beyond three).
type Approval struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// Person holds it; Spouse is the other spouse named on it (0 none).
	Person int64  `json:"person_id"`
	Spouse int64  `json:"spouse_id,omitempty"`
	Kind   string `json:"kind"`
	// Parity is the child it allows (2 for a second child).
	Parity     int       `json:"parity"`
	Number     string    `json:"number,omitempty"`
	Issued     date.Date `json:"issued"`
	Issuer     string    `json:"issuer,omitempty"`
	Note       string    `json:"note,omitempty"`
	RecordedBy int64     `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// Approval kinds.
const (
	ApprovalRebirth     = "rebirth"     // 再生育审批决定
	ApprovalCertificate = "certificate" // 生育证（准生证、生育服务证）
)

// ApprovalKinds names the kinds of approval.
var ApprovalKinds = term.List{
	{Code: ApprovalRebirth, ZH: "再生育审批", EN: "Re-birth approval"},
	{Code: ApprovalCertificate, ZH: "生育证（准生证）", EN: "Birth certificate (permit)"},
}

// Query selects registrations; zero fields match anything.
type Query struct {
	Region string // subtree
	Status string
	Year   int // of the registration
	Parity int
	Person int64 // a parent
	Limit  int
	Offset int
}

// Store is what the registration service and the subsidy claims need from
// storage: the registry and the roll, and their own rows. Reads that take a
// scope return NotFound for a row outside it.
type Store interface {
	registry.Store
	roll.Store

	// NextSerial returns the next number of the county's registrations of
	// year, from 1, without gaps.
	NextSerial(ctx context.Context, county string, year int) (int, error)
	InsertRegistration(ctx context.Context, r *Registration) error
	// UpdateRegistration writes r over the stored version r.Version-1.
	UpdateRegistration(ctx context.Context, r *Registration) error
	Registration(ctx context.Context, scope region.Code, county string, id int64) (*Registration, error)
	// RegistrationBySerial returns the registration of a slip number.
	RegistrationBySerial(ctx context.Context, serial string) (*Registration, error)
	Registrations(ctx context.Context, scope region.Code, county string, q Query) ([]Registration, error)
	CountRegistrations(ctx context.Context, scope region.Code, county string, q Query) (int, error)

	InsertApproval(ctx context.Context, a *Approval) error
	// Approvals returns the approvals held by or naming the persons.
	Approvals(ctx context.Context, county string, persons []int64) ([]Approval, error)

	InsertClaim(ctx context.Context, c *Claim) error
	// UpdateClaim writes c over the stored version c.Version-1.
	UpdateClaim(ctx context.Context, c *Claim) error
	Claim(ctx context.Context, scope region.Code, county string, id int64) (*Claim, error)
	Claims(ctx context.Context, scope region.Code, county string, q ClaimQuery) ([]Claim, error)
	CountClaims(ctx context.Context, scope region.Code, county string, q ClaimQuery) (int, error)
	// ClaimsOfChild returns every claim for the child, oldest first.
	ClaimsOfChild(ctx context.Context, county string, child int64) ([]Claim, error)
}

// Engine is the policy engine as the service uses it; a *policy.Evaluator
// is one.
type Engine interface {
	Parity(county string, f *registry.Family, q policy.ParityQuery) (*policy.ParityDecision, error)
	Evaluate(c *policy.Case) (*policy.Result, error)
}

// today is the Beijing day of the store's clock.
func today(s interface{ Now() time.Time }) date.Date { return date.Today(s.Now()) }
