// Package printout prints Jiahe's papers as PDF, each from the data its
// HTML version is made from: the public notice list (公示名单), the
// application form (申报表), the household investigation record
// (调查审核记录表) and the notification letter (告知书). Bulk prints — all
// letters of a payment cycle, all notices of a township — are one PDF
// with each paper starting a new page and numbering its own pages.
//
// The papers print what their HTML versions print, with dates written
// the Chinese way (2026年12月5日) and names never broken across lines. A
// public notice masks ID numbers and addresses as the HTML one does. The
// layout is package pdf's; the same data gives the same bytes.
package printout

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/pdf"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// Kinds are the case documents Document prints, as documents.Kinds.
var Kinds = documents.Kinds

// Document writes the case document kind as PDF: data is the kind's type,
// as for documents.Render (*documents.ApplicationForm,
// *documents.SurveyRecord or *documents.NoticeList).
func Document(w io.Writer, kind string, data any) error {
	switch d := data.(type) {
	case *documents.ApplicationForm:
		if kind == "application" {
			return ApplicationForms(w, []*documents.ApplicationForm{d})
		}
	case *documents.SurveyRecord:
		if kind == "survey" {
			return SurveyRecords(w, []*documents.SurveyRecord{d})
		}
	case *documents.NoticeList:
		if kind == "notice" {
			return NoticeLists(w, []*documents.NoticeList{d})
		}
	}
	return fmt.Errorf("printout: no %q document for %T", kind, data)
}

// cn writes a YYYY-MM-DD date (with or without a time after it) the
// Chinese way; other text is left as it is.
func cn(s string) string { return date.Chinese(s) }

// newDoc starts a document titled title, or "title（共 n 份）" for a bulk
// print.
func newDoc(title string, n int, opt pdf.Options) (*pdf.Doc, error) {
	opt.Title = title
	if n > 1 {
		opt.Title = title + "（共 " + strconv.Itoa(n) + " 份）"
	}
	return pdf.New(opt)
}

// names lays out a list of names joined by sep, each kept whole.
func names(list []string, sep string) []pdf.Run {
	var runs []pdf.Run
	for i, n := range list {
		if i > 0 {
			runs = append(runs, pdf.T(sep))
		}
		runs = append(runs, pdf.Keep(n))
	}
	return runs
}

// signer is "name（role）" with the name kept whole.
func signer(s documents.Signature) string {
	if s.Role == "" {
		return s.Name
	}
	return s.Name + "（" + s.Role + "）"
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// NoticeList writes one public notice list.
func NoticeList(w io.Writer, n *documents.NoticeList) error {
	return NoticeLists(w, []*documents.NoticeList{n})
}

// NoticeLists writes notice lists as one PDF (all the notices of a
// township, say), each from a new page. ID numbers and addresses are
// masked (documents.MaskID, documents.MaskAddress).
func NoticeLists(w io.Writer, ns []*documents.NoticeList) error {
	title := "公示名单"
	if len(ns) == 1 {
		title = ns[0].Title
	}
	d, err := newDoc(title, len(ns), pdf.Options{})
	if err != nil {
		return err
	}
	for _, n := range ns {
		notice(d, n)
	}
	return d.Write(w)
}

func notice(d *pdf.Doc, n *documents.NoticeList) {
	d.NewSection()
	d.Title(n.Title)
	word := n.Word
	if word == "" {
		word = "公示"
	}
	d.Para(pdf.Para{Indent: 2, Runs: []pdf.Run{
		pdf.T("根据计划生育奖励扶助有关规定，经本人申请、入户调查和评议审核，下列人员拟确认为扶助对象，现予" + n.Level + word + "。" +
			word + "期" + strconv.Itoa(n.Days) + "天，自" + cn(n.Start) + "至" + cn(n.End) + "。如有异议，请在" + word + "期内向"),
		pdf.Keep(n.Issuer), pdf.T("实名或匿名反映。"),
	}})
	d.Space(1)
	t := pdf.Table{Columns: []pdf.Column{
		{Title: "序号", Width: 9, Align: pdf.Center},
		{Title: "姓名", Width: 19, Keep: true},
		{Title: "性别", Width: 9, Align: pdf.Center},
		{Title: "年龄", Width: 9, Align: pdf.Center},
		{Title: "公民身份号码", Width: 38, Keep: true},
		{Title: "住址", Width: 46},
		{Title: "扶助项目", Width: 40},
	}}
	for i, r := range n.Rows {
		program := r.Program
		if r.Tier != "" {
			program += "（" + r.Tier + "）"
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), r.Name, r.Sex, strconv.Itoa(r.Age),
			documents.MaskID(r.IDNumber), documents.MaskAddress(r.Address), program})
	}
	if len(n.Rows) == 0 {
		t.Foot = [][]pdf.Cell{{{Text: "（无）", Span: len(t.Columns), Align: pdf.Center}}}
	}
	d.Table(t)
	d.Text(pdf.T("公示地点：" + n.Place))
	phone := n.ReportPhone
	if phone == "" {
		phone = "＿＿＿＿＿＿＿＿"
	}
	d.Text(pdf.T("监督举报电话：" + phone))
	d.Seal(n.Issuer, cn(n.Issued))
}

