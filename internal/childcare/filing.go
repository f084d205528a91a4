package childcare

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// The longest text each field holds, in characters.
const (
	MaxName   = 100
	MaxLine   = 200
	MaxText   = 2000
	MaxPlaces = 2000
	MaxStaff  = 300
)

// NewInstitution is a filing as the county records it, and the new state
// of a filing that changes.
type NewInstitution struct {
	Name          string    `json:"name"`
	CreditCode    string    `json:"credit_code"`
	Operator      string    `json:"operator"`
	RegType       string    `json:"reg_type"`
	Type          string    `json:"type"`
	Inclusive     bool      `json:"inclusive"`
	Places        int       `json:"places"`
	PlacesInfant  int       `json:"places_infant,omitempty"`
	PlacesToddler int       `json:"places_toddler,omitempty"`
	PlacesOlder   int       `json:"places_older,omitempty"`
	Region        string    `json:"region"`
	Address       string    `json:"address,omitempty"`
	Area          int       `json:"area"`
	OutdoorArea   int       `json:"outdoor_area,omitempty"`
	FireSafety    bool      `json:"fire_safety"`
	FireDoc       string    `json:"fire_doc,omitempty"`
	FireDate      date.Date `json:"fire_date,omitempty"`
	Staff         []Staff   `json:"staff"`
	Filed         date.Date `json:"filed"`
	Phone         string    `json:"phone,omitempty"`
}

// checkCounty refuses anyone but the county's health commission (and the
// system): filings are the county's (law art. 28).
func checkCounty(a auth.Actor) error {
	if err := auth.Require(a, auth.PermChildcareManage); err != nil {
		return err
	}
	if a.Role != auth.RoleCounty && a != auth.System {
		return apperr.Forbiddenf("托育机构备案由县级卫生健康部门办理", "childcare institutions file with the county health commission")
	}
	return nil
}

// check validates in for county as of today and returns it cleaned up.
func (in NewInstitution) check(county string, today date.Date) (NewInstitution, error) {
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	in.Name, in.Operator, in.Address = strings.TrimSpace(in.Name), strings.TrimSpace(in.Operator), strings.TrimSpace(in.Address)
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	if in.Name == "" {
		add(apperr.Invalidf("name", "缺少机构名称", "the name is missing"))
	}
	add(textcheck.Check("name", in.Name, textcheck.Line, MaxName))
	if in.Operator == "" {
		add(apperr.Invalidf("operator", "缺少举办者", "the operator is missing"))
	}
	add(textcheck.Check("operator", in.Operator, textcheck.Line, MaxName))
	if !ValidCreditCode(in.CreditCode) {
		add(apperr.Invalidf("credit_code", "统一社会信用代码应为18位且校验位正确", "the unified social credit code must have 18 characters and a right check character"))
	}
	if !RegTypes.Has(in.RegType) {
		add(apperr.Invalidf("reg_type", "登记类型应为%s之一", "reg_type must be one of %s", strings.Join(RegTypes.Codes(), ", ")))
	}
	if !Types.Has(in.Type) {
		add(apperr.Invalidf("type", "机构类型应为%s之一", "type must be one of %s", strings.Join(Types.Codes(), ", ")))
	}
	if in.Places < 1 || in.Places > MaxPlaces {
		add(apperr.Invalidf("places", "托位数应为1–%d", "places must be 1–%d", MaxPlaces))
	}
	if by := in.PlacesInfant + in.PlacesToddler + in.PlacesOlder; by != 0 && by != in.Places {
		add(apperr.Invalidf("places", "各班托位数之和（%d）与托位总数不符", "the places by class (%d) do not add up to the places", by))
	}
	if in.PlacesInfant < 0 || in.PlacesToddler < 0 || in.PlacesOlder < 0 {
		add(apperr.Invalidf("places", "托位数不能为负", "places cannot be negative"))
	}
	if code, err := region.ParseCode(in.Region); err != nil || code.Level() < region.Township || string(code)[:6] != county {
		add(apperr.Invalidf("region", "地址应为本县的乡镇或村（社区）区划代码", "the region must be a township or village code of the county"))
	} else if _, ok := region.Default().Lookup(code); !ok {
		add(apperr.Invalidf("region", "区划代码%s不存在", "region %s does not exist", code))
	} else {
		in.Region = string(code)
	}
	add(textcheck.Check("address", in.Address, textcheck.Line, MaxLine))
	if in.Area < 1 || in.Area > 100000 {
		add(apperr.Invalidf("area", "建筑面积应为1–100000平方米", "the area must be 1–100,000 square metres"))
	}
	if in.OutdoorArea < 0 || in.OutdoorArea > 100000 {
		add(apperr.Invalidf("outdoor_area", "户外活动面积应为0–100000平方米", "the outdoor area must be 0–100,000 square metres"))
	}
	if in.FireSafety && (in.FireDate.IsZero() || in.FireDate.After(today)) {
		add(apperr.Invalidf("fire_date", "消防验收（检查）合格须有日期，且不晚于今天", "a fire-safety acceptance needs its day, not after today"))
	}
	add(textcheck.Check("fire_doc", in.FireDoc, textcheck.Line, registry.MaxNumber))
	if len(in.Staff) == 0 || len(in.Staff) > MaxStaff {
		add(apperr.Invalidf("staff", "请填写从业人员（1–%d人）", "list the staff (1–%d)", MaxStaff))
	}
	for i := range in.Staff {
		st := &in.Staff[i]
		f := fmt.Sprintf("staff[%d]", i)
		st.Name, st.Qualification, st.CertNo = strings.TrimSpace(st.Name), strings.TrimSpace(st.Qualification), strings.TrimSpace(st.CertNo)
		if st.Name == "" {
			add(apperr.Invalidf(f+".name", "缺少姓名", "the name is missing"))
		}
		add(textcheck.Check(f+".name", st.Name, textcheck.Name, registry.MaxName))
		if !StaffRoles.Has(st.Role) {
			add(apperr.Invalidf(f+".role", "岗位应为%s之一", "role must be one of %s", strings.Join(StaffRoles.Codes(), ", ")))
		}
		add(textcheck.Check(f+".qualification", st.Qualification, textcheck.Line, MaxName))
		add(textcheck.Check(f+".cert_no", st.CertNo, textcheck.Line, registry.MaxNumber))
	}
	if in.Filed.IsZero() || in.Filed.After(today) {
		add(apperr.Invalidf("filed", "备案日期应不晚于今天", "the filing day must not be after today"))
	}
	add(registry.CheckPhone("phone", in.Phone))
	return in, errs.Err()
}

