package payment

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/money"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/region"
	"github.com/jiahe-project/jiahe/internal/term"
	"github.com/jiahe-project/jiahe/internal/textcheck"
)

// A bank file is laid out as the bank that pays asks: the rural credit
// cooperatives' systems read caret-delimited GBK text with a first line
// of count and total, others a CSV with column titles, yet others a
// pipe-delimited file per township with amounts in fen. A BankLayout says
// all of it; a county's finance officer sets one per bank (BankTemplate),
// starting from the built-in layouts, and every bank without one gets the
// generic layout (GenericLayout), the file Jiahe has always written.

// BankLayout is the layout of a bank file.
type BankLayout struct {
	// Name names the layout on the page, e.g. 农村信用社 ^ 分隔文本.
	Name string `json:"name"`
	// Format is LayoutText (delimited text, never quoted) or LayoutCSV
	// (CSV as Excel writes it; the only delimiter is the comma).
	Format string `json:"format"`
	// Delimiter is one of Delimiters.
	Delimiter string `json:"delimiter"`
	// Encoding is "gb18030" (GBK) or "utf-8" (with a byte-order mark in a
	// CSV file, without in a text file).
	Encoding string `json:"encoding"`
	// LineEnd is "crlf" or "lf" (a CSV file always ends lines with CRLF).
	LineEnd string `json:"line_end"`
	// Columns are the codes of BankColumns, in the order of the file.
	Columns []string `json:"columns"`
	// Titles puts a line of column titles before the items.
	Titles bool `json:"titles"`
	// Header and Footer are lines before and after the items (empty:
	// none), with the placeholders of LinePlaceholders; the delimiter
	// splits them into cells.
	Header string `json:"header"`
	Footer string `json:"footer"`
	// TotalRow puts a line under the items: 合计 in the first column, the
	// count in the second and the total under each amount column.
	TotalRow bool `json:"total_row"`
	// Trailing ends every item line with the delimiter, as some banks'
	// systems expect.
	Trailing bool `json:"trailing"`
	// Remarks is the text of the remarks column, with the placeholders of
	// RemarkPlaceholders.
	Remarks string `json:"remarks"`
	// Split is SplitBatch (one file per batch) or SplitTownship (one file
	// per township of the persons paid).
	Split string `json:"split"`
}

// Layout formats.
const (
	LayoutText = "text"
	LayoutCSV  = "csv"
)

// Split kinds.
const (
	SplitBatch    = "batch"
	SplitTownship = "township"
)

// Encodings of a bank file (the names package sheet uses).
const (
	EncodingGB18030 = "gb18030"
	EncodingUTF8    = "utf-8"
)

// Line ends.
const (
	LineCRLF = "crlf"
	LineLF   = "lf"
)

// Bank file columns.
const (
	ColSerial   = "serial"
	ColLine     = "line"
	ColName     = "name"
	ColIDNumber = "id_number"
	ColBank     = "bank"
	ColAccount  = "account"
	ColYuan     = "amount_yuan"
	ColFen      = "amount_fen"
	ColProgram  = "program"
	ColPeriod   = "period"
	ColRemarks  = "remarks"
	ColTownship = "township"
	ColEmpty    = "empty"
)

// BankColumns are the columns a bank file may have, each with the title
// its line of titles shows.
var BankColumns = term.List{
	{Code: ColSerial, ZH: "序号", EN: "Serial number"},
	{Code: ColLine, ZH: "明细编号", EN: "Line id"},
	{Code: ColName, ZH: "姓名", EN: "Account holder"},
	{Code: ColIDNumber, ZH: "身份证号", EN: "ID number"},
	{Code: ColBank, ZH: "开户银行", EN: "Bank"},
	{Code: ColAccount, ZH: "账号", EN: "Account number"},
	{Code: ColYuan, ZH: "金额（元）", EN: "Amount (yuan)"},
	{Code: ColFen, ZH: "金额（分）", EN: "Amount (fen)"},
	{Code: ColProgram, ZH: "项目", EN: "Program"},
	{Code: ColPeriod, ZH: "期间", EN: "Period"},
	{Code: ColRemarks, ZH: "摘要", EN: "Remarks"},
	{Code: ColTownship, ZH: "乡镇", EN: "Township"},
	{Code: ColEmpty, ZH: "（空列）", EN: "(empty)"},
}

