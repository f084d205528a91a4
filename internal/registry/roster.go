package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/audit"
	"github.com/jiahe-project/jiahe/internal/auth"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/region"
)

// A roster is a spreadsheet of persons, one a row under a header row, as
// county offices keep them (CSV or Excel .xlsx; package sheet reads and
// writes the files). Importing one is all or nothing: every row is checked
// first and every problem is reported with its row and column; nothing is
// saved unless there are none.

// MaxRosterRows bounds the data rows of one roster file.
const MaxRosterRows = 500_000

// rosterColumn is one column of a roster.
type rosterColumn struct {
	key      string   // the field: id_number, name, …
	header   string   // the Chinese header written on export
	aliases  []string // other accepted header names
	required bool     // the header must be present
	width    float64  // the column's width in an exported workbook
}

// rosterColumns are the columns of a roster in export order. Headers are
// matched without regard to case, spaces, a "*" marking a required column
// or a parenthesised hint ("出生日期（YYYY-MM-DD）").
var rosterColumns = []rosterColumn{
	{"id_number", "身份证号", []string{"身份证号码", "公民身份号码", "身份证", "id_number", "id number", "idnumber", "id"}, true, 22},
	{"name", "姓名", []string{"name"}, true, 10},
	{"sex", "性别", []string{"sex", "gender"}, false, 6},
	{"birth", "出生日期", []string{"出生年月日", "birth", "birth_date", "birth date", "date of birth"}, false, 12},
	{"region", "户籍地区划代码", []string{"户籍地区划", "户籍区划代码", "区划代码", "region", "region_code", "region code", "hukou_region"}, true, 16},
	{"hukou_type", "户口性质", []string{"户口类型", "户籍性质", "hukou_type", "hukou type", "hukou"}, true, 10},
	{"pension", "养老保险", []string{"养老保险类型", "pension"}, false, 12},
	{"ethnic", "民族", []string{"ethnic", "ethnicity", "ethnic group"}, false, 8},
	{"address", "住址", []string{"地址", "家庭住址", "现住址", "address"}, false, 30},
	{"phone", "电话", []string{"联系电话", "电话号码", "手机", "手机号", "手机号码", "phone", "telephone", "mobile"}, false, 16},
	{"death", "死亡日期", []string{"death", "death_date", "death date", "date of death"}, false, 12},
}

// ignoredHeaders are columns a roster may carry that the import does not
// read: a running number and remarks.
var ignoredHeaders = map[string]bool{"序号": true, "编号": true, "备注": true, "no": true, "no.": true, "remarks": true, "note": true}

var headerIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range rosterColumns {
		m[normHeader(c.header)] = i
		m[normHeader(c.key)] = i
		for _, a := range c.aliases {
			m[normHeader(a)] = i
		}
	}
	return m
}()

