package printout

import (
	"io"

	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/pdf"
)

// letterOptions set the letter's body in 14 pt (四号) and its table in
// 12 pt (小四): most recipients are over 60.
var letterOptions = pdf.Options{Body: pdf.SizeSiHao, Table: pdf.SizeXiaoSi}

// Letter writes one notification letter (告知书).
func Letter(w io.Writer, l payment.LetterData) error {
	return Letters(w, []payment.LetterData{l})
}

// Letters writes notification letters as one PDF (all the letters of a
// payment cycle, say), each from a new page. A letter holds no full ID or
// account number: LetterData has none. No letters is an error, as is any
// bulk print of nothing.
func Letters(w io.Writer, ls []payment.LetterData) error {
	title := "计划生育奖励扶助金发放告知书"
	if len(ls) == 1 && ls[0].Title != "" {
		title = ls[0].Title
	}
	d, err := newDoc(title, len(ls), letterOptions)
	if err != nil {
		return err
	}
	for i := range ls {
		letter(d, &ls[i])
	}
	return d.Write(w)
}

func letter(d *pdf.Doc, l *payment.LetterData) {
	d.NewSection()
	d.Title(l.Title)
	d.Line("", "编号："+l.No, pdf.SizeWuHao)
	d.Text(pdf.Keep(l.Name), pdf.T("（身份证号 "), pdf.Keep(l.IDMasked), pdf.T("）："))
	what := l.Program
	if l.Tier != "" {
		what += "（" + l.Tier + "）"
	}
	runs := []pdf.Run{pdf.T("您享受的" + what + l.Period + "扶助金")}
	if l.Paid {
		runs = append(runs, pdf.T("已于"), pdf.Keep(cn(l.PaidOn)), pdf.T("通过惠农补贴“一卡通”发放到您的账户，明细如下："))
	} else {
		runs = append(runs, pdf.T("已列入发放计划，发放后将存入您的惠农补贴“一卡通”账户，明细如下："))
	}
	d.Para(pdf.Para{Indent: 2, Runs: runs})
	t := pdf.Table{Columns: []pdf.Column{
		{Title: "期间", Width: 30},
		{Title: "类别", Width: 16, Align: pdf.Center},
		{Title: "月数", Width: 12, Align: pdf.Center},
		{Title: "金额（元）", Width: 26, Align: pdf.Right, Keep: true},
		{Title: "状态", Width: 16, Align: pdf.Center},
		{Title: "说明", Width: 50},
	}}
	for _, r := range l.Rows {
		t.Rows = append(t.Rows, []string{r.Period, r.Kind, r.Months, r.Amount, r.Status, cn(r.Note)})
	}
	t.Foot = [][]pdf.Cell{{
		{Text: "合计", Span: 3, Align: pdf.Center},
		{Text: l.Total, Align: pdf.Right, Keep: true},
		{Span: 2},
	}}
	d.Table(t)
	acct := []pdf.Run{pdf.T("收款账户：" + l.Bank)}
	if l.Account != "" {
		acct = append(acct, pdf.T(" "), pdf.Keep(l.Account))
	}
	acct = append(acct, pdf.T("（户名："), pdf.Keep(l.Holder), pdf.T("）"))
	d.Text(acct...)
	ask := "请您持存折或银行卡到开户银行核对到账情况。如对发放金额有疑问，请向所在乡镇计生办或县卫生健康部门咨询"
	if l.EnquiryPhone != "" {
		ask += "，咨询电话：" + l.EnquiryPhone
	}
	ask += "；如发现虚报冒领、截留挪用扶助金等问题，请举报"
	if l.ReportPhone != "" {
		ask += "，举报电话：" + l.ReportPhone
	}
	d.Para(pdf.Para{Indent: 2, Runs: []pdf.Run{pdf.T(ask + "。")}})
	d.Para(pdf.Para{Size: pdf.SizeWuHao, Indent: 2, Runs: []pdf.Run{
		pdf.T("扶助金由国家、省、市、县按规定分级负担，不收取任何费用。任何单位和个人不得代领、扣留。")}})
	d.Seal(l.Payer, cn(l.Date))
}