// Delimiters are the delimiters a text layout may use.
var Delimiters = []string{"^", "|", ",", ";", "\t"}

// LinePlaceholders are what a header or footer line may hold.
var LinePlaceholders = term.List{
	{Code: "笔数", ZH: "明细笔数", EN: "number of items"},
	{Code: "总金额", ZH: "总金额（元，两位小数）", EN: "total in yuan, two decimals"},
	{Code: "总金额分", ZH: "总金额（分）", EN: "total in fen"},
	{Code: "日期", ZH: "审批日期（如 20240628）", EN: "approval date, e.g. 20240628"},
	{Code: "批次", ZH: "批次编号", EN: "batch id"},
	{Code: "县代码", ZH: "县级区划代码", EN: "county code"},
	{Code: "银行代码", ZH: "银行行别代码", EN: "bank code"},
	{Code: "乡镇代码", ZH: "乡镇区划代码（按乡镇拆分时）", EN: "township code (one file per township)"},
}

// RemarkPlaceholders are what the remarks column may hold.
var RemarkPlaceholders = term.List{
	{Code: "项目", ZH: "项目名称", EN: "program name"},
	{Code: "期间", ZH: "期间（如 2024、2024-Q2）", EN: "period, e.g. 2024, 2024-Q2"},
	{Code: "年度", ZH: "年度", EN: "year"},
	{Code: "批次", ZH: "批次编号", EN: "batch id"},
}

// Limits of a layout.
const (
	maxLayoutName    = 40
	maxLayoutColumns = 20
	maxLayoutLine    = 200
	maxRemarks       = 60
)

// BuiltinLayout is a layout shipped with Jiahe.
type BuiltinLayout struct {
	Code   string     `json:"code"`
	Layout BankLayout `json:"layout"`
}

// GenericLayout is the layout of a bank without a template: a CSV with
// column titles and a total row.
var GenericLayout = BankLayout{Name: "通用 CSV（含列名与合计行）", Format: LayoutCSV, Delimiter: ",", Encoding: EncodingUTF8, LineEnd: LineCRLF,
	Columns: []string{ColSerial, ColLine, ColName, ColIDNumber, ColBank, ColAccount, ColYuan, ColProgram, ColPeriod},
	Titles:  true, TotalRow: true, Split: SplitBatch}

// BuiltinLayouts are the layouts a template starts from: the generic one,
// the caret-delimited text of the rural credit cooperatives (农村信用社,
// testdata/rcc-caret.sample.txt is a file of it), and a pipe-delimited
// file per township with amounts in fen.
var BuiltinLayouts = []BuiltinLayout{
	{Code: "generic", Layout: GenericLayout},
	{Code: "rcc-caret", Layout: BankLayout{Name: "农村信用社代发文本（^ 分隔，GBK）", Format: LayoutText, Delimiter: "^", Encoding: EncodingGB18030,
		LineEnd: LineCRLF, Columns: []string{ColSerial, ColAccount, ColName, ColYuan, ColIDNumber, ColRemarks},
		Header: "{笔数}^{总金额}^{日期}^", Trailing: true, Remarks: "计生扶助{期间}", Split: SplitBatch}},
	{Code: "pipe-fen-township", Layout: BankLayout{Name: "按乡镇分文件（| 分隔，金额以分计，GBK）", Format: LayoutText, Delimiter: "|",
		Encoding: EncodingGB18030, LineEnd: LineCRLF, Columns: []string{ColAccount, ColName, ColFen, ColIDNumber, ColTownship, ColRemarks},
		Footer: "{笔数}|{总金额分}|{乡镇代码}|", Trailing: true, Remarks: "{项目}{年度}", Split: SplitTownship}},
}

