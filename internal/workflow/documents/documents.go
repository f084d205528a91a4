// Package documents renders the printed papers of the qualification
// procedure as self-contained HTML pages with a print stylesheet (A4, no
// external resources: Jiahe runs on a government intranet): the
// application form (申报表), the household investigation record
// (调查审核记录表) and the public notice list (公示名单).
//
// A public notice hangs on a wall: it shows ID numbers and addresses
// masked. The application form and the survey record are internal papers
// signed by the applicant and the investigators; they carry the full ID
// number the signatures vouch for.
package documents

import (
	"bytes"
	"embed"
	"html/template"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/jiahe-project/jiahe/internal/idcard"
)

//go:embed templates/*.html
var files embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{
	"add1":     func(i int) int { return i + 1 },
	"maskID":   MaskID,
	"maskAddr": MaskAddress,
	"check": func(b bool) string {
		if b {
			return "☑"
		}
		return "☐"
	},
	"pdfLink": func() string { return "" },
}).ParseFS(files, "templates/*.html"))

// Kinds are the documents Render knows.
var Kinds = []string{"application", "survey", "notice"}

// Render writes the document kind for data, which must be the kind's type
// (*ApplicationForm, *SurveyRecord or *NoticeList).
func Render(w io.Writer, kind string, data any) error {
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, kind+".html", data); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// RenderPage writes the document kind for data as Render does, with a
// link in its toolbar to the same paper as PDF at the address pdf (none
// when pdf is empty).
func RenderPage(w io.Writer, kind string, data any, pdf string) error {
	if pdf == "" {
		return Render(w, kind, data)
	}
	t, err := tmpl.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"pdfLink": func() string { return pdf }})
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, kind+".html", data); err != nil {
		return err
	}
	_, err = buf.WriteTo(w)
	return err
}

// Signature is a signature line: who and when (Beijing time, to the minute).
type Signature struct {
	Name string
	Role string
	At   string
}

// Person is a person as a document shows them.
type Person struct {
	Name     string
	Sex      string // 男 or 女
	Birth    string
	IDNumber string
	Place    string // full name of the hukou division
	Address  string
	Phone    string
}

// ApplicationForm is the application form (申报表).
type ApplicationForm struct {
	Title       string // e.g. 农村部分计划生育家庭奖励扶助对象申报表
	CaseRef     string
	Year        int
	Applicant   Person
	Spouse      *Person
	HukouType   string
	Marriage    string
	Births      string
	Adoptions   string
	Surviving   int
	Attachments []string
	Pledge      bool
	Submitted   string
	TakenBy     Signature
}

// SurveyRecord is the household investigation record (调查审核记录表).
type SurveyRecord struct {
	Title         string
	CaseRef       string
	Program       string
	Applicant     Person
	Date          string
	Visited       bool
	MetInPerson   bool
	Investigators []string
	Evidence      []string
	Findings      []Finding
	Conclusion    string
	Remarks       string
	SignedBy      Signature
}

// Finding is one checked fact of a survey record.
type Finding struct {
	Fact   string
	Result string
	Note   string
}

// NoticeList is a public notice list (公示名单): the cases of one level and
// region posted together.
type NoticeList struct {
	Title       string // e.g. 舒城县城关镇仁和村 2024年度 计划生育奖励扶助对象 村级公示
	Issuer      string // the body posting it
	Level       string
	Word        string // 公示 (default) or 公布 for the county's announcement
	Place       string
	Start       string
	End         string
	Days        int
	Rows        []NoticeRow
	ReportPhone string
	Issued      string
}

// NoticeRow is one line of a notice list. IDNumber and Address are given
// in full and masked when printed.
type NoticeRow struct {
	Name     string
	Sex      string
	Age      int
	IDNumber string
	Address  string
	Program  string
	Tier     string
}

// MaskID masks an ID number for a notice: the first six and last four
// characters stay (idcard.Number.Masked).
func MaskID(s string) string {
	if s == "" {
		return ""
	}
	return idcard.Number(s).Masked()
}

// MaskAddress masks an address for a notice: it keeps the place down to
// the village or community (up to the first 村, 社区, 居委会 or 组) and
// replaces the rest with a fixed "****", so that neither the house number
// nor its length shows; without such a word it keeps the first three
// characters.
func MaskAddress(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	cut := -1
	for _, mark := range []string{"居委会", "社区", "村", "组"} {
		if i := strings.Index(s, mark); i >= 0 && (cut < 0 || i+len(mark) < cut) {
			cut = i + len(mark)
		}
	}
	if cut < 0 {
		cut = 0
		for n := 0; n < 3 && cut < len(s); n++ {
			_, size := utf8.DecodeRuneInString(s[cut:])
			cut += size
		}
		if cut >= len(s) {
			cut = 0
		}
	}
	return s[:cut] + "****"
}
