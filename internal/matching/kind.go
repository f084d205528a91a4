package matching

import (
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

// Kind is the kind of an extract: which department sent it and what it
// records. Each file holds one kind.
type Kind string

// The kinds of extract.
const (
	PoliceDeaths   Kind = "police-deaths"   // 公安死亡注销
	PoliceMoves    Kind = "police-moves"    // 公安户籍变动
	CivilMarriages Kind = "civil-marriages" // 民政婚姻登记
	HospitalBirths Kind = "hospital-births" // 出生医学证明
	Vaccination    Kind = "vaccination"     // 预防接种
	Pension        Kind = "pension"         // 人社退休
	Disability     Kind = "disability"      // 残联残疾证
)

// Kinds lists every kind in the order of the issue that introduced them.
var Kinds = []Kind{PoliceDeaths, PoliceMoves, CivilMarriages, HospitalBirths, Vaccination, Pension, Disability}

// ParseKind reads a kind name.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := specs[k]; ok {
		return k, nil
	}
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return "", apperr.OneOf("source", s, names)
}

// Role is the part a person plays in a row of an extract.
type Role string

// The roles.
const (
	RolePerson  Role = "person"
	RoleMother  Role = "mother"
	RoleFather  Role = "father"
	RoleHusband Role = "husband"
	RoleWife    Role = "wife"
	RoleChild   Role = "child"
)

// Field says what a column holds.
type Field uint8

// The fields of columns.
const (
	FieldID        Field = iota + 1 // a subject's ID number
	FieldName                       // a subject's name
	FieldSex                        // a subject's sex
	FieldBirth                      // a subject's birth date
	FieldAddress                    // a subject's hukou address
	FieldEventDate                  // the date of what the row records
	FieldEventType                  // what happened (move type, marriage or divorce)
	FieldRegion                     // a division code (the other side of a move)
	FieldHukouType                  // 农业 / 非农业
	FieldCategory                   // disability category
	FieldGrade                      // disability grade
	FieldEmployer                   // kind of employer
	FieldNumber                     // a certificate number
	FieldPlace                      // a place of the event (hospital, clinic) that also hints at the subject's
)

// Column is one column of a kind of extract.
type Column struct {
	Key      string   `json:"key"`               // e.g. "mother_id_number"
	Header   string   `json:"header"`            // the Chinese header departments use
	Aliases  []string `json:"aliases,omitempty"` // other headers accepted
	Role     Role     `json:"role,omitempty"`    // the subject it describes; "" for the event
	Field    Field    `json:"-"`
	Required bool     `json:"required"` // the file must have the column
}

// Spec describes a kind of extract.
type Spec struct {
	Kind    Kind     `json:"kind"`
	ZH      string   `json:"zh"`
	EN      string   `json:"en"`
	Roles   []Role   `json:"roles"`
	Columns []Column `json:"columns"`
}

// SpecOf returns the description of kind k (the zero Spec for an unknown
// kind).
func SpecOf(k Kind) Spec { return specs[k] }

// Roles returns the roles of a row of kind k, in the order results list
// them.
func (k Kind) Roles() []Role { return specs[k].Roles }

// Headers returns the Chinese headers of kind k in their usual order.
func (k Kind) Headers() []string {
	cs := specs[k].Columns
	h := make([]string, len(cs))
	for i, c := range cs {
		h[i] = c.Header
	}
	return h
}

var idAliases = []string{"身份证号码", "公民身份号码", "身份证", "证件号码", "证件号", "id_number"}

func personCols(role Role, prefix, keyPrefix string, required bool) []Column {
	ids := make([]string, 0, len(idAliases))
	for _, a := range idAliases {
		if prefix != "" && !strings.HasPrefix(a, "id") {
			ids = append(ids, prefix+a)
		}
	}
	if prefix == "" {
		ids = idAliases
	}
	names := []string{"name"}
	if prefix != "" {
		names = []string{}
	}
	return []Column{
		{Key: keyPrefix + "id_number", Header: prefix + "身份证号", Aliases: ids, Role: role, Field: FieldID, Required: required},
		{Key: keyPrefix + "name", Header: prefix + "姓名", Aliases: names, Role: role, Field: FieldName, Required: required},
	}
}