// Builtin returns the built-in layout code.
func Builtin(code string) (BankLayout, bool) {
	for _, b := range BuiltinLayouts {
		if b.Code == code {
			return b.Layout.clone(), true
		}
	}
	return BankLayout{}, false
}

func (l BankLayout) clone() BankLayout {
	l.Columns = slices.Clone(l.Columns)
	return l
}

var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

// Validate checks the layout and returns it in canonical form (names
// trimmed, defaults filled); every problem is reported at once, each on
// its field.
func (l BankLayout) Validate() (BankLayout, error) {
	l = l.clone()
	var errs apperr.List
	add := func(e *apperr.Error) {
		if e != nil {
			errs = append(errs, e)
		}
	}
	l.Name = strings.TrimSpace(l.Name)
	switch {
	case l.Name == "":
		add(apperr.Invalidf("name", "请填写模板名称", "the layout needs a name"))
	case utf8.RuneCountInString(l.Name) > maxLayoutName:
		add(apperr.Invalidf("name", "模板名称最多 %d 个字", "the name has at most %d characters", maxLayoutName))
	default:
		add(textcheck.Check("name", l.Name, textcheck.Line, maxLayoutName))
	}
	if l.LineEnd == "" {
		l.LineEnd = LineCRLF
	}
	if l.Split == "" {
		l.Split = SplitBatch
	}
	switch l.Format {
	case LayoutCSV:
		if l.Delimiter != "," {
			add(apperr.Invalidf("delimiter", "CSV 文件的分隔符只能是逗号", "a CSV file is delimited by commas"))
		}
		if l.LineEnd != LineCRLF {
			add(apperr.Invalidf("line_end", "CSV 文件按 Excel 的习惯以 CRLF 换行", "a CSV file ends its lines with CRLF, as Excel writes it"))
		}
		if l.Trailing {
			add(apperr.Invalidf("trailing", "CSV 文件的行尾不加分隔符", "a CSV file has no delimiter at the end of its lines"))
		}
	case LayoutText:
		if !slices.Contains(Delimiters, l.Delimiter) {
			add(apperr.Invalidf("delimiter", "分隔符应为 ^ | , ; 或制表符之一", "the delimiter is one of ^ | , ; or a tab"))
		}
		if l.LineEnd != LineCRLF && l.LineEnd != LineLF {
			add(apperr.Invalidf("line_end", "换行应为 CRLF 或 LF", "line ends are CRLF or LF"))
		}
	default:
		add(apperr.Invalidf("format", "文件格式应为分隔文本（text）或 CSV（csv）", "the format is text or csv"))
	}
	if l.Encoding != EncodingGB18030 && l.Encoding != EncodingUTF8 {
		add(apperr.Invalidf("encoding", "编码应为 GBK（gb18030）或 UTF-8", "the encoding is gb18030 (GBK) or utf-8"))
	}
	if l.Split != SplitBatch && l.Split != SplitTownship {
		add(apperr.Invalidf("split", "文件应每批一个或每乡镇一个", "one file per batch or per township"))
	}
	add(l.checkColumns())
	for _, f := range []struct {
		field string
		text  *string
	}{{"header", &l.Header}, {"footer", &l.Footer}} {
		*f.text = strings.TrimSpace(*f.text)
		add(checkTemplate(f.field, *f.text, LinePlaceholders, maxLayoutLine))
	}
	l.Remarks = strings.TrimSpace(l.Remarks)
	add(checkTemplate("remarks", l.Remarks, RemarkPlaceholders, maxRemarks))
	if l.Delimiter != "" && strings.Contains(l.Remarks, l.Delimiter) {
		add(apperr.Invalidf("remarks", "摘要中不能含有分隔符“%s”", "the remarks cannot hold the delimiter %q", l.Delimiter))
	}
	return l, errs.Err()
}