// File records the filing of a childcare institution by the county's
// health commission, numbered in the county's sequence of the filing year.
func File(ctx context.Context, s Store, a auth.Actor, county string, in NewInstitution) (*Institution, error) {
	if err := checkCounty(a); err != nil {
		return nil, err
	}
	if err := a.CheckScope(region.Code(county)); err != nil {
		return nil, err
	}
	in, err := in.check(county, date.Today(s.Now()))
	if err != nil {
		return nil, err
	}
	seq, err := s.NextFilingNo(ctx, county, in.Filed.Year())
	if err != nil {
		return nil, err
	}
	id, err := s.NextIDs(ctx, "childcare_institution", 1)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	x := &Institution{County: county, ID: id, FilingNo: FilingNo(county, in.Filed.Year(), seq), Status: StatusFiled,
		CreatedBy: a.UserID, Version: 1, CreatedAt: now, UpdatedAt: now}
	x.set(in)
	if err := s.InsertInstitution(ctx, x); err != nil {
		return nil, err
	}
	return x, s.Audit(ctx, entry(a, "childcare.file", x, nil, x))
}

// FilingNo returns the number of the seq-th filing of county in year.
func FilingNo(county string, year, seq int) string {
	return fmt.Sprintf("%s-TY-%04d-%04d", county, year, seq)
}

// set copies the filed fields of in into x.
func (x *Institution) set(in NewInstitution) {
	x.Name, x.CreditCode, x.Operator, x.RegType, x.Type, x.Inclusive = in.Name, in.CreditCode, in.Operator, in.RegType, in.Type, in.Inclusive
	x.Places, x.PlacesInfant, x.PlacesToddler, x.PlacesOlder = in.Places, in.PlacesInfant, in.PlacesToddler, in.PlacesOlder
	x.Region, x.Address, x.Area, x.OutdoorArea = in.Region, in.Address, in.Area, in.OutdoorArea
	x.FireSafety, x.FireDoc, x.FireDate, x.Staff, x.Filed, x.Phone = in.FireSafety, in.FireDoc, in.FireDate, slices.Clone(in.Staff), in.Filed, in.Phone
	if x.Staff == nil {
		x.Staff = []Staff{}
	}
}

