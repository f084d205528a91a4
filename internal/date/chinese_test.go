package date

import "testing"

func TestChinese(t *testing.T) {
	if got := MustParse("2026-12-05").Chinese(); got != "2026年12月5日" {
		t.Errorf("Chinese() = %q", got)
	}
	if got := (Date{}).Chinese(); got != "" {
		t.Errorf("zero Chinese() = %q", got)
	}
	tests := []struct{ in, want string }{
		{"2024-01-10", "2024年1月10日"},
		{"2024-10-01 09:00", "2024年10月1日 09:00"},
		{"2024-10-01T09:00", "2024年10月1日 09:00"},
		{"2024-02-30", "2024-02-30"},
		{"2024-01-10号", "2024-01-10号"},
		{"", ""},
		{"1986年初婚", "1986年初婚"},
		{"（尚未登记）", "（尚未登记）"},
	}
	for _, tt := range tests {
		if got := Chinese(tt.in); got != tt.want {
			t.Errorf("Chinese(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
