package matching

import (
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"
)

// Pinyin readings are kept as small integers (syllable ids) so that names
// are compared without allocating: every reading of every character of
// the CJK blocks is looked up once, on first use.

// cjkLo and cjkHi bound the characters with readings: CJK Unified
// Ideographs Extension A and the basic block.
const (
	cjkLo = 0x3400
	cjkHi = 0xA000
)

type pinyinTable struct {
	names  []string          // syllable id → syllable ("" for 0)
	ids    map[string]uint16 // syllable → id
	starts []uint32          // rune - cjkLo → first reading in reads; len = cjkHi-cjkLo+1
	reads  []uint16
	fuzzy  []uint16 // syllable id → id of its fuzzy form
}

var (
	pyOnce sync.Once
	pyTab  *pinyinTable
)

func pyTable() *pinyinTable {
	pyOnce.Do(func() { pyTab = buildPinyinTable() })
	return pyTab
}

func (t *pinyinTable) id(s string) uint16 {
	if id, ok := t.ids[s]; ok {
		return id
	}
	id := uint16(len(t.names))
	t.names = append(t.names, s)
	t.ids[s] = id
	return id
}

func buildPinyinTable() *pinyinTable {
	t := &pinyinTable{names: []string{""}, ids: map[string]uint16{"": 0}}
	args := pinyin.NewArgs()
	args.Heteronym = true
	args.Fallback = func(rune, pinyin.Args) []string { return nil }
	t.starts = make([]uint32, cjkHi-cjkLo+1)
	t.reads = make([]uint16, 0, 40000)
	for r := rune(cjkLo); r < cjkHi; r++ {
		t.starts[r-cjkLo] = uint32(len(t.reads))
		for _, s := range pinyin.SinglePinyin(r, args) {
			t.reads = append(t.reads, t.id(s))
		}
	}
	t.starts[cjkHi-cjkLo] = uint32(len(t.reads))
	for _, rs := range surnameReadings {
		for _, s := range rs {
			t.id(s)
		}
	}
	n := len(t.names)
	t.fuzzy = make([]uint16, n, n+n/2)
	for i := 0; i < n; i++ {
		t.fuzzy[i] = t.id(fuzzyForm(t.names[i]))
	}
	for len(t.fuzzy) < len(t.names) { // fuzzy forms that were new syllables
		t.fuzzy = append(t.fuzzy, uint16(len(t.fuzzy)))
	}
	return t
}

// fuzzyForm folds a syllable the way southern and some northern speakers
// merge sounds, so that names misheard or typed by ear still meet: zh/z,
// ch/c, sh/s, n/l, f/h before u, and the nasal endings ang/an, eng/en,
// ing/in.
func fuzzyForm(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"):
		s = "z" + s[2:]
	case strings.HasPrefix(s, "ch"):
		s = "c" + s[2:]
	case strings.HasPrefix(s, "sh"):
		s = "s" + s[2:]
	case strings.HasPrefix(s, "n") && s != "n" && s != "ng":
		s = "l" + s[1:]
	case strings.HasPrefix(s, "hu"):
		s = "fu" + s[2:]
	}
	switch {
	case strings.HasSuffix(s, "ang"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "eng"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "ing"):
		s = s[:len(s)-1]
	}
	return s
}

