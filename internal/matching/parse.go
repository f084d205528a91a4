package matching

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

// MaxRows bounds the data rows of one extract.
const MaxRows = 2_000_000

// RowSource is an opened tabular file, as package sheet opens one
// (*sheet.Table).
type RowSource interface {
	// Format names the file's format: "csv", "xlsx", …
	Format() string
	// Encoding names the encoding a CSV file was read in, "" for others.
	Encoding() string
	// Each calls fn with the 1-based row number and the cells of each row
	// in order until fn returns false. It must not keep cells. An error
	// with the method FileProblem() (row int, zh, en string) is a problem
	// of the file to report to the user, found after the rows passed
	// before it; any other error is a failure to read.
	Each(fn func(n int, cells []string) bool) error
}

type fileProblem interface {
	FileProblem() (row int, zh, en string)
}

// Options say how to read an extract.
type Options struct {
	// Mapping maps a header of the file, as written, to a column of the
	// kind: its key ("mother_id_number") or one of its headers or
	// aliases. It is the saved column mapping of a source whose files
	// name their columns differently. A header mapped to "" is ignored.
	Mapping map[string]string
	// Today, when set, makes dates after it errors.
	Today date.Date
}

// Subject is one person a row names, in one role, as the department
// recorded them.
type Subject struct {
	Role Role `json:"role"`
	// Name is the name as written (trimmed); NameKey its normalised form
	// (NormalizeName), "" when missing or a placeholder such as 李秀英之子.
	Name    string  `json:"name,omitempty"`
	NameKey string  `json:"name_key,omitempty"`
	ID      IDValue `json:"id"`
	// Sex is "M", "F" or "" when the row does not say.
	Sex   string    `json:"sex,omitempty"`
	Birth DateValue `json:"birth"`
	// BirthFromID says Birth was read from the ID number, the row giving
	// no birth date of its own.
	BirthFromID bool `json:"birth_from_id,omitempty"`
	// Address is the subject's hukou address or the place of the event
	// (hospital, clinic), which hints at where the subject lives.
	Address string `json:"address,omitempty"`
	// Present says the row names the subject at all (an ID number or a
	// name). A row of a marriage always names both spouses; a birth may
	// have no father.
	Present bool `json:"present"`
}

// Event is what a row records, beyond who.
type Event struct {
	// Date is the death, move, registration, birth, retirement or issue
	// date.
	Date DateValue `json:"date"`
	// Type is MoveIn, MoveOut, HukouChange, Marriage or Divorce.
	Type      string `json:"type,omitempty"`
	Region    string `json:"region,omitempty"`     // the other side of a move
	HukouType string `json:"hukou_type,omitempty"` // rural or urban
	Category  string `json:"category,omitempty"`   // disability category
	Grade     int    `json:"grade,omitempty"`      // disability grade 1–4
	Employer  string `json:"employer,omitempty"`   // enterprise, institution, government, other
	Number    string `json:"number,omitempty"`     // the birth certificate's number
	Place     string `json:"place,omitempty"`      // birth place, vaccination unit
}

// Row is one data row of an extract, read.
type Row struct {
	// Row is the 1-based data row, without the header and blank rows (the
	// row of the result file); Line the file row.
	Row  int  `json:"row"`
	Line int  `json:"line"`
	Kind Kind `json:"kind"`
	// Subjects holds one Subject per role of the kind, in Kind.Roles()
	// order.
	Subjects []Subject `json:"subjects"`
	Event    Event     `json:"event"`
	// Cells are the file's cells of the row as read, for showing the
	// department's record and writing feedback in its own layout.
	Cells []string `json:"cells"`
	// Fingerprint identifies the row's content: the same record, however
	// formatted (date formats, spaces, full-width digits, traditional
	// characters, extra columns), has the same fingerprint, so importing
	// a file twice, or files that overlap, can be recognised.
	Fingerprint string `json:"fingerprint"`
	// FactKey identifies the fact the row reports (who, what, when), so
	// that a corrected record of the same fact can be told from a new one.
	FactKey  string    `json:"fact_key"`
	Problems []Problem `json:"problems,omitempty"`
}