var specs = map[Kind]Spec{
	PoliceDeaths: {Kind: PoliceDeaths, ZH: "公安死亡注销", EN: "police death registrations", Roles: []Role{RolePerson},
		Columns: append(personCols(RolePerson, "", "", true),
			Column{Key: "sex", Header: "性别", Role: RolePerson, Field: FieldSex},
			Column{Key: "birth", Header: "出生日期", Aliases: []string{"出生年月日", "出生时间"}, Role: RolePerson, Field: FieldBirth},
			Column{Key: "death_date", Header: "死亡日期", Aliases: []string{"死亡时间", "注销日期", "死亡注销日期"}, Field: FieldEventDate, Required: true},
			Column{Key: "address", Header: "户籍地址", Aliases: []string{"户籍地详址", "住址", "户籍所在地", "地址"}, Role: RolePerson, Field: FieldAddress},
		)},
	PoliceMoves: {Kind: PoliceMoves, ZH: "公安户籍变动", EN: "police hukou changes", Roles: []Role{RolePerson},
		Columns: append(personCols(RolePerson, "", "", true),
			Column{Key: "move_type", Header: "变动类型", Aliases: []string{"变动类别", "业务类型"}, Field: FieldEventType, Required: true},
			Column{Key: "move_date", Header: "变动日期", Aliases: []string{"变动时间", "办理日期"}, Field: FieldEventDate, Required: true},
			Column{Key: "other_region", Header: "对方区划代码", Aliases: []string{"迁入迁出地区划代码", "对方行政区划代码", "对方区划"}, Field: FieldRegion},
			Column{Key: "hukou_type", Header: "户口性质", Aliases: []string{"户口类型", "户籍性质"}, Field: FieldHukouType},
		)},
	CivilMarriages: {Kind: CivilMarriages, ZH: "民政婚姻登记", EN: "civil-affairs marriage registrations", Roles: []Role{RoleHusband, RoleWife},
		Columns: append(append([]Column{
			{Key: "reg_type", Header: "登记类型", Aliases: []string{"业务类型", "登记类别"}, Field: FieldEventType, Required: true},
			{Key: "reg_date", Header: "登记日期", Aliases: []string{"登记时间", "办理日期"}, Field: FieldEventDate, Required: true},
		}, swap(personCols(RoleHusband, "男方", "husband_", true))...), swap(personCols(RoleWife, "女方", "wife_", true))...)},
	HospitalBirths: {Kind: HospitalBirths, ZH: "出生医学证明", EN: "birth medical certificates", Roles: []Role{RoleChild, RoleMother, RoleFather},
		Columns: append(append([]Column{
			{Key: "cert_number", Header: "出生医学证明编号", Aliases: []string{"出生证编号", "出生医学证明号", "证明编号"}, Field: FieldNumber},
			{Key: "child_name", Header: "新生儿姓名", Aliases: []string{"婴儿姓名", "儿童姓名"}, Role: RoleChild, Field: FieldName, Required: true},
			{Key: "child_sex", Header: "性别", Aliases: []string{"新生儿性别", "婴儿性别"}, Role: RoleChild, Field: FieldSex},
			{Key: "child_birth", Header: "出生日期", Aliases: []string{"出生时间", "新生儿出生日期"}, Role: RoleChild, Field: FieldBirth, Required: true},
		}, swap(personCols(RoleMother, "母亲", "mother_", true))...),
			append(swap(personCols(RoleFather, "父亲", "father_", false)),
				Column{Key: "birth_place", Header: "出生地点", Aliases: []string{"出生地", "接生机构", "助产机构"}, Role: RoleChild, Field: FieldPlace})...)},
	Vaccination: {Kind: Vaccination, ZH: "预防接种", EN: "vaccination records", Roles: []Role{RoleChild, RoleMother},
		Columns: append([]Column{
			{Key: "child_name", Header: "儿童姓名", Aliases: []string{"受种者姓名", "姓名"}, Role: RoleChild, Field: FieldName, Required: true},
			{Key: "child_sex", Header: "性别", Aliases: []string{"儿童性别"}, Role: RoleChild, Field: FieldSex},
			{Key: "child_birth", Header: "出生日期", Aliases: []string{"儿童出生日期"}, Role: RoleChild, Field: FieldBirth, Required: true},
		}, append(swap(personCols(RoleMother, "母亲", "mother_", false)),
			Column{Key: "unit", Header: "接种单位", Aliases: []string{"接种点", "建档单位", "管理单位"}, Role: RoleChild, Field: FieldPlace})...)},
	Pension: {Kind: Pension, ZH: "人社退休", EN: "pension retirements", Roles: []Role{RolePerson},
		Columns: append(personCols(RolePerson, "", "", true),
			Column{Key: "retire_date", Header: "退休日期", Aliases: []string{"退休时间", "待遇享受日期", "离退休日期"}, Field: FieldEventDate, Required: true},
			Column{Key: "employer_type", Header: "单位性质", Aliases: []string{"单位类型"}, Field: FieldEmployer},
		)},
	Disability: {Kind: Disability, ZH: "残联残疾证", EN: "disability certificates", Roles: []Role{RolePerson},
		Columns: append(personCols(RolePerson, "", "", true),
			Column{Key: "category", Header: "残疾类别", Aliases: []string{"残疾类型"}, Field: FieldCategory, Required: true},
			Column{Key: "grade", Header: "残疾等级", Aliases: []string{"残疾级别"}, Field: FieldGrade, Required: true},
			Column{Key: "issue_date", Header: "发证日期", Aliases: []string{"发证时间", "办证日期"}, Field: FieldEventDate},
		)},
}

