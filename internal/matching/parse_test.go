package matching

import (
	"slices"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
)

// table is a RowSource over rows of cells.
type table struct {
	format string
	rows   [][]string
}

func (t table) Format() string {
	if t.format == "" {
		return "csv"
	}
	return t.format
}
func (t table) Encoding() string { return "utf-8" }
func (t table) Each(fn func(int, []string) bool) error {
	for i, r := range t.rows {
		if !fn(i+1, r) {
			return nil
		}
	}
	return nil
}

// csvTable splits lines at commas (no quoting): enough for tests.
func csvTable(text string) table {
	var t table
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		t.rows = append(t.rows, strings.Split(l, ","))
	}
	return t
}

func TestParseDeaths(t *testing.T) {
	x, err := Parse(csvTable(`
2024年3月死亡注销人员名单
序号,姓名,身份证号,性别,出生日期,死亡日期,户籍地址,备注
1,張建國 ,341523650312001,男,1965/3/12,2024-03-05,安徽省六安市舒城县城关镇,
2,王丽,34152319650312002x,女,1965-03-12,2024年3月6日,,
3,李四,341523196503120020,男,1965-12-03,05/03/2024,,

4,,,,,2024-03-07,,
5,赵五,,,1970-25-03,２０２４－０３－０８,,x`), PoliceDeaths, Options{Today: date.MustParse("2024-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	if !x.OK() {
		t.Fatalf("problems: %v", x.Problems)
	}
	if x.HeaderLine != 2 || len(x.Rows) != 5 {
		t.Fatalf("header line %d, %d rows", x.HeaderLine, len(x.Rows))
	}
	r := x.Rows[0]
	p := r.Subjects[0]
	if p.NameKey != "张建国" || p.ID.State != IDConverted || p.ID.Number != "341523196503120011" || p.Sex != "M" ||
		p.Birth.Date != date.MustParse("1965-03-12") || r.Event.Date.Date != date.MustParse("2024-03-05") || p.Address == "" {
		t.Errorf("row 1: %+v %+v", p, r.Event)
	}
	if !hasCode(r.Problems, CodeID15) {
		t.Errorf("row 1 problems: %v", r.Problems)
	}
	if p := x.Rows[1].Subjects[0]; p.ID.State != IDValid || p.ID.Number != "34152319650312002X" {
		t.Errorf("row 2: %+v", p)
	}
	r = x.Rows[2]
	if p := r.Subjects[0]; p.ID.State != IDInvalid || p.ID.Digits != "34152319650312002" || !hasCode(r.Problems, CodeID) ||
		!r.Event.Date.Ambiguous || !hasCode(r.Problems, CodeDateAmbig) {
		t.Errorf("row 3: %+v %v", p, r.Problems)
	}
	if r := x.Rows[3]; r.Row != 4 || r.Line != 7 || !hasCode(r.Problems, CodeNoIdentity) || r.Subjects[0].Present {
		t.Errorf("row 4: %+v", r)
	}
	r = x.Rows[4]
	if p := r.Subjects[0]; !p.Birth.Swapped || p.Birth.Date != date.MustParse("1970-03-25") || r.Event.Date.Date != date.MustParse("2024-03-08") ||
		!hasCode(r.Problems, CodeDateSwapped) {
		t.Errorf("row 5: %+v %v", p, r.Problems)
	}
	for _, pr := range x.AllProblems() {
		if pr.ZH == "" || pr.EN == "" || pr.Line == 0 {
			t.Errorf("problem without message or place: %+v", pr)
		}
	}
}

func hasCode(ps []Problem, code string) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Code == code })
}

