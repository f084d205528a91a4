package webtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jiahe-project/jiahe/internal/date"
	"github.com/jiahe-project/jiahe/internal/idcard"
	"github.com/jiahe-project/jiahe/internal/payment"
	"github.com/jiahe-project/jiahe/internal/policy"
	"github.com/jiahe-project/jiahe/internal/registry"
	"github.com/jiahe-project/jiahe/internal/store"
)

// LetterVillages are the villages of 城关镇 (341523100000) whose persons
// LetterSeed pays; the last one's persons live in 晓天镇 (341523101000).
var LetterVillages = []string{"341523100201", "341523100202", "341523100203", "341523101201"}

// LetterSeed stores a paid 2024 奖扶 cycle of 舒城县 for n persons, as the
// bank left it: each person registered (ID number encrypted), with a
// card at 农业银行, a line of 960 yuan paid on 2024-06-30 through one
// reconciled batch; the persons are spread over LetterVillages, one in
// ten also with an arrears line for 2023, and the fourth person's line
// cancelled instead of paid (no letter for her). It returns the cycle's
// id and the persons' ids, in order. Nothing goes through the use cases:
// it is a fixture for large counts.
func LetterSeed(tb testing.TB, db *store.DB, n int) (int64, []int64) {
	tb.Helper()
	ctx := context.Background()
	const county = "341523"
	now := time.Date(2024, 6, 20, 1, 0, 0, 0, time.UTC)
	paid := date.MustParse("2024-06-30")
	var cycle int64
	persons := make([]int64, n)
	err := db.Update(ctx, func(tx *store.Tx) error {
		first, err := tx.NextIDs(ctx, "person", n)
		if err != nil {
			return err
		}
		if cycle, err = tx.NextIDs(ctx, "payment_cycle", 1); err != nil {
			return err
		}
		batch, err := tx.NextIDs(ctx, "payment_batch", 1)
		if err != nil {
			return err
		}
		lineID, err := tx.NextIDs(ctx, "payment_line", n+n/10+1)
		if err != nil {
			return err
		}
		surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘")
		given := []rune("秀英桂兰建国明华玉珍志强淑芬德胜海燕春梅文军永红凤霞金花立新家福")
		period, _ := payment.ParsePeriod("2024")
		last, _ := payment.ParsePeriod("2023")
		c := &payment.Cycle{County: county, ID: cycle, Program: policy.ProgramJF, Period: period, CreatedBy: 1, CreatedByName: "财政", CreatedAt: now}
		b := &payment.Batch{County: county, ID: batch, Kind: payment.RegularBatch, CycleID: cycle, Bank: "103", Status: payment.Reconciled,
			CreatedBy: 1, CreatedByName: "财政", CreatedAt: now, ApprovedBy: 2, ApprovedByName: "复核", ApprovedAt: &now, ReconciledAt: &now}
		var lines []payment.Line
		for i := range n {
			id := first + int64(i)
			persons[i] = id
			village := LetterVillages[i%len(LetterVillages)]
			birth := date.MustParse("1960-01-01").AddDays(i % 3000)
			name := string(surnames[i%len(surnames)]) + string(given[i*7%len(given)]) + string(given[(i*13+5)%len(given)])
			r := &registry.Record{County: county, ID: id, IDNumber: string(idcard.Make(county, birth.Time(), 100+i/3000)), Name: name,
				Sex: registry.Female, Birth: birth, Region: village, HukouType: registry.Rural, Address: "舒城县城关镇" + name + "家",
				Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertPerson(ctx, r); err != nil {
				return err
			}
			account := fmt.Sprintf("62284804%010d", i)
			account += luhnDigit(account)
			if err := tx.SaveBankAccount(ctx, &payment.Account{County: county, PersonID: id, Bank: "103", Kind: payment.Card,
				Number: account, Holder: name, Version: 1, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			l := payment.Line{County: county, ID: lineID, CycleID: cycle, PersonID: id, RecipientID: id, Program: policy.ProgramJF, Period: period,
				Kind: payment.Regular, Region: village, Months: 12, Amount: 96000, Split: payment.Split{57600, 23040, 7680, 7680},
				Status: payment.Paid, BatchID: batch, PaidOn: paid, UpdatedAt: now}
			lineID++
			if i == 3 {
				l.Status, l.BatchID, l.PaidOn = payment.Cancelled, 0, date.Date{}
			} else {
				b.Items = append(b.Items, payment.Item{Seq: len(b.Items) + 1, LineID: l.ID, PersonID: id, Name: name, IDNumber: r.IDNumber,
					Bank: "103", Account: account, Amount: l.Amount, Program: policy.ProgramJF, Period: "2024", Result: payment.ResultPaid, PaidOn: paid})
				b.Total += l.Amount
			}
			lines = append(lines, l)
			c.Lines++
			c.Total += l.Amount
			if i%10 == 9 {
				a := l
				a.ID, a.Period, a.Kind, a.Note = lineID, last, payment.Arrears, "2023年度补发"
				lineID++
				b.Items = append(b.Items, payment.Item{Seq: len(b.Items) + 1, LineID: a.ID, PersonID: id, Name: name, IDNumber: r.IDNumber,
					Bank: "103", Account: account, Amount: a.Amount, Program: policy.ProgramJF, Period: "2023", Result: payment.ResultPaid, PaidOn: paid})
				b.Total += a.Amount
				lines = append(lines, a)
				c.Lines++
				c.Total += a.Amount
			}
		}
		b.Count = len(b.Items)
		if err := tx.InsertPaymentCycle(ctx, c); err != nil {
			return err
		}
		if err := tx.InsertPaymentLines(ctx, lines); err != nil {
			return err
		}
		if err := tx.InsertPaymentBatch(ctx, b); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return cycle, persons
}

// luhnDigit returns the Luhn check digit of the digits s.
func luhnDigit(s string) string {
	for d := '0'; d <= '9'; d++ {
		if payment.Luhn(s + string(d)) {
			return string(d)
		}
	}
	return "0"
}
