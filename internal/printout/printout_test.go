package printout

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

var update = flag.Bool("update", false, "rewrite the golden text files")

// papers are the four papers, each printed on its own.
var papers = []struct {
	name  string
	print func(*bytes.Buffer) error
	want  []string // in the extracted text
}{
	{"notice", func(b *bytes.Buffer) error { return NoticeList(b, noticeList) },
		[]string{noticeList.Title[:30], "王秀英", "李桂兰", "341523********0028", "341523********0046", "舒城县城关镇仁和村****",
			"自2024年2月1日至2024年2月8日", "仁和村委会", "2024年2月1日", "村部公示栏", "第1页共1页"}},
	{"application", func(b *bytes.Buffer) error { return ApplicationForm(b, applicationForm) },
		[]string{"农村部分计划生育家庭奖励扶助对象申报表", "王秀英", "张建国", "341523196405010028", "341523196203010015",
			"1964年5月1日", "1962年3月1日", "申报日期：2024年1月10日", "受理时间：2024年1月10日 09:00", "村专干甲（村专干）",
			"1986年初婚", "身份证复印件；户口簿复印件", "申请人已签署承诺", "县级审批意见"}},
	{"survey", func(b *bytes.Buffer) error { return SurveyRecord(b, surveyRecord) },
		[]string{"入户调查审核记录表", "王秀英", "341523196405010028", "2024年1月20日", "村专干甲、李调查（城关镇计生办）",
			"待民政核实<初婚>", "符合条件", "签署时间：2024年1月20日 09:00"}},
	{"casefile", func(b *bytes.Buffer) error { return CaseFiles(b, []*CaseFile{caseFileData}) },
		[]string{"农村部分计划生育家庭奖励扶助案卷目录", "王秀英", "入户调查", "村专干甲（村专干）", "2024年1月20日 09:00",
			"扫描件：结婚证.pdf", "IMG_0001.jpg", "9f86d081884c", "2054年1月20日", "1.2 MB", "本卷共办理环节 3 项、附件 2 件"}},
	{"letter", func(b *bytes.Buffer) error { return Letter(b, letterData) },
		[]string{"计划生育奖励扶助金发放告知书", "编号：341523-3-1", "张秀英", "341523********0027", "2,400.00", "300.00", "5,100.00",
			"已于2024年6月30日通过惠农补贴“一卡通”发放", "6228***********0018", "0564-8621234", "舒城县卫生健康委员会", "2024年6月30日"}},
}

// isoDate is a date as the HTML pages print it, which a PDF never does.
var isoDate = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// squeeze removes the spaces pdftotext puts between pieces of text.
func squeeze(s string) string { return strings.NewReplacer(" ", "", "\u00a0", "").Replace(s) }