// checkColumns checks that the columns are known, that a bank can pay
// from them (the holder, the account and an amount) and that none but the
// empty column repeats.
func (l BankLayout) checkColumns() *apperr.Error {
	if len(l.Columns) == 0 || len(l.Columns) > maxLayoutColumns {
		return apperr.Invalidf("columns", "应有 1 至 %d 列", "a file has 1 to %d columns", maxLayoutColumns)
	}
	seen := map[string]bool{}
	for _, c := range l.Columns {
		if !BankColumns.Has(c) {
			return apperr.Invalidf("columns", "未知的列“%s”", "unknown column %q", c)
		}
		if seen[c] && c != ColEmpty {
			return apperr.Invalidf("columns", "列“%s”重复", "column %q repeats", BankColumns.Chinese(c))
		}
		seen[c] = true
	}
	if !seen[ColName] || !seen[ColAccount] || !seen[ColYuan] && !seen[ColFen] {
		return apperr.Invalidf("columns", "银行代发至少需要姓名、账号和金额三列", "a bank pays from the holder's name, the account and an amount: the file needs all three")
	}
	return nil
}

// checkTemplate checks a line or remarks template: one line of text of at
// most max characters whose placeholders are all in known.
func checkTemplate(field, s string, known term.List, max int) *apperr.Error {
	if s == "" {
		return nil
	}
	if e := textcheck.Check(field, s, textcheck.Line, max); e != nil {
		return e
	}
	if n := utf8.RuneCountInString(s); n > max {
		return apperr.Invalidf(field, "最多 %d 个字", "at most %d characters", max)
	}
	for _, m := range placeholder.FindAllString(s, -1) {
		if !known.Has(m[1 : len(m)-1]) {
			return apperr.Invalidf(field, "未知的占位符 %s（可用：%s）", "unknown placeholder %s (known: %s)", m, braces(known))
		}
	}
	if strings.ContainsAny(placeholder.ReplaceAllString(s, ""), "{}") {
		return apperr.Invalidf(field, "花括号不成对", "unbalanced braces")
	}
	return nil
}

func braces(l term.List) string {
	out := make([]string, len(l))
	for i, t := range l {
		out[i] = "{" + t.Code + "}"
	}
	return strings.Join(out, " ")
}

// fill replaces the placeholders of s by their values.
func fill(s string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string { return values[m[1:len(m)-1]] })
}

// Files lays out the batch's bank file in layout l: one file, or one per
// township when l says so (in code order). towns gives the township of
// each item's line (by line id) and is needed only by a layout that splits
// by township or has a township column; tree names the townships.
func (b *Batch) Files(l BankLayout, towns map[int64]region.Code, tree *region.Tree) []*BankFile {
	at := b.CreatedAt
	if b.ApprovedAt != nil {
		at = *b.ApprovedAt
	}
	townOf := func(it Item) string { return townName(tree, towns[it.LineID]) }
	if l.Split != SplitTownship {
		f := b.layout(l, b.Items, "", townOf, at)
		f.base = fmt.Sprintf("jiahe-%s-batch%d-%s", b.County, b.ID, b.Bank)
		f.title = fmt.Sprintf("代发-%s-批次%d", bankShort(b.Bank), b.ID)
		return []*BankFile{f}
	}
	byTown := map[region.Code][]Item{}
	var order []region.Code
	for _, it := range b.Items {
		t := towns[it.LineID]
		if _, ok := byTown[t]; !ok {
			order = append(order, t)
		}
		byTown[t] = append(byTown[t], it)
	}
	slices.Sort(order)
	out := make([]*BankFile, 0, len(order))
	for _, t := range order {
		f := b.layout(l, byTown[t], t, townOf, at)
		f.base = fmt.Sprintf("jiahe-%s-batch%d-%s-%s", b.County, b.ID, b.Bank, t)
		f.title = fmt.Sprintf("代发-%s-批次%d-%s", bankShort(b.Bank), b.ID, townName(tree, t))
		out = append(out, f)
	}
	return out
}

func townName(tree *region.Tree, t region.Code) string {
	if t == "" || tree == nil {
		return string(t)
	}
	if d, ok := tree.Lookup(t); ok {
		return d.Name
	}
	return string(t)
}

