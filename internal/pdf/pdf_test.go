package pdf

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/pdf/pdftest"
)

func render(t *testing.T, opt Options, lay func(d *Doc)) []byte {
	t.Helper()
	d, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	lay(d)
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A three-character name never breaks across lines of the printed page,
// wherever in a paragraph it falls; the same text without Keep does.
func TestPDFNamesWhole(t *testing.T) {
	fill := []rune(filler)
	doc := func(run func(string) Run) []byte {
		return render(t, Options{}, func(d *Doc) {
			for k := range 40 {
				d.Text(T(string(fill[:k])), run("王秀英"), T("，"+string(fill[:30])))
			}
		})
	}
	text := pdftest.Text(t, doc(Keep))
	if n := strings.Count(text, "王秀英"); n != 40 {
		t.Errorf("王秀英 whole %d times of 40:\n%s", n, text)
	}
	if n := strings.Count(pdftest.Text(t, doc(T)), "王秀英"); n == 40 {
		t.Error("without Keep no name broke: the check above proves nothing")
	}
}

// A table running over pages repeats its header on each; page numbers
// count within each section.
func TestPDFTablePages(t *testing.T) {
	var rows [][]string
	for i := range 120 {
		rows = append(rows, []string{strconv.Itoa(i + 1), "欧阳秀英", "舒城县城关镇仁和村****"})
	}
	pdf := render(t, Options{}, func(d *Doc) {
		d.Title("名单")
		d.Table(Table{Columns: []Column{{Title: "序号", Width: 1}, {Title: "姓名", Width: 2, Keep: true}, {Title: "住址", Width: 5}}, Rows: rows})
		d.NewSection()
		d.Text(T("第二份"))
	})
	pages := pdftest.PageTexts(t, pdf)
	if len(pages) < 4 || len(pages) != pdftest.Pages(t, pdf) {
		t.Fatalf("%d pages", len(pages))
	}
	n := len(pages) - 1
	for i, p := range pages[:n] {
		if !strings.Contains(p, "序号") || !strings.Contains(p, "住址") {
			t.Errorf("page %d has no header:\n%s", i+1, p)
		}
		if want := "第" + strconv.Itoa(i+1) + "页共" + strconv.Itoa(n) + "页"; !strings.Contains(strings.ReplaceAll(p, " ", ""), want) {
			t.Errorf("page %d lacks %s:\n%s", i+1, want, p)
		}
	}
	if !strings.Contains(strings.ReplaceAll(pages[n], " ", ""), "第1页共1页") {
		t.Errorf("the second section's page is not numbered on its own:\n%s", pages[n])
	}
	all := strings.Join(pages, "")
	for i := range 120 {
		if !strings.Contains(all, strconv.Itoa(i+1)) {
			t.Fatalf("row %d is missing", i+1)
		}
	}
	if got := strings.Count(all, "欧阳秀英"); got != 120 {
		t.Errorf("%d names of 120", got)
	}
}

// The same content gives the same bytes; a creation date is written only
// when asked for.
func TestPDFReproducible(t *testing.T) {
	lay := func(d *Doc) {
		d.Title("发放告知书")
		d.Text(Keep("王秀英"), T("：您的扶助金已发放。"))
		d.QR(QR{Content: "https://example.gov.cn/v/1", Caption: []string{"扫码核验"}})
		d.Seal("舒城县卫生健康委员会", "2026年12月5日")
	}
	a, b := render(t, Options{}, lay), render(t, Options{}, lay)
	if !bytes.Equal(a, b) {
		t.Error("two renderings of the same document differ")
	}
	if bytes.Contains(a, []byte("CreationDate")) {
		t.Error("a creation date was written unasked")
	}
	c := render(t, Options{Created: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)}, lay)
	if !bytes.Contains(c, []byte("/CreationDate(D:20261205")) {
		t.Error("no creation date")
	}
}

// A certificate prints its serial number, fields and a Chinese date, and
// its QR code reads back as the link.
func TestCertificate(t *testing.T) {
	link := "https://jiahe.example.gov.cn/verify/341523-2026-000123"
	var buf bytes.Buffer
	err := Certificates(&buf, Certificate{Title: "计划生育家庭证", Serial: "341523-2026-000123",
		Fields: []Field{{Label: "持证人", Value: "王秀英", Keep: true}, {Label: "发证日期", Value: "2026-12-05"}},
		Body:   "兹证明王秀英家庭为计划生育家庭。", Issuer: "舒城县卫生健康委员会", Date: "2026-12-05",
		Verify: link, VerifyText: []string{"扫描二维码核验本证", link}},
		Certificate{Title: "出生登记回执", Serial: "341523-2026-000124", Fields: []Field{{Label: "姓名", Value: "张小明", Keep: true}},
			Verify: link + "4", VerifyText: []string{"扫码核验"}})
	if err != nil {
		t.Fatal(err)
	}
	pdf := buf.Bytes()
	if n := pdftest.Pages(t, pdf); n != 2 {
		t.Errorf("%d pages, want 2", n)
	}
	text := pdftest.Text(t, pdf)
	for _, want := range []string{"计划生育家庭证", "编号：341523-2026-000123", "王秀英", "2026年12月5日", "舒城县卫生健康委员会", link, "出生登记回执", "张小明"} {
		if !strings.Contains(text, want) {
			t.Errorf("the certificate lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "2026-12-05") {
		t.Error("an ISO date is printed")
	}
	if got := pdftest.QRCodes(t, pdf, 1); len(got) != 1 || got[0] != link {
		t.Errorf("page 1 QR codes: %q, want %q", got, link)
	}
	if got := pdftest.QRCodes(t, pdf, 2); len(got) != 1 || got[0] != link+"4" {
		t.Errorf("page 2 QR codes: %q", got)
	}
}

func TestEmpty(t *testing.T) {
	d, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Write(&bytes.Buffer{}); err == nil {
		t.Error("an empty document was written")
	}
	d.QR(QR{})
	if d.Err() == nil {
		t.Error("a QR code with no content was accepted")
	}
}
