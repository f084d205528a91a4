package printout

import (
	"fmt"
	"io"
	"testing"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// cycleLetters returns n letters like those of one township's cycle,
// each to another person.
func cycleLetters(n int) []payment.LetterData {
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given := []rune("秀英桂兰建国明华玉珍志强淑芬德胜海燕春梅文军永红凤霞金花立新家福")
	ls := make([]payment.LetterData, n)
	for i := range ls {
		l := letterData
		l.Name = string(surnames[i%len(surnames)]) + string(given[i*7%len(given)]) + string(given[(i*13+5)%len(given)])
		l.Holder = l.Name
		l.No = fmt.Sprintf("341523-3-%d", 1000+i)
		l.IDMasked = fmt.Sprintf("341523********%04d", i%10000)
		ls[i] = l
	}
	return ls
}

// BenchmarkLetters2000 prints the letters of a township of 2,000
// recipients as one PDF.
func BenchmarkLetters2000(b *testing.B) {
	ls := cycleLetters(2000)
	b.ReportAllocs()
	for b.Loop() {
		cw := &countWriter{}
		if err := Letters(cw, ls); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(cw.n)/(1<<20), "MiB")
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkLetter prints one letter, as a page that serves it does.
func BenchmarkLetter(b *testing.B) {
	for b.Loop() {
		if err := Letter(io.Discard, letterData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoticeList2000 prints one notice list of 2,000 rows (a
// township's county-level announcement).
func BenchmarkNoticeList2000(b *testing.B) {
	n := *noticeList
	n.Rows = nil
	for _, l := range cycleLetters(2000) {
		n.Rows = append(n.Rows, documents.NoticeRow{Name: l.Name, Sex: "女", Age: 62, IDNumber: "341523196205010024",
			Address: "舒城县城关镇仁和村三组15号", Program: "农村部分计划生育家庭奖励扶助"})
	}
	for b.Loop() {
		cw := &countWriter{}
		if err := NoticeList(cw, &n); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(cw.n)/(1<<20), "MiB")
	}
}
