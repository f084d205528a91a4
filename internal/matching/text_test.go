package matching

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/date"
)

func TestNormalizeName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"张建国", "张建国"},
		{" 張建國　", "张建国"},
		{"王 丽", "王丽"},
		{"劉麗華", "刘丽华"},
		{"陈喆", "陈哲"},
		{"买买提•艾力", "买买提·艾力"},
		{"买买提 . 艾力", "买买提·艾力"},
		{"ｗａｎｇ", "WANG"},
		{"李秀英之子", ""},
		{"男婴", ""},
		{"", ""},
		{"乾隆", "乾隆"},
	} {
		if got := NormalizeName(c.in); got != c.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPinyin(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"单丽", "shan li"},
		{"曾国藩", "zeng guo fan"},
		{"张丽", "zhang li"},
		{"章莉", "zhang li/chi"},
	} {
		if got := Pinyin(c.in); got != c.want {
			t.Errorf("Pinyin(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	d := date.MustParse
	for _, c := range []struct {
		in        string
		excel     bool
		want, alt date.Date
		swapped   bool
		ambiguous bool
		bad       bool
	}{
		{in: "2006-03-05", want: d("2006-03-05")},
		{in: "2006/3/5", want: d("2006-03-05")},
		{in: "2006.3.5", want: d("2006-03-05")},
		{in: "2006年3月5日", want: d("2006-03-05")},
		{in: "二〇〇六年三月五日", want: d("2006-03-05")},
		{in: "二〇〇六年十二月三十一日", want: d("2006-12-31")},
		{in: "20060305", want: d("2006-03-05")},
		{in: "２００６－０３－０５", want: d("2006-03-05")},
		{in: "2006-03-05 00:00:00", want: d("2006-03-05")},
		{in: "2006-03-05T00:00:00Z", want: d("2006-03-05")},
		{in: " 2006-03-05 ", want: d("2006-03-05")},
		{in: "2006-25-03", want: d("2006-03-25"), swapped: true},
		{in: "20062503", want: d("2006-03-25"), swapped: true},
		{in: "05/03/2006", want: d("2006-05-03"), alt: d("2006-03-05"), ambiguous: true},
		{in: "25/03/2006", want: d("2006-03-25")},
		{in: "03/25/2006", want: d("2006-03-25")},
		{in: "38781", excel: true, want: d("2006-03-05")},
		{in: "38781", bad: true},
		{in: "2006-02-30", bad: true},
		{in: "2006-13-13", bad: true},
		{in: "not a date", bad: true},
		{in: "1800-01-01", bad: true},
		{in: "", want: date.Date{}},
	} {
		got, err := ParseDate(c.in, c.excel)
		if c.bad {
			if err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error", c.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDate(%q): %v", c.in, err)
			continue
		}
		if got.Date != c.want || got.Alt != c.alt || got.Swapped != c.swapped || got.Ambiguous != c.ambiguous {
			t.Errorf("ParseDate(%q) = %+v, want %s alt %s swapped %v ambiguous %v", c.in, got, c.want, c.alt, c.swapped, c.ambiguous)
		}
	}
}

func TestParseID(t *testing.T) {
	const valid = "34152319650312002X"
	for _, c := range []struct {
		in     string
		state  IDState
		number string
		digits string
	}{
		{"", IDMissing, "", ""},
		{valid, IDValid, valid, ""},
		{"34152319650312002x", IDValid, valid, ""},
		{"３４１５２３１９６５０３１２００２Ｘ ", IDValid, valid, ""},
		{"341523 19650312 002X", IDValid, valid, ""},
		{"341523650312001", IDConverted, "341523196503120011", ""},
		{"341523196503120020", IDInvalid, "", "34152319650312002"},
		{"341523196530120010", IDInvalid, "", "34152319653012001"},
		{"3.41523196503E+17", IDInvalid, "", ""},
		{"12345", IDInvalid, "", ""},
	} {
		got, err := ParseID(c.in)
		if got.State != c.state || string(got.Number) != c.number || got.Digits != c.digits {
			t.Errorf("ParseID(%q) = %+v (%v), want %v %q %q", c.in, got, err, c.state, c.number, c.digits)
		}
		if (err != nil) != (c.state == IDInvalid) {
			t.Errorf("ParseID(%q) error = %v", c.in, err)
		}
	}
}