// TestPapers reads each paper back: its names, numbers, amounts and
// Chinese dates are there; ISO dates, full ID numbers on a notice and
// house numbers are not; and the text as laid out matches the golden
// file (go test -update rewrites them after a change is checked).
func TestPapers(t *testing.T) {
	for _, p := range papers {
		t.Run(p.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := p.print(&buf); err != nil {
				t.Fatal(err)
			}
			text := squeeze(pdftest.Text(t, buf.Bytes()))
			for _, want := range p.want {
				if !strings.Contains(text, squeeze(want)) {
					t.Errorf("lacks %q:\n%s", want, text)
				}
			}
			if d := isoDate.FindString(text); d != "" {
				t.Errorf("prints the ISO date %s", d)
			}
			if p.name == "notice" {
				for _, leak := range []string{"341523196405010028", "19640501", "三组15号", "196305010046"} {
					if strings.Contains(text, leak) {
						t.Errorf("the notice shows %q", leak)
					}
				}
			}
			golden(t, p.name, pdftest.Text(t, buf.Bytes(), "-layout"))
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("the text of %s differs from %s (run with -update after checking the change):\n%s", name, path, got)
	}
}

// Printing the same paper twice gives the same bytes.
func TestReproducible(t *testing.T) {
	for _, p := range papers {
		var a, b bytes.Buffer
		if err := p.print(&a); err != nil {
			t.Fatal(err)
		}
		if err := p.print(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two prints differ", p.name)
		}
	}
}

// The letters of a cycle are one PDF, a page each, numbered each on its
// own, every recipient's name whole on their letter.
func TestLettersBulk(t *testing.T) {
	ls := cycleLetters(150)
	var buf bytes.Buffer
	if err := Letters(&buf, ls); err != nil {
		t.Fatal(err)
	}
	pages := pdftest.PageTexts(t, buf.Bytes())
	if len(pages) != len(ls) || pdftest.Pages(t, buf.Bytes()) != len(ls) {
		t.Fatalf("%d pages for %d letters", len(pages), len(ls))
	}
	for i, p := range pages {
		p = squeeze(p)
		for _, want := range []string{ls[i].Name + "（身份证号" + ls[i].IDMasked + "）", "户名：" + ls[i].Holder, ls[i].No, "5,100.00", "第1页共1页"} {
			if !strings.Contains(p, want) {
				t.Fatalf("letter %d lacks %q:\n%s", i+1, want, p)
			}
		}
	}
}

// All the notices of a township are one PDF; a long list runs over pages
// with its header on each, and each notice numbers its own pages.
func TestNoticesBulk(t *testing.T) {
	long := *noticeList
	long.Title = "舒城县城关镇 2024年度计划生育奖励扶助对象乡级公示"
	long.Rows = nil
	for _, l := range cycleLetters(90) {
		long.Rows = append(long.Rows, documents.NoticeRow{Name: l.Name, Sex: "女", Age: 62, IDNumber: "341523196205010024",
			Address: "舒城县城关镇仁和村三组15号", Program: "农村部分计划生育家庭奖励扶助", Tier: "一档"})
	}
	empty := *noticeList
	empty.Rows = nil
	var buf bytes.Buffer
	if err := NoticeLists(&buf, []*documents.NoticeList{noticeList, &long, &empty}); err != nil {
		t.Fatal(err)
	}
	pages := pdftest.PageTexts(t, buf.Bytes())
	if len(pages) < 5 {
		t.Fatalf("%d pages", len(pages))
	}
	n := len(pages) - 2 // the long notice's pages
	for i, p := range pages {
		p = squeeze(p)
		if strings.Contains(p, "********") && !strings.Contains(p, "公民身份号码") {
			t.Errorf("page %d has no table header", i+1)
		}
		want := "第1页共1页"
		if i >= 1 && i <= n {
			want = "第" + itoa(i) + "页共" + itoa(n) + "页"
		}
		if !strings.Contains(p, want) {
			t.Errorf("page %d lacks %s", i+1, want)
		}
	}
	all := squeeze(strings.Join(pages, ""))
	for _, r := range long.Rows {
		if !strings.Contains(all, r.Name) {
			t.Errorf("%s is missing or split", r.Name)
		}
	}
	if !strings.Contains(squeeze(pages[len(pages)-1]), "（无）") {
		t.Error("an empty notice does not say so")
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestDocument(t *testing.T) {
	for kind, data := range map[string]any{"application": applicationForm, "survey": surveyRecord, "notice": noticeList} {
		var a, b bytes.Buffer
		if err := Document(&a, kind, data); err != nil {
			t.Fatal(err)
		}
		for _, p := range papers {
			if p.name == kind {
				p.print(&b)
			}
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("Document(%s) differs from the paper's own function", kind)
		}
	}
	if err := Document(&bytes.Buffer{}, "survey", noticeList); err == nil {
		t.Error("a notice was printed as a survey record")
	}
	if err := Letters(&bytes.Buffer{}, []payment.LetterData{}); err == nil {
		t.Error("an empty bulk print was written")
	}
}

// Papers are printed concurrently (one per request) from the one parsed
// font: each print is its own.
func TestConcurrent(t *testing.T) {
	want := make([][]byte, len(papers))
	for i, p := range papers {
		var b bytes.Buffer
		if err := p.print(&b); err != nil {
			t.Fatal(err)
		}
		want[i] = b.Bytes()
	}
	errs := make(chan error, 8*len(papers))
	for range 8 {
		for i, p := range papers {
			go func() {
				var b bytes.Buffer
				err := p.print(&b)
				if err == nil && !bytes.Equal(b.Bytes(), want[i]) {
					err = errors.New(p.name + " printed concurrently differs")
				}
				errs <- err
			}()
		}
	}
	for range 8 * len(papers) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
