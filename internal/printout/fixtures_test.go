package printout

import (
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/workflow/documents"
)

// The fixtures are those of the HTML documents' tests
// (internal/workflow/documents, internal/payment), so that both print the
// same papers.

var applicant = documents.Person{Name: "王秀英", Sex: "女", Birth: "1964-05-01", IDNumber: "341523196405010028",
	Place: "安徽省六安市舒城县城关镇仁和村委会", Address: "舒城县城关镇仁和村三组15号", Phone: "13800000000"}

var applicationForm = &documents.ApplicationForm{Title: "农村部分计划生育家庭奖励扶助对象申报表", CaseRef: "341523-7", Year: 2024,
	Applicant: applicant, Spouse: &documents.Person{Name: "张建国", Sex: "男", Birth: "1962-03-01", IDNumber: "341523196203010015"},
	HukouType: "农业（农村居民）", Marriage: "1986年初婚", Births: "1987年生育一女", Adoptions: "无", Surviving: 1,
	Attachments: []string{"身份证复印件", "户口簿复印件"}, Pledge: true, Submitted: "2024-01-10",
	TakenBy: documents.Signature{Name: "村专干甲", Role: "村专干", At: "2024-01-10 09:00"}}

var surveyRecord = &documents.SurveyRecord{Title: "入户调查审核记录表", CaseRef: "341523-7", Program: "农村部分计划生育家庭奖励扶助",
	Applicant: applicant, Date: "2024-01-20", Visited: true, MetInPerson: true,
	Investigators: []string{"村专干甲", "李调查（城关镇计生办）"}, Evidence: []string{"户口簿", "结婚证"},
	Findings:   []documents.Finding{{Fact: "户籍性质", Result: "与申报一致"}, {Fact: "婚姻史", Result: "存疑", Note: "待民政核实<初婚>"}},
	Conclusion: "符合条件", SignedBy: documents.Signature{Name: "村专干甲", Role: "村专干", At: "2024-01-20 09:00"}}

var noticeList = &documents.NoticeList{Title: "安徽省六安市舒城县城关镇仁和村委会 2024年度计划生育奖励扶助对象村级公示", Issuer: "仁和村委会",
	Level: "村级", Place: "村部公示栏", Start: "2024-02-01", End: "2024-02-08", Days: 7, Issued: "2024-02-01",
	Rows: []documents.NoticeRow{
		{Name: "王秀英", Sex: "女", Age: 60, IDNumber: "341523196405010028", Address: "舒城县城关镇仁和村三组15号", Program: "农村部分计划生育家庭奖励扶助"},
		{Name: "李桂兰", Sex: "女", Age: 61, IDNumber: "341523196305010046", Address: "", Program: "农村部分计划生育家庭奖励扶助"},
	}}

// letterData is what payment's letter test prints: three paid lines.
var letterData = payment.LetterData{Title: "计划生育奖励扶助金发放告知书", No: "341523-3-1", Name: "张秀英",
	IDMasked: "341523********0027", Program: "计划生育家庭特别扶助（独生子女死亡）", Period: "2024年第2季度", Paid: true,
	PaidOn: "2024-06-30", Total: "5,100.00", Bank: "中国农业银行", Account: "6228***********0018", Holder: "张秀英",
	EnquiryPhone: "0564-8621234", ReportPhone: "12345", Payer: "舒城县卫生健康委员会", Date: "2024-06-30",
	Rows: []payment.LetterRow{
		{Period: "2024年第1季度", Kind: "补发", Months: "3", Amount: "2,400.00", Status: "已发放", Note: "补发2024年第1季度 3 个月"},
		{Period: "2024年第2季度", Kind: "正常", Months: "3", Amount: "2,400.00", Status: "已发放", Note: "2024年第2季度应发 3 个月"},
		{Period: "2023年第4季度", Kind: "更正", Amount: "300.00", Status: "已发放", Note: "更正<2023年第4季度>"},
	}}
