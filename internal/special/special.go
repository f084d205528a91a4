// Package special is the care of special family-planning families (计生特殊
// 家庭): families whose only child died (失独) or is disabled (伤残), whose
// mother is past the age the rules of the special assistance name.
//
// The register (Family) is built from the registry and the roll (Sweep):
// a woman (or single parent) whose children born or adopted have all died,
// or whose only child holds a disability certificate of a grade the rules
// admit, and who is past the program's min_age, is put on it with the
// reason; so is the holder of a special-assistance row on the roll. Staff
// keep other families by hand, each with its reason. Later changes in the
// registry — a parent's death, a child born or adopted, a move out of the
// county, a family that no longer qualifies — are listed for review
// (Change) rather than applied.
//
// Each family has named contacts (Contact) of the kinds the county sets
// (ContactKindsParam: a township cadre and a village doctor by default),
// from the user accounts or typed in; a contact who leaves hands their
// families over. Contacts record visits (Visit: the file of each visit),
// with the next visit due by the county's interval (VisitDaysParam). The
// three full coverages (三个全覆盖) — contacts, family-doctor signing and
// the green channel at hospitals — and the hospital-care insurance are
// counted by township and village (Coverage). Requests (诉求) are recorded
// with their handler and deadline, answered and settled; overdue ones
// escalate to the county.
//
// The family-planning family certificate (计生家庭证明, certificate.go)
// states a person's categories on a day, with a serial and a check code;
// partner departments check a category of an ID number on a day and learn
// nothing else.
//
// A family's file is the most sensitive data Jiahe holds: only the staff
// with auth.PermSpecialCare see it — the county and township within their
// scope, and at the village level only the family's own contacts. The
// package checks permission, scope and content and writes its audit
// entries (reads included) in the caller's transaction; storage is behind
// Store.
package special

import (
	"context"
	"time"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/roll"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Family is a family on the register.
type Family struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// Anchor is the woman (or the single parent) the family is kept under;
	// Spouse her husband when the registry knows one, Child the child who
	// died or is disabled.
	Anchor int64 `json:"anchor"`
	Spouse int64 `json:"spouse,omitempty"`
	Child  int64 `json:"child,omitempty"`
	// Region is the village of the anchor.
	Region   string `json:"region"`
	Category string `json:"category"`
	Source   string `json:"source"`
	Reason   string `json:"reason"`
	Note     string `json:"note,omitempty"`
	// Since is the day the family came on the register.
	Since       date.Date `json:"since"`
	Status      string    `json:"status"`
	Closed      date.Date `json:"closed,omitempty"`
	CloseReason string    `json:"close_reason,omitempty"`
	// Signed is the family-doctor signing (家庭医生签约): the day, the
	// doctor and whether the doctor practises Chinese medicine.
	Signed    date.Date `json:"signed,omitempty"`
	Doctor    string    `json:"doctor,omitempty"`
	DoctorTCM bool      `json:"doctor_tcm,omitempty"`
	// Green is the green channel at hospitals (就医绿色通道): the day and
	// the hospital.
	Green         date.Date `json:"green,omitempty"`
	GreenHospital string    `json:"green_hospital,omitempty"`
	// Insured is the enrolment in the hospital-care insurance (住院护理险).
	Insured date.Date `json:"insured,omitempty"`
	Insurer string    `json:"insurer,omitempty"`
	// LastVisit and NextVisit are the last visit and the next one due.
	LastVisit date.Date `json:"last_visit,omitempty"`
	NextVisit date.Date `json:"next_visit,omitempty"`
	CreatedBy int64     `json:"created_by"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Filled in when the family is read for staff: the anchor's name and
	// masked ID number, the child's name.
	Name      string `json:"name,omitempty"`
	IDMasked  string `json:"id_masked,omitempty"`
	ChildName string `json:"child_name,omitempty"`
}

// Categories of a special family.
const (
	CategoryDied     = "died"     // 失独：独生子女死亡
	CategoryDisabled = "disabled" // 伤残：独生子女伤残
	CategoryOther    = "other"    // 其他经认定的特殊家庭
)

// Categories names the categories.
var Categories = term.List{
	{Code: CategoryDied, ZH: "独生子女死亡（失独）", EN: "Only child died"},
	{Code: CategoryDisabled, ZH: "独生子女伤残", EN: "Only child disabled"},
	{Code: CategoryOther, ZH: "其他特殊家庭", EN: "Other"},
}

// Sources of a family on the register.
const (
	SourceRegistry = "registry" // found in the registry
	SourceRoll     = "roll"     // on the roll of the special assistance
	SourceManual   = "manual"   // kept by hand
)

// Sources names the sources.
var Sources = term.List{
	{Code: SourceRegistry, ZH: "人口库比对", EN: "Registry"},
	{Code: SourceRoll, ZH: "特别扶助名册", EN: "Roll"},
	{Code: SourceManual, ZH: "人工登记", EN: "By hand"},
}

// Reasons a family is on the register.
const (
	ReasonChildDied      = "child_died"      // 子女均已死亡，母亲已达年龄
	ReasonChildDisabled  = "child_disabled"  // 独生子女伤残（三级以上），母亲已达年龄
	ReasonRollDeath      = "roll_tf_death"   // 享受特别扶助（独生子女死亡）
	ReasonRollDisability = "roll_tf_disable" // 享受特别扶助（独生子女伤残）
	ReasonManual         = "manual"          // 人工认定（说明原因）
)

// Reasons names the reasons.
var Reasons = term.List{
	{Code: ReasonChildDied, ZH: "子女均已死亡，女方已达规定年龄", EN: "Every child died; the mother is of the age the rules name"},
	{Code: ReasonChildDisabled, ZH: "独生子女伤残，女方已达规定年龄", EN: "The only child is disabled; the mother is of the age the rules name"},
	{Code: ReasonRollDeath, ZH: "享受特别扶助金（独生子女死亡）", EN: "On the roll: only child died"},
	{Code: ReasonRollDisability, ZH: "享受特别扶助金（独生子女伤残）", EN: "On the roll: only child disabled"},
	{Code: ReasonManual, ZH: "人工认定", EN: "Kept by hand"},
}

// Statuses of a family on the register.
const (
	StatusActive = "active" // 在册
	StatusClosed = "closed" // 已销册
)

// Statuses names the statuses.
var Statuses = term.List{
	{Code: StatusActive, ZH: "在册", EN: "On the register"},
	{Code: StatusClosed, ZH: "已销册", EN: "Closed"},
}

// Change is a change in the registry of a family on the register, listed
// for review: staff accept it (closing the family when it no longer
// belongs on the register) or dismiss it.
type Change struct {
	County   string    `json:"county"`
	ID       int64     `json:"id"`
	FamilyID int64     `json:"family_id"`
	Region   string    `json:"region"`
	Kind     string    `json:"kind"`
	Detail   string    `json:"detail"`
	Found    date.Date `json:"found"`
	Status   string    `json:"status"`
	// Decided, DecidedBy and Note record the review.
	Decided   date.Date `json:"decided,omitempty"`
	DecidedBy int64     `json:"decided_by,omitempty"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Name      string    `json:"name,omitempty"`
}