// ApplicationForm writes one application form.
func ApplicationForm(w io.Writer, f *documents.ApplicationForm) error {
	return ApplicationForms(w, []*documents.ApplicationForm{f})
}

// ApplicationForms writes application forms as one PDF, each from a new
// page. The form carries the full ID numbers that the signatures vouch
// for, as the HTML form does.
func ApplicationForms(w io.Writer, fs []*documents.ApplicationForm) error {
	title := "申报表"
	if len(fs) == 1 {
		title = fs[0].Title
	}
	d, err := newDoc(title, len(fs), pdf.Options{})
	if err != nil {
		return err
	}
	for _, f := range fs {
		application(d, f)
	}
	return d.Write(w)
}

// formWidths are the shares of a six-column form: label, value, label,
// value, label, value.
var formWidths = []float64{27, 34, 17, 28, 24, 40}

func head(s string) pdf.Cell { return pdf.Cell{Text: s, Head: true, Keep: true} }

func personRows(p documents.Person, nameLabel string) [][]pdf.Cell {
	return [][]pdf.Cell{{
		head(nameLabel), {Text: p.Name, Keep: true}, head("性别"), {Text: p.Sex, Align: pdf.Center},
		head("出生日期"), {Text: cn(p.Birth), Keep: true},
	}}
}

func application(d *pdf.Doc, f *documents.ApplicationForm) {
	d.NewSection()
	d.Title(f.Title)
	d.Line("申报年度："+strconv.Itoa(f.Year)+"年", "案件编号："+f.CaseRef, 0)
	rows := personRows(f.Applicant, "申请人姓名")
	rows = append(rows,
		[]pdf.Cell{head("公民身份号码"), {Text: f.Applicant.IDNumber, Span: 3, Keep: true}, head("户口性质"), {Text: f.HukouType}},
		[]pdf.Cell{head("户籍地"), {Text: f.Applicant.Place, Span: 3}, head("联系电话"), {Text: f.Applicant.Phone, Keep: true}},
		[]pdf.Cell{head("家庭住址"), {Text: f.Applicant.Address, Span: 5}},
	)
	if f.Spouse != nil {
		rows = append(rows, personRows(*f.Spouse, "配偶姓名")...)
		rows = append(rows, []pdf.Cell{head("配偶身份号码"), {Text: f.Spouse.IDNumber, Span: 5, Keep: true}})
	}
	rows = append(rows,
		[]pdf.Cell{head("婚姻史"), {Text: cn(f.Marriage), Span: 5}},
		[]pdf.Cell{head("生育史"), {Text: cn(f.Births), Span: 5}},
		[]pdf.Cell{head("收养史"), {Text: cn(f.Adoptions), Span: 5}},
		[]pdf.Cell{head("现存子女数"), {Text: strconv.Itoa(f.Surviving) + " 个", Span: 5}},
		[]pdf.Cell{head("所附材料"), {Text: strings.Join(f.Attachments, "；"), Span: 5}},
	)
	d.Form(formWidths, rows)
	pledge := "（申请人尚未签署承诺）"
	if f.Pledge {
		pledge = "（申请人已签署承诺）"
	}
	d.Para(pdf.Para{Size: pdf.SizeWuHao, Runs: []pdf.Run{
		pdf.T("本人承诺：以上所填内容及所附材料真实、完整，如有虚假，愿意退回所领取的全部资金并承担相应责任。"), pdf.Keep(pledge)}})
	d.Signatures(
		[]string{"申请人（签字或按手印）：", "", "申报日期：" + cn(f.Submitted)},
		[]string{"受理人：" + signer(f.TakenBy), "", "受理时间：" + cn(f.TakenBy.At)},
	)
	d.Space(2)
	opinion := func(s string) []pdf.Cell { return []pdf.Cell{head(s), {Height: 24}} }
	d.Form([]float64{1, 4}, [][]pdf.Cell{opinion("村级评议意见"), opinion("乡镇审核意见"), opinion("县级审批意见")})
}