// normHeader reduces a header cell to the form headers are matched in.
func normHeader(s string) string {
	s = cleanCell(s)
	if i := strings.IndexAny(s, "(（"); i > 0 {
		s = s[:i]
	}
	s = strings.NewReplacer("*", "", "＊", "", "_", " ", "-", " ", "：", "", ":", "").Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Problem is one problem of a roster file at a row and column (both
// 1-based, as a spreadsheet shows them; the header is row 1 of a file
// without blank lines before it). Col is 0 for a problem of the whole row
// and Row is 0 for one of the whole file. Column is the column's Chinese
// header.
type Problem struct {
	Row    int    `json:"row"`
	Col    int    `json:"col"`
	Column string `json:"column,omitempty"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}

// Chinese returns the problem with its place, e.g.
// "第3行 第1列（身份证号）：身份证号校验位错误：应为5，实为0".
func (p Problem) Chinese() string {
	switch {
	case p.Row > 0 && p.Col > 0 && p.Column == "":
		return fmt.Sprintf("第%d行 第%d列：%s", p.Row, p.Col, p.ZH)
	case p.Row > 0 && p.Col > 0:
		return fmt.Sprintf("第%d行 第%d列（%s）：%s", p.Row, p.Col, p.Column, p.ZH)
	case p.Row > 0:
		return fmt.Sprintf("第%d行：%s", p.Row, p.ZH)
	}
	return p.ZH
}

// English returns the problem with its place, e.g.
// "row 3, column 1 (身份证号): ID number check character is wrong: …".
func (p Problem) English() string {
	switch {
	case p.Row > 0 && p.Col > 0 && p.Column == "":
		return fmt.Sprintf("row %d, column %d: %s", p.Row, p.Col, p.EN)
	case p.Row > 0 && p.Col > 0:
		return fmt.Sprintf("row %d, column %d (%s): %s", p.Row, p.Col, p.Column, p.EN)
	case p.Row > 0:
		return fmt.Sprintf("row %d: %s", p.Row, p.EN)
	}
	return p.EN
}

// String returns the problem in Chinese and English.
func (p Problem) String() string { return p.Chinese() + " / " + p.English() }

// Field names the problem's place for an apperr.Error: "rows[3].id_number"
// (3 is the file's row number), "rows[3]" or "file".
func (p Problem) Field() string {
	if p.Row == 0 {
		return "file"
	}
	f := fmt.Sprintf("rows[%d]", p.Row)
	if key := columnKey(p.Column); key != "" {
		f += "." + key
	}
	return f
}

func columnKey(header string) string {
	for _, c := range rosterColumns {
		if c.header == header {
			return c.key
		}
	}
	return ""
}

// ProblemsError turns problems into one Invalid error listing them all,
// each with its place in the message; nil when there are none.
func ProblemsError(ps []Problem) error {
	var l apperr.List
	for _, p := range ps {
		l = append(l, &apperr.Error{Kind: apperr.Invalid, Field: p.Field(), ZH: p.Chinese(), EN: p.English()})
	}
	return l.Err()
}

// RosterOptions say how to read a roster file.
type RosterOptions struct {
	// Today bounds birth and death dates from above.
	Today date.Date
}

// RowSource is an opened tabular file, as package sheet opens one
// (*sheet.Table).
type RowSource interface {
	// Format names the file's format: "csv", "xlsx", …
	Format() string
	// Encoding names the encoding a CSV file was read in, "" for others.
	Encoding() string
	// Each calls fn with the 1-based row number and the cells of each row
	// in order until fn returns false. It must not keep cells. An error
	// that has the method FileProblem (see fileProblem) is a problem of
	// the file to report to the user, found after the rows passed before
	// it; any other error is a failure to read.
	Each(fn func(n int, cells []string) bool) error
}

// fileProblem is an error of a RowSource that tells the user what is wrong
// with the file as a whole: row is the file row it was found at (0 for
// none), zh and en the messages.
type fileProblem interface {
	FileProblem() (row int, zh, en string)
}

// xlsxFormat is the format of an Excel workbook, whose cells may hold
// dates as serial numbers.
const xlsxFormat = "xlsx"

// RosterRow is one valid data row.
type RosterRow struct {
	Row    int       `json:"row"`
	Person NewPerson `json:"person"`
	Death  date.Date `json:"death"`
}

// Roster is a parsed roster file: its valid rows and every problem found.
type Roster struct {
	Format   string      `json:"format"`
	Encoding string      `json:"encoding,omitempty"`
	Rows     []RosterRow `json:"rows"`
	Problems []Problem   `json:"problems"`
	// Read is the number of data rows in the file, valid or not.
	Read int `json:"read"`

	cols map[string]int // column key → 1-based column in the file
}

// column returns the file column (1-based) of the column key, 0 if the
// file has none.
func (ro *Roster) column(key string) int { return ro.cols[key] }

func (ro *Roster) problem(row, col int, column, zh, en string) {
	ro.Problems = append(ro.Problems, Problem{Row: row, Col: col, Column: column, ZH: zh, EN: en})
}

// ParseRoster reads the roster in src and checks every row by the
// registry's rules that need no database (ID number, name, dates, sex,
// hukou division and type, pension, duplicates within the file). A
// malformed file is a Problem, not an error; the error is for a failure to
// read src.
func ParseRoster(src RowSource, opt RosterOptions) (*Roster, error) {
	ro := &Roster{Format: src.Format(), Encoding: src.Encoding(), Rows: []RosterRow{}, Problems: []Problem{}, cols: map[string]int{}}
	p := &rosterParser{ro: ro, today: opt.Today, seen: map[string]int{}, xlsx: ro.Format == xlsxFormat}
	err := src.Each(func(n int, cells []string) bool {
		p.row(n, cells)
		return !p.full
	})
	var fp fileProblem
	switch {
	case errors.As(err, &fp):
		row, zh, en := fp.FileProblem()
		ro.problem(row, 0, "", zh, en)
	case err != nil:
		return nil, fmt.Errorf("read roster: %w", err)
	}
	if p.header == nil && len(ro.Problems) == 0 {
		ro.problem(0, 0, "", "文件中没有表头行", "the file has no header row")
	}
	ro.Read = min(p.data, MaxRosterRows)
	return ro, nil
}

// rosterParser turns the cells of each row into RosterRows and Problems.
type rosterParser struct {
	ro     *Roster
	today  date.Date
	xlsx   bool           // cells come from Excel: numbers may be date serials
	header []int          // for each file column, the index in rosterColumns, or -1
	labels []string       // for each file column, its header as written
	seen   map[string]int // canonical ID number → the row it first appeared in
	data   int            // data rows read
	full   bool           // MaxRosterRows reached
}

// cleanCell trims white space (also the ideographic space and a BOM) and
// the marks spreadsheets add to keep digits as text: a leading apostrophe,
// a leading tab, or ="…".
func cleanCell(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u3000' || r == '\ufeff' || r == '\u00a0' || r == '\u200b'
	})
	if strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) && len(s) >= 3 {
		s = s[2 : len(s)-1]
	}
	s = strings.TrimPrefix(s, "'")
	return strings.TrimSpace(s)
}

func blank(cells []string) bool {
	for _, c := range cells {
		if cleanCell(c) != "" {
			return false
		}
	}
	return true
}

// row handles the cells of file row n.
func (p *rosterParser) row(n int, cells []string) {
	if blank(cells) {
		return
	}
	if p.header == nil {
		p.readHeader(n, cells)
		return
	}
	if p.data++; p.data > MaxRosterRows {
		p.full = true
		p.ro.problem(n, 0, "", fmt.Sprintf("行数超过上限 %d，请分成多个文件导入", MaxRosterRows),
			fmt.Sprintf("more than %d rows: split the file", MaxRosterRows))
		return
	}
	p.dataRow(n, cells)
}

func (p *rosterParser) readHeader(n int, cells []string) {
	p.header = make([]int, len(cells))
	p.labels = make([]string, len(cells))
	where := map[int]int{}
	for i, c := range cells {
		p.header[i] = -1
		p.labels[i] = cleanCell(c)
		h := normHeader(c)
		if h == "" || ignoredHeaders[h] {
			continue
		}
		k, ok := headerIndex[h]
		if !ok {
			p.ro.problem(n, i+1, p.labels[i], fmt.Sprintf("未知的列“%s”（可用的列：%s）", p.labels[i], headerList()),
				fmt.Sprintf("unknown column %q (the columns are: %s)", p.labels[i], headerList()))
			continue
		}
		if first, dup := where[k]; dup {
			p.ro.problem(n, i+1, rosterColumns[k].header, fmt.Sprintf("与第%d列重复", first+1), fmt.Sprintf("repeats column %d", first+1))
			continue
		}
		where[k] = i
		p.header[i] = k
		p.ro.cols[rosterColumns[k].key] = i + 1
	}
	for k, c := range rosterColumns {
		if _, ok := where[k]; c.required && !ok {
			p.ro.problem(n, 0, "", fmt.Sprintf("缺少必需的列“%s”", c.header), fmt.Sprintf("the required column %q is missing", c.header))
		}
	}
}

func headerList() string {
	hs := make([]string, len(rosterColumns))
	for i, c := range rosterColumns {
		hs[i] = c.header
	}
	return strings.Join(hs, "、")
}

// cell is one value of a data row with its place.
type cell struct {
	col   int // 1-based column in the file
	value string
}

// dataRow checks one data row and keeps it if it has no problem.
func (p *rosterParser) dataRow(n int, cells []string) {
	vals := make([]cell, len(rosterColumns))
	before := len(p.ro.Problems)
	for i, c := range cells {
		if i >= len(p.header) {
			if cleanCell(c) != "" {
				p.ro.problem(n, i+1, "", "该列没有表头", "this column has no header")
			}
			continue
		}
		if k := p.header[i]; k >= 0 {
			vals[k] = cell{col: i + 1, value: cleanCell(c)}
		}
	}
	bad := func(k int, zh, en string) {
		col := vals[k].col
		if col == 0 { // the column is absent: point at the row
			p.ro.problem(n, 0, "", rosterColumns[k].header+"："+zh, rosterColumns[k].header+": "+en)
			return
		}
		p.ro.problem(n, col, rosterColumns[k].header, zh, en)
	}
	badErr := func(k int, e *apperr.Error) {
		if e != nil {
			bad(k, e.ZH, e.EN)
		}
	}
	const (
		cID = iota
		cName
		cSex
		cBirth
		cRegion
		cHukou
		cPension
		cEthnic
		cAddress
		cPhone
		cDeath
	)
	var in NewPerson
	var idn idcard.Number
	if s := vals[cID].value; s != "" {
		if _, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, "Ee.") {
			bad(cID, "身份证号被存成了数字，后几位已丢失；请把该列设为文本格式后重新录入",
				"the ID number was stored as a number and lost its last digits: format the column as text and enter it again")
		} else if n2, err := idcard.Parse(s); err != nil {
			var ie *idcard.Error
			if errors.As(err, &ie) {
				bad(cID, ie.ZH, ie.EN)
			} else {
				bad(cID, err.Error(), err.Error())
			}
		} else {
			idn = n2
			in.IDNumber = string(n2)
			if first, dup := p.seen[in.IDNumber]; dup {
				bad(cID, fmt.Sprintf("与第%d行的身份证号重复", first), fmt.Sprintf("the same ID number as row %d", first))
			} else {
				p.seen[in.IDNumber] = n
			}
		}
	}
	in.Name = vals[cName].value
	badErr(cName, checkName("name", in.Name))

	switch s := vals[cSex].value; {
	case s == "" && idn != "":
		in.Sex = idn.Sex()
	case s == "":
		bad(cSex, "缺少性别（无身份证号时必填）", "sex is missing (required without an ID number)")
	default:
		sex, ok := sexValues[strings.ToLower(s)]
		if !ok {
			bad(cSex, fmt.Sprintf("性别应为“男”或“女”，实为“%s”", s), fmt.Sprintf("sex must be 男 (M) or 女 (F), got %q", s))
		} else if idn != "" && idn.Sex() != sex {
			bad(cSex, "性别与身份证号不一致", "sex differs from the one the ID number encodes")
		}
		in.Sex = sex
	}

	switch s := vals[cBirth].value; {
	case s == "" && idn != "":
		y, m, d := idn.Birth()
		in.Birth = date.Of(y, m, d)
	case s == "":
		bad(cBirth, "缺少出生日期（无身份证号时必填）", "birth date is missing (required without an ID number)")
	default:
		d, ok := parseCellDate(s, p.xlsx)
		if !ok {
			bad(cBirth, fmt.Sprintf("出生日期“%s”无效，应为 YYYY-MM-DD", s), fmt.Sprintf("birth date %q is not a date: want YYYY-MM-DD", s))
			break
		}
		if idn != "" {
			if y, m, dd := idn.Birth(); date.Of(y, m, dd) != d {
				bad(cBirth, fmt.Sprintf("出生日期 %s 与身份证号中的 %04d-%02d-%02d 不一致", d, y, int(m), dd),
					fmt.Sprintf("birth date %s differs from %04d-%02d-%02d in the ID number", d, y, int(m), dd))
			}
		}
		in.Birth = d
	}
	var death date.Date
	if s := vals[cDeath].value; s != "" {
		d, ok := parseCellDate(s, p.xlsx)
		if !ok {
			bad(cDeath, fmt.Sprintf("死亡日期“%s”无效，应为 YYYY-MM-DD", s), fmt.Sprintf("death date %q is not a date: want YYYY-MM-DD", s))
		} else {
			death = d
		}
	}
	if !in.Birth.IsZero() {
		if e := checkLife("", in.Birth, death, p.today); e != nil {
			k := cBirth
			if strings.HasSuffix(e.Field, "death") {
				k = cDeath
			}
			badErr(k, e)
		}
	}

	if s := vals[cRegion].value; s == "" {
		bad(cRegion, "缺少户籍地区划代码", "the hukou division code is missing")
	} else if c, e := rosterRegion(s); e != nil {
		badErr(cRegion, e)
	} else {
		in.Region = string(c)
	}

	if s := vals[cHukou].value; s == "" {
		bad(cHukou, "缺少户口性质", "the hukou type is missing")
	} else if t, ok := hukouValues[strings.ToLower(s)]; ok {
		in.HukouType = t
	} else {
		bad(cHukou, fmt.Sprintf("户口性质应为“农业”或“非农业”，实为“%s”", s), fmt.Sprintf("hukou type must be 农业 (rural) or 非农业 (urban), got %q", s))
	}

	if s := vals[cPension].value; s != "" {
		if t, ok := pensionValues[strings.ToLower(s)]; ok {
			in.Pension = t
		} else {
			bad(cPension, fmt.Sprintf("养老保险应为“无”“城镇职工”或“城乡居民”，实为“%s”", s),
				fmt.Sprintf("pension must be 无 (none), 城镇职工 (urban_employee) or 城乡居民 (resident), got %q", s))
		}
	}
	in.Ethnic = vals[cEthnic].value
	badErr(cEthnic, checkLine("ethnic", in.Ethnic, MaxEthnic))
	in.Address = vals[cAddress].value
	badErr(cAddress, checkLine("address", in.Address, MaxAddress))
	in.Phone = vals[cPhone].value
	badErr(cPhone, CheckPhone("phone", in.Phone))
	if len(p.ro.Problems) == before {
		p.ro.Rows = append(p.ro.Rows, RosterRow{Row: n, Person: in, Death: death})
	}
}

var sexValues = map[string]string{
	"男": Male, "m": Male, "male": Male, "1": Male,
	"女": Female, "f": Female, "female": Female, "2": Female,
}

var hukouValues = map[string]string{
	"农业": Rural, "农业户口": Rural, "农村": Rural, "农村居民": Rural, "农村户口": Rural, "rural": Rural,
	"非农业": Urban, "非农业户口": Urban, "城镇": Urban, "城镇居民": Urban, "城镇户口": Urban, "urban": Urban,
}

var pensionValues = map[string]string{
	"无": PensionNone, "none": PensionNone, "未参保": PensionNone,
	"城镇职工": PensionUrbanEmployee, "城镇职工养老保险": PensionUrbanEmployee, "职工养老保险": PensionUrbanEmployee, "urban_employee": PensionUrbanEmployee,
	"城乡居民": PensionResident, "城乡居民养老保险": PensionResident, "居民养老保险": PensionResident, "resident": PensionResident,
}

// rosterRegion checks a hukou division code: a known township or village.
func rosterRegion(s string) (region.Code, *apperr.Error) {
	c, err := region.ParseCode(s)
	if err != nil {
		var re *region.Error
		if errors.As(err, &re) {
			return "", &apperr.Error{Kind: apperr.Invalid, ZH: re.ZH, EN: re.EN}
		}
		return "", &apperr.Error{Kind: apperr.Invalid, ZH: err.Error(), EN: err.Error()}
	}
	if c.Level() < region.Township {
		return "", apperr.Invalidf("", "户籍地应为乡镇或村（居）级区划代码（9 或 12 位）", "the hukou division must be a township or village code (9 or 12 digits)")
	}
	if _, ok := region.Default().Lookup(c); !ok {
		return "", apperr.Invalidf("", "区划代码 %s 不存在", "division %s does not exist", c)
	}
	return c, nil
}

// excelEpoch is day 0 of Excel's 1900 date system (which counts the
// non-existent 1900-02-29, so serials from 61 on are one day ahead).
var excelEpoch = time.Date(1899, time.December, 30, 0, 0, 0, 0, time.UTC)

var cnDateRE = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+0{1,2}:0{2}(?::0{2})?)?$`)

// parseCellDate reads a date as staff type it: 1962-03-01, 1962/3/1,
// 1962.3.1, 1962年3月1日, 19620301, or (from Excel) a date serial number.
func parseCellDate(s string, excel bool) (date.Date, bool) {
	if len(s) > 10 && s[10] == 'T' { // an ISO date-time, as Excel's "d" cells hold
		s = s[:10]
	}
	if m := cnDateRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return validDate(y, mo, d)
	}
	if len(s) == 8 && allDigits(s) {
		y, _ := strconv.Atoi(s[:4])
		mo, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		return validDate(y, mo, d)
	}
	if excel {
		whole, _, _ := strings.Cut(s, ".")
		if len(whole) >= 1 && len(whole) <= 5 && allDigits(whole) {
			n, _ := strconv.Atoi(whole)
			if n >= 61 && n < 2958466 {
				return date.FromTime(excelEpoch.AddDate(0, 0, n)), true
			}
		}
	}
	return date.Date{}, false
}

func validDate(y, m, d int) (date.Date, bool) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return date.Date{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return date.Date{}, false
	}
	return date.FromTime(t), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// RosterStore is what importing a roster needs: the registry's store and
// a duplicate check for many ID numbers at once.
type RosterStore interface {
	Store
	// IDNumbersTaken returns those of numbers registered anywhere.
	IDNumbersTaken(ctx context.Context, numbers []string) (map[string]bool, error)
}

// BulkStore is a RosterStore that registers many persons at once, as an
// import does: far fewer statements than one Register per row.
type BulkStore interface {
	RosterStore
	// RegisterPersons writes persons whose ids are reserved, each with
	// its opening hukou spell (spells[i] is persons[i]'s), and appends
	// the audit entries. It refuses (Conflict) if any ID number was
	// registered since it was checked.
	RegisterPersons(ctx context.Context, persons []*Record, spells []HukouSpell, entries []audit.Entry) error
}

// ImportResult is what ImportRoster did.
type ImportResult struct {
	Format   string    `json:"format"`
	Encoding string    `json:"encoding,omitempty"`
	DryRun   bool      `json:"dry_run"`
	Rows     int       `json:"rows"`    // data rows read
	Created  int       `json:"created"` // persons registered (0 on a dry run or with problems)
	Problems []Problem `json:"problems"`
	// Persons are the registered persons, or on a dry run without problems
	// the persons that would be (without county and id).
	Persons []Record `json:"-"`
}

// ImportRoster checks every row of ro against the actor's scope and the
// registry (ID numbers already registered) and, when the file has no
// problem at all and dryRun is false, registers every row as Register
// does, audited person by person. With any problem it changes nothing; the
// caller's transaction holds the import together, so a failure part way
// leaves the registry as it was.
func ImportRoster(ctx context.Context, s RosterStore, a auth.Actor, ro *Roster, dryRun bool) (*ImportResult, error) {
	if err := checkWriter(a); err != nil {
		return nil, err
	}
	res := &ImportResult{Format: ro.Format, Encoding: ro.Encoding, DryRun: dryRun, Rows: max(ro.Read, len(ro.Rows)), Problems: append([]Problem{}, ro.Problems...)}
	for _, r := range ro.Rows {
		if !a.CanSee(region.Code(r.Person.Region)) {
			res.Problems = append(res.Problems, Problem{Row: r.Row, Col: ro.column("region"), Column: "户籍地区划代码",
				ZH: fmt.Sprintf("区划 %s 不在您的管辖范围（%s）内", r.Person.Region, scopeLabel(a.Scope)),
				EN: fmt.Sprintf("division %s is outside your scope (%s)", r.Person.Region, scopeLabel(a.Scope))})
		}
	}
	numbers := make([]string, 0, len(ro.Rows))
	rowOf := map[string]int{}
	for _, r := range ro.Rows {
		if r.Person.IDNumber != "" {
			numbers = append(numbers, r.Person.IDNumber)
			rowOf[r.Person.IDNumber] = r.Row
		}
	}
	taken, err := s.IDNumbersTaken(ctx, numbers)
	if err != nil {
		return nil, err
	}
	for _, n := range numbers {
		if taken[n] {
			res.Problems = append(res.Problems, Problem{Row: rowOf[n], Col: ro.column("id_number"), Column: "身份证号", ZH: "该身份证号已登记", EN: "this ID number is already registered"})
		}
	}
	sortProblems(res.Problems)
	if len(res.Problems) > 0 {
		return res, nil
	}
	if dryRun {
		for _, r := range ro.Rows {
			res.Persons = append(res.Persons, Record{IDNumber: r.Person.IDNumber, Name: r.Person.Name, Sex: r.Person.Sex,
				Birth: r.Person.Birth, Death: r.Death, Region: r.Person.Region, HukouType: r.Person.HukouType,
				Pension: orNone(r.Person.Pension), Ethnic: r.Person.Ethnic, Address: r.Person.Address, Phone: r.Person.Phone})
		}
		return res, nil
	}
	if bs, ok := s.(BulkStore); ok {
		return importBulk(ctx, bs, a, ro, res)
	}
	for _, r := range ro.Rows {
		rec, err := Register(ctx, s, a, r.Person)
		if err == nil && !r.Death.IsZero() {
			rec, err = RecordDeath(ctx, s, a, Key{rec.County, rec.ID}, r.Death, "import")
		}
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", r.Row, err)
		}
		res.Persons = append(res.Persons, *rec)
		res.Created++
	}
	return res, nil
}