// Kinds of change.
const (
	ChangeParentDied = "parent_died" // 父母一方死亡
	ChangeNewChild   = "new_child"   // 再生育或收养子女
	ChangeMoved      = "moved"       // 迁出本县
	ChangeLapsed     = "lapsed"      // 不再符合登记条件
)

// ChangeKinds names the kinds of change.
var ChangeKinds = term.List{
	{Code: ChangeParentDied, ZH: "父母一方死亡", EN: "A parent died"},
	{Code: ChangeNewChild, ZH: "又生育或收养了子女", EN: "A child born or adopted"},
	{Code: ChangeMoved, ZH: "户籍已迁往县外", EN: "Moved out of the county"},
	{Code: ChangeLapsed, ZH: "不再符合登记条件", EN: "No longer qualifies"},
}

// Statuses of a change.
const (
	ChangePending   = "pending"
	ChangeAccepted  = "accepted"
	ChangeDismissed = "dismissed"
)

// ChangeStatuses names the statuses of a change.
var ChangeStatuses = term.List{
	{Code: ChangePending, ZH: "待核实", EN: "Pending"},
	{Code: ChangeAccepted, ZH: "已确认", EN: "Accepted"},
	{Code: ChangeDismissed, ZH: "已排除", EN: "Dismissed"},
}

