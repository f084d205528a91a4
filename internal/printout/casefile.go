package printout

import (
	"fmt"
	"io"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/pdf"
)

// CaseFile is the index of a case's file (案卷目录): the signed steps of
// the case, in order, and the files kept with the case and its applicant
// (scans, photos, PDFs), each with who added it, when, its size, the
// start of its SHA-256 digest (to tell the archived file is the one
// recorded) and until when it is kept.
type CaseFile struct {
	Title     string // e.g. 农村部分计划生育家庭奖励扶助 案卷目录
	CaseRef   string
	Program   string
	Applicant string // the applicant's name
	Place     string
	Steps     []CaseFileStep
	Files     []CaseFileItem
}

// CaseFileStep is a signed step of the case.
type CaseFileStep struct {
	Step   string // 入户调查
	Signer string // name（role）
	At     string // YYYY-MM-DD…
}

// CaseFileItem is a file kept with the case.
type CaseFileItem struct {
	Kind      string // 扫描件
	Name      string
	Owner     string // 案件 or 申请人
	AddedBy   string
	At        string // YYYY-MM-DD
	Size      int64
	Digest    string // hex SHA-256
	KeepUntil string
}

// CaseFiles writes the case files' indexes as one PDF, each starting a
// new page.
func CaseFiles(w io.Writer, fs []*CaseFile) error {
	title := "案卷目录"
	if len(fs) == 1 {
		title = fs[0].Title
	}
	d, err := newDoc(title, len(fs), pdf.Options{})
	if err != nil {
		return err
	}
	for _, f := range fs {
		caseFile(d, f)
	}
	return d.Write(w)
}

func caseFile(d *pdf.Doc, f *CaseFile) {
	d.NewSection()
	d.Title(f.Title)
	d.Line("项目："+f.Program, "案件编号："+f.CaseRef, 0)
	d.Form([]float64{1, 2, 1, 2}, [][]pdf.Cell{{head("申请人"), {Text: f.Applicant, Keep: true}, head("户籍地"), {Text: f.Place}}})
	steps := pdf.Table{Columns: []pdf.Column{{Title: "序号", Width: 0.5, Align: pdf.Center}, {Title: "办理环节", Width: 1.5},
		{Title: "签署人", Width: 2, Keep: true}, {Title: "签署时间", Width: 1.6, Keep: true}}}
	for i, s := range f.Steps {
		steps.Rows = append(steps.Rows, []string{strconv.Itoa(i + 1), s.Step, s.Signer, cn(s.At)})
	}
	if len(f.Steps) == 0 {
		steps.Foot = [][]pdf.Cell{{{Text: "（无）", Span: 4, Align: pdf.Center}}}
	}
	d.Table(steps)
	d.Space(3)
	d.Text(pdf.T("卷内材料（附件）"))
	files := pdf.Table{Columns: []pdf.Column{{Title: "序号", Width: 0.5, Align: pdf.Center}, {Title: "材料", Width: 2.6},
		{Title: "归属", Width: 0.9, Keep: true}, {Title: "上传人", Width: 1, Keep: true}, {Title: "上传日期", Width: 1.5, Keep: true},
		{Title: "大小", Width: 0.9, Align: pdf.Right, Keep: true}, {Title: "摘要", Width: 1.4, Keep: true}, {Title: "保管至", Width: 1.4, Keep: true}}}
	for i, x := range f.Files {
		digest := x.Digest
		if len(digest) > 12 {
			digest = digest[:12]
		}
		files.Rows = append(files.Rows, []string{strconv.Itoa(i + 1), x.Kind + "：" + x.Name, x.Owner, x.AddedBy, cn(x.At),
			size(x.Size), digest, cn(x.KeepUntil)})
	}
	if len(f.Files) == 0 {
		files.Foot = [][]pdf.Cell{{{Text: "（无）", Span: 8, Align: pdf.Center}}}
	}
	d.Table(files)
	d.Para(pdf.Para{Size: pdf.SizeWuHao, Runs: []pdf.Run{pdf.T(fmt.Sprintf("本卷共办理环节 %d 项、附件 %d 件。附件原件按摘要核对后归档。", len(f.Steps), len(f.Files)))}})
	d.Signatures([]string{"立卷人（签字）：", "", ""}, []string{"检查人（签字）：", "", ""})
}

// size writes a file's size in KB or MB.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d B", n)
}
