// Package childcare is the filing of childcare institutions (托育机构备案,
// rules.md §2.10, §8.4) with the county health commission: the filing with
// the fields the commission records, its changes and its closure; the
// inspection records (检查记录), with the rectification they ask for and
// its check; and the indicator of childcare places per 1,000 residents by
// township (每千人口托位数) against the target.
//
// Filings, changes and closures are the county's (the health department
// files, law art. 28); inspections are recorded by the county or the
// township of the institution (the quarterly joint inspections). The
// package checks permission, scope, state and content and writes its
// audit entries in the caller's transaction; storage is behind Store.
package childcare

import (
	"context"
	"time"

	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/term"
)

// Institution is a filed childcare institution.
type Institution struct {
	County string `json:"county"`
	ID     int64  `json:"id"`
	// FilingNo is the filing's number: county-TY-year-sequence.
	FilingNo string `json:"filing_no"`
	Name     string `json:"name"`
	// CreditCode is the unified social credit code (统一社会信用代码).
	CreditCode string `json:"credit_code"`
	// Operator is who runs it (举办者); RegType the kind of legal person
	// and so the registering authority.
	Operator string `json:"operator"`
	RegType  string `json:"reg_type"`
	Type     string `json:"type"`
	// Inclusive marks a 普惠 institution (affordable, a price the public
	// can bear; no national definition was found: a flag, rules.md §8.4).
	Inclusive bool `json:"inclusive"`
	// Places is the number of childcare places (托位数), by class where
	// known: infants 6–12 months (乳儿班), 12–24 (托小班), 24–36 (托大班).
	Places        int `json:"places"`
	PlacesInfant  int `json:"places_infant,omitempty"`
	PlacesToddler int `json:"places_toddler,omitempty"`
	PlacesOlder   int `json:"places_older,omitempty"`
	// Region is the village or community of its premises (12 digits).
	Region  string `json:"region"`
	Address string `json:"address,omitempty"`
	// Area and OutdoorArea are in square metres.
	Area        int `json:"area"`
	OutdoorArea int `json:"outdoor_area,omitempty"`
	// FireSafety records the fire-safety acceptance or inspection
	// (消防验收或检查合格) with its document and day.
	FireSafety     bool      `json:"fire_safety"`
	FireDoc        string    `json:"fire_doc,omitempty"`
	FireDate       date.Date `json:"fire_date,omitempty"`
	Staff          []Staff   `json:"staff"`
	Filed          date.Date `json:"filed"`
	Phone          string    `json:"phone,omitempty"`
	Status         string    `json:"status"`
	Closed         date.Date `json:"closed,omitempty"`
	CloseReason    string    `json:"close_reason,omitempty"`
	CreatedBy      int64     `json:"created_by"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	LastInspection date.Date `json:"last_inspection,omitempty"`
}

// Staff is a member of an institution's staff with their qualification.
type Staff struct {
	Name          string `json:"name"`
	Role          string `json:"role"`
	Qualification string `json:"qualification,omitempty"`
	CertNo        string `json:"cert_no,omitempty"`
}

// Types of institution.
const (
	TypeFullDay      = "full_day"     // 全日托
	TypeHalfDay      = "half_day"     // 半日托
	TypeHourly       = "hourly"       // 计时托
	TypeCommunity    = "community"    // 社区托育服务点
	TypeKindergarten = "kindergarten" // 幼儿园托班
	TypeEmployer     = "employer"     // 用人单位办托
)

// Types names the types of institution.
var Types = term.List{
	{Code: TypeFullDay, ZH: "全日托", EN: "Full-day"},
	{Code: TypeHalfDay, ZH: "半日托", EN: "Half-day"},
	{Code: TypeHourly, ZH: "计时托", EN: "Hourly"},
	{Code: TypeCommunity, ZH: "社区托育服务点", EN: "Community point"},
	{Code: TypeKindergarten, ZH: "幼儿园托班", EN: "Kindergarten class"},
	{Code: TypeEmployer, ZH: "用人单位办托", EN: "Employer-run"},
}

// Registration types (国卫办人口发〔2019〕25号: who registers the legal
// person).
const (
	RegPublic     = "public"     // 事业单位（编制部门登记）
	RegSocial     = "social"     // 社会服务机构（民政部门登记）
	RegEnterprise = "enterprise" // 企业（市场监管部门登记）
)

// RegTypes names the registration types.
var RegTypes = term.List{
	{Code: RegPublic, ZH: "事业单位（编制部门登记）", EN: "Public institution"},
	{Code: RegSocial, ZH: "社会服务机构（民政部门登记）", EN: "Social-service organisation"},
	{Code: RegEnterprise, ZH: "企业（市场监管部门登记）", EN: "Enterprise"},
}

// Staff roles.
const (
	RoleDirector = "director" // 负责人
	RoleCarer    = "carer"    // 保育人员
	RoleHealth   = "health"   // 卫生保健人员
	RoleCook     = "cook"     // 炊事人员
	RoleSecurity = "security" // 安保人员
	RoleOther    = "other"
)

// StaffRoles names the staff roles.
var StaffRoles = term.List{
	{Code: RoleDirector, ZH: "负责人", EN: "Director"},
	{Code: RoleCarer, ZH: "保育人员", EN: "Carer"},
	{Code: RoleHealth, ZH: "卫生保健人员", EN: "Health worker"},
	{Code: RoleCook, ZH: "炊事人员", EN: "Cook"},
	{Code: RoleSecurity, ZH: "安保人员", EN: "Security"},
	{Code: RoleOther, ZH: "其他人员", EN: "Other"},
}

// Statuses of a filing.
const (
	StatusFiled  = "filed"  // 已备案
	StatusClosed = "closed" // 已注销（停办）
)

// Statuses names the statuses of a filing.
var Statuses = term.List{
	{Code: StatusFiled, ZH: "已备案", EN: "Filed"},
	{Code: StatusClosed, ZH: "已注销", EN: "Closed"},
}

// Change is a change of a filing (备案变更): the fields changed, before and
// after, from when and why.
type Change struct {
	County        string    `json:"county"`
	ID            int64     `json:"id"`
	InstitutionID int64     `json:"institution_id"`
	Kind          string    `json:"kind"` // change or close
	Fields        []string  `json:"fields"`
	Before        string    `json:"before"`
	After         string    `json:"after"`
	Effective     date.Date `json:"effective"`
	Reason        string    `json:"reason"`
	UserID        int64     `json:"user_id"`
	CreatedAt     time.Time `json:"created_at"`
}

// Change kinds.
const (
	ChangeFields = "change"
	ChangeClose  = "close"
)

// Inspection is an inspection of an institution: who inspected it, what
// they found, the grade, and the rectification asked for with its check.
type Inspection struct {
	County        string    `json:"county"`
	ID            int64     `json:"id"`
	InstitutionID int64     `json:"institution_id"`
	Region        string    `json:"region"`
	Date          date.Date `json:"date"`
	Kind          string    `json:"kind"`
	Inspectors    []string  `json:"inspectors"`
	Findings      string    `json:"findings"`
	Grade         string    `json:"grade"`
	// Rectify asks for a rectification (整改) by Deadline as Requirement
	// says; its check (复查) is recorded later.
	Rectify     bool      `json:"rectify"`
	Requirement string    `json:"requirement,omitempty"`
	Deadline    date.Date `json:"deadline,omitempty"`
	CheckedOn   date.Date `json:"checked_on,omitempty"`
	Checkers    []string  `json:"checkers,omitempty"`
	CheckPassed bool      `json:"check_passed,omitempty"`
	CheckNote   string    `json:"check_note,omitempty"`
	Status      string    `json:"status"`
	RecordedBy  int64     `json:"recorded_by"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Kinds of inspection.
const (
	InspectRoutine   = "routine"   // 日常检查
	InspectJoint     = "joint"     // 联合检查（按季度）
	InspectComplaint = "complaint" // 投诉核查
	InspectFiling    = "filing"    // 备案核查（备案后5个工作日起）
)

// InspectionKinds names the kinds of inspection.
var InspectionKinds = term.List{
	{Code: InspectRoutine, ZH: "日常检查", EN: "Routine"},
	{Code: InspectJoint, ZH: "联合检查", EN: "Joint inspection"},
	{Code: InspectComplaint, ZH: "投诉核查", EN: "Complaint"},
	{Code: InspectFiling, ZH: "备案核查", EN: "Filing check"},
}

// Grades of an inspection: WS/T 821—2023's A–D (recommended standard,
// rules.md §8.4).
var Grades = term.List{
	{Code: "A", ZH: "A级（优秀）", EN: "A (excellent)"},
	{Code: "B", ZH: "B级（良好）", EN: "B (good)"},
	{Code: "C", ZH: "C级（合格）", EN: "C (adequate)"},
	{Code: "D", ZH: "D级（不合格）", EN: "D (inadequate)"},
}

// Statuses of an inspection.
const (
	InspectionClosed     = "closed"     // 已办结：无需整改，或整改复查通过
	InspectionRectifying = "rectifying" // 整改中
)

// InspectionStatuses names the statuses of an inspection.
var InspectionStatuses = term.List{
	{Code: InspectionRectifying, ZH: "整改中", EN: "Rectifying"},
	{Code: InspectionClosed, ZH: "已办结", EN: "Closed"},
}

// Query selects filings; zero fields match anything.
type Query struct {
	Region    string
	Status    string
	Type      string
	Inclusive *bool
	Limit     int
	Offset    int
}

// Store is what the filing needs from storage. Reads that take a scope
// return NotFound for a row outside it.
type Store interface {
	Now() time.Time
	NextIDs(ctx context.Context, name string, n int) (int64, error)
	Audit(ctx context.Context, e audit.Entry) error

	// NextFilingNo returns the next number of the county's filings of year,
	// from 1, without gaps.
	NextFilingNo(ctx context.Context, county string, year int) (int, error)
	InsertInstitution(ctx context.Context, in *Institution) error
	// UpdateInstitution writes in over the stored version in.Version-1.
	UpdateInstitution(ctx context.Context, in *Institution) error
	Institution(ctx context.Context, scope region.Code, county string, id int64) (*Institution, error)
	Institutions(ctx context.Context, scope region.Code, county string, q Query) ([]Institution, error)
	CountInstitutions(ctx context.Context, scope region.Code, county string, q Query) (int, error)
	InsertInstitutionChange(ctx context.Context, c *Change) error
	InstitutionChanges(ctx context.Context, county string, id int64) ([]Change, error)

	InsertInspection(ctx context.Context, x *Inspection) error
	// UpdateInspection writes x over the stored version x.Version-1.
	UpdateInspection(ctx context.Context, x *Inspection) error
	Inspection(ctx context.Context, scope region.Code, county string, id int64) (*Inspection, error)
	Inspections(ctx context.Context, county string, institution int64) ([]Inspection, error)
	// OpenInspections lists the inspections within scope whose
	// rectification is not checked yet, oldest deadline first.
	OpenInspections(ctx context.Context, scope region.Code, county string) ([]Inspection, error)

	// Population returns the living persons of the county's registry by
	// township (the first nine digits of their hukou division), on day d.
	Population(ctx context.Context, county string, d date.Date) (map[string]int, error)
	// FiledPlaces returns the places of the institutions of the county
	// filed and not closed on day d, by township.
	FiledPlaces(ctx context.Context, county string, d date.Date) (map[string]Places, error)
}

// Places are the filed places of a township.
type Places struct {
	Institutions int `json:"institutions"`
	Places       int `json:"places"`
	Inclusive    int `json:"inclusive"` // places of 普惠 institutions
}
