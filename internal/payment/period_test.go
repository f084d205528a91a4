package payment

import (
	"testing"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in          string
		ok          bool
		kind        PeriodKind
		first, last string
		chinese     string
	}{
		{"2024", true, Year, "2024-01", "2024-12", "2024年"},
		{"2024-H1", true, Half, "2024-01", "2024-06", "2024年上半年"},
		{"2024-H2", true, Half, "2024-07", "2024-12", "2024年下半年"},
		{"2024-Q2", true, Quarter, "2024-04", "2024-06", "2024年第2季度"},
		{"2024-03", true, Month, "2024-03", "2024-03", "2024年3月"},
		{"2024-12", true, Month, "2024-12", "2024-12", "2024年12月"},
		{"2024-3", false, "", "", "", ""},
		{"2024-13", false, "", "", "", ""},
		{"2024-Q5", false, "", "", "", ""},
		{"2024-Q01", false, "", "", "", ""},
		{"2024-H0", false, "", "", "", ""},
		{"24", false, "", "", "", ""},
		{"", false, "", "", "", ""},
		{"2024-", false, "", "", "", ""},
		{"1800", false, "", "", "", ""},
	}
	for _, tt := range tests {
		p, err := ParsePeriod(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParsePeriod(%q) error = %v, want ok %v", tt.in, err, tt.ok)
			continue
		}
		if !tt.ok {
			continue
		}
		f, l := p.Months()
		if p.String() != tt.in || p.Kind() != tt.kind || monthName(f) != tt.first || monthName(l) != tt.last || p.Chinese() != tt.chinese {
			t.Errorf("ParsePeriod(%q) = %s %s %s..%s %s; want %s %s..%s %s", tt.in, p, p.Kind(), monthName(f), monthName(l), p.Chinese(),
				tt.kind, tt.first, tt.last, tt.chinese)
		}
		if got := PeriodOf(p.Kind(), f); got != p {
			t.Errorf("PeriodOf(%s, %s) = %s, want %s", p.Kind(), monthName(f), got, p)
		}
	}
}

func TestPeriodOrder(t *testing.T) {
	tests := []struct {
		a, b             string
		before, overlaps bool
	}{
		{"2024-Q1", "2024-Q2", true, false},
		{"2024-Q2", "2024-Q1", false, false},
		{"2024-03", "2024-Q1", false, true},
		{"2023", "2024-01", true, false},
		{"2024", "2024-H2", false, true},
		{"2024-H1", "2024-07", true, false},
	}
	for _, tt := range tests {
		a, b := MustPeriod(tt.a), MustPeriod(tt.b)
		if a.Before(b) != tt.before || a.Overlaps(b) != tt.overlaps {
			t.Errorf("%s vs %s: before %v overlaps %v; want %v %v", a, b, a.Before(b), a.Overlaps(b), tt.before, tt.overlaps)
		}
	}
}

func TestResolveParams(t *testing.T) {
	tests := []struct {
		county string
		stored map[string]string
		want   PeriodKind
		back   int
		ok     bool
	}{
		{"341523", nil, Quarter, 0, true},
		{"510104", nil, Half, 0, true},
		{"341523", map[string]string{"tf_period": "month", "back_pay_years": "1"}, Month, 1, true},
		{"341523", map[string]string{"tf_period": "week"}, "", 0, false},
		{"341523", map[string]string{"back_pay_years": "-1"}, "", 0, false},
		{"341523", map[string]string{"colour": "red"}, "", 0, false},
	}
	for _, tt := range tests {
		p, err := ResolveParams(tt.county, tt.stored)
		if (err == nil) != tt.ok {
			t.Errorf("ResolveParams(%s, %v) error = %v, want ok %v", tt.county, tt.stored, err, tt.ok)
			continue
		}
		if tt.ok && (p.TFPeriod != tt.want || p.BackPayYears != tt.back || p.PeriodKindOf("tf_death") != tt.want || p.PeriodKindOf("jf") != Year) {
			t.Errorf("ResolveParams(%s, %v) = %+v, want tf_period %s back pay %d", tt.county, tt.stored, p, tt.want, tt.back)
		}
	}
}