// surnameReadings are the readings of characters as surnames, which
// dictionaries list after their common readings or not at all (单 is shan
// as a surname, not dan; 曾 is zeng, not ceng).
var surnameReadings = map[rune][]string{
	'单': {"shan"}, '曾': {"zeng"}, '沈': {"shen"}, '解': {"xie"}, '仇': {"qiu"}, '朴': {"piao"},
	'区': {"ou"}, '查': {"zha"}, '盖': {"ge", "gai"}, '乐': {"yue", "le"}, '覃': {"qin", "tan"},
	'翟': {"zhai", "di"}, '长': {"chang"}, '万': {"wan"}, '尉': {"wei", "yu"}, '任': {"ren"},
	'缪': {"miao"}, '秘': {"bi"}, '种': {"chong"}, '柏': {"bai"}, '薄': {"bo"}, '宿': {"su"},
	'那': {"na"}, '召': {"shao"}, '折': {"she"}, '能': {"nai"}, '隗': {"wei", "kui"}, '繁': {"po"},
	'员': {"yun"}, '句': {"gou"}, '重': {"chong"}, '都': {"du"}, '莘': {"shen"}, '阚': {"kan"},
	'车': {"che"}, '石': {"shi"}, '藏': {"zang"}, '颉': {"xie"}, '黑': {"he"}, '炅': {"gui"},
	'曲': {"qu"}, '朝': {"chao"}, '中': {"zhong"}, '郇': {"xun", "huan"}, '应': {"ying"},
	'乜': {"nie"}, '蕃': {"pi"}, '卜': {"bu"}, '宓': {"mi", "fu"}, '祭': {"zhai"}, '粘': {"nian"},
	'将': {"jiang"}, '亟': {"qi"}, '殷': {"yin"}, '相': {"xiang"}, '强': {"qiang"}, '占': {"zhan"},
	'奇': {"ji", "qi"}, '便': {"pian"}, '哈': {"ha"}, '阿': {"a"}, '贲': {"ben"}, '费': {"fei"},
}

// readings returns the syllable ids of r's readings (nil for a character
// without any, such as a Latin letter). surname asks for its readings as
// a surname.
func readings(r rune, surname bool) []uint16 {
	t := pyTable()
	if surname {
		if rs, ok := surnameIDs()[r]; ok {
			return rs
		}
	}
	if r < cjkLo || r >= cjkHi {
		return nil
	}
	i := r - cjkLo
	return t.reads[t.starts[i]:t.starts[i+1]]
}

var (
	surnameIDsOnce sync.Once
	surnameIDMap   map[rune][]uint16
)

func surnameIDs() map[rune][]uint16 {
	surnameIDsOnce.Do(func() {
		t := pyTable()
		surnameIDMap = make(map[rune][]uint16, len(surnameReadings))
		for r, rs := range surnameReadings {
			if len(rs) == 0 {
				continue
			}
			ids := make([]uint16, len(rs))
			for i, s := range rs {
				ids[i] = t.ids[s]
			}
			surnameIDMap[r] = ids
		}
	})
	return surnameIDMap
}

// primary returns the first reading of r (as a surname when asked), or a
// value derived from r itself for a character without readings, so that
// keys of names with Latin letters still work.
func primary(r rune, surname bool) uint32 {
	if rs := readings(r, surname); len(rs) > 0 {
		return uint32(rs[0])
	}
	return 1<<16 | uint32(r)&0xFFFF
}

// sameSound reports whether a reading of a is a reading of b.
func sameSound(a, b []uint16) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// sameFuzzySound reports whether a reading of a and one of b have the
// same fuzzy form.
func sameFuzzySound(a, b []uint16) bool {
	f := pyTable().fuzzy
	for _, x := range a {
		for _, y := range b {
			if f[x] == f[y] {
				return true
			}
		}
	}
	return false
}

// Pinyin returns the readings of a normalised name as the matcher hears
// it: one group per character, each group the character's readings
// separated by "/", the surname read as a surname. For example
// Pinyin("单丽") is "shan li". It is meant for explanations and tests.
func Pinyin(name string) string {
	rs := []rune(name)
	sl := surnameLen(rs)
	parts := make([]string, 0, len(rs))
	t := pyTable()
	for i, r := range rs {
		ids := readings(r, i < sl)
		if len(ids) == 0 {
			parts = append(parts, string(r))
			continue
		}
		names := make([]string, len(ids))
		for k, id := range ids {
			names[k] = t.names[id]
		}
		parts = append(parts, strings.Join(names, "/"))
	}
	return strings.Join(parts, " ")
}

// nameKey returns a hash of the primary readings of the normalised name
// rs: names that sound alike in their first readings share it.
func nameKey(rs []rune) uint64 {
	sl := surnameLen(rs)
	h := uint64(14695981039346656037)
	for i, r := range rs {
		h ^= uint64(primary(r, i < sl))
		h *= 1099511628211
	}
	return h
}

// surnameSound returns the primary reading of the first character of the
// surname of rs, 0 for an empty name.
func surnameSound(rs []rune) uint32 {
	if len(rs) == 0 {
		return 0
	}
	return primary(rs[0], true)
}
