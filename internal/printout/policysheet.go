package printout

import (
	"io"
	"strconv"

	"github.com/jiahe-project/jiahe/internal/pdf"
)

// PolicySheet is the 政策明白纸 of a region and year: each program in force
// in plain Chinese — who qualifies, how much, who pays — with the
// documents it rests on, and where to ask and to report.
type PolicySheet struct {
	Title    string // e.g. 舒城县2024年计划生育家庭扶助政策明白纸
	Region   string
	Year     int
	Programs []SheetProgram
	Enquiry  string // 咨询电话
	Report   string // 举报电话
	Issuer   string // the office that issues it
	Date     string // YYYY-MM-DD
}

// SheetProgram is one program on the sheet.
type SheetProgram struct {
	Name       string
	Conditions []string // who qualifies, clause by clause
	Amounts    []string // the standard, per tier, with any increments
	Funding    string
	Documents  []string
}

// PolicySheets writes the sheets as one PDF, each starting a new page.
func PolicySheets(w io.Writer, ss []*PolicySheet) error {
	title := "政策明白纸"
	if len(ss) == 1 {
		title = ss[0].Title
	}
	d, err := newDoc(title, len(ss), pdf.Options{})
	if err != nil {
		return err
	}
	for _, s := range ss {
		policySheet(d, s)
	}
	return d.Write(w)
}

var chineseNumerals = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"}

func numeral(i int) string {
	if i < len(chineseNumerals) {
		return chineseNumerals[i]
	}
	return strconv.Itoa(i + 1)
}

func policySheet(d *pdf.Doc, s *PolicySheet) {
	d.NewSection()
	d.Title(s.Title)
	d.Text(pdf.T("为让群众清楚了解计划生育家庭扶助政策，现将" + s.Region + strconv.Itoa(s.Year) + "年度执行的扶助项目、享受条件、扶助标准和资金来源告知如下。"))
	for i, p := range s.Programs {
		d.Space(2)
		d.Para(pdf.Para{Runs: []pdf.Run{pdf.T(numeral(i) + "、" + p.Name)}})
		if len(p.Conditions) > 0 {
			d.Text(pdf.T("（一）享受条件："))
			for j, c := range p.Conditions {
				d.Text(pdf.T(strconv.Itoa(j+1) + ". " + c))
			}
		}
		if len(p.Amounts) > 0 {
			d.Text(pdf.T("（二）扶助标准："))
			for _, a := range p.Amounts {
				d.Text(pdf.T(a))
			}
		}
		if p.Funding != "" {
			d.Text(pdf.T("（三）资金来源：" + p.Funding))
		}
		if len(p.Documents) > 0 {
			d.Para(pdf.Para{Size: pdf.SizeWuHao, Runs: []pdf.Run{pdf.T("政策依据：")}})
			for _, doc := range p.Documents {
				d.Para(pdf.Para{Size: pdf.SizeWuHao, Runs: []pdf.Run{pdf.T(doc)}})
			}
		}
	}
	d.Space(3)
	d.Text(pdf.T("扶助资金通过“一卡通”直接发放到本人账户，任何单位和个人不得截留、挪用、冒领。申请须如实申报，弄虚作假的，取消资格、追回资金并依法追究责任。"))
	if s.Enquiry != "" || s.Report != "" {
		line := ""
		if s.Enquiry != "" {
			line = "咨询电话：" + s.Enquiry
		}
		if s.Report != "" {
			if line != "" {
				line += "    "
			}
			line += "举报电话：" + s.Report
		}
		d.Text(pdf.T(line))
	}
	d.Seal(s.Issuer, cn(s.Date))
}
