package synth

import (
	"math/rand/v2"
	"strings"
)

// surnames holds common surnames with their approximate share of the
// population in per mille (《2020年全国姓名报告》 of the Ministry of Public
// Security for the first ten; the rest from published frequency lists, see
// docs/synthetic.md). The remaining share is spread over the tail.
var surnames = []struct {
	s string
	w float64
}{
	{"王", 71.5}, {"李", 71.1}, {"张", 67.3}, {"刘", 50.9}, {"陈", 44.6}, {"杨", 32.6}, {"黄", 23.8}, {"赵", 20.2}, {"吴", 19.6}, {"周", 18.9},
	{"徐", 14.3}, {"孙", 13.7}, {"马", 13.5}, {"朱", 12.8}, {"胡", 11.7}, {"郭", 11.1}, {"何", 10.5}, {"林", 10.0}, {"高", 10.0}, {"罗", 9.9},
	{"郑", 9.0}, {"梁", 8.9}, {"谢", 7.9}, {"宋", 7.6}, {"唐", 7.5}, {"许", 6.9}, {"韩", 6.8}, {"冯", 6.6}, {"邓", 6.6}, {"曹", 6.3},
	{"彭", 6.0}, {"曾", 5.9}, {"肖", 5.9}, {"田", 5.3}, {"董", 5.2}, {"袁", 5.1}, {"潘", 5.0}, {"于", 4.9}, {"蒋", 4.9}, {"蔡", 4.8},
	{"余", 4.5}, {"杜", 4.3}, {"叶", 4.3}, {"程", 4.2}, {"苏", 4.0}, {"魏", 4.0}, {"吕", 3.9}, {"丁", 3.8}, {"任", 3.7}, {"沈", 3.5},
	{"姚", 3.4}, {"卢", 3.4}, {"姜", 3.3}, {"崔", 3.2}, {"钟", 3.1}, {"谭", 3.0}, {"陆", 3.0}, {"汪", 3.0}, {"范", 2.9}, {"金", 2.8},
	{"石", 2.8}, {"廖", 2.7}, {"贾", 2.6}, {"夏", 2.6}, {"韦", 2.5}, {"付", 2.5}, {"方", 2.4}, {"白", 2.3}, {"邹", 2.3}, {"孟", 2.2},
	{"熊", 2.2}, {"秦", 2.1}, {"邱", 2.1}, {"江", 2.1}, {"尹", 2.0}, {"薛", 2.0}, {"闫", 1.9}, {"段", 1.9}, {"雷", 1.9}, {"侯", 1.8},
	{"龙", 1.8}, {"史", 1.8}, {"陶", 1.7}, {"黎", 1.7}, {"贺", 1.7}, {"顾", 1.6}, {"毛", 1.6}, {"郝", 1.6}, {"龚", 1.5}, {"邵", 1.5},
	{"万", 1.5}, {"钱", 1.4}, {"严", 1.4}, {"覃", 1.4}, {"武", 1.4}, {"戴", 1.3}, {"莫", 1.3}, {"孔", 1.3}, {"向", 1.2}, {"汤", 1.2},
}

// Given names by era and sex: full given names that topped the lists of
// their decade, and characters from which further names are composed.
type namePool struct {
	full        []string // popular full given names, most popular first
	first, last []rune   // characters for composed two-character names
	single      []rune   // characters used as one-character given names
}

