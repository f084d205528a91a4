package matching

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseDate: ParseDate never panics, and a date it reads is real and
// reads back the same.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2006-03-05", "2006/3/5", "2006年3月5日", "二〇〇六年三月五日", "20060305", "05/03/2006", "2006-25-03", "38781", "２００６－０３－０５", "2006-03-05T00:00:00Z", "十二月", "年月日"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, excel bool) {
		v, err := ParseDate(s, excel)
		if err != nil {
			if v != (DateValue{}) {
				t.Fatalf("an error with a value: %+v", v)
			}
			return
		}
		if v.Date.IsZero() {
			if strings.TrimSpace(s) != "" && cleanCell(narrow(s)) != "" {
				t.Fatalf("%q read as no date", s)
			}
			return
		}
		again, err := ParseDate(v.Date.String(), false)
		if err != nil || again.Date != v.Date {
			t.Fatalf("%q → %s does not read back: %v %v", s, v.Date, again, err)
		}
	})
}

// FuzzNormalizeName: NormalizeName never panics, returns valid UTF-8
// without spaces, and is idempotent.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"张建国", " 張建國　", "买买提•艾力", "李秀英之子", "ｗａｎｇ", "\xff\xfe", "··", "乾隆"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeName(s)
		if !utf8.ValidString(n) || strings.ContainsAny(n, " \t\u3000") {
			t.Fatalf("NormalizeName(%q) = %q", s, n)
		}
		if again := NormalizeName(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
		_ = Pinyin(n)
		_ = nameKey([]rune(n))
	})
}

// FuzzParseID: ParseID never panics; a valid result is 18 characters and
// reads back the same.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"34152319650312002X", "341523650312001", "３４１５２３１９６５０３１２００２ｘ", "3.4152319650312E+17", "341523 1965 0312 002X", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseID(s)
		switch v.State {
		case IDValid, IDConverted:
			if err != nil || len(v.Number) != 18 {
				t.Fatalf("%q: %+v %v", s, v, err)
			}
			if again, err := ParseID(string(v.Number)); err != nil || again.Number != v.Number {
				t.Fatalf("%q does not read back", v.Number)
			}
		case IDInvalid:
			if err == nil || v.Digits != "" && len(v.Digits) != 17 {
				t.Fatalf("%q: %+v %v", s, v, err)
			}
		}
		_ = v.Birth()
	})
}

// FuzzParseRow: the row parser of every kind never panics on any cells
// and accounts for every data row, each problem with its place and both
// messages. The input is lines of comma-separated cells; the first byte
// picks the kind.
func FuzzParseRow(f *testing.F) {
	f.Add(byte(0), "身份证号,姓名,性别,出生日期,死亡日期,户籍地址\n341523650312001,張建國 ,男,1965/3/12,2024-03-05,舒城县\n,,,,,\n,王丽,2,1965-25-03,x,")
	f.Add(byte(1), "身份证号,姓名,变动类型,变动日期,对方区划代码,户口性质\n341523196503120011,张三,迁出,2024-03-05,34010,非农")
	f.Add(byte(2), "登记类型,登记日期,男方姓名,男方身份证号,女方姓名,女方身份证号\n离婚,2024-03-05,张三,341523196503120011,王丽,34152319650312002X")
	f.Add(byte(3), "出生医学证明编号,新生儿姓名,性别,出生日期,母亲姓名,母亲身份证号,父亲姓名,父亲身份证号,出生地点\nq1,王丽之子,男,2024-03-05,王丽,34152319650312002X,,,医院")
	f.Add(byte(4), "儿童姓名,性别,出生日期,母亲姓名,母亲身份证号,接种单位\n张小明,男,2024-03-05,王丽,,卫生院")
	f.Add(byte(5), "标题\n身份证号,姓名,退休日期,单位性质\n341523196503120011,张三,2024-03-05,个体")
	f.Add(byte(6), "身份证号,姓名,残疾类别,残疾等级,发证日期,备注\n341523196503120011,张三,肢体残疾,五级,2024-03-05,a,b")
	f.Fuzz(func(t *testing.T, k byte, text string) {
		kind := Kinds[int(k)%len(Kinds)]
		var src table
		for _, l := range strings.Split(text, "\n") {
			src.rows = append(src.rows, strings.Split(l, ","))
		}
		x, err := Parse(src, kind, Options{Mapping: map[string]string{"人员姓名": "name"}})
		if err != nil {
			t.Fatal(err)
		}
		dataLines := 0
		if x.Header != nil && x.OK() {
			for _, r := range src.rows[x.HeaderLine:] {
				if !blank(r) {
					dataLines++
				}
			}
			if len(x.Rows) != dataLines {
				t.Fatalf("%d data rows, %d parsed", dataLines, len(x.Rows))
			}
		}
		for i, r := range x.Rows {
			if r.Row != i+1 || len(r.Subjects) != len(kind.Roles()) || len(r.Fingerprint) != 32 {
				t.Fatalf("row %d: %+v", i, r)
			}
		}
		for _, p := range x.AllProblems() {
			if p.ZH == "" || p.EN == "" || (p.Severity != Error && p.Severity != Warning) {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
