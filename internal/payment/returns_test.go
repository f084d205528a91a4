package payment

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiahe-project/jiahe/internal/apperr"
	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/sheet"
)

// open opens a file with package sheet, as the callers of ParseReturns do.
func open(t testing.TB, data []byte, encoding string) *sheet.Table {
	t.Helper()
	src, err := sheet.Open(bytes.NewReader(data), encoding)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// workbook writes rows as an .xlsx file; the cells of the money columns
// are numbers.
func workbook(t testing.TB, money []int, rows ...[]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := sheet.NewWriter(&buf, nil, sheet.WriterOptions{Format: sheet.FormatXLSX, Document: &sheet.Document{Money: money}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const goodReturn = "序号,明细编号,姓名,账号,金额（元）,结果,失败原因,入账日期\r\n" +
	"1,101,张秀英,6228480402564890018,960.00,成功,,2024-06-30\r\n" +
	"2,102,阿依古丽·买买提,6228 4804 0256 4890 026,1200,失败,账户已销户,\r\n" +
	"\r\n" +
	"合计,2笔,,,2160.00,,,\r\n"

func TestParseReturns(t *testing.T) {
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(goodReturn))
	want := []ReturnRow{
		{Row: 2, Seq: 1, LineID: 101, Account: "6228480402564890018", Amount: 96000, Result: ResultPaid, PaidOn: date.MustParse("2024-06-30")},
		{Row: 3, Seq: 2, LineID: 102, Account: "6228480402564890026", Amount: 120000, Result: ResultFailed, Reason: "账户已销户"},
	}
	for _, tt := range []struct {
		name, encoding string
		data           []byte
	}{
		{"utf8", "utf8", []byte(goodReturn)},
		{"utf8 with BOM, guessed", "", append([]byte("\ufeff"), goodReturn...)},
		{"gbk", "gbk", gbk},
		{"gbk, guessed", "", gbk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseReturns(open(t, tt.data, tt.encoding))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestParseReturnsXLSX(t *testing.T) {
	data := workbook(t, []int{1},
		[]string{"明细编号", "金额", "处理结果", "备注", "交易日期"},
		[]string{"101", "960", "成功", "", "45473"},
		[]string{"102", "1200.00", "失败", "户名不符", ""})
	got, err := ParseReturns(open(t, data, ""))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].LineID != 101 || got[0].Amount != 96000 || got[0].PaidOn != date.MustParse("2024-06-30") ||
		got[1].Result != ResultFailed || got[1].Reason != "户名不符" {
		t.Errorf("rows = %+v", got)
	}
}

// TestParseReturnsProblems checks that every bad cell is reported with its
// row and column, in both languages, and that nothing is returned then.
func TestParseReturnsProblems(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		zh, en []string // substrings of the messages, in order
	}{
		{"empty", "", []string{"回盘文件为空"}, []string{"empty"}},
		{"header lacks columns", "姓名,账号\r\n张三,1\r\n",
			[]string{"第 1 行（表头）缺少列：明细编号/序号、金额、结果"}, []string{"row 1 (header) lacks the columns"}},
		{"bad cells", "明细编号,金额,结果,入账日期\r\n101,9.999,成功,\r\nx,10,成功,2024-02-30\r\n103,10,不知道,\r\n",
			[]string{"第 2 行第 2 列（金额）", "第 3 行第 1 列（明细编号）", "第 3 行第 4 列（入账日期）", "第 4 行第 3 列（结果）"},
			[]string{"row 2, column 2 (amount)", "row 3, column 1 (line id)", "row 3, column 4 (date)", "row 4, column 3 (result)"}},
		{"no id at all", "序号,明细编号,金额,结果\r\n,,10,成功\r\n", []string{"第 2 行：缺少明细编号和序号"}, []string{"row 2: neither"}},
		{"quotes", "明细编号,金额,结果\r\n101,\"10,成功\r\n", []string{"CSV 格式错误"}, []string{"malformed CSV"}},
		{"damaged excel", "PK\x03\x04明细编号,金额,结果\r\n", []string{"无法读取 Excel 文件"}, []string{"cannot read the Excel file"}},
		{"old excel", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", []string{".xls"}, []string{".xls"}},
		{"only header", "明细编号,金额,结果\r\n合计,0,\r\n", []string{"没有明细行"}, []string{"no rows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ParseReturns(open(t, []byte(tt.data), ""))
			if err == nil {
				t.Fatalf("parsed %+v, want an error", rows)
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("kind = %v, want invalid", apperr.KindOf(err))
			}
			var msgs []*apperr.Error
			if l, ok := err.(apperr.List); ok {
				msgs = l
			} else if e, ok := apperr.As(err); ok {
				msgs = []*apperr.Error{e}
			}
			if len(msgs) != len(tt.zh) {
				t.Fatalf("%d problems %v, want %d", len(msgs), err, len(tt.zh))
			}
			for i, m := range msgs {
				if !strings.Contains(m.Message("zh"), tt.zh[i]) || !strings.Contains(m.Message("en"), tt.en[i]) {
					t.Errorf("problem %d = %q / %q, want %q / %q", i, m.Message("zh"), m.Message("en"), tt.zh[i], tt.en[i])
				}
			}
		})
	}
}

// FuzzParseReturns feeds arbitrary bytes to the parser: it must never
// panic, and must return either rows that make sense or an Invalid error
// whose messages exist in both languages.
func FuzzParseReturns(f *testing.F) {
	f.Add([]byte(goodReturn), false)
	f.Add([]byte("明细编号,金额,结果\n1,0.01,S\n"), false)
	f.Add([]byte("seq,amount,result,reason\n1,5,failed,closed\n"), false)
	f.Add([]byte("\xff\xfe\x00"), false)
	f.Add([]byte("\"unterminated"), false)
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(goodReturn))
	f.Add(gbk, true)
	f.Add(workbook(f, []int{1}, []string{"明细编号", "金额", "结果"}, []string{"7", "12.5", "成功"}), false)
	f.Fuzz(func(t *testing.T, data []byte, gbk bool) {
		encoding := ""
		if gbk {
			encoding = "gbk"
		}
		rows, err := ParseReturns(open(t, data, encoding))
		if err != nil {
			if rows != nil {
				t.Fatal("rows returned with an error")
			}
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("kind %v for %v", apperr.KindOf(err), err)
			}
			var msgs []*apperr.Error
			if l, ok := err.(apperr.List); ok {
				msgs = l
			} else if e, ok := apperr.As(err); ok {
				msgs = []*apperr.Error{e}
			}
			if len(msgs) == 0 || len(msgs) > maxProblems {
				t.Fatalf("%d problems", len(msgs))
			}
			for _, m := range msgs {
				if m.ZH == "" || m.EN == "" {
					t.Fatalf("message missing in a language: %q / %q", m.ZH, m.EN)
				}
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("no rows and no error")
		}
		for _, r := range rows {
			if r.Row < 2 || r.Amount <= 0 || (r.Seq <= 0 && r.LineID <= 0) || (r.Result != ResultPaid && r.Result != ResultFailed) {
				t.Fatalf("nonsense row %+v", r)
			}
		}
	})
}

func TestParseReturnsLimitsProblems(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("明细编号,金额,结果\r\n")
	for i := 0; i < 500; i++ {
		b.WriteString("x,y,z\r\n")
	}
	_, err := ParseReturns(open(t, b.Bytes(), "utf8"))
	l, ok := err.(apperr.List)
	if !ok || len(l) != maxProblems {
		t.Fatalf("got %T with %d problems, want %d", err, len(l), maxProblems)
	}
}