// fields returns the filed fields of x as NewInstitution.
func (x *Institution) fields() NewInstitution {
	return NewInstitution{Name: x.Name, CreditCode: x.CreditCode, Operator: x.Operator, RegType: x.RegType, Type: x.Type,
		Inclusive: x.Inclusive, Places: x.Places, PlacesInfant: x.PlacesInfant, PlacesToddler: x.PlacesToddler, PlacesOlder: x.PlacesOlder,
		Region: x.Region, Address: x.Address, Area: x.Area, OutdoorArea: x.OutdoorArea, FireSafety: x.FireSafety, FireDoc: x.FireDoc,
		FireDate: x.FireDate, Staff: x.Staff, Filed: x.Filed, Phone: x.Phone}
}

// Amend records a change of filing id of county (备案变更): in is the new
// state of the filing; the fields that differ are kept in a change record
// with the reason, effective on effective. The version read must be
// given.
func Amend(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, in NewInstitution, effective date.Date, reason string) (*Institution, error) {
	if err := checkCounty(a); err != nil {
		return nil, err
	}
	x, err := load(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if x.Status != StatusFiled {
		return nil, apperr.Conflictf("该机构已注销，不能变更备案", "the institution is closed: its filing cannot change")
	}
	in.Filed = x.Filed
	in, err = in.check(county, date.Today(s.Now()))
	if err != nil {
		return nil, err
	}
	reason, err = checkReason(reason)
	if err != nil {
		return nil, err
	}
	if effective.IsZero() || effective.Before(x.Filed) || effective.After(date.Today(s.Now())) {
		return nil, apperr.Invalidf("effective", "变更日期应在备案日期与今天之间", "the change must take effect between the filing and today")
	}
	old := x.fields()
	changed, before, after := diff(old, in)
	if len(changed) == 0 {
		return nil, apperr.Invalidf("", "备案内容没有变化", "nothing in the filing changed")
	}
	b := *x
	x.set(in)
	if err := save(ctx, s, x); err != nil {
		return nil, err
	}
	ch := &Change{County: county, InstitutionID: id, Kind: ChangeFields, Fields: changed, Before: before, After: after,
		Effective: effective, Reason: reason, UserID: a.UserID, CreatedAt: s.Now()}
	if err := record(ctx, s, ch); err != nil {
		return nil, err
	}
	return x, s.Audit(ctx, entry(a, "childcare.change", x, &b, x))
}

// diff returns the JSON names of the fields of a and b that differ, and
// each side's values of them as text.
func diff(a, b NewInstitution) (fields []string, before, after string) {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	t := va.Type()
	var bs, as []string
	for i := 0; i < t.NumField(); i++ {
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.DeepEqual(x, y) {
			continue
		}
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		fields = append(fields, name)
		bs = append(bs, name+"="+fmt.Sprint(x))
		as = append(as, name+"="+fmt.Sprint(y))
	}
	return fields, strings.Join(bs, "; "), strings.Join(as, "; ")
}

// Close records the closure of filing id of county (注销、停办) on day on
// for reason.
func Close(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int, on date.Date, reason string) (*Institution, error) {
	if err := checkCounty(a); err != nil {
		return nil, err
	}
	x, err := load(ctx, s, a, county, id, version)
	if err != nil {
		return nil, err
	}
	if x.Status != StatusFiled {
		return nil, apperr.Conflictf("该机构已注销", "the institution is closed already")
	}
	reason, err = checkReason(reason)
	if err != nil {
		return nil, err
	}
	if on.IsZero() || on.Before(x.Filed) || on.After(date.Today(s.Now())) {
		return nil, apperr.Invalidf("closed", "注销日期应在备案日期与今天之间", "the closure must lie between the filing and today")
	}
	b := *x
	x.Status, x.Closed, x.CloseReason = StatusClosed, on, reason
	if err := save(ctx, s, x); err != nil {
		return nil, err
	}
	ch := &Change{County: county, InstitutionID: id, Kind: ChangeClose, Fields: []string{"status"}, Before: StatusFiled, After: StatusClosed,
		Effective: on, Reason: reason, UserID: a.UserID, CreatedAt: s.Now()}
	if err := record(ctx, s, ch); err != nil {
		return nil, err
	}
	return x, s.Audit(ctx, entry(a, "childcare.close", x, &b, x))
}

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", apperr.Invalidf("reason", "请填写原因", "a reason is required")
	}
	if e := textcheck.Check("reason", reason, textcheck.Para, MaxText); e != nil {
		return "", e
	}
	return reason, nil
}

