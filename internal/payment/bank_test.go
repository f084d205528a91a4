package payment

import (
	"testing"

	"github.com/jiahe-project/jiahe/internal/apperr"
)

func TestLuhn(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"6228480402564890018", true}, // 19 digits, 农业银行 BIN 622848
		{"6228480402564890019", false},
		{"4111111111111111", true},
		{"4111111111111112", false},
		{"79927398713", true},
		{"", false},
		{"7", false},
		{"6228a80402564890018", false},
	}
	for _, tt := range tests {
		if got := Luhn(tt.in); got != tt.want {
			t.Errorf("Luhn(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAccountValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     AccountInput
		person string
		fields []string // fields at fault, in order; nil: valid
		number string
	}{
		{"card with spaces", AccountInput{Bank: "103", Number: "6228 4804 0256 4890 018", Holder: "张秀英"}, "张秀英", nil, "6228480402564890018"},
		{"passbook", AccountInput{Bank: "402", Kind: Passbook, Number: "20000123456789012", Holder: "张秀英"}, "张秀英", nil, "20000123456789012"},
		{"minority name dots", AccountInput{Bank: "105", Number: "4111111111111111", Holder: "阿依古丽•买买提"}, "阿依古丽·买买提", nil, "4111111111111111"},
		{"bad luhn", AccountInput{Bank: "103", Number: "6228480402564890019", Holder: "张秀英"}, "张秀英", []string{"account_no"}, ""},
		{"card too short", AccountInput{Bank: "102", Number: "622848040256", Holder: "张秀英"}, "张秀英", []string{"account_no"}, ""},
		{"letters", AccountInput{Bank: "102", Number: "62284804025648900X", Holder: "张秀英"}, "张秀英", []string{"account_no"}, ""},
		{"unknown bank", AccountInput{Bank: "999", Number: "6228480402564890018", Holder: "张秀英"}, "张秀英", []string{"bank"}, ""},
		{"holder differs", AccountInput{Bank: "403", Number: "6228480402564890018", Holder: "张秀兰"}, "张秀英", []string{"holder"}, ""},
		{"everything wrong", AccountInput{Bank: "", Kind: "cheque", Number: "1", Holder: ""}, "张秀英", []string{"bank", "kind", "holder"}, ""},
		{"short passbook", AccountInput{Bank: "402", Kind: Passbook, Number: "1234567", Holder: "张秀英"}, "张秀英", []string{"account_no"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, number, _, err := tt.in.Validate(tt.person)
			var got []string
			if err != nil {
				l, ok := err.(apperr.List)
				if !ok {
					t.Fatalf("error %T %v, want apperr.List", err, err)
				}
				for _, e := range l {
					if e.ZH == "" || e.EN == "" {
						t.Errorf("%s: message missing in one language: %q / %q", e.Field, e.ZH, e.EN)
					}
					got = append(got, e.Field)
				}
			}
			if len(got) != len(tt.fields) {
				t.Fatalf("fields at fault = %v, want %v", got, tt.fields)
			}
			for i := range got {
				if got[i] != tt.fields[i] {
					t.Fatalf("fields at fault = %v, want %v", got, tt.fields)
				}
			}
			if tt.fields == nil && number != tt.number {
				t.Errorf("number = %q, want %q", number, tt.number)
			}
		})
	}
}

func TestMaskAccount(t *testing.T) {
	if got, want := MaskAccount("6228480402564890018"), "6228***********0018"; got != want {
		t.Errorf("MaskAccount = %q, want %q", got, want)
	}
	if got := MaskAccount("1234"); got != "****" {
		t.Errorf("MaskAccount(short) = %q", got)
	}
}
