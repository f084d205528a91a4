package registry

import "testing"

func TestParseWho(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Who
		bad  bool
	}{
		{"", Who{}, false},
		{"  ", Who{}, false},
		{"张建", Who{WhoName, "张建"}, false},
		{"张 建国", Who{WhoName, "张建国"}, false},
		{"ZJG", Who{WhoInitials, "zjg"}, false},
		{"zj", Who{WhoInitials, "zj"}, false},
		{"1234", Who{WhoIDSuffix, "1234"}, false},
		{"12345x", Who{WhoIDSuffix, "12345X"}, false},
		{"123", Who{}, true},
		{"1234567", Who{}, true},
		{"X123", Who{WhoName, "X123"}, false}, // not an ID: a name with letters and digits
		{"11010519491231002x", Who{WhoIDNumber, "11010519491231002X"}, false},
		{"110105194912310021", Who{}, true}, // wrong check character
		{"张j", Who{WhoName, "张j"}, false},
	} {
		got, err := ParseWho("q", c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseWho(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestQueryCountCap(t *testing.T) {
	for _, c := range []struct {
		name string
		q    Query
		want int
	}{
		{"a list of a township", Query{Region: "341523100"}, CountCap},
		{"a list of the living", Query{Region: "341523100", Alive: true}, CountCap},
		{"an ID number", Query{IDNumber: "341523196003214712"}, CountCap},
		{"a list's later page", Query{Region: "341523100", Offset: 400}, CountCap},
		{"a name", Query{Region: "341523", Name: "王丽"}, SearchCountAhead},
		{"initials", Query{Who: Who{Kind: WhoInitials, Text: "wl"}}, SearchCountAhead},
		{"the end of an ID number", Query{Who: Who{Kind: WhoIDSuffix, Text: "3214"}}, SearchCountAhead},
		{"a name's tenth page", Query{Region: "341523", Name: "王", Offset: 180}, 180 + SearchCountAhead},
		{"initials past the first count", Query{Who: Who{Kind: WhoInitials, Text: "wl"}, Offset: 1000}, 1000 + SearchCountAhead},
		{"a page of twenty", Query{Region: "341523", Name: "王", Limit: 20, Offset: 20}, 20 + SearchCountAhead},
		{"a page of five hundred", Query{Region: "341523", Name: "王", Limit: 500, Offset: 500}, 500 + 5000},
	} {
		if got := c.q.CountCap(); got != c.want {
			t.Errorf("%s: CountCap() = %d, want %d", c.name, got, c.want)
		}
	}
}