// Contact is a named contact of a family (联系人).
type Contact struct {
	County   string `json:"county"`
	ID       int64  `json:"id"`
	FamilyID int64  `json:"family_id"`
	Kind     string `json:"kind"`
	// UserID is the contact's user account, when they have one.
	UserID int64     `json:"user_id,omitempty"`
	Name   string    `json:"name"`
	Phone  string    `json:"phone,omitempty"`
	From   date.Date `json:"from"`
	To     date.Date `json:"to,omitempty"`
	// EndReason says why the assignment ended (a hand-over).
	EndReason string    `json:"end_reason,omitempty"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Active reports whether the assignment is current.
func (c Contact) Active() bool { return c.To.IsZero() }

// Kinds of contact.
const (
	KindCountyOfficial   = "county_official" // 县级联系领导
	KindTownshipCadre    = "township_cadre"  // 乡镇干部
	KindVillageCadre     = "village_cadre"   // 村干部
	KindVillageDoctor    = "village_doctor"  // 村医（家庭医生）
	KindFamilyPlanning   = "family_planning" // 计生专干
	KindVolunteer        = "volunteer"       // 志愿者
	DefaultContactKinds  = KindTownshipCadre + "," + KindVillageDoctor
	ContactKindsParam    = "special.contact_kinds"
	VisitDaysParam       = "special.visit_days"
	DefaultVisitDays     = 90
	RequestDaysParam     = "special.request_days"
	DefaultRequestDays   = 15
	MaxText              = 2000
	maxContactsPerFamily = 12
)

// ContactKinds names the kinds of contact.
var ContactKinds = term.List{
	{Code: KindCountyOfficial, ZH: "县级联系领导", EN: "County official"},
	{Code: KindTownshipCadre, ZH: "乡镇干部", EN: "Township cadre"},
	{Code: KindVillageCadre, ZH: "村干部", EN: "Village cadre"},
	{Code: KindVillageDoctor, ZH: "村医（家庭医生）", EN: "Village doctor"},
	{Code: KindFamilyPlanning, ZH: "计生专干", EN: "Family-planning officer"},
	{Code: KindVolunteer, ZH: "志愿者", EN: "Volunteer"},
}

// Visit is one visit to a family, the file kept of it (帮扶工作档案).
type Visit struct {
	County    string    `json:"county"`
	ID        int64     `json:"id"`
	FamilyID  int64     `json:"family_id"`
	Region    string    `json:"region"`
	Date      date.Date `json:"date"`
	Mode      string    `json:"mode"`
	VisitorID int64     `json:"visitor_id,omitempty"`
	Visitor   string    `json:"visitor"`
	Found     string    `json:"found"`
	Help      string    `json:"help,omitempty"`
	Requests  string    `json:"requests,omitempty"`
	NextDue   date.Date `json:"next_due"`
	CreatedAt time.Time `json:"created_at"`
}

// Modes of a visit.
const (
	ModeHome     = "home"     // 入户
	ModePhone    = "phone"    // 电话
	ModeHospital = "hospital" // 医院探视
	ModeOther    = "other"    // 其他（活动、座谈）
)

// Modes names the modes of a visit.
var Modes = term.List{
	{Code: ModeHome, ZH: "入户走访", EN: "At home"},
	{Code: ModePhone, ZH: "电话联系", EN: "By phone"},
	{Code: ModeHospital, ZH: "医院探视", EN: "In hospital"},
	{Code: ModeOther, ZH: "其他（活动、座谈）", EN: "Other"},
}

// Request is a request (诉求) of a family.
type Request struct {
	County   string    `json:"county"`
	ID       int64     `json:"id"`
	FamilyID int64     `json:"family_id"`
	Region   string    `json:"region"`
	Raised   date.Date `json:"raised"`
	Source   string    `json:"source"`
	Content  string    `json:"content"`
	// Handler is who handles it: a user account or a name.
	HandlerID int64     `json:"handler_id,omitempty"`
	Handler   string    `json:"handler"`
	Deadline  date.Date `json:"deadline"`
	Status    string    `json:"status"`
	Reply     string    `json:"reply,omitempty"`
	Replied   date.Date `json:"replied,omitempty"`
	// Satisfied is the family's word on the reply: "" until asked,
	// "yes" or "no".
	Satisfied string    `json:"satisfied,omitempty"`
	Escalated date.Date `json:"escalated,omitempty"`
	Version   int       `json:"version"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Name      string    `json:"name,omitempty"`
}

// Sources of a request.
const (
	FromVisit   = "visit"
	FromPhone   = "phone"
	FromWalkIn  = "walk_in"
	FromLetter  = "letter"
	FromHotline = "hotline"
)

// RequestSources names the sources of a request.
var RequestSources = term.List{
	{Code: FromVisit, ZH: "走访中提出", EN: "Raised on a visit"},
	{Code: FromPhone, ZH: "电话反映", EN: "By phone"},
	{Code: FromWalkIn, ZH: "来访", EN: "In person"},
	{Code: FromLetter, ZH: "来信", EN: "By letter"},
	{Code: FromHotline, ZH: "12345热线转办", EN: "Hotline 12345"},
}

