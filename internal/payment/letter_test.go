package payment

import (
	"strings"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/region"
)

func TestLetterGolden(t *testing.T) {
	c := &Cycle{County: "341523", ID: 3, Program: "tf_death", Period: MustPeriod("2024-Q2"),
		CreatedAt: time.Date(2024, 6, 1, 1, 0, 0, 0, time.UTC)}
	prm := Params{TFPeriod: Quarter, EnquiryPhone: "0564-8621234", ReportPhone: "12345"}
	p := PersonState{Name: "张秀英", IDNumber: "341523196401010027"}
	acc := &Account{Bank: "103", Number: "6228480402564890018", Holder: "张秀英"}
	paid := date.MustParse("2024-06-30")
	lines := []Line{
		{PersonID: 1, Program: "tf_death", Period: MustPeriod("2024-Q1"), Kind: Arrears, Months: 3, Amount: 240000,
			Status: Paid, PaidOn: paid, Note: "补发2024年第1季度 3 个月"},
		{PersonID: 1, Program: "tf_death", Period: MustPeriod("2024-Q2"), Kind: Regular, Months: 3, Amount: 240000,
			Status: Paid, PaidOn: paid, Note: "2024年第2季度应发 3 个月"},
		{PersonID: 1, Program: "tf_death", Period: MustPeriod("2023-Q4"), Kind: Correction, Revision: 1, Amount: 30000,
			Status: Paid, PaidOn: paid, Note: "更正<2023年第4季度>"},
	}
	got, err := RenderLetter(letterData(region.Default(), c, prm, p, acc, lines))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "letter.html", got)
	s := string(got)
	for _, want := range []string{"舒城县卫生健康委员会", "341523********0027", "6228***********0018", "5,100.00",
		"已于 2024-06-30 通过惠农补贴“一卡通”发放", "@media print", "&lt;2023年第4季度&gt;"} {
		if !strings.Contains(s, want) {
			t.Errorf("letter lacks %q", want)
		}
	}
	for _, secret := range []string{"341523196401010027", "6228480402564890018"} {
		if strings.Contains(s, secret) {
			t.Errorf("letter shows the full number %s", secret)
		}
	}
	// Not yet paid: the letter says so and is dated the cycle's day.
	lines[1].Status, lines[1].PaidOn = Batched, date.Date{}
	got, _ = RenderLetter(letterData(region.Default(), c, prm, p, nil, lines[1:2]))
	if s := string(got); !strings.Contains(s, "列入发放计划") || !strings.Contains(s, "2024-06-01") || !strings.Contains(s, "（尚未登记）") {
		t.Errorf("unpaid letter:\n%s", s)
	}
}