func record(ctx context.Context, s Store, ch *Change) error {
	id, err := s.NextIDs(ctx, "childcare_change", 1)
	if err != nil {
		return err
	}
	ch.ID = id
	return s.InsertInstitutionChange(ctx, ch)
}

// load reads filing id of county within the actor's scope and checks the
// version read.
func load(ctx context.Context, s Store, a auth.Actor, county string, id int64, version int) (*Institution, error) {
	x, err := s.Institution(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != x.Version {
		return nil, apperr.Conflictf("该备案已被他人修改，请刷新后重试", "the filing was changed by someone else; reload and try again")
	}
	return x, nil
}

func save(ctx context.Context, s Store, x *Institution) error {
	x.Version++
	x.UpdatedAt = s.Now()
	return s.UpdateInstitution(ctx, x)
}

// Filing is a filing with its change records and inspections.
type Filing struct {
	Institution *Institution `json:"institution"`
	Changes     []Change     `json:"changes"`
	Inspections []Inspection `json:"inspections"`
}

// Get returns filing id of county with its changes and inspections, for
// staff who read reports, within their scope.
func Get(ctx context.Context, s Store, a auth.Actor, county string, id int64) (*Filing, error) {
	if err := auth.Require(a, auth.PermReportRead); err != nil {
		return nil, err
	}
	x, err := s.Institution(ctx, a.Scope, county, id)
	if err != nil {
		return nil, err
	}
	f := &Filing{Institution: x}
	if f.Changes, err = s.InstitutionChanges(ctx, county, id); err != nil {
		return nil, err
	}
	f.Inspections, err = s.Inspections(ctx, county, id)
	return f, err
}

// List returns a page of the filings of county within the actor's scope
// that q selects, and how many it selects.
func List(ctx context.Context, s Store, a auth.Actor, county string, q Query) ([]Institution, int, error) {
	if err := auth.Require(a, auth.PermReportRead); err != nil {
		return nil, 0, err
	}
	if q.Status != "" && !Statuses.Has(q.Status) {
		return nil, 0, apperr.OneOf("status", q.Status, Statuses.Codes())
	}
	if q.Type != "" && !Types.Has(q.Type) {
		return nil, 0, apperr.OneOf("type", q.Type, Types.Codes())
	}
	if q.Region != "" {
		c, err := region.ParseCode(q.Region)
		if err != nil {
			return nil, 0, apperr.Invalidf("region", "区划代码%q无效", "region %q is not a division code", q.Region)
		}
		if err := a.CheckScope(c); err != nil {
			return nil, 0, err
		}
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 50
	}
	xs, err := s.Institutions(ctx, a.Scope, county, q)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.CountInstitutions(ctx, a.Scope, county, q)
	return xs, n, err
}

// entry is the audit entry of action on x.
func entry(a auth.Actor, action string, x *Institution, before, after *Institution) audit.Entry {
	e := audit.Entry{County: x.County, UserID: a.UserID, Username: a.Username, Action: action, Entity: "childcare_institution",
		EntityID: strconv.FormatInt(x.ID, 10), Region: x.Region, After: audit.JSON(after)}
	if before != nil {
		e.Before = audit.JSON(before)
	}
	return e
}

// creditAlphabet holds the characters of a unified social credit code
// (GB 32100-2015) in the order of their values; I, O, Z, S and V are not
// used.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheck returns the check character of the first 17 characters of a
// unified social credit code, or 0 when they are not valid.
func CreditCheck(first17 string) byte {
	if len(first17) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditAlphabet[c]
}

// ValidCreditCode reports whether code is a unified social credit code
// with a right check character.
func ValidCreditCode(code string) bool {
	return len(code) == 18 && CreditCheck(code[:17]) == code[17]
}

// ceil rounds a non-negative number of places up.
func ceil(f float64) int { return int(math.Ceil(f - 1e-9)) }