// SurveyRecord writes one household investigation record.
func SurveyRecord(w io.Writer, r *documents.SurveyRecord) error {
	return SurveyRecords(w, []*documents.SurveyRecord{r})
}

// SurveyRecords writes household investigation records as one PDF, each
// from a new page.
func SurveyRecords(w io.Writer, rs []*documents.SurveyRecord) error {
	title := "调查审核记录表"
	if len(rs) == 1 {
		title = rs[0].Title
	}
	d, err := newDoc(title, len(rs), pdf.Options{})
	if err != nil {
		return err
	}
	for _, r := range rs {
		survey(d, r)
	}
	return d.Write(w)
}

func survey(d *pdf.Doc, r *documents.SurveyRecord) {
	d.NewSection()
	d.Title(r.Title)
	d.Line("项目："+r.Program, "案件编号："+r.CaseRef, 0)
	rows := personRows(r.Applicant, "申请人姓名")
	rows = append(rows,
		[]pdf.Cell{head("公民身份号码"), {Text: r.Applicant.IDNumber, Span: 5, Keep: true}},
		[]pdf.Cell{head("户籍地"), {Text: r.Applicant.Place, Span: 5}},
		[]pdf.Cell{head("调查日期"), {Text: cn(r.Date), Keep: true}, head("入户"), {Text: yesNo(r.Visited), Align: pdf.Center},
			head("见面"), {Text: yesNo(r.MetInPerson), Align: pdf.Center}},
		[]pdf.Cell{head("调查人员"), {Runs: names(r.Investigators, "、"), Span: 5}},
		[]pdf.Cell{head("所取证据"), {Text: strings.Join(r.Evidence, "；"), Span: 5}},
	)
	d.Form(formWidths, rows)
	t := pdf.Table{Columns: []pdf.Column{{Title: "核查事项", Width: 1}, {Title: "核查结果", Width: 1}, {Title: "情况说明", Width: 2}}}
	for _, f := range r.Findings {
		t.Rows = append(t.Rows, []string{f.Fact, f.Result, cn(f.Note)})
	}
	if len(r.Findings) == 0 {
		t.Foot = [][]pdf.Cell{{{Text: "（无）", Span: 3, Align: pdf.Center}}}
	}
	d.Table(t)
	concl := [][]pdf.Cell{{head("调查结论"), {Text: r.Conclusion}}}
	if r.Remarks != "" {
		concl = append(concl, []pdf.Cell{head("备注"), {Text: cn(r.Remarks)}})
	}
	d.Form([]float64{1, 5}, concl)
	d.Para(pdf.Para{Size: pdf.SizeWuHao, Runs: []pdf.Run{pdf.T("谁调查、谁签字、谁负责。调查人员对调查结果的真实性终身负责。")}})
	d.Signatures(
		[]string{"调查人员（签字）：", "", ""},
		[]string{"录入签署：" + signer(r.SignedBy), "", "签署时间：" + cn(r.SignedBy.At)},
	)
}