// importBulk registers the rows of ro as Register would, row by row the
// same records, spells and audit entries, but written together: the ids
// are reserved at once and the rows go in multi-row statements. Deaths
// are then recorded row by row.
func importBulk(ctx context.Context, s BulkStore, a auth.Actor, ro *Roster, res *ImportResult) (*ImportResult, error) {
	recs := make([]*Record, 0, len(ro.Rows))
	spells := make([]HukouSpell, 0, len(ro.Rows))
	for _, r := range ro.Rows {
		rec, h, err := prepare(s, a, r.Person)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", r.Row, err)
		}
		recs, spells = append(recs, rec), append(spells, h)
	}
	if len(recs) == 0 {
		return res, nil
	}
	first, err := s.NextIDs(ctx, "person", len(recs))
	if err != nil {
		return nil, err
	}
	entries := make([]audit.Entry, len(recs))
	for i, rec := range recs {
		rec.ID = first + int64(i)
		entries[i] = entry(a, "person.create", rec, nil, rec)
	}
	if err := s.RegisterPersons(ctx, recs, spells, entries); err != nil {
		return nil, err
	}
	for i, r := range ro.Rows {
		rec := recs[i]
		if !r.Death.IsZero() {
			if rec, err = RecordDeath(ctx, s, a, Key{rec.County, rec.ID}, r.Death, "import"); err != nil {
				return nil, fmt.Errorf("row %d: %w", r.Row, err)
			}
		}
		res.Persons = append(res.Persons, *rec)
		res.Created++
	}
	return res, nil
}

func orNone(p string) string {
	if p == "" {
		return PensionNone
	}
	return p
}

func scopeLabel(c region.Code) string {
	if c == "" {
		return "全国"
	}
	return string(c)
}

// sortProblems orders problems by row, then column, keeping the order of
// problems at the same place.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := cmp.Compare(a.Row, b.Row); c != 0 {
			return c
		}
		return cmp.Compare(a.Col, b.Col)
	})
}