// layout lays out items (all the batch's, or one township's, town) as a
// file; townOf names an item's township.
func (b *Batch) layout(l BankLayout, items []Item, town region.Code, townOf func(Item) string, at time.Time) *BankFile {
	f := &BankFile{Layout: l, Sheet: BankFileSheet, AmountColumn: -1, Title: fmt.Sprintf("批次 %d 代发明细", b.ID),
		Creator: "家和", Language: "zh-CN", Time: at, Township: string(town)}
	for i, c := range l.Columns {
		f.Widths = append(f.Widths, columnWidths[c])
		switch c {
		case ColYuan:
			f.Numbers = append(f.Numbers, i)
			if f.AmountColumn < 0 {
				f.AmountColumn = i
			}
		case ColFen:
			f.Numbers = append(f.Numbers, i)
		}
	}
	var total money.Fen
	for _, it := range items {
		total += it.Amount
	}
	values := map[string]string{"笔数": strconv.Itoa(len(items)), "总金额": total.String(), "总金额分": strconv.FormatInt(int64(total), 10),
		"日期": at.In(date.Beijing).Format("20060102"), "批次": strconv.FormatInt(b.ID, 10), "县代码": b.County, "银行代码": b.Bank,
		"乡镇代码": string(town)}
	var lines [][]string
	if l.Header != "" {
		lines = append(lines, strings.Split(fill(l.Header, values), l.Delimiter))
	}
	if l.Titles {
		titles := make([]string, len(l.Columns))
		for i, c := range l.Columns {
			if c != ColEmpty {
				titles[i] = BankColumns.Chinese(c)
			}
		}
		lines = append(lines, titles)
	}
	for _, it := range items {
		row := make([]string, len(l.Columns), len(l.Columns)+1)
		for i, c := range l.Columns {
			row[i] = b.cell(c, it, l, townOf)
		}
		if l.Trailing {
			row = append(row, "")
		}
		lines = append(lines, row)
	}
	if l.TotalRow {
		row := make([]string, len(l.Columns))
		row[0] = "合计"
		if len(row) > 1 {
			row[1] = fmt.Sprintf("%d笔", len(items))
		}
		for i, c := range l.Columns {
			switch c {
			case ColYuan:
				row[i] = total.String()
			case ColFen:
				row[i] = strconv.FormatInt(int64(total), 10)
			}
		}
		lines = append(lines, row)
	}
	if l.Footer != "" {
		lines = append(lines, strings.Split(fill(l.Footer, values), l.Delimiter))
	}
	if len(lines) > 0 {
		f.Header, f.Rows = lines[0], lines[1:]
	}
	f.Items = len(items)
	return f
}

// columnWidths are the widths of the columns in a workbook, in Excel's
// units.
var columnWidths = map[string]float64{ColSerial: 6, ColLine: 10, ColName: 10, ColIDNumber: 21, ColBank: 12, ColAccount: 22,
	ColYuan: 12, ColFen: 12, ColProgram: 36, ColPeriod: 10, ColRemarks: 24, ColTownship: 12, ColEmpty: 4}

// cell is the cell of column c for item it. The serial number is the
// item's place in the batch, in every file of it, so that a bank's return
// file naming it matches the batch.
func (b *Batch) cell(c string, it Item, l BankLayout, townOf func(Item) string) string {
	switch c {
	case ColSerial:
		return strconv.Itoa(it.Seq)
	case ColLine:
		return strconv.FormatInt(it.LineID, 10)
	case ColName:
		return it.Name
	case ColIDNumber:
		return it.IDNumber
	case ColBank:
		return bankShort(it.Bank)
	case ColAccount:
		return it.Account
	case ColYuan:
		return it.Amount.String()
	case ColFen:
		return strconv.FormatInt(int64(it.Amount), 10)
	case ColProgram:
		return policy.ProgramName(it.Program)
	case ColPeriod:
		return it.Period
	case ColRemarks:
		year, _, _ := strings.Cut(it.Period, "-")
		return fill(l.Remarks, map[string]string{"项目": policy.ProgramName(it.Program), "期间": it.Period, "年度": year,
			"批次": strconv.FormatInt(b.ID, 10)})
	case ColTownship:
		return townOf(it)
	}
	return ""
}
