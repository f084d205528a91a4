package registry

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

var update = flag.Bool("update", false, "rewrite golden files")

var rosterToday = date.MustParse("2024-05-06")

// testID returns a valid ID number of 舒城县 for birth, with an odd
// (male) or even (female) sequence code.
func testID(birth string, male bool, n int) string {
	seq := n * 2
	if male {
		seq++
	}
	return string(idcard.Make("341523", date.MustParse(birth).Time(), seq))
}

// wrongCheck returns id with a wrong check character.
func wrongCheck(id string) string {
	if id[17] == '0' {
		return id[:17] + "1"
	}
	return id[:17] + "0"
}

const header = "身份证号,姓名,性别,出生日期,户籍地区划代码,户口性质,养老保险,民族,住址,电话\n"

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parseFile opens data as package sheet does and parses the roster in it.
func parseFile(t *testing.T, data []byte, encoding string) *Roster {
	t.Helper()
	src, err := sheet.Open(bytes.NewReader(data), encoding)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := ParseRoster(src, RosterOptions{Today: rosterToday})
	if err != nil {
		t.Fatal(err)
	}
	return ro
}

// rowSource is a RowSource of given rows, numbered from 1, that ends with
// err.
type rowSource struct {
	format string
	rows   [][]string
	err    error
}

func (s rowSource) Format() string   { return s.format }
func (s rowSource) Encoding() string { return "" }

func (s rowSource) Each(fn func(int, []string) bool) error {
	for i, r := range s.rows {
		if !fn(i+1, r) {
			return nil
		}
	}
	return s.err
}

// fileError is an error that is a problem of the whole file.
type fileError struct {
	row    int
	zh, en string
}

func (e fileError) Error() string                         { return e.en }
func (e fileError) FileProblem() (row int, zh, en string) { return e.row, e.zh, e.en }

