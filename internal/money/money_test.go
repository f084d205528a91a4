package money

import "testing"

func TestParseYuanAndString(t *testing.T) {
	tests := []struct {
		in      string
		want    Fen
		str     string
		wantErr bool
	}{
		{"960", 96000, "960.00", false},
		{"80.5", 8050, "80.50", false},
		{"12.34", 1234, "12.34", false},
		{"-0.01", -1, "-0.01", false},
		{"0.105", 0, "", true},
		{"1.", 0, "", true},
		{"abc", 0, "", true},
		{"", 0, "", true},
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			continue
		}
		if !tt.wantErr && got.String() != tt.str {
			t.Errorf("Fen(%d).String() = %q, want %q", got, got.String(), tt.str)
		}
	}
	if Yuan(960) != 96000 {
		t.Error("Yuan(960) != 96000 fen")
	}
}