// Subject returns the row's subject in role, or nil.
func (r *Row) Subject(role Role) *Subject {
	for i := range r.Subjects {
		if r.Subjects[i].Role == role {
			return &r.Subjects[i]
		}
	}
	return nil
}

// HasErrors reports whether a problem of the row is an error.
func (r *Row) HasErrors() bool {
	for _, p := range r.Problems {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// Extract is a parsed extract: every data row, each with its problems,
// and the problems of the file as a whole.
type Extract struct {
	Kind     Kind   `json:"kind"`
	Format   string `json:"format"`
	Encoding string `json:"encoding,omitempty"`
	// Header is the file's header row as written; HeaderLine its file row.
	Header     []string `json:"header"`
	HeaderLine int      `json:"header_line"`
	// Columns maps each column key of the kind found in the file to its
	// 1-based file column.
	Columns  map[string]int `json:"columns"`
	Rows     []Row          `json:"rows"`
	Problems []Problem      `json:"problems"`
}

// OK reports whether the file could be read as a whole: its header has
// every required column and it has no file problem. Rows may still have
// problems of their own.
func (x *Extract) OK() bool {
	for _, p := range x.Problems {
		if p.Severity == Error {
			return false
		}
	}
	return true
}

// AllProblems returns the file's problems and every row's, in file order.
func (x *Extract) AllProblems() []Problem {
	ps := slices.Clone(x.Problems)
	for i := range x.Rows {
		ps = append(ps, x.Rows[i].Problems...)
	}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	return ps
}

// normHeader reduces a header cell to the form headers are matched in:
// no spaces, no "*" marking a required column, no parenthesised hint, no
// colon, lower case.
func normHeader(s string) string {
	s = cleanCell(narrow(s))
	if i := strings.IndexAny(s, "(（"); i > 0 {
		s = s[:i]
	}
	s = headerReplacer.Replace(s)
	return strings.ToLower(ToSimplified(s))
}

var headerReplacer = strings.NewReplacer("*", "", "_", "", "-", "", "：", "", ":", "", " ", "")

// Parse reads the extract of kind in src. Every data row becomes a Row,
// with the problems of its cells; a cell whose value cannot be used is
// reported and treated as empty, so that the row can still be matched on
// what remains. A header without a required column is a problem of the
// file and no row is read. The error is for an unknown kind or a failure
// to read src.
func Parse(src RowSource, kind Kind, opt Options) (*Extract, error) {
	spec, ok := specs[kind]
	if !ok {
		_, err := ParseKind(string(kind))
		return nil, err
	}
	x := &Extract{Kind: kind, Format: src.Format(), Encoding: src.Encoding(), Columns: map[string]int{}, Rows: []Row{}, Problems: []Problem{}}
	p := newParser(x, spec, opt)
	p.excel = x.Format == "xlsx"
	err := src.Each(func(n int, cells []string) bool {
		return p.line(n, cells)
	})
	var fp fileProblem
	switch {
	case errors.As(err, &fp):
		row, zh, en := fp.FileProblem()
		x.Problems = append(x.Problems, Problem{Line: row, Severity: Error, Code: CodeFile, ZH: zh, EN: en})
	case err != nil:
		return nil, fmt.Errorf("read extract: %w", err)
	}
	if x.Header == nil && len(x.Problems) == 0 {
		x.Problems = append(x.Problems, Problem{Severity: Error, Code: CodeHeader, ZH: "文件中没有表头行", EN: "the file has no header row"})
	}
	return x, nil
}

type parser struct {
	x       *Extract
	spec    Spec
	opt     Options
	excel   bool
	lookup  map[string]int // normalised header → column index in spec
	mapping map[string]string
	cols    []int // file column (0-based) → spec column, -1 for none
	stop    bool  // the header lacks required columns, or MaxRows reached
	titles  int   // rows skipped above the header as titles
	// ParseRow state
	roleIdx map[Role]int
}

func newParser(x *Extract, spec Spec, opt Options) *parser {
	p := &parser{x: x, spec: spec, opt: opt, lookup: map[string]int{}, mapping: map[string]string{}, roleIdx: map[Role]int{}}
	for i, c := range spec.Columns {
		p.lookup[normHeader(c.Key)] = i
		for _, a := range c.Aliases {
			if _, taken := p.lookup[normHeader(a)]; !taken {
				p.lookup[normHeader(a)] = i
			}
		}
	}
	for i, c := range spec.Columns { // a header beats another column's alias
		p.lookup[normHeader(c.Header)] = i
	}
	for k, v := range opt.Mapping {
		p.mapping[normHeader(k)] = v
	}
	for i, r := range spec.Roles {
		p.roleIdx[r] = i
	}
	return p
}

// column returns the spec column a header names, -1 for none.
func (p *parser) column(h string) int {
	nh := normHeader(h)
	if v, ok := p.mapping[nh]; ok {
		if v == "" {
			return -1
		}
		nh = normHeader(v)
	}
	if i, ok := p.lookup[nh]; ok {
		return i
	}
	return -1
}

func blank(cells []string) bool {
	for _, c := range cells {
		if cleanCell(c) != "" {
			return false
		}
	}
	return true
}

// line handles file row n; it returns false to stop reading.
func (p *parser) line(n int, cells []string) bool {
	if p.stop {
		return false
	}
	if blank(cells) {
		return true
	}
	if p.x.Header == nil {
		return p.header(n, cells)
	}
	if len(p.x.Rows) >= MaxRows {
		p.x.Problems = append(p.x.Problems, Problem{Line: n, Severity: Error, Code: CodeTooMany,
			ZH: fmt.Sprintf("行数超过上限 %d，请分成多个文件导入", MaxRows), EN: fmt.Sprintf("more than %d rows: split the file", MaxRows)})
		p.stop = true
		return false
	}
	row := p.parseRow(n, len(p.x.Rows)+1, cells)
	p.x.Rows = append(p.x.Rows, row)
	return true
}

// header reads the header row. A row above it with a single cell that
// names no column (a title such as 2024年3月死亡人员名单) is skipped.
func (p *parser) header(n int, cells []string) bool {
	found, filled := 0, 0
	for _, c := range cells {
		if cleanCell(c) != "" {
			filled++
			if p.column(c) >= 0 {
				found++
			}
		}
	}
	if found == 0 && filled <= 2 && p.titles < 5 {
		p.titles++
		return true
	}
	p.x.Header = make([]string, len(cells))
	p.x.HeaderLine = n
	p.cols = make([]int, len(cells))
	where := map[int]int{}
	for i, c := range cells {
		p.x.Header[i] = cleanCell(c)
		p.cols[i] = -1
		k := p.column(c)
		if k < 0 {
			continue // extra columns are ignored
		}
		col := p.spec.Columns[k]
		if first, dup := where[k]; dup {
			p.x.Problems = append(p.x.Problems, Problem{Line: n, Col: i + 1, Column: col.Header, Key: col.Key, Severity: Warning, Code: CodeHeader,
				ZH: fmt.Sprintf("与第%d列重复，已忽略", first+1), EN: fmt.Sprintf("repeats column %d: ignored", first+1)})
			continue
		}
		where[k] = i
		p.cols[i] = k
		p.x.Columns[col.Key] = i + 1
	}
	for k, c := range p.spec.Columns {
		if _, ok := where[k]; c.Required && !ok {
			p.x.Problems = append(p.x.Problems, Problem{Line: n, Key: c.Key, Severity: Error, Code: CodeHeader,
				ZH: fmt.Sprintf("缺少必需的列“%s”（可在列对应中指定）", c.Header),
				EN: fmt.Sprintf("the required column %q is missing (map it in the column mapping)", c.Header)})
			p.stop = true
		}
	}
	return !p.stop
}

// parseRow reads data row r (file row n).
func (p *parser) parseRow(n, r int, cells []string) Row {
	row := Row{Row: r, Line: n, Kind: p.spec.Kind, Cells: slices.Clone(cells), Subjects: make([]Subject, len(p.spec.Roles))}
	for i, role := range p.spec.Roles {
		row.Subjects[i].Role = role
	}
	vals := make([]string, len(p.spec.Columns))
	fileCol := make([]int, len(p.spec.Columns))
	for i, c := range cells {
		if i >= len(p.cols) {
			if cleanCell(c) != "" {
				row.Problems = append(row.Problems, Problem{Line: n, Row: r, Col: i + 1, Severity: Warning, Code: CodeExtraCell,
					ZH: "该列没有表头，已忽略", EN: "this cell is under no header: ignored"})
			}
			continue
		}
		if k := p.cols[i]; k >= 0 {
			vals[k] = cleanCell(c)
			fileCol[k] = i + 1
		}
	}
	add := func(k int, sev Severity, code, zh, en string) {
		c := p.spec.Columns[k]
		row.Problems = append(row.Problems, Problem{Line: n, Row: r, Col: fileCol[k], Column: c.Header, Key: c.Key, Role: c.Role,
			Severity: sev, Code: code, ZH: zh, EN: en})
	}
	addErr := func(k int, code string, err error) {
		if e, ok := apperr.As(err); ok {
			add(k, Error, code, e.ZH, e.EN)
			return
		}
		add(k, Error, code, err.Error(), err.Error())
	}
	readDate := func(k int) DateValue {
		v, err := ParseDate(vals[k], p.excel)
		if err != nil {
			addErr(k, CodeDate, err)
			return DateValue{}
		}
		switch {
		case v.Swapped:
			add(k, Warning, CodeDateSwapped, fmt.Sprintf("“%s”的月份大于12，已按日、月互换读作 %s", vals[k], v.Date),
				fmt.Sprintf("%q has a month over 12: read with day and month exchanged as %s", vals[k], v.Date))
		case v.Ambiguous:
			add(k, Warning, CodeDateAmbig, fmt.Sprintf("“%s”可读作 %s 或 %s，已按前者读取", vals[k], v.Date, v.Alt),
				fmt.Sprintf("%q may be %s or %s: read as the former", vals[k], v.Date, v.Alt))
		}
		if !p.opt.Today.IsZero() && v.Date.After(p.opt.Today) {
			add(k, Error, CodeDateFuture, fmt.Sprintf("日期 %s 晚于今天", v.Date), fmt.Sprintf("date %s is after today", v.Date))
			return DateValue{}
		}
		return v
	}
	birthCol := map[Role]int{}
	sexCol := map[Role]int{}
	idCol := map[Role]int{}
	for k, c := range p.spec.Columns {
		v := vals[k]
		var s *Subject
		if c.Role != "" {
			s = &row.Subjects[p.roleIdx[c.Role]]
		}
		switch c.Field {
		case FieldID:
			idCol[c.Role] = k
			id, err := ParseID(v)
			s.ID = id
			if err != nil {
				addErr(k, CodeID, err)
			} else if id.State == IDConverted {
				add(k, Warning, CodeID15, "15位身份证号已转换为18位："+string(id.Number.Masked()),
					"the 15-digit ID number was converted to 18 characters: "+id.Number.Masked())
			}
		case FieldName:
			s.Name = v
			s.NameKey = NormalizeName(v)
		case FieldSex:
			sexCol[c.Role] = k
			if v == "" {
				break
			}
			sex, ok := sexes[strings.ToLower(narrow(v))]
			if !ok {
				add(k, Error, CodeValue, fmt.Sprintf("性别应为“男”或“女”，实为“%s”", clip(v, 20)), fmt.Sprintf("sex must be 男 or 女, got %q", clip(v, 20)))
			}
			s.Sex = sex
		case FieldBirth:
			birthCol[c.Role] = k
			s.Birth = readDate(k)
		case FieldAddress:
			s.Address = narrow(v)
		case FieldPlace:
			row.Event.Place = narrow(v)
			s.Address = row.Event.Place
		case FieldEventDate:
			if v == "" {
				if c.Required {
					add(k, Error, CodeMissing, "缺少"+c.Header, c.Header+" is missing")
				}
				break
			}
			row.Event.Date = readDate(k)
		case FieldEventType:
			if v == "" {
				add(k, Error, CodeMissing, "缺少"+c.Header, c.Header+" is missing")
				break
			}
			t, ok := eventTypes[p.spec.Kind][strings.ToLower(normHeader(v))]
			if !ok {
				add(k, Error, CodeValue, fmt.Sprintf("%s应为%s，实为“%s”", c.Header, eventTypeLabels[p.spec.Kind], clip(v, 20)),
					fmt.Sprintf("%s must be one of %s, got %q", c.Header, eventTypeLabels[p.spec.Kind], clip(v, 20)))
			}
			row.Event.Type = t
		case FieldRegion:
			if v == "" {
				break
			}
			code, err := region.ParseCode(narrow(v))
			if err != nil {
				add(k, Error, CodeValue, fmt.Sprintf("区划代码“%s”无效", clip(v, 20)), fmt.Sprintf("division code %q is not valid", clip(v, 20)))
				break
			}
			row.Event.Region = string(code)
		case FieldHukouType:
			if v == "" {
				break
			}
			t, ok := hukouTypes[strings.ToLower(normHeader(v))]
			if !ok {
				add(k, Error, CodeValue, fmt.Sprintf("户口性质应为“农业”或“非农业”，实为“%s”", clip(v, 20)), fmt.Sprintf("hukou type must be 农业 or 非农业, got %q", clip(v, 20)))
			}
			row.Event.HukouType = t
		case FieldCategory:
			if v == "" {
				add(k, Error, CodeMissing, "缺少残疾类别", "the disability category is missing")
				break
			}
			t, ok := categories[strings.TrimSuffix(strings.TrimSuffix(strings.ToLower(normHeader(v)), "残疾"), "类")]
			if !ok {
				add(k, Error, CodeValue, fmt.Sprintf("残疾类别应为视力、听力、言语、肢体、智力、精神或多重，实为“%s”", clip(v, 20)),
					fmt.Sprintf("the disability category must be 视力, 听力, 言语, 肢体, 智力, 精神 or 多重, got %q", clip(v, 20)))
			}
			row.Event.Category = t
		case FieldGrade:
			if v == "" {
				add(k, Error, CodeMissing, "缺少残疾等级", "the disability grade is missing")
				break
			}
			g, ok := parseGrade(v)
			if !ok {
				add(k, Error, CodeValue, fmt.Sprintf("残疾等级应为一级至四级，实为“%s”", clip(v, 20)), fmt.Sprintf("the disability grade must be 1 to 4, got %q", clip(v, 20)))
			}
			row.Event.Grade = g
		case FieldEmployer:
			if v == "" {
				break
			}
			t, ok := employers[strings.ToLower(normHeader(v))]
			if !ok {
				add(k, Error, CodeValue, fmt.Sprintf("单位性质应为企业、事业单位或机关，实为“%s”", clip(v, 20)),
					fmt.Sprintf("the employer must be 企业, 事业单位 or 机关, got %q", clip(v, 20)))
			}
			row.Event.Employer = t
		case FieldNumber:
			row.Event.Number = strings.ToUpper(narrow(v))
		}
	}
	for i := range row.Subjects {
		s := &row.Subjects[i]
		s.Present = s.ID.Raw != "" || s.Name != "" || s.Role == RoleChild && !s.Birth.IsZero()
		if n := s.ID.Number; n != "" {
			if k, ok := sexCol[s.Role]; ok && s.Sex != "" && s.Sex != n.Sex() {
				add(k, Warning, CodeIDSex, "性别与身份证号不一致", "the sex differs from the one the ID number encodes")
			}
			if k, ok := birthCol[s.Role]; ok && !s.Birth.IsZero() {
				y, m, d := n.Birth()
				if idb := date.Of(y, m, d); idb != s.Birth.Date {
					add(k, Warning, CodeIDBirth, fmt.Sprintf("出生日期 %s 与身份证号中的 %s 不一致", s.Birth.Date, idb),
						fmt.Sprintf("birth date %s differs from %s in the ID number", s.Birth.Date, idb))
				}
			}
		}
		if s.Birth.IsZero() {
			if b := s.ID.Birth(); !b.IsZero() {
				s.Birth = DateValue{Date: b}
				s.BirthFromID = true
			}
		}
		if s.Sex == "" {
			s.Sex = impliedSex[s.Role]
		}
		if !s.Present && p.requiredRole(s.Role) {
			k := idCol[s.Role]
			if _, ok := idCol[s.Role]; !ok {
				k = p.nameColumn(s.Role)
			}
			add(k, Error, CodeNoIdentity, "缺少身份证号和姓名，无法比对", "neither an ID number nor a name: cannot be matched")
			row.Problems[len(row.Problems)-1].Col = 0
		}
	}
	if c := row.Subject(RoleChild); c != nil && row.Event.Date.IsZero() {
		row.Event.Date = c.Birth // a birth or vaccination record: the event is the birth
	}
	row.Fingerprint, row.FactKey = fingerprints(&row)
	return row
}

func (p *parser) nameColumn(role Role) int {
	for k, c := range p.spec.Columns {
		if c.Role == role && c.Field == FieldName {
			return k
		}
	}
	return 0
}

// requiredRole reports whether every row must name a subject in role:
// all but the father of a birth and the mother of a vaccination record.
func (p *parser) requiredRole(role Role) bool {
	switch {
	case role == RoleFather:
		return false
	case role == RoleMother && p.spec.Kind == Vaccination:
		return false
	}
	return true
}

// parseGrade reads a disability grade: 1–4, 一级–四级, 1级, 一.
func parseGrade(s string) (int, bool) {
	s = strings.TrimSuffix(strings.TrimSuffix(narrow(s), "级"), "等")
	s = strings.TrimPrefix(s, "第")
	switch s {
	case "1", "一", "壹":
		return 1, true
	case "2", "二", "贰":
		return 2, true
	case "3", "三", "叁":
		return 3, true
	case "4", "四", "肆":
		return 4, true
	}
	return 0, false
}

// identity is how a subject is named in a fingerprint: the valid ID
// number, or else the normalised name and birth date with whatever could
// be read of the number.
func identity(s *Subject) string {
	if s.ID.Number != "" {
		return "id:" + string(s.ID.Number)
	}
	return "n:" + s.NameKey + "|" + s.Birth.Date.String() + "|" + s.ID.Digits
}

// fingerprints computes the row's Fingerprint and FactKey.
func fingerprints(r *Row) (string, string) {
	var b strings.Builder
	b.WriteString(string(r.Kind))
	sep := func() { b.WriteByte(0x1f) }
	for i := range r.Subjects {
		s := &r.Subjects[i]
		sep()
		b.WriteString(identity(s))
		sep()
		b.WriteString(NormalizeName(s.Name))
		sep()
		b.WriteString(s.Sex)
		sep()
		b.WriteString(s.Birth.Date.String())
		sep()
		b.WriteString(NormalizeName(s.Address))
	}
	e := r.Event
	for _, v := range []string{e.Date.Date.String(), e.Type, e.Region, e.HukouType, e.Category, strconv.Itoa(e.Grade), e.Employer, e.Number, NormalizeName(e.Place)} {
		sep()
		b.WriteString(v)
	}
	content := hash(b.String())

	b.Reset()
	b.WriteString(string(r.Kind))
	switch r.Kind {
	case HospitalBirths:
		if e.Number != "" {
			sep()
			b.WriteString(e.Number)
			break
		}
		fallthrough
	case Vaccination:
		c := r.Subject(RoleChild)
		sep()
		b.WriteString(c.NameKey + "|" + c.Birth.Date.String() + "|" + c.Sex)
		sep()
		b.WriteString(identity(r.Subject(RoleMother)))
	default:
		for i := range r.Subjects {
			sep()
			b.WriteString(identity(&r.Subjects[i]))
		}
		for _, v := range []string{e.Date.Date.String(), e.Type, e.Category, strconv.Itoa(e.Grade)} {
			sep()
			b.WriteString(v)
		}
	}
	return content, hash(b.String())
}

func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}
