package web

import "testing"

func TestRedactIDs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"duplicate 34152319620301011X here", "duplicate 341523************ here"},
		{"no numbers", "no numbers"},
		{"old 341523620301011", "old 341523*********"},
	}
	for _, tt := range tests {
		if got := RedactIDs(tt.in); got != tt.want {
			t.Errorf("RedactIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