var (
	malePools = []namePool{
		{ // born before 1960
			full:   []string{"建国", "建华", "国强", "德明", "志强", "国华", "建军", "福生", "永胜", "文明", "振华", "玉山"},
			first:  []rune("建国志德永文振福玉树春明长金"),
			last:   []rune("华强明生胜山林军成才民荣祥贵"),
			single: []rune("军明华林山忠义德"),
		},
		{ // 1960–1979
			full:   []string{"建华", "建军", "勇", "军", "伟", "强", "永强", "卫东", "红军", "建平", "国庆", "海涛"},
			first:  []rune("建卫红国海志晓永小文学春"),
			last:   []rune("军华平东强明兵峰刚伟忠林"),
			single: []rune("勇军伟强斌刚杰波辉兵峰涛"),
		},
		{ // 1980–1999
			full:   []string{"伟", "磊", "涛", "鹏", "杰", "超", "浩", "俊杰", "志强", "文杰", "晓东", "建伟"},
			first:  []rune("俊志文晓家宇子振海鹏明天"),
			last:   []rune("杰强伟东鹏飞涛龙磊超辉宇"),
			single: []rune("伟磊涛鹏杰超浩斌亮帅鑫阳"),
		},
		{ // 2000 onwards
			full:   []string{"浩宇", "浩然", "子轩", "宇轩", "梓豪", "俊熙", "一诺", "奕辰", "宇航", "子墨", "皓轩", "睿"},
			first:  []rune("子浩宇梓俊奕一睿皓沐博铭"),
			last:   []rune("轩宇然辰豪熙航泽阳睿瑞涵"),
			single: []rune("浩宇轩睿博辰阳泽铭"),
		},
	}
	femalePools = []namePool{
		{
			full:   []string{"秀英", "桂英", "秀兰", "玉兰", "桂兰", "秀珍", "凤英", "玉珍", "玉英", "兰英", "淑珍", "凤兰"},
			first:  []rune("秀桂玉凤淑兰翠金素春月"),
			last:   []rune("英兰珍芳华梅花莲琴香霞"),
			single: []rune("英兰珍芳梅"),
		},
		{
			full:   []string{"丽", "红梅", "丽华", "秀英", "艳", "红", "燕", "海燕", "丽娟", "春梅", "小红", "玉梅"},
			first:  []rune("丽红海春晓小玉美秀艳雪"),
			last:   []rune("梅华燕娟霞红英萍芳玲琴"),
			single: []rune("丽艳燕红敏静娟霞芳萍"),
		},
		{
			full:   []string{"静", "丽", "婷", "敏", "燕", "雪", "娜", "婷婷", "晓燕", "丹", "倩", "佳琪"},
			first:  []rune("婷晓佳雪丹梦思欣文慧美"),
			last:   []rune("婷静敏燕雪娜丹倩琳颖洁怡"),
			single: []rune("静丽婷敏燕雪娜丹倩颖"),
		},
		{
			full:   []string{"欣怡", "梓涵", "子涵", "诗涵", "一诺", "若汐", "雨萱", "可馨", "语桐", "紫涵", "梓萱", "思彤"},
			first:  []rune("欣梓子诗雨可语紫思若佳依"),
			last:   []rune("怡涵萱汐馨桐彤琪菲妍然悦"),
			single: []rune("涵萱悦妍彤琪"),
		},
	}
)

// Characters common in given names of every era, added to each era's own
// characters so that composed names are as varied as real ones: in the
// 2020 national name report the most common full name (张伟) is held by
// about 0.02% of the population.
var (
	maleFirstCommon   = []rune("德文立永国家学成光宏正兴安世庆少")
	maleLastCommon    = []rune("平安顺利新光辉达亮清源远诚进荣良")
	femaleFirstCommon = []rune("丽彩秋美艳春冬惠素雅淑静晓芳心")
	femaleLastCommon  = []rune("凤娥琼莉蓉洁菊萍婕茹璐瑶岚倩娇")
)

func init() {
	for i := range malePools {
		malePools[i].first = append(malePools[i].first, maleFirstCommon...)
		malePools[i].last = append(malePools[i].last, maleLastCommon...)
	}
	for i := range femalePools {
		femalePools[i].first = append(femalePools[i].first, femaleFirstCommon...)
		femalePools[i].last = append(femalePools[i].last, femaleLastCommon...)
	}
}

// surnameCum is the cumulative weight table of surnames.
var surnameCum = func() []float64 {
	c := make([]float64, len(surnames))
	t := 0.0
	for i, s := range surnames {
		t += s.w
		c[i] = t
	}
	return c
}()

func drawSurname(r *rand.Rand) string {
	x := r.Float64() * surnameCum[len(surnameCum)-1]
	lo, hi := 0, len(surnameCum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if surnameCum[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return surnames[lo].s
}

func poolIndex(year int) int {
	switch {
	case year < 1960:
		return 0
	case year < 1980:
		return 1
	case year < 2000:
		return 2
	}
	return 3
}

// givenName draws a given name for a person born in year.
func givenName(r *rand.Rand, male bool, year int) string {
	p := femalePools[poolIndex(year)]
	if male {
		p = malePools[poolIndex(year)]
	}
	x := r.Float64()
	switch {
	case x < 0.03:
		// Zipf-like: the first names of the list are the most frequent.
		i := int(float64(len(p.full)) * r.Float64() * r.Float64())
		return p.full[i]
	case x < 0.12:
		return pick(r, p.single)
	}
	return pick(r, p.first) + pick(r, p.last)
}

func pick(r *rand.Rand, chars []rune) string {
	return string(chars[r.IntN(len(chars))])
}

// validName reports whether s looks like a generated Chinese name.
func validName(s string) bool {
	n := len([]rune(s))
	return n >= 2 && n <= 4 && !strings.ContainsAny(s, " \t")
}