// Statuses of a request.
const (
	RequestOpen    = "open"    // 办理中
	RequestReplied = "replied" // 已答复
	RequestClosed  = "closed"  // 已办结
)

// RequestStatuses names the statuses of a request.
var RequestStatuses = term.List{
	{Code: RequestOpen, ZH: "办理中", EN: "Open"},
	{Code: RequestReplied, ZH: "已答复", EN: "Replied"},
	{Code: RequestClosed, ZH: "已办结", EN: "Settled"},
}

// Query selects families of the register.
type Query struct {
	Region   string `json:"region,omitempty"`
	Status   string `json:"status,omitempty"`
	Category string `json:"category,omitempty"`
	// Contact selects the families of which the user is an active
	// contact.
	Contact int64 `json:"contact,omitempty"`
	Limit   int   `json:"limit,omitempty"`
	Offset  int   `json:"offset,omitempty"`
}

// Store is what the package needs of storage; a *store.Tx is one.
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error
	PersonByKey(ctx context.Context, scope region.Code, k registry.Key) (*registry.Record, error)
	PersonByIDNumber(ctx context.Context, scope region.Code, idNumber string) (*registry.Record, error)
	FamilyFacts(ctx context.Context, county string, ids []int64) (*registry.Family, error)
	Relatives(ctx context.Context, county string, ids []int64) ([]int64, error)
	Param(ctx context.Context, code region.Code, name string) (string, error)
	// RecipientsOf returns every roll row (any status) of the persons.
	RecipientsOf(ctx context.Context, county string, personIDs []int64) ([]roll.Recipient, error)

	// SpecialCandidates returns the persons of county within scope who
	// may head a special family: the parents of a dead or disabled child
	// and the holders of a roll row of programs.
	SpecialCandidates(ctx context.Context, scope region.Code, county string, programs []string) ([]int64, error)
	InsertSpecialFamily(ctx context.Context, f *Family) error
	// UpdateSpecialFamily writes f over the stored version f.Version-1.
	UpdateSpecialFamily(ctx context.Context, f *Family) error
	SpecialFamily(ctx context.Context, scope region.Code, county string, id int64) (*Family, error)
	// SpecialFamiliesOf returns the families (any status) whose anchor or
	// spouse is among persons.
	SpecialFamiliesOf(ctx context.Context, county string, persons []int64) ([]Family, error)
	SpecialFamilies(ctx context.Context, scope region.Code, county string, q Query) ([]Family, error)
	CountSpecialFamilies(ctx context.Context, scope region.Code, county string, q Query) (int, error)

	InsertSpecialChange(ctx context.Context, c *Change) error
	UpdateSpecialChange(ctx context.Context, c *Change) error
	SpecialChange(ctx context.Context, scope region.Code, county string, id int64) (*Change, error)
	SpecialChanges(ctx context.Context, scope region.Code, county string, status string, family int64) ([]Change, error)

	InsertSpecialContact(ctx context.Context, c *Contact) error
	// EndSpecialContact ends assignment id on day to for reason.
	EndSpecialContact(ctx context.Context, county string, id int64, to date.Date, reason string) error
	SpecialContacts(ctx context.Context, county string, family int64) ([]Contact, error)
	// SpecialContactsIn returns the active assignments of the families of
	// county within scope.
	SpecialContactsIn(ctx context.Context, scope region.Code, county string) ([]Contact, error)
	// IsSpecialContact reports whether user is an active contact of the
	// family.
	IsSpecialContact(ctx context.Context, county string, family, user int64) (bool, error)

	InsertSpecialVisit(ctx context.Context, v *Visit) error
	SpecialVisits(ctx context.Context, county string, family int64) ([]Visit, error)

	InsertSpecialRequest(ctx context.Context, r *Request) error
	UpdateSpecialRequest(ctx context.Context, r *Request) error
	SpecialRequest(ctx context.Context, scope region.Code, county string, id int64) (*Request, error)
	SpecialRequests(ctx context.Context, scope region.Code, county string, family int64, status string) ([]Request, error)

	InsertHelpList(ctx context.Context, l *HelpList) error
	// UpdateHelpList writes l over the stored version l.Version-1.
	UpdateHelpList(ctx context.Context, l *HelpList) error
	HelpList(ctx context.Context, county string, id int64) (*HelpList, error)
	HelpLists(ctx context.Context, county string) ([]HelpList, error)

	NextFamilyCertSerial(ctx context.Context, county string, year int) (int, error)
	InsertFamilyCert(ctx context.Context, c *Certificate) error
	FamilyCertBySerial(ctx context.Context, serial string) (*Certificate, error)
}