// swap puts the name column of a subject before its ID number column, as
// the marriage and birth files write them.
func swap(cs []Column) []Column { return []Column{cs[1], cs[0]} }

// Event types.
const (
	MoveIn      = "move_in"      // 迁入
	MoveOut     = "move_out"     // 迁出
	HukouChange = "hukou_change" // 户口性质变更
	Marriage    = "marriage"     // 结婚
	Divorce     = "divorce"      // 离婚
)

var eventTypes = map[Kind]map[string]string{
	PoliceMoves: {"迁入": MoveIn, "迁入登记": MoveIn, "户口迁入": MoveIn, "迁出": MoveOut, "迁出登记": MoveOut, "户口迁出": MoveOut,
		"户口性质变更": HukouChange, "性质变更": HukouChange, "户口类型变更": HukouChange, "农转非": HukouChange, "非转农": HukouChange,
		"move_in": MoveIn, "move_out": MoveOut, "hukou_change": HukouChange},
	CivilMarriages: {"结婚": Marriage, "结婚登记": Marriage, "初婚": Marriage, "再婚": Marriage, "复婚": Marriage,
		"离婚": Divorce, "离婚登记": Divorce, "marriage": Marriage, "divorce": Divorce},
}

var eventTypeLabels = map[Kind]string{PoliceMoves: "迁入、迁出或户口性质变更", CivilMarriages: "结婚或离婚"}

var hukouTypes = map[string]string{
	"农业": "rural", "农业户口": "rural", "农业家庭户口": "rural", "农村": "rural", "农村居民": "rural", "农村户口": "rural", "rural": "rural",
	"非农业": "urban", "非农业户口": "urban", "非农业家庭户口": "urban", "城镇": "urban", "城镇居民": "urban", "城镇户口": "urban", "urban": "urban",
}

var categories = map[string]string{
	"视力": "sight", "听力": "hearing", "言语": "speech", "语言": "speech", "肢体": "limb", "智力": "intellect", "精神": "mental", "多重": "multiple",
	"sight": "sight", "hearing": "hearing", "speech": "speech", "limb": "limb", "intellect": "intellect", "mental": "mental", "multiple": "multiple",
}

var employers = map[string]string{
	"企业": "enterprise", "企业单位": "enterprise", "国有企业": "enterprise", "集体企业": "enterprise", "私营企业": "enterprise",
	"事业": "institution", "事业单位": "institution", "机关": "government", "机关单位": "government", "行政机关": "government", "机关事业单位": "government",
	"个体": "other", "灵活就业": "other", "个体工商户": "other", "其他": "other",
	"enterprise": "enterprise", "institution": "institution", "government": "government", "other": "other",
}

var sexes = map[string]string{
	"男": "M", "男性": "M", "1": "M", "m": "M", "male": "M",
	"女": "F", "女性": "F", "2": "F", "f": "F", "female": "F",
	"未知": "", "0": "", "9": "", "未说明": "", "不详": "",
}

// impliedSex is the sex a role implies.
var impliedSex = map[Role]string{RoleMother: "F", RoleWife: "F", RoleFather: "M", RoleHusband: "M"}