func TestParseEveryKind(t *testing.T) {
	files := map[Kind]string{
		PoliceDeaths:   "身份证号,姓名,性别,出生日期,死亡日期,户籍地址\n341523196503120011,张三,男,1965-03-12,2024-03-05,舒城县",
		PoliceMoves:    "身份证号,姓名,变动类型,变动日期,对方区划代码,户口性质\n341523196503120011,张三,迁出,2024-03-05,340102,非农业",
		CivilMarriages: "登记类型,登记日期,男方姓名,男方身份证号,女方姓名,女方身份证号\n离婚,2024-03-05,张三,341523196503120011,王丽,34152319650312002X",
		HospitalBirths: "出生医学证明编号,新生儿姓名,性别,出生日期,母亲姓名,母亲身份证号,父亲姓名,父亲身份证号,出生地点\nq340012345,王丽之子,男,2024-03-05,王丽,34152319650312002X,,,舒城县人民医院",
		Vaccination:    "儿童姓名,性别,出生日期,母亲姓名,母亲身份证号,接种单位\n张小明,男,2024-03-05,王丽,34152319650312002X,城关镇卫生院",
		Pension:        "身份证号,姓名,退休日期,单位性质\n341523196503120011,张三,2024-03-05,企业",
		Disability:     "身份证号,姓名,残疾类别,残疾等级,发证日期\n341523196503120011,张三,肢体残疾,二级,2024-03-05",
	}
	for _, k := range Kinds {
		x, err := Parse(csvTable(files[k]), k, Options{})
		if err != nil || !x.OK() || len(x.Rows) != 1 {
			t.Fatalf("%s: %v %v", k, err, x.Problems)
		}
		r := x.Rows[0]
		if r.HasErrors() {
			t.Errorf("%s: %v", k, r.Problems)
		}
		if len(r.Subjects) != len(k.Roles()) || r.Event.Date.Date != date.MustParse("2024-03-05") || len(r.Fingerprint) != 32 || len(r.FactKey) != 32 {
			t.Errorf("%s: %+v", k, r)
		}
		// Headers in another order and an extra column read the same.
		h := k.Headers()
		if len(strings.Split(strings.SplitN(files[k], "\n", 2)[0], ",")) != len(h) {
			t.Errorf("%s: the test file lacks columns", k)
		}
	}
	x, _ := Parse(csvTable(files[PoliceMoves]), PoliceMoves, Options{})
	if e := x.Rows[0].Event; e.Type != MoveOut || e.Region != "340102" || e.HukouType != "urban" {
		t.Errorf("move: %+v", e)
	}
	x, _ = Parse(csvTable(files[Disability]), Disability, Options{})
	if e := x.Rows[0].Event; e.Category != "limb" || e.Grade != 2 {
		t.Errorf("disability: %+v", e)
	}
	x, _ = Parse(csvTable(files[HospitalBirths]), HospitalBirths, Options{})
	if r := x.Rows[0]; r.Subject(RoleChild).NameKey != "" || r.Subject(RoleFather).Present || r.Subject(RoleMother).Sex != "F" || r.Event.Number != "Q340012345" {
		t.Errorf("birth: %+v", r)
	}
}

func TestParseMappingAndOrder(t *testing.T) {
	a, _ := Parse(csvTable("身份证号,姓名,退休日期,单位性质\n341523196503120011,张三,2024-03-05,企业"), Pension, Options{})
	b, _ := Parse(csvTable("工作单位,证件号,人员姓名,待遇开始日期,单位性质\n某厂, ３４１５２３１９６５０３１２００１１,張三 ,2024/3/5,企业"), Pension,
		Options{Mapping: map[string]string{"人员姓名": "name", "待遇开始日期": "退休日期"}})
	if !a.OK() || !b.OK() {
		t.Fatalf("%v %v", a.Problems, b.Problems)
	}
	if a.Rows[0].Fingerprint != b.Rows[0].Fingerprint || a.Rows[0].FactKey != b.Rows[0].FactKey {
		t.Errorf("the same record has two fingerprints")
	}
	c, _ := Parse(csvTable("身份证号,姓名,退休日期\n341523196503120011,张三,2024-04-05"), Pension, Options{})
	if c.Rows[0].FactKey == a.Rows[0].FactKey {
		t.Errorf("another date, the same fact")
	}
	d, _ := Parse(csvTable("身份证号,姓名\n341523196503120011,张三"), Pension, Options{})
	if d.OK() || len(d.Rows) != 0 || !hasCode(d.Problems, CodeHeader) {
		t.Errorf("missing column: %+v", d)
	}
}
