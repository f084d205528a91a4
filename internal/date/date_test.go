package date

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{"", Date{}, false},
		{"1964-02-29", Of(1964, time.February, 29), false},
		{"2023-02-29", Date{}, true},
		{"2023-2-1", Date{}, true},
		{"2023-13-01", Date{}, true},
		{"20230101", Date{}, true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestArithmetic(t *testing.T) {
	birth := MustParse("1964-12-31")
	tests := []struct {
		on   string
		want int
	}{
		{"2024-12-30", 59},
		{"2024-12-31", 60},
		{"2025-01-01", 60},
	}
	for _, tt := range tests {
		if got := birth.YearsBetween(MustParse(tt.on)); got != tt.want {
			t.Errorf("YearsBetween(%s) = %d, want %d", tt.on, got, tt.want)
		}
	}
	if got := MustParse("2024-01-31").AddMonths(1); got != MustParse("2024-03-02") {
		t.Errorf("AddMonths normalises like time.AddDate: got %v", got)
	}
	if a, b := MustParse("2024-01-15").MonthIndex(), MustParse("2023-12-01").MonthIndex(); a-b != 1 {
		t.Errorf("MonthIndex difference = %d, want 1", a-b)
	}
	if !(Date{}).Before(MustParse("1900-01-01")) || MustParse("2000-01-01").Compare(MustParse("2000-01-01")) != 0 {
		t.Error("ordering: the zero Date sorts first and equal dates compare 0")
	}
}

func TestJSONAndSQL(t *testing.T) {
	type rec struct {
		D Date `json:"d"`
	}
	for _, tt := range []struct {
		in   string
		want Date
		out  string
	}{
		{`{"d":"2024-03-01"}`, MustParse("2024-03-01"), `{"d":"2024-03-01"}`},
		{`{"d":null}`, Date{}, `{"d":null}`},
		{`{"d":""}`, Date{}, `{"d":null}`},
	} {
		var r rec
		if err := json.Unmarshal([]byte(tt.in), &r); err != nil || r.D != tt.want {
			t.Errorf("Unmarshal(%s) = %v, %v", tt.in, r.D, err)
		}
		if b, _ := json.Marshal(r); string(b) != tt.out {
			t.Errorf("Marshal = %s, want %s", b, tt.out)
		}
	}
	if err := json.Unmarshal([]byte(`{"d":"2024-02-30"}`), new(rec)); err == nil {
		t.Error("an impossible date in JSON was accepted")
	}
	for _, src := range []any{"2024-03-01", []byte("2024-03-01"), "2024-03-01T00:00:00Z", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)} {
		var d Date
		if err := d.Scan(src); err != nil || d != MustParse("2024-03-01") {
			t.Errorf("Scan(%#v) = %v, %v", src, d, err)
		}
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Errorf("the zero Date stores as %v, want NULL", v)
	}
}

// TestScanText checks that the fast reading of dates from a database
// agrees with Parse on every day of four centuries' leap rules and on
// malformed text.
func TestScanText(t *testing.T) {
	for _, y := range []int{1899, 1900, 1960, 2000, 2023, 2024, 2100} {
		for m := 1; m <= 12; m++ {
			for dd := 0; dd <= 32; dd++ {
				s := fmt.Sprintf("%04d-%02d-%02d", y, m, dd)
				want, werr := Parse(s)
				var got Date
				gerr := got.Scan(s)
				if got != want || (gerr == nil) != (werr == nil) {
					t.Errorf("Scan(%q) = %v, %v; Parse = %v, %v", s, got, gerr, want, werr)
				}
			}
		}
	}
	for _, s := range []string{"2024-1-01", "2024/01/01", "20240101xx", "2024-13-01", "2024-00-10", "abcd-ef-gh", "2024-02-30T00:00:00Z"} {
		var got Date
		_, werr := Parse(s[:min(len(s), 10)])
		if err := got.Scan(s); (err == nil) != (werr == nil) {
			t.Errorf("Scan(%q): %v, Parse: %v", s, err, werr)
		}
	}
}

// TestOfAgreesWithTime checks Of, which returns a valid day as it is and
// normalises the others (the 0th, the 31st of a short month, month 13),
// against time.Date over four years around a leap day and the year 2000.
func TestOfAgreesWithTime(t *testing.T) {
	for _, y := range []int{1900, 1999, 2000, 2023, 2024, 2100} {
		for m := time.Month(-1); m <= 14; m++ {
			for d := -1; d <= 33; d++ {
				tt := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
				want := fmt.Sprintf("%04d-%02d-%02d", tt.Year(), tt.Month(), tt.Day())
				if got := Of(y, m, d).String(); got != want {
					t.Errorf("Of(%d, %d, %d) = %s, want %s", y, m, d, got, want)
				}
			}
		}
	}
}

func TestDaysAgreeWithTime(t *testing.T) {
	for _, tc := range []struct{ from, to string }{
		{"1899-12-25", "1901-03-05"}, {"1968-02-20", "1972-03-10"}, {"1999-12-01", "2001-03-31"},
		{"2024-02-27", "2024-03-02"}, {"2099-12-20", "2100-03-05"}, {"0100-02-20", "0100-03-05"},
	} {
		for d := MustParse(tc.from); !d.After(MustParse(tc.to)); d = FromTime(d.Time().AddDate(0, 0, 1)) {
			want := int(floorDiv(int(d.Time().Unix()), 86400))
			if got := d.Days(); got != want {
				t.Fatalf("%s.Days() = %d, want %d", d, got, want)
			}
			if got := FromDays(want); got != d {
				t.Fatalf("FromDays(%d) = %s, want %s", want, got, d)
			}
			for _, n := range []int{-400, -61, -1, 0, 1, 29, 365, 366, 1461} {
				if got, want := d.AddDays(n), FromTime(d.Time().AddDate(0, 0, n)); got != want {
					t.Fatalf("%s.AddDays(%d) = %s, want %s", d, n, got, want)
				}
			}
		}
	}
	if got := (Date{}).AddDays(3); got != FromTime(time.Time{}.AddDate(0, 0, 3)) {
		t.Fatalf("zero date plus 3 days = %s", got)
	}
}

func FuzzAddDays(f *testing.F) {
	f.Add(2024, 2, 29, 365)
	f.Fuzz(func(t *testing.T, y, m, d, n int) {
		if y < 1 || y > 9000 || n < -1000000 || n > 1000000 {
			return
		}
		x := Date{int16(y), uint8(m), uint8(d)}
		if got, want := x.AddDays(n), FromTime(x.Time().AddDate(0, 0, n)); got != want {
			t.Fatalf("%v.AddDays(%d) = %v, want %v", x, n, got, want)
		}
	})
}