func TestParseRosterValid(t *testing.T) {
	h := testID("1962-03-01", true, 5)
	w := testID("1964-12-31", false, 6)
	body := h + ",张三,男,1962-03-01,341523100201,农业,无,汉族,城关镇仁和村1号,13800138000\n" +
		w + ",李四,,,341523100201,农业,城乡居民,,,\n" +
		",张小宝,M,2001/7/9,341523100201,非农业,,,,\n"
	want := []RosterRow{
		{Row: 2, Person: NewPerson{IDNumber: h, Name: "张三", Sex: Male, Birth: date.MustParse("1962-03-01"), Region: "341523100201",
			HukouType: Rural, Pension: PensionNone, Ethnic: "汉族", Address: "城关镇仁和村1号", Phone: "13800138000"}},
		{Row: 3, Person: NewPerson{IDNumber: w, Name: "李四", Sex: Female, Birth: date.MustParse("1964-12-31"), Region: "341523100201",
			HukouType: Rural, Pension: PensionResident}},
		{Row: 4, Person: NewPerson{Name: "张小宝", Sex: Male, Birth: date.MustParse("2001-07-09"), Region: "341523100201", HukouType: Urban}},
	}
	english := "id_number,Name,sex,birth_date,region,hukou_type,pension,ethnic,address,phone\n"
	tests := []struct {
		name     string
		data     []byte
		encoding string
		wantEnc  string
	}{
		{"utf-8", []byte(header + body), "", sheet.EncodingUTF8},
		{"utf-8 with BOM", append([]byte("\ufeff"), header+body...), "", sheet.EncodingUTF8},
		{"gbk detected", gbk(t, header+body), "", sheet.EncodingGB18030},
		{"gbk named", gbk(t, header+body), "gbk", sheet.EncodingGB18030},
		{"english headers", []byte(english + body), "", sheet.EncodingUTF8},
		{"CRLF, hints and markers in headers", []byte(strings.ReplaceAll("*身份证号,姓名*,性别（男/女）,出生日期(YYYY-MM-DD),户籍地区划代码,户口性质,养老保险,民族,住址,电话\n"+body, "\n", "\r\n")), "", sheet.EncodingUTF8},
		{"ignored columns, a blank row", []byte("序号," + strings.ReplaceAll(header, "\n", ",备注\n") + rowsWithNumber(body)), "", sheet.EncodingUTF8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ro := parseFile(t, tt.data, tt.encoding)
			if len(ro.Problems) != 0 {
				t.Fatalf("problems: %v", ro.Problems)
			}
			if ro.Format != sheet.FormatCSV || ro.Encoding != tt.wantEnc {
				t.Errorf("format, encoding = %s, %s; want csv, %s", ro.Format, ro.Encoding, tt.wantEnc)
			}
			want := want
			if strings.HasPrefix(tt.name, "ignored") { // the blank row is row 3
				want = append([]RosterRow{want[0]}, want[1:]...)
				want[1].Row, want[2].Row = 4, 5
			}
			if diff := cmp.Diff(want, ro.Rows, cmp.AllowUnexported(date.Date{})); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

// rowsWithNumber prefixes each line of body with a running number and
// appends a remark, with a blank line after the first row.
func rowsWithNumber(body string) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		b.WriteString(string(rune('1'+i)) + "," + line + ",备注\n")
		if i == 0 {
			b.WriteString(",,,,,,,,,,,\n")
		}
	}
	return b.String()
}

func TestParseRosterProblems(t *testing.T) {
	ok := testID("1962-03-01", true, 5)
	okRow := func(id string) string { return id + ",张三,男,1962-03-01,341523100201,农业,无,,,\n" }
	tests := []struct {
		name string
		data string
		want []Problem // ZH and EN compared by substring
	}{
		{"bad check character", header + okRow(testID("1962-03-01", true, 1)) + okRow(wrongCheck(ok)),
			[]Problem{{Row: 3, Col: 1, Column: "身份证号", ZH: "校验位错误", EN: "check character is wrong"}}},
		{"duplicate in the file", header + okRow(ok) + okRow(ok),
			[]Problem{{Row: 3, Col: 1, Column: "身份证号", ZH: "与第2行的身份证号重复", EN: "same ID number as row 2"}}},
		{"duplicate of a 15-digit number", header + okRow(ok) + okRow(ok[:6]+ok[8:17]),
			[]Problem{{Row: 3, Col: 1, Column: "身份证号", ZH: "与第2行", EN: "row 2"}}},
		{"ID stored as a number", header + okRow("3.41523196203011E+17"),
			[]Problem{{Row: 2, Col: 1, Column: "身份证号", ZH: "存成了数字", EN: "stored as a number"}}},
		{"sex differs from the ID", header + ok + ",张三,女,,341523100201,农业,,,,\n",
			[]Problem{{Row: 2, Col: 3, Column: "性别", ZH: "不一致", EN: "differs"}}},
		{"unknown sex", header + ",张三,未知,1962-03-01,341523100201,农业,,,,\n",
			[]Problem{{Row: 2, Col: 3, Column: "性别", ZH: "男", EN: "sex must be"}}},
		{"birth differs from the ID", header + ok + ",张三,男,1962-03-02,341523100201,农业,,,,\n",
			[]Problem{{Row: 2, Col: 4, Column: "出生日期", ZH: "不一致", EN: "differs"}}},
		{"impossible birth date", header + ",张三,男,1962-02-30,341523100201,农业,,,,\n",
			[]Problem{{Row: 2, Col: 4, Column: "出生日期", ZH: "无效", EN: "not a date"}}},
		{"future birth date", header + ",张三,男,2030-01-01,341523100201,农业,,,,\n",
			[]Problem{{Row: 2, Col: 4, Column: "出生日期", ZH: "晚于今天", EN: "future"}}},
		{"no sex or birth without ID", header + ",张三,,,341523100201,农业,,,,\n",
			[]Problem{{Row: 2, Col: 3, Column: "性别", ZH: "缺少性别", EN: "sex is missing"}, {Row: 2, Col: 4, Column: "出生日期", ZH: "缺少出生日期", EN: "birth date is missing"}}},
		{"missing name", header + ok + ",,,,341523100201,农业,,,,\n",
			[]Problem{{Row: 2, Col: 2, Column: "姓名", ZH: "缺少姓名", EN: "name is missing"}}},
		{"county instead of village", header + ok + ",张三,,,341523,农业,,,,\n",
			[]Problem{{Row: 2, Col: 5, Column: "户籍地区划代码", ZH: "乡镇或村", EN: "township or village"}}},
		{"unknown village", header + ok + ",张三,,,341523100999,农业,,,,\n",
			[]Problem{{Row: 2, Col: 5, Column: "户籍地区划代码", ZH: "不存在", EN: "does not exist"}}},
		{"malformed division", header + ok + ",张三,,,34152310020,农业,,,,\n",
			[]Problem{{Row: 2, Col: 5, Column: "户籍地区划代码", ZH: "长度错误", EN: "wrong length"}}},
		{"bad hukou type", header + ok + ",张三,,,341523100201,居民户口,,,,\n",
			[]Problem{{Row: 2, Col: 6, Column: "户口性质", ZH: "农业", EN: "hukou type must be"}}},
		{"bad pension", header + ok + ",张三,,,341523100201,农业,机关事业,,,\n",
			[]Problem{{Row: 2, Col: 7, Column: "养老保险", ZH: "城镇职工", EN: "pension must be"}}},
		{"bad phone", header + ok + ",张三,,,341523100201,农业,,,,电话未知\n",
			[]Problem{{Row: 2, Col: 10, Column: "电话", ZH: "无效", EN: "not valid"}}},
		{"cell without a header", header + ok + ",张三,,,341523100201,农业,,,,,多余\n",
			[]Problem{{Row: 2, Col: 11, ZH: "没有表头", EN: "no header"}}},
		{"missing required column", "身份证号,姓名,户籍地区划代码\n" + ok + ",张三,341523100201\n",
			[]Problem{{Row: 1, ZH: "缺少必需的列“户口性质”", EN: `required column "户口性质"`},
				{Row: 2, ZH: "户口性质：缺少户口性质", EN: "户口性质: the hukou type is missing"}}},
		{"unknown and repeated columns", "身份证号,姓名,户籍地区划代码,户口性质,姓名,村民小组\n",
			[]Problem{{Row: 1, Col: 5, Column: "姓名", ZH: "与第2列重复", EN: "repeats column 2"},
				{Row: 1, Col: 6, Column: "村民小组", ZH: "未知的列“村民小组”", EN: `unknown column "村民小组"`}}},
		{"empty file", "", []Problem{{ZH: "没有表头", EN: "no header"}}},
		{"old Excel file", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", []Problem{{ZH: ".xls", EN: ".xls"}}},
		{"damaged Excel file", "PK\x03\x04garbage", []Problem{{ZH: "无法读取 Excel 文件", EN: "cannot read the Excel file"}}},
		{"broken quotes", header + okRow(ok) + ok + `,"张"三",男` + "\n", []Problem{{Row: 3, ZH: "CSV 格式错误", EN: "malformed CSV"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ro := parseFile(t, []byte(tt.data), "")
			checkProblems(t, ro.Problems, tt.want)
			for _, r := range ro.Rows {
				for _, p := range ro.Problems {
					if p.Row == r.Row {
						t.Errorf("row %d has a problem and was kept: %v", r.Row, p)
					}
				}
			}
		})
	}
}

func checkProblems(t *testing.T, got, want []Problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Row != w.Row || g.Col != w.Col || g.Column != w.Column || !strings.Contains(g.ZH, w.ZH) || !strings.Contains(g.EN, w.EN) {
			t.Errorf("problem %d = %+v\nwant place %d/%d/%q and messages containing %q, %q", i, g, w.Row, w.Col, w.Column, w.ZH, w.EN)
		}
	}
}

func TestProblemMessages(t *testing.T) {
	p := Problem{Row: 3, Col: 1, Column: "身份证号", ZH: "校验位错误", EN: "check character is wrong"}
	if got, want := p.String(), "第3行 第1列（身份证号）：校验位错误 / row 3, column 1 (身份证号): check character is wrong"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := p.Field(); got != "rows[3].id_number" {
		t.Errorf("Field() = %q", got)
	}
	whole := Problem{Row: 1, ZH: "缺少必需的列“姓名”", EN: `the required column "姓名" is missing`}
	if got, want := whole.String(), `第1行：缺少必需的列“姓名” / row 1: the required column "姓名" is missing`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseRosterEncodingFlag(t *testing.T) {
	data := gbk(t, header+",张三,男,1962-03-01,341523100201,农业,,,,\n")
	ro := parseFile(t, data, "utf8")
	// The first undecodable cell is reported with its row and column.
	checkProblems(t, ro.Problems, []Problem{{Row: 1, ZH: "第 1 列含有无效的 UTF-8", EN: "not valid UTF-8"}})
}

// TestParseRosterWorkbookCells checks the raw cell values of a workbook: a
// date as Excel's serial number, and an ID number typed into a general
// cell, which Excel keeps as a double.
func TestParseRosterWorkbookCells(t *testing.T) {
	id := testID("1962-03-01", true, 5)
	src := rowSource{format: "xlsx", rows: [][]string{
		{"身份证号", "姓名", "性别", "出生日期", "户籍地区划代码", "户口性质"},
		{id, "张三", "男", "22706", "341523100201", "农业"},
		{"", "", "", "", "", ""},
		{"", "李四", "女", "1964年12月31日", "341523100201", "非农业"},
		{"3.4152319641231002E+17", "王五", "女", "1964-12-31", "341523100201", "农业"},
		{"", "赵六", "女", "23743.0", "341523100201", "农业"},
	}}
	ro, err := ParseRoster(src, RosterOptions{Today: rosterToday})
	if err != nil {
		t.Fatal(err)
	}
	if ro.Format != "xlsx" {
		t.Errorf("format = %s, want xlsx", ro.Format)
	}
	checkProblems(t, ro.Problems, []Problem{{Row: 5, Col: 1, Column: "身份证号", ZH: "存成了数字", EN: "stored as a number"}})
	want := []RosterRow{
		{Row: 2, Person: NewPerson{IDNumber: id, Name: "张三", Sex: Male, Birth: date.MustParse("1962-03-01"), Region: "341523100201", HukouType: Rural}},
		{Row: 4, Person: NewPerson{Name: "李四", Sex: Female, Birth: date.MustParse("1964-12-31"), Region: "341523100201", HukouType: Urban}},
		{Row: 6, Person: NewPerson{Name: "赵六", Sex: Female, Birth: date.MustParse("1965-01-01"), Region: "341523100201", HukouType: Rural}},
	}
	if diff := cmp.Diff(want, ro.Rows, cmp.AllowUnexported(date.Date{})); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	// The same serial in a CSV file is not a date.
	src.format = "csv"
	ro, err = ParseRoster(src, RosterOptions{Today: rosterToday})
	if err != nil {
		t.Fatal(err)
	}
	if len(ro.Problems) != 3 || ro.Problems[0].Row != 2 || ro.Problems[0].Column != "出生日期" {
		t.Errorf("a date serial in CSV: problems %v", ro.Problems)
	}
}

func TestParseRosterSourceErrors(t *testing.T) {
	rows := [][]string{
		{"身份证号", "姓名", "性别", "出生日期", "户籍地区划代码", "户口性质"},
		{"", "张三", "男", "1962-03-01", "341523100201", "农业"},
	}
	ro, err := ParseRoster(rowSource{format: "csv", rows: rows, err: fileError{3, "CSV 格式错误", "malformed CSV"}}, RosterOptions{Today: rosterToday})
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, ro.Problems, []Problem{{Row: 3, ZH: "CSV 格式错误", EN: "malformed CSV"}})
	if len(ro.Rows) != 1 {
		t.Errorf("rows before the problem: %v", ro.Rows)
	}

	ro, err = ParseRoster(rowSource{format: "xls", err: fileError{0, "不支持", "not supported"}}, RosterOptions{Today: rosterToday})
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, ro.Problems, []Problem{{ZH: "不支持", EN: "not supported"}}) // and no "no header row"

	failed := errors.New("disk on fire")
	if _, err := ParseRoster(rowSource{format: "csv", rows: rows, err: failed}, RosterOptions{}); !errors.Is(err, failed) {
		t.Errorf("a failure to read: err = %v, want %v", err, failed)
	}
}

// exportRecords are the persons of the golden export.
func exportRecords() []Record {
	return []Record{
		{IDNumber: "34152319620301011X", Name: "张三", Sex: Male, Birth: date.MustParse("1962-03-01"), Region: "341523100201",
			HukouType: Rural, Pension: PensionNone, Ethnic: "汉族", Address: "城关镇仁和村, 3组", Phone: "13800138000"},
		{IDNumber: "341523196412310127", Name: "李四", Sex: Female, Birth: date.MustParse("1964-12-31"), Region: "341523100201",
			HukouType: Rural, Pension: PensionResident, Address: `"老屋"`},
		{Name: "张小宝", Sex: Male, Birth: date.MustParse("1987-04-12"), Death: date.MustParse("2023-08-10"), Region: "341523100001",
			HukouType: Urban, Pension: PensionUrbanEmployee},
	}
}

// exportRoster writes recs as the exports do.
func exportRoster(format, encoding string, recs []Record) ([]byte, error) {
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, RosterHeader(), sheet.WriterOptions{Format: format, Encoding: encoding, Sheet: RosterSheet, Widths: RosterWidths()})
	if err != nil {
		return nil, err
	}
	for i := range recs {
		if err := w.Write(RosterCells(&recs[i])); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeRoster(t *testing.T, format, encoding string, recs []Record) []byte {
	t.Helper()
	data, err := exportRoster(format, encoding, recs)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRosterExportGolden(t *testing.T) {
	got := writeRoster(t, sheet.FormatCSV, sheet.EncodingUTF8, exportRecords())
	golden := filepath.Join("testdata", "roster_export.golden.csv")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("export differs from %s (-want +got):\n%s\nrun go test -update to accept", golden, diff)
	}
	gb := writeRoster(t, sheet.FormatCSV, sheet.EncodingGB18030, exportRecords())
	if want := gbk(t, strings.TrimPrefix(string(want), "\ufeff")); !bytes.Equal(gb, want) {
		t.Errorf("GBK export is not the golden file in GB18030:\n%q", gb)
	}
}

// TestRosterRoundTrip checks that every export format imports again as
// the same persons.
func TestRosterRoundTrip(t *testing.T) {
	recs := exportRecords()
	var want []RosterRow
	for i, r := range recs {
		want = append(want, RosterRow{Row: i + 2, Death: r.Death, Person: NewPerson{IDNumber: r.IDNumber, Name: r.Name, Sex: r.Sex,
			Birth: r.Birth, Region: r.Region, HukouType: r.HukouType, Pension: r.Pension, Ethnic: r.Ethnic, Address: r.Address, Phone: r.Phone}})
	}
	for _, f := range []struct{ format, encoding string }{{sheet.FormatCSV, sheet.EncodingUTF8}, {sheet.FormatCSV, sheet.EncodingGB18030}, {sheet.FormatXLSX, ""}} {
		t.Run(f.format+" "+f.encoding, func(t *testing.T) {
			data := writeRoster(t, f.format, f.encoding, recs)
			ro := parseFile(t, data, "")
			if len(ro.Problems) > 0 {
				t.Fatalf("problems: %v", ro.Problems)
			}
			if ro.Format != f.format || ro.Encoding != f.encoding {
				t.Errorf("read back as %s %s", ro.Format, ro.Encoding)
			}
			if diff := cmp.Diff(want, ro.Rows, cmp.AllowUnexported(date.Date{})); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseRoster(f *testing.F) {
	id := testID("1962-03-01", true, 5)
	f.Add([]byte(header + id + ",张三,男,1962-03-01,341523100201,农业,无,汉族,住址,13800138000\n"))
	f.Add([]byte(header + wrongCheck(id) + `,"张,三",女,1962/3/1,341523100201,城镇,,,,` + "\n" + id + ",,,,,,\n"))
	gb, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(header + ",李四,女,19641231,341523100201,非农业,城乡居民,,,\n"))
	f.Add(gb)
	f.Add([]byte("\ufeffid_number,name,region,hukou_type\n" + id + ",x,341523100201,rural\n"))
	xlsx, err := exportRoster(sheet.FormatXLSX, "", exportRecords()[:1])
	if err != nil {
		f.Fatal(err)
	}
	f.Add(xlsx)
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := sheet.Open(bytes.NewReader(data), "")
		if err != nil {
			t.Fatalf("sheet.Open returned an error for file content: %v", err)
		}
		ro, err := ParseRoster(src, RosterOptions{Today: rosterToday})
		if err != nil {
			t.Fatalf("ParseRoster returned an error for file content: %v", err)
		}
		bad := map[int]bool{}
		for _, p := range ro.Problems {
			if p.Row < 0 || p.Col < 0 || p.Col > 0 && p.Row == 0 || p.ZH == "" || p.EN == "" {
				t.Fatalf("malformed problem %+v", p)
			}
			bad[p.Row] = true
		}
		last := 0
		for _, r := range ro.Rows {
			if r.Row <= last || bad[r.Row] {
				t.Fatalf("row %d kept out of order or despite a problem", r.Row)
			}
			last = r.Row
			p := r.Person
			if p.IDNumber != "" {
				if n, err := idcard.Parse(p.IDNumber); err != nil || string(n) != p.IDNumber {
					t.Fatalf("row %d kept with ID number %q", r.Row, p.IDNumber)
				}
			}
			if checkName("", p.Name) != nil || checkSex("", p.Sex) != nil || checkHukouType("", p.HukouType) != nil ||
				checkPension("", p.Pension) != nil || checkLife("", p.Birth, r.Death, rosterToday) != nil {
				t.Fatalf("row %d kept with invalid fields: %+v", r.Row, r)
			}
			if _, e := rosterRegion(p.Region); e != nil {
				t.Fatalf("row %d kept with division %q", r.Row, p.Region)
			}
		}
	})
}

// TestParseRosterCountsEveryRow: the number of data rows read counts the
// rows with problems too (a file of two rows, one of them wrong, has two).
func TestParseRosterCountsEveryRow(t *testing.T) {
	ok := testID("1962-03-01", true, 5)
	row := func(id string) string { return id + ",张三,男,1962-03-01,341523100201,农业,无,,,\n" }
	ro := parseFile(t, []byte(header+row(ok)+"\n"+row(wrongCheck(testID("1964-03-01", true, 7)))), "")
	if ro.Read != 2 || len(ro.Rows) != 1 || len(ro.Problems) != 1 {
		t.Errorf("read %d rows, %d valid, problems %v; want 2, 1 and one problem", ro.Read, len(ro.Rows), ro.Problems)
	}
}
